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
 * a write instead of waiting for itself, and may borrow again while a writer waits).
 */
final class ReaderContext implements SliceOwner {

    final ChecksumEngine engine;
    final RegionCounters counters;
    int openSlices;
    /** The offset of the slice being lent, from the start of a borrow to its slice's creation. */
    long lendingOffset;
    private final CheckedRegion region;
    private final LockWord lock;
    private final Thread thread = Thread.currentThread();

    /**
     * @param stream this thread's sampling stream: the number of threads that read before it, plus one
     */
    ReaderContext(CheckedRegion region, LockWord lock, int stream) {
        this.region = region;
        this.lock = lock;
        this.counters = region.counters.newPart();
        this.engine = new ChecksumEngine(region, counters, SamplingGate.streamSeed(region.samplingSeed, stream));
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
    public void sliceClosed() {
        checkThread();
        openSlices--;
        try {
            lock.releaseShared();
        } catch (IllegalStateException e) {
            if (region.header.scope().isAlive()) {
                throw e;
            } // else the arena was closed, and the lock word went with its memory
        }
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
