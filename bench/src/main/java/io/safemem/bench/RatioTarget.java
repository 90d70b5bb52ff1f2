package io.safemem.bench;

import java.util.List;
import java.util.Optional;

/**
 * A ratio of two measured scores and its target.
 *
 * @param what        what is compared, as the row prints it
 * @param numerator   the measured side
 * @param denominator what it is measured against
 * @param bound       the target of the ratio
 */
record RatioTarget(String what, Selector numerator, Selector denominator, Bound bound) implements Target {

    @Override
    public Row evaluate(List<Measurement> measurements) {
        Optional<Measurement> top = numerator.find(measurements);
        Optional<Measurement> bottom = denominator.find(measurements);
        if (top.isEmpty() || bottom.isEmpty()) {
            return new Row(what, Verdict.NOT_RUN.text(), bound.text(), scoreOf(top), scoreOf(bottom), Verdict.NOT_RUN);
        }
        double ratio = top.get().score() / bottom.get().score();
        return new Row(what, Format.number(ratio), bound.text(), scoreOf(top), scoreOf(bottom), bound.judge(ratio));
    }

    private static String scoreOf(Optional<Measurement> measurement) {
        return measurement.map(Format::score).orElse(Verdict.NOT_RUN.text());
    }
}
