package io.safemem.ffm.internal;

import io.safemem.BoundsException;
import io.safemem.ConcurrencyException;
import io.safemem.ErrorCode;
import io.safemem.StateException;
import io.safemem.ValidationException;

import java.lang.foreign.MemorySegment;

/**
 * Argument and state checks shared by every entry point of the module (not exported). The checks
 * themselves are a few compares; building the exception is kept out of line so the hot paths stay
 * small and allocate nothing.
 */
public final class Checks {

    private Checks() {
    }

    /**
     * Checks a range of a region or slice.
     *
     * @param offset   first byte offset
     * @param length   number of bytes
     * @param capacity the size of what the range addresses
     * @throws BoundsException {@code NEGATIVE_OFFSET}, {@code NEGATIVE_LENGTH}, {@code RANGE_OVERFLOW}
     *                         or {@code OUT_OF_BOUNDS}, checked in that order
     */
    public static void range(long offset, long length, long capacity) {
        if ((offset | length) < 0 || offset > capacity - length) {
            throw rangeError(offset, length, capacity, Long.MAX_VALUE, ErrorCode.OUT_OF_BOUNDS, "capacity");
        }
    }

    /**
     * Checks a range of a caller's segment.
     *
     * @param offset first byte offset in the segment
     * @param length number of bytes
     * @param size   the segment's size
     * @throws BoundsException as {@link #range}, with {@code BUFFER_RANGE} for a range beyond the segment
     */
    public static void segment(long offset, long length, long size) {
        if ((offset | length) < 0 || offset > size - length) {
            throw rangeError(offset, length, size, Long.MAX_VALUE, ErrorCode.BUFFER_RANGE, "buffer size");
        }
    }

    /**
     * Checks a caller's segment before anything is touched: not null, its arena open, and usable
     * by this thread (any thread, unless its arena is confined to another).
     *
     * @param segment the caller's segment
     * @param name    the argument's name, for the message
     * @return {@code segment}
     * @throws ValidationException  ({@code NULL_ARGUMENT}) if {@code segment} is null
     * @throws StateException       ({@code ARENA_CLOSED}) if its arena is closed
     * @throws ConcurrencyException ({@code WRONG_THREAD}) if its arena is confined to another thread
     */
    public static MemorySegment callersSegment(MemorySegment segment, String name) {
        if (!usable(notNull(segment, name))) {
            throw callersSegmentError(segment, name);
        }
        return segment;
    }

    private static boolean usable(MemorySegment segment) {
        return segment.scope().isAlive() && segment.isAccessibleBy(Thread.currentThread());
    }

    private static RuntimeException callersSegmentError(MemorySegment segment, String name) {
        if (!segment.scope().isAlive()) {
            return new StateException(ErrorCode.ARENA_CLOSED, "the arena of the caller's segment " + name
                    + " has been closed");
        }
        return new ConcurrencyException(ErrorCode.WRONG_THREAD, "the caller's segment " + name
                + " is confined to another thread than '" + Thread.currentThread().getName() + "'");
    }

    /**
     * What to throw when the JDK refused a memory access in the middle of a call (its
     * {@code IllegalStateException} for a closed arena, its {@code WrongThreadException}), once
     * the caller has rechecked the region's memory, which throws the coded exception if that was
     * the cause: the coded exception for the caller's segment if that was the cause, else
     * {@code failure} itself, a refusal this module does not know of.
     *
     * @param failure the JDK's exception
     * @param other   the caller's segment of the call, or anything else (a {@code byte[]}, {@code null})
     * @param name    the segment argument's name, for the message
     * @return the exception to throw: {@code ARENA_CLOSED} ({@link StateException}) or
     *         {@code WRONG_THREAD} ({@link ConcurrencyException}) for the caller's segment, caused
     *         by {@code failure}; or {@code failure}
     */
    public static RuntimeException accessLost(RuntimeException failure, Object other, String name) {
        if (other instanceof MemorySegment segment && !usable(segment)) {
            RuntimeException coded = callersSegmentError(segment, name);
            coded.initCause(failure);
            return coded;
        }
        return failure;
    }

