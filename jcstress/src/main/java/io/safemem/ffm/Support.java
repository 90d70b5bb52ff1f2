package io.safemem.ffm;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.zip.CRC32C;

/** Small helpers shared by the tests. */
final class Support {

    /** A buffer that was not one pattern throughout: bytes of two different writes. */
    static final int MIXED = -1;
    /** The operation threw an {@link io.safemem.IntegrityException}: a false alarm in these tests. */
    static final int INTEGRITY_EXCEPTION = -2;

    private Support() {
    }

    /** 64 bytes of fresh, zeroed, off-heap memory freed when unreachable: one per state is fine. */
    static MemorySegment header() {
        return Arena.ofAuto().allocate(64, 64);
    }

    /** {@code length} bytes all equal to {@code value}. */
    static byte[] pattern(int length, int value) {
        byte[] b = new byte[length];
        Arrays.fill(b, (byte) value);
        return b;
    }

    /** The value every byte of {@code b} has, or {@link #MIXED}. */
    static int patternOf(byte[] b) {
        int first = b[0];
        for (int i = 1; i < b.length; i++) {
            if (b[i] != first) {
                return MIXED;
            }
        }
        return first;
    }

    /** The value every byte of {@code v} (little-endian, 8 bytes) has, or {@link #MIXED}. */
    static int patternOf(long v) {
        int first = (int) (v & 0xFF);
        return v == (first * 0x0101_0101_0101_0101L) ? first : MIXED;
    }

    /** A copy of all of a region's data bytes, read raw (no lock, no sequence): for arbiters only. */
    static byte[] rawData(CheckedRegion region) {
        byte[] all = new byte[(int) region.data.byteSize()];
        MemorySegment.copy(region.data, ValueLayout.JAVA_BYTE, 0, all, 0, all.length);
        return all;
    }

    /** Whether every block of {@code data} (a copy of the region's data) matches its stored CRC32C. */
    static boolean checksumsMatch(CheckedRegion region, byte[] data) {
        int block = region.blockSize();
        CRC32C crc = new CRC32C();
        for (int b = 0; b < data.length / block; b++) {
            crc.reset();
            crc.update(data, b * block, block);
            if ((int) crc.getValue() != region.checksums.getAtIndex(CheckedRegion.CHECKSUM, b)) {
                return false;
            }
        }
        return true;
    }

    /** Burns a little time, so that another actor has a chance to act in the middle. */
    static void pause(int spins) {
        for (int i = 0; i < spins; i++) {
            Thread.onSpinWait();
        }
    }
}
