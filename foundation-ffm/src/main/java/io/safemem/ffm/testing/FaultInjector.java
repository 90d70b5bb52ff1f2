package io.safemem.ffm.testing;

import io.safemem.BoundsException;
import io.safemem.ConcurrencyException;
import io.safemem.ErrorCode;
import io.safemem.StateException;
import io.safemem.ValidationException;
import io.safemem.ffm.CheckedRegion;
import io.safemem.ffm.internal.Checks;
import io.safemem.ffm.internal.RawRegionAccess;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.SplittableRandom;

/**
 * Flips bits in a region's raw memory behind the API's back, the way a cosmic ray, a bad DIMM or
 * a stray native write would, so that applications can test their own corruption handling.
 *
 * <p>Flips land either in the data or in the checksum table; each call reports what it flipped
 * as a {@link Flip}, which {@link #undo(Flip)} can reverse. Random choices come from a seeded
 * generator: the same seed on the same region flips the same bits. The injector changes no
 * counter and takes no lock: it is not part of the protocol, it attacks it.
 *
 * <pre>{@code
 * FaultInjector faults = FaultInjector.of(region, 42);
 * FaultInjector.Flip flip = faults.flipRandomDataBit();
 * assertThrows(IntegrityException.class, memory::verifyIntegrity);
 * faults.undo(flip);
 * memory.verifyIntegrity();   // clean again
 * }</pre>
 */
public final class FaultInjector {

    private static final VarHandle BYTE = ValueLayout.JAVA_BYTE.varHandle();

    private final CheckedRegion region;
    private final MemorySegment data;
    private final MemorySegment checksums;
    private final SplittableRandom random;

    private FaultInjector(CheckedRegion region, long seed) {
        this.region = region;
        this.data = RawRegionAccess.accessor().data(region);
        this.checksums = RawRegionAccess.accessor().checksums(region);
        this.random = new SplittableRandom(seed);
    }

    /**
     * Creates an injector for one region.
     *
     * @param region the region to corrupt
     * @param seed   the seed of the random choices
     * @return the injector
     * @throws ValidationException  ({@link ErrorCode#NULL_ARGUMENT}) if {@code region} is null
     * @throws StateException       ({@link ErrorCode#ARENA_CLOSED}) if the region's arena is closed
     * @throws ConcurrencyException ({@link ErrorCode#WRONG_THREAD}) if its arena is confined to another thread
     */
    public static FaultInjector of(CheckedRegion region, long seed) {
        RawRegionAccess.accessor().checkAccess(Checks.notNull(region, "region"));
        return new FaultInjector(region, seed);
    }

    /**
     * Flips one chosen bit of the data.
     *
     * @param offset byte offset in the region, in {@code [0, capacity)}
     * @param bit    bit index in that byte, 0 (least significant) to 7
     * @return what was flipped
     * @throws BoundsException      if {@code offset} or {@code bit} is out of range
     * @throws StateException       ({@link ErrorCode#ARENA_CLOSED}) if the region's arena is closed
     * @throws ConcurrencyException ({@link ErrorCode#WRONG_THREAD}) if its arena is confined to another thread
     */
    public Flip flipDataBit(long offset, int bit) {
        checkAccess();
        requireIndex(offset, region.capacity(), "offset");
        requireIndex(bit, 8, "bit");
        return apply(new Flip(Target.DATA, offset, bit, offset / region.blockSize()));
    }

    /**
     * Flips one chosen bit of a block's stored checksum.
     *
     * @param block the block index, in {@code [0, blockCount)}
     * @param bit   bit index of the 32-bit checksum, 0 to 31
     * @return what was flipped
     * @throws BoundsException      if {@code block} or {@code bit} is out of range
     * @throws StateException       ({@link ErrorCode#ARENA_CLOSED}) if the region's arena is closed
     * @throws ConcurrencyException ({@link ErrorCode#WRONG_THREAD}) if its arena is confined to another thread
     */
    public Flip flipChecksumBit(long block, int bit) {
        checkAccess();
        requireIndex(block, region.blockCount(), "block");
        requireIndex(bit, 32, "bit");
        return apply(new Flip(Target.CHECKSUM, block * Integer.BYTES + bit / 8, bit % 8, block));
    }

    /**
     * Flips a random bit of the data, uniformly over the region's capacity.
     *
     * @return what was flipped
     * @throws StateException       ({@link ErrorCode#ARENA_CLOSED}) if the region's arena is closed
     * @throws ConcurrencyException ({@link ErrorCode#WRONG_THREAD}) if its arena is confined to another thread
     */
    public Flip flipRandomDataBit() {
        return flipRandomDataBitIn(0, region.capacity());
    }

