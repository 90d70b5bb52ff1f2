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
import java.time.Duration;
import java.util.List;

/**
 * Thread-safe access to a {@link CheckedRegion}: every write and the update of its checksums are
 * one atomic step, and readers read without locking. The Java form of the Rust
 * {@code AtomicMemoryOps}, which closed the window in which a bit flip landing between a write and
 * its checksum update is absorbed into a fresh checksum.
 *
 * <ul>
 *   <li><b>Writers</b> ({@code atomicWriteWithChecksum}, {@code atomicCopyWithin},
 *       {@code atomicFill}, the {@code put}s) take a spin lock whose word lives in the region's
 *       off-heap header, so one writer at a time changes data and checksums together. A waiting
 *       writer spins, then yields, then parks; with a lock timeout (see
 *       {@link CheckedRegion#intoAtomicOps(Duration)}) it gives up with
 *       {@link ErrorCode#LOCK_TIMEOUT} and writes nothing.</li>
 *   <li><b>Readers</b> ({@code read}, the {@code get}s, {@code verifyIntegrity}) never take the lock:
 *       a writer makes the header's sequence word odd while it works; a reader copies the bytes
 *       and checksums it needs, checks that the sequence did not move, and retries if it did
 *       (after a bounded number of retries it reads under the shared lock instead). It verifies
 *       the copy it returns, never memory read a second time. No reader and no verifier ever sees
 *       the data of one write with the checksums of another.</li>
 *   <li><b>Borrowed slices</b> hold a shared lock until closed: many borrowers at once, writers
 *       wait. A slice belongs to the thread that borrowed it; that thread may not write while it
 *       holds one ({@link ErrorCode#SLICES_OPEN}, instead of waiting for itself). If the thread
 *       ends without closing its slices, the next writer that waits for them gives their shares
 *       back; {@link #sliceHolders()} says which threads hold slices now.</li>
 * </ul>
 *
 * <p>The region's {@link VerificationLevel} applies as for a {@link SafeMemoryHandler}; at
 * {@link VerificationLevel#OFF} writes are still atomic, with no checksum work. Each operation
 * refuses bad input whole, with its {@link ErrorCode}, before taking any lock; an arena closed
 * while a call runs, the region's or that of the caller's segment, fails it with
 * {@link ErrorCode#ARENA_CLOSED}. After a thread's
 * first access (which sets up its scratch space, about 16 KiB), no operation allocates, whether it
 * retries, contends or waits; only {@link #borrowSlice(long, long)} creates one small object and
 * failures create their exception. That per-thread state lives as long as the thread and this
 * object both do: a thread that has ended leaves it behind only until the next thread's first
 * access or the next writer that waits (its counts are kept), and none of it outlives this object.
 *
 * <pre>{@code
 * AtomicMemoryOps memory = CheckedRegion.builder(arena, 1 << 20).build().intoAtomicOps();
 * // any thread:
 * memory.atomicWriteWithChecksum(4096, record);   // data and checksums change together
 * memory.putLong(0, sequenceNumber);
 * // any other thread, concurrently:
 * byte[] copy = new byte[record.length];
 * memory.read(4096, copy);                        // one whole write, verified, never torn
 * try (Slice view = memory.borrowSlice(4096, record.length)) {
 *     long id = view.getLong(0);                  // writers wait while the view is open
 * }
 * }</pre>
 */
public final class AtomicMemoryOps {

    /** The lock timeout meaning "wait as long as it takes". */
    public static final Duration WAIT_FOREVER = Duration.ofNanos(Long.MAX_VALUE);

    /** How this class names itself as a region's owner, in messages. */
    static final String OWNER = "an AtomicMemoryOps";

    /**
     * Spins on a running write plus failed validations an optimistic read allows itself before it
     * takes a reader's turn; measured by {@code ContendedBench} with {@link LockWord#STEP_ASIDE_NANOS}.
     */
    private static final int OPTIMISTIC_ROUNDS = 8;
    private static final int READ_ARRAY = 0;
    private static final int READ_SEGMENT = 1;
    private static final int SCAN_BLOCKS = 2;
    /** An array read whose blocks fit one {@link ChecksumEngine#snapshot}: copied in the window, verified after it. */
    private static final int READ_SNAPSHOT = 3;
    private static final int WRITE_ARRAY = 0;
    private static final int WRITE_SEGMENT = 1;
    private static final int COPY_WITHIN = 2;
    private static final int FILL = 3;
    private static final int PUT_SCALAR = 4;
    private static final int REWRITE_BLOCKS = 5;
    /** A change of the region's verification level: a step with no bytes, not counted as a write. */
    private static final int SET_LEVEL = 6;
    /** What {@link #readConsistent} returns when it had to lock and the lock was not free in time. */
    private static final long TIMED_OUT = Long.MIN_VALUE;

