package io.safemem;

/**
 * The family an {@link ErrorCode} belongs to; each category has its own exception type.
 *
 * <pre>{@code
 * try {
 *     handler.write(offset, bytes);
 * } catch (SafeMemoryException e) {
 *     if (e.category() == ErrorCategory.INTEGRITY) alarm(e);
 * }
 * }</pre>
 */
public enum ErrorCategory {
    /** An offset or length outside what the target allows; raised by {@link BoundsException}. */
    BOUNDS,
    /** A fixed capacity would be exceeded; raised by {@link CapacityException}. */
    CAPACITY,
    /** Stored data does not match its checksum; raised by {@link IntegrityException}. */
    INTEGRITY,
    /** Access from a thread that may not make it; raised by {@link ConcurrencyException}. */
    CONCURRENCY,
    /** The object is in a state that does not allow the call; raised by {@link StateException}. */
    STATE,
    /** A configuration or argument value that is never valid; raised by {@link ValidationException}. */
    VALIDATION
}
