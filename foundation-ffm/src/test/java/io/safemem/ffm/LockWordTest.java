package io.safemem.ffm;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A reader's turn on the {@link LockWord}: what it holds while it lasts, what it leaves when it
 * gives up, and that a writer arriving during it waits (parked) until it ends. The lock's other
 * guarantees are tested through {@link AtomicMemoryOps} ({@code AtomicMemoryOpsTest}) and by
 * jcstress ({@code LockWordMutexStress}, {@code LockWordSharedStress}).
 */
class LockWordTest {

    private static final long LIVENESS_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final Arena arena = Arena.ofShared();
    private final LockWord lock = new LockWord(arena.allocate(LockWord.BYTES, Long.BYTES), 0);

    @AfterEach
    void closeArena() {
        arena.close();
    }

    @Test
    void aTurnHoldsOneShareAndOneWaitingPlaceUntilItEnds() {
        assertTrue(lock.beginReadersTurn(Long.MAX_VALUE));
        assertEquals(1L, lock.word(), "one share");
        assertEquals(1L, lock.waiting(), "registered as waiting, so that writers let it read");
        assertFalse(lock.tryAcquireExclusive(), "no writer gets in during the turn");
        lock.endReadersTurn();
        assertEquals(0L, lock.word());
        assertEquals(0L, lock.waiting());
        assertTrue(lock.tryAcquireExclusive(), "the turn left nothing behind");
    }

    @Test
    void aTurnThatTimesOutBehindAWriterLeavesBothWordsAsTheyWere() {
        assertTrue(lock.tryAcquireExclusive());
        assertFalse(lock.beginReadersTurn(TimeUnit.MILLISECONDS.toNanos(5)), "the writer held the lock throughout");
        assertEquals(LockWord.WRITER, lock.word(), "no share left behind");
        assertEquals(0L, lock.waiting(), "no waiting place left behind");
        lock.releaseExclusive();
        assertTrue(lock.beginReadersTurn(0), "a free lock is taken even with no time to wait");
        assertEquals(1L, lock.word());
        lock.endReadersTurn();
        assertEquals(0L, lock.waiting());
    }

    @Test
    void aWriterArrivingDuringATurnParksUntilTheTurnEnds() throws InterruptedException {
        assertTrue(lock.beginReadersTurn(Long.MAX_VALUE));
        AtomicBoolean acquired = new AtomicBoolean();
        Thread writer = new Thread(() -> {
            acquired.set(lock.acquireExclusive(Long.MAX_VALUE));
            lock.releaseExclusive();
        }, "writer-behind-a-turn");
        writer.start();
        long deadline = System.nanoTime() + LIVENESS_NANOS;
        while (writer.getState() != Thread.State.TIMED_WAITING) { // until it waits, parked
            assertTrue(writer.isAlive() && System.nanoTime() - deadline < 0, "the writer never parked");
            LockSupport.parkNanos(100_000);
        }
        assertFalse(acquired.get(), "the writer went ahead of the reader's turn");
        assertEquals(1L, lock.word(), "the writer did not even take the writer bit while the reader waits");
        lock.endReadersTurn();
        writer.join(TimeUnit.NANOSECONDS.toMillis(LIVENESS_NANOS));
        assertFalse(writer.isAlive(), "the writer never got the lock after the turn");
        assertTrue(acquired.get());
        assertEquals(0L, lock.word());
    }
}