    private final CheckedRegion region;
    private final MemorySegment data;
    private final ChecksumEngine writer;
    private final LockWord lock;
    private final SequenceWord sequence;
    private final long timeoutNanos;
    /** Each thread's {@link ReaderContext}, bounded by the threads alive. */
    private final ReaderRegistry readers;

    /**
     * @param writer the engine of the thread holding the writers' lock: the region's own, used by
     *               no other owner
     */
    AtomicMemoryOps(CheckedRegion region, ChecksumEngine writer, long timeoutNanos) {
        this.region = region;
        this.data = region.data;
        this.writer = writer;
        this.lock = new LockWord(region.header, CheckedRegion.LOCK_WORD_OFFSET, this::reclaimAbandonedShares);
        this.sequence = new SequenceWord(region.header, CheckedRegion.SEQUENCE_OFFSET);
        this.timeoutNanos = timeoutNanos;
        this.readers = new ReaderRegistry(region, lock);
    }

    /** For the lock: gives back the shares of threads that ended holding slices. */
    private boolean reclaimAbandonedShares() {
        return readers.reclaimAbandonedShares();
    }

    /** Converts a lock timeout, saturating at {@link Long#MAX_VALUE} nanoseconds (no bound). */
    static long timeoutNanos(Duration timeout) {
        Checks.notNull(timeout, "lockTimeout");
        if (timeout.isNegative()) {
            throw new ValidationException(ErrorCode.INVALID_TIMEOUT, "lock timeout must be zero or more, was " + timeout);
        }
        return timeout.compareTo(WAIT_FOREVER) >= 0 ? Long.MAX_VALUE : timeout.toNanos();
    }

    /** This thread's reader context, set up on its first read (only reading threads take a sampling stream). */
    private ReaderContext reader() {
        return readers.current();
    }

    /**
     * The region this object gives access to.
     *
     * @return the region, for its geometry, level and statistics
     */
    public CheckedRegion provider() {
        return region;
    }

    /**
     * How long an operation waits for the region's lock before failing.
     *
     * @return the lock timeout; {@link #WAIT_FOREVER} when there is no bound
     */
    public Duration lockTimeout() {
        return timeoutNanos == Long.MAX_VALUE ? WAIT_FOREVER : Duration.ofNanos(timeoutNanos);
    }

    // ---------------------------------------------------------------- writes

    /**
     * Writes all of {@code src} at {@code offset}, with its checksums, as one atomic step.
     *
     * @param offset first byte offset in the region
     * @param src    the bytes to write
     * @throws IntegrityException   if a partially covered block was already corrupt (verified
     *                              merges only); nothing is written then
     * @throws ConcurrencyException ({@link ErrorCode#LOCK_TIMEOUT}) if the lock was not free in time
     */
    public void atomicWriteWithChecksum(long offset, byte[] src) {
        atomicWriteWithChecksum(offset, Checks.notNull(src, "src"), 0, src.length);
    }

    /**
     * Writes {@code src[srcOffset, srcOffset + length)} at {@code offset} and updates the checksums
     * of the blocks it touches, as one atomic step under the writers' lock. Fully covered blocks get
     * the checksum of the source bytes; partially covered blocks are merged (verified at
     * {@code STANDARD} and up, sampled at {@code SAMPLING}, never laundered). At {@code FULL} the
     * written blocks are read back and checked before the lock is released.
     *
     * @param offset    first byte offset in the region
     * @param src       source array
     * @param srcOffset first index read from {@code src}
     * @param length    number of bytes
     * @throws IntegrityException   if a partially covered block was already corrupt (nothing
     *                              written), or, with {@link ErrorCode#WRITE_VERIFICATION_FAILED},
     *                              if the {@code FULL} read-back found the written blocks corrupt
     * @throws StateException       ({@link ErrorCode#SLICES_OPEN}) if this thread holds a borrowed slice
     * @throws ConcurrencyException ({@link ErrorCode#LOCK_TIMEOUT}) if the lock was not free in time
     */
    public void atomicWriteWithChecksum(long offset, byte[] src, int srcOffset, int length) {
        enter(offset, length);
        Checks.array(srcOffset, length, Checks.notNull(src, "src").length);
        writeLocked(WRITE_ARRAY, offset, src, srcOffset, length, 0);
    }

