package io.safemem.bench;

import java.util.List;

/** One row of a {@link RatioTable}: a comparison made from measurements. */
interface Target {

    /**
     * Evaluates this target.
     *
     * @param measurements everything measured in the run; inputs that are missing make the row
     *                     {@link Verdict#NOT_RUN}
     * @return the row
     */
    Row evaluate(List<Measurement> measurements);
}
