package org.example.billing;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.*;

// Splits an invoice total across cost centres by weight.
public class InvoiceSplitter {
    public static final int SCALE = 2;
    private final List<CostCentre> centres = new ArrayList<>();
    protected String currency = "EUR";

    public InvoiceSplitter add(CostCentre centre) {
        if (centre.weight() <= 0) {
            throw new IllegalArgumentException("weight must be positive: " + centre.name());
        }
        centres.add(centre);
        return this;
    }

    public Map<String, BigDecimal> split(BigDecimal total) {
        int sum = 0;
        for (CostCentre c : centres) {
            sum += c.weight();
        }
        Map<String, BigDecimal> shares = new LinkedHashMap<>();
        BigDecimal assigned = BigDecimal.ZERO;
        for (int i = 0; i < centres.size(); i++) {
            CostCentre c = centres.get(i);
            BigDecimal share;
            if (i == centres.size() - 1) {
                share = total.subtract(assigned);
            } else {
                share = total.multiply(BigDecimal.valueOf(c.weight()))
                        .divide(BigDecimal.valueOf(sum), SCALE, RoundingMode.HALF_EVEN);
            }
            assigned = assigned.add(share);
            shares.put(c.name(), share);
        }
        return shares;
    }

    @Deprecated
    synchronized boolean isEmpty() {
        return centres.isEmpty() && currency != null;
    }

    /* Weights are small integers chosen by finance. */
    record CostCentre(String name, int weight) {}

    public static void main(String... args) {
        InvoiceSplitter splitter = new InvoiceSplitter()
                .add(new CostCentre("ops", 3))
                .add(new CostCentre("dev", 5));
        long started = System.nanoTime();
        Map<String, BigDecimal> result = splitter.split(new BigDecimal("1000.00"));
        result.forEach((name, amount) -> System.out.println(name + " = " + amount));
        double ms = (System.nanoTime() - started) / 1e6;
        System.err.println("took " + ms + " ms, flag " + 0x1F + ' ');
    }
}
