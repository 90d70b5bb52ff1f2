package io.safemem;

/**
 * A region of off-heap memory of fixed capacity, divided into checksummed blocks.
 *
 * <p>The analogue of the Rust {@code NoStdProvider<N>}: its capacity is chosen at creation and
 * never changes. Access goes through an owner (a handler) that checks bounds and checksums;
 * this contract describes what every provider has, so code that only passes memory around can
 * depend on it alone.
 *
 * <pre>{@code
 * void report(MemoryProvider p) {
 *     System.out.printf("%s: %d bytes in %d blocks of %d, level %s%n",
 *             p.name(), p.capacity(), p.blockCount(), p.blockSize(), p.verificationLevel());
 * }
 * }</pre>
 */
public interface MemoryProvider {

    /**
     * The provider's name, used in error messages and statistics.
     *
     * @return the name given at creation
     */
    String name();

    /**
     * The number of addressable bytes; valid offsets are {@code [0, capacity())}.
     *
     * @return the capacity in bytes, fixed for the provider's life
     */
    long capacity();

    /**
     * The number of bytes covered by one checksum, a power of two.
     *
     * @return the block size in bytes
     */
    int blockSize();

    /**
     * The number of checksummed blocks, {@code ceil(capacity() / blockSize())}.
     *
     * @return the block count
     */
    long blockCount();

    /**
     * The level in force.
     *
     * @return the current verification level
     */
    VerificationLevel verificationLevel();

    /**
     * The provider's counters.
     *
     * @return a live, allocation-free view of the counters
     */
    MemoryStatistics statistics();
}
