package io.safemem.bench;

import java.util.Locale;

/** How the tables print numbers: about three significant digits, in ASCII. */
final class Format {

    private Format() {
    }

    /**
     * A number with about three significant digits, thousands grouped.
     *
     * @param value the number
     * @return for example {@code 0.004}, {@code 1.23}, {@code 45.6}, {@code 12,345}, or {@code -} for NaN
     */
    static String number(double value) {
        double magnitude = Math.abs(value);
        String pattern;
        if (Double.isNaN(value)) {
            return "-";
        } else if (magnitude == 0) {
            pattern = "%.0f";
        } else if (magnitude < 0.001) {
            pattern = "%.1e";
        } else if (magnitude < 1) {
            pattern = "%.3f";
        } else if (magnitude < 10) {
            pattern = "%.2f";
        } else if (magnitude < 100) {
            pattern = "%.1f";
        } else {
            pattern = "%,.0f";
        }
        return String.format(Locale.ROOT, pattern, value);
    }

    /**
     * A measured score with its unit.
     *
     * @param measurement what was measured
     * @return for example {@code 12.3 ns/op}
     */
    static String score(Measurement measurement) {
        return number(measurement.score()) + " " + measurement.unit();
    }
}
