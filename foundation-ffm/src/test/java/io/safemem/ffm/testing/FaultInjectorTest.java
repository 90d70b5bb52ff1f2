package io.safemem.ffm.testing;

import io.safemem.BoundsException;
import io.safemem.ConcurrencyException;
import io.safemem.ErrorCode;
import io.safemem.IntegrityException;
import io.safemem.MemoryStatistics;
import io.safemem.SafeMemoryException;
import io.safemem.StateException;
import io.safemem.ValidationException;
import io.safemem.VerificationLevel;
import io.safemem.ffm.CheckedRegion;
import io.safemem.ffm.FixedArena;
import io.safemem.ffm.SafeMemoryHandler;
import io.safemem.ffm.internal.RawRegionAccess;
import io.safemem.ffm.testing.FaultInjector.Flip;
import io.safemem.ffm.testing.FaultInjector.Target;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The fault injector itself: what it flips, what it reports, undo, determinism and argument checks. */
class FaultInjectorTest {

    private static final ValueLayout.OfInt STORED_CRC = ValueLayout.JAVA_INT.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** Not a multiple of the block size: 16 blocks of 64, the last one partly padding. */
    private static final long CAPACITY = 1000;
    private static final int BLOCK = 64;

    private FixedArena arena;
    private CheckedRegion region;
    private SafeMemoryHandler memory;
    private MemorySegment data;
    private MemorySegment checksums;

    @BeforeEach
    void setUp() {
        arena = FixedArena.ofConfined(1 << 20);
        region = newRegion("injected");
        memory = region.handler();
        fillRandom(memory, 1);
        data = RawRegionAccess.accessor().data(region);
        checksums = RawRegionAccess.accessor().checksums(region);
    }

    @AfterEach
    void tearDown() {
        arena.close();
    }

    private CheckedRegion newRegion(String name) {
        return CheckedRegion.builder(arena, CAPACITY).blockSize(BLOCK).name(name).build();
    }

    private static void fillRandom(SafeMemoryHandler handler, long seed) {
        byte[] bytes = new byte[(int) handler.provider().capacity()];
        new Random(seed).nextBytes(bytes);
        handler.write(0, bytes);
    }

    private byte[] dataNow() {
        return data.toArray(ValueLayout.JAVA_BYTE);
    }

    private byte[] sumsNow() {
        return checksums.toArray(ValueLayout.JAVA_BYTE);
    }

    @Test
    void dataFlipChangesExactlyThatBitAndReportsIt() {
        FaultInjector faults = FaultInjector.of(region, 1);
        byte[] data0 = dataNow();
        byte[] sums0 = sumsNow();
        for (long offset : new long[] {0, 1, 63, 64, 500, 959, 960, 999}) {
            for (int bit = 0; bit < 8; bit++) {
                Flip flip = faults.flipDataBit(offset, bit);
                assertEquals(new Flip(Target.DATA, offset, bit, offset / BLOCK), flip);
                byte[] expected = data0.clone();
                expected[(int) offset] ^= (byte) (1 << bit);
                assertArrayEquals(expected, dataNow(), "exactly bit " + bit + " of byte " + offset + " flipped");
                assertArrayEquals(sums0, sumsNow(), "a data flip leaves the checksums alone");
                faults.undo(flip);
                assertArrayEquals(data0, dataNow(), "undo restores the byte");
            }
        }
    }

    @Test
    void checksumFlipChangesExactlyThatBitOfTheStoredChecksumAndReportsIt() {
        FaultInjector faults = FaultInjector.of(region, 1);
        byte[] data0 = dataNow();
        byte[] sums0 = sumsNow();
        long blocks = region.blockCount();
        assertEquals(16, blocks);
        for (long block : new long[] {0, 1, 7, blocks - 1}) {
            for (int bit = 0; bit < 32; bit++) {
                int before = checksums.getAtIndex(STORED_CRC, block);
                Flip flip = faults.flipChecksumBit(block, bit);
                assertEquals(new Flip(Target.CHECKSUM, block * Integer.BYTES + bit / 8, bit % 8, block), flip);
                assertEquals(1 << bit, before ^ checksums.getAtIndex(STORED_CRC, block),
                        "bit " + bit + " of block " + block + "'s checksum flipped, and only it");
                byte[] expected = sums0.clone();
                expected[(int) flip.byteOffset()] ^= (byte) (1 << flip.bit());
                assertArrayEquals(expected, sumsNow());
                assertArrayEquals(data0, dataNow(), "a checksum flip leaves the data alone");
                faults.undo(flip);
                assertArrayEquals(sums0, sumsNow());
            }
        }
    }

