package io.safemem.ffm;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * The {@link ReaderContext}s of one {@link AtomicMemoryOps}: one per thread that has used it and
 * has not yet been seen to end. Kept here, not in a {@link ThreadLocal}, because a thread's
 * {@code ThreadLocal} map would keep the context (and through it the region, its engine and its
 * scratch) alive for as long as the thread lives, long after the region was dropped; here the
 * contexts go with the {@code AtomicMemoryOps} (invariant I5: bounded by the regions open).
 *
 * <p>A thread finds its context without locking: an open-addressing table keyed by thread id with
 * linear probing, read through a volatile reference. Contexts are added in place under this
 * object's monitor (a racing lookup sees the new entry or an empty slot, never a wrong one, and
 * finds its own entry as before, because entries are never removed in place); they are removed
 * only by replacing the whole table. The table is rebuilt before it is half full: contexts whose
 * threads have ended are dropped then, their counters folded into the region's retired counters
 * and the shares of the slices they never closed given back to the lock. So the table stays
 * within a small multiple of the threads alive (invariant I5: bounded by the threads alive), and a
 * thread that ended holding a slice never blocks writers for good: a writer that waits for shares
 * calls {@link #reclaimAbandonedShares()}.
 *
 * <p>Whatever an ended thread wrote to its context is visible here once {@link Thread#isAlive()}
 * has returned {@code false} (JLS 17.4.4: detecting termination synchronizes with the thread's
 * last action).
 */
final class ReaderRegistry implements LockWord.ShareReclaimer {

    private static final int MIN_TABLE = 16;

    private final CheckedRegion region;
    private final LockWord lock;
    private volatile ReaderContext[] table = new ReaderContext[MIN_TABLE];
    /** Contexts in {@link #table}; guarded by this. */
    private int size;
    /** Sampling streams handed out so far; guarded by this. */
    private int streams;
    /**
     * The context of the first thread that read, found without a table lookup: a racy hint (its
     * thread field is final), cleared when that thread is seen to have ended, so that a dedicated
     * reader thread pays no lookup.
     */
    private ReaderContext first;

    ReaderRegistry(CheckedRegion region, LockWord lock) {
        this.region = region;
        this.lock = lock;
    }

    /** The calling thread's context, made on its first call. */
    ReaderContext current() {
        Thread thread = Thread.currentThread();
        ReaderContext hint = first;
        if (hint != null && hint.thread == thread) {
            return hint;
        }
        ReaderContext self = find(thread);
        return self != null ? self : register(thread);
    }

    /** The context of {@code thread}, or {@code null} if it has none; never makes one. */
    ReaderContext find(Thread thread) {
        ReaderContext[] tab = table;
        int mask = tab.length - 1;
        for (int i = slot(thread, mask); ; i = (i + 1) & mask) {
            ReaderContext context = tab[i];
            if (context == null || context.thread == thread) {
                return context;
            }
        }
    }

    private synchronized ReaderContext register(Thread thread) {
        if (size + 1 > table.length >>> 1) {
            rebuild(1);
        }
        RegionCounters part = new RegionCounters();
        ReaderContext context = new ReaderContext(region, lock, thread, part, ++streams);
        region.counters.addPart(part);
        insert(table, context);
        size++;
        if (first == null) {
            first = context;
        }
        return context;
    }

    /**
     * Gives back the shares that threads which ended without closing their slices still hold.
     *
     * @return whether any share was given back
     */
    @Override
    public synchronized boolean reclaimAbandonedShares() {
        for (ReaderContext context : table) {
            if (context != null && !context.thread.isAlive() && context.openSlices != 0) {
                rebuild(0);
                return true;
            }
        }
        return false;
    }

    /**
     * The threads that hold slices now, for diagnosing a writer that waits.
     *
     * @return one entry per thread with open slices, ended or not
     */
    synchronized List<SliceHolder> sliceHolders() {
        List<SliceHolder> holders = new ArrayList<>();
        for (ReaderContext context : table) {
            if (context != null) {
                boolean alive = context.thread.isAlive();
                int open = context.openSlices;
                if (open != 0) {
                    holders.add(new SliceHolder(context.thread.getName(), context.thread.threadId(), alive, open));
                }
            }
        }
        return List.copyOf(holders);
    }

    /** The number of contexts kept; for tests of invariant I5. */
    synchronized int size() {
        return size;
    }

    /**
     * Replaces the table with one holding only the contexts of threads alive, sized for them and
     * {@code room} more; retires the others (their counters folded, their shares given back).
     */
    private void rebuild(int room) {
        List<ReaderContext> kept = new ArrayList<>(size);
        Set<RegionCounters> ended = Collections.newSetFromMap(new IdentityHashMap<>());
        for (ReaderContext context : table) {
            if (context == null) {
                continue;
            }
            if (context.thread.isAlive()) {
                kept.add(context);
            } else {
                ended.add(context.counters);
                context.retire();
            }
        }
        int capacity = MIN_TABLE;
        while (capacity < 4 * (kept.size() + room)) {
            capacity <<= 1;
        }
        ReaderContext[] rebuilt = new ReaderContext[capacity];
        for (ReaderContext context : kept) {
            insert(rebuilt, context);
        }
        table = rebuilt;
        size = kept.size();
        ReaderContext hint = first;
        if (hint != null && !hint.thread.isAlive()) {
            first = null;
        }
        region.counters.retireParts(ended);
    }

    private static void insert(ReaderContext[] tab, ReaderContext context) {
        int mask = tab.length - 1;
        int i = slot(context.thread, mask);
        while (tab[i] != null) {
            i = (i + 1) & mask;
        }
        tab[i] = context;
    }

    private static int slot(Thread thread, int mask) {
        long id = thread.threadId() * 0x9E3779B97F4A7C15L;
        return (int) (id >>> 32) & mask;
    }
}