    /**
     * Writes {@code length} bytes of a segment at {@code offset}; as
     * {@link #atomicWriteWithChecksum(long, byte[], int, int)}. The source must not overlap this
     * region.
     *
     * @param offset    first byte offset in the region
     * @param src       source segment
     * @param srcOffset first byte offset read from {@code src}
     * @param length    number of bytes
     * @throws IntegrityException   as {@link #atomicWriteWithChecksum(long, byte[], int, int)}
     * @throws StateException       ({@link ErrorCode#SLICES_OPEN}) if this thread holds a borrowed slice;
     *                              ({@link ErrorCode#ARENA_CLOSED}) if the arena of {@code src} is closed
     * @throws ConcurrencyException ({@link ErrorCode#LOCK_TIMEOUT}) if the lock was not free in time;
     *                              ({@link ErrorCode#WRONG_THREAD}) if {@code src} is confined to another thread
     */
    public void atomicWriteWithChecksum(long offset, MemorySegment src, long srcOffset, long length) {
        enter(offset, length);
        Checks.segment(srcOffset, length, Checks.callersSegment(src, "src").byteSize());
        writeLocked(WRITE_SEGMENT, offset, src, srcOffset, length, 0);
    }

    /**
     * Copies {@code length} bytes within the region as one atomic step, as if through a temporary
     * buffer (the ranges may overlap). At every checked level the whole source is verified before
     * any byte moves, and the destination's checksums come from that verified copy.
     *
     * @param srcOffset first byte offset of the source range
     * @param dstOffset first byte offset of the destination range
     * @param length    number of bytes
     * @throws IntegrityException   if the source, or a verified destination edge, is corrupt; nothing is moved
     *                              (unless corruption strikes the source while a copy of more than 16 KiB
     *                              is under way: the copy then stops at that 16 KiB chunk, the chunks
     *                              moved before it consistent with their checksums)
     * @throws StateException       ({@link ErrorCode#SLICES_OPEN}) if this thread holds a borrowed slice
     * @throws ConcurrencyException ({@link ErrorCode#LOCK_TIMEOUT}) if the lock was not free in time
     */
    public void atomicCopyWithin(long srcOffset, long dstOffset, long length) {
        enter(dstOffset, length);
        Checks.range(srcOffset, length, region.capacity);
        writeLocked(COPY_WITHIN, dstOffset, null, srcOffset, length, 0);
    }

    /**
     * Sets {@code length} bytes at {@code offset} to {@code value}, as one atomic step.
     *
     * @param offset first byte offset in the region
     * @param length number of bytes
     * @param value  the byte to store
     * @throws IntegrityException   as {@link #atomicWriteWithChecksum(long, byte[], int, int)}
     * @throws StateException       ({@link ErrorCode#SLICES_OPEN}) if this thread holds a borrowed slice
     * @throws ConcurrencyException ({@link ErrorCode#LOCK_TIMEOUT}) if the lock was not free in time
     */
    public void atomicFill(long offset, long length, byte value) {
        enter(offset, length);
        writeLocked(FILL, offset, null, 0, length, value);
    }

    /**
     * Writes a byte, with its block's checksum, as one atomic step.
     *
     * @param offset byte offset in the region
     * @param value  the value
     * @throws ConcurrencyException ({@link ErrorCode#LOCK_TIMEOUT}) if the lock was not free in time
     */
    public void putByte(long offset, byte value) {
        putScalar(offset, value, Byte.BYTES);
    }

    /**
     * Writes a little-endian {@code short} at any alignment, as one atomic step.
     *
     * @param offset byte offset in the region
     * @param value  the value
     * @throws ConcurrencyException ({@link ErrorCode#LOCK_TIMEOUT}) if the lock was not free in time
     */
    public void putShort(long offset, short value) {
        putScalar(offset, value, Short.BYTES);
    }

    /**
     * Writes a little-endian {@code int} at any alignment, as one atomic step.
     *
     * @param offset byte offset in the region
     * @param value  the value
     * @throws ConcurrencyException ({@link ErrorCode#LOCK_TIMEOUT}) if the lock was not free in time
     */
    public void putInt(long offset, int value) {
        putScalar(offset, value, Integer.BYTES);
    }

    /**
     * Writes a little-endian {@code long} at any alignment, as one atomic step.
     *
     * @param offset byte offset in the region
     * @param value  the value
     * @throws ConcurrencyException ({@link ErrorCode#LOCK_TIMEOUT}) if the lock was not free in time
     */
    public void putLong(long offset, long value) {
        putScalar(offset, value, Long.BYTES);
    }

    /**
     * Writes a little-endian {@code float} at any alignment, as one atomic step.
     *
     * @param offset byte offset in the region
     * @param value  the value
     * @throws ConcurrencyException ({@link ErrorCode#LOCK_TIMEOUT}) if the lock was not free in time
     */
    public void putFloat(long offset, float value) {
        putScalar(offset, Float.floatToRawIntBits(value), Integer.BYTES);
    }

    /**
     * Writes a little-endian {@code double} at any alignment, as one atomic step.
     *
     * @param offset byte offset in the region
     * @param value  the value
     * @throws ConcurrencyException ({@link ErrorCode#LOCK_TIMEOUT}) if the lock was not free in time
     */
    public void putDouble(long offset, double value) {
        putScalar(offset, Double.doubleToRawLongBits(value), Long.BYTES);
    }

