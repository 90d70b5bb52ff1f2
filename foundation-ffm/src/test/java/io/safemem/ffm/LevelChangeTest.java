package io.safemem.ffm;

import io.safemem.ErrorCode;
import io.safemem.IntegrityException;
import io.safemem.Slice;
import io.safemem.StateException;
import io.safemem.VerificationLevel;
import io.safemem.ffm.testing.FaultInjector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 16, item 8: {@link AtomicMemoryOps#setVerificationLevel} beside running readers and
 * writers. A level change lands in one write's sequence window under the writers' lock, so no
 * read sees data and checksums from either side of it: no false alarm when checksums stop being
 * kept (a change to {@code OFF}), none when they are rebuilt (a change from {@code OFF}), no torn
 * read, and the checksums agree with memory at the end.
 */
class LevelChangeTest {

    private static final int BLOCK = 64;
    private static final int WRITERS = 2;
    private static final int READERS = 2;
    /** Each writer owns a stretch of this many bytes and rewrites a record inside it. */
    private static final int STRETCH = 1024;
    /** A record: six equal longs, at an offset that leaves both its blocks partly covered. */
    private static final int RECORD = 48;
    private static final int RECORD_AT = 40;
    private static final VerificationLevel[] CYCLE = {VerificationLevel.OFF, VerificationLevel.SAMPLING,
            VerificationLevel.STANDARD, VerificationLevel.FULL, VerificationLevel.OFF, VerificationLevel.STANDARD};

    private final FixedArena arena = FixedArena.ofShared(1 << 16);

    @AfterEach
    void close() {
        arena.close();
    }

    @Test
    void levelChangesBesideReadersAndWritersRaiseNoFalseAlarmAndTearNothing() throws Exception {
        CheckedRegion region = CheckedRegion.builder(arena, WRITERS * STRETCH).blockSize(BLOCK).samplingRate(0.5).build();
        AtomicMemoryOps memory = region.intoAtomicOps();
        ThreadCrew crew = new ThreadCrew();
        AtomicLong reads = new AtomicLong();
        AtomicLong changes = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
            long at = (long) w * STRETCH + RECORD_AT;
            threads.add(crew.thread("writer-" + w, () -> {
                byte[] record = new byte[RECORD];
                for (long v = 1; !crew.stop.get(); v++) {
                    fill(record, v);
                    memory.atomicWriteWithChecksum(at, record);
                    memory.putLong(at + RECORD + 8, v);
                }
            }));
        }
        for (int r = 0; r < READERS; r++) {
            threads.add(crew.thread("reader-" + r, () -> {
                byte[] copy = new byte[RECORD];
                for (int i = 0; !crew.stop.get(); i++) {
                    long at = (long) (i % WRITERS) * STRETCH + RECORD_AT;
                    try {
                        memory.read(at, copy);
                        memory.getLong(at + RECORD + 8);
                        if (i % 64 == 0) {
                            memory.verifyIntegrity();
                        }
                    } catch (IntegrityException e) {
                        crew.problem("false alarm: " + e.getMessage());
                        return;
                    }
                    if (!uniform(copy)) {
                        crew.problem("torn read at " + at);
                        return;
                    }
                    reads.incrementAndGet();
                }
            }));
        }
        threads.add(crew.thread("switcher", () -> {
            for (int i = 0; !crew.stop.get(); i++) {
                memory.setVerificationLevel(CYCLE[i % CYCLE.length]);
                changes.incrementAndGet();
                Thread.onSpinWait();
            }
        }));
        threads.forEach(Thread::start);
        crew.start.countDown();
        Thread.sleep(1500);
        crew.stop.set(true);
        for (Thread t : threads) {
            t.join();
        }

        assertEquals(List.of(), List.copyOf(crew.problems), crew.problemCount.get() + " problems");
        assertTrue(reads.get() > 0 && changes.get() > CYCLE.length, reads + " reads, " + changes + " level changes");
        memory.setVerificationLevel(VerificationLevel.STANDARD);
        memory.verifyIntegrity();
    }

    @Test
    void aChangeFromOffRebuildsTheChecksumsAndLaterCorruptionIsCaught() {
        CheckedRegion region = CheckedRegion.builder(arena, 4096).blockSize(BLOCK).verificationLevel(VerificationLevel.OFF).build();
        AtomicMemoryOps memory = region.intoAtomicOps();
        byte[] record = new byte[RECORD];
        fill(record, 7);
        memory.atomicWriteWithChecksum(RECORD_AT, record); // at OFF: no checksum work

        memory.setVerificationLevel(VerificationLevel.STANDARD);
        assertEquals(VerificationLevel.STANDARD, region.verificationLevel());
        memory.verifyIntegrity();
        FaultInjector.of(region, 1).flipDataBit(RECORD_AT + 1, 2);
        IntegrityException e = assertThrows(IntegrityException.class, () -> memory.read(RECORD_AT, new byte[RECORD]));
        assertEquals(0, e.block());

        memory.setVerificationLevel(VerificationLevel.FULL); // between checked levels: no rebuild, still caught
        assertThrows(IntegrityException.class, memory::verifyIntegrity);
    }

    @Test
    void aThreadHoldingASliceCannotChangeTheLevel() {
        CheckedRegion region = CheckedRegion.builder(arena, 4096).blockSize(BLOCK).build();
        AtomicMemoryOps memory = region.intoAtomicOps();
        try (Slice slice = memory.borrowSlice(0, 64)) {
            StateException e = assertThrows(StateException.class, () -> memory.setVerificationLevel(VerificationLevel.OFF));
            assertEquals(ErrorCode.SLICES_OPEN, e.code());
            assertTrue(slice.isOpen());
        }
        assertEquals(VerificationLevel.STANDARD, region.verificationLevel());
        memory.setVerificationLevel(VerificationLevel.OFF);
        assertEquals(VerificationLevel.OFF, region.verificationLevel());
    }

    private static void fill(byte[] record, long value) {
        ByteBuffer buffer = ByteBuffer.wrap(record).order(ByteOrder.LITTLE_ENDIAN);
        while (buffer.hasRemaining()) {
            buffer.putLong(value);
        }
    }

    private static boolean uniform(byte[] record) {
        ByteBuffer buffer = ByteBuffer.wrap(record).order(ByteOrder.LITTLE_ENDIAN);
        long first = buffer.getLong();
        while (buffer.hasRemaining()) {
            if (buffer.getLong() != first) {
                return false;
            }
        }
        return true;
    }
}
