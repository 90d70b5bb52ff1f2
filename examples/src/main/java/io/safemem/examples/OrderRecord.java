package io.safemem.examples;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The demo's fixed-size record: a 64-byte "order", encoded little-endian into a caller's array
 * without allocating.
 *
 * <pre>
 * offset  size  field
 *      0     8  id         the record's index
 *      8     8  price      in ticks of 1/10000
 *     16     4  qty
 *     20     4  version    bumped by every rewrite of the record
 *     24    40  payload    filler derived from id and version; the record holds no checksum of its own
 * </pre>
 * Two versions of a record differ in their version field and in every payload byte (unless the
 * versions are 256 apart), so a record torn between two writes does not look like either.
 */
final class OrderRecord {

    /** Size of one record in bytes. */
    static final int SIZE = 64;

    private static final int ID = 0;
    private static final int PRICE = 8;
    private static final int QTY = 16;
    /** Offset of the version field, a little-endian {@code int}. */
    static final int VERSION = 20;
    private static final int PAYLOAD = 24;

    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    private OrderRecord() {
    }

    /**
     * Writes the record {@code id} in its {@code version} into {@code dst[at, at + SIZE)}. The
     * content is a pure function of both, so any version can be told apart from any other.
     *
     * @param dst     destination array
     * @param at      first index written
     * @param id      the record's index
     * @param version the record's version
     */
    static void encode(byte[] dst, int at, long id, int version) {
        LONG.set(dst, at + ID, id);
        LONG.set(dst, at + PRICE, 1_000_000L + (id * 7_919L + version * 104_729L) % 50_000L);
        INT.set(dst, at + QTY, 1 + (int) ((id + 31L * version) % 1_000L));
        INT.set(dst, at + VERSION, version);
        for (int i = PAYLOAD; i < SIZE; i++) {
            dst[at + i] = (byte) (id * 31 + version * 7 + i);
        }
    }

    /**
     * The version a record in {@code src[at, at + SIZE)} says it has.
     *
     * @param src source array
     * @param at  first index of the record
     * @return its version field
     */
    static int version(byte[] src, int at) {
        return (int) INT.get(src, at + VERSION);
    }
}
