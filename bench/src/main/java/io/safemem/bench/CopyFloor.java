package io.safemem.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.zip.CRC32C;

/**
 * The floors a benchmark of writes is measured against, inherited as benchmark methods so that
 * they run in the same JMH run with the same {@code size}: {@code rawCopy} ({@link MemorySegment#copy}
 * of the bytes into a plain segment) and {@code rawCopyCrc} (that copy plus the JDK's CRC32C of
 * the same bytes; no lock, no checksum table). A subclass calls {@link #prepareFloor} in its
 * set-up and closes {@link #plainArena} in its tear-down.
 */
@State(Scope.Thread)
public abstract class CopyFloor {

    /** Bytes per operation. */
    @Param({"64", "4096", "65536"})
    public int size;

    /** Owns the plain segment. */
    protected Arena plainArena;
    /** The plain segment the floors write into. */
    protected MemorySegment plain;
    /** The bytes every write writes: {@code size} bytes of a fixed pattern. */
    protected byte[] src;
    /** Where the floors (and the subclass's aligned write) write. */
    protected long aligned;
    /** The CRC32C the floors (and a subclass's baselines) use. */
    protected final CRC32C crc = new CRC32C();

    /** Creates the benchmark state; the subclass's set-up fills it. */
    protected CopyFloor() {
    }

    /**
     * Allocates a plain segment of {@code plainBytes} and the source pattern.
     *
     * @param plainBytes size of the plain segment
     * @param at         offset the floors write at
     */
    protected final void prepareFloor(long plainBytes, long at) {
        plainArena = Arena.ofShared();
        plain = plainArena.allocate(plainBytes, 4096);
        src = new byte[size];
        for (int i = 0; i < size; i++) {
            src[i] = (byte) (i * 31 + 7);
        }
        aligned = at;
    }

    /**
     * The floor of {@code OFF}: copy the bytes.
     *
     * @return the segment, so the copy is not dead code
     */
    @Benchmark
    public MemorySegment rawCopy() {
        MemorySegment.copy(src, 0, plain, ValueLayout.JAVA_BYTE, aligned, size);
        return plain;
    }

    /**
     * The floor: copy the bytes and CRC32C them.
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
}
