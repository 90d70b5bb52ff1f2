package io.safemem.ffm;

import io.safemem.CapacityException;
import io.safemem.ErrorCode;
import io.safemem.StateException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Examples of the fixed arena: accounting, alignment, zero fill, exact fit, concurrent bump allocation, close. */
class FixedArenaTest {

    @Test
    void freshArenaHasItsWholeCapacityLeft() {
        try (FixedArena arena = FixedArena.ofShared(10_000)) {
            assertEquals(10_000, arena.capacity());
            assertEquals(0, arena.used());
            assertEquals(10_000, arena.remaining());
            assertTrue(arena.isOpen());
        }
    }

    @Test
    void usedCountsBytesAndAlignmentPadding() {
        try (FixedArena arena = FixedArena.ofShared(4096)) {
            MemorySegment a = arena.allocate(100, 1);
            assertEquals(100, a.byteSize());
            assertEquals(100, arena.used());
            assertEquals(3996, arena.remaining());

            MemorySegment b = arena.allocate(8, 8); // starts at 104: 4 bytes of padding
            assertEquals(104, b.address() - a.address());
            assertEquals(112, arena.used());
            assertEquals(4096 - 112, arena.remaining());

            MemorySegment c = arena.allocate(0, 64); // empty, but still aligned: moves the mark to 128
            assertEquals(0, c.byteSize());
            assertEquals(128, arena.used());

            MemorySegment d = arena.allocate(3, 1);
            assertEquals(128, d.address() - a.address());
            assertEquals(131, arena.used());
            assertEquals(arena.capacity(), arena.used() + arena.remaining());
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 4, 8, 16, 64, 256, 1024, 4096})
    void addressesAreMultiplesOfTheAlignment(long alignment) {
        try (FixedArena arena = FixedArena.ofShared(64 * 1024)) {
            MemorySegment first = arena.allocate(3, 1); // knock the mark off any alignment
            for (int i = 0; i < 5; i++) {
                MemorySegment s = arena.allocate(7 + i, alignment);
                assertEquals(0, s.address() % alignment, "address of slice " + i + " aligned to " + alignment);
                assertEquals(7 + i, s.byteSize());
                assertEquals(s.address() + s.byteSize() - first.address(), arena.used(),
                        "used() is the end of the last slice");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {8192, 16384, 65536})
    void alignmentsAboveTheBaseAlignmentCostPadding(long alignment) {
        try (FixedArena arena = FixedArena.ofShared(4 * 65536)) {
            MemorySegment first = arena.allocate(1, 1); // at the base, which is (only) guaranteed 4096-aligned
            assertEquals(0, first.address() % 4096);
            MemorySegment big = arena.allocate(16, alignment);
            assertEquals(0, big.address() % alignment);
            long start = big.address() - first.address();
            assertTrue(start >= 1 && start <= alignment, "first aligned start after one byte, was " + start);
            assertEquals(0, (first.address() + start) % alignment);
            assertEquals(start + 16, arena.used(), "the padding before the slice is counted as used");
            assertEquals(arena.capacity() - start - 16, arena.remaining());
        }
    }

    @Test
    void slicesStartZeroFilledAndDoNotOverlap() {
        try (FixedArena arena = FixedArena.ofShared(16 * 1024)) {
            List<MemorySegment> slices = new ArrayList<>();
            int[] sizes = {1, 7, 64, 100, 1000, 4096, 333};
            for (int size : sizes) {
                MemorySegment s = arena.allocate(size, 8);
                assertArrayEquals(new byte[size], s.toArray(ValueLayout.JAVA_BYTE), "fresh slice of " + size + " bytes");
                s.fill((byte) (slices.size() + 1)); // dirty it: the next slices must still start clean
                slices.add(s);
            }
            for (int i = 0; i < slices.size(); i++) {
                byte[] expected = new byte[sizes[i]];
                java.util.Arrays.fill(expected, (byte) (i + 1));
                assertArrayEquals(expected, slices.get(i).toArray(ValueLayout.JAVA_BYTE), "slice " + i + " kept its bytes");
            }
        }
    }

    @Test
    void exactFitSucceedsAndOneMoreByteFails() {
        try (FixedArena arena = FixedArena.ofShared(1000)) {
            arena.allocate(400, 1);
            MemorySegment rest = arena.allocate(600, 1);
            assertEquals(600, rest.byteSize());
            assertEquals(1000, arena.used());
            assertEquals(0, arena.remaining());
            CapacityException e = assertThrows(CapacityException.class, () -> arena.allocate(1, 1));
            assertEquals(ErrorCode.ARENA_FULL, e.code());
            assertEquals(1000, arena.used());
        }
        try (FixedArena arena = FixedArena.ofShared(1000)) {
            arena.allocate(400, 1);
            assertThrows(CapacityException.class, () -> arena.allocate(601, 1));
            assertEquals(400, arena.used(), "a refused allocation takes nothing");
            assertEquals(600, arena.allocate(600, 1).byteSize());
        }
    }

    @Test
    void wholeArenaInOneAllocation() {
        try (FixedArena arena = FixedArena.ofConfined(8192)) {
            MemorySegment all = arena.allocate(8192, 4096);
            assertEquals(8192, all.byteSize());
            assertEquals(0, all.address() % 4096);
            assertEquals(0, arena.remaining());
        }
    }

    /**
     * Several threads race to allocate from one shared arena until it is full: the slices never
     * overlap, never leave the arena, and the mark never passes the capacity. Each thread stamps its
     * slices; a slice handed out twice would show someone else's stamp.
     */
    @Test
    void concurrentAllocationNeverOverlapsNorExceedsCapacity() throws InterruptedException {
        int threads = 4;
        long capacity = 512 * 1024;
        try (FixedArena arena = FixedArena.ofShared(capacity)) {
            record Piece(MemorySegment segment, long alignment, byte stamp) {
            }
            ConcurrentLinkedQueue<Piece> pieces = new ConcurrentLinkedQueue<>();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            CountDownLatch start = new CountDownLatch(1);
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                byte stamp = (byte) (t + 1);
                SplittableRandom random = new SplittableRandom(1000 + t);
                Thread w = new Thread(() -> {
                    try {
                        start.await();
                        long[] alignments = {1, 2, 8, 16, 64, 256};
                        int fullInARow = 0;
                        while (fullInARow < 20) {
                            long size = 1 + random.nextInt(300);
                            long alignment = alignments[random.nextInt(alignments.length)];
                            try {
                                MemorySegment s = arena.allocate(size, alignment);
                                s.fill(stamp);
                                pieces.add(new Piece(s, alignment, stamp));
                                fullInARow = 0;
                                if (arena.used() > capacity) {
                                    throw new AssertionError("used " + arena.used() + " > capacity " + capacity);
                                }
                            } catch (CapacityException full) {
                                fullInARow++;
                            }
                        }
                    } catch (Throwable x) {
                        failure.compareAndSet(null, x);
                    }
                }, "allocator-" + t);
                workers.add(w);
                w.start();
            }
            start.countDown();
            for (Thread w : workers) {
                w.join();
            }
            assertNull(failure.get(), () -> "a worker failed: " + failure.get());

            List<Piece> sorted = new ArrayList<>(pieces);
            sorted.sort(Comparator.comparingLong(p -> p.segment().address()));
            assertTrue(sorted.size() > threads, "each thread allocated something");
            long base = sorted.get(0).segment().address(); // the first slice of any alignment <= 4096 starts at the base
            long total = 0;
            long previousEnd = base;
            for (Piece p : sorted) {
                MemorySegment s = p.segment();
                assertTrue(s.address() >= previousEnd, "slices overlap at offset " + (s.address() - base));
                assertEquals(0, s.address() % p.alignment(), "misaligned slice");
                previousEnd = s.address() + s.byteSize();
                assertTrue(previousEnd - base <= capacity, "slice ends beyond the arena");
                byte[] expected = new byte[(int) s.byteSize()];
                java.util.Arrays.fill(expected, p.stamp());
                assertArrayEquals(expected, s.toArray(ValueLayout.JAVA_BYTE), "a slice was written by another owner");
                total += s.byteSize();
            }
            assertEquals(previousEnd - base, arena.used(), "used() is the end of the last slice");
            assertTrue(arena.used() <= capacity);
            assertTrue(total <= arena.used());
            assertTrue(arena.remaining() < 300 + 256, "the workers stopped only when the arena was (nearly) full");
        }
    }

    @Test
    void closeIsIdempotentAndEndsAllocation() {
        FixedArena arena = FixedArena.ofShared(4096);
        MemorySegment s = arena.allocate(64, 8);
        assertTrue(arena.isOpen());
        assertTrue(s.scope().isAlive());
        arena.close();
        assertFalse(arena.isOpen());
        assertFalse(s.scope().isAlive(), "slices die with their arena");
        arena.close();
        arena.close();
        assertFalse(arena.isOpen());
        StateException e = assertThrows(StateException.class, () -> arena.allocate(1, 1));
        assertEquals(ErrorCode.ARENA_CLOSED, e.code());
        assertThrows(IllegalStateException.class, () -> s.get(ValueLayout.JAVA_BYTE, 0),
                "the JDK refuses access to a slice of a closed arena");
    }

    @Test
    void confinedArenaCloseIsIdempotentToo() {
        FixedArena arena = FixedArena.ofConfined(4096);
        arena.close();
        arena.close();
        assertFalse(arena.isOpen());
    }

    @Test
    void sharedAndConfined() throws InterruptedException {
        try (FixedArena shared = FixedArena.ofShared(4096); FixedArena confined = FixedArena.ofConfined(4096)) {
            assertFalse(shared.isConfined());
            assertTrue(confined.isConfined());
            assertNull(shared.owner());
            assertEquals(Thread.currentThread(), confined.owner());

            // a shared arena serves other threads, and they can close it
            AtomicReference<MemorySegment> fromOther = new AtomicReference<>();
            Thread other = new Thread(() -> fromOther.set(shared.allocate(16, 16)));
            other.start();
            other.join();
            assertEquals(16, fromOther.get().byteSize());
            assertEquals(16, shared.used());
            Thread closer = new Thread(shared::close);
            closer.start();
            closer.join();
            assertFalse(shared.isOpen());
        }
    }

    @Test
    void toStringShowsKindAndUse() {
        try (FixedArena arena = FixedArena.ofShared(65536)) {
            arena.allocate(4160, 64);
            assertEquals("FixedArena[shared, used 4160 of 65536 bytes]", arena.toString());
        }
        FixedArena confined = FixedArena.ofConfined(1024);
        assertEquals("FixedArena[confined, used 0 of 1024 bytes]", confined.toString());
        confined.close();
        assertEquals("FixedArena[confined, closed]", confined.toString());
    }
}
