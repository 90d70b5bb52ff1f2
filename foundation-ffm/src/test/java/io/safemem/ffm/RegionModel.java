package io.safemem.ffm;

import io.safemem.ErrorCode;
import io.safemem.MemoryStatistics;
import io.safemem.SafeMemoryException;
import io.safemem.Slice;
import io.safemem.StateException;
import io.safemem.VerificationLevel;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.Tuple;
import net.jqwik.api.Tuple.Tuple2;
import net.jqwik.api.state.Action;
import net.jqwik.api.state.ActionChain;
import net.jqwik.api.state.ActionChainArbitrary;
import net.jqwik.api.state.Transformer;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.statistics.StatisticsCoverage;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.zip.CRC32C;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The model behind {@link HandlerModelProperties} and {@link AtomicModelProperties}: random chains
 * of reads, writes, copies, fills, slices and scalar accesses run against one or two real regions,
 * through a {@link ModelTarget} (a {@link SafeMemoryHandler} or an {@link AtomicMemoryOps}), and
 * against a plain {@code byte[]} model, on randomly shaped regions (every level, block sizes
 * 16..4096, capacities 1..200 000 that are mostly not a multiple of the block size, any sampling
 * rate and seed), with offsets and lengths biased toward block edges and toward the engine's
 * 16 KiB staging size, so that the chunked paths run. Both properties run the same steps and the
 * same checks; only the target differs.
 *
 * <p>After every step: each region's bytes equal the model (and its padding after the capacity is
 * still zero), {@code writes()} and {@code bytesWritten()} match the model's count, no integrity
 * failure was counted, {@code verifyIntegrity()} / {@code findCorruptBlock(0)} find nothing,
 * {@code sampledSkips()} equals a replay of the sampling decisions drawn so far (per stream:
 * stream 0 for the handler and the writer of atomic ops, stream 1 for the reads of the first
 * thread reading through atomic ops), the region's lock word is free, its sequence word even, and
 * single-threaded reads neither retried nor locked. At the end: a whole-region read through the
 * API, the stored checksum table against CRC32C computed from the model, and the skips against
 * fresh {@link SamplingGate}s replaying as many decisions per stream as the steps asked for.
 * Statistics are used only as coverage guards (not printed): a run that stops reaching the
 * interesting cases fails.
 *
 * <p>Shrinking is unbounded at the properties: a failure is reported as a chain of a few steps;
 * the final state in the report lists them with offsets and lengths resolved.
 */
final class RegionModel {

    /** The engine's staging size: longer bulk operations run the chunked paths. */
    static final int STAGING = 16 * 1024;
    private static final int[] BLOCK_SIZES = {16, 32, 64, 128, 256, 1024, 4096};
    private static final int MAX_CAPACITY = 200_000;
    /** Extra bytes of the native scratch segment beyond the capacity, room for source/destination offsets. */
    private static final int SCRATCH_SLACK = 64;
    private static final byte SENTINEL = (byte) 0xC3;

    /** Harnesses (and their confined arenas) created by the chain of the try that is running. */
    private static final List<Harness> OPENED = new ArrayList<>();

    private RegionModel() {
    }

    // =================================================================== running a chain

    /** How the regions of a chain are read and written. */
    enum Origin {
        /** Through {@code region.handler()}. */
        HANDLER,
        /** Through {@code region.intoAtomicOps()}, from the first step. */
        ATOMIC,
        /** Through {@code region.handler()} until a {@link HandOver} step (or the end) calls its {@code intoAtomicOps()}. */
        HANDLER_THEN_ATOMIC
    }

    /** What the next chain's initial state is made of; set by {@link #run} just before the chain runs. */
    record Shape(Config cfg, int twins, Origin origin) {
    }

    private static Shape current;

    /**
     * Runs one chain on a fresh harness of the given shape, checks the invariants after every
     * step and the final state at the end, and frees the arena.
     */
    static Harness run(Shape shape, ActionChain<Harness> chain) {
        current = shape;
        try {
            Harness end = chain.withInvariant("regions equal the model, counters right, integrity clean",
                    Harness::checkInvariants).run();
            end.checkFinal();
            return end;
        } finally {
            current = null;
            for (Harness h : OPENED) {
                h.arena.close();
            }
            OPENED.clear();
        }
    }

    private static Harness freshHarness() {
        Shape shape = current;
        if (shape == null) {
            throw new IllegalStateException("chains run only inside run(shape, chain)");
        }
        return new Harness(shape);
    }

    /** The coverage every chain of the basic model must reach. */
    static void collectCoverage(Harness end) {
        Statistics.label("level").collect(end.cfg.level);
        Statistics.label("level").coverage(EVERY_LEVEL);
        cover("long overlapping copy, dst above src", end.longCopyUp, 5);
        cover("long overlapping copy, dst below src", end.longCopyDown, 5);
        cover("short overlapping copy", end.shortCopyOverlap, 15);
        cover("bulk op longer than staging", end.chunked, 20);
        cover("op crossing >= 3 blocks, unaligned both ends", end.crossesBlocks, 30);
        cover("capacity not a multiple of the block size", end.cfg.capacity % end.cfg.blockSize != 0, 60);
    }

    /**
     * A coverage guard: {@code value} must have been true in at least {@code percent} % of the tries.
     * jqwik keeps every distinct checker it is handed, each try and each shrinking run, and looks
     * each new one up linearly: so one checker instance per guard, reused.
     */
    static void cover(String label, boolean value, double percent) {
        Statistics.label(label).collect(value);
        Statistics.label(label).coverage(GUARDS.computeIfAbsent(label + " >= " + percent + "%",
                key -> c -> c.check(true).percentage(p -> p >= percent)));
    }

    private static final Map<String, Consumer<StatisticsCoverage>> GUARDS = new ConcurrentHashMap<>();

    private static final Consumer<StatisticsCoverage> EVERY_LEVEL = c -> {
        for (VerificationLevel level : VerificationLevel.values()) {
            c.check(level).percentage(p -> p >= 5);
        }
    };

    // =================================================================== chains

    /** Chains of the basic operations. */
    static Arbitrary<ActionChain<Harness>> modelChains(int maxSteps) {
        return withOperations(ActionChain.startWith(RegionModel::freshHarness)).withMaxTransformations(maxSteps);
    }

    /** Chains of the basic operations and level changes (handler targets only). */
    static Arbitrary<ActionChain<Harness>> levelChangeChains(int maxSteps) {
        return withOperations(ActionChain.startWith(RegionModel::freshHarness))
                .withAction(3, action(Arbitraries.of(VerificationLevel.class).map(SetLevel::new)))
                .withMaxTransformations(maxSteps);
    }