    /**
     * Flips a random bit of the data in {@code [offset, offset + length)}.
     *
     * @param offset first byte offset of the range
     * @param length number of bytes, at least 1
     * @return what was flipped
     * @throws BoundsException      with the library's range codes if the range is negative, overflows,
     *                              is empty or is not inside the region
     * @throws StateException       ({@link ErrorCode#ARENA_CLOSED}) if the region's arena is closed
     * @throws ConcurrencyException ({@link ErrorCode#WRONG_THREAD}) if its arena is confined to another thread
     */
    public Flip flipRandomDataBitIn(long offset, long length) {
        checkAccess();
        Checks.range(offset, length, region.capacity());
        if (length == 0) {
            throw new BoundsException(ErrorCode.OUT_OF_BOUNDS, "an empty range at " + offset + " has no bit to flip");
        }
        return flipDataBit(offset + random.nextLong(length), random.nextInt(8));
    }

    /**
     * Flips a random bit of the checksum table, uniformly over all blocks.
     *
     * @return what was flipped
     * @throws StateException       ({@link ErrorCode#ARENA_CLOSED}) if the region's arena is closed
     * @throws ConcurrencyException ({@link ErrorCode#WRONG_THREAD}) if its arena is confined to another thread
     */
    public Flip flipRandomChecksumBit() {
        checkAccess();
        return flipChecksumBit(random.nextLong(region.blockCount()), random.nextInt(32));
    }

    /**
     * Flips a random bit anywhere the region keeps state: data or checksums, in proportion to
     * their sizes.
     *
     * @return what was flipped
     * @throws StateException       ({@link ErrorCode#ARENA_CLOSED}) if the region's arena is closed
     * @throws ConcurrencyException ({@link ErrorCode#WRONG_THREAD}) if its arena is confined to another thread
     */
    public Flip flipRandomBit() {
        checkAccess();
        long tableBytes = region.blockCount() * Integer.BYTES;
        return random.nextLong(region.capacity() + tableBytes) < region.capacity()
                ? flipRandomDataBit() : flipRandomChecksumBit();
    }

    /**
     * Flips the same bit again, restoring what {@code flip} changed (if nothing rewrote it since).
     *
     * @param flip a flip made by this injector
     * @throws ValidationException  ({@link ErrorCode#NULL_ARGUMENT}) if {@code flip} is null;
     *                              ({@link ErrorCode#INVALID_FLIP}) if it is not a flip of a bit of
     *                              this region (no target, offset or bit outside it, or a block that
     *                              is not the byte's); nothing is flipped then
     * @throws StateException       ({@link ErrorCode#ARENA_CLOSED}) if the region's arena is closed
     * @throws ConcurrencyException ({@link ErrorCode#WRONG_THREAD}) if its arena is confined to another thread
     */
    public void undo(Flip flip) {
        checkAccess();
        apply(validated(Checks.notNull(flip, "flip")));
    }

    /** Refuses a flip this injector could not have made, before anything is flipped. */
    private Flip validated(Flip flip) {
        boolean valid = flip.target() != null && flip.bit() >= 0 && flip.bit() < 8 && flip.byteOffset() >= 0;
        if (valid && flip.target() == Target.DATA) {
            valid = flip.byteOffset() < region.capacity() && flip.block() == flip.byteOffset() / region.blockSize();
        } else if (valid) {
            valid = flip.block() < region.blockCount() && flip.block() == flip.byteOffset() / Integer.BYTES;
        }
        if (!valid) {
            throw new ValidationException(ErrorCode.INVALID_FLIP, flip + " is not a bit of region '" + region.name()
                    + "' (" + region.capacity() + " data bytes in blocks of " + region.blockSize() + ", "
                    + region.blockCount() + " checksums)");
        }
        return flip;
    }

    /** Throws unless the region's memory may be flipped now by this thread. */
    private void checkAccess() {
        RawRegionAccess.accessor().checkAccess(region);
    }

    /**
     * Flips with volatile accesses, so a flip made in a loop is a real store the JIT cannot merge
     * away; a flip the closing of its arena interrupted fails with {@code ARENA_CLOSED}.
     */
    private Flip apply(Flip flip) {
        MemorySegment target = flip.target() == Target.DATA ? data : checksums;
        try {
            byte old = (byte) BYTE.getVolatile(target, flip.byteOffset());
            BYTE.setVolatile(target, flip.byteOffset(), (byte) (old ^ (1 << flip.bit())));
        } catch (IllegalStateException e) { // a shared arena closed by another thread since the check
            checkAccess();
            throw e;
        }
        return flip;
    }

    private static void requireIndex(long index, long size, String what) {
        if (index < 0 || index >= size) {
            throw new BoundsException(index < 0 ? ErrorCode.NEGATIVE_OFFSET : ErrorCode.OUT_OF_BOUNDS,
                    what + " " + index + " not in [0, " + size + ")");
        }
    }

    /** Where a flip landed. */
    public enum Target {
        /** The region's data bytes. */
        DATA,
        /** The region's table of block checksums. */
        CHECKSUM
    }

    /**
     * One flipped bit.
     *
     * @param target     data or checksum table
     * @param byteOffset offset of the flipped byte: in the data for {@link Target#DATA}, in the
     *                   checksum table for {@link Target#CHECKSUM}
     * @param bit        the bit flipped in that byte, 0 to 7
     * @param block      the block whose data or checksum now disagrees
     */
    public record Flip(Target target, long byteOffset, int bit, long block) {
    }
}
