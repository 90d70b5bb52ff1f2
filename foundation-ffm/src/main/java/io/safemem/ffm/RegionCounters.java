package io.safemem.ffm;

import io.safemem.MemoryStatistics;

import java.util.Arrays;
import java.util.function.ToLongFunction;

/**
 * The counters of one region. Each set of plain fields is bumped by one thread at a time: the
 * region's owner, or the writer holding the lock, bump the region's own set; each thread reading
 * through {@code AtomicMemoryOps} bumps a part of its own ({@link #newPart()}), so readers never
 * share a cache line of counters. The getters sum the set and its parts; a count read while
 * threads work may lag behind.
 */
final class RegionCounters implements MemoryStatistics {

    private static final RegionCounters[] NO_PARTS = {};

    long writes;
    long bytesWritten;
    long verifications;
    long sampledSkips;
    long integrityFailures;
    long checksummedBytes;
    long readRetries;
    long lockedReads;
    private volatile RegionCounters[] parts = NO_PARTS;

    /** A new set of counters for one more thread, included in this set's sums from now on. */
    synchronized RegionCounters newPart() {
        RegionCounters part = new RegionCounters();
        RegionCounters[] grown = Arrays.copyOf(parts, parts.length + 1);
        grown[parts.length] = part;
        parts = grown;
        return part;
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