    /**
     * Chains of the basic operations and one hand-over of the handler to atomic ops (for
     * {@link Origin#HANDLER_THEN_ATOMIC}; never taken for other origins).
     */
    static Arbitrary<ActionChain<Harness>> handOverChains(int maxSteps) {
        return withOperations(ActionChain.startWith(RegionModel::freshHarness))
                .withAction(2, new HandOverAction())
                .withMaxTransformations(maxSteps);
    }

    /**
     * The operations, weighted. A step is generated without looking at the state: its offsets and
     * lengths are recipes ({@link Len}, {@link At}) that the harness resolves against the region's
     * geometry when the step runs. So the region's shape is an ordinary, separately shrinkable
     * parameter, and jqwik can drop steps of a failing chain without regenerating the others.
     */
    private static ActionChainArbitrary<Harness> withOperations(ActionChainArbitrary<Harness> chain) {
        return chain
                .withAction(4, action(writeArrays()))
                .withAction(3, action(writeSegments()))
                .withAction(4, action(copies()))
                .withAction(2, action(fills()))
                .withAction(2, action(readArrays()))
                .withAction(2, action(readSegments()))
                .withAction(2, action(slices()))
                .withAction(3, action(puts()))
                .withAction(2, action(gets()));
    }

    private static Action.Independent<Harness> action(Arbitrary<? extends Step> steps) {
        return () -> steps.map(step -> Transformer.<Harness>mutate(step.toString(), h -> h.apply(step)));
    }

    /** Hands the handler over to atomic ops, once, and only in chains that start with a handler meant for it. */
    private static final class HandOverAction implements Action.Independent<Harness> {
        @Override
        public boolean precondition(Harness h) {
            return h.origin == Origin.HANDLER_THEN_ATOMIC && !h.handedOver;
        }

        @Override
        public Arbitrary<Transformer<Harness>> transformer() {
            return Arbitraries.of(true, false).map(HandOver::new)
                    .map(step -> Transformer.mutate(step.toString(), h -> h.apply(step)));
        }
    }

    // =================================================================== region shapes

    record Config(VerificationLevel level, int blockSize, long capacity, double rate, long seed) {
    }

    static Arbitrary<Config> anyLevel() {
        return configs(Arbitraries.of(VerificationLevel.class));
    }

    static Arbitrary<Config> mostlyOff() {
        return configs(Arbitraries.frequency(
                Tuple.of(6, VerificationLevel.OFF),
                Tuple.of(1, VerificationLevel.SAMPLING),
                Tuple.of(1, VerificationLevel.STANDARD),
                Tuple.of(1, VerificationLevel.FULL)));
    }

    static Arbitrary<Config> mostlySampling() {
        return configs(Arbitraries.frequency(
                Tuple.of(5, VerificationLevel.SAMPLING),
                Tuple.of(1, VerificationLevel.OFF),
                Tuple.of(1, VerificationLevel.STANDARD),
                Tuple.of(1, VerificationLevel.FULL)));
    }
    private static Arbitrary<Config> configs(Arbitrary<VerificationLevel> levels) {
        Arbitrary<Integer> blockSizes = Arbitraries.of(Arrays.stream(BLOCK_SIZES).boxed().toList());
        Arbitrary<Double> rates = Arbitraries.frequencyOf(
                weight(1, Arbitraries.just(1.0)),
                weight(4, Arbitraries.doubles().between(0.01, 0.99).ofScale(3)),
                weight(1, Arbitraries.doubles().between(0.0001, 0.01).ofScale(5)));
        return blockSizes.flatMap(bs -> Combinators.combine(levels, capacities(bs), rates, Arbitraries.longs())
                .as((level, cap, rate, seed) -> new Config(level, bs, cap, rate, seed)));
    }

    /** Capacities 1..200 000, mostly not a multiple of the block size, often beyond the staging size. */
    private static Arbitrary<Long> capacities(int bs) {
        return Arbitraries.frequencyOf(
                        weight(1, uniform(1, 100)),
                        weight(3, uniform(101, 20_000)),
                        weight(5, uniform(STAGING + 1, MAX_CAPACITY)),
                        weight(1, Combinators.combine(uniform(1, MAX_CAPACITY / bs), uniform(-3, 3))
                                .as((k, d) -> k * bs + d)))
                .map(c -> clamp(c, 1, MAX_CAPACITY));
    }

    // =================================================================== recipes for offsets and lengths

    /** Fractions are given in millionths, so that they shrink toward 0 and print readably. */
    private static final int MILLION = 1_000_000;

    private static Arbitrary<Integer> fraction() {
        return Arbitraries.integers().between(0, MILLION).withDistribution(RandomDistribution.uniform());
    }

    private static Arbitrary<Integer> delta() {
        return Arbitraries.integers().between(-3, 3);
    }

    private static long scale(long max, int millionths) {
        return max * millionths / MILLION;
    }

    enum LenKind { TINY, FEW_BLOCKS, NEAR_BLOCK_MULTIPLE, NEAR_STAGING, BEYOND_STAGING, ANY }

    /** A length recipe; resolved against the capacity and block size, always in {@code [0, capacity]}. */
    record Len(LenKind kind, int x, int d) {
        long resolve(Config c) {
            long bs = c.blockSize;
            long len = switch (kind) {
                case TINY -> x;                                     // 0..8
                case FEW_BLOCKS -> 1 + scale(3 * bs - 1, x);          // 1..3 blocks
                case NEAR_BLOCK_MULTIPLE -> x * bs + d;             // k blocks +- 3
                case NEAR_STAGING -> STAGING + d;                   // 16 KiB +- 3
                case BEYOND_STAGING -> STAGING + 1 + scale(3L * STAGING + 100, x); // chunked paths
                case ANY -> scale(c.capacity, x);
            };
            return clamp(len, 0, c.capacity);
        }

        @Override
        public String toString() {
            return switch (kind) {
                case TINY -> "len " + x;
                case NEAR_BLOCK_MULTIPLE -> "len " + x + "*bs" + signed(d);
                case NEAR_STAGING -> "len 16Ki" + signed(d);
                default -> "len " + kind.name().toLowerCase() + "(" + x + "ppm)";
            };
        }
    }