    /** Writes the low {@code size} bytes of {@code bits}, little-endian. */
    private void putScalar(long offset, long bits, int size) {
        enter(offset, size);
        writeLocked(PUT_SCALAR, offset, null, 0, size, bits);
    }

    /**
     * Rewrites whole blocks from the caller's bytes, as one atomic step: the recovery path after a
     * reported corruption. The blocks' old contents and checksums are neither read nor verified;
     * their new checksums come from {@code src} alone, and no other block is touched. The range
     * starts at a block boundary and ends at one or at the region's capacity, so a partial last
     * block can be rewritten too (its padding beyond the capacity is zeroed).
     *
     * <pre>{@code
     * long bad = memory.findCorruptBlock(0);
     * if (bad >= 0) {
     *     long start = bad * blockSize;
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
     * @throws ValidationException  ({@link ErrorCode#BLOCK_MISALIGNED}) if the range is not made of
     *                              whole blocks; nothing is written
     * @throws IntegrityException   ({@link ErrorCode#WRITE_VERIFICATION_FAILED}) if the {@code FULL}
     *                              read-back found the rewritten blocks corrupt
     * @throws StateException       ({@link ErrorCode#SLICES_OPEN}) if this thread holds a borrowed slice
     * @throws ConcurrencyException ({@link ErrorCode#LOCK_TIMEOUT}) if the lock was not free in time
     */
    public void rewriteBlocks(long offset, byte[] src, int srcOffset, int length) {
        enter(offset, length);
        Checks.array(srcOffset, length, Checks.notNull(src, "src").length);
        region.checkWholeBlocks(offset, length);
        writeLocked(REWRITE_BLOCKS, offset, src, srcOffset, length, 0);
    }

    /**
     * Changes the region's verification level, safely beside running readers and writers: the
     * change waits for the writers' lock and lands in one write's sequence window. Moving from
     * {@link VerificationLevel#OFF} to a checked level rebuilds every checksum from the memory as
     * it is then (O(region), explicit, in that same step); moving between checked levels, or to
     * {@code OFF}, costs nothing more.
     *
     * <p>Operations in flight: each one decides at its start, from the level then, whether it
     * verifies (and a {@code SAMPLING} read draws its sample then). A read that decided to verify
     * still verifies only if the consistent state it copies keeps checksums, so a change to
     * {@code OFF} under it never raises a false alarm; a read that decided not to verify does not
     * start verifying because the level rose meanwhile. Writes see one level from start to end.
     *
     * @param level the new level
     * @throws StateException       ({@link ErrorCode#SLICES_OPEN}) if this thread holds a borrowed slice
     * @throws ConcurrencyException ({@link ErrorCode#LOCK_TIMEOUT}) if the lock was not free in time
     */
    public void setVerificationLevel(VerificationLevel level) {
        Checks.notNull(level, "level");
        region.checkAccess();
        writeLocked(SET_LEVEL, 0, level, 0, 0, 0);
    }

    /**
     * The threads that hold borrowed slices of the region now: what a writer waiting for the lock
     * waits for. A thread that ended without closing its slices is listed (not alive) until the
     * next writer that waits, or the next thread that reads for the first time, gives its shares
     * back. The same threads are named in a write's {@link ErrorCode#LOCK_TIMEOUT} message.
     *
     * @return one entry per thread with open slices; empty when none are open
     */
    public List<SliceHolder> sliceHolders() {
        return readers.sliceHolders();
    }

    // ---------------------------------------------------------------- reads

    /**
     * Fills {@code dst} with the bytes at {@code offset}, as one consistent state; verified at
     * {@code STANDARD} and up (sampled at {@code SAMPLING}).
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
     * Copies {@code length} bytes at {@code offset} into {@code dst[dstOffset, dstOffset + length)}
     * without taking the lock: the copy is of one state of the region between two writes, and is
     * verified (at {@code STANDARD} and up, sampled at {@code SAMPLING}) against the checksums of
     * that same state. A write that races the copy makes the read start again.
     *
     * @param offset    first byte offset in the region
     * @param dst       destination array
     * @param dstOffset first index written in {@code dst}
     * @param length    number of bytes
     * @throws IntegrityException   if a block read does not match its checksum; {@code dst} may
     *                              then hold part of the range
     * @throws ConcurrencyException ({@link ErrorCode#LOCK_TIMEOUT}) if writes kept racing the read
     *                              and the shared lock was not free in time
     */
    public void read(long offset, byte[] dst, int dstOffset, int length) {
        enter(offset, length);
        Checks.array(dstOffset, length, Checks.notNull(dst, "dst").length);
        readBulk(READ_ARRAY, offset, dst, dstOffset, length);
    }

