package io.safemem.ffm.internal;

import io.safemem.BoundsException;
import io.safemem.ConcurrencyException;
import io.safemem.ErrorCode;
import io.safemem.StateException;
import io.safemem.ValidationException;

import java.lang.foreign.MemorySegment;

/**
 * Argument and state checks shared by every entry point of the module (not exported). The checks themselves are a few
 * compares; building the exception is kept out of line so the hot paths stay small.
 */
public final class Checks {

    private Checks() {
    }

    /** Checks {@code [offset, offset + length)} against a capacity, in the order the codes are documented. */
    public static void range(long offset, long length, long capacity) {
        if ((offset | length) < 0 || offset > capacity - length) {
            throw rangeError(offset, length, capacity, Long.MAX_VALUE, ErrorCode.OUT_OF_BOUNDS, "capacity");
        }
    }

    /** Checks {@code [offset, offset + length)} against a caller's segment of {@code size} bytes. */
    public static void segment(long offset, long length, long size) {
        if ((offset | length) < 0 || offset > size - length) {
            throw rangeError(offset, length, size, Long.MAX_VALUE, ErrorCode.BUFFER_RANGE, "segment size");
        }
    }

    /** Checks {@code [offset, offset + length)} against a caller's array of {@code size} bytes; indexes are 32-bit. */
    public static void array(int offset, int length, int size) {
        if ((offset | length) < 0 || offset > size - length) {
            throw rangeError(offset, length, size, Integer.MAX_VALUE, ErrorCode.BUFFER_RANGE, "array length");
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

    /** Refuses {@code null} arguments with a validation error naming the argument. */
    public static <T> T notNull(T value, String name) {
        if (value == null) {
            throw new ValidationException(ErrorCode.NULL_ARGUMENT, name + " must not be null");
        }
        return value;
    }

    /**
     * Checks that memory of {@code segment} may be used now by this thread: its arena is open and,
     * for a confined arena, this thread is the owner ({@code owner == null} for shared memory).
     * {@code kind} and {@code name} only go into the message, which is built only when thrown.
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

    public static ConcurrencyException wrongThread(Thread owner, String what) {
        return new ConcurrencyException(ErrorCode.WRONG_THREAD,
                what + " is confined to thread '" + owner.getName() + "', used from '"
                        + Thread.currentThread().getName() + "'");
    }

    /** Whether {@code value} is a positive power of two. */
    public static boolean isPowerOfTwo(long value) {
        return value > 0 && (value & (value - 1)) == 0;
    }
}
