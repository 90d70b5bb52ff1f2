package io.safemem.bench;

import java.util.List;

/**
 * One printed row of a {@link RatioTable}.
 *
 * @param what     what is compared
 * @param measured the measured ratio (or value), or {@code not run}
 * @param target   the target, or {@code -}
 * @param left     the first side: the numerator's score, or the worst benchmark
 * @param right    the second side: the denominator's score, or how many were looked at
 * @param verdict  whether the target was met
 */
record Row(String what, String measured, String target, String left, String right, Verdict verdict) {

    /** The column headings, in the order of {@link #cells()}. */
    static final List<String> HEADINGS = List.of("what", "measured", "target", "this", "against", "verdict");

    /**
     * The row's cells, in the order of {@link #HEADINGS}.
     *
     * @return the cells
     */
    List<String> cells() {
        return List.of(what, measured, target, left, right, verdict.text());
    }
}