    /**
     * Copies {@code length} bytes at {@code offset} into a segment; as
     * {@link #read(long, byte[], int, int)}.
     *
     * @param offset    first byte offset in the region
     * @param dst       destination segment, writable, not overlapping this region
     * @param dstOffset first byte offset written in {@code dst}
     * @param length    number of bytes
     * @throws IntegrityException   if a block read does not match its checksum; {@code dst} may
     *                              then hold part of the range
     * @throws ConcurrencyException ({@link ErrorCode#LOCK_TIMEOUT}) as {@link #read(long, byte[], int, int)};
     *                              ({@link ErrorCode#WRONG_THREAD}) if {@code dst} is confined to another thread
     * @throws StateException       ({@link ErrorCode#ARENA_CLOSED}) if the arena of {@code dst} is closed
     */
    public void read(long offset, MemorySegment dst, long dstOffset, long length) {
        enter(offset, length);
        Checks.segment(dstOffset, length, Checks.callersSegment(dst, "dst").byteSize());
        if (dst.isReadOnly()) {
            throw new ValidationException(ErrorCode.READ_ONLY_DESTINATION, "cannot read into a read-only segment");
        }
        readBulk(READ_SEGMENT, offset, dst, dstOffset, length);
    }

    /**
     * A bulk read: one sampling decision, then a consistent copy. A read that times out takes its
     * decision back, so a refused read changes nothing, not even the sampling sequence.
     */
    private void readBulk(int kind, long offset, Object dst, long dstOffset, long length) {
        ReaderContext self = reader();
        boolean verify = length > 0 && self.engine.verifyBulk();
        if (kind == READ_ARRAY && self.engine.fitsSnapshot(offset, (int) length)) {
            kind = READ_SNAPSHOT;
        }
        long bad = readConsistent(self, kind, offset, dst, dstOffset, length, verify);
        if (bad == TIMED_OUT) {
            self.engine.retractBulkDecision(verify);
        }
        throwIfCorrupt(self, bad);
    }

    /**
     * Reads a byte without locking; verified at {@code FULL} only.
     *
     * @param offset byte offset in the region
     * @return the byte of one whole write
     */
    public byte getByte(long offset) {
        return (byte) getScalar(offset, Byte.BYTES);
    }

    /**
     * Reads a little-endian {@code short} at any alignment without locking; verified at {@code FULL} only.
     *
     * @param offset byte offset in the region
     * @return the value, never torn between two writes
     */
    public short getShort(long offset) {
        return (short) getScalar(offset, Short.BYTES);
    }

    /**
     * Reads a little-endian {@code int} at any alignment without locking; verified at {@code FULL} only.
     *
     * @param offset byte offset in the region
     * @return the value, never torn between two writes
     */
    public int getInt(long offset) {
        return (int) getScalar(offset, Integer.BYTES);
    }

    /**
     * Reads a little-endian {@code long} at any alignment without locking; verified at {@code FULL} only.
     *
     * @param offset byte offset in the region
     * @return the value, never torn between two writes
     */
    public long getLong(long offset) {
        return getScalar(offset, Long.BYTES);
    }

    /**
     * Reads a little-endian {@code float} at any alignment without locking; verified at {@code FULL} only.
     *
     * @param offset byte offset in the region
     * @return the value, never torn between two writes
     */
    public float getFloat(long offset) {
        return Float.intBitsToFloat(getInt(offset));
    }

    /**
     * Reads a little-endian {@code double} at any alignment without locking; verified at {@code FULL} only.
     *
     * @param offset byte offset in the region
     * @return the value, never torn between two writes
     */
    public double getDouble(long offset) {
        return Double.longBitsToDouble(getLong(offset));
    }

    /** Reads {@code size} bytes at {@code offset} as the low bytes of a little-endian long (the rest is junk). */
    private long getScalar(long offset, int size) {
        enter(offset, size);
        ReaderContext self = reader();
        byte[] bytes = self.engine.scalar;
        boolean verify = region.level.verifiesScalarReads();
        throwIfCorrupt(self, readConsistent(self, READ_SNAPSHOT, offset, bytes, 0, size, verify));
        return LittleEndian.getLong(bytes);
    }

    // ---------------------------------------------------------------- slices

