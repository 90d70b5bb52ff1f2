package io.safemem;

/**
 * Memory was used from a thread that may not use it.
 *
 * <p>Carries a code of category {@link ErrorCategory#CONCURRENCY}.
 *
 * <pre>{@code
 * // another thread than the owner of a confined arena: WRONG_THREAD
 * }</pre>
 */
public final class ConcurrencyException extends SafeMemoryException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param code   a code of category {@link ErrorCategory#CONCURRENCY}
     * @param detail what exactly was wrong, with the values involved
     * @throws IllegalArgumentException if {@code code} belongs to another category
     */
    public ConcurrencyException(ErrorCode code, String detail) {
        super(requireCategory(code, ErrorCategory.CONCURRENCY), detail);
    }
}
