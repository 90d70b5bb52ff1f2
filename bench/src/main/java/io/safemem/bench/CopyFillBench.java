package io.safemem.bench;

import io.safemem.VerificationLevel;
import io.safemem.ffm.AtomicMemoryOps;
import io.safemem.ffm.CheckedRegion;
import io.safemem.ffm.FixedArena;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
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

/**
 * {@link AtomicMemoryOps#atomicCopyWithin} and {@link AtomicMemoryOps#atomicFill} of
 * {@value #LENGTH} bytes in a {@value #REGION_BYTES}-byte region (non-overlapping, block-aligned
 * source and destination), beside their peers on a plain segment of the same size:
 * {@code rawCopy} ({@link MemorySegment#copy(MemorySegment, long, MemorySegment, long, long)}),
 * Agrona's {@code UnsafeBuffer.putBytes} from the buffer into itself, and its {@code setMemory} as
 * the peer of the fill. The baselines ignore {@code level} and {@code blockSize};
 * {@code BenchMain} runs them once.
 *
 * <p>Agrona 2 reaches {@code jdk.internal.misc.Unsafe}, so the fork exports it (as a prepended JVM
 * argument, which {@code -jvmArgs} and {@code -jvmArgsAppend} on the command line leave in place).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(jvmArgsPrepend = "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED")
public class CopyFillBench {

    /** Verification level of the region. */
    @Param({"OFF", "STANDARD", "FULL"})
    public VerificationLevel level;

    /** Checksum block size of the region; the library default unless a sweep sets it. */
    @Param({"" + CheckedRegion.DEFAULT_BLOCK_SIZE})
    public int blockSize;

    private static final int REGION_BYTES = 1 << 20;
    private static final int LENGTH = 4096;
    /** Source and destination: a quarter of the region apart, aligned to every block size. */
    private static final int SRC = REGION_BYTES / 4;
    private static final int DST = REGION_BYTES / 2;
    private static final byte FILL = (byte) 0x5A;

    private FixedArena arena;
    private AtomicMemoryOps memory;
    private Arena plainArena;
    private MemorySegment plain;
    private UnsafeBuffer buffer;

    /** Creates the state; JMH sets the parameters and calls {@link #setUp()}. */
    public CopyFillBench() {
    }

    /** Creates the region and the plain segment, with the same bytes at the source of both. */
    @Setup(Level.Trial)
    public void setUp() {
        arena = Regions.arenaFor(REGION_BYTES, blockSize);
        memory = Regions.atomicOps(arena, REGION_BYTES, blockSize, level);
        plainArena = Arena.ofShared();
        plain = plainArena.allocate(REGION_BYTES, 4096);
        buffer = new UnsafeBuffer(plain.address(), REGION_BYTES);
        byte[] src = new byte[LENGTH];
        for (int i = 0; i < LENGTH; i++) {
            src[i] = (byte) (i * 31 + 7);
        }
        memory.atomicWriteWithChecksum(SRC, src);
        MemorySegment.copy(src, 0, plain, ValueLayout.JAVA_BYTE, SRC, LENGTH);
    }

    /** Releases both. */
    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
        plainArena.close();
    }

    /**
     * Copies within the region: the source verified, the destination's checksums from that copy.
     *
     * @return the memory
     */
    @Benchmark
    public AtomicMemoryOps atomicCopyWithin() {
        memory.atomicCopyWithin(SRC, DST, LENGTH);
        return memory;
    }

    /**
     * Fills within the region, with the destination's checksums.
     *
     * @return the memory
     */
    @Benchmark
    public AtomicMemoryOps atomicFill() {
        memory.atomicFill(DST, LENGTH, FILL);
        return memory;
    }

    /**
     * The floor of the copy: segment to segment.
     *
     * @return the segment
     */
    @Benchmark
    public MemorySegment rawCopy() {
        MemorySegment.copy(plain, SRC, plain, DST, LENGTH);
        return plain;
    }

    /**
     * Agrona's copy within one buffer.
     *
     * @return the buffer
     */
    @Benchmark
    public UnsafeBuffer agronaPutBytes() {
        buffer.putBytes(DST, buffer, SRC, LENGTH);
        return buffer;
    }

    /**
     * Agrona's fill, the peer of {@link #atomicFill}.
     *
     * @return the buffer
     */
    @Benchmark
    public UnsafeBuffer agronaSetMemory() {
        buffer.setMemory(DST, LENGTH, FILL);
        return buffer;
    }
}
