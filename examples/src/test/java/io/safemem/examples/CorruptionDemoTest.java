package io.safemem.examples;

import io.safemem.VerificationLevel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs the demo's core ({@link DemoRun#execute(DemoConfig)}, no {@code System.exit}) on small
 * regions and holds it to its promises: nothing laundered at a checked level, every flip detected
 * at every checked level (SAMPLING may skip a merge, but the flip stays detectable), nothing
 * detected at OFF, no false alarms. Then its concurrent section
 * ({@link ConcurrentRun#execute(ConcurrentConfig)}): no torn read at any level, nothing laundered
 * at a checked level, no false alarms, every flip accounted for, and flips detected at STANDARD
 * and FULL (not all: a flip into bytes the write in progress replaces is healed).
 */
class CorruptionDemoTest {

    /** 64 KiB regions: 256 blocks of 256 bytes, 21 flips. */
    private static DemoConfig small(long seed, int blockSize, double samplingRate) {
        return new DemoConfig(new RegionShape(64 << 10, blockSize, samplingRate), seed, 1, 1, 6, 6, 9);
    }

    @ParameterizedTest(name = "seed {0}, block size {1}, sampling rate {2}")
    @CsvSource({
            "42, 256, 0.25",
            "1, 256, 0.1",
            "7, 128, 0.5",
            "2024, 512, 0.05",
            "99, 1024, 1.0"
    })
    void everyCheckedLevelDetectsEveryFlipAndLaundersNone(long seed, int blockSize, double samplingRate) {
        DemoConfig config = small(seed, blockSize, samplingRate);
        DemoRun run = DemoRun.execute(config);

        assertEquals(VerificationLevel.values().length, run.levels().size());
        for (LevelReport r : run.levels()) {
            String at = r.level() + ": ";
            assertAll(at + r,
                    () -> assertEquals(config.totalFlips(), r.flipsInjected(), at + "flips injected"),
                    () -> assertEquals(0, r.falseAlarms(), at + "false alarms"),
                    () -> assertTrue(r.sweepConsistent(), at + "sweep consistent"),
                    () -> assertEquals(config.shape().records(), r.timedWrites(), at + "timed writes"));
            if (r.checked()) {
                assertAll(at + r,
                        () -> assertEquals(0, r.laundered(), at + "laundered"),
                        () -> assertEquals(0, r.undetectedCorruptBlocks(), at + "corrupt blocks passing verification"),
                        () -> assertEquals(r.flipsInjected(), r.detected(), at + "flips detected"),
                        () -> assertEquals(0, r.undetectedInChecksums() + r.undetectedOverwritten(),
                                at + "flips neither detected nor laundered"));
            }
        }

        LevelReport standard = run.level(VerificationLevel.STANDARD);
        LevelReport full = run.level(VerificationLevel.FULL);
        assertAll(
                () -> assertEquals(1.0, detectionRate(standard), "STANDARD detection"),
                () -> assertEquals(1.0, detectionRate(full), "FULL detection"),
                () -> assertEquals(0, standard.corruptReadsServed(), "STANDARD served corrupt reads"),
                () -> assertEquals(0, full.corruptReadsServed(), "FULL served corrupt reads"),
                // every pre-write flip makes the write into its block fail at once
                () -> assertTrue(standard.detectedOnAccess() >= config.flipsBeforeWrite(), "STANDARD on access"));

        LevelReport off = run.level(VerificationLevel.OFF);
        assertAll("OFF: " + off,
                () -> assertEquals(0, off.detected(), "OFF detected"),
                () -> assertEquals(0, off.detectedOnAccess() + off.detectedBySweep(), "OFF reports"),
                () -> assertEquals(0, off.laundered(), "OFF verifies nothing, so it launders nothing"),
                () -> assertEquals(off.flipsInjected(),
                        off.undetectedCorruptBlocks() + off.undetectedInChecksums() + off.undetectedOverwritten(),
                        "every OFF flip is accounted for"),
                () -> assertTrue(off.undetectedCorruptBlocks() >= config.dataFlipsAtRest(),
                        "data flips at rest stay in OFF's data unnoticed"));

        assertTrue(run.problems().isEmpty(), () -> "problems: " + run.problems());
    }

    @Test
    void printsOneRowPerLevelAndTheVerdict() {
        DemoRun run = DemoRun.execute(small(42, 256, 0.25));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            CorruptionDemo.print(run, out);
        }
        String text = bytes.toString(StandardCharsets.UTF_8);
        for (VerificationLevel level : VerificationLevel.values()) {
            assertTrue(text.lines().anyMatch(line -> line.startsWith(level.name() + " ")), () -> level + " row in\n" + text);
        }
        assertTrue(text.contains("\nOK: "), () -> "verdict in\n" + text);
        assertTrue(text.lines().anyMatch(line -> line.startsWith("OFF") && line.contains("n/a")),
                () -> "OFF shows laundered as n/a in\n" + text);
    }

    /** 32 KiB regions of {@code blockSize}-byte blocks, 2 writers and 2 readers, 24 flips. */
    private static ConcurrentConfig smallConcurrent(long seed, int blockSize, double samplingRate) {
        return new ConcurrentConfig(new RegionShape(32 << 10, blockSize, samplingRate), seed, 2, 2, 20_000, 24, 8,
                Duration.ofSeconds(30));
    }

    @ParameterizedTest(name = "seed {0}, block size {1}, sampling rate {2}")
    @CsvSource({
            "42, 256, 0.25",
            "7, 128, 0.5",
            "2024, 512, 0.1"
    })
    void concurrentReadersNeverSeeTornRecordsAndCheckedLevelsLaunderNothing(long seed, int blockSize,
                                                                            double samplingRate) {
        ConcurrentConfig config = smallConcurrent(seed, blockSize, samplingRate);
        ConcurrentRun run = ConcurrentRun.execute(config);

        assertEquals(VerificationLevel.values().length, run.levels().size());
        for (ConcurrentReport r : run.levels()) {
            FlipTally f = r.flips();
            String at = r.level() + ": ";
            assertAll(at + r,
                    () -> assertNull(r.failure(), at + "stopped early"),
                    () -> assertEquals(config.flips(), f.injected(), at + "flips injected"),
                    () -> assertEquals(0, r.tornReads(), at + "torn reads: " + r.firstTorn()),
                    () -> assertEquals(0, f.falseAlarms(), at + "false alarms: " + f.firstFalseAlarm()),
                    () -> assertEquals(0, f.unexplained(), at + "corrupt blocks no flip touched"),
                    () -> assertTrue(r.sweepConsistent(), at + "sweep consistent"),
                    () -> assertTrue(r.writes() >= (long) config.writers() * config.writesPerWriter(), at + "writes"),
                    () -> assertTrue(r.reads() > 0, at + "reads"),
                    () -> assertEquals(f.injected(), f.detected() + f.healed() + f.laundered() + f.unnoticed(),
                            at + "every flip accounted for once"));
            if (r.checked()) {
                assertAll(at + r,
                        () -> assertEquals(0, f.laundered(), at + "laundered"),
                        () -> assertEquals(0, f.unnoticed(), at + "corrupt bytes left unreported"));
            } else {
                assertEquals(0, f.detected(), at + "OFF detected flips without checksums");
            }
        }
        assertAll(
                () -> assertTrue(run.level(VerificationLevel.STANDARD).flips().detected() > 0, "STANDARD detected"),
                () -> assertTrue(run.level(VerificationLevel.FULL).flips().detected() > 0, "FULL detected"),
                () -> assertTrue(run.problems().isEmpty(), () -> "problems: " + run.problems()));
    }

    @Test
    void printsTheConcurrentSectionWithOneRowPerLevelAndItsVerdict() {
        ConcurrentRun run = ConcurrentRun.execute(smallConcurrent(42, 256, 0.25));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            ConcurrentSection.print(run, out);
        }
        String text = bytes.toString(StandardCharsets.UTF_8);
        for (VerificationLevel level : VerificationLevel.values()) {
            assertTrue(text.lines().anyMatch(line -> line.startsWith(level.name() + " ")), () -> level + " row in\n" + text);
        }
        assertTrue(text.contains("torn") && text.contains("retries") && text.contains("locked"), () -> "columns in\n" + text);
        assertTrue(text.contains("\nOK: no torn read"), () -> "verdict in\n" + text);
    }

    private static double detectionRate(LevelReport r) {
        return (double) r.detected() / r.flipsInjected();
    }
}
