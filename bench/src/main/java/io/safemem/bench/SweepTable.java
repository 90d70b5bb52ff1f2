package io.safemem.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The block-size sweep: one row per block size measured, one column per case of
 * {@link AtomicWriteBench} at {@code STANDARD} in a 64 KiB region, each cell the time and its
 * ratio to {@code rawCopyCrc} of the same size (the floor ignores the block size).
 */
final class SweepTable {

    /** One column, a method at a size; {@code ranked} columns are the four cases the default block size is chosen by. */
    private record Case(String method, String size, boolean ranked) {

        /** The column's heading. */
        String heading() {
            return method + " " + size + " B";
        }

        /** The case at one block size. */
        Selector at(String blockSize) {
            return Selector.of(BENCH + method, "size", size, "level", "STANDARD", "regionSize", REGION,
                    "blockSize", blockSize);
        }

        /** The floor of the same size, at whatever block size it ran. */
        Selector floor() {
            return Selector.of(BENCH + FLOOR, "size", size, "regionSize", REGION);
        }
    }

    private static final String BENCH = "AtomicWriteBench.";
    private static final String FLOOR = "rawCopyCrc";
    private static final String REGION = "65536";

    /** The columns, in order. */
    private static final List<Case> CASES = List.of(
            new Case("atomicWrite", "64", true), new Case("atomicWrite", "4096", true),
            new Case("atomicWriteUnaligned", "64", true), new Case("atomicWriteUnaligned", "4096", false),
            new Case("optimisticRead", "64", true));
    private static final long RANKED = CASES.stream().filter(Case::ranked).count();

    private SweepTable() {
    }

    /**
     * The sweep table and the floors it divides by.
     *
     * @param measurements what the sweep measured
     * @return the printed form
     */
    static String render(List<Measurement> measurements) {
        List<String> headings = new ArrayList<>();
        headings.add("block size");
        CASES.forEach(c -> headings.add(c.heading()));
        headings.add("geometric mean (ranked cases)");
        List<List<String>> rows = new ArrayList<>();
        for (String blockSize : blockSizes(measurements)) {
            List<String> row = new ArrayList<>();
            row.add(blockSize);
            double logSum = 0;
            int ratios = 0;
            for (Case column : CASES) {
                Optional<Measurement> measured = column.at(blockSize).find(measurements);
                Optional<Measurement> floor = column.floor().find(measurements);
                row.add(cell(measured, floor));
                if (column.ranked() && measured.isPresent() && floor.isPresent()) {
                    logSum += Math.log(measured.get().score() / floor.get().score());
                    ratios++;
                }
            }
            row.add(ratios == RANKED ? Format.number(Math.exp(logSum / ratios)) + "x" : Verdict.NOT_RUN.text());
            rows.add(row);
        }
        StringBuilder out = new StringBuilder("Block-size sweep, STANDARD, regionSize " + REGION
                + ": ns/op (ratio to " + FLOOR + " of the same size); the default block size is the one with the"
                + " lowest geometric mean over the ranked cases (all but the unaligned 4096 B write)\n");
        out.append(TextTable.render(headings, rows));
        for (String size : List.of("64", "4096")) {
            Optional<Measurement> floor = new Case(FLOOR, size, false).floor().find(measurements);
            out.append(FLOOR).append(' ').append(size).append(" B: ")
                    .append(floor.map(Format::score).orElse(Verdict.NOT_RUN.text())).append('\n');
        }
        return out.toString();
    }

    private static List<String> blockSizes(List<Measurement> measurements) {
        return measurements.stream()
                .filter(m -> !m.benchmark().equals(BENCH + FLOOR) && m.benchmark().startsWith(BENCH))
                .map(m -> m.params().get("blockSize"))
                .distinct()
                .sorted((a, b) -> Integer.compare(Integer.parseInt(a), Integer.parseInt(b)))
                .toList();
    }

    private static String cell(Optional<Measurement> measured, Optional<Measurement> floor) {
        if (measured.isEmpty()) {
            return Verdict.NOT_RUN.text();
        }
        String time = Format.number(measured.get().score());
        return floor.map(f -> time + " (" + Format.number(measured.get().score() / f.score()) + "x)").orElse(time);
    }
}
