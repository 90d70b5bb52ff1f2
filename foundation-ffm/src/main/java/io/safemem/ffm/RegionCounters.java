package io.safemem.ffm;

import io.safemem.MemoryStatistics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.ToLongFunction;

/**
 * The counters of one region. Each set of plain fields is bumped by one thread at a time: the
 * region's owner, or the writer holding the lock, bump the region's own set; each thread reading
 * through {@code AtomicMemoryOps} bumps a part of its own ({@link #addPart}), so readers never
 * share a cache line of counters. The getters sum the set and its parts; a count read while
 * threads work may lag behind.
 *
 * <p>Parts are bounded by the threads alive (invariant I5): when a reading thread has ended, its
 * part is folded into the retired part ({@link #retireParts}), which is replaced, never changed,
 * so that a sum sees the ended threads' counts exactly once, before or after the fold.
 */
final class RegionCounters implements MemoryStatistics {


    long writes;
    long bytesWritten;
    long verifications;
    long sampledSkips;
    long integrityFailures;
    long checksummedBytes;
    long readRetries;
    long lockedReads;
    private static final RegionCounters[] NO_PARTS = {};

    /** One part per reading thread not yet retired, and the retired part once there is one. */
    private volatile RegionCounters[] parts = NO_PARTS;
    /** The sum of every retired thread's counts, one of {@link #parts}; replaced, never changed. Guarded by this. */
    private RegionCounters retired;

    /** Includes {@code part}, the counters of one more reading thread, in this set's sums from now on. */
    synchronized void addPart(RegionCounters part) {
        RegionCounters[] grown = Arrays.copyOf(parts, parts.length + 1);
        grown[parts.length] = part;
        parts = grown;
    }

    /**
     * Folds the parts of threads that have ended into the retired part and drops them. The caller
     * has seen each of those threads terminated, so their last counts are visible here.
     *
     * @param ended parts earlier {@linkplain #addPart added}, whose threads have ended (an identity set)
     */
    synchronized void retireParts(Set<RegionCounters> ended) {
        if (ended.isEmpty()) {
            return;
        }
        RegionCounters sum = new RegionCounters();
        List<RegionCounters> kept = new ArrayList<>(parts.length);
        kept.add(sum);
        for (RegionCounters part : parts) {
            if (part == retired || ended.contains(part)) {
                sum.add(part);
            } else {
                kept.add(part);
            }
        }
        retired = sum;
        parts = kept.toArray(NO_PARTS);
    }

    /** The number of parts kept: one per reading thread not yet retired, and the retired one. */
    int partCount() {
        return parts.length;
    }

    private void add(RegionCounters other) {
        writes += other.writes;
        bytesWritten += other.bytesWritten;
        verifications += other.verifications;
        sampledSkips += other.sampledSkips;
        integrityFailures += other.integrityFailures;
        checksummedBytes += other.checksummedBytes;
        readRetries += other.readRetries;
        lockedReads += other.lockedReads;
    }

    @Override
    public long writes() {
        return sum(c -> c.writes);
    }

    @Override
    public long bytesWritten() {
        return sum(c -> c.bytesWritten);
    }

    @Override
    public long verifications() {
        return sum(c -> c.verifications);
    }

    @Override
    public long sampledSkips() {
        return sum(c -> c.sampledSkips);
    }

    @Override
    public long integrityFailures() {
        return sum(c -> c.integrityFailures);
    }

    @Override
    public long checksummedBytes() {
        return sum(c -> c.checksummedBytes);
    }

    @Override
    public long readRetries() {
        return sum(c -> c.readRetries);
    }

    @Override
    public long lockedReads() {
        return sum(c -> c.lockedReads);
    }

    private long sum(ToLongFunction<RegionCounters> field) {
        long total = field.applyAsLong(this);
        for (RegionCounters part : parts) {
            total += field.applyAsLong(part);
        }
        return total;
    }

    @Override
    public String toString() {
        return "writes=" + writes() + ", bytesWritten=" + bytesWritten() + ", verifications=" + verifications()
                + ", sampledSkips=" + sampledSkips() + ", integrityFailures=" + integrityFailures()
                + ", checksummedBytes=" + checksummedBytes() + ", readRetries=" + readRetries()
                + ", lockedReads=" + lockedReads();
    }
}
