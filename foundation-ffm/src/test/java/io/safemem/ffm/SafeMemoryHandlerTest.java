package io.safemem.ffm;

import io.safemem.BoundsException;
import io.safemem.ErrorCode;
import io.safemem.IntegrityException;
import io.safemem.MemoryStatistics;
import io.safemem.SafeMemoryException;
import io.safemem.Slice;
import io.safemem.ValidationException;
import io.safemem.VerificationLevel;
import io.safemem.ffm.internal.RawRegionAccess;
import io.safemem.ffm.testing.FaultInjector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Examples of every public method of {@link SafeMemoryHandler} and {@link Slice}, with concrete
 * values, checked against the raw bytes and against checksums computed here independently.
 */
class SafeMemoryHandlerTest {

    static final ValueLayout.OfInt LE_INT = ValueLayout.JAVA_INT.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final int BLOCK = 256;
    static final int CAPACITY = 64 * 1024;

    FixedArena arena;

    @BeforeEach
    void setUp() {
        arena = FixedArena.ofShared(1 << 20);
    }

    @AfterEach
    void tearDown() {
        arena.close();
    }

    SafeMemoryHandler handler(VerificationLevel level) {
        return handler(level, CAPACITY);
    }

    SafeMemoryHandler handler(VerificationLevel level, long capacity) {
        return CheckedRegion.builder(arena, capacity).name("h-" + level).blockSize(BLOCK).verificationLevel(level)
                .samplingRate(0.3).build().handler();
    }

    static byte[] raw(SafeMemoryHandler h, long offset, int length) {
        return RawRegionAccess.accessor().data(h.provider()).asSlice(offset, length).toArray(ValueLayout.JAVA_BYTE);
    }

