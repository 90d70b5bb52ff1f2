package io.safemem.ffm;

import io.safemem.ffm.internal.Checks;

import io.safemem.ConcurrencyException;
import io.safemem.ErrorCode;
import io.safemem.IntegrityException;
import io.safemem.Slice;
import io.safemem.StateException;
import io.safemem.ValidationException;
import io.safemem.VerificationLevel;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;

/**
 * Single-owner checked access to a {@link CheckedRegion}: reads, writes, copies, fills, scalar
 * get/put, verified slices and integrity checks, each bounds-checked and kept consistent with the
 * region's checksums.
 *
 * <p>The handler is the region's one owner (from {@link CheckedRegion#handler()}) and is
 * confined to one thread, the one that took it, like a confined {@link java.lang.foreign.Arena}:
 * a call from any other thread fails with {@link ErrorCode#WRONG_THREAD} before it touches
 * anything, and so does a read of one of its slices. {@link #transferOwnership(Thread)} moves it
 * to another thread; {@link #intoAtomicOps()} hands the region over for access from many threads.
 * After construction no method allocates, except {@link #borrowSlice(long, long)} (one small
 * object per slice) and the exceptions.
 *
 * <p>Every method refuses bad input whole: negative or overflowing offsets and lengths, ranges
 * beyond the capacity or the caller's buffer, a closed arena, a confined arena used from another
 * thread (the region's, or that of a caller's segment), writes while slices are open, each with its
 * {@link io.safemem.ErrorCode}, and nothing written; an arena closed by another thread while a call
 * runs fails it with {@link io.safemem.ErrorCode#ARENA_CLOSED}. An {@link IntegrityException} from a
 * read or a write means corruption was found before it could be used or absorbed; the region is
 * unchanged by the failed call. Scalar values are little-endian at any alignment.
 *
 * <pre>{@code
 * try (FixedArena arena = FixedArena.ofConfined(1 << 20)) {
 *     SafeMemoryHandler memory = CheckedRegion.builder(arena, 64 * 1024).build().handler();
 *     memory.write(100, "hello".getBytes(StandardCharsets.US_ASCII));
 *     memory.putInt(200, 42);
 *     byte[] back = new byte[5];
 *     memory.read(100, back);                     // verified against the block checksums
 *     try (Slice view = memory.borrowSlice(100, 5)) {
 *         byte h = view.getByte(0);
 *     }
 *     memory.verifyIntegrity();                   // whole region
 * }
 * }</pre>
 */
public final class SafeMemoryHandler {

    private final CheckedRegion region;
    private final MemorySegment data;
    private final ChecksumEngine engine;
    private final byte[] scalar;
    /** The owner of the slices lent now; replaced when they are revoked. */
    private Slices slices = new Slices();
    private int openSlices;
    private boolean consumed;
    /** The one thread that may use this handler. */
    private Thread ownerThread = Thread.currentThread();

    SafeMemoryHandler(CheckedRegion region) {
        this.region = region;
        this.data = region.data;
        this.engine = new ChecksumEngine(region, region.counters, region.samplingSeed);
        this.scalar = engine.scalar;
    }

    /**
     * The region this handler owns.
     *
     * @return the region, for its geometry, level and statistics
     */
    public CheckedRegion provider() {
        return region;
    }

    // ---------------------------------------------------------------- bulk reads

    /**
     * Fills {@code dst} with the bytes at {@code offset}; verified at {@code STANDARD} and up
     * (sampled at {@code SAMPLING}).
     *
     * @param offset first byte offset in the region
     * @param dst    destination; its whole length is read
     * @throws IntegrityException if a block read does not match its checksum; {@code dst} may then
     *                            hold part of the range
     */
    public void read(long offset, byte[] dst) {
        read(offset, Checks.notNull(dst, "dst"), 0, dst.length);
    }

