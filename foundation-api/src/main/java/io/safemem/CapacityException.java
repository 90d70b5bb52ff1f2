package io.safemem;

/**
 * A fixed capacity would be exceeded; nothing grows, nothing was changed.
 *
 * <p>Carries a code of category {@link ErrorCategory#CAPACITY}.
 *
 * <pre>{@code
 * arena.allocate(arena.remaining() + 1, 8); // ARENA_FULL
 * }</pre>
 */
public final class CapacityException extends SafeMemoryException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param code   a code of category {@link ErrorCategory#CAPACITY}
     * @param detail what exactly was wrong, with the values involved
     * @throws IllegalArgumentException if {@code code} belongs to another category
     */
    public CapacityException(ErrorCode code, String detail) {
        super(requireCategory(code, ErrorCategory.CAPACITY), detail);
    }
}
