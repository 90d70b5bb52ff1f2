package io.safemem.ffm;

import io.safemem.VerificationLevel;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Invariant I4: after construction, reads, writes, copies, fills, scalar access and verification
 * allocate nothing on the heap. Measures this thread's allocated bytes (HotSpot's per-thread
 * counter) over many operations after a warm-up, at every level. Counts bytes, never time.
 */
class ZeroGarbageTest {

    private static final int BLOCK = 256;
    private static final long CAPACITY = 256 * 1024;
    private static final int WARM_UP_ROUNDS = 3_000;
    private static final int MEASURED_ROUNDS = 2_000;
    /** Operations per round, as performed by {@link #round}. */
    private static final int OPS_PER_ROUND = 16;

    private final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @ParameterizedTest
    @EnumSource(VerificationLevel.class)
    void handlerOperationsAllocateNothingOnceWarm(VerificationLevel level) {
        assumeTrue(threads.isThreadAllocatedMemorySupported(), "per-thread allocation counter unavailable");
        threads.setThreadAllocatedMemoryEnabled(true);
        try (FixedArena arena = FixedArena.ofConfined(2 * CAPACITY); Arena plain = Arena.ofConfined()) {
            SafeMemoryHandler memory = CheckedRegion.builder(arena, CAPACITY).blockSize(BLOCK)
                    .verificationLevel(level).samplingRate(0.5).build().handler();
            byte[] bytes = new byte[20_000];
            MemorySegment segment = plain.allocate(20_000);
            for (int i = 0; i < WARM_UP_ROUNDS; i++) {
                round(memory, bytes, segment, i);
            }
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < MEASURED_ROUNDS; i++) {
                round(memory, bytes, segment, i);
            }
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            double perOp = (double) allocated / ((long) MEASURED_ROUNDS * OPS_PER_ROUND);
            System.out.printf("I4 %-8s: %d bytes over %d operations (%.4f B/op)%n",
                    level, allocated, MEASURED_ROUNDS * OPS_PER_ROUND, perOp);
            assertTrue(perOp < 0.1, level + ": " + allocated + " bytes allocated over "
                    + MEASURED_ROUNDS * OPS_PER_ROUND + " operations (" + perOp + " B/op)");
        }
    }

    /** Sixteen operations covering every non-borrowing path: aligned, unaligned, chunked, scalar, verify. */
    private static long round(SafeMemoryHandler memory, byte[] bytes, MemorySegment segment, int i) {
        long at = (i * 4099L) % (CAPACITY - 40_000);
        memory.write(at, bytes, 0, 64);
        memory.write(at + 13, bytes, 0, 300);
        memory.write(at, segment, 0, 20_000);
        memory.read(at + 7, bytes, 0, 500);
        memory.read(at, segment, 0, 20_000);
        memory.copyWithin(at, at + 17, 1_000);
        memory.copyWithin(at + 20_000, at + 3, 18_000);
        memory.fill(at + 5, 700, (byte) i);
        memory.putInt(at + 1, i);
        memory.putLong(at + 250, i);
        memory.putDouble(at + 90, i);
        long sum = memory.getInt(at + 1) + memory.getLong(at + 250) + (long) memory.getDouble(at + 90);
        memory.verifyRange(at, 4_000);
        sum += memory.findCorruptBlock(memory.provider().blockCount() - 8);
        memory.getShort(at + 255);
        memory.getByte(at);
        return sum;
    }
}
