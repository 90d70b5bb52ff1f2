package io.safemem.bench;

import io.safemem.VerificationLevel;
import io.safemem.ffm.CheckedRegion;
import io.safemem.ffm.FixedArena;
import io.safemem.ffm.SafeMemoryHandler;
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
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;

/**
 * Single-owner writes and reads through {@link SafeMemoryHandler}, beside the floor measured in the
 * same run: {@code rawCopy} ({@link MemorySegment#copy} alone) and {@code rawCopyCrc} (the copy
 * plus the JDK's CRC32C of the same bytes, no lock, no table).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class HandlerWriteBench {

    /** Bytes per operation. */
    @Param({"64", "4096"})
    public int size;

    /** Verification level of the region. */
    @Param({"OFF", "STANDARD", "FULL"})
    public VerificationLevel level;

    /** Checksum block size of the region. */
    @Param({"256"})
    public int blockSize;

    private static final long REGION_BYTES = 1 << 20;

    private FixedArena arena;
    private SafeMemoryHandler handler;
    private Arena plainArena;
    private MemorySegment plain;
    private final CRC32C crc = new CRC32C();
    private byte[] src;
    private byte[] dst;
    private long aligned;
    private long unaligned;

    /** Creates the benchmark state; JMH makes one per thread and calls {@link #setUp()}. */
    public HandlerWriteBench() {
    }

    /** Creates the region and the plain segment, both of {@value #REGION_BYTES} bytes. */
    @Setup(Level.Trial)
    public void setUp() {
        arena = FixedArena.ofShared(2 * REGION_BYTES);
        handler = CheckedRegion.builder(arena, REGION_BYTES).blockSize(blockSize).verificationLevel(level).build().handler();
        plainArena = Arena.ofShared();
        plain = plainArena.allocate(REGION_BYTES, 4096);
        src = new byte[size];
        dst = new byte[size];
        for (int i = 0; i < size; i++) {
            src[i] = (byte) (i * 31 + 7);
        }
        aligned = 8 * (long) blockSize;
        unaligned = aligned + blockSize - 13;
    }

    /** Releases both. */
    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
        plainArena.close();
    }

    /**
     * The floor: copy the bytes.
     *
     * @return the segment, so the copy is not dead code
     */
    @Benchmark
    public MemorySegment rawCopy() {
        MemorySegment.copy(src, 0, plain, ValueLayout.JAVA_BYTE, aligned, size);
        return plain;
    }

    /**
     * The floor with a checksum: copy the bytes and CRC32C them.
     *
     * @return the checksum
     */
    @Benchmark
    public long rawCopyCrc() {
        MemorySegment.copy(src, 0, plain, ValueLayout.JAVA_BYTE, aligned, size);
        crc.reset();
        crc.update(src, 0, size);
        return crc.getValue();
    }

    /**
     * A block-aligned write through the handler.
     *
     * @return the handler
     */
    @Benchmark
    public SafeMemoryHandler write() {
        handler.write(aligned, src, 0, size);
        return handler;
    }

    /**
     * The same write, straddling a block edge: two edge merges.
     *
     * @return the handler
     */
    @Benchmark
    public SafeMemoryHandler writeUnaligned() {
        handler.write(unaligned, src, 0, size);
        return handler;
    }

    /**
     * A read through the handler, verified at STANDARD and FULL.
     *
     * @return the bytes read
     */
    @Benchmark
    public byte[] read() {
        handler.read(aligned, dst, 0, size);
        return dst;
    }
}
