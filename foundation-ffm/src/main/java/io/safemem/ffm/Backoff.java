package io.safemem.ffm;

import java.util.concurrent.locks.LockSupport;

/**
 * How a thread waits for a region's lock word: spin with {@link Thread#onSpinWait()} first (locks
 * are held only for one write), then yield, then park for growing intervals (1 to 100 µs: a
 * parked reader holds up the writers that let it go first). Stateless: the
 * caller counts rounds, so waiting allocates nothing. Waiting does not end on interrupt; the
 * interrupt status is left for the caller.
 */
final class Backoff {

    /** Rounds spent spinning before the first yield. */
    static final int SPIN_ROUNDS = 128;
    private static final int YIELD_ROUNDS = 32;
    private static final long MIN_PARK_NANOS = 1_000;
    private static final long MAX_PARK_NANOS = 100_000;

    private Backoff() {
    }

    /** Waits a little, longer as {@code round} (0, 1, 2, ...) grows. */
    static void pause(int round) {
        if (round < SPIN_ROUNDS) {
            Thread.onSpinWait();
        } else if (round < SPIN_ROUNDS + YIELD_ROUNDS) {
            Thread.yield();
        } else {
            int doublings = Math.min(7, round - SPIN_ROUNDS - YIELD_ROUNDS);
            LockSupport.parkNanos(Math.min(MAX_PARK_NANOS, MIN_PARK_NANOS << doublings));
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
    static boolean expired(int round, long deadline) {
        return round >= SPIN_ROUNDS && deadline != Long.MAX_VALUE && System.nanoTime() - deadline >= 0;
    }
}