    /**
     * Copies {@code length} bytes at {@code offset} into {@code dst[dstOffset, dstOffset + length)};
     * verified at {@code STANDARD} and up (sampled at {@code SAMPLING}). The copy that is returned
     * is the copy that was verified.
     *
     * @param offset    first byte offset in the region
     * @param dst       destination array
     * @param dstOffset first index written in {@code dst}
     * @param length    number of bytes
     * @throws IntegrityException if a block read does not match its checksum; {@code dst} may then
     *                            hold part of the range
     */
    public void read(long offset, byte[] dst, int dstOffset, int length) {
        enter(offset, length);
        Checks.array(dstOffset, length, Checks.notNull(dst, "dst").length);
        try {
            throwIfCorrupt(engine.readInto(offset, dst, dstOffset, length, length > 0 && engine.verifyBulk()));
        } catch (IllegalStateException | WrongThreadException e) {
            throw region.accessLost(e, null, null);
        }
    }

    /**
     * Copies {@code length} bytes at {@code offset} into a segment; verified like
     * {@link #read(long, byte[], int, int)}.
     *
     * @param offset    first byte offset in the region
     * @param dst       destination segment, writable
     * @param dstOffset first byte offset written in {@code dst}
     * @param length    number of bytes
     * @throws IntegrityException   if a block read does not match its checksum; {@code dst} may then
     *                              hold part of the range
     * @throws StateException       ({@link ErrorCode#ARENA_CLOSED}) if the arena of {@code dst} is closed
     * @throws ConcurrencyException ({@link ErrorCode#WRONG_THREAD}) if {@code dst} is confined to another thread
     */
    public void read(long offset, MemorySegment dst, long dstOffset, long length) {
        enter(offset, length);
        Checks.segment(dstOffset, length, Checks.callersSegment(dst, "dst").byteSize());
        if (dst.isReadOnly()) {
            throw new ValidationException(ErrorCode.READ_ONLY_DESTINATION, "cannot read into a read-only segment");
        }
        try {
            throwIfCorrupt(engine.readInto(offset, dst, dstOffset, length, length > 0 && engine.verifyBulk()));
        } catch (IllegalStateException | WrongThreadException e) {
            throw region.accessLost(e, dst, "dst");
        }
    }

    // ---------------------------------------------------------------- bulk writes

    /**
     * Writes all of {@code src} at {@code offset}.
     *
     * @param offset first byte offset in the region
     * @param src    the bytes to write
     * @throws IntegrityException if a partially covered block was already corrupt (verified
     *                            merges only); nothing is written then
     */
    public void write(long offset, byte[] src) {
        write(offset, Checks.notNull(src, "src"), 0, src.length);
    }

    /**
     * Writes {@code src[srcOffset, srcOffset + length)} at {@code offset}, updating the checksums
     * of the blocks it touches in the same step. Fully covered blocks get the checksum of the
     * source bytes; partially covered blocks are merged (verified at {@code STANDARD} and up,
     * sampled at {@code SAMPLING}, never laundered). At {@code FULL}, the written blocks are read
     * back and checked.
     *
     * @param offset    first byte offset in the region
     * @param src       source array
     * @param srcOffset first index read from {@code src}
     * @param length    number of bytes
     * @throws IntegrityException if a partially covered block was already corrupt (nothing written),
     *                            or, with {@link ErrorCode#WRITE_VERIFICATION_FAILED}, if the
     *                            {@code FULL} read-back found the written blocks corrupt
     */
    public void write(long offset, byte[] src, int srcOffset, int length) {
        enterWrite(offset, length);
        Checks.array(srcOffset, length, Checks.notNull(src, "src").length);
        try {
            engine.write(offset, src, srcOffset, length);
        } catch (IllegalStateException | WrongThreadException e) {
            throw region.accessLost(e, null, null);
        }
        counted(length);
    }

