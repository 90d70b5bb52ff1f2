package io.safemem;

/**
 * Live counters of one provider, readable at any time without allocation.
 *
 * <p>Each getter returns the count since the provider was created. The object is a view: read it
 * again to see new counts. While other threads work on the provider, a count may lag by the
 * operations still in flight.
 *
 * <pre>{@code
 * MemoryStatistics stats = region.statistics();
 * long before = stats.checksummedBytes();
 * handler.write(offset, record);
 * long cost = stats.checksummedBytes() - before;   // bytes fed to CRC32C by that write
 * }</pre>
 */
public interface MemoryStatistics {

    /**
     * Completed write operations (writes, copies, fills, scalar puts). A write that fails with an
     * exception is not counted, including one whose {@code FULL} read-back failed after its bytes
     * were stored.
     *
     * @return the number of writes
     */
    long writes();

    /**
     * Bytes changed by completed write operations.
     *
     * @return the number of bytes written
     */
    long bytesWritten();

    /**
     * Blocks checked against their stored checksum, whether they passed or not.
     *
     * @return the number of block verifications
     */
    long verifications();

    /**
     * Accesses that {@link VerificationLevel#SAMPLING} decided not to verify.
     *
     * @return the number of sampled skips
     */
    long sampledSkips();

    /**
     * Blocks found not to match their checksum.
     *
     * @return the number of integrity failures detected
     */
    long integrityFailures();

    /**
     * Bytes fed to CRC32C, for verification and for new checksums alike: the engine's work.
     *
     * @return the number of bytes checksummed
     */
    long checksummedBytes();

    /**
     * Optimistic reads (by {@code AtomicMemoryOps}) that started again because a write ran while
     * they copied; each such retry is counted.
     *
     * @return the number of optimistic read retries
     */
    long readRetries();

    /**
     * Optimistic reads that gave up retrying and read under the shared lock instead.
     *
     * @return the number of reads that fell back to the lock
     */
    long lockedReads();
}
