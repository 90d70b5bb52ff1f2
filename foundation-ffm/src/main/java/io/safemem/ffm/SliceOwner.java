package io.safemem.ffm;

/**
 * What a {@link BorrowedSlice} asks of whoever lent it: may it be read now, and the news that it
 * closed. A handler counts its open slices; {@link AtomicMemoryOps} also releases the slice's share
 * of the region's lock.
 */
interface SliceOwner {

    /** Throws unless the slice's memory may be read by this thread now. */
    void checkSliceAccess();

    /** Called once, when a slice closes. */
    void sliceClosed();
}
