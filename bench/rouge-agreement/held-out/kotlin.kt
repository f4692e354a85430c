package com.example.weather

import java.time.LocalDate
import kotlin.math.roundToInt

// Reads daily temperatures and summarises them per month.
data class Reading(val date: LocalDate, val celsius: Double)

enum class Trend { WARMER, COLDER, STEADY }

interface Source {
    fun readings(): Sequence<Reading>
}

class CsvSource(private val lines: List<String>) : Source {
    override fun readings(): Sequence<Reading> = lines.asSequence()
        .drop(1)
        .filter { it.isNotBlank() }
        .map { line ->
            val (day, value) = line.split(",")
            Reading(LocalDate.parse(day), value.toDouble())
        }
}

class Summary(source: Source) {
    private val byMonth: Map<Int, List<Reading>> =
        source.readings().groupBy { it.date.monthValue }

    fun average(month: Int): Int? {
        val readings = byMonth[month] ?: return null
        return readings.map { it.celsius }.average().roundToInt()
    }

    fun trend(from: Int, to: Int): Trend {
        val a = average(from) ?: return Trend.STEADY
        val b = average(to) ?: return Trend.STEADY
        return when {
            b - a > 1 -> Trend.WARMER
            a - b > 1 -> Trend.COLDER
            else -> Trend.STEADY
        }
    }

    companion object {
        private const val HEADER = "date,celsius"
        fun of(text: String) = Summary(CsvSource(text.lines()))
    }
}

fun main(args: Array<String>) {
    val csv = """
        date,celsius
        2024-01-10,-2.5
        2024-02-11,4.0
    """.trimIndent()
    val summary = Summary.of(csv)
    for (month in 1..2) {
        println("month $month: ${summary.average(month)} °C")
    }
    println(summary.trend(1, 2).name.lowercase())
    val first: Reading? = null
    println(first?.celsius ?: Double.NaN)
}
