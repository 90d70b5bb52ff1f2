package io.safemem.bench;

import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/** What {@link BenchMain} runs and prints: its plan and report. */
enum BenchMode {

    /**
     * Everything at 64 B and 4 KiB, and at 64 KiB with {@link Timings#LONG_OPERATIONS}, with
     * {@link HandlerWriteBench}; the targets.
     */
    FULL(BenchPlan.full(), BenchMode::targets),

    /** The same at 64 B and 4 KiB without {@link HandlerWriteBench}, with short timings; the targets. */
    QUICK(BenchPlan.quick(), BenchMode::targets),

    /** The block-size sweep and its table. */
    SWEEP(BenchPlan.sweep(), SweepTable::render);

    private final List<PlannedRun> plan;
    private final Function<List<Measurement>, String> report;

    BenchMode(List<PlannedRun> plan, Function<List<Measurement>, String> report) {
        this.plan = plan;
        this.report = report;
    }

    /**
     * The mode of a command-line word.
     *
     * @param word {@code full}, {@code quick} or {@code sweep}
     * @return the mode
     * @throws IllegalArgumentException for any other word
     */
    static BenchMode parse(String word) {
        for (BenchMode mode : values()) {
            if (mode.name().toLowerCase(Locale.ROOT).equals(word)) {
                return mode;
            }
        }
        throw new IllegalArgumentException("unknown mode '" + word + "': expected full, quick or sweep");
    }

    /**
     * The runs, in order.
     *
     * @return the plan
     */
    List<PlannedRun> plan() {
        return plan;
    }

    /**
     * The tables printed after the runs.
     *
     * @param measurements what was measured
     * @return the printed form
     */
    String report(List<Measurement> measurements) {
        return report.apply(measurements);
    }

    private static String targets(List<Measurement> measurements) {
        return RatioTable.standard().render(measurements) + "\n" + RatioTable.protocolFloor().render(measurements)
                + "\n" + RatioTable.copyFill().render(measurements);
    }
}
