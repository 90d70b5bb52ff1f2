package io.safemem.ffm;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * The sequence word of a region, a {@code long} in its off-heap header that lets readers read
 * without locking: the {@code StampedLock} optimistic read, in off-heap memory.
 *
 * <p>The writer (who holds the lock word) makes the sequence odd before it changes any data or
 * checksum and even again after the last change:
 * <pre>
 *   seq = s + 1 (opaque);  storeStoreFence;  ...data and checksum stores...;  seq = s + 2 (release)
 * </pre>
 * A reader takes a stamp with an acquire load, retries at once if it is odd, copies what it needs,
 * and then validates: an acquire fence keeps its copy's loads before the sequence's second load.
 * If that load still equals the stamp, no write overlapped the copy: had any of the copy's loads
 * seen a store of a write, the store-store fence means the second load sees that write's odd
 * (or a later) sequence. The release store of the even value makes a whole write visible to a
 * reader whose acquire stamp sees it.
 */
final class SequenceWord {

    private static final VarHandle WORD = ValueLayout.JAVA_LONG.varHandle();

    private final MemorySegment header;
    private final long offset;

    SequenceWord(MemorySegment header, long offset) {
        this.header = header;
        this.offset = offset;
    }

    /**
     * Marks a write as begun; only the holder of the writer lock may call this.
     *
     * @return the odd sequence, to hand to {@link #endWrite(long)}
     */
    long beginWrite() {
        long odd = (long) WORD.get(header, offset) + 1;
        WORD.setOpaque(header, offset, odd);
        VarHandle.storeStoreFence();
        return odd;
    }

    /** Publishes the write begun with {@code odd}. */
    void endWrite(long odd) {
        WORD.setRelease(header, offset, odd + 1);
    }

    /**
     * A stamp for an optimistic read: odd while a write is in progress, when the reader should not
     * start (see {@link #isWriting(long)}).
     */
    long stamp() {
        return (long) WORD.getAcquire(header, offset);
    }

    /** Whether {@code stamp} was taken while a write was in progress. */
    static boolean isWriting(long stamp) {
        return (stamp & 1) != 0;
    }

    /** Whether no write began since {@code stamp} was taken, so everything read since is one state. */
    boolean validate(long stamp) {
        VarHandle.acquireFence();
        return stamp == (long) WORD.getOpaque(header, offset);
    }
}