    /**
     * Writes {@code length} bytes of a segment at {@code offset}; as
     * {@link #write(long, byte[], int, int)}. The source must not overlap this region.
     *
     * @param offset    first byte offset in the region
     * @param src       source segment
     * @param srcOffset first byte offset read from {@code src}
     * @param length    number of bytes
     * @throws IntegrityException   as {@link #write(long, byte[], int, int)}
     * @throws StateException       ({@link ErrorCode#ARENA_CLOSED}) if the arena of {@code src} is closed
     * @throws ConcurrencyException ({@link ErrorCode#WRONG_THREAD}) if {@code src} is confined to another thread
     */
    public void write(long offset, MemorySegment src, long srcOffset, long length) {
        enterWrite(offset, length);
        Checks.segment(srcOffset, length, Checks.callersSegment(src, "src").byteSize());
        try {
            engine.write(offset, src, srcOffset, length);
        } catch (IllegalStateException | WrongThreadException e) {
            throw region.accessLost(e, src, "src");
        }
        counted(length);
    }

    /**
     * Copies {@code length} bytes within the region, from {@code srcOffset} to {@code dstOffset},
     * as if through a temporary buffer (the ranges may overlap). At every checked level the whole
     * source is verified before any byte moves, and the destination's checksums come from that
     * verified copy.
     *
     * @param srcOffset first byte offset of the source range
     * @param dstOffset first byte offset of the destination range
     * @param length    number of bytes
     * @throws IntegrityException if the source, or a verified destination edge, is corrupt; nothing is moved
     *                            (unless corruption strikes the source while a copy of more than 16 KiB
     *                            is under way: the copy then stops at that 16 KiB chunk, the chunks
     *                            moved before it consistent with their checksums)
     */
    public void copyWithin(long srcOffset, long dstOffset, long length) {
        enterWrite(dstOffset, length);
        Checks.range(srcOffset, length, region.capacity);
        try {
            engine.copyWithin(srcOffset, dstOffset, length);
        } catch (IllegalStateException | WrongThreadException e) {
            throw region.accessLost(e, null, null);
        }
        counted(length);
    }

    /**
     * Sets {@code length} bytes at {@code offset} to {@code value}.
     *
     * @param offset first byte offset in the region
     * @param length number of bytes
     * @param value  the byte to store
     * @throws IntegrityException as {@link #write(long, byte[], int, int)}
     */
    public void fill(long offset, long length, byte value) {
        enterWrite(offset, length);
        try {
            engine.fill(offset, length, value);
        } catch (IllegalStateException | WrongThreadException e) {
            throw region.accessLost(e, null, null);
        }
        counted(length);
    }

    /**
     * Rewrites whole blocks from the caller's bytes: the recovery path after a reported
     * corruption. The blocks' old contents and checksums are neither read nor verified; their new
     * checksums come from {@code src} alone, and no other block is touched. The range starts at a
     * block boundary and ends at one or at the region's capacity, so a partial last block can be
     * rewritten too (its padding beyond the capacity is zeroed). Compare
     * {@link #setVerificationLevel} via {@code OFF}, which re-checksums the whole region from
     * memory and so absorbs every corruption in it.
     *
     * <pre>{@code
     * int blockSize = memory.provider().blockSize();
     * for (long b = memory.findCorruptBlock(0); b >= 0; b = memory.findCorruptBlock(b + 1)) {
     *     long start = b * blockSize;
     *     int length = (int) Math.min(blockSize, memory.provider().capacity() - start);
     *     memory.rewriteBlocks(start, backup, (int) start, length);   // from the caller's own copy
     * }
     * }</pre>
     *
     * @param offset    first byte offset in the region, a multiple of the block size
     * @param src       source array
     * @param srcOffset first index read from {@code src}
     * @param length    number of bytes; {@code offset + length} is a multiple of the block size or
     *                  the capacity
     * @throws ValidationException ({@link ErrorCode#BLOCK_MISALIGNED}) if the range is not made of
     *                             whole blocks; nothing is written
     * @throws IntegrityException  ({@link ErrorCode#WRITE_VERIFICATION_FAILED}) if the {@code FULL}
     *                             read-back found the rewritten blocks corrupt
     */
    public void rewriteBlocks(long offset, byte[] src, int srcOffset, int length) {
        enterWrite(offset, length);
        Checks.array(srcOffset, length, Checks.notNull(src, "src").length);
        region.checkWholeBlocks(offset, length);
        try {
            engine.rewriteBlocks(offset, src, srcOffset, length);
        } catch (IllegalStateException | WrongThreadException e) {
            throw region.accessLost(e, null, null);
        }
        counted(length);
    }

