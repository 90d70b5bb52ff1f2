package io.safemem.ffm;

import io.safemem.MemoryStatistics;

/**
 * The counters of one region: plain fields, bumped by the region's single owner and read by
 * anyone (a reader on another thread may see a count that is slightly behind).
 */
final class RegionCounters implements MemoryStatistics {

    long writes;
    long bytesWritten;
    long verifications;
    long sampledSkips;
    long integrityFailures;
    long checksummedBytes;

    @Override
    public long writes() {
        return writes;
    }

    @Override
    public long bytesWritten() {
        return bytesWritten;
    }

    @Override
    public long verifications() {
        return verifications;
    }

    @Override
    public long sampledSkips() {
        return sampledSkips;
    }

    @Override
    public long integrityFailures() {
        return integrityFailures;
    }

    @Override
    public long checksummedBytes() {
        return checksummedBytes;
    }

    @Override
    public String toString() {
        return "writes=" + writes + ", bytesWritten=" + bytesWritten + ", verifications=" + verifications
                + ", sampledSkips=" + sampledSkips + ", integrityFailures=" + integrityFailures
                + ", checksummedBytes=" + checksummedBytes;
    }
}