    private static Arbitrary<Len> lengths() {
        return Arbitraries.frequencyOf(
                weight(4, Arbitraries.integers().between(0, 8).map(x -> new Len(LenKind.TINY, x, 0))),
                weight(4, fraction().map(x -> new Len(LenKind.FEW_BLOCKS, x, 0))),
                weight(3, Combinators.combine(Arbitraries.integers().between(1, 8), delta())
                        .as((k, d) -> new Len(LenKind.NEAR_BLOCK_MULTIPLE, k, d))),
                weight(2, delta().map(d -> new Len(LenKind.NEAR_STAGING, 0, d))),
                weight(3, fraction().map(x -> new Len(LenKind.BEYOND_STAGING, x, 0))),
                weight(1, fraction().map(x -> new Len(LenKind.ANY, x, 0))));
    }

    enum AtKind { BLOCK_EDGE, END_AT_BLOCK_EDGE, ANYWHERE, START, END }

    /** A start-offset recipe for a range of a given length; always in {@code [0, capacity - length]}. */
    record At(AtKind kind, int x, int d) {
        long resolve(Config c, long len) {
            long max = c.capacity - len;
            long bs = c.blockSize;
            long edge = scale(c.capacity / bs + 1, x) * bs + d;
            long at = switch (kind) {
                case BLOCK_EDGE -> edge;
                case END_AT_BLOCK_EDGE -> edge - len;
                case ANYWHERE -> scale(max, x);
                case START -> 0;
                case END -> max;
            };
            return clamp(at, 0, max);
        }

        @Override
        public String toString() {
            return switch (kind) {
                case BLOCK_EDGE -> "at edge(" + x + "ppm)" + signed(d);
                case END_AT_BLOCK_EDGE -> "ending at edge(" + x + "ppm)" + signed(d);
                case ANYWHERE -> "at " + x + "ppm";
                case START -> "at 0";
                case END -> "at the end";
            };
        }
    }

    private static Arbitrary<At> starts() {
        return Arbitraries.frequencyOf(
                weight(4, Combinators.combine(fraction(), delta()).as((x, d) -> new At(AtKind.BLOCK_EDGE, x, d))),
                weight(2, Combinators.combine(fraction(), delta()).as((x, d) -> new At(AtKind.END_AT_BLOCK_EDGE, x, d))),
                weight(2, fraction().map(x -> new At(AtKind.ANYWHERE, x, 0))),
                weight(1, Arbitraries.just(new At(AtKind.START, 0, 0))),
                weight(1, Arbitraries.just(new At(AtKind.END, 0, 0))));
    }

    enum DstKind { NEAR, ABOVE_OVERLAPPING, BELOW_OVERLAPPING, ELSEWHERE }

    /** A copy destination recipe, relative to the source: near it, overlapping it from either side, or anywhere. */
    record Dst(DstKind kind, int x, At at) {
        long resolve(Config c, long src, long len) {
            long dst = switch (kind) {
                case NEAR -> src + scale(4L * c.blockSize, x) - 2L * c.blockSize;   // within 2 blocks either way
                case ABOVE_OVERLAPPING -> src + 1 + scale(Math.max(0, len - 2), x);
                case BELOW_OVERLAPPING -> src - 1 - scale(Math.max(0, len - 2), x);
                case ELSEWHERE -> at.resolve(c, len);
            };
            return clamp(dst, 0, c.capacity - len);
        }

        @Override
        public String toString() {
            return switch (kind) {
                case ELSEWHERE -> "to " + at;
                default -> "to " + kind.name().toLowerCase() + "(" + x + "ppm)";
            };
        }
    }

    private static Arbitrary<Dst> destinations() {
        return Arbitraries.frequencyOf(
                weight(2, fraction().map(x -> new Dst(DstKind.NEAR, x, null))),
                weight(2, fraction().map(x -> new Dst(DstKind.ABOVE_OVERLAPPING, x, null))),
                weight(2, fraction().map(x -> new Dst(DstKind.BELOW_OVERLAPPING, x, null))),
                weight(2, starts().map(at -> new Dst(DstKind.ELSEWHERE, 0, at))));
    }

    private static String signed(int d) {
        return d == 0 ? "" : d > 0 ? "+" + d : String.valueOf(d);
    }

    private static Arbitrary<Integer> smallOffset() {
        return Arbitraries.frequencyOf(weight(1, Arbitraries.just(0)), weight(2, Arbitraries.integers().between(0, 40)));
    }

    // =================================================================== steps

    /** A generated step: resolved against the region's shape into an {@link Op} when it runs. */
    interface Step {
        Op resolve(Config c);
    }

    record WriteArrayStep(Len len, At at, int srcOff, int srcPad, long seed) implements Step {
        @Override
        public Op resolve(Config c) {
            long n = len.resolve(c);
            return new WriteArray(at.resolve(c, n), (int) n, srcOff, srcPad, seed);
        }

        @Override
        public String toString() {
            return "write(byte[]) " + len + " " + at + ", srcOff " + srcOff + ", srcPad " + srcPad + ", seed " + seed;
        }
    }

    record WriteSegmentStep(Len len, At at, int srcOff, boolean nativeSrc, long seed) implements Step {
        @Override
        public Op resolve(Config c) {
            long n = len.resolve(c);
            return new WriteSegment(at.resolve(c, n), (int) n, srcOff, nativeSrc, seed);
        }

        @Override
        public String toString() {
            return "write(" + (nativeSrc ? "native" : "heap") + " segment) " + len + " " + at + ", srcOff " + srcOff
                    + ", seed " + seed;
        }
    }

    record CopyStep(Len len, At src, Dst dst) implements Step {
        @Override
        public Op resolve(Config c) {
            long n = len.resolve(c);
            long from = src.resolve(c, n);
            return new Copy(from, dst.resolve(c, from, n), n);
        }

        @Override
        public String toString() {
            return "copyWithin " + len + " from " + src + " " + dst;
        }
    }

    record FillStep(Len len, At at, byte value) implements Step {
        @Override
        public Op resolve(Config c) {
            long n = len.resolve(c);
            return new Fill(at.resolve(c, n), n, value);
        }

        @Override
        public String toString() {
            return "fill " + len + " " + at + " with " + value;
        }
    }

    record ReadArrayStep(Len len, At at, int dstOff, int dstPad) implements Step {
        @Override
        public Op resolve(Config c) {
            long n = len.resolve(c);
            return new ReadArray(at.resolve(c, n), (int) n, dstOff, dstPad);
        }

        @Override
        public String toString() {
            return "read(byte[]) " + len + " " + at + ", dstOff " + dstOff + ", dstPad " + dstPad;
        }
    }

    record ReadSegmentStep(Len len, At at, int dstOff, boolean nativeDst) implements Step {
        @Override
        public Op resolve(Config c) {
            long n = len.resolve(c);
            return new ReadSegment(at.resolve(c, n), n, dstOff, nativeDst);
        }

