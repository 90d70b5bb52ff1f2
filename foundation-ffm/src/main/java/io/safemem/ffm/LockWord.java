package io.safemem.ffm;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * The lock word of a region, a {@code long} in its off-heap header: the top bit says a writer holds
 * or is waiting for the region; the other 63 bits count the borrowed slices reading it. Because the
 * word lives in the region's memory, not on the heap, the same protocol works for any thread (or
 * process) that maps the region.
 *
 * <ul>
 *   <li>A writer sets the writer bit (only when it is clear), which stops new borrowers, then waits
 *       for the borrowers already in to leave: writers are preferred, so a stream of borrowers
 *       cannot starve them.</li>
 *   <li>A borrower adds one to the count, only while the writer bit is clear; a thread that
 *       already holds a share may add another whatever the bit says (no writer can be past the
 *       drain while it holds one), so nested borrows never deadlock against a waiting writer.</li>
 * </ul>
 * Every change is a CAS or an atomic add through a {@link VarHandle} on the segment; waiting is
 * {@link Backoff}. Nothing here allocates.
 */
final class LockWord {

    /** The writer bit. */
    static final long WRITER = Long.MIN_VALUE;
    /** The borrower count's bits. */
    static final long READERS = Long.MAX_VALUE;

    private static final VarHandle WORD = ValueLayout.JAVA_LONG.varHandle();

    private final MemorySegment header;
    private final long offset;

    LockWord(MemorySegment header, long offset) {
        this.header = header;
        this.offset = offset;
    }

    /** Takes the writer bit at once if nobody holds or borrows the region: the uncontended path. */
    boolean tryAcquireExclusive() {
        return WORD.compareAndSet(header, offset, 0L, WRITER);
    }

    /**
     * Takes the writer bit, then waits for the borrowers to leave; gives up (clearing the bit)
     * after {@code timeoutNanos}, or never when it is {@link Long#MAX_VALUE}. The caller must not
     * hold a share itself: it would wait for itself.
     *
     * @return whether the region is now held exclusively
     */
    boolean acquireExclusive(long timeoutNanos) {
        long deadline = Backoff.deadline(timeoutNanos);
        for (int round = 0; ; round++) {
            long word = word();
            if (word >= 0 && WORD.compareAndSet(header, offset, word, word | WRITER)) {
                break;
            }
            if (Backoff.expired(round, deadline)) {
                return false;
            }
            Backoff.pause(round);
        }
        for (int round = 0; (word() & READERS) != 0; round++) {
            if (Backoff.expired(round, deadline)) {
                WORD.getAndAdd(header, offset, WRITER);
                return false;
            }
            Backoff.pause(round);
        }
        return true;
    }

    /**
     * Releases the writer bit. A plain release store suffices: while the writer holds the bit with
     * no borrowers, nobody else changes the word (new borrowers wait for the bit; only a thread
     * already holding a share adds without waiting, and there is none).
     */
    void releaseExclusive() {
        WORD.setRelease(header, offset, 0L);
    }

    /**
     * Adds a borrower once no writer holds or waits for the region; gives up after
     * {@code timeoutNanos} ({@link Long#MAX_VALUE}: never).
     *
     * @return whether a share is now held
     */
    boolean acquireShared(long timeoutNanos) {
        long deadline = 0;
        for (int round = 0; ; round++) {
            long word = word();
            if (word >= 0 && WORD.compareAndSet(header, offset, word, word + 1)) {
                return true;
            }
            if (round == Backoff.SPIN_ROUNDS) {
                deadline = Backoff.deadline(timeoutNanos);
            } else if (round > Backoff.SPIN_ROUNDS && Backoff.expired(round, deadline)) {
                return false;
            }
            Backoff.pause(round);
        }
    }

    /** Adds a borrower without waiting; only for a thread that already holds a share. */
    void addShared() {
        WORD.getAndAdd(header, offset, 1L);
    }

    /** Removes a borrower. */
    void releaseShared() {
        WORD.getAndAdd(header, offset, -1L);
    }

    /** The word as it is now (volatile read). */
    long word() {
        return (long) WORD.getVolatile(header, offset);
    }
}
