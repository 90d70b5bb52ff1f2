package io.safemem;

/**
 * The object's state does not allow the call (closed, already owned, slices open).
 *
 * <p>Carries a code of category {@link ErrorCategory#STATE}.
 *
 * <pre>{@code
 * slice.close(); slice.getByte(0); // SLICE_CLOSED
 * }</pre>
 */
public final class StateException extends SafeMemoryException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param code   a code of category {@link ErrorCategory#STATE}
     * @param detail what exactly was wrong, with the values involved
     * @throws IllegalArgumentException if {@code code} belongs to another category
     */
    public StateException(ErrorCode code, String detail) {
        super(requireCategory(code, ErrorCategory.STATE), detail);
    }
}