    // ---------------------------------------------------------------- slices

    /**
     * Borrows a read-only view of {@code [offset, offset + length)}, verified now (at
     * {@code STANDARD} and up, sampled at {@code SAMPLING}). Until the slice is closed, this
     * handler refuses writes ({@link ErrorCode#SLICES_OPEN}), so the view keeps showing verified
     * bytes. Any number of slices may be open at once.
     *
     * @param offset first byte offset in the region
     * @param length number of bytes
     * @return an open slice; close it, ideally with try-with-resources
     * @throws IntegrityException if a block of the range does not match its checksum
     */
    public Slice borrowSlice(long offset, long length) {
        // In steps, with the offset held by the slices' owner, for the reason given in
        // AtomicMemoryOps.borrowSlice: so that C1 inlines this method and the slice can be removed.
        return lend(slices.lendingAt(offset), length).slice(length);
    }

    /** Checks and verifies a slice of {@code length} bytes at the offset {@code owner} holds, and counts it. */
    private Slices lend(Slices owner, long length) {
        long offset = owner.lendingOffset;
        enter(offset, length);
        if (length > 0 && engine.verifyBulk()) {
            int shift = region.blockShift;
            throwIfCorrupt(offset >>> shift, ((offset + length - 1) >>> shift) + 1);
        }
        openSlices++;
        return owner;
    }

    /**
     * The handler's side of its slices: they may be read while the handler may, by its thread,
     * and are counted; {@link #revokeSlices()} retires the whole set.
     */
    private final class Slices implements SliceOwner {
        /** The offset of the slice being lent, from the start of a borrow to its slice's creation. */
        private long lendingOffset;
        /** Set when the slices of this set were revoked: they then read as closed. */
        private boolean revoked;

        /** Records the offset of the slice about to be lent, and returns this owner. */
        Slices lendingAt(long offset) {
            lendingOffset = offset;
            return this;
        }

        /** A slice of {@code length} bytes at the offset being lent, owned by this handler. */
        BorrowedSlice slice(long length) {
            return new BorrowedSlice(this, data, lendingOffset, length);
        }

        @Override
        public void checkSliceAccess() {
            region.checkAccess();
            checkThread();
        }

        @Override
        public void sliceClosed() {
            checkThread();
            openSlices--;
        }

        @Override
        public boolean lends() {
            return !revoked;
        }
    }

    /**
     * Closes every slice this handler has lent and not closed, wherever they are: the way out
     * when a slice was dropped without being closed, which would otherwise keep every write
     * refused with {@link ErrorCode#SLICES_OPEN}. A revoked slice reads as closed
     * ({@link Slice#isOpen()} is {@code false}; its reads fail with {@link ErrorCode#SLICE_CLOSED};
     * closing it again does nothing).
     *
     * <pre>{@code
     * try {
     *     memory.write(0, record);
     * } catch (StateException e) {
     *     if (e.code() != ErrorCode.SLICES_OPEN) throw e;
     *     memory.revokeSlices();                 // a slice leaked somewhere: take the region back
     *     memory.write(0, record);
     * }
     * }</pre>
     *
     * @return how many slices were open and are now revoked
     * @throws ConcurrencyException ({@link ErrorCode#WRONG_THREAD}) from a thread that does not own this handler
     */
    public int revokeSlices() {
        checkUsable();
        int revoked = openSlices;
        if (revoked != 0) {
            slices.revoked = true;
            slices = new Slices();
            openSlices = 0;
        }
        return revoked;
    }

