package io.safemem.ffm;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * The lock of a region: two {@code long}s in its off-heap header. The lock word (at
 * {@code offset}) has a top bit that says a writer holds or is draining the region, and 63 bits
 * that count the shares held (borrowed slices, reads that fell back to locking). The waiting word
 * (at {@code offset + 8}) counts readers that found a writer in the way and wait for a share.
 * Because both live in the region's memory, not on the heap, the same protocol works for any
 * thread (or process) that maps the region.
 *
 * <ul>
 *   <li>A writer sets the writer bit, only when it is clear and no reader is waiting, which stops
 *       new shares, then waits for the shares already held to be released. So a stream of
 *       borrowers cannot starve writers (they are shut out as soon as a writer is in), and a
 *       stream of writers cannot starve readers (a reader that waited goes before the next
 *       writer): writers and batches of waiting readers take turns. A writer that finds readers
 *       waiting parks at once ({@link Backoff#WRITER_BEHIND_READERS}) instead of spinning, so that
 *       their turn lasts as long as it sleeps, not just one read.</li>
 *   <li>An optimistic reader that keeps losing races to a busy writer takes a turn
 *       ({@link #beginReadersTurn(long)}): it first steps aside for {@value #STEP_ASIDE_NANOS} ns,
 *       touching nothing of the region, so that the writer runs a burst of writes alone, then
 *       registers as waiting and reads under a share. Its next reads run while the writer sleeps:
 *       the turn-taking that makes {@code StampedLock}'s readers fast beside a busy writer, where
 *       a reader and a writer racing on every write would both crawl, each losing the cache
 *       lines the other just wrote.</li>
 *   <li>A reader adds one share, only while the writer bit is clear; a thread that already holds
 *       a share may add another whatever the bit says (no writer can be past the drain while it
 *       holds one), so nested borrows never deadlock against a draining writer.</li>
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

    /**
     * How long a reader that lost its races steps aside before its turn: the length of the burst
     * the writer then runs alone. Chosen by {@code ContendedBench} (one writer, one reader, 64 B):
     * longer favours the writer, shorter the reader.
     */
    static final long STEP_ASIDE_NANOS = 20_000;

    /** The header bytes the lock uses from its offset: the lock word and the waiting word. */
    static final long BYTES = 2 * Long.BYTES;

    /**
     * How often, in rounds of its wait, a writer waiting for shares to drain asks its
     * {@link ShareReclaimer} for the shares of holders that can no longer give them back (a power
     * of two, minus one: a mask). With {@link Backoff#WRITER}, 64 rounds are a few milliseconds.
     */
    private static final int RECLAIM_EVERY = 63;

    private final MemorySegment header;
    private final long offset;
    private final long waitingOffset;
    private final ShareReclaimer reclaimer;

    /** A lock whose shares are only ever given back by their holders. */
    LockWord(MemorySegment header, long offset) {
        this(header, offset, () -> false);
    }

    /**
     * @param reclaimer asked, while a writer waits for shares to drain, to give back the shares of
     *                  holders that can no longer do it themselves
     */
    LockWord(MemorySegment header, long offset, ShareReclaimer reclaimer) {
        this.header = header;
        this.offset = offset;
        this.waitingOffset = offset + Long.BYTES;
        this.reclaimer = reclaimer;
    }

    /** Gives back shares whose holders can no longer do it: threads that ended holding slices. */
    interface ShareReclaimer {
        /**
         * Gives back the shares of holders that can no longer give them back themselves.
         *
         * @return whether any share was given back
         */
        boolean reclaimAbandonedShares();
    }

    /**
     * Takes the writer bit at once if nobody holds, borrows or waits to read the region: the
     * uncontended path.
     */
    boolean tryAcquireExclusive() {
        return waiting() == 0 && WORD.compareAndSet(header, offset, 0L, WRITER);
    }

    /**
     * Takes the writer bit, then waits for the borrowers to leave; gives up (clearing the bit)
     * after {@code timeoutNanos}, or never when it is {@link Long#MAX_VALUE}. The caller must not
     * hold a share itself: it would wait for itself. While it waits for shares, and once more
     * before it gives up, it asks the {@link ShareReclaimer} for shares nobody can give back.
     *
     * @return whether the region is now held exclusively
     */
    boolean acquireExclusive(long timeoutNanos) {
        long deadline = Backoff.deadline(timeoutNanos);
        for (int round = 0; ; round++) {
            long word = word();
            boolean readersFirst = waiting() != 0;
            if (word >= 0 && !readersFirst && WORD.compareAndSet(header, offset, word, word | WRITER)) {
                break;
            }
            Backoff policy = readersFirst ? Backoff.WRITER_BEHIND_READERS : Backoff.WRITER;
            if (policy.expired(round, deadline)) {
                return false;
            }
            policy.pause(round);
        }
        for (int round = 0; (word() & READERS) != 0; round++) {
            boolean expired = Backoff.WRITER.expired(round, deadline);
            if ((expired || (round & RECLAIM_EVERY) == RECLAIM_EVERY) && reclaimer.reclaimAbandonedShares()) {
                continue;
            }
            if (expired) {
                WORD.getAndAdd(header, offset, WRITER);
                return false;
            }
            Backoff.WRITER.pause(round);
        }
        return true;
    }

    /**
     * Releases the writer bit. A plain release store suffices: while the writer holds the bit with
     * no shares, nobody else changes the lock word (new readers wait for the bit; only a thread
     * already holding a share adds without waiting, and there is none).
     */
    void releaseExclusive() {
        WORD.setRelease(header, offset, 0L);
    }

    /**
     * Adds a share once no writer holds or drains the region, registered as waiting meanwhile so
     * that the next writer lets it in first; gives up after {@code timeoutNanos}
     * ({@link Long#MAX_VALUE}: never).
     *
     * @return whether a share is now held
     */
    boolean acquireShared(long timeoutNanos) {
        if (tryAddShare()) {
            return true;
        }
        long deadline = Backoff.deadline(timeoutNanos);
        WORD.getAndAdd(header, waitingOffset, 1L);
        try {
            return awaitShare(deadline);
        } finally {
            WORD.getAndAdd(header, waitingOffset, -1L);
        }
    }

    /**
     * Begins a reader's turn: steps aside for {@value #STEP_ASIDE_NANOS} ns (less if the timeout
     * is shorter), then registers as waiting, so that the next writer parks instead of racing,
     * and adds a share once no writer holds or drains the region. The reader stays registered
     * until {@link #endReadersTurn()}. Gives up after {@code timeoutNanos} ({@link Long#MAX_VALUE}:
     * never), registered no more.
     *
     * @return whether a share is now held, to be given back with {@link #endReadersTurn()}
     */
    boolean beginReadersTurn(long timeoutNanos) {
        long deadline = Backoff.deadline(timeoutNanos);
        Backoff.stepAside(STEP_ASIDE_NANOS, deadline);
        WORD.getAndAdd(header, waitingOffset, 1L);
        if (awaitShare(deadline)) {
            return true;
        }
        WORD.getAndAdd(header, waitingOffset, -1L);
        return false;
    }

    /** Ends a turn begun by {@link #beginReadersTurn(long)}: gives back its share and its place. */
    void endReadersTurn() {
        releaseShared();
        WORD.getAndAdd(header, waitingOffset, -1L);
    }

    /** Adds a share once no writer holds or drains the region, waiting as a reader; {@code false} after {@code deadline}. */
    private boolean awaitShare(long deadline) {
        for (int round = 0; !tryAddShare(); round++) {
            if (Backoff.READER.expired(round, deadline)) {
                return false;
            }
            Backoff.READER.pause(round);
        }
        return true;
    }

    private boolean tryAddShare() {
        long word = (long) WORD.compareAndExchange(header, offset, 0L, 1L);
        return word == 0 || (word > 0 && WORD.compareAndSet(header, offset, word, word + 1));
    }

    /** Adds a borrower without waiting; only for a thread that already holds a share. */
    void addShared() {
        WORD.getAndAdd(header, offset, 1L);
    }

    /** Removes a borrower. */
    void releaseShared() {
        WORD.getAndAdd(header, offset, -1L);
    }

    /** Removes {@code count} shares at once: those of a holder that can no longer release them. */
    void releaseShares(int count) {
        WORD.getAndAdd(header, offset, (long) -count);
    }

    /** The lock word as it is now (volatile read). */
    long word() {
        return (long) WORD.getVolatile(header, offset);
    }

    /** The number of readers waiting for a share (volatile read). */
    long waiting() {
        return (long) WORD.getVolatile(header, waitingOffset);
    }
}
