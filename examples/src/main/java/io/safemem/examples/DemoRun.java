package io.safemem.examples;

import io.safemem.VerificationLevel;
import io.safemem.ffm.FixedArena;

import java.util.ArrayList;
import java.util.List;

/**
 * The result of one demo run: a report per verification level, in the order of
 * {@link VerificationLevel#values()}, and the expectations they break, if any.
 *
 * @param config     the configuration that was run
 * @param arenaBytes the capacity of the one arena all regions were carved from
 * @param levels     one report per level
 */
record DemoRun(DemoConfig config, long arenaBytes, List<LevelReport> levels) {

    /** Copies the list. */
    DemoRun {
        levels = List.copyOf(levels);
    }

    /**
     * Runs the demo: one confined {@link FixedArena}, one region per level carved from it, each
     * region taken through the same writes, flips, reads and sweep. The write passes go round the
     * levels in turn, so that the JIT has seen every level before any pass is timed and
     * background noise spreads over all levels alike.
     *
     * @param config sizes, seed and counts
     * @return the reports
     */
    static DemoRun execute(DemoConfig config) {
        VerificationLevel[] all = VerificationLevel.values();
        long arenaBytes = all.length * config.shape().footprint();
        List<LevelReport> reports = new ArrayList<>(all.length);
        try (FixedArena arena = FixedArena.ofConfined(arenaBytes)) {
            List<LevelRun> runs = new ArrayList<>(all.length);
            for (VerificationLevel level : all) {
                runs.add(new LevelRun(arena, config, level));
            }
            for (int pass = 0; pass < config.warmupPasses(); pass++) {
                runs.forEach(LevelRun::warmUpPass);
            }
            for (int pass = 0; pass < config.timedPasses(); pass++) {
                runs.forEach(LevelRun::timedPass);
            }
            for (LevelRun run : runs) {
                reports.add(run.injectAndDetect());
            }
        }
        return new DemoRun(config, arenaBytes, reports);
    }

    /**
     * The report of one level.
     *
     * @param level the level
     * @return its report
     */
    LevelReport level(VerificationLevel level) {
        return levels.get(level.ordinal());
    }

    /**
     * The broken expectations, one sentence each; empty when the run is as it should be. The
     * first and most important: no checked level may launder a flip.
     *
     * @return the problems found, empty if none
     */
    List<String> problems() {
        List<String> problems = new ArrayList<>();
        for (LevelReport r : levels) {
            if (r.laundered() > 0) {
                problems.add(r.level() + " LAUNDERED " + r.laundered() + " corrupt block(s): their bytes differ from"
                        + " what was written, yet they pass verification");
            }
            if (r.falseAlarms() > 0) {
                problems.add(r.level() + " raised " + r.falseAlarms() + " false alarm(s) on blocks no flip touched");
            }
            if (r.level().verifiesEveryBulkAccess() && r.detected() < r.flipsInjected()) {
                problems.add(r.level() + " detected only " + r.detected() + " of " + r.flipsInjected() + " flips");
            }
            if (r.level().verifiesEveryBulkAccess() && r.corruptReadsServed() > 0) {
                problems.add(r.level() + " handed out " + r.corruptReadsServed() + " corrupt record(s) from verified reads");
            }
            if (!r.checked() && r.detected() > 0) {
                problems.add(r.level() + " claims to have detected " + r.detected() + " flips without checksums");
            }
            if (!r.sweepConsistent()) {
                problems.add(r.level() + ": verifyIntegrity, findCorruptBlock and verified reads disagreed");
            }
        }
        return problems;
    }
}
