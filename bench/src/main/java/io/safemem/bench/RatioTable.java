package io.safemem.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * A titled list of {@link Target}s, evaluated against a run's measurements and printed one row per
 * target. {@link #standard()} holds safemem's performance targets; {@link #protocolFloor()} and
 * {@link #copyFill()} are informational comparisons with {@link ProtocolFloorBench} and
 * {@link CopyFillBench}.
 *
 * @param title   the line printed above the table
 * @param targets the rows, in order
 */
record RatioTable(String title, List<Target> targets) {

    private static final String WRITE = "AtomicWriteBench.";
    private static final String CONTENDED = "ContendedBench.";
    private static final String COPY_FILL = "CopyFillBench.";
    private static final String PROTOCOL = "ProtocolFloorBench.";
    private static final String REGION = "65536";
    private static final String HUGE_REGION = "1073741824";
    private static final String STANDARD = "STANDARD";

    /**
     * Copies the targets.
     *
     * @param title   as above
     * @param targets as above
     */
    RatioTable {
        targets = List.copyOf(targets);
    }

    /**
     * safemem's performance targets, at regionSize 65536 unless a row says otherwise.
     *
     * @return the table
     */
    static RatioTable standard() {
        List<Target> rows = new ArrayList<>();
        for (String size : List.of("64", "4096")) {
            rows.add(new RatioTarget("atomicWrite STANDARD " + size + " B / rawCopyCrc",
                    write("atomicWrite", STANDARD, size, REGION), floor("rawCopyCrc", size, REGION), Bound.atMost(1.5)));
        }
        rows.add(new RatioTarget("atomicWrite FULL 4096 B / rawCopyCrc",
                write("atomicWrite", "FULL", "4096", REGION), floor("rawCopyCrc", "4096", REGION), Bound.atMost(2.2)));
        for (String size : List.of("64", "4096", "65536")) {
            rows.add(new RatioTarget("atomicWrite OFF " + size + " B / rawCopy",
                    write("atomicWrite", "OFF", size, REGION), floor("rawCopy", size, REGION), Bound.atMost(1.2)));
        }
        rows.add(new RatioTarget("atomicWriteUnaligned STANDARD 64 B / rawCopyCrc",
                write("atomicWriteUnaligned", STANDARD, "64", REGION), floor("rawCopyCrc", "64", REGION),
                Bound.atMost(3)));
        rows.add(new RatioTarget("atomicWrite STANDARD 64 B, 1 GiB region / 64 KiB region",
                write("atomicWrite", STANDARD, "64", HUGE_REGION), write("atomicWrite", STANDARD, "64", REGION),
                Bound.atMost(1.2)));
        rows.add(new RatioTarget("fullRecompute 64 B / atomicWrite STANDARD 64 B, 1 GiB region",
                floor("fullRecompute", "64", HUGE_REGION), write("atomicWrite", STANDARD, "64", HUGE_REGION),
                Bound.atLeast(10_000)));
        rows.add(new RatioTarget("optimisticRead STANDARD 64 B / rawCopyCrc",
                write("optimisticRead", STANDARD, "64", REGION), floor("rawCopyCrc", "64", REGION), Bound.atMost(2)));
        addContended(rows, "64", Bound.atLeast(1.0));
        addContended(rows, "4096", Bound.none());
        rows.add(new AllocationTarget(0.1));
        return new RatioTable("Targets (regionSize 65536 unless said; throughput ratios: higher is better)", rows);
    }

    /**
     * {@link ProtocolFloorBench} against the JDK floor, and the library against it: how much of a
     * ratio to {@code rawCopyCrc} the protocol alone costs through the FFM API, and how much the
     * library adds on top; no targets.
     *
     * @return the table
     */
    static RatioTable protocolFloor() {
        List<Target> rows = new ArrayList<>();
        for (String size : List.of("64", "4096")) {
            Selector write = Selector.of(PROTOCOL + "protocolWrite", "size", size);
            Selector read = Selector.of(PROTOCOL + "protocolRead", "size", size);
            Selector jdkFloor = floor("rawCopyCrc", size, REGION);
            rows.add(new RatioTarget("protocolWrite " + size + " B / rawCopyCrc", write, jdkFloor, Bound.none()));
            rows.add(new RatioTarget("atomicWrite STANDARD " + size + " B / protocolWrite",
                    write("atomicWrite", STANDARD, size, REGION), write, Bound.none()));
            rows.add(new RatioTarget("protocolRead " + size + " B / rawCopyCrc", read, jdkFloor, Bound.none()));
            rows.add(new RatioTarget("optimisticRead STANDARD " + size + " B / protocolRead",
                    write("optimisticRead", STANDARD, size, REGION), read, Bound.none()));
        }
        return new RatioTable("The protocol floor: ProtocolFloorBench, 64-byte blocks (information, no targets)", rows);
    }

    /**
     * {@link CopyFillBench} at each level against its baselines; no targets.
     *
     * @return the table
     */
    static RatioTable copyFill() {
        List<Target> rows = new ArrayList<>();
        for (String level : List.of("OFF", STANDARD, "FULL")) {
            Selector copy = Selector.of(COPY_FILL + "atomicCopyWithin", "level", level);
            Selector fill = Selector.of(COPY_FILL + "atomicFill", "level", level);
            rows.add(new RatioTarget("atomicCopyWithin " + level + " / rawCopy", copy,
                    Selector.of(COPY_FILL + "rawCopy"), Bound.none()));
            rows.add(new RatioTarget("atomicCopyWithin " + level + " / agronaPutBytes", copy,
                    Selector.of(COPY_FILL + "agronaPutBytes"), Bound.none()));
            rows.add(new RatioTarget("atomicFill " + level + " / agronaSetMemory", fill,
                    Selector.of(COPY_FILL + "agronaSetMemory"), Bound.none()));
        }
        return new RatioTable("CopyFillBench, 4096 B in a 1 MiB region (information, no targets)", rows);
    }

    /**
     * Evaluates every target.
     *
     * @param measurements what was measured
     * @return one row per target, in order
     */
    List<Row> rows(List<Measurement> measurements) {
        return targets.stream().map(target -> target.evaluate(measurements)).toList();
    }

    /**
     * The title and the table.
     *
     * @param measurements what was measured
     * @return the printed form
     */
    String render(List<Measurement> measurements) {
        return title + "\n" + TextTable.render(Row.HEADINGS, rows(measurements).stream().map(Row::cells).toList());
    }

    private static void addContended(List<Target> rows, String size, Bound bound) {
        String records = size + " B: ";
        rows.add(new RatioTarget("2 writers, " + records + "safememWriters / reentrantLockWriters",
                safemem("safememWriters", size), baseline("reentrantLockWriters", size), bound));
        rows.add(new RatioTarget("2 writers, " + records + "safememWriters / synchronizedWriters",
                safemem("safememWriters", size), baseline("synchronizedWriters", size), Bound.none()));
        rows.add(new RatioTarget("1 writer + 1 reader, " + records + "safemem reader / stampedLock reader",
                safemem("safememReadWrite:safememReader", size),
                baseline("stampedLockReadWrite:stampedLockReader", size), bound));
        rows.add(new RatioTarget("1 writer + 1 reader, " + records + "safemem writer / stampedLock writer",
                safemem("safememReadWrite:safememWriter", size),
                baseline("stampedLockReadWrite:stampedLockWriter", size), Bound.none()));
    }

    private static Selector write(String method, String level, String size, String regionSize) {
        return Selector.of(WRITE + method, "level", level, "size", size, "regionSize", regionSize);
    }

    private static Selector floor(String method, String size, String regionSize) {
        return Selector.of(WRITE + method, "size", size, "regionSize", regionSize);
    }

    private static Selector safemem(String benchmark, String size) {
        return Selector.of(CONTENDED + benchmark, "size", size, "level", STANDARD);
    }

    private static Selector baseline(String benchmark, String size) {
        return Selector.of(CONTENDED + benchmark, "size", size);
    }
}
