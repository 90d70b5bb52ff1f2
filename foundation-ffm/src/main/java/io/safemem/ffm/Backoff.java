package io.safemem.ffm;

import java.util.concurrent.locks.LockSupport;

/**
 * How a thread waits for a region's lock word: spin with {@link Thread#onSpinWait()} first, then
 * yield, then park for growing intervals (1 to 100 µs; the OS may round a park up, to about
 * 80 µs on the machine the benchmarks ran on). Stateless: the caller counts rounds, so
 * waiting allocates nothing. Waiting does not end on interrupt; the interrupt status is left for
 * the caller.
 *
 * <p>The two policies differ in how long they spin, measured on two cores by
 * {@code ContendedBench}: a writer waiting for another writer parks soon, so that the holder runs
 * its next writes alone instead of losing the lock's cache line to a spinning waiter (two 64-byte
 * writers: 35 writes/µs instead of 16); a reader waiting for a writer to finish one write spins
 * longer, because a parked reader also holds up the writers that must let it go first.
 */
enum Backoff {
    /** For writers waiting for the writer bit or for shares to drain. */
    WRITER(16, 4),
    /** For a writer that finds readers waiting: parks at once, so that they read alone while it sleeps. */
    WRITER_BEHIND_READERS(0, 0),
    /** For readers waiting for a share while a writer holds the lock. */
    READER(128, 32);

    private static final long MIN_PARK_NANOS = 1_000;
    private static final long MAX_PARK_NANOS = 100_000;

    /** Rounds spent spinning before the first yield. */
    final int spinRounds;
    private final int yieldRounds;

    Backoff(int spinRounds, int yieldRounds) {
        this.spinRounds = spinRounds;
        this.yieldRounds = yieldRounds;
    }

    /** Waits a little, longer as {@code round} (0, 1, 2, ...) grows. */
    void pause(int round) {
        if (round < spinRounds) {
            Thread.onSpinWait();
        } else if (round < spinRounds + yieldRounds) {
            Thread.yield();
        } else {
            int doublings = Math.min(7, round - spinRounds - yieldRounds);
            LockSupport.parkNanos(Math.min(MAX_PARK_NANOS, MIN_PARK_NANOS << doublings));
        }
    }

    /**
     * Spins for {@code nanos}, or until {@code deadline} if that comes first, without touching
     * shared memory: a thread stepping aside for another.
     */
    static void stepAside(long nanos, long deadline) {
        long end = System.nanoTime() + nanos;
        if (deadline != Long.MAX_VALUE && deadline - end < 0) {
            end = deadline;
        }
        while (end - System.nanoTime() > 0) {
            Thread.onSpinWait();
        }
    }

    /**
     * The moment, on the {@link System#nanoTime()} clock, at which a wait of {@code timeoutNanos}
     * started now gives up; {@link Long#MAX_VALUE} timeouts never do.
     */
    static long deadline(long timeoutNanos) {
        return timeoutNanos == Long.MAX_VALUE ? Long.MAX_VALUE : System.nanoTime() + timeoutNanos;
    }

    /** Whether {@code deadline} has passed; checked only once spinning is over, to keep spins cheap. */
    boolean expired(int round, long deadline) {
        return round >= spinRounds && deadline != Long.MAX_VALUE && System.nanoTime() - deadline >= 0;
    }
}
