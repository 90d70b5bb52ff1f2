package io.safemem.examples;

import io.safemem.VerificationLevel;

import java.io.PrintStream;
import java.util.List;

import static io.safemem.examples.CorruptionDemo.line;
import static io.safemem.examples.CorruptionDemo.percent;

/** Prints the demo's concurrent section: what it does, a table per level, footnotes and its verdict. */
final class ConcurrentSection {

    private ConcurrentSection() {
    }

    /**
     * Prints the section.
     *
     * @param run the concurrent run
     * @param out where to print
     */
    static void print(ConcurrentRun run, PrintStream out) {
        ConcurrentConfig c = run.config();
        RegionShape shape = c.shape();
        line(out, "Concurrent section: at each level, %d writer and %d reader threads share one AtomicMemoryOps over",
                c.writers(), c.readers());
        line(out, "a %d KiB region of %d records in %d-byte blocks. Record i belongs to writer i %% %d, so every block",
                shape.regionBytes() >> 10, shape.records(), shape.blockSize(), c.writers());
        line(out, "is rewritten by all writers; readers read random records (1 in %d through a borrowed slice) and",
                c.sliceEvery());
        line(out, "check each for tearing. A flipper thread injects %d bit flips (seed %d) while they run, each into",
                c.flips(), c.seed());
        line(out, "the block of the record a writer has just announced, in turn: another record of the block, that");
        line(out, "record, the block's checksum. Blocks reported corrupt are left alone from then on.");
        out.println();
        printLevels(run, out);
        out.println();
        printFootnotes(run, out);
        out.println();
        List<String> problems = run.problems();
        if (problems.isEmpty()) {
            line(out, "OK: no torn read at any level, no checked level laundered a flip, no false alarms; STANDARD and");
            line(out, "FULL detected %d and %d of %d flips.", run.level(VerificationLevel.STANDARD).flips().detected(),
                    run.level(VerificationLevel.FULL).flips().detected(), c.flips());
        }
        for (String problem : problems) {
            line(out, "!!!!! FAILED: %s !!!!!", problem);
        }
    }

    private static void printLevels(ConcurrentRun run, PrintStream out) {
        TextTable table = new TextTable(out, " ", 9, 6, 12, 10, 9, 7, 10, 13, 5, 8, 7, 8);
        table.header("level", "flips", "detected", "on access", "by sweep", "healed", "laundered", "false alarms",
                "torn", "retries", "locked", "ops");
        for (ConcurrentReport r : run.levels()) {
            FlipTally f = r.flips();
            String detected = f.detected() + " (" + percent(f.detected(), f.injected()) + "%)";
            String laundered = r.checked() ? Integer.toString(f.laundered()) : "n/a";
            table.row(r.level(), f.injected(), detected, f.detectedOnAccess(), f.detectedBySweep(), f.healed(),
                    laundered, f.falseAlarms(), r.tornReads(), r.readRetries(), r.lockedReads(), r.ops());
        }
    }

    private static void printFootnotes(ConcurrentRun run, PrintStream out) {
        ConcurrentReport off = run.level(VerificationLevel.OFF);
        ConcurrentReport sampling = run.level(VerificationLevel.SAMPLING);
        line(out, "* detected: reported by a read or write (IntegrityException; a refused write changes nothing) or");
        line(out, "  by the final findCorruptBlock sweep. Each flip has a block of its own and is counted once.");
        line(out, "* healed: left no corrupt byte and no report. At a checked level the flip hit bytes or a checksum");
        line(out, "  that the write in progress had just verified and was about to replace; at OFF, a later write");
        line(out, "  covered it (checksum flips: OFF never uses them). Healed per place (other record/same/checksum):");
        line(out, "  %s.", healedByKind(run));
        line(out, "* laundered: corrupt bytes, measured against each writer's model of what it wrote, that passed the");
        line(out, "  final sweep, or that a verified read served (must be 0). false alarms: reports on blocks no flip");
        line(out, "  touched. torn: records read that are the bytes of no single write, even allowing for the flipped");
        line(out, "  byte, checked at every level: it is the seqlock, not the checksum, that keeps reads whole.");
        line(out, "* retries: optimistic reads that started again because a write ran while they copied; locked:");
        line(out, "  reads that gave up retrying and read under the shared lock (MemoryStatistics of each region).");
        line(out, "  A read that falls back goes in before the next writer; the slowest read below is wall clock,");
        line(out, "  so it includes any time its thread was not running (here 5 busy threads share the machine).");
        line(out, "* ops: writes (each writer at least %,d, on until all flips are in) plus reads, per level:",
                run.config().writesPerWriter());
        for (ConcurrentReport r : run.levels()) {
            line(out, "  %-8s %,9d writes (%d refused), %,9d reads (%,d through slices) in %,d ms; slowest read %.1f ms",
                    r.level(), r.writes(), r.refusedWrites(), r.reads(), r.sliceReads(), r.elapsedNanos() / 1_000_000,
                    r.slowestReadNanos() / 1e6);
        }
        line(out, "* OFF verifies nothing: %d flip(s) left corrupt bytes that nothing noticed, and readers were served",
                off.flips().unnoticed());
        line(out, "  %d corrupt record(s). SAMPLING readers were served %d corrupt record(s) by unsampled reads.",
                off.corruptServed(), sampling.corruptServed());
    }

    private static String healedByKind(ConcurrentRun run) {
        StringBuilder s = new StringBuilder();
        for (ConcurrentReport r : run.levels()) {
            s.append(s.isEmpty() ? "" : ", ").append(r.level()).append(' ');
            for (FaultKind kind : FaultKind.BEFORE_WRITE) {
                s.append(kind == FaultKind.BEFORE_WRITE[0] ? "" : "/").append(r.flips().healedByKind().get(kind));
            }
        }
        return s.toString();
    }
}
