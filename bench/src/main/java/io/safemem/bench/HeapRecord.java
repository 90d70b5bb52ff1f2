package io.safemem.bench;

import java.util.zip.CRC32C;

/**
 * What a Java developer would write instead of a checked region: one record's bytes in a heap
 * {@code byte[]} at a fixed offset, and the CRC32C of its last write in an {@code int[]} checksum
 * slot. Not thread-safe: each baseline of {@link ContendedBench} guards it with its own lock.
 */
final class HeapRecord {

    private final byte[] data;
    private final int[] checksums;
    private final int offset;
    private final int length;
    private final int slot;

    /**
     * Creates a zeroed store holding one record.
     *
     * @param capacity bytes of the store
     * @param offset   where the record starts, a multiple of {@code length}
     * @param length   bytes of the record
     */
    HeapRecord(int capacity, int offset, int length) {
        this.data = new byte[capacity];
        this.checksums = new int[capacity / length];
        this.offset = offset;
        this.length = length;
        this.slot = offset / length;
    }

    /**
     * Copies {@code src} into the record and stores the CRC32C of the bytes written.
     *
     * @param src the record's new bytes, {@code length} of them
     * @param crc the calling thread's checksum object
     * @return the checksum stored
     */
    int write(byte[] src, CRC32C crc) {
        System.arraycopy(src, 0, data, offset, length);
        crc.reset();
        crc.update(data, offset, length);
        int checksum = (int) crc.getValue();
        checksums[slot] = checksum;
        return checksum;
    }

    /**
     * Copies the record out, and reads its stored checksum in the same window.
     *
     * @param dst receives the record's bytes
     * @return the stored checksum, for {@link #verify}
     */
    int copyOut(byte[] dst) {
        System.arraycopy(data, offset, dst, 0, length);
        return checksums[slot];
    }

    /**
     * Checks a copy against the checksum read with it.
     *
     * @param copy   bytes from {@link #copyOut}
     * @param stored the checksum {@link #copyOut} returned
     * @param crc    the calling thread's checksum object
     * @throws IllegalStateException if they do not match: a torn or corrupt copy was accepted
     */
    static void verify(byte[] copy, int stored, CRC32C crc) {
        crc.reset();
        crc.update(copy, 0, copy.length);
        if ((int) crc.getValue() != stored) {
            throw new IllegalStateException("checksum mismatch on a validated copy");
        }
    }
}