        @Override
        public String toString() {
            return "read(" + (nativeDst ? "native" : "heap") + " segment) " + len + " " + at + ", dstOff " + dstOff;
        }
    }

    record SliceStep(Len len, At at, boolean second, int innerLen, int innerAt, int refusedWrite, long probeSeed)
            implements Step {
        @Override
        public Op resolve(Config c) {
            long n = len.resolve(c);
            long off = at.resolve(c, n);
            long n2 = scale(n, innerLen);
            long off2 = off + scale(n - n2, innerAt);
            return new SliceOp(off, n, second, off2, n2, refusedWrite, probeSeed);
        }

        @Override
        public String toString() {
            return "borrowSlice " + len + " " + at + (second ? ", inner slice " + innerLen + "ppm at " + innerAt + "ppm" : "")
                    + ", refused write #" + refusedWrite + ", probes " + probeSeed;
        }
    }

    record PutStep(Kind kind, At at, long bits) implements Step {
        @Override
        public Op resolve(Config c) {
            Kind k = kind.size <= c.capacity ? kind : Kind.BYTE;
            return new Put(k, at.resolve(c, k.size), bits);
        }

        @Override
        public String toString() {
            return "put " + kind + " " + at + " bits " + bits;
        }
    }

    record GetStep(Kind kind, At at) implements Step {
        @Override
        public Op resolve(Config c) {
            Kind k = kind.size <= c.capacity ? kind : Kind.BYTE;
            return new Get(k, at.resolve(c, k.size));
        }

        @Override
        public String toString() {
            return "get " + kind + " " + at;
        }
    }

    private static Arbitrary<WriteArrayStep> writeArrays() {
        return Combinators.combine(lengths(), starts(), smallOffset(), smallOffset(), Arbitraries.longs())
                .as(WriteArrayStep::new);
    }

    private static Arbitrary<WriteSegmentStep> writeSegments() {
        return Combinators.combine(lengths(), starts(), Arbitraries.integers().between(0, SCRATCH_SLACK),
                        Arbitraries.of(true, false), Arbitraries.longs())
                .as(WriteSegmentStep::new);
    }

    private static Arbitrary<CopyStep> copies() {
        return Combinators.combine(lengths(), starts(), destinations()).as(CopyStep::new);
    }

    private static Arbitrary<FillStep> fills() {
        return Combinators.combine(lengths(), starts(), Arbitraries.bytes()).as(FillStep::new);
    }

    private static Arbitrary<ReadArrayStep> readArrays() {
        return Combinators.combine(lengths(), starts(), smallOffset(), smallOffset()).as(ReadArrayStep::new);
    }

    private static Arbitrary<ReadSegmentStep> readSegments() {
        return Combinators.combine(lengths(), starts(), Arbitraries.integers().between(0, SCRATCH_SLACK),
                        Arbitraries.of(true, false))
                .as(ReadSegmentStep::new);
    }

    private static Arbitrary<SliceStep> slices() {
        return Combinators.combine(lengths(), starts(), Arbitraries.of(true, false), fraction(), fraction(),
                        Arbitraries.integers().between(0, 3), Arbitraries.longs())
                .as(SliceStep::new);
    }

    private static Arbitrary<PutStep> puts() {
        return Arbitraries.of(Kind.class)
                .flatMap(kind -> Combinators.combine(starts(), kind.bitsArbitrary()).as((at, bits) -> new PutStep(kind, at, bits)));
    }

    private static Arbitrary<GetStep> gets() {
        return Combinators.combine(Arbitraries.of(Kind.class), starts()).as(GetStep::new);
    }

    private static <T> Tuple2<Integer, Arbitrary<? extends T>> weight(int weight, Arbitrary<? extends T> arbitrary) {
        return Tuple.of(weight, arbitrary);
    }

    /** Uniform longs in {@code [lo, hi]}: the edge bias comes from the recipes, not from jqwik's. */
    private static Arbitrary<Long> uniform(long lo, long hi) {
        return Arbitraries.longs().between(lo, hi).withDistribution(RandomDistribution.uniform());
    }

    private static long clamp(long v, long lo, long hi) {
        return Math.max(lo, Math.min(hi, v));
    }

    // =================================================================== the harness

    /**
     * One or two regions of the same shape (the second only for the determinism properties), the
     * targets through which they are read and written, the {@code byte[]} model, and what the model
     * expects of the counters.
     */
    static final class Harness {
        final Config cfg;
        final Origin origin;
        final FixedArena arena;
        final CheckedRegion[] regions;
        /** What each region is read and written through now. */
        final ModelTarget[] targets;
        /** Each region's handler while it has one that is not handed over; null entries otherwise. */
        final SafeMemoryHandler[] handlers;
        final byte[] model;
        final MemorySegment modelSegment;
        /** Native scratch, {@code capacity + SCRATCH_SLACK} bytes: a segment source or destination outside the regions. */
        final MemorySegment scratch;
        final int size;

        final List<String> trace = new ArrayList<>();
        VerificationLevel level;
        long writes;
        long bytesWritten;
        /**
         * Sampling decisions the targets must have drawn (bulk operations run while at SAMPLING),
         * per stream: [0] the handler, then the writer of the atomic ops; [1] the reads of the
         * model's thread through the atomic ops, its first reader.
         */
        final long[] gateDraws = new long[2];
        /** The same decisions replayed as they are drawn, and the skips they make. */
        private final SamplingGate[] replay = new SamplingGate[2];
        final long[] expectedSkips = new long[2];
        boolean everChecked;
        boolean handedOver;
        int stepsBeforeHandOver;

        // coverage flags
        boolean longCopyUp;
        boolean longCopyDown;
        boolean shortCopyOverlap;
        boolean chunked;
        boolean crossesBlocks;
        boolean rebuiltStale;
        boolean checkedToChecked;

        Harness(Shape shape) {
            this.cfg = shape.cfg;
            this.origin = shape.origin;
            int twins = shape.twins;
            this.size = (int) cfg.capacity;
            int bs = cfg.blockSize;
            long blocks = (cfg.capacity + bs - 1) / bs;
            long perRegion = 4096 + CheckedRegion.HEADER_BYTES + blocks * Integer.BYTES + 2L * bs + blocks * bs;
            this.arena = FixedArena.ofConfined(twins * perRegion + cfg.capacity + SCRATCH_SLACK + 4096);
            OPENED.add(this);
            this.regions = new CheckedRegion[twins];
            this.targets = new ModelTarget[twins];
            this.handlers = new SafeMemoryHandler[twins];
            for (int i = 0; i < twins; i++) {
                regions[i] = CheckedRegion.builder(arena, cfg.capacity)
                        .name("model-" + i)
                        .blockSize(bs)
                        .verificationLevel(cfg.level)
                        .samplingRate(cfg.rate)
                        .samplingSeed(cfg.seed)
                        .build();
                if (origin == Origin.ATOMIC) {
                    targets[i] = ModelTarget.of(regions[i].intoAtomicOps());
                } else {
                    handlers[i] = regions[i].handler();
                    targets[i] = ModelTarget.of(handlers[i]);
                }
            }
            this.scratch = arena.allocate(cfg.capacity + SCRATCH_SLACK, 8);
            this.model = new byte[size];
            this.modelSegment = MemorySegment.ofArray(model);
            this.level = cfg.level;
            this.everChecked = cfg.level.keepsChecksums();
            for (int s = 0; s < replay.length; s++) {
                replay[s] = new SamplingGate(cfg.rate, SamplingGate.streamSeed(cfg.seed, s));
            }
        }

