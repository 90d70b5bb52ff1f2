package io.safemem.bench;

import io.safemem.Slice;
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
import java.util.concurrent.TimeUnit;

/**
 * Single-owner writes and reads through {@link SafeMemoryHandler} in a 1 MiB region, beside the
 * floors of {@link CopyFloor} measured in the same run ({@code BenchMain} runs it at 64 B and
 * 4 KiB).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class HandlerWriteBench extends CopyFloor {

    /** Verification level of the region. */
    @Param({"OFF", "STANDARD", "FULL"})
    public VerificationLevel level;

    /** Checksum block size of the region; the library default unless a run sets it. */
    @Param({"" + CheckedRegion.DEFAULT_BLOCK_SIZE})
    public int blockSize;

    private static final long REGION_BYTES = 1 << 20;

    private FixedArena arena;
    private SafeMemoryHandler handler;
    private byte[] dst;
    private long unaligned;

    /** Creates the benchmark state; JMH makes one per thread and calls {@link #setUp()}. */
    public HandlerWriteBench() {
    }

    /** Creates the region and the plain segment, both of {@value #REGION_BYTES} bytes. */
    @Setup(Level.Trial)
    public void setUp() {
        arena = FixedArena.ofShared(2 * REGION_BYTES);
        handler = CheckedRegion.builder(arena, REGION_BYTES).blockSize(blockSize).verificationLevel(level).build().handler();
        prepareFloor(REGION_BYTES, 8 * (long) blockSize);
        dst = new byte[size];
        unaligned = aligned + blockSize - 13;
    }

    /** Releases both. */
    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
        plainArena.close();
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

    /**
     * Borrow a verified slice through the handler, copy it out, close it.
     *
     * @return the bytes read
     */
    @Benchmark
    public byte[] borrowAndRead() {
        try (Slice slice = handler.borrowSlice(aligned, size)) {
            slice.copyTo(0, dst, 0, size);
        }
        return dst;
    }
}
