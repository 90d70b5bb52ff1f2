package io.safemem.ffm;

import io.safemem.MemoryStatistics;
import io.safemem.VerificationLevel;
import io.safemem.ffm.RegionModel.Config;
import io.safemem.ffm.RegionModel.Harness;
import io.safemem.ffm.RegionModel.Origin;
import io.safemem.ffm.RegionModel.Shape;
import net.jqwik.api.Arbitraries;
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
 * Model-based (stateful) properties of {@link AtomicMemoryOps}, driven from one thread: the same
 * {@link RegionModel} chains and checks as {@link HandlerModelProperties} (contents against a
 * {@code byte[]} model, padding, counters, integrity, the checksum table against CRC32C of the
 * model), at every {@link VerificationLevel}, through atomic ops taken either from
 * {@code region.intoAtomicOps()} or from {@code handler.intoAtomicOps()} after some steps through
 * the handler.
 *
 * <p>The sampling replay is exact and per stream: the writer draws from stream 0 (continuing the
 * handler's sequence after a hand-over, since {@code SamplingGate.streamSeed(seed, 0) == seed}),
 * and the model's thread, the first to read through the ops, draws its reads and borrows from
 * stream 1; writes' partial edges draw from the writer's stream whichever thread writes. After
 * every step the lock word is free, the sequence even, and no read retried or locked.
 *
 * <ul>
 *   <li>{@link #atomicOpsFollowByteArrayModel}: atomic ops from the region, or a handler handed
 *       over mid-chain (possibly after a refused hand-over with a slice open);</li>
 *   <li>{@link #atomicSamplingIsDeterministic}: twin regions under atomic ops fed the same steps
 *       end with the same counters.</li>
 * </ul>
 */
@StatisticsReport(StatisticsReport.StatisticsReportMode.OFF)
class AtomicModelProperties {

    @Property(tries = 1200, shrinking = ShrinkingMode.FULL)
    void atomicOpsFollowByteArrayModel(@ForAll("anyLevel") Config cfg, @ForAll("origins") Origin origin,
                                       @ForAll("handOverChains") ActionChain<Harness> chain) {
        Harness end = RegionModel.run(new Shape(cfg, 1, origin), chain);
        RegionModel.collectCoverage(end);
        cover("handed over after >= 3 handler steps",
                origin == Origin.HANDLER_THEN_ATOMIC && end.stepsBeforeHandOver >= 3, 10);
        cover("reads on stream 1 drew at SAMPLING", end.gateDraws[1] > 1, 10);
        cover("writes on stream 0 drew at SAMPLING after a hand-over",
                end.handedOver && end.gateDraws[0] > 0 && end.cfg.level() == VerificationLevel.SAMPLING, 3);
    }

    @Property(tries = 300, shrinking = ShrinkingMode.FULL)
    void atomicSamplingIsDeterministic(@ForAll("mostlySampling") Config cfg,
                                       @ForAll("twinChains") ActionChain<Harness> chain) {
        Harness end = RegionModel.run(new Shape(cfg, 2, Origin.ATOMIC), chain);
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
    Arbitrary<Origin> origins() {
        return Arbitraries.of(Origin.ATOMIC, Origin.HANDLER_THEN_ATOMIC);
    }

    @Provide
    Arbitrary<ActionChain<Harness>> handOverChains() {
        return RegionModel.handOverChains(40);
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
    Arbitrary<Config> mostlySampling() {
        return RegionModel.mostlySampling();
    }
}
