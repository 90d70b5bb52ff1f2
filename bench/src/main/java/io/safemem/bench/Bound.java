package io.safemem.bench;

/**
 * A target a measured value must meet: at most, at least or below a limit, or none.
 *
 * @param relation how the value compares with the limit
 * @param limit    the limit; ignored when {@code relation} is {@link Relation#NONE}
 */
record Bound(Relation relation, double limit) {

    /** How a measured value must compare with the limit. */
    enum Relation {
        /** value &le; limit. */
        AT_MOST("<="),
        /** value &ge; limit. */
        AT_LEAST(">="),
        /** value &lt; limit. */
        BELOW("<"),
        /** No target. */
        NONE("");

        private final String symbol;

        Relation(String symbol) {
            this.symbol = symbol;
        }
    }

    /**
     * The target "at most {@code limit}".
     *
     * @param limit the largest value that meets it
     * @return the bound
     */
    static Bound atMost(double limit) {
        return new Bound(Relation.AT_MOST, limit);
    }

    /**
     * The target "at least {@code limit}".
     *
     * @param limit the smallest value that meets it
     * @return the bound
     */
    static Bound atLeast(double limit) {
        return new Bound(Relation.AT_LEAST, limit);
    }

    /**
     * The target "below {@code limit}".
     *
     * @param limit the first value that misses it
     * @return the bound
     */
    static Bound below(double limit) {
        return new Bound(Relation.BELOW, limit);
    }

    /**
     * No target: the row is shown for information.
     *
     * @return the bound
     */
    static Bound none() {
        return new Bound(Relation.NONE, Double.NaN);
    }

    /**
     * Whether a measured value meets this target.
     *
     * @param value the measured value
     * @return {@link Verdict#MET}, {@link Verdict#MISSED}, or {@link Verdict#NO_TARGET}
     */
    Verdict judge(double value) {
        return switch (relation) {
            case AT_MOST -> verdict(value <= limit);
            case AT_LEAST -> verdict(value >= limit);
            case BELOW -> verdict(value < limit);
            case NONE -> Verdict.NO_TARGET;
        };
    }

    private static Verdict verdict(boolean met) {
        return met ? Verdict.MET : Verdict.MISSED;
    }

    /**
     * The target as the table prints it.
     *
     * @return for example {@code <= 1.5}, or {@code -} for none
     */
    String text() {
        return relation == Relation.NONE ? "-" : relation.symbol + " " + Format.number(limit);
    }
}
