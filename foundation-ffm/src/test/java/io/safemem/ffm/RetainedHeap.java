package io.safemem.ffm;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.ref.Reference;
import java.util.List;

/**
 * Heap measurements for leak tests: the heap still in use after full collections, and whether
 * weak references have been cleared. Counts bytes and references, never time.
 */
final class RetainedHeap {

    private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();
    /** Two consecutive collections leaving used heap within this of each other count as settled. */
    private static final long SETTLED_BYTES = 32 * 1024;
    private static final int MAX_COLLECTIONS = 20;

    private RetainedHeap() {
    }

    /**
     * Collects with {@link System#gc()} until the used heap stops moving (two consecutive
     * readings within {@value #SETTLED_BYTES} bytes, at most {@value #MAX_COLLECTIONS} collections).
     *
     * @return the used heap after the last collection, in bytes
     */
    static long usedAfterGc() {
        long previous = collect();
        for (int i = 1; i < MAX_COLLECTIONS; i++) {
            long used = collect();
            if (Math.abs(used - previous) <= SETTLED_BYTES) {
                return used;
            }
            previous = used;
        }
        return previous;
    }

    /**
     * Collects with {@link System#gc()} until every reference is cleared, at most
     * {@code maxCollections} times.
     *
     * @return how many of {@code refs} are cleared
     */
    static int awaitCleared(List<? extends Reference<?>> refs, int maxCollections) {
        int cleared = cleared(refs);
        for (int i = 0; i < maxCollections && cleared < refs.size(); i++) {
            System.gc();
            cleared = cleared(refs);
        }
        return cleared;
    }

    private static int cleared(List<? extends Reference<?>> refs) {
        int cleared = 0;
        for (Reference<?> ref : refs) {
            if (ref.refersTo(null)) {
                cleared++;
            }
        }
        return cleared;
    }

    private static long collect() {
        System.gc();
        return MEMORY.getHeapMemoryUsage().getUsed();
    }
}
