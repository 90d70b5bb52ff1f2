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
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * "Refused means nothing written" when the corruption arrives <em>during</em> the operation: the
 * all-or-nothing promise of {@link AtomicMemoryOps#atomicWriteWithChecksum} ("nothing written")
 * and {@link AtomicMemoryOps#atomicCopyWithin} ("nothing is moved") for an
 * {@link IntegrityException}, against a flipper thread that takes no lock, as a cosmic ray or a
 * stray native write would not.
 *
 * <p>Each round, the test thread makes one operation of {@value #LEN} bytes at {@value #OFF},
 * whose range crosses the engine's 16 KiB staging boundaries, so the engine works in three
 * chunks, {@code [384, 16384)}, {@code [16384, 32768)}, {@code [32768, 32869)}. Before it starts,
 * a flipper thread flips one random bit in what the engine checks both first and last, and keeps
 * toggling it (a flicker) until the operation has returned, then leaves it as it found it: for a
 * write, and for a copy in the {@code _DST_EDGE} flavour, a byte of {@code [32869, 33024)}, the
 * untouched part of the destination's tail edge block; for a copy, a source byte of its last
 * chunk. Each of the engine's checks of that byte sees it right or flipped, at random.
 *
 * <p>Whatever the interleaving, the operation must either take effect whole, or throw
 * {@link ErrorCode#CHECKSUM_MISMATCH} with the region's data and checksums exactly as they were
 * (the flipper restores its bit before they are compared). The one documented exception is a copy
 * whose <em>source</em> goes bad after the up-front check: its bytes would become checksums, so
 * the copy must stop at that chunk rather than launder them, and with bounded memory it cannot undo
 * the chunks before. Its exception then names the destination bytes already moved, and exactly
 * those must have changed, to the source's bytes, with their checksums (counted as "stopped
 * part-way"); anything else changed is still a failure. At {@code FULL},
 * {@link ErrorCode#WRITE_VERIFICATION_FAILED} (the read-back caught the flicker after the data was
 * stored) is documented as "written" and counts as taking effect. The write of the same bytes
 * from a {@code byte[]}, which the engine does in one step, is the control. A copy gets fresh
 * source bytes every round, so that a partial copy is visible.
 *
 * <p>How many rounds see the flicker change between two of the engine's checks depends on the
 * scheduler, so the counts vary from run to run; what is asserted (refused implies unchanged)
 * must hold for every interleaving.
 */
class ConcurrentWriteAtomicityTest {

    private static final int BLOCK = 256;
    private static final int CAPACITY = 128 * 1024;
    private static final int STAGING = 16 * 1024;
    private static final int OFF = 384;
    /** Three chunks: [384, 16384), [16384, 32768), [32768, 32869). */
    private static final int LEN = 2 * STAGING - OFF + 101;
    private static final int END = OFF + LEN;
    private static final int TAIL_BLOCK_END = (END / BLOCK + 1) * BLOCK;
    private static final int COPY_SOURCE = 64 * 1024 + 100;
    private static final int ROUNDS = 300;
    private static final Duration HANG_GUARD = Duration.ofSeconds(60);
    /** How a copy that met corruption in its source after moving some chunks says what it moved. */
    private static final Pattern MOVED = Pattern.compile("after moving destination bytes \\[(\\d+), (\\d+)\\)");

    /** The operation, and where the flipper aims. */
    private enum Op {
        /** Segment write, three chunks; flicker in the untouched bytes of its tail edge block. */
        WRITE_SEGMENT,
        /** Copy, three chunks; flicker in the source bytes of its last chunk. */
        COPY_WITHIN,
        /** The same copy; flicker in the untouched bytes of its destination's tail edge block. */
        COPY_WITHIN_DST_EDGE,
        /** The control: the segment write's bytes from a byte[], in one step; same flicker. */
        WRITE_ARRAY
    }

    static Stream<Arguments> configs() {
        return Stream.of(
                Arguments.of(VerificationLevel.STANDARD, Op.WRITE_SEGMENT),
                Arguments.of(VerificationLevel.FULL, Op.WRITE_SEGMENT),
                Arguments.of(VerificationLevel.STANDARD, Op.COPY_WITHIN),
                Arguments.of(VerificationLevel.FULL, Op.COPY_WITHIN),
                Arguments.of(VerificationLevel.STANDARD, Op.COPY_WITHIN_DST_EDGE),
                Arguments.of(VerificationLevel.FULL, Op.COPY_WITHIN_DST_EDGE),
                Arguments.of(VerificationLevel.STANDARD, Op.WRITE_ARRAY),
                Arguments.of(VerificationLevel.FULL, Op.WRITE_ARRAY));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("configs")
    void anOperationRefusedForCorruptionArrivingMidOperationChangesNothing(VerificationLevel level, Op op) {
        assertTimeoutPreemptively(HANG_GUARD, () -> runAt(level, op), "hang guard: the run did not finish in " + HANG_GUARD);
    }

    private static void runAt(VerificationLevel level, Op op) throws InterruptedException {
        try (FixedArena arena = FixedArena.ofShared(1 << 21); Arena scratch = Arena.ofConfined()) {
            CheckedRegion region = CheckedRegion.builder(arena, CAPACITY).blockSize(BLOCK)
                    .name("mid-write-" + level + "-" + op).verificationLevel(level).build();
            AtomicMemoryOps memory = region.intoAtomicOps();
            SplittableRandom rnd = new SplittableRandom(0xA70_0000L + 16L * level.ordinal() + op.ordinal());
            byte[] content = new byte[CAPACITY];
            rnd.nextBytes(content);
            memory.atomicWriteWithChecksum(0, content);
            MemorySegment src = scratch.allocate(LEN);
            byte[] srcArray = new byte[LEN];
            // The bytes the flipper may hit, and the range whose data and checksums a refusal must leave alone.
            int flipFrom = op == Op.COPY_WITHIN ? COPY_SOURCE + (2 * STAGING - OFF) : END;
            int flipTo = op == Op.COPY_WITHIN ? COPY_SOURCE + LEN : TAIL_BLOCK_END;
            int watchedEnd = TAIL_BLOCK_END;

            // Each round: armed -> the flipper flips one random bit of [flipFrom, flipTo) and keeps
            // toggling it (a flicker), saying so (flickering); the test thread starts the operation
            // only then, and says when it has returned (finished); the flipper leaves the bit as it
            // found it and reports done. Each check the engine makes of that bit during the
            // operation sees it right or flipped, at random.
            AtomicInteger armed = new AtomicInteger();
            AtomicInteger flickering = new AtomicInteger();
            AtomicInteger finished = new AtomicInteger();
            AtomicInteger done = new AtomicInteger();
            AtomicLong toggles = new AtomicLong();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicReference<Flip> lastFlip = new AtomicReference<>();
            AtomicReference<Throwable> flipperDied = new AtomicReference<>();
            Thread flipper = new Thread(() -> {
                SplittableRandom frnd = new SplittableRandom(0xF1_1100L + level.ordinal());
                FaultInjector faults = FaultInjector.of(region, 0xF1_1101L + op.ordinal());
                try {
                    for (int round = 1; round <= ROUNDS && !stop.get(); round++) {
                        awaitAtLeast(armed, round, stop);
                        Flip flip = faults.flipRandomDataBitIn(flipFrom, flipTo - flipFrom);
                        lastFlip.set(flip);
                        flickering.set(round);
                        boolean flipped = true;
                        while (finished.get() < round && !stop.get()) {
                            for (int i = frnd.nextInt(32); i > 0; i--) {
                                Thread.onSpinWait();
                            }
                            faults.undo(flip);
                            flipped = !flipped;
                            toggles.incrementAndGet();
                        }
                        if (flipped) {
                            faults.undo(flip);
                        }
                        done.set(round);
                    }
                } catch (Throwable e) {
                    flipperDied.set(e);
                    flickering.set(Integer.MAX_VALUE);
                    done.set(Integer.MAX_VALUE);
                }
            }, "flipper");
            flipper.setDaemon(true);
            flipper.start();

            long tookEffect = 0;
            long refused = 0;
            long refusedButChanged = 0;
            long stoppedPartWay = 0;
            long otherFailures = 0;
            String firstChanged = null;
            long t0 = System.nanoTime();
            try {
                for (int round = 1; round <= ROUNDS; round++) {
                    rnd.nextBytes(srcArray);
                    MemorySegment.copy(srcArray, 0, src, ValueLayout.JAVA_BYTE, 0, LEN);
                    if (op != Op.WRITE_SEGMENT && op != Op.WRITE_ARRAY) {
                        // Fresh source bytes each round, or a partial copy would rewrite what is already there.
                        memory.atomicWriteWithChecksum(COPY_SOURCE, srcArray);
                    }
                    byte[] dataBefore = slice(FaultTestSupport.data(region), 0, watchedEnd);
                    byte[] sumsBefore = slice(FaultTestSupport.checksums(region), 0, (long) watchedEnd / BLOCK * Integer.BYTES);
                    byte[] copySource = op == Op.COPY_WITHIN || op == Op.COPY_WITHIN_DST_EDGE ? slice(FaultTestSupport.data(region), COPY_SOURCE, LEN) : null;
                    armed.set(round);
                    awaitAtLeast(flickering, round, stop);
                    IntegrityException refusal = null;
                    try {
                        switch (op) {
                            case WRITE_SEGMENT -> memory.atomicWriteWithChecksum(OFF, src, 0, LEN);
                            case WRITE_ARRAY -> memory.atomicWriteWithChecksum(OFF, srcArray, 0, LEN);
                            case COPY_WITHIN, COPY_WITHIN_DST_EDGE -> memory.atomicCopyWithin(COPY_SOURCE, OFF, LEN);
                        }
                    } catch (IntegrityException e) {
                        refusal = e;
                    }
                    finished.set(round);
                    awaitAtLeast(done, round, stop);
                    if (flipperDied.get() != null) {
                        throw new AssertionError("flipper died", flipperDied.get());
                    }
                    Flip flip = lastFlip.get();
                    if (refusal == null) {
                        tookEffect++;
                    } else if (refusal.code() == ErrorCode.CHECKSUM_MISMATCH
                            || (refusal.code() == ErrorCode.WRITE_VERIFICATION_FAILED && level == VerificationLevel.FULL)) {
                        if (refusal.code() == ErrorCode.WRITE_VERIFICATION_FAILED) {
                            // FULL's read-back found the flip after storing: documented as written.
                            tookEffect++;
                        } else {
                            refused++;
                            byte[] dataAfter = slice(FaultTestSupport.data(region), 0, watchedEnd);
                            byte[] sumsAfter = slice(FaultTestSupport.checksums(region), 0, (long) watchedEnd / BLOCK * Integer.BYTES);
                            int firstData = Arrays.mismatch(dataBefore, dataAfter);
                            int firstSum = Arrays.mismatch(sumsBefore, sumsAfter);
                            Matcher moved = MOVED.matcher(refusal.getMessage());
                            if (op == Op.COPY_WITHIN && moved.find() && movedExactly(Integer.parseInt(moved.group(1)),
                                    Integer.parseInt(moved.group(2)), dataBefore, dataAfter, copySource)) {
                                stoppedPartWay++;
                            } else if (firstData >= 0 || firstSum >= 0) {
                                refusedButChanged++;
                                if (firstChanged == null) {
                                    int lastData = lastMismatch(dataBefore, dataAfter);
                                    firstChanged = String.format(Locale.ROOT,
                                            "round %d: %s threw %s, yet data bytes [%d, %d] changed%s; %s",
                                            round, op, refusal.getMessage(), firstData, lastData,
                                            firstSum >= 0 ? " and the checksum of block " + firstSum / Integer.BYTES : "", flip);
                                }
                            }
                        }
                    } else {
                        otherFailures++;
                        if (firstChanged == null) {
                            firstChanged = "round " + round + ": unexpected " + refusal;
                        }
                    }
                    // The flipper left its bit as it found it (outside what the operation writes): the region is clean.
                    if (copySource != null) {
                        assertTrue(Arrays.equals(copySource, slice(FaultTestSupport.data(region), COPY_SOURCE, LEN)),
                                "the copy's source changed");
                    }
                    memory.verifyIntegrity();
                }
            } finally {
                stop.set(true);
            }
            flipper.join();
            long millis = (System.nanoTime() - t0) / 1_000_000;
            System.out.printf(Locale.ROOT,
                    "[mid-write-flips] %-8s %-20s %5d ms | rounds=%d (%d toggles of the flickering bit): took effect=%d, refused=%d (stopped part-way, as named=%d), refused but changed=%d, other=%d%s%n",
                    level, op, millis, ROUNDS, toggles.get(), tookEffect, refused, stoppedPartWay, refusedButChanged, otherFailures,
                    firstChanged == null ? "" : " | first: " + firstChanged);
            long rbc = refusedButChanged;
            long other = otherFailures;
            String first = firstChanged;
            assertAll(level + " " + op,
                    () -> assertEquals(0, rbc, "an operation refused with an IntegrityException changed the region; first: " + first),
                    () -> assertEquals(0, other, "unexpected failures; first: " + first));
        }
    }

    /** Spins, then yields, until {@code value} reaches {@code target} (or {@code stop} is set). */
    private static void awaitAtLeast(AtomicInteger value, int target, AtomicBoolean stop) {
        for (int spin = 0; value.get() < target && !stop.get(); spin++) {
            if (spin < 1_000) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
    }

    /**
     * Whether a copy that stopped part-way changed exactly {@code [from, to)} of the destination,
     * whole 16 KiB chunks, to the source's bytes (that its checksums match is checked by the
     * round's {@code verifyIntegrity}).
     */
    private static boolean movedExactly(int from, int to, byte[] before, byte[] after, byte[] source) {
        if (from < OFF || to > END || from >= to || (from != OFF && from % STAGING != 0) || (to != END && to % STAGING != 0)) {
            return false;
        }
        return Arrays.equals(before, 0, from, after, 0, from)
                && Arrays.equals(before, to, before.length, after, to, after.length)
                && Arrays.equals(after, from, to, source, from - OFF, to - OFF);
    }

    private static byte[] slice(MemorySegment segment, long from, long length) {
        return segment.asSlice(from, length).toArray(ValueLayout.JAVA_BYTE);
    }

    private static int lastMismatch(byte[] a, byte[] b) {
        for (int i = a.length - 1; i >= 0; i--) {
            if (a[i] != b[i]) {
                return i;
            }
        }
        return -1;
    }
}
