package io.safemem;

/**
 * Every error safemem raises, each with a stable numeric code that never changes meaning.
 *
 * <p>The thousands digit names the {@link ErrorCategory}: 1xxx bounds, 2xxx capacity,
 * 3xxx integrity, 4xxx concurrency, 5xxx state, 6xxx validation. Log or match on
 * {@link #code()}; the enum constant names may be refined, the numbers will not.
 *
 * <pre>{@code
 * catch (SafeMemoryException e) {
 *     metrics.increment("safemem.error." + e.code().code());
 * }
 * }</pre>
 */
public enum ErrorCode {
    /** An offset was negative. */
    NEGATIVE_OFFSET(1001, ErrorCategory.BOUNDS, "offset is negative"),
    /** A length was negative. */
    NEGATIVE_LENGTH(1002, ErrorCategory.BOUNDS, "length is negative"),
    /** {@code offset + length} does not fit in a signed 64-bit (or, for arrays, 32-bit) integer. */
    RANGE_OVERFLOW(1003, ErrorCategory.BOUNDS, "offset + length overflows"),
    /** A range ends beyond the capacity of the region or slice it addresses. */
    OUT_OF_BOUNDS(1004, ErrorCategory.BOUNDS, "range exceeds capacity"),
    /** A range does not fit in the caller's array or segment. */
    BUFFER_RANGE(1005, ErrorCategory.BOUNDS, "range exceeds the caller's buffer"),

    /** A fixed arena has too few bytes left for an allocation. */
    ARENA_FULL(2001, ErrorCategory.CAPACITY, "arena is full"),

    /** A block's data does not match its stored checksum. */
    CHECKSUM_MISMATCH(3001, ErrorCategory.INTEGRITY, "checksum mismatch"),
    /** At {@link VerificationLevel#FULL}, the bytes read back right after a write do not match their new checksum. */
    WRITE_VERIFICATION_FAILED(3002, ErrorCategory.INTEGRITY, "written data failed read-back verification"),

    /** Memory of a confined arena was used from a thread other than its owner. */
    WRONG_THREAD(4001, ErrorCategory.CONCURRENCY, "access from a thread that does not own the memory"),
    /** A lock of a region shared between threads was not acquired within the configured timeout. */
    LOCK_TIMEOUT(4002, ErrorCategory.CONCURRENCY, "lock not acquired in time"),

    /** The arena behind the memory has been closed. */
    ARENA_CLOSED(5001, ErrorCategory.STATE, "arena is closed"),
    /** A slice was used after it was closed. */
    SLICE_CLOSED(5002, ErrorCategory.STATE, "slice is closed"),
    /** A write was attempted while borrowed slices of the region are still open. */
    SLICES_OPEN(5003, ErrorCategory.STATE, "borrowed slices are still open"),
    /** A second owner was requested for a region that already has one. */
    ALREADY_OWNED(5004, ErrorCategory.STATE, "region already has an owner"),
    /** A handler was used after {@code intoAtomicOps()} handed its region over to thread-safe access. */
    HANDLER_CONSUMED(5005, ErrorCategory.STATE, "handler was consumed by intoAtomicOps"),

    /** A capacity or size is zero, negative or too large. */
    INVALID_CAPACITY(6001, ErrorCategory.VALIDATION, "invalid capacity"),
    /** A block size is not a power of two within the supported range. */
    INVALID_BLOCK_SIZE(6002, ErrorCategory.VALIDATION, "invalid block size"),
    /** An alignment is not a positive power of two. */
    INVALID_ALIGNMENT(6003, ErrorCategory.VALIDATION, "invalid alignment"),
    /** A sampling rate is not in {@code (0, 1]}. */
    INVALID_SAMPLING_RATE(6004, ErrorCategory.VALIDATION, "invalid sampling rate"),
    /** A required argument was {@code null}. */
    NULL_ARGUMENT(6005, ErrorCategory.VALIDATION, "argument is null"),
    /** A destination segment is read-only. */
    READ_ONLY_DESTINATION(6006, ErrorCategory.VALIDATION, "destination is read-only"),
    /** A lock timeout is negative. */
    INVALID_TIMEOUT(6007, ErrorCategory.VALIDATION, "invalid timeout"),
    /**
     * A range that must be made of whole blocks (a block rewrite) does not start at a block
     * boundary, or ends neither at one nor at the region's capacity.
     */
    BLOCK_MISALIGNED(6008, ErrorCategory.VALIDATION, "range is not made of whole blocks"),
    /**
     * A fault injector's flip to undo is not one it could have made: no target, a byte offset or
     * bit outside its target, or a block that is not the one the byte belongs to.
     */
    INVALID_FLIP(6009, ErrorCategory.VALIDATION, "invalid flip");

    private final int code;
    private final ErrorCategory category;
    private final String summary;

    ErrorCode(int code, ErrorCategory category, String summary) {
        this.code = code;
        this.category = category;
        this.summary = summary;
    }

    /**
     * The stable numeric code.
     *
     * @return the code, e.g. {@code 3001} for {@link #CHECKSUM_MISMATCH}
     */
    public int code() {
        return code;
    }

    /**
     * The category this code belongs to.
     *
     * @return the category, which also names the exception type that carries this code
     */
    public ErrorCategory category() {
        return category;
    }

    /**
     * A short, fixed, human-readable summary.
     *
     * @return the summary, e.g. {@code "checksum mismatch"}
     */
    public String summary() {
        return summary;
    }
}
