package io.safemem;

/**
 * A configuration value or argument that is never valid.
 *
 * <p>Carries a code of category {@link ErrorCategory#VALIDATION}.
 *
 * <pre>{@code
 * CheckedRegion.builder(arena, 4096).blockSize(100); // INVALID_BLOCK_SIZE
 * }</pre>
 */
public final class ValidationException extends SafeMemoryException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param code   a code of category {@link ErrorCategory#VALIDATION}
     * @param detail what exactly was wrong, with the values involved
     * @throws IllegalArgumentException if {@code code} belongs to another category
     */
    public ValidationException(ErrorCode code, String detail) {
        super(requireCategory(code, ErrorCategory.VALIDATION), detail);
    }
}
