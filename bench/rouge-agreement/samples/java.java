package com.example.inventory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps the stock of each warehouse in memory and reloads it when it goes stale.
 */
@Service
public final class StockCache implements AutoCloseable {
    private static final Duration MAX_AGE = Duration.ofMinutes(5);
    private static final int DEFAULT_CAPACITY = 1_024;

    private final Map<String, Entry> entries = new ConcurrentHashMap<>(DEFAULT_CAPACITY);
    private final StockRepository repository;
    private volatile boolean closed = false;

    public StockCache(StockRepository repository) {
        this.repository = repository;
    }

    /** One cached stock level and when it was read. */
    private record Entry(long quantity, long readAtMillis) {
        boolean isStale(long now) {
            return now - readAtMillis > MAX_AGE.toMillis();
        }
    }

    @Override
    public void close() {
        closed = true;
        entries.clear();
    }

    public Optional<Long> quantity(String sku) {
        if (closed) {
            throw new IllegalStateException("cache is closed");
        }
        long now = System.currentTimeMillis();
        Entry entry = entries.get(sku);
        if (entry == null || entry.isStale(now)) {
            Long fresh = repository.load(sku);
            if (fresh == null) {
                return Optional.empty();
            }
            entry = new Entry(fresh, now);
            entries.put(sku, entry);
        }
        return Optional.of(entry.quantity());
    }

    public List<String> lowStock(long threshold) {
        List<String> low = new ArrayList<>();
        for (Map.Entry<String, Entry> e : entries.entrySet()) {
            if (e.getValue().quantity() < threshold) {
                low.add(e.getKey());
            }
        }
        low.sort(String::compareTo);
        return low;
    }

    // Ratio of stale entries, for the metrics endpoint.
    double staleRatio() {
        long now = System.currentTimeMillis();
        int stale = 0;
        for (Entry entry : entries.values()) {
            stale += entry.isStale(now) ? 1 : 0;
        }
        return entries.isEmpty() ? 0.0 : (double) stale / entries.size();
    }

    public static void main(String[] args) throws Exception {
        var repository = new InMemoryRepository(Map.of("A-100", 12L, "B-200", 0L));
        try (StockCache cache = new StockCache(repository)) {
            char separator = ',';
            System.out.println(cache.quantity("A-100").orElse(-1L) + separator + "units");
            System.out.printf("stale: %.2f%n", cache.staleRatio());
        }
    }
}

interface StockRepository {
    Long load(String sku);
}

enum Unit {
    PIECE, BOX, PALLET;

    int factor() {
        switch (this) {
            case BOX:
                return 12;
            case PALLET:
                return 480;
            default:
                return 1;
        }
    }
}
