package io.safemem.examples;

import io.safemem.VerificationLevel;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/**
 * The first program to run: shows, at each {@link VerificationLevel}, which injected bit flips
 * safemem detects, when, and at what cost per write, and checks that no checked level lets
 * corrupt data pass verification.
 *
 * <p>Run it with {@code mvn -Pdemo package -DskipTests}. It exits with status 1, after a loud
 * line, if any expectation is broken, above all if a checked level launders a flip.
 */
public final class CorruptionDemo {

    private CorruptionDemo() {
    }

    /**
     * Runs the demo with its standard configuration, then its concurrent section, prints the
     * results and exits with status 1 if any expectation was broken.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        DemoRun run = DemoRun.execute(DemoConfig.standard());
        print(run, System.out);
        System.out.println();
        ConcurrentRun concurrent = ConcurrentRun.execute(ConcurrentConfig.standard());
        ConcurrentSection.print(concurrent, System.out);
        if (!run.problems().isEmpty() || !concurrent.problems().isEmpty()) {
            System.out.flush();
            System.exit(1);
        }
    }

    /**
     * Prints the header, the tables, the footnotes and the verdict of a run.
     *
     * @param run the run
     * @param out where to print
     */
    static void print(DemoRun run, PrintStream out) {
        DemoConfig c = run.config();
        RegionShape shape = c.shape();
        line(out, "safemem corruption demo: one FixedArena of %.1f MiB holds a %d KiB CheckedRegion per verification",
                run.arenaBytes() / (double) (1 << 20), shape.regionBytes() >> 10);
        line(out, "level: %d order records of %d bytes, in %d-byte blocks that each carry a CRC32C. The same %d bit",
                shape.records(), OrderRecord.SIZE, shape.blockSize(), c.totalFlips());
        line(out, "flips (seed %d) hit every region: in data, in checksums, and right before a partial write into the",
                c.seed());
        line(out, "flipped block, where a write that re-checksummed the block from memory would launder the flip.");
        out.println();
        printLevels(run, out);
        out.println();
        printKinds(run, out);
        out.println();
        printFootnotes(run, out);
        out.println();
        List<String> problems = run.problems();
        if (problems.isEmpty()) {
            line(out, "OK: no checked level laundered a flip, STANDARD and FULL detected every flip, no false alarms.");
        }
        for (String problem : problems) {
            line(out, "!!!!! FAILED: %s !!!!!", problem);
        }
    }

    private static void printLevels(DemoRun run, PrintStream out) {
        TextTable table = new TextTable(out, " ", 9, 6, 12, 10, 9, 10, 13, 9);
        table.header("level", "flips", "detected", "on access", "by sweep", "laundered", "false alarms", "ns/write");
        for (LevelReport r : run.levels()) {
            String detected = r.detected() + " (" + percent(r.detected(), r.flipsInjected()) + "%)";
            String laundered = r.checked() ? Integer.toString(r.laundered()) : "n/a";
            String nanos = String.format(Locale.ROOT, "%.1f", r.nsPerWrite());
            table.row(r.level(), r.flipsInjected(), detected, r.detectedOnAccess(), r.detectedBySweep(), laundered,
                    r.falseAlarms(), nanos);
        }
    }

    private static void printKinds(DemoRun run, PrintStream out) {
        line(out, "Detected per place of the flip (detected/injected):");
        FaultKind[] kinds = FaultKind.values();
        int[] widths = new int[kinds.length + 1];
        Object[] titles = new Object[kinds.length + 1];
        widths[0] = 9;
        titles[0] = "level";
        for (FaultKind kind : kinds) {
            widths[kind.ordinal() + 1] = kind.label().length();
            titles[kind.ordinal() + 1] = kind.label();
        }
        TextTable table = new TextTable(out, "  ", widths);
        table.row(titles);
        for (LevelReport r : run.levels()) {
            Object[] cells = new Object[kinds.length + 1];
            cells[0] = r.level();
            for (FaultKind kind : kinds) {
                cells[kind.ordinal() + 1] = r.detectedByKind().get(kind) + "/" + r.injectedByKind().get(kind);
            }
            table.row(cells);
        }
    }

