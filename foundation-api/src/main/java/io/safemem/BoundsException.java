package io.safemem;

/**
 * An offset or length outside the addressed region, slice or buffer.
 *
 * <p>Carries a code of category {@link ErrorCategory#BOUNDS}.
 *
 * <pre>{@code
 * handler.write(-1, bytes); // NEGATIVE_OFFSET
 * }</pre>
 */
public final class BoundsException extends SafeMemoryException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param code   a code of category {@link ErrorCategory#BOUNDS}
     * @param detail what exactly was wrong, with the values involved
     * @throws IllegalArgumentException if {@code code} belongs to another category
     */
    public BoundsException(ErrorCode code, String detail) {
        super(requireCategory(code, ErrorCategory.BOUNDS), detail);
    }
}