        /** Resolves a step against this shape and runs it on every target, then on the model. */
        void apply(Step step) {
            Op op = step.resolve(cfg);
            trace.add(op.toString());
            try {
                boolean sampling = level == VerificationLevel.SAMPLING;
                int stream = op.reads() ? targets[0].readStream() : 0;
                for (int i = 0; i < targets.length; i++) {
                    op.run(this, i);
                }
                if (sampling) {
                    drawn(stream, op.gateDraws(cfg.blockSize));
                }
                op.commit(this);
            } catch (RuntimeException | AssertionError e) {
                e.addSuppressed(new AssertionError(concreteSteps()));
                throw e;
            }
        }

        /** Records {@code count} decisions drawn from {@code stream}, replaying them. */
        private void drawn(int stream, long count) {
            gateDraws[stream] += count;
            for (long d = 0; d < count; d++) {
                if (!replay[stream].sample()) {
                    expectedSkips[stream]++;
                }
            }
        }

        /** The steps run so far with their offsets and lengths resolved: a reproducer. */
        String concreteSteps() {
            StringBuilder sb = new StringBuilder("steps as run on ").append(cfg).append(" through ").append(origin)
                    .append(':');
            for (int i = 0; i < trace.size(); i++) {
                sb.append("\n    ").append(i + 1).append(". ").append(trace.get(i));
            }
            return sb.toString();
        }

        void countWrite(long len, long off) {
            writes++;
            bytesWritten += len;
            noteRange(off, len);
        }

        void noteRange(long off, long len) {
            int bs = cfg.blockSize;
            if (len > STAGING) {
                chunked = true;
            }
            if (len > 0 && off % bs != 0 && (off + len) % bs != 0 && (off + len - 1) / bs - off / bs >= 2) {
                crossesBlocks = true;
            }
        }

        /** After every action: contents, padding, counters, integrity and the lock's words. */
        void checkInvariants() {
            for (int i = 0; i < regions.length; i++) {
                CheckedRegion r = regions[i];
                long bad = MemorySegment.mismatch(r.data, 0, size, modelSegment, 0, size);
                if (bad >= 0) {
                    fail("region " + i + " differs from the model at byte " + bad + ": region "
                            + r.data.get(JAVA_BYTE, bad) + ", model " + model[(int) bad] + " (" + describe() + ")");
                }
                for (long p = size; p < r.data.byteSize(); p++) {
                    assertEquals(0, r.data.get(JAVA_BYTE, p), "padding byte " + p + " after the capacity changed");
                }
                MemoryStatistics st = r.statistics();
                assertEquals(level, r.verificationLevel(), "level");
                assertEquals(writes, st.writes(), "writes() counts every write-type action");
                assertEquals(bytesWritten, st.bytesWritten(), "bytesWritten() sums their lengths");
                assertEquals(0, st.integrityFailures(), "integrityFailures() without corruption");
                assertEquals(expectedSkips[0], r.counters.sampledSkips,
                        "sampledSkips of stream 0 (handler / writer) after " + gateDraws[0] + " decisions");
                assertEquals(expectedSkips[0] + expectedSkips[1], st.sampledSkips(),
                        "sampledSkips() after " + gateDraws[0] + " + " + gateDraws[1] + " decisions on streams 0 + 1");
                assertEquals(0, st.readRetries(), "readRetries() with one thread");
                assertEquals(0, st.lockedReads(), "lockedReads() with one thread");
                assertEquals(0L, new LockWord(r.header, CheckedRegion.LOCK_WORD_OFFSET).word(),
                        "lock word between steps: no writer, no borrower left behind");
                assertEquals(0, new SequenceWord(r.header, CheckedRegion.SEQUENCE_OFFSET).stamp() & 1,
                        "sequence word between steps: no write left open");
                targets[i].verifyIntegrity();
                assertEquals(-1, targets[i].findCorruptBlock(0), "findCorruptBlock(0)");
                assertEquals(-1, targets[i].findCorruptBlock(r.blockCount()), "findCorruptBlock(blockCount)");
            }
            if (regions.length == 2) {
                MemoryStatistics a = regions[0].statistics();
                MemoryStatistics b = regions[1].statistics();
                assertEquals(a.sampledSkips(), b.sampledSkips(), "twins: sampledSkips");
                assertEquals(a.verifications(), b.verifications(), "twins: verifications");
                assertEquals(a.checksummedBytes(), b.checksummedBytes(), "twins: checksummedBytes");
            }
        }

        /**
         * At the end: hands over a handler that was meant to be and was not yet, then the
         * invariants, a whole-region read through the API, and two independent oracles.
         */
        void checkFinal() {
            try {
                if (origin == Origin.HANDLER_THEN_ATOMIC && !handedOver) {
                    apply(new HandOver(false));
                    checkInvariants();
                }
                checkEnd();
            } catch (RuntimeException | AssertionError e) {
                e.addSuppressed(new AssertionError(concreteSteps()));
                throw e;
            }
        }