    /**
     * Checks a range of a caller's array, whose indexes are 32-bit.
     *
     * @param offset first index
     * @param length number of bytes
     * @param size   the array's length
     * @throws BoundsException as {@link #range}, with {@code RANGE_OVERFLOW} past {@link Integer#MAX_VALUE}
     *                         and {@code BUFFER_RANGE} for a range beyond the array
     */
    public static void array(int offset, int length, int size) {
        if ((offset | length) < 0 || offset > size - length) {
            throw rangeError(offset, length, size, Integer.MAX_VALUE, ErrorCode.BUFFER_RANGE, "buffer size");
        }
    }

    private static BoundsException rangeError(long offset, long length, long limit, long maxEnd, ErrorCode beyond,
                                              String what) {
        if (offset < 0) {
            return new BoundsException(ErrorCode.NEGATIVE_OFFSET, "offset " + offset);
        }
        if (length < 0) {
            return new BoundsException(ErrorCode.NEGATIVE_LENGTH, "length " + length);
        }
        if (offset > maxEnd - length) {
            return new BoundsException(ErrorCode.RANGE_OVERFLOW, "offset " + offset + " + length " + length
                    + " exceeds " + maxEnd);
        }
        return new BoundsException(beyond, "[" + offset + ", " + (offset + length) + ") exceeds " + what + " " + limit);
    }

    /**
     * Refuses {@code null}.
     *
     * @param value the argument
     * @param name  the argument's name, for the message
     * @param <T>   the argument's type
     * @return {@code value}
     * @throws ValidationException ({@code NULL_ARGUMENT}) if {@code value} is null
     */
    public static <T> T notNull(T value, String name) {
        if (value == null) {
            throw new ValidationException(ErrorCode.NULL_ARGUMENT, name + " must not be null");
        }
        return value;
    }

    /**
     * Checks that memory of {@code segment} may be used now by this thread: its arena is open and,
     * for a confined arena, this thread is the owner. {@code kind} and {@code name} go into the
     * message only, which is built only when thrown.
     *
     * @param segment memory of the arena in question
     * @param owner   the owning thread of a confined arena, {@code null} for shared memory
     * @param kind    what the memory is, e.g. {@code "region"}
     * @param name    its name
     * @throws StateException       ({@code ARENA_CLOSED}) if the arena is closed
     * @throws ConcurrencyException ({@code WRONG_THREAD}) if another thread owns the arena
     */
    public static void access(MemorySegment segment, Thread owner, String kind, String name) {
        if (!segment.scope().isAlive() || (owner != null && owner != Thread.currentThread())) {
            throw accessError(segment, owner, kind + " '" + name + "'");
        }
    }

    private static RuntimeException accessError(MemorySegment segment, Thread owner, String what) {
        if (!segment.scope().isAlive()) {
            return new StateException(ErrorCode.ARENA_CLOSED, "the arena of " + what + " has been closed");
        }
        return wrongThread(owner, what);
    }

    /**
     * The error for a confined arena used from a thread that does not own it.
     *
     * @param owner the owning thread
     * @param what  what was used, for the message
     * @return the exception, to throw
     */
    public static ConcurrencyException wrongThread(Thread owner, String what) {
        return new ConcurrencyException(ErrorCode.WRONG_THREAD,
                what + " is confined to thread '" + owner.getName() + "', used from '"
                        + Thread.currentThread().getName() + "'");
    }

    /**
     * Whether a value is a positive power of two.
     *
     * @param value the value
     * @return {@code true} for 1, 2, 4, ...
     */
    public static boolean isPowerOfTwo(long value) {
        return value > 0 && (value & (value - 1)) == 0;
    }
}
