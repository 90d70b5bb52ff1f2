package io.safemem.examples;

import java.time.Duration;

/**
 * The shape, seed, threads and counts of the demo's concurrent section. Every level gets the same
 * configuration; which bits are flipped, and when, depends on the threads' timing.
 *
 * @param shape           size, block size and sampling rate of each level's region
 * @param seed            seed of the threads' random choices, of the flips and of sampling
 * @param writers         writer threads; record {@code i} belongs to writer {@code i % writers}
 * @param readers         reader threads
 * @param writesPerWriter writes each writer does at least (it goes on until all flips are in)
 * @param flips           flips per level, each into a block of its own
 * @param sliceEvery      every this many reads of a reader, one goes through a borrowed slice
 * @param timeLimit       the longest a level may run before its threads are stopped (a failure)
 */
record ConcurrentConfig(RegionShape shape, long seed, int writers, int readers, int writesPerWriter, int flips,
                        int sliceEvery, Duration timeLimit) {

    /** Checks that the numbers fit together. */
    ConcurrentConfig {
        if (shape == null || timeLimit == null || timeLimit.isNegative() || timeLimit.isZero()) {
            throw new IllegalArgumentException("need a region shape and a positive time limit");
        }
        if (writers < 1 || readers < 1 || sliceEvery < 1) {
            throw new IllegalArgumentException("need at least one writer and one reader, and sliceEvery >= 1");
        }
        if (shape.records() < 2L * writers) {
            throw new IllegalArgumentException(shape.records() + " records are too few for " + writers + " writers");
        }
        if (flips < 0 || 2L * flips > shape.blocks()) {
            throw new IllegalArgumentException(flips + " flips need at least twice as many blocks, there are "
                    + shape.blocks());
        }
        if ((long) writers * writesPerWriter <= flips) {
            throw new IllegalArgumentException("need more writes than flips, to spread the flips over them");
        }
    }

    /**
     * The configuration of {@code mvn -Pdemo package}: 2 writers and 2 readers on 64 KiB of
     * 256-byte blocks per level, 48 flips.
     *
     * @return the concurrent section's configuration
     */
    static ConcurrentConfig standard() {
        return new ConcurrentConfig(new RegionShape(64 << 10, 256, 0.25), 42, 2, 2, 100_000, 48, 8,
                Duration.ofSeconds(10));
    }
}