        private void checkEnd() {
            checkInvariants();
            for (ModelTarget target : targets) {
                byte[] all = new byte[size];
                target.read(0, all);
                assertArrayEquals(model, all, "whole-region read through " + target);
            }
            if (level == VerificationLevel.SAMPLING) {
                gateDraws[targets[0].readStream()]++;
            }
            long[] skips = new long[gateDraws.length];
            for (int s = 0; s < gateDraws.length; s++) {
                SamplingGate gate = new SamplingGate(cfg.rate, SamplingGate.streamSeed(cfg.seed, s));
                for (long d = 0; d < gateDraws[s]; d++) {
                    if (!gate.sample()) {
                        skips[s]++;
                    }
                }
            }
            for (CheckedRegion r : regions) {
                MemoryStatistics st = r.statistics();
                assertEquals(skips[0], r.counters.sampledSkips, "sampledSkips of stream 0 after " + gateDraws[0]
                        + " sampling decisions at rate " + cfg.rate + ", seed " + cfg.seed);
                assertEquals(skips[0] + skips[1], st.sampledSkips(), "sampledSkips() after " + gateDraws[0] + " + "
                        + gateDraws[1] + " sampling decisions on streams 0 + 1 at rate " + cfg.rate + ", seed " + cfg.seed);
                if (level.keepsChecksums()) {
                    assertEquals(-1, staleBlock(r), "stored checksum table vs CRC32C of the model");
                }
                if (!everChecked) {
                    assertEquals(0, st.verifications(), "OFF verifies nothing");
                    assertEquals(0, st.checksummedBytes(), "OFF checksums nothing");
                }
            }
        }

        /** The first block whose stored checksum is not the CRC32C of the model's bytes (zero padded), or -1. */
        long staleBlock(CheckedRegion r) {
            int bs = r.blockSize();
            byte[] block = new byte[bs];
            CRC32C crc = new CRC32C();
            for (long b = 0; b < r.blockCount(); b++) {
                int start = (int) (b * bs);
                int n = Math.min(bs, size - start);
                Arrays.fill(block, (byte) 0);
                System.arraycopy(model, start, block, 0, n);
                crc.reset();
                crc.update(block, 0, bs);
                if ((int) crc.getValue() != r.checksums.getAtIndex(CheckedRegion.CHECKSUM, b)) {
                    return b;
                }
            }
            return -1;
        }

        /** The handler of region {@code i}; fails if it has none (atomic from the start, or handed over). */
        SafeMemoryHandler handlerOf(int i) {
            SafeMemoryHandler handler = handlers[i];
            if (handler == null) {
                throw new IllegalStateException("region " + i + " has no handler here: " + describe());
            }
            return handler;
        }

        String describe() {
            return cfg + " through " + origin + (handedOver ? " (handed over)" : "") + ", now " + level;
        }

        @Override
        public String toString() {
            return "Harness[" + describe() + "], " + concreteSteps();
        }
    }

    // =================================================================== operations

    /** One step, applied to every target of the harness, then to the model. */
    interface Op {
        /** Runs on target {@code i} and checks what it returns against the model (not yet updated). */
        void run(Harness h, int i);

        /** Updates the model and the expected counters. */
        default void commit(Harness h) {
        }

        /**
         * Sampling decisions this operation draws at {@code SAMPLING}: a non-empty read or slice
         * draws one; a write, fill, copy or put draws one when its destination has a partially
         * covered block (an edge merge to verify or not), none otherwise.
         */
        long gateDraws(int blockSize);

        /**
         * Whether this operation's decisions are drawn by a reader (from the target's
         * {@link ModelTarget#readStream() read stream}) rather than by the writer (stream 0).
         */
        default boolean reads() {
            return false;
        }
    }

    /** One draw for a write to {@code [off, off + len)} with a partially covered block, else none. */
    static long writeDraws(long off, long len, int blockSize) {
        return len > 0 && (off % blockSize != 0 || (off + len) % blockSize != 0) ? 1 : 0;
    }

    /** Deterministic source bytes: random, or (one seed in four) a constant byte. */
    static byte[] content(long seed, int length) {
        byte[] bytes = new byte[length];
        if ((seed & 3) == 0) {
            Arrays.fill(bytes, (byte) (seed >>> 8));
        } else {
            new SplittableRandom(seed).nextBytes(bytes);
        }
        return bytes;
    }

    record WriteArray(long off, int len, int srcOff, int srcPad, long seed) implements Op {
        byte[] source() {
            byte[] src = new byte[srcOff + len + srcPad];
            System.arraycopy(content(seed, len), 0, src, srcOff, len);
            return src;
        }

        @Override
        public void run(Harness h, int i) {
            byte[] src = source();
            if (srcOff == 0 && srcPad == 0) {
                h.targets[i].write(off, src);
            } else {
                h.targets[i].write(off, src, srcOff, len);
            }
        }

        @Override
        public void commit(Harness h) {
            System.arraycopy(content(seed, len), 0, h.model, (int) off, len);
            h.countWrite(len, off);
        }

        @Override
        public long gateDraws(int blockSize) {
            return writeDraws(off, len, blockSize);
        }
    }

    record WriteSegment(long off, int len, int srcOff, boolean nativeSrc, long seed) implements Op {
        @Override
        public void run(Harness h, int i) {
            byte[] bytes = content(seed, len);
            MemorySegment src;
            if (nativeSrc) {
                src = h.scratch;
                src.fill((byte) ~seed);
            } else {
                src = MemorySegment.ofArray(new byte[srcOff + len + 7]);
            }
            MemorySegment.copy(bytes, 0, src, JAVA_BYTE, srcOff, len);
            h.targets[i].write(off, src, srcOff, len);
        }

        @Override
        public void commit(Harness h) {
            System.arraycopy(content(seed, len), 0, h.model, (int) off, len);
            h.countWrite(len, off);
        }

        @Override
        public long gateDraws(int blockSize) {
            return writeDraws(off, len, blockSize);
        }
    }

    record Copy(long src, long dst, long len) implements Op {
        @Override
        public void run(Harness h, int i) {
            h.targets[i].copyWithin(src, dst, len);
        }

        @Override
        public void commit(Harness h) {
            System.arraycopy(h.model, (int) src, h.model, (int) dst, (int) len);
            h.countWrite(len, dst);
            h.noteRange(src, len);
            boolean overlapUp = dst > src && dst < src + len;
            boolean overlapDown = dst < src && src < dst + len;
            if (len > STAGING) {
                h.longCopyUp |= overlapUp;
                h.longCopyDown |= overlapDown;
            } else if (len <= 16) {
                h.shortCopyOverlap |= overlapUp || overlapDown;
            }
        }

        @Override
        public long gateDraws(int blockSize) {
            return writeDraws(dst, len, blockSize);
        }
    }

    record Fill(long off, long len, byte value) implements Op {
        @Override
        public void run(Harness h, int i) {
            h.targets[i].fill(off, len, value);
        }

        @Override
        public void commit(Harness h) {
            Arrays.fill(h.model, (int) off, (int) (off + len), value);
            h.countWrite(len, off);
        }

        @Override
        public long gateDraws(int blockSize) {
            return writeDraws(off, len, blockSize);
        }
    }

