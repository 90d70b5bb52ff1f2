package io.safemem.ffm;

import io.safemem.ConcurrencyException;
import io.safemem.ErrorCode;

/**
 * What one thread needs to read through an {@link AtomicMemoryOps}: its own checksum engine
 * (scratch, CRC32C state, sampling gate and counters, so readers share nothing they write) and the
 * number of slices it has borrowed and not closed. Created on the thread's first access, then
 * reused for every operation of that thread.
 *
 * <p>The slices it lends are confined to it: a slice holds one share of the region's lock, and
 * only the borrowing thread knows it holds one (that is how a thread with open slices is refused
 * a write instead of waiting for itself, and may borrow again while a writer waits). If the
 * thread ends without closing them, the {@link ReaderRegistry} {@linkplain #retire() retires} the
 * context and gives their shares back.
 */
final class ReaderContext implements SliceOwner {

    final ChecksumEngine engine;
    final RegionCounters counters;
    /** The thread this context belongs to. */
    final Thread thread;
    /** Slices lent and not closed; changed only by {@link #thread}, or by {@link #retire()} once it has ended. */
    int openSlices;
    /** The offset of the slice being lent, from the start of a borrow to its slice's creation. */
    long lendingOffset;
    private final CheckedRegion region;
    private final LockWord lock;
    /** Set once the thread has ended and its shares were given back: its slices are closed then. */
    private volatile boolean retired;

    /**
     * @param thread   the thread the context is for
     * @param counters the thread's part of the region's counters
     * @param stream   this thread's sampling stream: the number of threads that read before it, plus one
     */
    ReaderContext(CheckedRegion region, LockWord lock, Thread thread, RegionCounters counters, int stream) {
        this.region = region;
        this.lock = lock;
        this.thread = thread;
        this.counters = counters;
        this.engine = new ChecksumEngine(region, counters, SamplingGate.streamSeed(region.samplingSeed, stream));
    }

    /**
     * Gives back the shares of the slices the thread never closed; only once it has ended (its
     * slices cannot be used or closed by anyone else: they are confined to it).
     */
    void retire() {
        if (openSlices != 0) {
            giveBack(openSlices);
        }
        openSlices = 0;
        retired = true;
    }

    /** Gives {@code shares} back to the lock, unless the arena was closed: the lock word went with its memory. */
    private void giveBack(int shares) {
        try {
            lock.releaseShares(shares);
        } catch (IllegalStateException e) {
            if (region.header.scope().isAlive()) {
                throw e;
            }
        }
    }

    /** Records the offset of the slice about to be lent, and returns this context. */
    ReaderContext lendingAt(long offset) {
        lendingOffset = offset;
        return this;
    }

    /** A slice of {@code length} bytes at the offset being lent, owned by this context. */
    BorrowedSlice slice(long length) {
        return new BorrowedSlice(this, region.data, lendingOffset, length);
    }

    @Override
    public void checkSliceAccess() {
        region.checkAccess();
        checkThread();
    }

    @Override
    public boolean lends() {
        return !retired;
    }

    @Override
    public void sliceClosed() {
        checkThread();
        openSlices--;
        giveBack(1);
    }

    /** Whether the calling thread is the one this context belongs to. */
    boolean isOwnedByCurrentThread() {
        return thread == Thread.currentThread();
    }

    private void checkThread() {
        if (!isOwnedByCurrentThread()) {
            throw new ConcurrencyException(ErrorCode.WRONG_THREAD, "a slice of region '" + region.name
                    + "' belongs to the thread that borrowed it (" + thread.getName() + "), not "
                    + Thread.currentThread().getName());
        }
    }
}
