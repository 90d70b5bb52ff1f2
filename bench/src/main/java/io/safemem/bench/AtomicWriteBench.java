package io.safemem.bench;

import io.safemem.Slice;
import io.safemem.VerificationLevel;
import io.safemem.ffm.AtomicMemoryOps;
import io.safemem.ffm.CheckedRegion;
import io.safemem.ffm.FixedArena;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;

/**
 * One thread's writes and reads through {@link AtomicMemoryOps}, beside what they are measured
 * against in the same run:
 * <ul>
 *   <li>{@code rawCopyCrc}, the floor: copy {@code size} bytes into a plain segment and CRC32C them
 *       with the JDK intrinsic, no lock, no table;</li>
 *   <li>{@code rawCopy}: the copy alone, the floor of {@code OFF};</li>
 *   <li>{@code fullRecompute}: the Rust original's design, copy then CRC32C over the whole
 *       {@code regionSize} region, the anchor whose cost grows with the region.</li>
 * </ul>
 * The floors ignore {@code level}; {@code BenchMain} runs them once per size and region size.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class AtomicWriteBench extends CopyFloor {

    /** Verification level of the region. */
    @Param({"OFF", "STANDARD", "FULL"})
    public VerificationLevel level;

    /** Capacity of the region (and of the plain segment the floors write into). */
    @Param({"65536", "1073741824"})
    public long regionSize;

    /** Checksum block size of the region; the library default unless a sweep sets it. */
    @Param({"" + CheckedRegion.DEFAULT_BLOCK_SIZE})
    public int blockSize;

    /** Bytes the unaligned write starts past a block edge, so that it straddles one. */
    private static final int MISALIGNMENT = 13;

    private FixedArena arena;
    private AtomicMemoryOps memory;
    private ByteBuffer wholePlain;
    private byte[] dst;
    private long unaligned;

    /** Creates the benchmark state; JMH makes one per thread and calls {@link #setUp()}. */
    public AtomicWriteBench() {
    }

    /** Creates the region and the plain segment, both of {@code regionSize} bytes. */
    @Setup(Level.Trial)
    public void setUp() {
        arena = Regions.arenaFor(regionSize, blockSize);
        memory = Regions.atomicOps(arena, regionSize, blockSize, level);
        prepareFloor(regionSize, Math.min(regionSize / 2, regionSize - size) & -blockSize);
        wholePlain = plain.asByteBuffer();
        dst = new byte[size];
        unaligned = aligned + blockSize - MISALIGNMENT;
        if (unaligned + size > regionSize) {
            unaligned = aligned - MISALIGNMENT;
        }
        if (unaligned < 0) {
            unaligned = -1; // no unaligned range of this size fits; BenchMain does not run that case
        }
        memory.atomicWriteWithChecksum(aligned, src);
    }

    /** Releases both. */
    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
        plainArena.close();
    }

    /**
     * The Rust original's design: copy the bytes, then CRC32C the whole region.
     *
     * @return the region's checksum
     */
    @Benchmark
    public long fullRecompute() {
        MemorySegment.copy(src, 0, plain, ValueLayout.JAVA_BYTE, aligned, size);
        crc.reset();
        crc.update(wholePlain.clear());
        return crc.getValue();
    }

    /**
     * A block-aligned write with its checksums, as one atomic step.
     *
     * @return the memory, so the write is not dead code
     */
    @Benchmark
    public AtomicMemoryOps atomicWrite() {
        memory.atomicWriteWithChecksum(aligned, src);
        return memory;
    }

    /**
     * The same write, starting {@value #MISALIGNMENT} bytes before a block edge: two edge merges.
     *
     * @return the memory
     */
    @Benchmark
    public AtomicMemoryOps atomicWriteUnaligned() {
        memory.atomicWriteWithChecksum(unaligned, src);
        return memory;
    }

    /**
     * Borrow a verified slice, copy it out, close it.
     *
     * @return the bytes read
     */
    @Benchmark
    public byte[] borrowAndRead() {
        try (Slice slice = memory.borrowSlice(aligned, size)) {
            slice.copyTo(0, dst, 0, size);
        }
        return dst;
    }

    /**
     * An optimistic read, verified at {@code STANDARD} and {@code FULL}.
     *
     * @return the bytes read
     */
    @Benchmark
    public byte[] optimisticRead() {
        memory.read(aligned, dst, 0, size);
        return dst;
    }
}