    /**
     * Moves this handler, and the slices it has lent, to another thread: from now on only
     * {@code newOwner} may use them. Call it on the owning thread, then hand the handler to the
     * new thread through something that orders the two (an executor, a queue, {@code join}).
     *
     * <pre>{@code
     * SafeMemoryHandler memory = region.handler();   // owned by this thread
     * memory.write(0, initialState);
     * Thread worker = Thread.ofPlatform().unstarted(() -> serve(memory));
     * memory.transferOwnership(worker);
     * worker.start();                                 // start() orders the transfer before the worker's calls
     * }</pre>
     *
     * @param newOwner the thread that will use the handler
     * @throws ConcurrencyException ({@link ErrorCode#WRONG_THREAD}) from a thread that does not own
     *                              this handler, or if the region's arena is confined to a thread
     *                              other than {@code newOwner}
     */
    public void transferOwnership(Thread newOwner) {
        Checks.notNull(newOwner, "newOwner");
        checkUsable();
        if (region.confinedTo != null && region.confinedTo != newOwner) {
            throw Checks.wrongThread(region.confinedTo, "region '" + region.name + "'");
        }
        ownerThread = newOwner;
    }

    // ---------------------------------------------------------------- hand-over

    /**
     * Hands the region over to thread-safe access and retires this handler: every later call on it
     * that reads, writes, verifies or hands over fails with {@link ErrorCode#HANDLER_CONSUMED}
     * ({@link #provider()} and {@link #toString()} still answer). The region's contents, checksums, counters and
     * sampling sequence carry over. Writes through the result wait for the lock as long as it
     * takes; see {@link #intoAtomicOps(Duration)} to bound the wait.
     *
     * <pre>{@code
     * SafeMemoryHandler setup = region.handler();
     * setup.write(0, initialState);                 // single-threaded set-up
     * AtomicMemoryOps shared = setup.intoAtomicOps(); // from now on, many threads
     * }</pre>
     *
     * @return the region's thread-safe access
     * @throws StateException ({@link ErrorCode#SLICES_OPEN}) if slices of this handler are open;
     *                        the handler stays usable
     */
    public AtomicMemoryOps intoAtomicOps() {
        return intoAtomicOps(AtomicMemoryOps.WAIT_FOREVER);
    }

    /**
     * As {@link #intoAtomicOps()}, with a bound on how long any operation of the result waits for
     * the region's lock before failing with {@link ErrorCode#LOCK_TIMEOUT}.
     *
     * @param lockTimeout the longest wait, zero or more ({@code ZERO}: spin briefly, then fail);
     *                    {@link AtomicMemoryOps#WAIT_FOREVER} for no bound
     * @return the region's thread-safe access
     * @throws StateException      ({@link ErrorCode#SLICES_OPEN}) if slices of this handler are open
     * @throws ValidationException ({@link ErrorCode#INVALID_TIMEOUT}) if the timeout is negative
     */
    public AtomicMemoryOps intoAtomicOps(Duration lockTimeout) {
        long timeoutNanos = AtomicMemoryOps.timeoutNanos(lockTimeout);
        checkUsable();
        if (openSlices != 0) {
            throw slicesOpen();
        }
        consumed = true;
        region.handedOver();
        return new AtomicMemoryOps(region, engine.successor(), timeoutNanos);
    }

    // ---------------------------------------------------------------- integrity

    /**
     * Checks every block of the region against its checksum. At {@link VerificationLevel#OFF}
     * there are no checksums, so this checks nothing and returns.
     *
     * @throws IntegrityException naming the first corrupt block
     */
    public void verifyIntegrity() {
        checkUsable();
        throwIfCorrupt(0, region.blockCount());
    }

    /**
     * Checks the blocks that cover {@code [offset, offset + length)}: a scrubber can sweep a
     * large region a piece at a time. Checks nothing at {@link VerificationLevel#OFF}.
     *
     * @param offset first byte offset in the region
     * @param length number of bytes
     * @throws IntegrityException naming the first corrupt block of the range
     */
    public void verifyRange(long offset, long length) {
        enter(offset, length);
        if (length > 0) {
            int shift = region.blockShift;
            throwIfCorrupt(offset >>> shift, ((offset + length - 1) >>> shift) + 1);
        }
    }

