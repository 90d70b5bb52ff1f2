package io.safemem.examples;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.Locale;

/**
 * A table of fixed-width text columns: the first column left-aligned, the others right-aligned,
 * separated by a fixed gap. A cell wider than its column pushes the rest of its row right.
 */
final class TextTable {

    private final PrintStream out;
    private final String format;
    private final String[] rule;

    /**
     * Describes the columns.
     *
     * @param out    where rows are printed
     * @param gap    the text between two columns
     * @param widths the width of each column, in characters
     */
    TextTable(PrintStream out, String gap, int... widths) {
        this.out = out;
        StringBuilder f = new StringBuilder();
        this.rule = new String[widths.length];
        for (int i = 0; i < widths.length; i++) {
            f.append(i == 0 ? "%-" : gap + "%").append(widths[i]).append('s');
            rule[i] = "-".repeat(widths[i]);
        }
        this.format = f.toString();
    }

    /**
     * Prints the column titles and a rule of dashes under them.
     *
     * @param titles one title per column
     */
    void header(String... titles) {
        row((Object[]) titles);
        row((Object[]) rule);
    }

    /**
     * Prints one row.
     *
     * @param cells one value per column, printed with {@link String#valueOf(Object)}
     */
    void row(Object... cells) {
        if (cells.length != rule.length) {
            throw new IllegalArgumentException(rule.length + " columns, " + cells.length + " cells: "
                    + Arrays.toString(cells));
        }
        out.println(String.format(Locale.ROOT, format, cells));
    }
}