    /**
     * Borrows a read-only view of {@code [offset, offset + length)}, verified now (at
     * {@code STANDARD} and up, sampled at {@code SAMPLING}), that holds a shared lock on the region
     * until closed: any number of threads may hold slices at once, and writers wait until all are
     * closed, so the view keeps showing verified bytes. Close it promptly, with try-with-resources,
     * on the thread that borrowed it (it is confined to that thread:
     * {@link ErrorCode#WRONG_THREAD} elsewhere). While this thread holds a slice its writes fail
     * with {@link ErrorCode#SLICES_OPEN}.
     *
     * @param offset first byte offset in the region
     * @param length number of bytes
     * @return an open slice
     * @throws IntegrityException   if a block of the range does not match its checksum; nothing stays held
     * @throws ConcurrencyException ({@link ErrorCode#LOCK_TIMEOUT}) if a writer kept the region longer
     *                              than the lock timeout
     */
    public Slice borrowSlice(long offset, long length) {
        // The offset waits in this thread's context while lend checks the range, so that this
        // method needs 4 stack slots, not 8 (new, dup, a receiver and two longs): C1 inlines a
        // callee only if its stack and extra locals stay within C1InlineStackLimit (5 on JDK 25,
        // counting a slot the JVM adds to every method). Inlined by C1, this method is never hot on
        // its own, so C2 never compiles it apart; C2 then inlines it and slice into the caller, and
        // escape analysis removes the slice. Refused by C1, it was compiled on its own with lend
        // inlined, was then "already compiled into a big method" for the caller, and its slice
        // was allocated: 40 B per borrow in 5 of 6 forks of borrowAndRead at FULL, 4 KiB.
        return lend(lenderAt(offset), length).slice(length);
    }

    /**
     * This thread's context, holding the offset of the slice it is about to lend (after the
     * region's access check, so that a thread that may not read creates no context).
     */
    private ReaderContext lenderAt(long offset) {
        region.checkAccess();
        return reader().lendingAt(offset);
    }

    /**
     * Takes a share of the lock for a slice of {@code length} bytes at the offset {@code self}
     * holds, and verifies it; the slice object is made by the caller, so that a slice used and
     * closed where it was borrowed need not be allocated at all (escape analysis takes it apart).
     *
     * @return this thread's context, now counting one more open slice
     */
    private ReaderContext lend(ReaderContext self, long length) {
        long offset = self.lendingOffset;
        Checks.range(offset, length, region.capacity);
        try {
            if (!acquireShared(self)) {
                throw timedOut("borrow a slice of");
            }
            if (length > 0 && self.engine.verifyBulk()) {
                verifyLent(self, offset, length);
            }
        } catch (IllegalStateException | WrongThreadException e) {
            throw region.accessLost(e, null, null);
        }
        self.openSlices++;
        return self;
    }

    /**
     * Verifies the blocks of a range a share was just taken for; gives the share back before
     * reporting a corrupt block, the one failure {@code firstMismatch} has (memory it reads can
     * only fail if the arena was closed meanwhile, and the lock word went with it).
     */
    private void verifyLent(ReaderContext self, long offset, long length) {
        int shift = region.blockShift;
        long verdict = self.engine.firstMismatch(offset >>> shift, ((offset + length - 1) >>> shift) + 1);
        if (verdict >= 0) {
            lock.releaseShared();
            throw self.engine.corrupt(ErrorCode.CHECKSUM_MISMATCH, verdict);
        }
    }

    // ---------------------------------------------------------------- integrity

    /**
     * Checks every block of the region against its checksum while writers go on: each stretch of
     * blocks is checked against one consistent snapshot of data and checksums, so a write in
     * progress is never mistaken for corruption, and real corruption is always reported. At
     * {@link VerificationLevel#OFF} there are no checksums, so this checks nothing.
     *
     * @throws IntegrityException naming the first corrupt block
     */
    public void verifyIntegrity() {
        region.checkAccess();
        throwIfCorruptIn(0, region.blockCount());
    }

    /**
     * Checks the blocks that cover {@code [offset, offset + length)}, as {@link #verifyIntegrity()}.
     *
     * @param offset first byte offset in the region
     * @param length number of bytes
     * @throws IntegrityException naming the first corrupt block of the range
     */
    public void verifyRange(long offset, long length) {
        enter(offset, length);
        if (length > 0) {
            int shift = region.blockShift;
            throwIfCorruptIn(offset >>> shift, ((offset + length - 1) >>> shift) + 1);
        }
    }

    /**
     * Finds the next block, from {@code fromBlock} on, that does not match its checksum, checked
     * as {@link #verifyIntegrity()} checks.
     *
     * @param fromBlock the first block index to check, in {@code [0, blockCount()]}
     * @return the index of the first corrupt block at or after {@code fromBlock}, or {@code -1} if
     *         there is none (always {@code -1} at {@link VerificationLevel#OFF})
     */
    public long findCorruptBlock(long fromBlock) {
        region.checkAccess();
        long blocks = region.blockCount();
        Checks.range(fromBlock, 0, blocks);
        ReaderContext self = reader();
        long bad = firstCorrupt(self, fromBlock, blocks);
        if (bad == TIMED_OUT) {
            throw timedOut("read");
        }
        return self.engine.reported(bad);
    }

    private void throwIfCorruptIn(long fromBlock, long toBlock) {
        ReaderContext self = reader();
        throwIfCorrupt(self, firstCorrupt(self, fromBlock, toBlock));
    }

