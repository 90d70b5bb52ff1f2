package io.safemem.bench;

import io.safemem.VerificationLevel;
import io.safemem.ffm.AtomicMemoryOps;
import io.safemem.ffm.CheckedRegion;
import io.safemem.ffm.FixedArena;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.BenchmarkParams;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.StampedLock;
import java.util.zip.CRC32C;

/**
 * Two threads on one record of a {@value #REGION_BYTES}-byte region, through
 * {@link AtomicMemoryOps} and through what a Java developer would write instead: a {@link HeapRecord}
 * (heap {@code byte[]} plus the CRC32C of each write in an {@code int[]} slot) under a
 * {@link ReentrantLock}, a {@code synchronized} block or a {@link StampedLock}.
 * <ul>
 *   <li>{@code *Writers}: two writers of the same record.</li>
 *   <li>{@code *ReadWrite}: one writer and one reader; every reader verifies what it copied out
 *       (safemem at {@code level}, the baselines by CRC32C against the checksum read in the same
 *       window) and a mismatch throws. The {@link StampedLock} reader is the class Javadoc's
 *       idiom: optimistic copies, at most {@value #OPTIMISTIC_TRIES}, then the read lock.</li>
 * </ul>
 * Each write changes the record's first byte, so that a torn copy fails its check. The baselines
 * ignore {@code level} and {@code blockSize}; their locks may allocate queue nodes when contended,
 * which safemem must not.
 */