    @Test
    void flipsAreWhatTheRegionReportsAndUndoMakesItCleanAgain() {
        FaultInjector faults = FaultInjector.of(region, 2);
        for (int i = 0; i < 200; i++) {
            Flip flip = faults.flipRandomBit();
            IntegrityException e = assertThrows(IntegrityException.class, memory::verifyIntegrity);
            assertEquals(flip.block(), e.block(), "the block a flip names is the block the region reports");
            faults.undo(flip);
            assertDoesNotThrow(memory::verifyIntegrity);
        }
    }

    @Test
    void undoRestoresBytesExactlyAfterManyFlipsInAnyOrderAndTouchesNoCounter() {
        FaultInjector faults = FaultInjector.of(region, 3);
        byte[] data0 = dataNow();
        byte[] sums0 = sumsNow();
        MemoryStatistics stats = region.statistics();
        String counters0 = stats.toString();
        List<Flip> flips = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            flips.add(switch (i % 4) {
                case 0 -> faults.flipRandomBit();
                case 1 -> faults.flipRandomDataBit();
                case 2 -> faults.flipRandomChecksumBit();
                default -> faults.flipRandomDataBitIn(i % 900, 100);
            });
        }
        flips.add(faults.flipDataBit(10, 3));
        flips.add(faults.flipDataBit(10, 3)); // the same bit twice: back to the original value
        assertEquals(counters0, stats.toString(), "the injector changes no counter");
        assertTrue(!Arrays.equals(data0, dataNow()) && !Arrays.equals(sums0, sumsNow()), "the flips did change data and checksums");
        Collections.shuffle(flips, new Random(3));
        for (Flip flip : flips) {
            faults.undo(flip);
        }
        assertArrayEquals(data0, dataNow(), "data restored exactly");
        assertArrayEquals(sums0, sumsNow(), "checksums restored exactly");
        assertEquals(counters0, stats.toString(), "undo changes no counter");
        assertDoesNotThrow(memory::verifyIntegrity);
    }

    @Test
    void sameSeedSameFlipsDifferentSeedDifferentFlips() {
        CheckedRegion twin = newRegion("twin");
        SafeMemoryHandler twinMemory = twin.handler();
        fillRandom(twinMemory, 1);
        MemorySegment twinData = RawRegionAccess.accessor().data(twin);
        MemorySegment twinSums = RawRegionAccess.accessor().checksums(twin);

        List<Flip> a = randomFlips(FaultInjector.of(region, 42));
        List<Flip> b = randomFlips(FaultInjector.of(twin, 42));
        assertEquals(a, b, "same seed, same geometry: same flips");
        assertArrayEquals(dataNow(), twinData.toArray(ValueLayout.JAVA_BYTE), "and the same bytes flipped");
        assertArrayEquals(sumsNow(), twinSums.toArray(ValueLayout.JAVA_BYTE));

        List<Flip> c = randomFlips(FaultInjector.of(twin, 43));
        assertNotEquals(a, c, "another seed, other flips");
    }

    private static List<Flip> randomFlips(FaultInjector faults) {
        List<Flip> flips = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            flips.add(switch (i % 4) {
                case 0 -> faults.flipRandomBit();
                case 1 -> faults.flipRandomDataBit();
                case 2 -> faults.flipRandomChecksumBit();
                default -> faults.flipRandomDataBitIn(100, 300);
            });
        }
        return flips;
    }

    @Test
    void flipRandomDataBitInStaysInItsRangeAndCoversIt() {
        FaultInjector faults = FaultInjector.of(region, 4);
        SplittableRandom rnd = new SplittableRandom(4);
        byte[] data0 = dataNow();
        for (int i = 0; i < 5000; i++) {
            long offset = rnd.nextLong(CAPACITY);
            long length = 1 + rnd.nextLong(Math.min(200, CAPACITY - offset));
            Flip flip = faults.flipRandomDataBitIn(offset, length);
            assertEquals(Target.DATA, flip.target());
            assertTrue(flip.byteOffset() >= offset && flip.byteOffset() < offset + length,
                    () -> flip + " outside [" + offset + ", " + (offset + length) + ")");
            assertTrue(flip.bit() >= 0 && flip.bit() < 8);
            assertEquals(flip.byteOffset() / BLOCK, flip.block());
            faults.undo(flip);
        }
        assertArrayEquals(data0, dataNow());

        Set<Long> offsets = new HashSet<>();
        Set<Integer> bits = new HashSet<>();
        for (int i = 0; i < 400; i++) {
            Flip flip = faults.flipRandomDataBitIn(997, 3); // the last three bytes
            offsets.add(flip.byteOffset());
            bits.add(flip.bit());
            faults.undo(flip);
        }
        assertEquals(Set.of(997L, 998L, 999L), offsets, "every byte of the range can be hit, none outside");
        assertEquals(8, bits.size(), "every bit can be hit");
        for (int i = 0; i < 50; i++) {
            Flip one = faults.flipRandomDataBitIn(123, 1);
            assertEquals(123, one.byteOffset());
            faults.undo(one);
        }
    }

    @Test
    void randomChecksumAndMixedFlipsStayInTheirTargets() {
        FaultInjector faults = FaultInjector.of(region, 5);
        int checksumFlips = 0;
        int n = 20_000;
        for (int i = 0; i < n; i++) {
            Flip sum = faults.flipRandomChecksumBit();
            assertEquals(Target.CHECKSUM, sum.target());
            assertTrue(sum.block() >= 0 && sum.block() < region.blockCount());
            assertTrue(sum.byteOffset() >= sum.block() * 4 && sum.byteOffset() < sum.block() * 4 + 4);
            assertTrue(sum.bit() >= 0 && sum.bit() < 8);
            faults.undo(sum);

            Flip any = faults.flipRandomBit();
            if (any.target() == Target.CHECKSUM) {
                checksumFlips++;
            } else {
                assertTrue(any.byteOffset() >= 0 && any.byteOffset() < CAPACITY, "data flips stay below the capacity");
            }
            faults.undo(any);
        }
        // 16 blocks: 64 checksum bytes beside 1000 data bytes, so about 6% of flipRandomBit lands in the table.
        double share = (double) checksumFlips / n;
        assertTrue(share > 0.045 && share < 0.075, "checksum share " + share);
        assertDoesNotThrow(memory::verifyIntegrity);
    }

    @Test
    void badArgumentsAreRefusedWithTheirCodesAndFlipNothing() {
        FaultInjector faults = FaultInjector.of(region, 6);
        assertCode(ValidationException.class, ErrorCode.NULL_ARGUMENT, () -> FaultInjector.of(null, 1));

        assertCode(BoundsException.class, ErrorCode.NEGATIVE_OFFSET, () -> faults.flipDataBit(-1, 0));
        assertCode(BoundsException.class, ErrorCode.NEGATIVE_OFFSET, () -> faults.flipDataBit(Long.MIN_VALUE, 0));
        assertCode(BoundsException.class, ErrorCode.OUT_OF_BOUNDS, () -> faults.flipDataBit(CAPACITY, 0));
        assertCode(BoundsException.class, ErrorCode.OUT_OF_BOUNDS, () -> faults.flipDataBit(1020, 0)); // padding, not data
        assertCode(BoundsException.class, ErrorCode.OUT_OF_BOUNDS, () -> faults.flipDataBit(0, 8));
        assertCode(BoundsException.class, ErrorCode.NEGATIVE_OFFSET, () -> faults.flipDataBit(0, -1));

        assertCode(BoundsException.class, ErrorCode.NEGATIVE_OFFSET, () -> faults.flipChecksumBit(-1, 0));
        assertCode(BoundsException.class, ErrorCode.OUT_OF_BOUNDS, () -> faults.flipChecksumBit(region.blockCount(), 0));
        assertCode(BoundsException.class, ErrorCode.OUT_OF_BOUNDS, () -> faults.flipChecksumBit(0, 32));
        assertCode(BoundsException.class, ErrorCode.NEGATIVE_OFFSET, () -> faults.flipChecksumBit(0, -1));

        assertCode(BoundsException.class, ErrorCode.NEGATIVE_OFFSET, () -> faults.flipRandomDataBitIn(-1, 1));
        assertCode(BoundsException.class, ErrorCode.OUT_OF_BOUNDS, () -> faults.flipRandomDataBitIn(CAPACITY, 1));
        assertCode(BoundsException.class, ErrorCode.OUT_OF_BOUNDS, () -> faults.flipRandomDataBitIn(0, 0)); // empty
        assertCode(BoundsException.class, ErrorCode.OUT_OF_BOUNDS, () -> faults.flipRandomDataBitIn(CAPACITY - 1, 2));
        assertCode(BoundsException.class, ErrorCode.OUT_OF_BOUNDS, () -> faults.flipRandomDataBitIn(0, CAPACITY + 1));
    }

    /**
     * The library's own range check (here through {@code verifyRange}) names a negative length
     * NEGATIVE_LENGTH and an offset + length beyond {@code Long.MAX_VALUE} RANGE_OVERFLOW, as
     * {@link ErrorCode} documents them; the injector must give the same range the same code.
     */
    @Test
    void flipRandomDataBitInUsesTheLibraryCodesForANegativeLengthAndAnOverflowingRange() {
        FaultInjector faults = FaultInjector.of(region, 7);
        assertCode(BoundsException.class, ErrorCode.NEGATIVE_LENGTH, () -> memory.verifyRange(0, -1));
        assertCode(BoundsException.class, ErrorCode.RANGE_OVERFLOW, () -> memory.verifyRange(1, Long.MAX_VALUE));
        assertCode(BoundsException.class, ErrorCode.NEGATIVE_LENGTH, () -> faults.flipRandomDataBitIn(0, -1));
        assertCode(BoundsException.class, ErrorCode.RANGE_OVERFLOW, () -> faults.flipRandomDataBitIn(1, Long.MAX_VALUE));
    }

    /** Every other public method refuses {@code null} with NULL_ARGUMENT (FaultInjector.of included). */
    @Test
    void undoOfNullIsRefusedWithNullArgument() {
        FaultInjector faults = FaultInjector.of(region, 8);
        assertCode(ValidationException.class, ErrorCode.NULL_ARGUMENT, () -> faults.undo(null));
    }

    /** Every flipping call of an injector, for the access tests. */
    private static List<Consumer<FaultInjector>> everyFlip() {
        Flip made = new Flip(Target.DATA, 10, 3, 0);
        return List.of(f -> f.flipDataBit(10, 3), f -> f.flipChecksumBit(1, 3), FaultInjector::flipRandomDataBit,
                f -> f.flipRandomDataBitIn(0, 10), FaultInjector::flipRandomChecksumBit, FaultInjector::flipRandomBit,
                f -> f.undo(made));
    }

    @Test
    void everyFlipAfterTheArenaClosedIsRefusedWithArenaClosed() {
        FaultInjector faults = FaultInjector.of(region, 10);
        arena.close();
        for (Consumer<FaultInjector> flip : everyFlip()) {
            StateException e = assertThrows(StateException.class, () -> flip.accept(faults));
            assertEquals(ErrorCode.ARENA_CLOSED, e.code(), e::getMessage);
            assertTrue(e.getMessage().contains("'injected'"), e::getMessage);
        }
        StateException e = assertThrows(StateException.class, () -> FaultInjector.of(region, 10));
        assertEquals(ErrorCode.ARENA_CLOSED, e.code(), e::getMessage);
    }

    @Test
    void everyFlipFromAThreadThatMayNotUseTheConfinedRegionIsRefusedWithWrongThread() {
        FaultInjector faults = FaultInjector.of(region, 11);
        byte[] data0 = dataNow();
        byte[] sums0 = sumsNow();
        for (Consumer<FaultInjector> flip : everyFlip()) {
            ConcurrencyException e = assertInstanceOf(ConcurrencyException.class,
                    onOtherThread(() -> flip.accept(faults)));
            assertEquals(ErrorCode.WRONG_THREAD, e.code(), e::getMessage);
        }
        ConcurrencyException e = assertInstanceOf(ConcurrencyException.class,
                onOtherThread(() -> FaultInjector.of(region, 11)));
        assertEquals(ErrorCode.WRONG_THREAD, e.code(), e::getMessage);
        assertArrayEquals(data0, dataNow(), "a refused call flips nothing");
        assertArrayEquals(sums0, sumsNow(), "a refused call flips nothing");
        assertEquals(faults.flipRandomBit(), FaultInjector.of(region, 11).flipRandomBit(),
                "a refused random flip drew nothing from the injector's sequence");
    }

    /** What {@code body} throws on a thread of its own. */
    private static Throwable onOtherThread(Runnable body) {
        CompletableFuture<Void> run = CompletableFuture.runAsync(body,
                task -> new Thread(task, "not-the-owner").start());
        return assertThrows(CompletionException.class, run::join).getCause();
    }

    @Test
    void forgedFlipsAreRefusedWithInvalidFlipAndFlipNothing() {
        FaultInjector faults = FaultInjector.of(region, 12);
        long blocks = region.blockCount();
        List<Flip> forged = List.of(
                new Flip(null, 10, 3, 0),
                new Flip(null, 0, 0, 0),
                new Flip(Target.DATA, -1, 0, 0),
                new Flip(Target.DATA, Long.MIN_VALUE, 0, 0),
                new Flip(Target.DATA, CAPACITY, 0, CAPACITY / BLOCK),
                new Flip(Target.DATA, 1020, 0, 15), // padding, not data
                new Flip(Target.DATA, Long.MAX_VALUE, 0, Long.MAX_VALUE / BLOCK),
                new Flip(Target.DATA, 10, -1, 0),
                new Flip(Target.DATA, 10, 8, 0),
                new Flip(Target.DATA, 10, Integer.MIN_VALUE, 0),
                new Flip(Target.DATA, 10, 3, 1), // not the block of byte 10
                new Flip(Target.DATA, 10, 3, -1),
                new Flip(Target.CHECKSUM, -1, 0, 0),
                new Flip(Target.CHECKSUM, blocks * 4, 0, blocks),
                new Flip(Target.CHECKSUM, Long.MAX_VALUE, 0, Long.MAX_VALUE / 4),
                new Flip(Target.CHECKSUM, 4, 8, 1),
                new Flip(Target.CHECKSUM, 4, -1, 1),
                new Flip(Target.CHECKSUM, 4, 0, 0), // a byte of block 1's checksum
                new Flip(Target.CHECKSUM, 0, 0, -1));
        for (Flip flip : forged) {
            assertCode(ValidationException.class, ErrorCode.INVALID_FLIP, () -> faults.undo(flip));
        }
        faults.undo(faults.flipChecksumBit(blocks - 1, 31)); // the last bit of each target still works
        faults.undo(faults.flipDataBit(CAPACITY - 1, 7));
        assertDoesNotThrow(memory::verifyIntegrity);
    }

    @Test
    void worksAtEveryLevelIncludingOff() {
        memory.setVerificationLevel(VerificationLevel.OFF);
        FaultInjector faults = FaultInjector.of(region, 9);
        byte[] data0 = dataNow();
        Flip flip = faults.flipRandomDataBit();
        assertNotEquals(data0[(int) flip.byteOffset()], dataNow()[(int) flip.byteOffset()]);
        assertDoesNotThrow(memory::verifyIntegrity, "OFF checks nothing");
        faults.undo(flip);
        assertArrayEquals(data0, dataNow());
    }

    private <T extends SafeMemoryException> void assertCode(Class<T> type, ErrorCode code, Executable call) {
        byte[] data0 = dataNow();
        byte[] sums0 = sumsNow();
        T e = assertThrows(type, call);
        assertEquals(code, e.code(), e::getMessage);
        assertArrayEquals(data0, dataNow(), "a refused call flips nothing");
        assertArrayEquals(sums0, sumsNow(), "a refused call flips nothing");
    }
}
