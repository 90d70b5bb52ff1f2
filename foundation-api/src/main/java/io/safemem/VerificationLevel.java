package io.safemem;

/**
 * How much checking a provider does: the trade between cost and detection.
 *
 * <p>Every level but {@link #OFF} keeps a CRC32C per block up to date on every write, so a
 * provider can move between checked levels at no cost. The levels differ in what they verify:
 *
 * <table>
 *   <caption>What each level verifies</caption>
 *   <tr><th>level</th><th>checksums kept</th><th>verified</th></tr>
 *   <tr><td>{@link #OFF}</td><td>no</td><td>never</td></tr>
 *   <tr><td>{@link #SAMPLING}</td><td>yes</td><td>a seeded random fraction of bulk reads, slice borrows
 *       and edge merges; every copy source</td></tr>
 *   <tr><td>{@link #STANDARD}</td><td>yes</td><td>every bulk read, slice borrow, copy source and edge merge</td></tr>
 *   <tr><td>{@link #FULL}</td><td>yes</td><td>as {@code STANDARD}, plus every scalar read, and each write's
 *       blocks read back and checked after the write</td></tr>
 * </table>
 *
 * <p>An <em>edge merge</em> is what a write that covers only part of a block does to the rest of that
 * block; verifying it means checking the block's old contents before the new checksum is formed.
 * An unverified merge never launders: it derives the new checksum from the old one and the change,
 * so corruption already in the block stays detectable. Copy sources are verified at every checked
 * level, because their bytes become the destination's checksums.
 *
 * <pre>{@code
 * CheckedRegion region = CheckedRegion.builder(arena, 1 << 20)
 *         .verificationLevel(VerificationLevel.STANDARD)
 *         .build();
 * }</pre>
 */
public enum VerificationLevel {
    /**
     * Plain bounds-checked memory: no checksums are kept and nothing is verified, so this level
     * <strong>cannot detect corruption</strong>; integrity checks at this level check nothing and
     * always pass. Moving a provider from {@code OFF} to a checked level rebuilds its checksums
     * from the memory as it is at that moment.
     */
    OFF,
    /**
     * Checksums are kept; a seeded, deterministic random fraction of bulk reads, slice borrows and
     * edge merges is verified (the rate is configurable), and every copy source. A scrubber calling
     * the provider's integrity check can sweep the rest.
     */
    SAMPLING,
    /** Checksums are kept; every bulk read, slice borrow, copy source and edge merge is verified. */
    STANDARD,
    /**
     * Everything {@link #STANDARD} verifies, plus every scalar read, plus each write's blocks read
     * back and checked right after the write.
     */
    FULL;

    /**
     * Whether writes at this level keep the per-block checksums up to date.
     *
     * @return {@code false} for {@link #OFF} only
     */
    public boolean keepsChecksums() {
        return this != OFF;
    }

    /**
     * Whether every bulk read, slice borrow, copy source and edge merge is verified.
     *
     * @return {@code true} for {@link #STANDARD} and {@link #FULL}
     */
    public boolean verifiesEveryBulkAccess() {
        return this == STANDARD || this == FULL;
    }

    /**
     * Whether scalar reads ({@code getInt} and friends) are verified.
     *
     * @return {@code true} for {@link #FULL} only
     */
    public boolean verifiesScalarReads() {
        return this == FULL;
    }

    /**
     * Whether each write is read back and checked after it completes.
     *
     * @return {@code true} for {@link #FULL} only
     */
    public boolean verifiesAfterWrite() {
        return this == FULL;
    }
}
