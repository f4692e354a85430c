package org.example.orders

import kotlinx.coroutines.delay
import kotlinx.coroutines.runBlocking
import java.math.BigDecimal
import java.time.Instant

/** The states an order moves through, in order. */
enum class Status { NEW, PAID, SHIPPED, DELIVERED, CANCELLED }

data class LineItem(val sku: String, val quantity: Int, val unitPrice: BigDecimal) {
    val total: BigDecimal get() = unitPrice * quantity.toBigDecimal()
}

sealed interface Event {
    val at: Instant
}

data class Paid(override val at: Instant, val amount: BigDecimal) : Event
data class Shipped(override val at: Instant, val carrier: String) : Event
object Cancelled : Event {
    override val at: Instant = Instant.EPOCH
}

class Order(val id: Long, private val items: MutableList<LineItem> = mutableListOf()) {
    var status: Status = Status.NEW
        private set
    private val history = ArrayList<Event>()

    val total: BigDecimal
        get() = items.fold(BigDecimal.ZERO) { acc, item -> acc + item.total }

    fun add(item: LineItem): Order {
        require(status == Status.NEW) { "order $id is already ${status.name.lowercase()}" }
        items += item
        return this
    }

    fun apply(event: Event) {
        status = when (event) {
            is Paid -> {
                check(event.amount >= total) { "paid ${event.amount}, owed $total" }
                Status.PAID
            }
            is Shipped -> Status.SHIPPED
            Cancelled -> Status.CANCELLED
        }
        history.add(event)
    }

    override fun toString(): String = "Order#$id(${items.size} items, $status)"

    companion object {
        const val MAX_ITEMS = 50

        fun of(id: Long, vararg items: LineItem): Order =
            Order(id, items.toMutableList()).also { check(it.items.size <= MAX_ITEMS) }
    }
}

// Counts items per SKU across orders.
fun Iterable<Order>.skuCounts(lookup: (Order) -> List<LineItem>): Map<String, Int> {
    val counts = mutableMapOf<String, Int>()
    for (order in this) {
        for ((sku, quantity) in lookup(order).map { it.sku to it.quantity }) {
            counts[sku] = (counts[sku] ?: 0) + quantity
        }
    }
    return counts
}

suspend fun waitForPayment(order: Order, attempts: Int = 3): Boolean {
    repeat(attempts) { attempt ->
        if (order.status == Status.PAID) return true
        delay(500L * (attempt + 1))
    }
    return false
}

fun main() = runBlocking {
    val order = Order.of(42L, LineItem("BOOK-1", 2, BigDecimal("12.50")))
    order.add(LineItem("PEN-7", 10, BigDecimal("0.99")))
    order.apply(Paid(Instant.now(), BigDecimal(40)))
    val ok = waitForPayment(order)
    println("$order paid=$ok total=${order.total}")
    val nullable: String? = null
    println(nullable?.length ?: 'x')
}
