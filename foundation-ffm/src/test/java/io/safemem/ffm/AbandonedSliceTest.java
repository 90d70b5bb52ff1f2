package io.safemem.ffm;

import io.safemem.ConcurrencyException;
import io.safemem.ErrorCode;
import io.safemem.Slice;
import io.safemem.StateException;
import io.safemem.VerificationLevel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 16, item 3: a slice that is never closed must not keep the region from writers for good.
 * A thread that ends holding slices of an {@link AtomicMemoryOps} has its shares given back by the
 * next writer that waits for them (with the default, unbounded timeout and with a finite one);
 * {@link AtomicMemoryOps#sliceHolders()} and the {@code LOCK_TIMEOUT} message say who holds the
 * region; a {@link SafeMemoryHandler} whose slice was dropped takes its region back with
 * {@link SafeMemoryHandler#revokeSlices()}.
 */
class AbandonedSliceTest {

    private static final int CAPACITY = 4096;

    private final FixedArena arena = FixedArena.ofShared(1 << 16);

    @AfterEach
    void close() {
        arena.close();
    }

    private CheckedRegion region() {
        return CheckedRegion.builder(arena, CAPACITY).name("abandoned").verificationLevel(VerificationLevel.STANDARD).build();
    }

    /** Runs {@code body} on a new platform thread named {@code name}, which borrows and ends. */
    private static Thread endedThread(String name, Runnable body) throws InterruptedException {
        Thread thread = Thread.ofPlatform().name(name).start(body);
        thread.join();
        return thread;
    }

    @Test
    void aWriterWithNoTimeoutGetsTheRegionBackFromAThreadThatEndedHoldingSlices() throws Exception {
        AtomicMemoryOps memory = region().intoAtomicOps();
        endedThread("leaker", () -> {
            memory.borrowSlice(0, 64);
            memory.borrowSlice(128, 64); // two shares, neither closed
        });

        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> memory.putLong(0, 42L));
        assertEquals(42L, memory.getLong(0));
        assertTrue(memory.sliceHolders().isEmpty(), "the ended thread's shares were given back");
        memory.verifyIntegrity();
    }

    @Test
    void aWriterWithAFiniteTimeoutSucceedsInsteadOfTimingOutForever() throws Exception {
        AtomicMemoryOps memory = region().intoAtomicOps(Duration.ofMillis(50));
        endedThread("leaker", () -> memory.borrowSlice(0, 64));

        for (int i = 0; i < 3; i++) {
            memory.putInt(8, i); // LOCK_TIMEOUT for the rest of the region's life before the fix
            assertEquals(i, memory.getInt(8));
        }
    }

    @Test
    void borrowersAreNotBlockedBehindTheWriterOnceTheSharesAreReclaimed() throws Exception {
        AtomicMemoryOps memory = region().intoAtomicOps();
        endedThread("leaker", () -> memory.borrowSlice(0, 64));
        Thread writer = Thread.ofPlatform().name("writer").start(() -> memory.putLong(64, 7L));

        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            writer.join();
            try (Slice slice = memory.borrowSlice(64, 8)) {
                assertEquals(7L, slice.getLong(0));
            }
        });
    }

    @Test
    void sliceHoldersNamesTheThreadsThatHoldSlicesAndWhetherTheyAreAlive() throws Exception {
        AtomicMemoryOps memory = region().intoAtomicOps(Duration.ofMillis(20));
        CountDownLatch borrowed = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread holder = Thread.ofPlatform().name("holder").start(() -> {
            Slice a = memory.borrowSlice(0, 64);
            Slice b = memory.borrowSlice(64, 64);
            borrowed.countDown();
            awaitQuietly(release);
            a.close();
            b.close();
        });
        borrowed.await();

        assertEquals(List.of(new SliceHolder("holder", holder.threadId(), true, 2)), memory.sliceHolders());
        ConcurrencyException e = assertThrows(ConcurrencyException.class, () -> memory.putLong(0, 1L));
        assertEquals(ErrorCode.LOCK_TIMEOUT, e.code());
        assertTrue(e.getMessage().contains("2 slice(s) held by thread 'holder' (id " + holder.threadId() + ", alive)"),
                e.getMessage());

        release.countDown();
        holder.join();
        assertTrue(memory.sliceHolders().isEmpty());
        memory.putLong(0, 1L);
    }

    @Test
    void anEndedHolderIsListedAsEndedUntilAWriterReclaimsItsShares() throws Exception {
        AtomicMemoryOps memory = region().intoAtomicOps();
        Thread leaker = endedThread("leaker", () -> memory.borrowSlice(0, 64));

        assertEquals(List.of(new SliceHolder("leaker", leaker.threadId(), false, 1)), memory.sliceHolders());
        memory.putLong(0, 1L);
        assertEquals(List.of(), memory.sliceHolders());
    }

    @Test
    void aSliceOfAnEndedThreadReadsAsClosedOnceReclaimedAndClosingItChangesNothing() throws Exception {
        AtomicMemoryOps memory = region().intoAtomicOps();
        AtomicReference<Slice> leaked = new AtomicReference<>();
        endedThread("leaker", () -> leaked.set(memory.borrowSlice(0, 64)));
        memory.putLong(0, 1L); // reclaims

        Slice slice = leaked.get();
        assertFalse(slice.isOpen());
        assertEquals(ErrorCode.SLICE_CLOSED, assertThrows(StateException.class, () -> slice.getByte(0)).code());
        slice.close(); // from another thread, after reclaim: no share given back twice
        try (Slice mine = memory.borrowSlice(0, 8)) {
            assertEquals(1L, mine.getLong(0));
        }
        memory.putLong(0, 2L); // the lock word counts no phantom share, nor lost one
        assertEquals(2L, memory.getLong(0));
    }

    @Test
    void readsOfAnEndedThreadStayCountedAfterItsContextIsRetired() throws Exception {
        AtomicMemoryOps memory = region().intoAtomicOps();
        long before = memory.provider().statistics().verifications();
        endedThread("reader", () -> {
            memory.read(0, new byte[128]); // two 64-byte blocks verified
            memory.borrowSlice(0, 64);     // one more, left open
        });
        memory.atomicWriteWithChecksum(1024, new byte[64]); // a whole block, nothing verified; retires the reader

        assertEquals(before + 3, memory.provider().statistics().verifications());
    }

    @Test
    void aHandlerTakesItsRegionBackFromADroppedSliceWithRevokeSlices() {
        SafeMemoryHandler memory = region().handler();
        Slice dropped = memory.borrowSlice(0, 64);

        assertEquals(ErrorCode.SLICES_OPEN, assertThrows(StateException.class, () -> memory.putLong(0, 1L)).code());
        assertEquals(1, memory.revokeSlices());
        memory.putLong(0, 1L);

        assertFalse(dropped.isOpen());
        assertEquals(ErrorCode.SLICE_CLOSED, assertThrows(StateException.class, () -> dropped.getLong(0)).code());
        Slice fresh = memory.borrowSlice(0, 64);
        dropped.close(); // a revoked slice's close must not count as closing the fresh one
        assertEquals(ErrorCode.SLICES_OPEN, assertThrows(StateException.class, () -> memory.putLong(0, 2L)).code());
        fresh.close();
        memory.putLong(0, 2L);
        assertEquals(2L, memory.getLong(0));
        assertEquals(0, memory.revokeSlices());
        memory.intoAtomicOps();
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
