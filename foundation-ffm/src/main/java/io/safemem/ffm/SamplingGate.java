package io.safemem.ffm;

/**
 * Decides which accesses {@link io.safemem.VerificationLevel#SAMPLING} verifies: a SplitMix64
 * sequence from a seed, so the same seed samples the same accesses, with no allocation.
 */
final class SamplingGate {

    private static final double TWO_POW_53 = 0x1.0p53;
    private static final long GAMMA = 0x9E3779B97F4A7C15L;

    private final long threshold;
    private long state;

    SamplingGate(double rate, long seed) {
        this((long) Math.ceil(rate * TWO_POW_53), seed);
    }

    private SamplingGate(long threshold, long state) {
        this.threshold = threshold;
        this.state = state;
    }

    /** A gate of its own that draws what this one would draw next. */
    SamplingGate copy() {
        return new SamplingGate(threshold, state);
    }

    /**
     * The seed of stream {@code k} of a region seeded with {@code seed}: stream 0 is the region's
     * owner (its handler, then the writer of its {@code AtomicMemoryOps}); stream {@code k > 0} is
     * the {@code k}-th thread to read through its {@code AtomicMemoryOps}, so that threads never
     * share a gate yet one thread's draws repeat from run to run.
     */
    static long streamSeed(long seed, int k) {
        return k == 0 ? seed : mix(seed + k * GAMMA);
    }

    /** Draws the next decision: {@code true} with probability {@code rate}. */
    boolean sample() {
        return (mix(state += GAMMA) >>> 11) < threshold;
    }

    /** Undoes the last {@link #sample()}: the next draw repeats it. */
    void retract() {
        state -= GAMMA;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