    /** The first corrupt block in {@code [from, to)}, each chunk checked against one snapshot; or -1, or {@link #TIMED_OUT}. */
    private long firstCorrupt(ReaderContext self, long from, long to) {
        if (!region.level.keepsChecksums()) {
            return -1;
        }
        int perChunk = self.engine.blocksPerChunk();
        for (long b = from; b < to; b += perChunk) {
            long bad = readConsistent(self, SCAN_BLOCKS, b, null, 0, Math.min(perChunk, to - b), true);
            if (bad != -1) {
                return bad;
            }
        }
        return -1;
    }

    // ---------------------------------------------------------------- the protocol

    /**
     * Runs one read-only step ({@code kind}) against a consistent state: optimistically under a
     * sequence stamp, again if a write ran meanwhile, and under a share of the lock, in a reader's
     * turn, after {@value #OPTIMISTIC_ROUNDS} rounds of racing writes. Its verdict (the first corrupt block
     * found, or -1) is returned only from a run that saw one state; {@link #TIMED_OUT} if it had to
     * lock and the lock was not free in time. {@code verify} is the caller's decision, taken before
     * the run; it stands only if the state the run saw keeps checksums (the level, read inside the
     * window, changes only inside a writer's window: see {@link #setVerificationLevel}). The JDK's
     * refusal of an access, if the arena of the region or of a segment {@code dst} closed
     * meanwhile, becomes its coded exception.
     */
    private long readConsistent(ReaderContext self, int kind, long offset, Object dst, long dstOffset, long length,
                                boolean verify) {
        try {
            return readConsistentRaw(self, kind, offset, dst, dstOffset, length, verify);
        } catch (IllegalStateException | WrongThreadException e) {
            throw region.accessLost(e, dst, "dst");
        }
    }

    /** {@link #readConsistent}, the JDK's exceptions as they are. */
    private long readConsistentRaw(ReaderContext self, int kind, long offset, Object dst, long dstOffset, long length,
                                   boolean verify) {
        for (int round = 0; round < OPTIMISTIC_ROUNDS; round++) {
            long stamp = sequence.stamp();
            if (SequenceWord.isWriting(stamp)) {
                Thread.onSpinWait();
                continue;
            }
            boolean checked = verify && region.level.keepsChecksums();
            long bad = step(self.engine, kind, offset, dst, dstOffset, length, checked);
            if (sequence.validate(stamp)) {
                return finish(self.engine, kind, offset, dst, dstOffset, length, checked, bad);
            }
            self.counters.readRetries++;
        }
        if (!beginLockedRead(self)) {
            return TIMED_OUT;
        }
        long bad;
        boolean checked;
        try {
            self.counters.lockedReads++;
            checked = verify && region.level.keepsChecksums();
            bad = step(self.engine, kind, offset, dst, dstOffset, length, checked);
        } finally {
            endLockedRead(self);
        }
        return finish(self.engine, kind, offset, dst, dstOffset, length, checked, bad);
    }

    /**
     * What a read-only step found, once its copy is known to be of one state: a snapshot is
     * verified now, outside the window; every other kind verified inside it.
     */
    private static long finish(ChecksumEngine engine, int kind, long offset, Object dst, long dstOffset, long length,
                               boolean verify, long bad) {
        return kind == READ_SNAPSHOT && verify ? engine.checkSnapshot(offset, (byte[]) dst, (int) dstOffset, (int) length) : bad;
    }

    /** One read-only step; for {@link #SCAN_BLOCKS}, {@code offset} and {@code length} count blocks. */
    private static long step(ChecksumEngine engine, int kind, long offset, Object dst, long dstOffset, long length,
                             boolean verify) {
        return switch (kind) {
            case READ_ARRAY -> engine.readInto(offset, (byte[]) dst, (int) dstOffset, (int) length, verify);
            case READ_SNAPSHOT -> {
                engine.snapshot(offset, (byte[]) dst, (int) dstOffset, (int) length, verify);
                yield -1;
            }
            case READ_SEGMENT -> engine.readInto(offset, (MemorySegment) dst, dstOffset, length, verify);
            default -> verify ? engine.firstMismatch(offset, offset + length) : -1;
        };
    }

    /**
     * Runs one write step ({@code kind}) as one atomic step: under the writers' lock, with the
     * sequence odd from before its first store to after its last, counted only if it completes.
     * Array writes, scalars and fills are staged first (edges verified, every checksum computed)
     * while the sequence is still even, so readers are held off only while bytes are stored; the
     * {@code FULL} read-back runs after the sequence is even again, still under the lock.
     * Arguments are checked by the caller; {@code value} is a fill's byte or a scalar's bits. The
     * JDK's refusal of an access, if the arena of the region or of a segment {@code src} closed
     * meanwhile (in the step, or in a {@code finally} that then touched the closed memory), becomes
     * its coded exception.
     */
    private void writeLocked(int kind, long offset, Object src, long srcOffset, long length, long value) {
        try {
            writeLockedRaw(kind, offset, src, srcOffset, length, value);
        } catch (IllegalStateException | WrongThreadException e) {
            throw region.accessLost(e, src, "src");
        }
    }

