package io.safemem.bench;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The largest {@value Measurement#ALLOC_NORM} over every safemem benchmark, which must stay below
 * a limit; the row names the worst one. Baselines are left out by name, so that a new safemem
 * benchmark is counted without being listed here.
 *
 * @param limit bytes per operation that every safemem benchmark must stay below
 */
record AllocationTarget(double limit) implements Target {

    /** Methods and groups that are baselines: not safemem, so not held to the limit. */
    static final Set<String> BASELINES = Set.of(
            "rawCopy", "rawCopyCrc", "fullRecompute", "protocolWrite", "protocolRead",
            "agronaPutBytes", "agronaSetMemory",
            "reentrantLockWriters", "synchronizedWriters",
            "stampedLockReadWrite", "reentrantLockReadWrite", "synchronizedReadWrite");

    private static final String WHAT = "max " + Measurement.ALLOC_NORM + ", safemem benchmarks";
    private static final String UNIT = " B/op";

    @Override
    public Row evaluate(List<Measurement> measurements) {
        List<Measurement> safemem = measurements.stream()
                .filter(m -> !Double.isNaN(m.allocNorm()) && !BASELINES.contains(method(m.benchmark())))
                .toList();
        Bound bound = Bound.below(limit);
        String target = bound.text() + UNIT;
        Optional<Measurement> worst = safemem.stream().max(Comparator.comparingDouble(Measurement::allocNorm));
        if (worst.isEmpty()) {
            return new Row(WHAT, Verdict.NOT_RUN.text(), target, Verdict.NOT_RUN.text(), "", Verdict.NOT_RUN);
        }
        Measurement found = worst.get();
        return new Row(WHAT, Format.number(found.allocNorm()) + UNIT, target, found.benchmark() + " " + found.params(),
                "of " + safemem.size() + " runs", bound.judge(found.allocNorm()));
    }

    private static String method(String benchmark) {
        return benchmark.substring(benchmark.lastIndexOf('.') + 1);
    }
}
