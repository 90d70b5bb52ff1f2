package io.safemem.bench;

import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * A planned run's default forks, warm-up and measurement; each gives way to the same option on
 * the command line.
 *
 * @param forks              forks per benchmark and parameter set
 * @param warmupIterations   warm-up iterations
 * @param warmupTime         time of each warm-up iteration
 * @param iterations         measured iterations
 * @param measurementTime    time of each measured iteration
 */
record Timings(int forks, int warmupIterations, TimeValue warmupTime, int iterations, TimeValue measurementTime) {

    /**
     * A few minutes for the whole plan: {@code -f 1 -wi 4 -w 300ms -i 3 -r 300ms}. Four warm-up
     * iterations, because C2 needs about a second here to compile the deepest paths: after two,
     * a {@code FULL} 4 KiB {@code borrowAndRead} in a 1 GiB region still ran code that allocates
     * its slice (C1's, which does no escape analysis) in the first measured iteration of 6 of 7
     * forks, all of that iteration (40 B/op) in 5; after four, in none of 10.
     */
    static final Timings QUICK = new Timings(1, 4, TimeValue.milliseconds(300), 3, TimeValue.milliseconds(300));

    /** {@code -f 1 -wi 3 -w 1s -i 5 -r 1s}. */
    static final Timings FULL = new Timings(1, 3, TimeValue.seconds(1), 5, TimeValue.seconds(1));

    /**
     * {@code -f 1 -wi 3 -w 1s -i 3 -r 5s}, for operations of 64 KiB, which take 2 to 25 µs. JMH's
     * GC profiler counts what every thread of the fork allocates, and JMH's own work around each
     * iteration allocates some kilobytes (about 8 KB here), which {@value Measurement#ALLOC_NORM}
     * divides by the iteration's operations: 40,000 to 500,000 in a 1-s iteration, few enough to
     * read up to 0.2 B/op of code that allocates nothing. Iterations five times as long spread it
     * over five times as many operations.
     */
    static final Timings LONG_OPERATIONS = new Timings(1, 3, TimeValue.seconds(1), 3, TimeValue.seconds(5));

    /**
     * Sets each timing that the command line did not.
     *
     * @param builder the run's options
     * @param given   the command line's options
     */
    void applyUnlessGiven(ChainedOptionsBuilder builder, Options given) {
        if (!given.getForkCount().hasValue()) {
            builder.forks(forks);
        }
        if (!given.getWarmupIterations().hasValue()) {
            builder.warmupIterations(warmupIterations);
        }
        if (!given.getWarmupTime().hasValue()) {
            builder.warmupTime(warmupTime);
        }
        if (!given.getMeasurementIterations().hasValue()) {
            builder.measurementIterations(iterations);
        }
        if (!given.getMeasurementTime().hasValue()) {
            builder.measurementTime(measurementTime);
        }
    }
}
