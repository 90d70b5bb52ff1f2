package io.safemem.examples;

import io.safemem.VerificationLevel;

/**
 * What happened at one verification level of the concurrent section.
 *
 * @param level           the level of the shared region
 * @param flips           the outcome of every flip, and what went wrong in blocks no flip touched
 * @param writes          writes the writers attempted
 * @param refusedWrites   writes refused because a block they touched was corrupt (nothing written)
 * @param reads           reads the readers attempted, slice reads included
 * @param sliceReads      reads through a borrowed slice
 * @param tornReads       records read that were the bytes of no single write (must be 0)
 * @param corruptServed   records served whole but for a flipped byte, without an exception
 * @param slowestReadNanos the longest a successful read took, in wall-clock nanoseconds
 * @param readRetries     optimistic reads that started again because a write ran meanwhile, from
 *                        {@link io.safemem.MemoryStatistics#readRetries()}
 * @param lockedReads     optimistic reads that gave up and read under the shared lock, from
 *                        {@link io.safemem.MemoryStatistics#lockedReads()}
 * @param sweepConsistent whether {@code verifyIntegrity}, {@code findCorruptBlock} and the block
 *                        reads of the final sweep agreed
 * @param elapsedNanos    wall-clock time from starting the threads to the last one ending
 * @param firstTorn       the first torn read, described, or {@code null}
 * @param failure         why the level stopped early (time limit, a thread's failure), or {@code null}
 */
record ConcurrentReport(VerificationLevel level, FlipTally flips, long writes, long refusedWrites, long reads,
                        long sliceReads, long tornReads, long corruptServed, long slowestReadNanos,
                        long readRetries, long lockedReads,
                        boolean sweepConsistent, long elapsedNanos, String firstTorn, String failure) {

    /**
     * Whether the level keeps checksums and so can detect anything.
     *
     * @return {@code false} for {@code OFF} only
     */
    boolean checked() {
        return level.keepsChecksums();
    }

    /**
     * Operations done by the worker threads.
     *
     * @return {@code writes + reads}
     */
    long ops() {
        return writes + reads;
    }
}
