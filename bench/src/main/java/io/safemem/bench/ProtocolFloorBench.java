package io.safemem.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.concurrent.TimeUnit;

/**
 * The protocol floor in 64-byte blocks: the least work a write or read with the guarantees of
 * {@link io.safemem.ffm.AtomicMemoryOps} can do through the FFM API, written out by hand, measured
 * beside the library and the {@code rawCopy} and {@code rawCopyCrc} floors.
 * <ul>
 *   <li>{@code protocolWrite}: compare-and-set a lock word, CRC32C each 64-byte block of the
 *       source, make a sequence word odd, copy the bytes, store the checksums, make the sequence
 *       even, release the lock;</li>
 *   <li>{@code protocolRead}: take a stamp, copy the bytes and their stored checksums out,
 *       validate the stamp, CRC32C each block of the copy and compare.</li>
 * </ul>
 * Every segment access pays the FFM API's bounds, alignment and liveness checks, as the library's
 * do; one checksum moves with a single access and several with one bulk copy, as in the library.
 * There are no argument checks, error codes, counters, sampling, retry budget or edge merges (the
 * range is block-aligned): the gap between these and {@code atomicWrite} / {@code optimisticRead}
 * at 64-byte blocks is what the library itself adds.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ProtocolFloorBench extends CopyFloor {

    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();
    private static final long LOCKED = Long.MIN_VALUE;
    private static final long LOCK_OFFSET = 0;
    private static final long SEQUENCE_OFFSET = 16;
    private static final int BLOCK = 64;

    private MemorySegment header;
    private MemorySegment checksums;
    private byte[] dst;
    private int[] sums;
    private long firstBlock;
    private int blocks;

    /** Creates the benchmark state; JMH makes one per thread and calls {@link #setUp()}. */
    public ProtocolFloorBench() {
    }

    /** Allocates the data (the floors' plain segment), a header and a checksum table. */
    @Setup(Level.Trial)
    public void setUp() {
        long data = 2L * size + 65536;
        prepareFloor(data, data / 2);
        header = plainArena.allocate(64, 64);
        checksums = plainArena.allocate(data / BLOCK * Integer.BYTES, Integer.BYTES);
        dst = new byte[size];
        firstBlock = aligned / BLOCK;
        blocks = size / BLOCK;
        sums = new int[blocks];
        protocolWrite();
    }

    /** Releases the segments. */
    @TearDown(Level.Trial)
    public void tearDown() {
        plainArena.close();
    }

    /**
     * The least a checksummed atomic write of {@code size} aligned bytes does.
     *
     * @return the header, so the write is not dead code
     */
    @Benchmark
    public MemorySegment protocolWrite() {
        if (!LONG.compareAndSet(header, LOCK_OFFSET, 0L, LOCKED)) {
            throw new IllegalStateException("uncontended lock was held");
        }
        for (int i = 0; i < blocks; i++) {
            crc.reset();
            crc.update(src, i * BLOCK, BLOCK);
            sums[i] = (int) crc.getValue();
        }
        long odd = (long) LONG.get(header, SEQUENCE_OFFSET) + 1;
        LONG.setOpaque(header, SEQUENCE_OFFSET, odd);
        VarHandle.storeStoreFence();
        MemorySegment.copy(src, 0, plain, ValueLayout.JAVA_BYTE, aligned, size);
        if (blocks == 1) {
            checksums.setAtIndex(ValueLayout.JAVA_INT, firstBlock, sums[0]);
        } else {
            MemorySegment.copy(sums, 0, checksums, ValueLayout.JAVA_INT, firstBlock * Integer.BYTES, blocks);
        }
        LONG.setRelease(header, SEQUENCE_OFFSET, odd + 1);
        LONG.setRelease(header, LOCK_OFFSET, 0L);
        return header;
    }

    /**
     * The least a verified optimistic read of {@code size} aligned bytes does.
     *
     * @return the bytes read
     */
    @Benchmark
    public byte[] protocolRead() {
        while (true) {
            long stamp = (long) LONG.getAcquire(header, SEQUENCE_OFFSET);
            if ((stamp & 1) != 0) {
                Thread.onSpinWait();
                continue;
            }
            MemorySegment.copy(plain, ValueLayout.JAVA_BYTE, aligned, dst, 0, size);
            if (blocks == 1) {
                sums[0] = checksums.getAtIndex(ValueLayout.JAVA_INT, firstBlock);
            } else {
                MemorySegment.copy(checksums, ValueLayout.JAVA_INT, firstBlock * Integer.BYTES, sums, 0, blocks);
            }
            VarHandle.acquireFence();
            if (stamp == (long) LONG.getOpaque(header, SEQUENCE_OFFSET)) {
                for (int i = 0; i < blocks; i++) {
                    crc.reset();
                    crc.update(dst, i * BLOCK, BLOCK);
                    if ((int) crc.getValue() != sums[i]) {
                        throw new IllegalStateException("checksum mismatch in block " + (firstBlock + i));
                    }
                }
                return dst;
            }
        }
    }
}
