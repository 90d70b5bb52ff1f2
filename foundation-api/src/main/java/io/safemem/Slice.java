package io.safemem;

import java.lang.foreign.MemorySegment;

/**
 * A read-only view of a range of a provider, verified when it was borrowed and kept valid until
 * it is closed: while a slice is open, its owner keeps writes out (a single-threaded owner refuses
 * them with {@link ErrorCode#SLICES_OPEN}; a thread-safe one makes writers wait), so the bytes
 * seen through it are the bytes that were verified.
 *
 * <p>Offsets passed to a slice are relative to its start. Scalar reads are little-endian. Any use
 * after {@link #close()} throws a {@link StateException} with {@link ErrorCode#SLICE_CLOSED}.
 *
 * <pre>{@code
 * try (Slice slice = handler.borrowSlice(4096, 256)) {
 *     long id = slice.getLong(0);
 *     slice.copyTo(8, header, 0, header.length);
 * }
 * }</pre>
 */
public interface Slice extends AutoCloseable {

    /**
     * Where the slice starts in its provider.
     *
     * @return the byte offset of the slice's first byte in the provider
     */
    long offset();

    /**
     * The slice's length.
     *
     * @return the number of bytes in the slice
     */
    long length();

    /**
     * Reads one byte.
     *
     * @param offset byte offset in the slice
     * @return the byte
     */
    byte getByte(long offset);

    /**
     * Reads a little-endian {@code short}.
     *
     * @param offset byte offset in the slice, any alignment
     * @return the value
     */
    short getShort(long offset);

    /**
     * Reads a little-endian {@code int}.
     *
     * @param offset byte offset in the slice, any alignment
     * @return the value
     */
    int getInt(long offset);

    /**
     * Reads a little-endian {@code long}.
     *
     * @param offset byte offset in the slice, any alignment
     * @return the value
     */
    long getLong(long offset);

    /**
     * Reads a little-endian {@code float}.
     *
     * @param offset byte offset in the slice, any alignment
     * @return the value
     */
    float getFloat(long offset);

    /**
     * Reads a little-endian {@code double}.
     *
     * @param offset byte offset in the slice, any alignment
     * @return the value
     */
    double getDouble(long offset);

    /**
     * Copies bytes of the slice into an array.
     *
     * @param offset    first byte offset in the slice
     * @param dst       destination array
     * @param dstOffset first index written in {@code dst}
     * @param length    number of bytes
     */
    void copyTo(long offset, byte[] dst, int dstOffset, int length);

    /**
     * Copies bytes of the slice into a segment.
     *
     * @param offset    first byte offset in the slice
     * @param dst       destination segment
     * @param dstOffset first byte offset written in {@code dst}
     * @param length    number of bytes
     * @throws StateException       ({@link ErrorCode#ARENA_CLOSED}) if the arena of {@code dst} is closed
     * @throws ConcurrencyException ({@link ErrorCode#WRONG_THREAD}) if {@code dst} is confined to another thread
     */
    void copyTo(long offset, MemorySegment dst, long dstOffset, long length);

    /**
     * A read-only segment over the slice, for APIs that take a {@link MemorySegment}. It must not
     * be used after the slice is closed. Unlike the other methods, this one allocates.
     *
     * @return a read-only segment of {@link #length()} bytes
     */
    MemorySegment asSegment();

    /**
     * Whether the slice is still open.
     *
     * @return {@code false} once {@link #close()} has been called
     */
    boolean isOpen();

    /**
     * Releases the slice; its owner accepts writes again once all its slices are closed.
     * Idempotent. A slice of a thread-safe owner is closed on the thread that borrowed it.
     */
    @Override
    void close();
}