    private static void printFootnotes(DemoRun run, PrintStream out) {
        DemoConfig c = run.config();
        LevelReport off = run.level(VerificationLevel.OFF);
        LevelReport sampling = run.level(VerificationLevel.SAMPLING);
        LevelReport standard = run.level(VerificationLevel.STANDARD);
        line(out, "* on access: a read or write threw IntegrityException naming the block (a partial write into a corrupt");
        line(out, "  block is refused and changes nothing); by sweep: found afterwards by verifyIntegrity/findCorruptBlock.");
        line(out, "  Each flip has a block of its own and is counted once, at its first report.");
        line(out, "* laundered: blocks whose bytes differ from what was written, yet pass verification (must be 0).");
        line(out, "  false alarms: blocks reported corrupt that no flip touched (should be 0).");
        line(out, "* OFF keeps no checksums and cannot detect anything: %d block(s) now hold corrupt data that nothing",
                off.undetectedCorruptBlocks());
        line(out, "  noticed; %d flip(s) hit checksums, which OFF never reads; %d were overwritten by the write after them.",
                off.undetectedInChecksums(), off.undetectedOverwritten());
        line(out, "* SAMPLING verifies a seeded %.0f%% of reads and partial-write merges. An unverified merge derives the",
                c.shape().samplingRate() * 100);
        line(out, "  new checksum from the old one and the change, so the flip stays detectable. The price of sampling:");
        line(out, "  %d record read(s) skipped verification and returned corrupt bytes (STANDARD: %d, FULL: %d).",
                sampling.corruptReadsServed(), standard.corruptReadsServed(),
                run.level(VerificationLevel.FULL).corruptReadsServed());
        line(out, "* ns/write: mean of %d timed writes of one %d-byte record (encode, handler.write, model copy) per",
                run.levels().get(0).timedWrites(), OrderRecord.SIZE);
        line(out, "  level after %d warm-up writes per level, passes taking the levels in turn; System.nanoTime,",
                (long) c.warmupPasses() * c.shape().records());
        line(out, "  indicative only, not a benchmark.");
        line(out, "  Heap allocated per timed write (the demo's own loop reuses one array and allocates nothing):");
        line(out, "  %s.", heapSummary(run));
        if (run.levels().stream().anyMatch(r -> r.heapBytesPerWrite() >= 1)) {
            line(out, "  WARNING: the write path allocated on the heap; invariant I4 (zero garbage) expects 0 B/write.");
        }
        if (standard.firstAlarm() != null) {
            line(out, "* the first alarm at STANDARD came from %s", standard.firstAlarm().replaceFirst(": ", ":\n    "));
        }
    }

    private static String heapSummary(DemoRun run) {
        StringBuilder s = new StringBuilder();
        for (LevelReport r : run.levels()) {
            double perWrite = r.heapBytesPerWrite();
            s.append(s.isEmpty() ? "" : ", ").append(r.level()).append(' ')
                    .append(perWrite < 0 ? "unknown" : String.format(Locale.ROOT, "%.1f B", perWrite));
        }
        return s.toString();
    }

    /**
     * Prints one line, formatted with {@link Locale#ROOT}.
     *
     * @param out    where to print
     * @param format a {@link java.util.Formatter} format
     * @param args   its arguments
     */
    static void line(PrintStream out, String format, Object... args) {
        out.println(String.format(Locale.ROOT, format, args));
    }

    /**
     * A share in whole percent.
     *
     * @param part  the part
     * @param whole the whole
     * @return {@code part} in percent of {@code whole}, rounded; 100 if {@code whole} is 0
     */
    static long percent(long part, long whole) {
        return whole == 0 ? 100 : Math.round(100.0 * part / whole);
    }
}
