package io.safemem.ffm;

/**
 * A thread that holds borrowed slices of an {@link AtomicMemoryOps}'s region, as
 * {@link AtomicMemoryOps#sliceHolders()} reports it: what to look at when a writer waits for the
 * lock (each open slice keeps writers out until it is closed).
 *
 * <pre>{@code
 * for (SliceHolder holder : memory.sliceHolders()) {
 *     log.warn("{} slice(s) of region {} held by {} (id {}){}", holder.openSlices(),
 *             memory.provider().name(), holder.threadName(), holder.threadId(),
 *             holder.threadAlive() ? "" : ", ended: its shares are reclaimed by the next writer");
 * }
 * }</pre>
 *
 * @param threadName  the name of the thread that borrowed the slices
 * @param threadId    its {@link Thread#threadId()}
 * @param threadAlive whether it was alive when asked; a thread that ended without closing its
 *                    slices cannot close them any more, and the next writer that waits gives
 *                    their shares back
 * @param openSlices  how many slices it had borrowed and not closed
 */
public record SliceHolder(String threadName, long threadId, boolean threadAlive, int openSlices) {
}
