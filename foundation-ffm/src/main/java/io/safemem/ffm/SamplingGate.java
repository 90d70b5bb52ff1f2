package io.safemem.ffm;

/**
 * Decides which accesses {@link io.safemem.VerificationLevel#SAMPLING} verifies: a SplitMix64
 * sequence from a seed, so the same seed samples the same accesses, with no allocation.
 */
final class SamplingGate {

    private static final double TWO_POW_53 = 0x1.0p53;

    private final long threshold;
    private long state;

    SamplingGate(double rate, long seed) {
        this.threshold = (long) Math.ceil(rate * TWO_POW_53);
        this.state = seed;
    }

    /** Draws the next decision: {@code true} with probability {@code rate}. */
    boolean sample() {
        long z = (state += 0x9E3779B97F4A7C15L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z ^= z >>> 31;
        return (z >>> 11) < threshold;
    }
}
