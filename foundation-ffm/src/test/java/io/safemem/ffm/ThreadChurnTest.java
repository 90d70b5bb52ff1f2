package io.safemem.ffm;

import io.safemem.MemoryStatistics;
import io.safemem.VerificationLevel;
import org.junit.jupiter.api.Test;

import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Invariant I5, bounded per-thread state: what {@link AtomicMemoryOps} keeps for the threads that
 * read through it is bounded by the threads still alive and the regions still open, never by
 * every thread that ever read or every region a thread ever read.
 *
 * <ul>
 *   <li>{@link #deadReadersLeaveNothingBehindAndStayCounted()}: 200,000 short-lived virtual
 *       threads each read once through one shared region; once they are dead the heap retained
 *       after full collections grows by less than {@value #CHURN_BOUND_BYTES} bytes (about 10 B
 *       per dead thread), and {@code statistics().verifications()} still counts every block their
 *       reads verified: the counts of dead threads are folded in, not lost.</li>
 *   <li>{@link #closedRegionsAreNotHeldByALiveReader()}: one long-lived thread writes and reads
 *       once through each of 2,000 regions, each on its own shared arena closed right after;
 *       while that thread is still alive, every region and every {@code AtomicMemoryOps} is
 *       collectable (their weak references are cleared), and the retained heap stays under
 *       {@value #REGIONS_BOUND_BYTES} bytes.</li>
 * </ul>
 *
 * <p>Public API only; bytes and references are asserted, never time. Each test prints one line
 * with its figures; the churn test also prints, for information only, the mean time of a
 * thread's first read in the first and last batches and the time of one full read of the
 * statistics after the churn.
 */
class ThreadChurnTest {

    private static final int BLOCK = 64;
    private static final long CHURN_CAPACITY = 4096;
    private static final int BATCH = 1_000;
    private static final int WARM_UP_BATCHES = 2;
    private static final int CHURN_THREADS = 200_000;
    /** Retained heap allowed after the churn: about 10 B per dead thread (the defect kept 86). */
    private static final long CHURN_BOUND_BYTES = 2L * 1024 * 1024;

    private static final int REGIONS = 2_000;
    /** Retained heap allowed with the closed regions' reader alive: about 1 KiB per region. */
    private static final long REGIONS_BOUND_BYTES = 2L * 1024 * 1024;
    private static final int MAX_COLLECTIONS = 20;
    private static final long LIVENESS_SECONDS = 60;

    private static final long VALUE = 0x0102_0304_0506_0742L;

    @Test
    void deadReadersLeaveNothingBehindAndStayCounted() throws InterruptedException {
        try (FixedArena arena = FixedArena.ofShared(64 * 1024)) {
            CheckedRegion region = CheckedRegion.builder(arena, CHURN_CAPACITY)
                    .name("churn").blockSize(BLOCK).verificationLevel(VerificationLevel.STANDARD).build();
            AtomicMemoryOps memory = region.intoAtomicOps();
            memory.putLong(0, VALUE);
            AtomicInteger wrongReads = new AtomicInteger();

            for (int b = 0; b < WARM_UP_BATCHES; b++) {
                runBatch(memory, wrongReads, null);
            }
            long baseline = RetainedHeap.usedAfterGc();
            long verifiedBefore = region.statistics().verifications();

            // The first and last batches run their threads one at a time, each first read timed alone.
            int batches = CHURN_THREADS / BATCH;
            long[] firstBatchNanos = new long[BATCH];
            long[] lastBatchNanos = new long[BATCH];
            for (int b = 0; b < batches; b++) {
                runBatch(memory, wrongReads, b == 0 ? firstBatchNanos : b == batches - 1 ? lastBatchNanos : null);
            }
            long verifiedAfterChurn = region.statistics().verifications() - verifiedBefore;

            long statisticsStart = System.nanoTime();
            MemoryStatistics stats = region.statistics();
            long sink = stats.writes() + stats.bytesWritten() + stats.verifications() + stats.sampledSkips()
                    + stats.integrityFailures() + stats.checksummedBytes() + stats.readRetries() + stats.lockedReads();
            long statisticsNanos = System.nanoTime() - statisticsStart;

            long retained = RetainedHeap.usedAfterGc() - baseline;
            long verifiedAfterGc = region.statistics().verifications() - verifiedBefore;
            Reference.reachabilityFence(memory);

            System.out.printf(Locale.ROOT, "ThreadChurnTest churn: threads=%d retainedBytes=%d bytesPerThread=%.1f"
                            + " verifications=%d (after GC %d, expected %d)%n",
                    CHURN_THREADS, retained, (double) retained / CHURN_THREADS,
                    verifiedAfterChurn, verifiedAfterGc, CHURN_THREADS);
            System.out.printf(Locale.ROOT, "ThreadChurnTest churn (info): a thread's first read, median (mean) us:"
                            + " first batch %.1f (%.1f), last batch %.1f (%.1f); one statistics() read of all 8"
                            + " counters after the churn %.1f us (sum %d)%n",
                    medianMicros(firstBatchNanos), meanMicros(firstBatchNanos),
                    medianMicros(lastBatchNanos), meanMicros(lastBatchNanos), statisticsNanos / 1_000.0, sink);

            assertAll(
                    () -> assertEquals(0, wrongReads.get(), "reads that returned the wrong bytes"),
                    () -> assertEquals(CHURN_THREADS, verifiedAfterChurn,
                            "verifications counted for " + CHURN_THREADS + " one-block reads by threads now dead"),
                    () -> assertEquals(CHURN_THREADS, verifiedAfterGc,
                            "verifications counted for " + CHURN_THREADS + " one-block reads, after their threads were collected"),
                    () -> assertTrue(retained < CHURN_BOUND_BYTES, "heap retained after " + CHURN_THREADS
                            + " threads read once and died: " + retained + " B (" + (double) retained / CHURN_THREADS
                            + " B per thread), bound " + CHURN_BOUND_BYTES + " B"));
        }
    }

    /**
     * Runs {@value #BATCH} virtual threads that each read one whole block once: all at once, then
     * joined; or, given {@code firstReadNanos}, one at a time, each read's time stored there.
     */
    private static void runBatch(AtomicMemoryOps memory, AtomicInteger wrongReads, long[] firstReadNanos)
            throws InterruptedException {
        Thread[] threads = new Thread[BATCH];
        for (int i = 0; i < BATCH; i++) {
            int index = i;
            threads[i] = Thread.ofVirtual().start(() -> {
                byte[] block = new byte[BLOCK];
                long start = System.nanoTime();
                memory.read(0, block);
                long elapsed = System.nanoTime() - start;
                if (firstReadNanos != null) {
                    firstReadNanos[index] = elapsed;
                }
                if (littleEndianLong(block) != VALUE) {
                    wrongReads.incrementAndGet();
                }
            });
            if (firstReadNanos != null) {
                threads[i].join();
            }
        }
        for (Thread thread : threads) {
            thread.join();
        }
    }

    private static double medianMicros(long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2] / 1_000.0;
    }

    private static double meanMicros(long[] nanos) {
        return Arrays.stream(nanos).average().orElse(0) / 1_000.0;
    }

    @Test
    void closedRegionsAreNotHeldByALiveReader() throws InterruptedException {
        long baseline = RetainedHeap.usedAfterGc();
        AtomicReference<List<WeakReference<CheckedRegion>>> regions = new AtomicReference<>();
        AtomicReference<List<WeakReference<AtomicMemoryOps>>> opsList = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread reader = Thread.ofPlatform().name("long-lived-reader").start(() -> {
            try {
                List<WeakReference<CheckedRegion>> regionRefs = new ArrayList<>(REGIONS);
                List<WeakReference<AtomicMemoryOps>> opsRefs = new ArrayList<>(REGIONS);
                for (int i = 0; i < REGIONS; i++) {
                    readOnceThroughNewRegion(i, regionRefs, opsRefs);
                }
                regions.set(regionRefs);
                opsList.set(opsRefs);
            } catch (Throwable t) {
                failure.set(t);
            } finally {
                done.countDown();
            }
            try {
                release.await(); // stays alive, its thread-locals with it, while the test looks
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        try {
            assertTrue(done.await(LIVENESS_SECONDS, TimeUnit.SECONDS), "the reader did not finish its reads");
            if (failure.get() != null) {
                throw new AssertionError("the reader failed", failure.get());
            }
            assertNotNull(regions.get());
            int regionsCleared = RetainedHeap.awaitCleared(regions.get(), MAX_COLLECTIONS);
            int opsCleared = RetainedHeap.awaitCleared(opsList.get(), MAX_COLLECTIONS);
            long retained = RetainedHeap.usedAfterGc() - baseline;
            boolean alive = reader.isAlive();

            System.out.printf(Locale.ROOT, "ThreadChurnTest regions: regions=%d clearedRegions=%d clearedAtomicOps=%d"
                            + " retainedBytes=%d bytesPerRegion=%.1f readerAlive=%b%n",
                    REGIONS, regionsCleared, opsCleared, retained, (double) retained / REGIONS, alive);

            assertAll(
                    () -> assertTrue(alive, "the reading thread must still be alive while its regions are checked"),
                    () -> assertEquals(REGIONS, regionsCleared,
                            "closed, dropped regions collected while the thread that read them is alive"),
                    () -> assertEquals(REGIONS, opsCleared,
                            "dropped AtomicMemoryOps collected while the thread that read them is alive"),
                    () -> assertTrue(retained < REGIONS_BOUND_BYTES, "heap retained by a live thread after reading once through "
                            + REGIONS + " closed regions: " + retained + " B (" + (double) retained / REGIONS
                            + " B per region), bound " + REGIONS_BOUND_BYTES + " B"));
        } finally {
            release.countDown();
            reader.join(TimeUnit.SECONDS.toMillis(LIVENESS_SECONDS));
        }
    }

    /**
     * On its own shared arena, builds a region, writes a long and reads its block once through
     * atomic ops, closes the arena, and keeps only weak references (a method of its own, so that no
     * local of the caller's frame holds the objects).
     */
    private static void readOnceThroughNewRegion(int i, List<WeakReference<CheckedRegion>> regionRefs,
                                                 List<WeakReference<AtomicMemoryOps>> opsRefs) {
        try (FixedArena arena = FixedArena.ofShared(4096)) {
            CheckedRegion region = CheckedRegion.builder(arena, BLOCK)
                    .name("closed-" + i).blockSize(BLOCK).verificationLevel(VerificationLevel.STANDARD).build();
            AtomicMemoryOps memory = region.intoAtomicOps();
            memory.putLong(0, VALUE + i);
            byte[] block = new byte[BLOCK];
            memory.read(0, block);
            assertEquals(VALUE + i, littleEndianLong(block), "bytes read back from region " + i);
            regionRefs.add(new WeakReference<>(region));
            opsRefs.add(new WeakReference<>(memory));
        }
    }

    private static long littleEndianLong(byte[] bytes) {
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
    }
}
