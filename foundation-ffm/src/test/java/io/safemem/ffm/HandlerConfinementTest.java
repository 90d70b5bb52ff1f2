package io.safemem.ffm;

import io.safemem.ConcurrencyException;
import io.safemem.ErrorCode;
import io.safemem.SafeMemoryException;
import io.safemem.Slice;
import io.safemem.StateException;
import io.safemem.VerificationLevel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 16, items 2 and 4: a {@link SafeMemoryHandler} is its region's single owner, confined to
 * one thread. From any other thread every call fails with {@code WRONG_THREAD} before touching
 * anything (never a bare {@code NullPointerException} from scratch another thread is using, never
 * silent corruption), and a retired handler's refused puts never reach the {@link AtomicMemoryOps}
 * that replaced it.
 */
class HandlerConfinementTest {

    private static final int CAPACITY = 4096;

    private final FixedArena arena = FixedArena.ofShared(1 << 16);

    @AfterEach
    void close() {
        arena.close();
    }

    private SafeMemoryHandler handler() {
        return CheckedRegion.builder(arena, CAPACITY).name("confined").verificationLevel(VerificationLevel.STANDARD)
                .build().handler();
    }

    /** Every public call of a handler, with arguments that would succeed on its own thread. */
    private static List<Executable> everyCall(SafeMemoryHandler memory) {
        byte[] bytes = new byte[100];
        MemorySegment segment = MemorySegment.ofArray(new byte[100]);
        return List.of(
                () -> memory.read(10, bytes), () -> memory.read(10, bytes, 0, 50), () -> memory.read(10, segment, 0, 50),
                () -> memory.write(10, bytes), () -> memory.write(10, bytes, 0, 50), () -> memory.write(10, segment, 0, 50),
                () -> memory.copyWithin(0, 200, 100), () -> memory.fill(0, 100, (byte) 1),
                () -> memory.rewriteBlocks(0, new byte[64], 0, 64),
                () -> memory.borrowSlice(0, 10), memory::verifyIntegrity, () -> memory.verifyRange(0, 100),
                () -> memory.findCorruptBlock(0), () -> memory.setVerificationLevel(VerificationLevel.FULL),
                () -> memory.getByte(0), () -> memory.getShort(0), () -> memory.getInt(0), () -> memory.getLong(0),
                () -> memory.getFloat(0), () -> memory.getDouble(0),
                () -> memory.putByte(0, (byte) 1), () -> memory.putShort(0, (short) 1), () -> memory.putInt(0, 1),
                () -> memory.putLong(0, 1L), () -> memory.putFloat(0, 1f), () -> memory.putDouble(0, 1d),
                memory::revokeSlices, () -> memory.transferOwnership(Thread.currentThread()),
                memory::intoAtomicOps);
    }

    @Test
    void everyCallFromAnotherThreadIsRefusedWithWrongThreadAndChangesNothing() throws Exception {
        SafeMemoryHandler memory = handler();
        byte[] content = new byte[CAPACITY];
        Arrays.fill(content, (byte) 0x5A);
        memory.write(0, content);
        long writes = memory.provider().statistics().writes();
        List<Executable> calls = everyCall(memory);

        List<String> wrong = new ArrayList<>();
        Thread other = Thread.ofPlatform().daemon().name("intruder").start(() -> {
            for (int i = 0; i < calls.size(); i++) {
                try {
                    calls.get(i).execute();
                    wrong.add("call " + i + " succeeded");
                } catch (ConcurrencyException e) {
                    if (e.code() != ErrorCode.WRONG_THREAD) {
                        wrong.add("call " + i + ": " + e);
                    }
                } catch (Throwable e) {
                    wrong.add("call " + i + ": " + e);
                }
            }
        });
        other.join();

        assertEquals(List.of(), wrong);
        byte[] back = new byte[CAPACITY];
        memory.read(0, back);
        assertArrayEquals(content, back);
        assertEquals(writes, memory.provider().statistics().writes());
        assertEquals(VerificationLevel.STANDARD, memory.provider().verificationLevel());
        memory.verifyIntegrity();
        memory.putLong(0, 1L); // still owned, still usable here
    }

