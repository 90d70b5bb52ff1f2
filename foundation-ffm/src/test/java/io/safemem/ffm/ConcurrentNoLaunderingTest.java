package io.safemem.ffm;

import io.safemem.ErrorCode;
import io.safemem.IntegrityException;
import io.safemem.VerificationLevel;
import io.safemem.ffm.testing.FaultInjector;
import io.safemem.ffm.testing.FaultInjector.Flip;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static io.safemem.ffm.FaultTestSupport.blockInMemory;
import static io.safemem.ffm.FaultTestSupport.crc32c;
import static io.safemem.ffm.FaultTestSupport.crcOfModelBlock;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Invariant I1 (no laundering) under concurrency: bits flipped by a thread that takes no lock, in
 * blocks that two writers keep rewriting around them through an {@link AtomicMemoryOps}, are
 * never absorbed into a fresh checksum; and, with no flips, a verifier running beside the writers
 * never raises a false alarm.
 *
 * <p><b>The set-up.</b> A 16 KiB region (so no write crosses the engine's 16 KiB staging
 * boundary; that path is covered separately, see {@link ConcurrentWriteAtomicityTest}) with
 * 64-byte blocks is cut into stripes of {@value #STRIPE_PATTERN_TEXT} bytes, repeating, owned
 * alternately by writer 0 and writer 1. Stripes do not line up with blocks, so nearly every block
 * holds bytes of both writers, and the short stripes can only be written partially; the long
 * ones, written whole, sometimes cover a block entirely. Each writer writes only inside its own
 * stripes (byte[] writes at a source offset, segment writes, fills, putLong/Int/Short/Byte), a
 * random part of a stripe or the whole of it, and mirrors every write that took effect into a
 * shared {@code byte[]} model: because ownership is disjoint, the model is exact per byte no
 * matter how the writers interleave. A flipper thread, paced by the writers' progress, flips one
 * random bit ({@link FaultInjector#flipRandomDataBitIn}) in each of {@code flips} distinct bytes:
 * two flips in three in a block of a write in progress (waiting for the lock or writing), the
 * rest anywhere. A verifier thread runs {@code verifyIntegrity()} and the {@code findCorruptBlock}
 * loop over the whole region again and again; the writers wait for it when they get more than
 * {@value #WRITES_PER_VERIFIER_PASS} writes ahead of its passes, so it runs throughout. Each
 * configuration runs {@value #ROUNDS} rounds on fresh regions with their own seeds.
 *
 * <p><b>What the writers do with refusals.</b> At {@code STANDARD} and {@code FULL}, and at
 * {@code SAMPLING} when the merge is sampled, a write whose partially covered block is already
 * corrupt throws {@link ErrorCode#CHECKSUM_MISMATCH} and changes nothing: the writer leaves its
 * model alone, notes the block and goes on. At {@code FULL}, a flip landing in a written block
 * between the write and its read-back makes the write throw
 * {@link ErrorCode#WRITE_VERIFICATION_FAILED} after the data and checksums were stored: the writer
 * mirrors that write into the model (its bytes are in memory) and goes on.
 *
 * <p><b>What the model says, and what is allowed.</b> After all threads are joined, for each
 * block: <i>differs</i> = its bytes in memory are not the model's; <i>reported</i> = the
 * {@code findCorruptBlock} loop names it; <i>flipped</i> = some flip landed in it.
 * <ul>
 *   <li><b>laundered = differs and not reported</b> must be 0: memory holds bytes nobody
 *       intended, and the stored checksum agrees with them. The one honest exception would be a
 *       CRC32C collision (the corrupt bytes happen to have the same CRC32C as the intended ones,
 *       probability 2^-32 per corrupt block); it is counted apart as <i>collisions</i> and is
 *       recognisable: CRC32C(memory) = CRC32C(model).</li>
 *   <li>A block that was flipped but no longer differs, and is not reported (<i>healed</i>), is
 *       legitimate only because its flipped byte was rewritten after the flip by a write that
 *       took the block's new checksum from the caller's bytes or from a verified copy: at
 *       {@code STANDARD} and {@code FULL} a write covering the whole block (its checksum comes
 *       from the source), or a partial write whose verified merge ran before the flip landed and
 *       whose copy overwrote the flipped byte after it; at {@code SAMPLING} also a verified
 *       (sampled) merge, or an unverified merge that read the byte's old value before the flip
 *       landed and overwrote it after. Only distinct bytes are flipped, so two flips of the same bit can never
 *       cancel into a block that matches its checksum while differing from the model.</li>
 *   <li><b>Reported but not differing</b> (a stale alarm) is allowed at {@code SAMPLING} only,
 *       and only in flipped blocks: an unverified merge that rewrites a flipped byte derives the
 *       new checksum from the old checksum and the change, so the flip stays in the checksum's
 *       disagreement with memory even though the byte is right again (I1: it is detectable, not
 *       absorbed). At {@code STANDARD} and {@code FULL} every checksum is the CRC32C of the model
 *       (merges are verified, or refused), so reported and differs must coincide.</li>
 *   <li>No block that was never flipped may be reported, at the end or by the concurrent
 *       verifier (no false alarms), and every refused write must name a flipped block.</li>
 * </ul>
 * With no flips the model and memory must agree byte for byte, nothing may be reported and no
 * write refused.
 */
class ConcurrentNoLaunderingTest {

    private static final String STRIPE_PATTERN_TEXT = "40, 150, 24, 90, 13, 200, 57, 130";
    private static final int[] STRIPE_PATTERN = {40, 150, 24, 90, 13, 200, 57, 130};
    private static final int BLOCK = 64;
    private static final int CAPACITY = 16 * 1024;
    private static final int WRITERS = 2;
    private static final int WRITES_PER_WRITER = 20_000;
    private static final int FLIPS = 128;
    /** The writers (together) wait for the verifier once they are this many writes ahead of its passes. */
    private static final int WRITES_PER_VERIFIER_PASS = 200;
    private static final double SAMPLING_RATE = 0.05;
    private static final Duration HANG_GUARD = Duration.ofSeconds(60);
    /** Fresh regions (and seeds) per configuration; figures are printed per round and summed. */
    private static final int ROUNDS = 3;

    private enum Kind { WRITE_ARRAY, WRITE_SEGMENT, FILL, PUT_LONG, PUT_INT, PUT_SHORT, PUT_BYTE }

    static Stream<Arguments> configs() {
        return Stream.of(
                Arguments.of(VerificationLevel.STANDARD, FLIPS),
                Arguments.of(VerificationLevel.FULL, FLIPS),
                Arguments.of(VerificationLevel.SAMPLING, FLIPS),
                Arguments.of(VerificationLevel.STANDARD, 0),
                Arguments.of(VerificationLevel.FULL, 0),
                Arguments.of(VerificationLevel.SAMPLING, 0));
    }

    /** Stripe {@code i} is {@code [starts[i], starts[i + 1])}, owned by writer {@code i % 2}. */
    private static int[] stripeStarts() {
        List<Integer> starts = new ArrayList<>();
        int at = 0;
        for (int i = 0; at < CAPACITY; i++) {
            starts.add(at);
            at = Math.min(CAPACITY, at + STRIPE_PATTERN[i % STRIPE_PATTERN.length]);
        }
        starts.add(CAPACITY);
        return starts.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Everything the threads of one run share. */
    private static final class Run extends ThreadCrew {
        final VerificationLevel level;
        final CheckedRegion region;
        final AtomicMemoryOps memory;
        final byte[] model;
        final int[] stripes;
        final AtomicLong writeProgress = new AtomicLong();
        final AtomicLong verifierPasses = new AtomicLong();
        /** Per writer, the write it is making now: {@code n << 24 | offset << 8 | length} for its n-th write; 0 between writes. */
        final AtomicLongArray inFlight = new AtomicLongArray(WRITERS);
        /** Flips that landed while the write they targeted was still in progress (waiting for the lock or writing). */
        final AtomicLong flipsDuringWrites = new AtomicLong();
        final AtomicBoolean writersDone = new AtomicBoolean();

        final long seed;

        Run(VerificationLevel level, CheckedRegion region, byte[] model, long seed) {
            this.level = level;
            this.seed = seed;
            this.region = region;
            this.memory = region.intoAtomicOps();
            this.model = model;
            this.stripes = stripeStarts();
        }

    }

    /** One writer's figures and the blocks its refusals named; read after join. */
    private static final class WriterTally {
        long writes;
        long refused;
        long verificationFailed;
        long other;
        final List<Long> namedBlocks = new ArrayList<>();
    }

    @ParameterizedTest(name = "{0}, {1} flips")
    @MethodSource("configs")
    void concurrentPartialWritesNeverLaunderConcurrentFlips(VerificationLevel level, int flips) {
        long[] total = new long[Totals.values().length];
        for (int round = 0; round < ROUNDS; round++) {
            int r = round;
            assertTimeoutPreemptively(HANG_GUARD, () -> runRound(level, flips, r, total),
                    "hang guard: round " + round + " did not finish in " + HANG_GUARD);
        }
        StringBuilder line = new StringBuilder();
        for (Totals t : Totals.values()) {
            line.append(line.length() == 0 ? "" : ", ").append(t.label).append('=').append(total[t.ordinal()]);
        }
        System.out.printf(Locale.ROOT, "[concurrent-no-laundering] %-8s flips/round=%-3d TOTAL over %d rounds: %s%n",
                level, flips, ROUNDS, line);
        assertEquals(0, total[Totals.LAUNDERED.ordinal()], "laundered blocks over all rounds");
        if (flips > 0) {
            assertTrue(total[Totals.REPORTED.ordinal()] > 0, "the flips must have left corruption to find");
        }
    }

    /** The figures summed over the rounds of one configuration. */
    private enum Totals {
        MILLIS("ms"), FLIPS("flips"), FLIPS_DURING_WRITES("flips during the write they aimed at"),
        ATTEMPTED("writes attempted"), TOOK_EFFECT("took effect"), READ_BACK_FAILED("of which failed FULL read-back"),
        REFUSED("refused"), VERIFIER_PASSES("verifier passes"), VERIFIER_SAW("blocks the verifier saw corrupt"),
        FLIPPED_BLOCKS("blocks flipped"), CORRUPTED("corrupted (differ from model)"), REPORTED("reported"),
        LAUNDERED("laundered"), COLLISIONS("CRC collisions"), STALE("stale alarms"), HEALED("healed"),
        FALSE_ALARMS("false alarms"), READ_RETRIES("readRetries"), LOCKED_READS("lockedReads");

        final String label;

        Totals(String label) {
            this.label = label;
        }
    }

    private static void runRound(VerificationLevel level, int flips, int round, long[] total) throws InterruptedException {
        try (FixedArena arena = FixedArena.ofShared(1 << 16)) {
            CheckedRegion region = CheckedRegion.builder(arena, CAPACITY).blockSize(BLOCK)
                    .name("concurrent-no-laundering-" + level + "-" + round).verificationLevel(level)
                    .samplingRate(SAMPLING_RATE).samplingSeed(0x1A_0DE7L + round).build();
            long seed = 1000L * level.ordinal() + round;
            byte[] model = new byte[FaultTestSupport.paddedSize(region)];
            new SplittableRandom(0xF00DL + seed).nextBytes(model);
            Run run = new Run(level, region, model, seed);
            run.memory.atomicWriteWithChecksum(0, model, 0, CAPACITY);
            long writesBefore = region.statistics().writes();

            WriterTally[] tallies = new WriterTally[WRITERS];
            List<Thread> writers = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                int id = w;
                tallies[w] = new WriterTally();
                writers.add(run.thread("writer-" + w, () -> writer(run, id, tallies[id])));
            }
            List<Flip> flipped = new ArrayList<>();
            Thread flipper = run.thread("flipper", () -> flipper(run, flips, flipped));
            TreeSet<Long> seenByVerifier = new TreeSet<>();
            long[] verifierPasses = new long[1];
            Thread verifier = run.thread("verifier", () -> verifier(run, seenByVerifier, verifierPasses));

            long t0 = System.nanoTime();
            writers.forEach(Thread::start);
            flipper.start();
            verifier.start();
            run.start.countDown();
            try {
                for (Thread t : writers) {
                    t.join();
                }
                run.writersDone.set(true);
                flipper.join();
                verifier.join();
            } finally {
                run.stop.set(true);
            }
            long millis = (System.nanoTime() - t0) / 1_000_000;

            // ---- the verdict, single-threaded
            AtomicMemoryOps memory = run.memory;
            TreeSet<Long> reported = new TreeSet<>();
            for (long b = memory.findCorruptBlock(0); b >= 0; b = memory.findCorruptBlock(b + 1)) {
                reported.add(b);
            }
            TreeSet<Long> flippedBlocks = new TreeSet<>();
            for (Flip f : flipped) {
                flippedBlocks.add(f.block());
            }
            long corrupted = 0;
            long laundered = 0;
            long collisions = 0;
            long stale = 0;
            long healed = 0;
            List<String> launderedBlocks = new ArrayList<>();
            for (long b = 0; b < region.blockCount(); b++) {
                byte[] now = blockInMemory(region, b);
                boolean differs = !Arrays.equals(now, 0, BLOCK, model, (int) (b * BLOCK), (int) (b * BLOCK) + BLOCK);
                boolean isReported = reported.contains(b);
                if (differs) {
                    corrupted++;
                    if (!isReported) {
                        if (crc32c(now, 0, BLOCK) == crcOfModelBlock(model, b, BLOCK)) {
                            collisions++;
                        } else {
                            laundered++;
                            launderedBlocks.add("block " + b + " (stored "
                                    + Integer.toHexString(FaultTestSupport.storedChecksum(region, b)) + ", CRC32C of memory "
                                    + Integer.toHexString(crc32c(now, 0, BLOCK)) + ", of the model "
                                    + Integer.toHexString(crcOfModelBlock(model, b, BLOCK)) + ")");
                        }
                    }
                } else if (isReported) {
                    stale++;
                } else if (flippedBlocks.contains(b)) {
                    healed++;
                }
            }
            TreeSet<Long> falseAlarms = new TreeSet<>(reported);
            falseAlarms.addAll(seenByVerifier);
            falseAlarms.removeAll(flippedBlocks);
            TreeSet<Long> refusalsOnCleanBlocks = new TreeSet<>();
            long writes = 0;
            long refused = 0;
            long verificationFailed = 0;
            long other = 0;
            for (WriterTally t : tallies) {
                writes += t.writes;
                refused += t.refused;
                verificationFailed += t.verificationFailed;
                other += t.other;
                for (long b : t.namedBlocks) {
                    if (!flippedBlocks.contains(b)) {
                        refusalsOnCleanBlocks.add(b);
                    }
                }
            }
            System.out.printf(Locale.ROOT,
                    "[concurrent-no-laundering] %-8s flips=%-3d round %d (%d flips during the write they aimed at) %5d ms | writes attempted=%d, took effect=%d (of which %d failed read-back), "
                            + "refused=%d | verifier passes=%d, blocks it saw corrupt=%d | blocks: flipped=%d, corrupted (differ from model)=%d, "
                            + "reported=%d, laundered=%d, CRC collisions=%d, stale alarms=%d, healed=%d | false alarms=%d | statistics: %s%n",
                    level, flips, round, run.flipsDuringWrites.get(), millis, (long) WRITERS * WRITES_PER_WRITER, writes, verificationFailed, refused,
                    verifierPasses[0], seenByVerifier.size(), flippedBlocks.size(), corrupted, reported.size(), laundered,
                    collisions, stale, healed, falseAlarms.size(), region.statistics());

            long[] figures = {millis, flipped.size(), run.flipsDuringWrites.get(), (long) WRITERS * WRITES_PER_WRITER, writes,
                verificationFailed, refused, verifierPasses[0], seenByVerifier.size(), flippedBlocks.size(), corrupted,
                reported.size(), laundered, collisions, stale, healed, falseAlarms.size(),
                region.statistics().readRetries(), region.statistics().lockedReads()};
            for (int i = 0; i < figures.length; i++) {
                total[i] += figures[i];
            }

            String log = " (" + run.problemCount.get() + " problems; first: " + run.problems + ")";
            // "Completed write operations": a FULL write that stored its bytes and then failed its
            // read-back threw, and is not counted (see MemoryStatistics.writes()).
            long expectedWrites = writes - verificationFailed;
            long staleAlarms = stale;
            long corruptedBlocks = corrupted;
            long launderedCount = laundered;
            long refusedCount = refused;
            long otherCount = other;
            assertAll("concurrent no-laundering at " + level + " with " + flips + " flips, round " + round,
                    () -> assertEquals(0, launderedCount, "I1: blocks differ from the intended data and verify clean: " + launderedBlocks),
                    () -> assertTrue(falseAlarms.isEmpty(), "blocks reported that no flip ever touched (false alarms): " + falseAlarms),
                    () -> assertTrue(refusalsOnCleanBlocks.isEmpty(),
                            "writes refused naming blocks no flip ever touched: " + refusalsOnCleanBlocks),
                    () -> assertEquals(0, otherCount, "unexpected exceptions" + log),
                    () -> assertEquals(0, run.problemCount.get(), "problems" + log),
                    () -> assertEquals(flips, flipped.size(), "flips made"),
                    () -> assertEquals(writesBefore + expectedWrites, region.statistics().writes(),
                            "statistics().writes() counts the completed writes: not refused, not failed at read-back"),
                    () -> {
                        if (level != VerificationLevel.SAMPLING) {
                            assertEquals(0, staleAlarms, "reported blocks whose bytes are right: at " + level
                                    + " every checksum must be the CRC32C of the intended data");
                        }
                    },
                    () -> {
                        if (flips == 0) {
                            assertEquals(0, corruptedBlocks, "no flips, yet memory differs from the model");
                            assertTrue(reported.isEmpty(), "no flips, yet blocks reported: " + reported);
                            assertTrue(seenByVerifier.isEmpty(), "no flips, yet the concurrent verifier saw corruption in " + seenByVerifier);
                            assertEquals(0, refusedCount, "no flips, yet writes refused");
                        }
                    });
        }
    }

    // ---------------------------------------------------------------- writers

    private static void writer(Run run, int id, WriterTally t) {
        SplittableRandom rnd = new SplittableRandom(0xA11CEL * (id + 1) + run.seed);
        int[] own = ownStripes(run.stripes, id);
        Kind[] kinds = Kind.values();
        byte[] src = new byte[256];
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(256);
            for (int i = 0; i < WRITES_PER_WRITER && !run.stop.get(); i++) {
                for (int round = 0; run.writeProgress.get() > (run.verifierPasses.get() + 1) * WRITES_PER_VERIFIER_PASS
                        && !run.stop.get(); round++) {
                    if (round < 64) {
                        Thread.onSpinWait();
                    } else {
                        Thread.yield();
                    }
                }
                int stripe = own[rnd.nextInt(own.length)];
                int lo = run.stripes[stripe];
                int hi = run.stripes[stripe + 1];
                Kind kind = kinds[rnd.nextInt(kinds.length)];
                int len = switch (kind) {
                    case PUT_LONG -> Long.BYTES;
                    case PUT_INT -> Integer.BYTES;
                    case PUT_SHORT -> Short.BYTES;
                    case PUT_BYTE -> 1;
                    default -> rnd.nextInt(4) == 0 ? hi - lo : 1 + rnd.nextInt(hi - lo);
                };
                if (len > hi - lo) {
                    kind = Kind.WRITE_ARRAY;
                    len = hi - lo;
                }
                int off = lo + rnd.nextInt(hi - lo - len + 1);
                int pad = rnd.nextInt(8);
                if (kind == Kind.FILL) {
                    Arrays.fill(src, pad, pad + len, (byte) rnd.nextInt(256));
                } else {
                    for (int j = 0; j < len; j++) {
                        src[pad + j] = (byte) rnd.nextInt(256);
                    }
                }
                boolean tookEffect;
                run.inFlight.set(id, ((long) (i + 1) << 24) | ((long) off << 8) | len);
                try {
                    apply(run.memory, kind, off, src, pad, len, seg);
                    tookEffect = true;
                } catch (IntegrityException e) {
                    t.namedBlocks.add(e.block());
                    if (e.code() == ErrorCode.WRITE_VERIFICATION_FAILED && run.level == VerificationLevel.FULL) {
                        t.verificationFailed++;
                        tookEffect = true;
                    } else if (e.code() == ErrorCode.CHECKSUM_MISMATCH) {
                        t.refused++;
                        tookEffect = false;
                    } else {
                        t.other++;
                        run.problem("write " + kind + " [" + off + ", " + (off + len) + ") threw " + e);
                        tookEffect = false;
                    }
                } catch (RuntimeException e) {
                    t.other++;
                    run.problem("write " + kind + " [" + off + ", " + (off + len) + ") threw " + e);
                    tookEffect = false;
                }
                run.inFlight.set(id, 0);
                if (tookEffect) {
                    System.arraycopy(src, pad, run.model, off, len);
                    t.writes++;
                }
                run.writeProgress.incrementAndGet();
            }
        }
    }

    private static int[] ownStripes(int[] stripes, int writer) {
        return IntStream.range(0, stripes.length - 1).filter(i -> i % WRITERS == writer).toArray();
    }

    private static void apply(AtomicMemoryOps memory, Kind kind, long off, byte[] src, int pad, int len, MemorySegment seg) {
        switch (kind) {
            case WRITE_ARRAY -> memory.atomicWriteWithChecksum(off, src, pad, len);
            case WRITE_SEGMENT -> {
                MemorySegment.copy(src, pad, seg, ValueLayout.JAVA_BYTE, 8 - pad, len);
                memory.atomicWriteWithChecksum(off, seg, 8 - pad, len);
            }
            case FILL -> memory.atomicFill(off, len, src[pad]);
            case PUT_LONG -> memory.putLong(off, littleEndian(src, pad, Long.BYTES));
            case PUT_INT -> memory.putInt(off, (int) littleEndian(src, pad, Integer.BYTES));
            case PUT_SHORT -> memory.putShort(off, (short) littleEndian(src, pad, Short.BYTES));
            case PUT_BYTE -> memory.putByte(off, src[pad]);
        }
    }

    private static long littleEndian(byte[] b, int at, int n) {
        long v = 0;
        for (int i = 0; i < n; i++) {
            v |= (b[at + i] & 0xFFL) << (8 * i);
        }
        return v;
    }

    // ---------------------------------------------------------------- flipper and verifier

    /**
     * Flips one random bit in each of {@code flips} distinct bytes, the i-th once the writers
     * have made i/(flips + 1) of their writes, so the flips land throughout the run. Two flips in
     * three aim at the blocks of a write in progress (a random byte of the blocks the write
     * touches, not flipped before), so that they land around, under and during partial writes;
     * the rest, or when no write is in progress, hit a random byte not flipped before.
     */
    private static void flipper(Run run, int flips, List<Flip> flipped) {
        SplittableRandom rnd = new SplittableRandom(0xF11BL + run.seed);
        FaultInjector faults = FaultInjector.of(run.region, 0xF11B_0000L + run.seed);
        BitSet used = new BitSet(CAPACITY);
        long total = (long) WRITERS * WRITES_PER_WRITER;
        for (int i = 0; i < flips && !run.stop.get(); i++) {
            long due = (i + 1) * total / (flips + 1);
            while (run.writeProgress.get() < due && !run.writersDone.get() && !run.stop.get()) {
                Thread.yield();
            }
            int target = -1;
            int writer = rnd.nextInt(WRITERS);
            long write = 0;
            if (rnd.nextInt(3) != 0) {
                for (int spin = 0; spin < 10_000 && write == 0 && !run.writersDone.get(); spin++) {
                    write = run.inFlight.get(writer);
                    if (write == 0) {
                        Thread.onSpinWait();
                    }
                }
                if (write != 0) {
                    int off = (int) ((write >>> 8) & 0xFFFF);
                    int len = (int) (write & 0xFF);
                    int first = off / BLOCK * BLOCK;
                    int span = ((off + len - 1) / BLOCK + 1) * BLOCK - first;
                    for (int attempt = 0; attempt < 64 && target < 0; attempt++) {
                        int candidate = first + rnd.nextInt(span);
                        if (candidate < CAPACITY && !used.get(candidate)) {
                            target = candidate;
                        }
                    }
                }
            }
            if (target < 0) {
                write = 0;
                target = used.nextClearBit(rnd.nextInt(CAPACITY));
                if (target >= CAPACITY) {
                    target = used.nextClearBit(0);
                }
            }
            used.set(target);
            flipped.add(faults.flipRandomDataBitIn(target, 1));
            if (write != 0 && run.inFlight.get(writer) == write) {
                run.flipsDuringWrites.incrementAndGet();
            }
        }
    }

    /**
     * While the writers write: {@code verifyIntegrity()} (naming at most the first corrupt block)
     * and the {@code findCorruptBlock} loop, over and over; notes every block either names.
     */
    private static void verifier(Run run, TreeSet<Long> seen, long[] passes) {
        while (!run.writersDone.get() && !run.stop.get()) {
            try {
                run.memory.verifyIntegrity();
            } catch (IntegrityException e) {
                seen.add(e.block());
            } catch (RuntimeException e) {
                run.problem("verifyIntegrity threw " + e);
            }
            try {
                for (long b = run.memory.findCorruptBlock(0); b >= 0; b = run.memory.findCorruptBlock(b + 1)) {
                    seen.add(b);
                }
            } catch (RuntimeException e) {
                run.problem("findCorruptBlock threw " + e);
            }
            passes[0]++;
            run.verifierPasses.incrementAndGet();
            Thread.yield();
        }
    }
}
