package io.safemem.bench;

/** What a table row says about its target. */
enum Verdict {
    /** The measured value is within the target. */
    MET("met"),
    /** The measured value is outside the target. */
    MISSED("MISSED"),
    /** At least one input of the row was not measured in this run. */
    NOT_RUN("not run"),
    /** The row is shown for information and has no target. */
    NO_TARGET("-");

    private final String text;

    Verdict(String text) {
        this.text = text;
    }

    /**
     * How the table prints it.
     *
     * @return the verdict's text
     */
    String text() {
        return text;
    }
}
