package io.safemem;

/**
 * The one exception family of safemem: every error carries an {@link ErrorCode} with a stable
 * number and an {@link ErrorCategory}, and has one subclass per category.
 *
 * <p>Operations that throw one of these have changed nothing: bad input is refused before any
 * byte is written. The one exception is {@link ErrorCode#WRITE_VERIFICATION_FAILED}, which by
 * definition reports on a write that has already happened.
 *
 * <pre>{@code
 * try {
 *     handler.write(offset, record);
 * } catch (BoundsException e) {
 *     // e.code() == ErrorCode.OUT_OF_BOUNDS, the region is unchanged
 * }
 * }</pre>
 */
public abstract sealed class SafeMemoryException extends RuntimeException
        permits BoundsException, CapacityException, IntegrityException, ConcurrencyException,
                StateException, ValidationException {

    private static final long serialVersionUID = 1L;

    private final ErrorCode code;

    /**
     * Creates an exception for {@code code} with a message that starts with the code.
     *
     * @param code   the error code; its category must match the subclass
     * @param detail what exactly was wrong, with the values involved
     */
    protected SafeMemoryException(ErrorCode code, String detail) {
        super("[" + code.code() + " " + code.name() + "] " + code.summary() + ": " + detail);
        this.code = code;
    }

    /**
     * Checks that a subclass is given a code of its own category.
     *
     * @param code     the code handed to a subclass constructor
     * @param category the subclass's category
     * @return {@code code}
     * @throws IllegalArgumentException if the categories differ (a programming error in safemem)
     */
    static ErrorCode requireCategory(ErrorCode code, ErrorCategory category) {
        if (code.category() != category) {
            throw new IllegalArgumentException(code + " is not a " + category + " code");
        }
        return code;
    }

    /**
     * The error code.
     *
     * @return the code, never {@code null}
     */
    public ErrorCode code() {
        return code;
    }

    /**
     * The category of the error code.
     *
     * @return {@code code().category()}
     */
    public ErrorCategory category() {
        return code.category();
    }
}
