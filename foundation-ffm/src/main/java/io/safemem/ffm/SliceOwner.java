package io.safemem.ffm;

/**
 * What a {@link BorrowedSlice} asks of whoever lent it: may it be read now, and the news that it
 * closed. A handler counts its open slices; {@link AtomicMemoryOps} also releases the slice's share
 * of the region's lock.
 */
interface SliceOwner {

    /** Throws unless the slice's memory may be read by this thread now. */
    void checkSliceAccess();

    /** Called once, when a slice closes, unless the owner no longer {@linkplain #lends() lends} it. */
    void sliceClosed();

    /**
     * Whether the slices this owner lent are still lent: {@code false} once they were revoked, or
     * their thread ended and its shares were reclaimed. They then read as closed.
     */
    boolean lends();
}