    @Test
    void twoThreadsHammeringOneHandlerGetCodedRefusalsNotNullPointersOrCorruption() throws Exception {
        SafeMemoryHandler memory = handler();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> foreign = new AtomicReference<>();
        AtomicLong refusals = new AtomicLong();
        Thread intruder = Thread.ofPlatform().daemon().name("intruder").start(() -> {
            byte[] junk = new byte[256];
            Arrays.fill(junk, (byte) -1);
            while (!stop.get()) {
                try {
                    memory.write(512, junk);
                } catch (SafeMemoryException e) {
                    refusals.incrementAndGet();
                } catch (Throwable e) {
                    foreign.compareAndSet(null, e);
                }
                try {
                    memory.putLong(1000, -1L);
                } catch (SafeMemoryException e) {
                    refusals.incrementAndGet();
                }
            }
        });
        byte[] mine = new byte[256];
        byte[] back = new byte[256];
        try {
            for (int i = 0; i < 200_000; i++) {
                Arrays.fill(mine, (byte) i);
                memory.write(512, mine);
                memory.putLong(1000, i);
                memory.read(512, back);
                assertArrayEquals(mine, back);
                assertEquals(i, memory.getLong(1000));
            }
        } finally {
            stop.set(true);
            intruder.join();
        }

        assertNull(foreign.get(), () -> "a call from another thread escaped as " + foreign.get());
        assertTrue(refusals.get() > 0);
        memory.verifyIntegrity();
    }

    @Test
    void aSliceIsConfinedToTheHandlersThread() throws Exception {
        SafeMemoryHandler memory = handler();
        Slice slice = memory.borrowSlice(0, 64);
        AtomicReference<Throwable> seen = new AtomicReference<>();
        Thread.ofPlatform().start(() -> {
            try {
                slice.getLong(0);
            } catch (Throwable e) {
                seen.set(e);
            }
        }).join();

        assertEquals(ErrorCode.WRONG_THREAD, assertInstanceOf(ConcurrencyException.class, seen.get()).code());
        slice.close();
        memory.putLong(0, 1L);
    }

    @Test
    void transferOwnershipMovesTheHandlerToAnotherThread() throws Exception {
        SafeMemoryHandler memory = handler();
        memory.putLong(0, 41L);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread worker = Thread.ofPlatform().unstarted(() -> {
            try {
                memory.putLong(0, memory.getLong(0) + 1);
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        memory.transferOwnership(worker);
        assertEquals(ErrorCode.WRONG_THREAD, assertThrows(ConcurrencyException.class, () -> memory.getLong(0)).code());
        worker.start();
        worker.join();

        assertNull(failure.get());
        assertEquals(ErrorCode.WRONG_THREAD,
                assertThrows(ConcurrencyException.class, () -> memory.transferOwnership(Thread.currentThread())).code());
    }

    @Test
    void aHandlerOfAConfinedRegionCannotBeTransferredToAnotherThread() throws Exception {
        try (FixedArena confined = FixedArena.ofConfined(1 << 16)) {
            SafeMemoryHandler memory = CheckedRegion.builder(confined, CAPACITY).build().handler();
            Thread other = Thread.ofPlatform().unstarted(() -> { });
            assertEquals(ErrorCode.WRONG_THREAD,
                    assertThrows(ConcurrencyException.class, () -> memory.transferOwnership(other)).code());
            memory.putLong(0, 1L);
        }
    }

    @Test
    void aRetiredHandlersRefusedPutsNeverReachTheAtomicOpsThatReplacedIt() throws Exception {
        SafeMemoryHandler retired = handler();
        AtomicMemoryOps memory = retired.intoAtomicOps();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong wrongValues = new AtomicLong();
        AtomicLong puts = new AtomicLong();
        Thread writer = Thread.ofPlatform().daemon().name("atomic-writer").start(() -> {
            for (long i = 0; !stop.get(); i++) {
                memory.putLong(256, i);
                if (memory.getLong(256) != i) {
                    wrongValues.incrementAndGet();
                }
                puts.incrementAndGet();
            }
        });
        long refused = 0;
        long deadline = System.nanoTime() + 500_000_000L;
        try {
            while (System.nanoTime() - deadline < 0 || puts.get() < 10_000) {
                StateException e = assertThrows(StateException.class, () -> retired.putLong(256, -1L));
                assertEquals(ErrorCode.HANDLER_CONSUMED, e.code());
                refused++;
            }
        } finally {
            stop.set(true);
            writer.join();
        }

        assertEquals(0, wrongValues.get(), "atomic puts that stored the retired handler's value, of " + puts.get());
        assertTrue(refused > 0);
        memory.verifyIntegrity();
    }
}