    /**
     * Finds the next block, from {@code fromBlock} on, that does not match its checksum. Lists
     * every corrupt block without allocating:
     * <pre>{@code
     * for (long b = memory.findCorruptBlock(0); b >= 0; b = memory.findCorruptBlock(b + 1)) {
     *     repair(b);
     * }
     * }</pre>
     *
     * @param fromBlock the first block index to check, in {@code [0, blockCount()]}
     * @return the index of the first corrupt block at or after {@code fromBlock}, or {@code -1} if
     *         there is none (always {@code -1} at {@link VerificationLevel#OFF})
     */
    public long findCorruptBlock(long fromBlock) {
        checkUsable();
        long blocks = region.blockCount();
        Checks.range(fromBlock, 0, blocks);
        try {
            return region.level.keepsChecksums() ? engine.reported(engine.firstMismatch(fromBlock, blocks)) : -1;
        } catch (IllegalStateException | WrongThreadException e) {
            throw region.accessLost(e, null, null);
        }
    }

    /**
     * Changes the region's verification level. Moving from {@link VerificationLevel#OFF} to a
     * checked level rebuilds every checksum from the memory as it is now (O(region), explicit);
     * moving between checked levels costs nothing.
     *
     * @param level the new level
     */
    public void setVerificationLevel(VerificationLevel level) {
        Checks.notNull(level, "level");
        checkUsable();
        try {
            engine.changeLevel(level);
        } catch (IllegalStateException | WrongThreadException e) {
            throw region.accessLost(e, null, null);
        }
    }

    private void throwIfCorrupt(long fromBlock, long toBlock) {
        if (region.level.keepsChecksums()) {
            try {
                throwIfCorrupt(engine.firstMismatch(fromBlock, toBlock));
            } catch (IllegalStateException | WrongThreadException e) {
                throw region.accessLost(e, null, null);
            }
        }
    }

    private void throwIfCorrupt(long badBlock) {
        if (badBlock >= 0) {
            throw engine.corrupt(ErrorCode.CHECKSUM_MISMATCH, badBlock);
        }
    }

    // ---------------------------------------------------------------- scalars

    /**
     * Reads a byte; verified at {@code FULL} only.
     *
     * @param offset byte offset in the region
     * @return the byte
     */
    public byte getByte(long offset) {
        return (byte) getScalar(offset, Byte.BYTES);
    }

    /**
     * Reads a little-endian {@code short} at any alignment; verified at {@code FULL} only.
     *
     * @param offset byte offset in the region
     * @return the value
     */
    public short getShort(long offset) {
        return (short) getScalar(offset, Short.BYTES);
    }

    /**
     * Reads a little-endian {@code int} at any alignment; verified at {@code FULL} only.
     *
     * @param offset byte offset in the region
     * @return the value
     */
    public int getInt(long offset) {
        return (int) getScalar(offset, Integer.BYTES);
    }

    /**
     * Reads a little-endian {@code long} at any alignment; verified at {@code FULL} only.
     *
     * @param offset byte offset in the region
     * @return the value
     */
    public long getLong(long offset) {
        return getScalar(offset, Long.BYTES);
    }

    /**
     * Reads a little-endian {@code float} at any alignment; verified at {@code FULL} only.
     *
     * @param offset byte offset in the region
     * @return the value
     */
    public float getFloat(long offset) {
        return Float.intBitsToFloat(getInt(offset));
    }

    /**
     * Reads a little-endian {@code double} at any alignment; verified at {@code FULL} only.
     *
     * @param offset byte offset in the region
     * @return the value
     */
    public double getDouble(long offset) {
        return Double.longBitsToDouble(getLong(offset));
    }

    /**
     * Writes a byte; a one-byte write with its edge merge.
     *
     * @param offset byte offset in the region
     * @param value  the value
     */
    public void putByte(long offset, byte value) {
        enterWrite(offset, Byte.BYTES);
        scalar[0] = value;
        writeScalar(offset, Byte.BYTES);
    }

    /**
     * Writes a little-endian {@code short} at any alignment.
     *
     * @param offset byte offset in the region
     * @param value  the value
     */
    public void putShort(long offset, short value) {
        enterWrite(offset, Short.BYTES);
        LittleEndian.putShort(scalar, value);
        writeScalar(offset, Short.BYTES);
    }

