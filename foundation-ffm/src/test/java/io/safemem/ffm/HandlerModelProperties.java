package io.safemem.ffm;

import io.safemem.MemoryStatistics;
import io.safemem.VerificationLevel;
import io.safemem.ffm.RegionModel.Config;
import io.safemem.ffm.RegionModel.Harness;
import io.safemem.ffm.RegionModel.Origin;
import io.safemem.ffm.RegionModel.Shape;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.state.ActionChain;
import net.jqwik.api.statistics.StatisticsReport;

import static io.safemem.ffm.RegionModel.cover;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Model-based (stateful) properties of {@link SafeMemoryHandler}: the {@link RegionModel} chains
 * (reads, writes, copies, fills, slices and scalar accesses against a {@code byte[]} model, checked
 * after every step) run through the region's handler.
 *
 * <ul>
 *   <li>{@link #handlerFollowsByteArrayModel}: one region at a fixed level;</li>
 *   <li>{@link #levelChangesKeepContentsAndRebuildChecksums}: the same steps plus
 *       {@code setVerificationLevel}, mostly starting at {@code OFF};</li>
 *   <li>{@link #samplingIsDeterministic}: two regions of the same shape, seed and rate fed the
 *       same steps end with the same counters.</li>
 * </ul>
 *
 * <p>{@link AtomicModelProperties} runs the same chains through {@link AtomicMemoryOps}.
 * Shrinking is unbounded ({@link ShrinkingMode#FULL}).
 */
@StatisticsReport(StatisticsReport.StatisticsReportMode.OFF)
class HandlerModelProperties {

    @Property(tries = 2000, shrinking = ShrinkingMode.FULL)
    void handlerFollowsByteArrayModel(@ForAll("anyLevel") Config cfg,
                                      @ForAll("modelChains") ActionChain<Harness> chain) {
        Harness end = RegionModel.run(new Shape(cfg, 1, Origin.HANDLER), chain);
        RegionModel.collectCoverage(end);
    }

    @Property(tries = 1000, shrinking = ShrinkingMode.FULL)
    void levelChangesKeepContentsAndRebuildChecksums(@ForAll("mostlyOff") Config cfg,
                                                     @ForAll("levelChangeChains") ActionChain<Harness> chain) {
        Harness end = RegionModel.run(new Shape(cfg, 1, Origin.HANDLER), chain);
        cover("OFF -> checked rebuilt stale checksums", end.rebuiltStale, 30);
        cover("switch between checked levels", end.checkedToChecked, 30);
    }

    @Property(tries = 800, shrinking = ShrinkingMode.FULL)
    void samplingIsDeterministic(@ForAll("mostlySampling") Config cfg,
                                 @ForAll("twinChains") ActionChain<Harness> chain) {
        Harness end = RegionModel.run(new Shape(cfg, 2, Origin.HANDLER), chain);
        MemoryStatistics a = end.regions[0].statistics();
        MemoryStatistics b = end.regions[1].statistics();
        assertEquals(a.sampledSkips(), b.sampledSkips(), "sampledSkips of twins with the same seed and rate");
        assertEquals(a.verifications(), b.verifications(), "verifications of twins with the same seed and rate");
        if (cfg.level() != VerificationLevel.SAMPLING || cfg.rate() == 1.0) {
            assertEquals(0, a.sampledSkips(), "no skips at " + cfg.level() + ", rate " + cfg.rate());
        }
        cover("SAMPLING run with skips", cfg.level() == VerificationLevel.SAMPLING && a.sampledSkips() > 0, 15);
    }

    @Provide
    Arbitrary<ActionChain<Harness>> modelChains() {
        return RegionModel.modelChains(40);
    }

    @Provide
    Arbitrary<ActionChain<Harness>> levelChangeChains() {
        return RegionModel.levelChangeChains(50);
    }

    @Provide
    Arbitrary<ActionChain<Harness>> twinChains() {
        return RegionModel.modelChains(30);
    }

    @Provide
    Arbitrary<Config> anyLevel() {
        return RegionModel.anyLevel();
    }

    @Provide
    Arbitrary<Config> mostlyOff() {
        return RegionModel.mostlyOff();
    }

    @Provide
    Arbitrary<Config> mostlySampling() {
        return RegionModel.mostlySampling();
    }
}
