package io.safemem.bench;

import java.util.ArrayList;
import java.util.List;

/** A plain-text table in Markdown pipe syntax, columns padded to line up in a terminal. */
final class TextTable {

    private TextTable() {
    }

    /**
     * Renders a table.
     *
     * @param headings the column headings
     * @param rows     the rows, each with one cell per heading
     * @return the table, one line per row after the heading and its rule, each ending in a newline
     */
    static String render(List<String> headings, List<List<String>> rows) {
        int[] widths = new int[headings.size()];
        List<List<String>> all = new ArrayList<>();
        all.add(headings);
        all.addAll(rows);
        for (List<String> row : all) {
            for (int i = 0; i < widths.length; i++) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        StringBuilder out = new StringBuilder();
        line(out, headings, widths);
        List<String> rule = new ArrayList<>();
        for (int width : widths) {
            rule.add("-".repeat(width));
        }
        line(out, rule, widths);
        for (List<String> row : rows) {
            line(out, row, widths);
        }
        return out.toString();
    }

    private static void line(StringBuilder out, List<String> cells, int[] widths) {
        out.append('|');
        for (int i = 0; i < widths.length; i++) {
            String cell = cells.get(i);
            out.append(' ').append(cell).append(" ".repeat(widths[i] - cell.length())).append(" |");
        }
        out.append('\n');
    }
}