    static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    static byte[] pattern(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 131 + seed + (i >>> 9));
        }
        return b;
    }

    /** The stored checksum of every block equals the CRC32C of its bytes, computed here from scratch. */
    static void assertChecksumsMatchData(SafeMemoryHandler h) {
        CheckedRegion region = h.provider();
        MemorySegment data = RawRegionAccess.accessor().data(region);
        MemorySegment sums = RawRegionAccess.accessor().checksums(region);
        int bs = region.blockSize();
        CRC32C crc = new CRC32C();
        for (long b = 0; b < region.blockCount(); b++) {
            crc.reset();
            crc.update(data.asSlice(b * bs, bs).asByteBuffer());
            assertEquals((int) crc.getValue(), sums.getAtIndex(LE_INT, b), "stored checksum of block " + b);
        }
    }

    // ================================================================ scalars

    @ParameterizedTest
    @EnumSource(VerificationLevel.class)
    void scalarsAreLittleEndianByteByByte(VerificationLevel level) {
        SafeMemoryHandler h = handler(level);
        h.putByte(0, (byte) 0x9A);
        h.putShort(10, (short) 0x1234);
        h.putInt(20, 0x01020304);
        h.putLong(30, 0x0102030405060708L);
        h.putInt(45, 0xCAFEBABE); // odd offset
        h.putLong(BLOCK - 3, 0x1122334455667788L); // straddles blocks 0 and 1

        assertArrayEquals(bytes(0x9A), raw(h, 0, 1));
        assertArrayEquals(bytes(0x34, 0x12), raw(h, 10, 2));
        assertArrayEquals(bytes(0x04, 0x03, 0x02, 0x01), raw(h, 20, 4));
        assertArrayEquals(bytes(0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01), raw(h, 30, 8));
        assertArrayEquals(bytes(0xBE, 0xBA, 0xFE, 0xCA), raw(h, 45, 4));
        assertArrayEquals(bytes(0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11), raw(h, BLOCK - 3, 8));
        assertArrayEquals(new byte[9], raw(h, 1, 9), "neighbouring bytes untouched");

        assertEquals((byte) 0x9A, h.getByte(0));
        assertEquals((short) 0x1234, h.getShort(10));
        assertEquals(0x01020304, h.getInt(20));
        assertEquals(0x0102030405060708L, h.getLong(30));
        assertEquals(0xCAFEBABE, h.getInt(45));
        assertEquals(0x1122334455667788L, h.getLong(BLOCK - 3));
        // reading a different width over the same bytes
        assertEquals((short) 0x0304, h.getShort(20));
        assertEquals((byte) 0x08, h.getByte(30));
        assertEquals(0x05060708, h.getInt(30));

        if (level.keepsChecksums()) {
            assertChecksumsMatchData(h);
            h.verifyIntegrity();
        }
    }

    @ParameterizedTest
    @EnumSource(VerificationLevel.class)
    void scalarExtremes(VerificationLevel level) {
        SafeMemoryHandler h = handler(level);
        h.putByte(0, Byte.MIN_VALUE);
        h.putShort(1, Short.MIN_VALUE);
        h.putInt(3, Integer.MIN_VALUE);
        h.putLong(7, Long.MIN_VALUE);
        h.putLong(15, -1L);
        assertEquals(Byte.MIN_VALUE, h.getByte(0));
        assertEquals(Short.MIN_VALUE, h.getShort(1));
        assertEquals(Integer.MIN_VALUE, h.getInt(3));
        assertEquals(Long.MIN_VALUE, h.getLong(7));
        assertEquals(-1L, h.getLong(15));
        assertArrayEquals(bytes(0x80, 0x00, 0x80, 0, 0, 0, 0x80), raw(h, 0, 7));
        h.putShort(CAPACITY - 2, Short.MAX_VALUE); // last slot
        assertEquals(Short.MAX_VALUE, h.getShort(CAPACITY - 2));
        assertArrayEquals(bytes(0xFF, 0x7F), raw(h, CAPACITY - 2, 2));
    }

    @ParameterizedTest
    @EnumSource(VerificationLevel.class)
    void floatsAndDoublesRoundTripWithTheirBits(VerificationLevel level) {
        SafeMemoryHandler h = handler(level);
        h.putFloat(0, 1.0f);
        assertArrayEquals(bytes(0x00, 0x00, 0x80, 0x3F), raw(h, 0, 4), "1.0f is 0x3F800000, little-endian");
        assertEquals(1.0f, h.getFloat(0));
        h.putDouble(8, -2.5);
        assertEquals(Double.doubleToRawLongBits(-2.5), h.getLong(8));
        assertEquals(-2.5, h.getDouble(8));

        h.putFloat(16, -0.0f);
        assertEquals(0x80000000, h.getInt(16), "negative zero keeps its sign bit");
        assertEquals(Float.floatToRawIntBits(-0.0f), Float.floatToRawIntBits(h.getFloat(16)));
        h.putDouble(24, Double.MIN_VALUE);
        assertEquals(Double.MIN_VALUE, h.getDouble(24));
        h.putFloat(33, Float.POSITIVE_INFINITY);
        assertEquals(Float.POSITIVE_INFINITY, h.getFloat(33));

        // NaNs with payloads: the raw bits are stored, not a canonical NaN
        int nanBits = 0x7FC0_1234;
        h.putFloat(40, Float.intBitsToFloat(nanBits));
        assertEquals(nanBits, h.getInt(40));
        assertEquals(nanBits, Float.floatToRawIntBits(h.getFloat(40)));
        int negativeNanBits = 0xFFC0_0001;
        h.putFloat(44, Float.intBitsToFloat(negativeNanBits));
        assertEquals(negativeNanBits, h.getInt(44));
        long doubleNanBits = 0x7FF8_0000_0000_0ABCL;
        h.putDouble(BLOCK - 4, Double.longBitsToDouble(doubleNanBits)); // straddles two blocks
        assertEquals(doubleNanBits, h.getLong(BLOCK - 4));
        assertEquals(doubleNanBits, Double.doubleToRawLongBits(h.getDouble(BLOCK - 4)));
        assertTrue(Double.isNaN(h.getDouble(BLOCK - 4)));
        // and bits written as integers read back as the same NaN
        h.putLong(64, 0xFFF8_0000_0000_0001L);
        assertEquals(0xFFF8_0000_0000_0001L, Double.doubleToRawLongBits(h.getDouble(64)));
        if (level.keepsChecksums()) {
            h.verifyIntegrity();
        }
    }

    // ================================================================ bulk read and write

    @ParameterizedTest
    @EnumSource(VerificationLevel.class)
    void arrayWriteAndReadWithOffsets(VerificationLevel level) {
        SafeMemoryHandler h = handler(level);
        byte[] src = pattern(1000, 1);
        h.write(300, src, 100, 700); // bytes src[100, 800) to [300, 1000)
        assertArrayEquals(Arrays.copyOfRange(src, 100, 800), raw(h, 300, 700));
        assertArrayEquals(new byte[300], raw(h, 0, 300));
        assertArrayEquals(new byte[24], raw(h, 1000, 24));

        byte[] dst = new byte[710];
        Arrays.fill(dst, (byte) 0x55);
        h.read(300, dst, 5, 700);
        assertArrayEquals(Arrays.copyOfRange(src, 100, 800), Arrays.copyOfRange(dst, 5, 705));
        assertArrayEquals(bytes(0x55, 0x55, 0x55, 0x55, 0x55), Arrays.copyOfRange(dst, 0, 5), "outside the range untouched");
        assertArrayEquals(bytes(0x55, 0x55, 0x55, 0x55, 0x55), Arrays.copyOfRange(dst, 705, 710));

        byte[] whole = pattern(BLOCK * 3, 9);
        h.write(BLOCK * 10, whole); // aligned, whole blocks
        byte[] back = new byte[BLOCK * 3];
        h.read(BLOCK * 10, back);
        assertArrayEquals(whole, back);
        if (level.keepsChecksums()) {
            assertChecksumsMatchData(h);
        }
    }

    @ParameterizedTest
    @EnumSource(VerificationLevel.class)
    void segmentWriteAndReadWithOffsets(VerificationLevel level) {
        SafeMemoryHandler h = handler(level);
        MemorySegment src = arena.allocate(50_000, 8);
        byte[] expected = pattern(50_000, 3);
        MemorySegment.copy(expected, 0, src, ValueLayout.JAVA_BYTE, 0, expected.length);

        h.write(37, src, 5, 40_000); // unaligned, several staging chunks
        assertArrayEquals(Arrays.copyOfRange(expected, 5, 40_005), raw(h, 37, 40_000));
        assertArrayEquals(new byte[37], raw(h, 0, 37));

        MemorySegment dst = MemorySegment.ofArray(new byte[40_010]);
        h.read(37, dst, 3, 40_000);
        assertArrayEquals(Arrays.copyOfRange(expected, 5, 40_005), dst.asSlice(3, 40_000).toArray(ValueLayout.JAVA_BYTE));
        assertArrayEquals(new byte[3], dst.asSlice(0, 3).toArray(ValueLayout.JAVA_BYTE));

        h.write(60_000, MemorySegment.ofArray(bytes(1, 2, 3)), 1, 2); // small, from a heap segment
        assertArrayEquals(bytes(0, 2, 3, 0), raw(h, 59_999, 4));
        MemorySegment nativeDst = arena.allocate(4, 1);
        h.read(59_999, nativeDst, 0, 4);
        assertArrayEquals(bytes(0, 2, 3, 0), nativeDst.toArray(ValueLayout.JAVA_BYTE));
        if (level.keepsChecksums()) {
            assertChecksumsMatchData(h);
            h.verifyIntegrity();
        }
    }

    // ================================================================ copyWithin

    @ParameterizedTest(name = "{0}: src {1}, dst {2}, length {3}")
    @CsvSource({
            "STANDARD, 0, 10, 1000",       // overlapping, destination above
            "STANDARD, 10, 0, 1000",       // overlapping, destination below
            "STANDARD, 500, 500, 700",     // onto itself
            "STANDARD, 100, 20000, 30000", // disjoint, several chunks
            "STANDARD, 1000, 1500, 40000", // overlapping, destination above, several chunks
            "STANDARD, 1500, 1000, 40000", // overlapping, destination below, several chunks
            "STANDARD, 0, 256, 512",       // block aligned
            "FULL, 3, 7, 20000",
            "FULL, 7, 3, 20000",
            "SAMPLING, 3, 7, 20000",
            "SAMPLING, 7, 3, 20000",
            "OFF, 0, 10, 1000",
            "OFF, 10, 0, 1000",
    })
    void copyWithinActsAsThroughATemporaryBuffer(VerificationLevel level, int src, int dst, int length) {
        SafeMemoryHandler h = handler(level);
        byte[] model = pattern(CAPACITY, 5);
        h.write(0, model);
        h.copyWithin(src, dst, length);
        System.arraycopy(model, src, model, dst, length); // memmove semantics
        assertArrayEquals(model, raw(h, 0, CAPACITY));
        byte[] back = new byte[CAPACITY];
        h.read(0, back);
        assertArrayEquals(model, back);
        if (level.keepsChecksums()) {
            assertChecksumsMatchData(h);
            h.verifyIntegrity();
        }
    }

    /**
     * copyWithin: "if the source ... is corrupt; nothing is moved". Here the copy (1,000 bytes,
     * less than the engine's 16 KiB staging area) straddles a 16 KiB boundary of the destination, so
     * it is moved in two chunks; the corrupt byte is in the source of the second chunk.
     */
    @ParameterizedTest(name = "src {0}, dst {1}, corrupt source byte {2}")
    @CsvSource({
            "30000, 16000, 30500",   // destination below the source: chunks run forwards
            "15000, 16000, 15100",   // destination above the source: chunks run backwards
    })
    void copyWithinFromACorruptSourceMovesNothing(long src, long dst, long corruptAt) {
        SafeMemoryHandler h = handler(VerificationLevel.STANDARD);
        h.write(0, pattern(CAPACITY, 5));
        FaultInjector.of(h.provider(), 1).flipDataBit(corruptAt, 0);
        byte[] dataBefore = raw(h, 0, CAPACITY);
        byte[] sumsBefore = RawRegionAccess.accessor().checksums(h.provider()).toArray(ValueLayout.JAVA_BYTE);
        long writesBefore = h.provider().statistics().writes();

        IntegrityException e = assertThrows(IntegrityException.class, () -> h.copyWithin(src, dst, 1000));
        assertEquals(ErrorCode.CHECKSUM_MISMATCH, e.code());
        assertEquals(corruptAt / BLOCK, e.block());
        assertArrayEquals(dataBefore, raw(h, 0, CAPACITY), "copyWithin moved bytes before reporting the corrupt source");
        assertArrayEquals(sumsBefore, RawRegionAccess.accessor().checksums(h.provider()).toArray(ValueLayout.JAVA_BYTE),
                "copyWithin changed checksums before reporting the corrupt source");
        assertEquals(writesBefore, h.provider().statistics().writes());
    }

    /**
     * write(long, MemorySegment, ...): "if a partially covered block was already corrupt ... nothing
     * is written then". A 1,000-byte write straddling a 16 KiB boundary moves through staging in two
     * chunks; the block at its (partially covered) end is corrupt.
     */
    @Test
    void segmentWriteOntoACorruptEdgeWritesNothing() {
        SafeMemoryHandler h = handler(VerificationLevel.STANDARD);
        h.write(0, pattern(CAPACITY, 5));
        FaultInjector.of(h.provider(), 1).flipDataBit(17_010, 3); // block 66 = [16896, 17152), the tail edge
        byte[] dataBefore = raw(h, 0, CAPACITY);
        MemorySegment src = MemorySegment.ofArray(new byte[1000]);

        IntegrityException e = assertThrows(IntegrityException.class, () -> h.write(16_000, src, 0, 1000));
        assertEquals(ErrorCode.CHECKSUM_MISMATCH, e.code());
        assertEquals(66, e.block());
        assertArrayEquals(dataBefore, raw(h, 0, CAPACITY), "the segment write changed bytes before reporting the corrupt edge");
    }

    @Test
    void arrayWriteOntoACorruptEdgeWritesNothing() {
        SafeMemoryHandler h = handler(VerificationLevel.STANDARD);
        h.write(0, pattern(CAPACITY, 5));
        FaultInjector.of(h.provider(), 1).flipDataBit(17_010, 3);
        byte[] dataBefore = raw(h, 0, CAPACITY);
        assertThrows(IntegrityException.class, () -> h.write(16_000, new byte[1000]));
        assertArrayEquals(dataBefore, raw(h, 0, CAPACITY));
    }

    // ================================================================ fill

    @ParameterizedTest
    @EnumSource(VerificationLevel.class)
    void fillSetsExactlyTheRange(VerificationLevel level) {
        SafeMemoryHandler h = handler(level);
        byte[] model = pattern(CAPACITY, 2);
        h.write(0, model);
        h.fill(10, 1000, (byte) 0x7E);
        Arrays.fill(model, 10, 1010, (byte) 0x7E);
        h.fill(2048, 3 * BLOCK, (byte) -1); // whole blocks
        Arrays.fill(model, 2048, 2048 + 3 * BLOCK, (byte) -1);
        h.fill(5000, 40_000, (byte) 0); // larger than the staging area
        Arrays.fill(model, 5000, 45_000, (byte) 0);
        h.fill(CAPACITY - 1, 1, (byte) 9);
        model[CAPACITY - 1] = 9;
        assertArrayEquals(model, raw(h, 0, CAPACITY));
        if (level.keepsChecksums()) {
            assertChecksumsMatchData(h);
            h.verifyIntegrity();
        }
    }

    // ================================================================ zero-length operations

    @Test
    void zeroLengthOperationsChangeNothingButStillCheckTheirArguments() {
        SafeMemoryHandler h = handler(VerificationLevel.FULL, 1000);
        h.write(0, pattern(1000, 4));
        byte[] data = raw(h, 0, 1000);
        byte[] sums = RawRegionAccess.accessor().checksums(h.provider()).toArray(ValueLayout.JAVA_BYTE);
        long bytesWritten = h.provider().statistics().bytesWritten();

        for (long at : new long[] {0, 500, 999, 1000}) {
            h.write(at, new byte[0]);
            h.write(at, new byte[4], 4, 0);
            h.write(at, MemorySegment.ofArray(new byte[4]), 4, 0);
            h.read(at, new byte[0]);
            h.read(at, new byte[4], 4, 0);
            h.read(at, MemorySegment.ofArray(new byte[4]), 4, 0);
            h.fill(at, 0, (byte) 1);
            h.copyWithin(at, 0, 0);
            h.copyWithin(0, at, 0);
            h.verifyRange(at, 0);
            Slice empty = h.borrowSlice(at, 0);
            assertEquals(0, empty.length());
            assertEquals(0, empty.asSegment().byteSize());
            empty.close();
        }
        assertArrayEquals(data, raw(h, 0, 1000));
        assertArrayEquals(sums, RawRegionAccess.accessor().checksums(h.provider()).toArray(ValueLayout.JAVA_BYTE));
        assertEquals(bytesWritten, h.provider().statistics().bytesWritten());

        assertEquals(ErrorCode.OUT_OF_BOUNDS, assertThrows(BoundsException.class, () -> h.write(1001, new byte[0])).code());
        assertEquals(ErrorCode.NEGATIVE_OFFSET, assertThrows(BoundsException.class, () -> h.fill(-1, 0, (byte) 1)).code());
        assertEquals(ErrorCode.OUT_OF_BOUNDS, assertThrows(BoundsException.class, () -> h.copyWithin(1001, 0, 0)).code());
        assertEquals(ErrorCode.OUT_OF_BOUNDS, assertThrows(BoundsException.class, () -> h.copyWithin(0, 1001, 0)).code());
        assertEquals(ErrorCode.OUT_OF_BOUNDS, assertThrows(BoundsException.class, () -> h.borrowSlice(1001, 0)).code());
        assertEquals(ErrorCode.OUT_OF_BOUNDS, assertThrows(BoundsException.class, () -> h.verifyRange(1001, 0)).code());
        assertEquals(ErrorCode.BUFFER_RANGE,
                assertThrows(BoundsException.class, () -> h.read(0, new byte[4], 5, 0)).code());
        assertEquals(ErrorCode.NULL_ARGUMENT,
                assertThrows(ValidationException.class, () -> h.write(0, (byte[]) null, 0, 0)).code());
        assertEquals(ErrorCode.READ_ONLY_DESTINATION, assertThrows(ValidationException.class,
                () -> h.read(0, MemorySegment.ofArray(new byte[4]).asReadOnly(), 0, 0)).code());
        assertArrayEquals(data, raw(h, 0, 1000));
    }

    // ================================================================ slices

    @ParameterizedTest
    @EnumSource(VerificationLevel.class)
    void sliceReadsWhatTheRegionHolds(VerificationLevel level) {
        SafeMemoryHandler h = handler(level);
        h.write(100, pattern(300, 8));
        h.putInt(110, 0x0A0B0C0D);
        h.putLong(120, 0x0102030405060708L);
        h.putShort(130, (short) -2);
        h.putFloat(140, 3.25f);
        h.putDouble(150, -7.0e100);
        h.putByte(160, (byte) 0xEE);

        try (Slice s = h.borrowSlice(100, 200)) {
            assertTrue(s.isOpen());
            assertEquals(100, s.offset());
            assertEquals(200, s.length());
            assertEquals(0x0A0B0C0D, s.getInt(10));
            assertEquals((byte) 0x0D, s.getByte(10), "little-endian: low byte first");
            assertEquals(0x0102030405060708L, s.getLong(20));
            assertEquals((short) -2, s.getShort(30));
            assertEquals(3.25f, s.getFloat(40));
            assertEquals(-7.0e100, s.getDouble(50));
            assertEquals((byte) 0xEE, s.getByte(60));
            assertEquals(0x05060708, s.getInt(20));

            byte[] expected = raw(h, 100, 200);
            byte[] copy = new byte[210];
            s.copyTo(0, copy, 10, 200);
            assertArrayEquals(expected, Arrays.copyOfRange(copy, 10, 210));
            MemorySegment seg = MemorySegment.ofArray(new byte[50]);
            s.copyTo(150, seg, 0, 50);
            assertArrayEquals(Arrays.copyOfRange(expected, 150, 200), seg.toArray(ValueLayout.JAVA_BYTE));

            MemorySegment view = s.asSegment();
            assertTrue(view.isReadOnly());
            assertEquals(200, view.byteSize());
            assertArrayEquals(expected, view.toArray(ValueLayout.JAVA_BYTE));
            assertThrows(IllegalArgumentException.class, () -> view.set(ValueLayout.JAVA_BYTE, 0, (byte) 1),
                    "the view is read-only");
            assertArrayEquals(expected, raw(h, 100, 200));
            assertEquals("Slice[100, 300)", s.toString());
        }
    }

    @Test
    void sliceCloseIsIdempotentAndReleasesWrites() {
        SafeMemoryHandler h = handler(VerificationLevel.STANDARD);
        Slice a = h.borrowSlice(0, 10);
        Slice b = h.borrowSlice(5, 10);
        a.close();
        a.close();
        assertFalse(a.isOpen());
        assertTrue(b.isOpen());
        assertEquals(ErrorCode.SLICES_OPEN, assertThrows(SafeMemoryException.class, () -> h.putInt(0, 1)).code());
        b.close();
        assertEquals("Slice[5, 15) closed", b.toString());
        h.putInt(0, 1);
        assertEquals(1, h.getInt(0));
    }

    @Test
    void aRefusedBorrowLeavesNoSliceOpen() {
        SafeMemoryHandler h = handler(VerificationLevel.STANDARD);
        FaultInjector faults = FaultInjector.of(h.provider(), 3);
        FaultInjector.Flip flip = faults.flipDataBit(600, 1);
        IntegrityException e = assertThrows(IntegrityException.class, () -> h.borrowSlice(512, 256));
        assertEquals(2, e.block());
        faults.undo(flip);
        h.putInt(0, 5); // would be SLICES_OPEN if the failed borrow had counted
        assertEquals(5, h.getInt(0));
    }

    // ================================================================ integrity and levels

    @Test
    void verifyRangeAndFindCorruptBlock() {
        SafeMemoryHandler h = handler(VerificationLevel.STANDARD);
        h.write(0, pattern(CAPACITY, 6));
        assertEquals(-1, h.findCorruptBlock(0));
        FaultInjector faults = FaultInjector.of(h.provider(), 4);
        faults.flipDataBit(10 * BLOCK + 1, 0);
        faults.flipChecksumBit(40, 31);

        h.verifyRange(0, 10 * BLOCK); // blocks 0..9: clean
        h.verifyRange(11 * BLOCK, 29 * BLOCK);
        assertEquals(10, assertThrows(IntegrityException.class, () -> h.verifyRange(10 * BLOCK - 1, 2)).block());
        assertEquals(40, assertThrows(IntegrityException.class, () -> h.verifyRange(11 * BLOCK, 30 * BLOCK)).block());
        assertEquals(10, assertThrows(IntegrityException.class, h::verifyIntegrity).block());

        assertEquals(10, h.findCorruptBlock(0));
        assertEquals(10, h.findCorruptBlock(10));
        assertEquals(40, h.findCorruptBlock(11));
        assertEquals(-1, h.findCorruptBlock(41));
        assertEquals(-1, h.findCorruptBlock(h.provider().blockCount()));
    }

    @Test
    void offToStandardRebuildsChecksums() {
        SafeMemoryHandler h = handler(VerificationLevel.OFF);
        byte[] sumsBefore = RawRegionAccess.accessor().checksums(h.provider()).toArray(ValueLayout.JAVA_BYTE);
        h.write(3, pattern(5000, 1));
        h.putLong(9000, 77L);
        h.fill(20_000, 700, (byte) 3);
        h.copyWithin(0, 30_000, 6000);
        assertArrayEquals(sumsBefore, RawRegionAccess.accessor().checksums(h.provider()).toArray(ValueLayout.JAVA_BYTE),
                "OFF keeps no checksums");
        assertEquals(-1, h.findCorruptBlock(0), "OFF finds nothing");
        h.verifyIntegrity(); // checks nothing at OFF

        h.setVerificationLevel(VerificationLevel.STANDARD);
        assertEquals(VerificationLevel.STANDARD, h.provider().verificationLevel());
        assertChecksumsMatchData(h);
        h.verifyIntegrity();
        assertEquals(-1, h.findCorruptBlock(0));
        byte[] back = new byte[5000];
        h.read(3, back);
        assertArrayEquals(pattern(5000, 1), back);
        assertEquals(77L, h.getLong(9000));
    }

    @Test
    void offHidesCorruptionThatACheckedLevelFinds() {
        SafeMemoryHandler h = handler(VerificationLevel.STANDARD);
        h.write(0, pattern(4096, 1));
        FaultInjector.of(h.provider(), 9).flipDataBit(1000, 6);
        h.setVerificationLevel(VerificationLevel.OFF);
        h.verifyIntegrity(); // documented: checks nothing
        assertEquals(-1, h.findCorruptBlock(0));
        byte[] dst = new byte[16];
        h.read(992, dst); // unverified at OFF
        assertEquals((byte) (pattern(4096, 1)[1000] ^ 0x40), dst[8]);
    }

    @Test
    void movingBetweenCheckedLevelsKeepsTheTableAndItsFindings() {
        SafeMemoryHandler h = handler(VerificationLevel.STANDARD);
        h.write(0, pattern(8192, 1));
        FaultInjector.of(h.provider(), 2).flipDataBit(5000, 0);
        byte[] sums = RawRegionAccess.accessor().checksums(h.provider()).toArray(ValueLayout.JAVA_BYTE);
        for (VerificationLevel level : new VerificationLevel[] {VerificationLevel.FULL, VerificationLevel.SAMPLING,
                VerificationLevel.STANDARD}) {
            h.setVerificationLevel(level);
            assertEquals(level, h.provider().verificationLevel());
            assertArrayEquals(sums, RawRegionAccess.accessor().checksums(h.provider()).toArray(ValueLayout.JAVA_BYTE),
                    "no rebuild between checked levels");
            assertEquals(5000 / BLOCK, assertThrows(IntegrityException.class, h::verifyIntegrity).block(),
                    "corruption stays visible at " + level);
        }
    }

    @Test
    void fullVerifiesScalarReads() {
        SafeMemoryHandler h = handler(VerificationLevel.FULL);
        h.putInt(300, 123);
        FaultInjector.of(h.provider(), 5).flipDataBit(290, 0);
        IntegrityException e = assertThrows(IntegrityException.class, () -> h.getInt(300));
        assertEquals(ErrorCode.CHECKSUM_MISMATCH, e.code());
        assertEquals(1, e.block());
        h.setVerificationLevel(VerificationLevel.STANDARD);
        assertEquals(123, h.getInt(300), "STANDARD does not verify scalar reads");
    }

    // ================================================================ statistics and toString

    @Test
    void statisticsAfterAKnownSequence() {
        SafeMemoryHandler h = handler(VerificationLevel.STANDARD, 4096);
        MemoryStatistics s = h.provider().statistics();

        h.write(0, pattern(BLOCK, 1)); // one whole block, no edge to verify
        assertEquals(1, s.writes());
        assertEquals(256, s.bytesWritten());
        assertEquals(0, s.verifications());

        h.putInt(300, 9); // inside block 1: its old contents are verified before the merge
        assertEquals(2, s.writes());
        assertEquals(260, s.bytesWritten());
        assertEquals(1, s.verifications());

        h.fill(512, 2 * BLOCK, (byte) 4);
        h.copyWithin(0, 2048, 100);
        h.write(3000, MemorySegment.ofArray(new byte[20]), 0, 20);
        h.putLong(4000, 1L);
        h.putByte(4095, (byte) 1);
        assertEquals(7, s.writes());
        assertEquals(260 + 512 + 100 + 20 + 8 + 1, s.bytesWritten());

        long verificationsBefore = s.verifications();
        long checksummedBefore = s.checksummedBytes();
        byte[] dst = new byte[2 * BLOCK];
        h.read(BLOCK * 4, dst); // blocks 4 and 5, aligned
        assertEquals(verificationsBefore + 2, s.verifications(), "a read verifies exactly the blocks it touches");
        assertEquals(checksummedBefore + 2 * BLOCK, s.checksummedBytes());
        h.read(BLOCK * 4 + 10, new byte[BLOCK]); // touches blocks 4 and 5 again, unaligned
        assertEquals(verificationsBefore + 4, s.verifications());
        h.getInt(0); // STANDARD: scalar reads are not verified
        assertEquals(verificationsBefore + 4, s.verifications());
        assertEquals(7, s.writes(), "reads are not writes");
        assertEquals(0, s.integrityFailures());
        assertEquals(0, s.sampledSkips());

        FaultInjector.of(h.provider(), 1).flipDataBit(10, 0);
        assertThrows(IntegrityException.class, () -> h.read(0, new byte[4]));
        assertEquals(1, s.integrityFailures());
        assertEquals(7, s.writes());
    }

    @Test
    void offDoesNoChecksumWork() {
        SafeMemoryHandler h = handler(VerificationLevel.OFF, 4096);
        MemoryStatistics s = h.provider().statistics();
        h.write(5, pattern(1000, 1));
        h.read(0, new byte[2000]);
        h.putLong(7, 1);
        h.getLong(7);
        assertEquals(2, s.writes());
        assertEquals(1008, s.bytesWritten());
        assertEquals(0, s.verifications());
        assertEquals(0, s.checksummedBytes());
    }

    @Test
    void samplingCountsItsSkips() {
        SafeMemoryHandler h = CheckedRegion.builder(arena, 4096).verificationLevel(VerificationLevel.SAMPLING)
                .samplingRate(0.5).samplingSeed(11).build().handler();
        MemoryStatistics s = h.provider().statistics();
        for (int i = 0; i < 200; i++) {
            h.read(0, new byte[16]);
        }
        long verified = s.verifications();
        long skipped = s.sampledSkips();
        assertEquals(200, verified + skipped, "each one-block read is either verified once or skipped");
        assertTrue(verified > 50 && skipped > 50, "rate 0.5 verifies about half: " + verified + " verified");
    }

    @Test
    void toStringsAreReadable() {
        SafeMemoryHandler h = CheckedRegion.builder(arena, 4096).name("ledger").build().handler();
        h.write(0, new byte[256]);
        h.putInt(256, 1);
        assertTrue(h.toString().startsWith("SafeMemoryHandler[ledger, STANDARD, writes=2, bytesWritten=260, "
                + "verifications=1, sampledSkips=0, integrityFailures=0, checksummedBytes="), h.toString());
        assertTrue(h.toString().endsWith("]"), h.toString());
        String stats = h.provider().statistics().toString();
        for (String field : new String[] {"writes=2", "bytesWritten=260", "verifications=", "sampledSkips=0",
                "integrityFailures=0", "checksummedBytes="}) {
            assertTrue(stats.contains(field), stats);
        }
        h.setVerificationLevel(VerificationLevel.FULL);
        assertTrue(h.toString().startsWith("SafeMemoryHandler[ledger, FULL, "), h.toString());
    }

    @Test
    void providerIsTheRegion() {
        CheckedRegion region = CheckedRegion.builder(arena, 4096).build();
        SafeMemoryHandler h = region.handler();
        assertSame(region, h.provider());
        assertEquals(4096, h.provider().capacity());
    }
}
