package io.safemem.examples;

import io.safemem.VerificationLevel;
import io.safemem.ffm.FixedArena;

import java.util.ArrayList;
import java.util.List;

/**
 * The result of the demo's concurrent section: a report per verification level, in the order of
 * {@link VerificationLevel#values()}, and the expectations they break, if any.
 *
 * @param config the configuration that was run
 * @param levels one report per level
 */
record ConcurrentRun(ConcurrentConfig config, List<ConcurrentReport> levels) {

    /** Copies the list. */
    ConcurrentRun {
        levels = List.copyOf(levels);
    }

    /**
     * Runs the concurrent section: one shared {@link FixedArena}, one region per level carved from
     * it, the levels one after the other.
     *
     * @param config shape, seed, threads and counts
     * @return the reports
     */
    static ConcurrentRun execute(ConcurrentConfig config) {
        VerificationLevel[] all = VerificationLevel.values();
        List<ConcurrentReport> reports = new ArrayList<>(all.length);
        try (FixedArena arena = FixedArena.ofShared(all.length * config.shape().footprint())) {
            for (VerificationLevel level : all) {
                reports.add(new ConcurrentLevelRun(arena, config, level).run());
            }
        }
        return new ConcurrentRun(config, reports);
    }

    /**
     * The report of one level.
     *
     * @param level the level
     * @return its report
     */
    ConcurrentReport level(VerificationLevel level) {
        return levels.get(level.ordinal());
    }

    /**
     * The broken expectations, one sentence each; empty when the run is as it should be: no torn
     * read at any level, nothing laundered at a checked level, no false alarm, nothing corrupt
     * that no flip explains, and STANDARD and FULL detecting flips.
     *
     * @return the problems found, empty if none
     */
    List<String> problems() {
        List<String> problems = new ArrayList<>();
        for (ConcurrentReport r : levels) {
            String at = "concurrent " + r.level();
            FlipTally f = r.flips();
            if (r.failure() != null) {
                problems.add(at + " stopped early: " + r.failure());
            }
            if (f.injected() != config.flips()) {
                problems.add(at + " injected " + f.injected() + " of " + config.flips() + " flips");
            }
            if (r.tornReads() > 0) {
                problems.add(at + " served " + r.tornReads() + " TORN read(s); the first: " + r.firstTorn());
            }
            if (f.laundered() > 0) {
                problems.add(at + " LAUNDERED " + f.laundered() + " flip(s): corrupt bytes passed verification");
            }
            if (f.falseAlarms() > 0) {
                problems.add(at + " raised " + f.falseAlarms() + " false alarm(s) on blocks no flip touched; the first: "
                        + f.firstFalseAlarm());
            }
            if (f.unexplained() > 0) {
                problems.add(at + ": " + f.unexplained() + " block(s) no flip touched differ from what was written");
            }
            if (r.level().verifiesEveryBulkAccess() && f.detected() == 0) {
                problems.add(at + " detected none of " + f.injected() + " flips");
            }
            if (!r.checked() && f.detected() > 0) {
                problems.add(at + " claims to have detected " + f.detected() + " flips without checksums");
            }
            if (!r.sweepConsistent()) {
                problems.add(at + ": verifyIntegrity, findCorruptBlock and verified reads disagreed");
            }
        }
        return problems;
    }
}