    /**
     * Writes a little-endian {@code int} at any alignment.
     *
     * @param offset byte offset in the region
     * @param value  the value
     */
    public void putInt(long offset, int value) {
        enterWrite(offset, Integer.BYTES);
        LittleEndian.putInt(scalar, value);
        writeScalar(offset, Integer.BYTES);
    }

    /**
     * Writes a little-endian {@code long} at any alignment.
     *
     * @param offset byte offset in the region
     * @param value  the value
     */
    public void putLong(long offset, long value) {
        enterWrite(offset, Long.BYTES);
        LittleEndian.putLong(scalar, value);
        writeScalar(offset, Long.BYTES);
    }

    /**
     * Writes a little-endian {@code float} at any alignment.
     *
     * @param offset byte offset in the region
     * @param value  the value
     */
    public void putFloat(long offset, float value) {
        putInt(offset, Float.floatToRawIntBits(value));
    }

    /**
     * Writes a little-endian {@code double} at any alignment.
     *
     * @param offset byte offset in the region
     * @param value  the value
     */
    public void putDouble(long offset, double value) {
        putLong(offset, Double.doubleToRawLongBits(value));
    }

    /**
     * Reads {@code size} (1, 2, 4 or 8) bytes at {@code offset} as the low bytes of a
     * little-endian long (the rest is junk); verified at {@code FULL}, through the scalar scratch.
     */
    private long getScalar(long offset, int size) {
        enter(offset, size);
        try {
            if (region.level.verifiesScalarReads()) {
                throwIfCorrupt(engine.readInto(offset, scalar, 0, size, true));
                return LittleEndian.getLong(scalar);
            }
            return switch (size) {
                case Byte.BYTES -> data.get(ValueLayout.JAVA_BYTE, offset);
                case Short.BYTES -> data.get(LittleEndian.SHORT, offset);
                case Integer.BYTES -> data.get(LittleEndian.INT, offset);
                default -> data.get(LittleEndian.LONG, offset);
            };
        } catch (IllegalStateException | WrongThreadException e) {
            throw region.accessLost(e, null, null);
        }
    }

    /** Writes the scalar already in {@link #scalar}; the caller has checked the call ({@link #enterWrite}) before touching it. */
    private void writeScalar(long offset, int size) {
        try {
            engine.write(offset, scalar, 0, size);
        } catch (IllegalStateException | WrongThreadException e) {
            throw region.accessLost(e, null, null);
        }
        counted(size);
    }

    // ---------------------------------------------------------------- guards

    private void enter(long offset, long length) {
        checkUsable();
        Checks.range(offset, length, region.capacity);
    }

    private void enterWrite(long offset, long length) {
        enter(offset, length);
        if (openSlices != 0) {
            throw slicesOpen();
        }
    }

    private StateException slicesOpen() {
        return new StateException(ErrorCode.SLICES_OPEN,
                openSlices + " borrowed slice(s) of region '" + region.name + "' still open; close them first");
    }

    /** Throws unless the region may be used by this thread now and this handler still owns it. */
    private void checkUsable() {
        region.checkAccess();
        checkThread();
        checkNotConsumed();
    }

    private void checkThread() {
        if (Thread.currentThread() != ownerThread) {
            throw Checks.wrongThread(ownerThread, "the handler of region '" + region.name + "'");
        }
    }

    private void checkNotConsumed() {
        if (consumed) {
            throw new StateException(ErrorCode.HANDLER_CONSUMED,
                    "handler of region '" + region.name + "' was handed over by intoAtomicOps(); use the AtomicMemoryOps");
        }
    }

    private void counted(long bytes) {
        RegionCounters c = region.counters;
        c.writes++;
        c.bytesWritten += bytes;
    }

    /**
     * The region's name, level and counters.
     *
     * @return e.g. {@code SafeMemoryHandler[orders, STANDARD, writes=3, ...]}
     */
    @Override
    public String toString() {
        return "SafeMemoryHandler[" + region.name + ", " + region.level + ", " + region.counters + "]";
    }
}
