package io.safemem.ffm;

import io.safemem.ErrorCode;
import io.safemem.IntegrityException;
import io.safemem.ffm.internal.RawRegionAccess;
import io.safemem.ffm.testing.FaultInjector;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Raw views of a region (behind the API's back, like the fault injector) and the checks shared by
 * the fault-injection tests. Test code only.
 */
final class FaultTestSupport {

    static final ValueLayout.OfInt STORED_CRC = ValueLayout.JAVA_INT.withOrder(ByteOrder.LITTLE_ENDIAN);

    private FaultTestSupport() {
    }

    static MemorySegment data(CheckedRegion region) {
        return RawRegionAccess.accessor().data(region);
    }

    static MemorySegment checksums(CheckedRegion region) {
        return RawRegionAccess.accessor().checksums(region);
    }

    /** The padded size of the data segment: blockCount * blockSize. */
    static int paddedSize(CheckedRegion region) {
        return Math.toIntExact(data(region).byteSize());
    }

    static byte[] snapshotData(CheckedRegion region) {
        return data(region).toArray(ValueLayout.JAVA_BYTE);
    }

    static byte[] snapshotChecksums(CheckedRegion region) {
        return checksums(region).toArray(ValueLayout.JAVA_BYTE);
    }

    static int storedChecksum(CheckedRegion region, long block) {
        return checksums(region).getAtIndex(STORED_CRC, block);
    }

    /** The block's bytes as they are in memory now (the whole padded block). */
    static byte[] blockInMemory(CheckedRegion region, long block) {
        int bs = region.blockSize();
        return data(region).asSlice(block * bs, bs).toArray(ValueLayout.JAVA_BYTE);
    }

    static int crc32c(byte[] bytes, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, offset, length);
        return (int) crc.getValue();
    }

    /**
     * The "naive" recompute an engine must never do: CRC32C of the block's memory as it is now.
     * Storing this after a merge would launder any corruption already in the block.
     */
    static int naiveCrcOfMemory(CheckedRegion region, long block) {
        byte[] bytes = blockInMemory(region, block);
        return crc32c(bytes, 0, bytes.length);
    }

    /** CRC32C of one block of a model sized like the padded data segment. */
    static int crcOfModelBlock(byte[] model, long block, int blockSize) {
        return crc32c(model, Math.toIntExact(block * blockSize), blockSize);
    }

    /**
     * Fills {@code [0, capacity)} with random contents through the handler (bulk writes, fills and
     * scalar puts in random pieces) and mirrors them into {@code model}.
     */
    static void writeRandomContent(SafeMemoryHandler memory, byte[] model, SplittableRandom rnd) {
        CheckedRegion region = memory.provider();
        long capacity = region.capacity();
        int bs = region.blockSize();
        for (long pos = 0; pos < capacity; ) {
            int len = (int) Math.min(capacity - pos, 1 + rnd.nextInt(3 * bs));
            int kind = rnd.nextInt(10);
            if (kind == 0) {
                byte v = (byte) rnd.nextInt(256);
                memory.fill(pos, len, v);
                Arrays.fill(model, (int) pos, (int) pos + len, v);
            } else if (kind == 1 && len >= Long.BYTES) {
                long v = rnd.nextLong();
                memory.putLong(pos, v);
                for (int i = 0; i < Long.BYTES; i++) {
                    model[(int) pos + i] = (byte) (v >>> (8 * i));
                }
                len = Long.BYTES;
            } else {
                byte[] bytes = new byte[len];
                rnd.nextBytes(bytes);
                memory.write(pos, bytes);
                System.arraycopy(bytes, 0, model, (int) pos, len);
            }
            pos += len;
        }
    }

    /** Asserts the region's raw data equals {@code model} over {@code [0, capacity)}. */
    static void assertMemoryEqualsModel(CheckedRegion region, byte[] model) {
        byte[] now = snapshotData(region);
        assertArrayEquals(model, now, "region bytes differ from the model");
    }

    /**
     * Asserts that the region's data and checksum table are byte for byte what they were before
     * an operation that was refused: it moved nothing and stored no checksum.
     */
    static void assertRegionUnchanged(CheckedRegion region, byte[] dataBefore, byte[] sumsBefore, Object what) {
        byte[] dataAfter = snapshotData(region);
        int firstChanged = Arrays.mismatch(dataBefore, dataAfter);
        assertEquals(-1, firstChanged, () -> what + ": refused, but data changed, first at byte " + firstChanged);
        int firstSum = Arrays.mismatch(sumsBefore, snapshotChecksums(region));
        assertEquals(-1, firstSum, () -> what + ": refused, but checksum of block " + firstSum / Integer.BYTES + " changed");
    }

    /**
     * Asserts that {@code e} reports exactly the block {@code flip} corrupted, with consistent
     * geometry and checksums: the expected checksum is the one stored in the table, the actual one
     * the CRC32C of the block's bytes in memory, and they differ by exactly the flip.
     */
    static void assertReportsFlip(IntegrityException e, CheckedRegion region, FaultInjector.Flip flip, ErrorCode code) {
        assertReportsBlock(e, region, flip.block(), code);
        int bs = region.blockSize();
        if (flip.target() == FaultInjector.Target.CHECKSUM) {
            int bitInInt = (int) (flip.byteOffset() - flip.block() * Integer.BYTES) * 8 + flip.bit();
            assertEquals(1 << bitInInt, e.expectedChecksum() ^ e.actualChecksum(),
                    "a checksum flip must make stored and actual differ by exactly the flipped bit");
        } else {
            assertTrue(flip.byteOffset() >= e.blockStart() && flip.byteOffset() < e.blockEnd(),
                    "the flipped byte must lie in the reported block");
            byte[] repaired = blockInMemory(region, flip.block());
            repaired[(int) (flip.byteOffset() - flip.block() * bs)] ^= (byte) (1 << flip.bit());
            assertEquals(crc32c(repaired, 0, bs), e.expectedChecksum(),
                    "the stored checksum must be the CRC32C of the block without the flip");
        }
    }

    /** Asserts that {@code e} names {@code block} with the block's real geometry and checksums. */
    static void assertReportsBlock(IntegrityException e, CheckedRegion region, long block, ErrorCode code) {
        int bs = region.blockSize();
        assertEquals(code, e.code());
        assertEquals(region.name(), e.providerName());
        assertEquals(block, e.block(), () -> "reported block " + e.block() + " but block " + block + " is corrupt: " + e.getMessage());
        assertEquals(block * bs, e.blockStart());
        assertEquals(block * bs + bs, e.blockEnd());
        assertEquals(storedChecksum(region, block), e.expectedChecksum(), "expected checksum must be the stored one");
        assertEquals(naiveCrcOfMemory(region, block), e.actualChecksum(), "actual checksum must be the CRC32C of the block's memory");
        assertNotEquals(e.expectedChecksum(), e.actualChecksum());
    }
}