@State(Scope.Group)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ContendedBench {

    /** Bytes of the record. */
    @Param({"64", "4096"})
    public int size;

    /** Verification level of the region. */
    @Param({"STANDARD"})
    public VerificationLevel level;

    /** Checksum block size of the region. */
    @Param({"" + CheckedRegion.DEFAULT_BLOCK_SIZE})
    public int blockSize;

    private static final int REGION_BYTES = 64 * 1024;
    /** Where the record starts: aligned to every block size up to half the region. */
    private static final int OFFSET = REGION_BYTES / 2;
    private static final int OPTIMISTIC_TRIES = 64;

    private FixedArena arena;
    private AtomicMemoryOps memory;
    private HeapRecord record;
    private final ReentrantLock lock = new ReentrantLock();
    private final StampedLock stampedLock = new StampedLock();
    private final Object monitor = new Object();

    /** Creates the state; JMH sets the parameters and calls {@link #setUp()}. */
    public ContendedBench() {
    }

    /** One thread's source record, copy buffer and checksum object. */
    @State(Scope.Thread)
    public static class Scratch {

        byte[] src;
        byte[] dst;
        final CRC32C crc = new CRC32C();

        /** Creates the state; JMH calls {@link #setUp(BenchmarkParams)}. */
        public Scratch() {
        }

        /**
         * Fills the source record.
         *
         * @param params the run's parameters, for {@code size}
         */
        @Setup(Level.Trial)
        public void setUp(BenchmarkParams params) {
            int size = Integer.parseInt(params.getParam("size"));
            src = pattern(size);
            dst = new byte[size];
        }

        /**
         * The record's next value: the first byte changes on every write.
         *
         * @return the source record
         */
        byte[] next() {
            src[0]++;
            return src;
        }
    }

    /** Creates the region and the heap record, and writes the record once to both. */
    @Setup(Level.Trial)
    public void setUp() {
        arena = Regions.arenaFor(REGION_BYTES, blockSize);
        memory = Regions.atomicOps(arena, REGION_BYTES, blockSize, level);
        record = new HeapRecord(REGION_BYTES, OFFSET, size);
        byte[] first = pattern(size);
        memory.atomicWriteWithChecksum(OFFSET, first);
        record.write(first, new CRC32C());
    }

    /** Releases the region. */
    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    // ---------------------------------------------------------------- two writers

    /**
     * One of two safemem writers.
     *
     * @param scratch this thread's buffers
     * @return the memory
     */
    @Benchmark
    @Group("safememWriters")
    @GroupThreads(2)
    public AtomicMemoryOps safememWrite(Scratch scratch) {
        return writeSafemem(scratch);
    }

    /**
     * One of two writers under a {@link ReentrantLock}.
     *
     * @param scratch this thread's buffers
     * @return the checksum stored
     */
    @Benchmark
    @Group("reentrantLockWriters")
    @GroupThreads(2)
    public int reentrantLockWrite(Scratch scratch) {
        return writeUnderLock(scratch);
    }

    /**
     * One of two writers in a {@code synchronized} block.
     *
     * @param scratch this thread's buffers
     * @return the checksum stored
     */
    @Benchmark
    @Group("synchronizedWriters")
    @GroupThreads(2)
    public int synchronizedWrite(Scratch scratch) {
        return writeSynchronized(scratch);
    }

    // ---------------------------------------------------------------- one writer, one reader

    /**
     * The safemem writer beside {@link #safememReader}.
     *
     * @param scratch this thread's buffers
     * @return the memory
     */
    @Benchmark
    @Group("safememReadWrite")
    @GroupThreads(1)
    public AtomicMemoryOps safememWriter(Scratch scratch) {
        return writeSafemem(scratch);
    }

    /**
     * An optimistic, verified safemem read.
     *
     * @param scratch this thread's buffers
     * @return the bytes read
     */
    @Benchmark
    @Group("safememReadWrite")
    @GroupThreads(1)
    public byte[] safememReader(Scratch scratch) {
        memory.read(OFFSET, scratch.dst, 0, size);
        return scratch.dst;
    }

    /**
     * The writer under the {@link StampedLock}'s write lock.
     *
     * @param scratch this thread's buffers
     * @return the checksum stored
     */
    @Benchmark
    @Group("stampedLockReadWrite")
    @GroupThreads(1)
    public int stampedLockWriter(Scratch scratch) {
        long stamp = stampedLock.writeLock();
        try {
            return record.write(scratch.next(), scratch.crc);
        } finally {
            stampedLock.unlockWrite(stamp);
        }
    }

    /**
     * Optimistic copies validated by the stamp, then the read lock; the copy is checked against its checksum.
     *
     * @param scratch this thread's buffers
     * @return the bytes read
     */
    @Benchmark
    @Group("stampedLockReadWrite")
    @GroupThreads(1)
    public byte[] stampedLockReader(Scratch scratch) {
        byte[] dst = scratch.dst;
        for (int i = 0; i < OPTIMISTIC_TRIES; i++) {
            long stamp = stampedLock.tryOptimisticRead();
            if (stamp != 0L) {
                int stored = record.copyOut(dst);
                if (stampedLock.validate(stamp)) {
                    HeapRecord.verify(dst, stored, scratch.crc);
                    return dst;
                }
            }
        }
        long stamp = stampedLock.readLock();
        int stored;
        try {
            stored = record.copyOut(dst);
        } finally {
            stampedLock.unlockRead(stamp);
        }
        HeapRecord.verify(dst, stored, scratch.crc);
        return dst;
    }

    /**
     * The writer under the {@link ReentrantLock}.
     *
     * @param scratch this thread's buffers
     * @return the checksum stored
     */
    @Benchmark
    @Group("reentrantLockReadWrite")
    @GroupThreads(1)
    public int reentrantLockWriter(Scratch scratch) {
        return writeUnderLock(scratch);
    }

    /**
     * Copies under the {@link ReentrantLock}, then checks the copy.
     *
     * @param scratch this thread's buffers
     * @return the bytes read
     */
    @Benchmark
    @Group("reentrantLockReadWrite")
    @GroupThreads(1)
    public byte[] reentrantLockReader(Scratch scratch) {
        int stored;
        lock.lock();
        try {
            stored = record.copyOut(scratch.dst);
        } finally {
            lock.unlock();
        }
        HeapRecord.verify(scratch.dst, stored, scratch.crc);
        return scratch.dst;
    }

    /**
     * The writer in a {@code synchronized} block.
     *
     * @param scratch this thread's buffers
     * @return the checksum stored
     */
    @Benchmark
    @Group("synchronizedReadWrite")
    @GroupThreads(1)
    public int synchronizedWriter(Scratch scratch) {
        return writeSynchronized(scratch);
    }

    /**
     * Copies in a {@code synchronized} block, then checks the copy.
     *
     * @param scratch this thread's buffers
     * @return the bytes read
     */
    @Benchmark
    @Group("synchronizedReadWrite")
    @GroupThreads(1)
    public byte[] synchronizedReader(Scratch scratch) {
        int stored;
        synchronized (monitor) {
            stored = record.copyOut(scratch.dst);
        }
        HeapRecord.verify(scratch.dst, stored, scratch.crc);
        return scratch.dst;
    }

    // ---------------------------------------------------------------- what the groups share

    private static byte[] pattern(int size) {
        byte[] bytes = new byte[size];
        for (int i = 0; i < size; i++) {
            bytes[i] = (byte) (i * 31 + 7);
        }
        return bytes;
    }

    private AtomicMemoryOps writeSafemem(Scratch scratch) {
        memory.atomicWriteWithChecksum(OFFSET, scratch.next());
        return memory;
    }

    private int writeUnderLock(Scratch scratch) {
        lock.lock();
        try {
            return record.write(scratch.next(), scratch.crc);
        } finally {
            lock.unlock();
        }
    }

    private int writeSynchronized(Scratch scratch) {
        synchronized (monitor) {
            return record.write(scratch.next(), scratch.crc);
        }
    }
}
