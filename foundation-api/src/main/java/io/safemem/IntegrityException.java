package io.safemem;

/**
 * Stored data does not match its checksum: the memory was corrupted behind the API's back
 * (a bit flip, a stray native write), and the corrupt bytes were not handed out.
 *
 * <p>Says where and what: the provider, the block, the block's byte range and both checksums.
 *
 * <pre>{@code
 * try {
 *     handler.read(offset, dst);
 * } catch (IntegrityException e) {
 *     log.error("block {} of {} [{}..{}) is corrupt", e.block(), e.providerName(),
 *               e.blockStart(), e.blockEnd());
 * }
 * }</pre>
 */
public final class IntegrityException extends SafeMemoryException {

    private static final long serialVersionUID = 1L;

    private final String providerName;
    private final long block;
    private final long blockStart;
    private final long blockEnd;
    private final int expectedChecksum;
    private final int actualChecksum;

    /**
     * Creates the exception.
     *
     * @param code             {@link ErrorCode#CHECKSUM_MISMATCH} or {@link ErrorCode#WRITE_VERIFICATION_FAILED}
     * @param providerName     the name of the provider holding the block
     * @param block            the index of the corrupt block
     * @param blockStart       the first byte offset of the block in the provider
     * @param blockEnd         the byte offset just past the block
     * @param expectedChecksum the CRC32C stored for the block
     * @param actualChecksum   the CRC32C of the block's bytes as read
     * @throws IllegalArgumentException if {@code code} is not an integrity code
     */
    public IntegrityException(ErrorCode code, String providerName, long block, long blockStart,
                              long blockEnd, int expectedChecksum, int actualChecksum) {
        this(code, providerName, block, blockStart, blockEnd, expectedChecksum, actualChecksum, null);
    }

    /**
     * Creates the exception with a note on what the failed operation had done, appended to the
     * message (e.g. how far a long copy had got when it met the corruption).
     *
     * @param code             {@link ErrorCode#CHECKSUM_MISMATCH} or {@link ErrorCode#WRITE_VERIFICATION_FAILED}
     * @param providerName     the name of the provider holding the block
     * @param block            the index of the corrupt block
     * @param blockStart       the first byte offset of the block in the provider
     * @param blockEnd         the byte offset just past the block
     * @param expectedChecksum the CRC32C stored for the block
     * @param actualChecksum   the CRC32C of the block's bytes as read
     * @param note             what the operation had done, or {@code null}
     * @throws IllegalArgumentException if {@code code} is not an integrity code
     */
    public IntegrityException(ErrorCode code, String providerName, long block, long blockStart,
                              long blockEnd, int expectedChecksum, int actualChecksum, String note) {
        super(requireCategory(code, ErrorCategory.INTEGRITY),
                String.format("provider '%s', block %d, bytes [%d, %d): stored CRC32C 0x%08x, actual 0x%08x%s",
                        providerName, block, blockStart, blockEnd, expectedChecksum, actualChecksum,
                        note == null ? "" : "; " + note));
        this.providerName = providerName;
        this.block = block;
        this.blockStart = blockStart;
        this.blockEnd = blockEnd;
        this.expectedChecksum = expectedChecksum;
        this.actualChecksum = actualChecksum;
    }

    /**
     * The provider holding the corrupt block.
     *
     * @return the provider's name
     */
    public String providerName() {
        return providerName;
    }

    /**
     * The index of the corrupt block.
     *
     * @return the block index, from 0
     */
    public long block() {
        return block;
    }

    /**
     * The first byte of the corrupt block.
     *
     * @return the byte offset of the block in its provider
     */
    public long blockStart() {
        return blockStart;
    }

    /**
     * The end of the corrupt block.
     *
     * @return the byte offset just past the block
     */
    public long blockEnd() {
        return blockEnd;
    }

    /**
     * The checksum stored for the block.
     *
     * @return the stored CRC32C
     */
    public int expectedChecksum() {
        return expectedChecksum;
    }

    /**
     * The checksum of the block's bytes as they were read.
     *
     * @return the computed CRC32C
     */
    public int actualChecksum() {
        return actualChecksum;
    }
}