    /** {@link #writeLocked}, the JDK's exceptions as they are. */
    private void writeLockedRaw(int kind, long offset, Object src, long srcOffset, long length, long value) {
        if (!lock.tryAcquireExclusive()) {
            waitForWriteLock();
        }
        try {
            boolean staged = true;
            switch (kind) {
                case WRITE_ARRAY -> writer.stageWrite(offset, (byte[]) src, (int) srcOffset, (int) length);
                case FILL -> writer.stageFill(offset, length, (byte) value);
                case PUT_SCALAR -> {
                    LittleEndian.putLong(writer.scalar, value);
                    writer.stageWrite(offset, writer.scalar, 0, (int) length);
                }
                default -> staged = false;
            }
            long odd = sequence.beginWrite();
            try {
                switch (kind) {
                    case WRITE_SEGMENT -> writer.write(offset, (MemorySegment) src, srcOffset, length);
                    case COPY_WITHIN -> writer.copyWithin(srcOffset, offset, length);
                    case REWRITE_BLOCKS -> writer.rewriteBlocks(offset, (byte[]) src, (int) srcOffset, (int) length);
                    case SET_LEVEL -> writer.changeLevel((VerificationLevel) src);
                    default -> writer.land();
                }
            } finally {
                sequence.endWrite(odd);
            }
            if (staged) {
                writer.readBack(offset, offset + length);
            }
            if (kind != SET_LEVEL) {
                RegionCounters c = region.counters;
                c.writes++;
                c.bytesWritten += length;
            }
        } finally {
            lock.releaseExclusive();
        }
    }

    /**
     * The slow path of taking the writers' lock. A thread that holds slices would wait for itself,
     * so it is refused.
     */
    private void waitForWriteLock() {
        ReaderContext self = readers.find(Thread.currentThread());
        if (self != null && self.openSlices != 0) {
            throw new StateException(ErrorCode.SLICES_OPEN, "this thread holds " + self.openSlices
                    + " borrowed slice(s) of region '" + region.name + "'; close them before writing");
        }
        if (!lock.acquireExclusive(timeoutNanos)) {
            throw timedOut("write", sliceHolders());
        }
    }

    /**
     * Takes a share for a read that lost its races: a reader's turn (see
     * {@link LockWord#beginReadersTurn(long)}), or, for a thread holding slices, one more share at
     * once; {@code false} if it was not free in time.
     */
    private boolean beginLockedRead(ReaderContext self) {
        if (self.openSlices != 0) {
            lock.addShared();
            return true;
        }
        return lock.beginReadersTurn(timeoutNanos);
    }

    /** Ends what {@link #beginLockedRead} began. */
    private void endLockedRead(ReaderContext self) {
        if (self.openSlices != 0) {
            lock.releaseShared();
        } else {
            lock.endReadersTurn();
        }
    }

    /** Takes a share of the lock for this thread; {@code false} if it was not free in time. */
    private boolean acquireShared(ReaderContext self) {
        if (self.openSlices != 0) {
            lock.addShared();
            return true;
        }
        return lock.acquireShared(timeoutNanos);
    }

    private ConcurrencyException timedOut(String what) {
        return timedOut(what, List.of());
    }

    /** The timeout error, naming the threads that held slices then (a writer waits for every one). */
    private ConcurrencyException timedOut(String what, List<SliceHolder> holders) {
        StringBuilder message = new StringBuilder("could not ").append(what).append(" region '").append(region.name)
                .append("': its lock was not free within ").append(lockTimeout());
        for (SliceHolder holder : holders) {
            message.append("; ").append(holder.openSlices()).append(" slice(s) held by thread '")
                    .append(holder.threadName()).append("' (id ").append(holder.threadId())
                    .append(holder.threadAlive() ? ", alive)" : ", ended)");
        }
        return new ConcurrencyException(ErrorCode.LOCK_TIMEOUT, message.toString());
    }

    // ---------------------------------------------------------------- guards

    private void enter(long offset, long length) {
        region.checkAccess();
        Checks.range(offset, length, region.capacity);
    }

    /** Turns a read's verdict into its exception, if any. */
    private void throwIfCorrupt(ReaderContext self, long verdict) {
        if (verdict == TIMED_OUT) {
            throw timedOut("read");
        }
        if (verdict >= 0) {
            throw self.engine.corrupt(ErrorCode.CHECKSUM_MISMATCH, verdict);
        }
    }

    /**
     * The region's name, level and counters.
     *
     * @return e.g. {@code AtomicMemoryOps[orders, STANDARD, writes=3, ...]}
     */
    @Override
    public String toString() {
        return "AtomicMemoryOps[" + region.name + ", " + region.level + ", " + region.counters + "]";
    }
}