    record ReadArray(long off, int len, int dstOff, int dstPad) implements Op {
        @Override
        public void run(Harness h, int i) {
            byte[] dst = new byte[dstOff + len + dstPad];
            Arrays.fill(dst, SENTINEL);
            if (dstOff == 0 && dstPad == 0) {
                h.targets[i].read(off, dst);
            } else {
                h.targets[i].read(off, dst, dstOff, len);
            }
            assertEquals(-1, Arrays.mismatch(dst, dstOff, dstOff + len, h.model, (int) off, (int) (off + len)),
                    "bytes read differ from the model");
            for (int p = 0; p < dst.length; p++) {
                if (p < dstOff || p >= dstOff + len) {
                    assertEquals(SENTINEL, dst[p], "read wrote outside its destination range at index " + p);
                }
            }
            h.noteRange(off, len);
        }

        @Override
        public long gateDraws(int blockSize) {
            return len > 0 ? 1 : 0;
        }

        @Override
        public boolean reads() {
            return true;
        }
    }

    record ReadSegment(long off, long len, long dstOff, boolean nativeDst) implements Op {
        @Override
        public void run(Harness h, int i) {
            MemorySegment dst = nativeDst ? h.scratch : MemorySegment.ofArray(new byte[(int) (dstOff + len + 5)]);
            dst.fill(SENTINEL);
            h.targets[i].read(off, dst, dstOff, len);
            assertEquals(-1, MemorySegment.mismatch(dst, dstOff, dstOff + len, h.modelSegment, off, off + len),
                    "bytes read into the segment differ from the model");
            for (long p = 0; p < dst.byteSize(); p++) {
                if (p < dstOff || p >= dstOff + len) {
                    assertEquals(SENTINEL, dst.get(JAVA_BYTE, p), "read wrote outside its destination range at " + p);
                }
            }
            h.noteRange(off, len);
        }

        @Override
        public long gateDraws(int blockSize) {
            return len > 0 ? 1 : 0;
        }

        @Override
        public boolean reads() {
            return true;
        }
    }

    /**
     * Borrows a slice and reads through it; optionally a second, nested slice; tries one write
     * while a slice is open (refused with SLICES_OPEN, nothing changed), then closes everything.
     */
    record SliceOp(long off, long len, boolean second, long off2, long len2, int refusedWrite, long probeSeed)
            implements Op {
        @Override
        public void run(Harness h, int i) {
            ModelTarget target = h.targets[i];
            Slice slice = target.borrowSlice(off, len);
            Slice inner = null;
            try {
                assertEquals(off, slice.offset(), "slice offset");
                assertEquals(len, slice.length(), "slice length");
                assertTrue(slice.isOpen(), "fresh slice is open");
                probe(h, slice, new SplittableRandom(probeSeed));
                if (second) {
                    inner = target.borrowSlice(off2, len2);
                    probe(h, inner, new SplittableRandom(~probeSeed));
                    slice.close();
                    assertFalse(slice.isOpen(), "closed slice reports closed");
                    refuseWrite(h, target);
                    inner.close();
                } else {
                    refuseWrite(h, target);
                    slice.close();
                }
            } finally {
                slice.close();
                if (inner != null) {
                    inner.close();
                }
            }
            slice.close(); // idempotent
            assertFalse(slice.isOpen(), "closed slice reports closed");
            StateException closed = assertThrows(StateException.class, () -> slice.getByte(0), "use after close");
            assertEquals(ErrorCode.SLICE_CLOSED, closed.code());
        }

        private void refuseWrite(Harness h, ModelTarget target) {
            long at = Math.floorMod(probeSeed, h.cfg.capacity);
            SafeMemoryException e = assertThrows(StateException.class, () -> {
                switch (refusedWrite) {
                    case 0 -> target.putByte(at, (byte) 1);
                    case 1 -> target.write(at, new byte[]{1});
                    case 2 -> target.fill(at, 1, (byte) 1);
                    default -> target.copyWithin(0, at, 1);
                }
            }, "write while a slice is open");
            assertEquals(ErrorCode.SLICES_OPEN, e.code(), "write while a slice is open");
        }

        /** Reads through the slice at its ends and at random points, each compared with the model. */
        private static void probe(Harness h, Slice s, SplittableRandom r) {
            long base = s.offset();
            long n = s.length();
            for (Kind kind : Kind.values()) {
                if (kind.size > n) {
                    continue;
                }
                long[] at = {0, n - kind.size, r.nextLong(n - kind.size + 1)};
                for (long p : at) {
                    assertEquals(kind.fromModel(h.model, base + p), kind.fromSlice(s, p),
                            kind + " at slice offset " + p + " of " + s);
                }
            }
            long a = r.nextLong(n + 1);
            long b = a + r.nextLong(n - a + 1);
            int count = (int) (b - a);
            int pad = r.nextInt(4);
            byte[] dst = new byte[pad + count + 3];
            Arrays.fill(dst, SENTINEL);
            s.copyTo(a, dst, pad, count);
            assertEquals(-1, Arrays.mismatch(dst, pad, pad + count, h.model, (int) (base + a), (int) (base + b)),
                    "slice copyTo(byte[]) of [" + a + ", " + b + ") of " + s);
            for (int p = 0; p < dst.length; p++) {
                if (p < pad || p >= pad + count) {
                    assertEquals(SENTINEL, dst[p], "slice copyTo wrote outside its range");
                }
            }
            MemorySegment seg = MemorySegment.ofArray(new byte[count + 8]);
            s.copyTo(a, seg, 4, count);
            assertEquals(-1, MemorySegment.mismatch(seg, 4, 4 + count, h.modelSegment, base + a, base + b),
                    "slice copyTo(MemorySegment) of [" + a + ", " + b + ") of " + s);
        }

        @Override
        public long gateDraws(int blockSize) {
            return (len > 0 ? 1 : 0) + (second && len2 > 0 ? 1 : 0);
        }

        @Override
        public boolean reads() {
            return true;
        }
    }

    enum Kind {
        BYTE(1), SHORT(2), INT(4), LONG(8), FLOAT(4), DOUBLE(8);

        final int size;

        Kind(int size) {
            this.size = size;
        }

        /** Values as raw bits, sign-extended from {@link #size} bytes. */
        Arbitrary<Long> bitsArbitrary() {
            return switch (this) {
                case BYTE -> Arbitraries.bytes().map(v -> (long) v);
                case SHORT -> Arbitraries.shorts().map(v -> (long) v);
                case INT -> Arbitraries.integers().map(v -> (long) v);
                case LONG -> Arbitraries.longs();
                case FLOAT -> Arbitraries.floats().withStandardSpecialValues().map(v -> (long) Float.floatToRawIntBits(v));
                case DOUBLE -> Arbitraries.doubles().withStandardSpecialValues().map(Double::doubleToRawLongBits);
            };
        }

        /** The little-endian value at {@code off} of the model, sign-extended raw bits. */
        long fromModel(byte[] model, long off) {
            long v = 0;
            for (int k = size - 1; k >= 0; k--) {
                v = (v << 8) | (model[(int) off + k] & 0xFF);
            }
            int unused = 64 - 8 * size;
            return (v << unused) >> unused;
        }

        void toModel(byte[] model, long off, long bits) {
            for (int k = 0; k < size; k++) {
                model[(int) off + k] = (byte) (bits >>> (8 * k));
            }
        }

        long fromTarget(ModelTarget m, long off) {
            return switch (this) {
                case BYTE -> m.getByte(off);
                case SHORT -> m.getShort(off);
                case INT -> m.getInt(off);
                case LONG -> m.getLong(off);
                case FLOAT -> Float.floatToRawIntBits(m.getFloat(off));
                case DOUBLE -> Double.doubleToRawLongBits(m.getDouble(off));
            };
        }

        long fromSlice(Slice s, long off) {
            return switch (this) {
                case BYTE -> s.getByte(off);
                case SHORT -> s.getShort(off);
                case INT -> s.getInt(off);
                case LONG -> s.getLong(off);
                case FLOAT -> Float.floatToRawIntBits(s.getFloat(off));
                case DOUBLE -> Double.doubleToRawLongBits(s.getDouble(off));
            };
        }

        void put(ModelTarget m, long off, long bits) {
            switch (this) {
                case BYTE -> m.putByte(off, (byte) bits);
                case SHORT -> m.putShort(off, (short) bits);
                case INT -> m.putInt(off, (int) bits);
                case LONG -> m.putLong(off, bits);
                case FLOAT -> m.putFloat(off, Float.intBitsToFloat((int) bits));
                case DOUBLE -> m.putDouble(off, Double.longBitsToDouble(bits));
            }
        }
    }

    record Put(Kind kind, long off, long bits) implements Op {
        @Override
        public void run(Harness h, int i) {
            kind.put(h.targets[i], off, bits);
        }

        @Override
        public void commit(Harness h) {
            kind.toModel(h.model, off, bits);
            h.countWrite(kind.size, off);
        }

        @Override
        public long gateDraws(int blockSize) {
            return writeDraws(off, kind.size, blockSize);
        }
    }

    record Get(Kind kind, long off) implements Op {
        @Override
        public void run(Harness h, int i) {
            assertEquals(kind.fromModel(h.model, off), kind.fromTarget(h.targets[i], off), kind + " at " + off);
        }

        @Override
        public long gateDraws(int blockSize) {
            return 0;
        }

        @Override
        public boolean reads() {
            return true;
        }
    }

    /**
     * Changes the level: OFF to a checked level rebuilds every checksum (one CRC32C pass over the
     * whole data, no verification); any other change does no checksum work at all.
     */
    record SetLevel(VerificationLevel to) implements Op, Step {
        @Override
        public Op resolve(Config c) {
            return this;
        }

        @Override
        public void run(Harness h, int i) {
            CheckedRegion r = h.regions[i];
            MemoryStatistics st = r.statistics();
            VerificationLevel from = r.verificationLevel();
            long summed = st.checksummedBytes();
            long verified = st.verifications();
            if (i == 0 && from == VerificationLevel.OFF && to.keepsChecksums() && h.staleBlock(r) >= 0) {
                h.rebuiltStale = true;
            }
            h.handlerOf(i).setVerificationLevel(to);
            assertEquals(to, r.verificationLevel(), "level after setVerificationLevel");
            long rebuilt = from == VerificationLevel.OFF && to.keepsChecksums() ? r.blockCount() * r.blockSize() : 0;
            assertEquals(rebuilt, st.checksummedBytes() - summed, "bytes checksummed by " + from + " -> " + to);
            assertEquals(verified, st.verifications(), "verifications by " + from + " -> " + to);
        }

        @Override
        public void commit(Harness h) {
            if (h.level.keepsChecksums() && to.keepsChecksums() && h.level != to) {
                h.checkedToChecked = true;
            }
            h.level = to;
            h.everChecked |= to.keepsChecksums();
        }

        @Override
        public long gateDraws(int blockSize) {
            return 0;
        }
    }

    /**
     * Hands each region's handler over to atomic ops ({@code handler.intoAtomicOps()}); when
     * {@code withSliceOpenFirst}, tries first with an (empty) slice of the handler open, which is
     * refused with {@code SLICES_OPEN} and leaves the handler usable. Afterwards the handler is
     * consumed, the region has an owner, and the atomic ops carry on with the same contents,
     * checksums, counters and sampling sequence (the invariants check those after this step).
     */
    record HandOver(boolean withSliceOpenFirst) implements Op, Step {
        @Override
        public Op resolve(Config c) {
            return this;
        }

        @Override
        public void run(Harness h, int i) {
            SafeMemoryHandler handler = h.handlerOf(i);
            CheckedRegion region = handler.provider();
            if (withSliceOpenFirst) {
                Slice open = handler.borrowSlice(0, 0);
                SafeMemoryException refused = assertThrows(StateException.class, handler::intoAtomicOps,
                        "intoAtomicOps with a slice open");
                assertEquals(ErrorCode.SLICES_OPEN, refused.code());
                open.close();
                handler.verifyRange(0, 0); // still the owner
            }
            AtomicMemoryOps ops = handler.intoAtomicOps();
            assertSame(region, ops.provider(), "the atomic ops' region");
            assertEquals(AtomicMemoryOps.WAIT_FOREVER, ops.lockTimeout(), "intoAtomicOps() waits as long as it takes");
            assertEquals(ErrorCode.HANDLER_CONSUMED,
                    assertThrows(StateException.class, () -> handler.getByte(0), "handler after intoAtomicOps").code());
            assertEquals(ErrorCode.ALREADY_OWNED,
                    assertThrows(StateException.class, region::handler, "region.handler() after the hand-over").code());
            assertEquals(ErrorCode.ALREADY_OWNED,
                    assertThrows(StateException.class, region::intoAtomicOps, "region.intoAtomicOps() after it").code());
            h.handlers[i] = null;
            h.targets[i] = ModelTarget.of(ops);
        }

        @Override
        public void commit(Harness h) {
            h.handedOver = true;
            h.stepsBeforeHandOver = h.trace.size() - 1;
        }

        @Override
        public long gateDraws(int blockSize) {
            return 0;
        }

        @Override
        public String toString() {
            return "handler.intoAtomicOps()" + (withSliceOpenFirst ? ", first refused with a slice open" : "");
        }
    }
}
