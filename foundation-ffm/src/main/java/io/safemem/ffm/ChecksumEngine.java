package io.safemem.ffm;

import io.safemem.ErrorCode;
import io.safemem.IntegrityException;
import io.safemem.VerificationLevel;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.zip.CRC32C;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * Moves bytes in and out of one {@link CheckedRegion} and keeps its per-block CRC32C table right.
 * One engine serves one thread at a time: it owns the scratch arrays, the CRC32C state, a sampling
 * gate and a set of counters, so after construction no operation allocates. A handler has one;
 * {@link AtomicMemoryOps} has one for the writer holding the lock and one per reading thread.
 *
 * <h2>Reads report, they do not throw</h2>
 * {@link #readInto} and {@link #firstMismatch} return the first corrupt block (or -1) and count
 * nothing as a failure, because an optimistic reader may have copied a torn state: only its
 * caller knows whether the verdict stands, and then throws {@link #corrupt}, which counts it.
 *
 * <h2>Where a new checksum comes from (invariant I1: no laundering)</h2>
 * A block's new checksum is derived from one of three things, never from a second, unverified
 * read of memory:
 * <ul>
 *   <li>the caller's source bytes, for blocks a write covers entirely;</li>
 *   <li>a copy of the block read once, verified against its stored checksum, patched with the
 *       source bytes and checksummed again, for a partially covered (edge) block whose merge is
 *       verified;</li>
 *   <li>the old checksum and the change, for an edge block whose merge is not verified
 *       ({@code SAMPLING} skipped it): CRC32C is affine, so for the old bytes {@code a} and the new
 *       bytes {@code b} of the rewritten range, followed by {@code m} untouched bytes,
 *       {@code crc(new) = crc(old) ^ crc(a || 0^m) ^ crc(b || 0^m)}. Only the bytes being
 *       replaced are read; any earlier corruption of them or of the rest of the block stays in
 *       the checksum's disagreement with memory, where a later verification finds it.</li>
 * </ul>
 * Copy sources are always verified: their bytes become checksums of the destination.
 *
 * <h2>Cost (invariant I3)</h2>
 * A write checksums the bytes it writes plus at most one block at each unaligned edge, and reads
 * back only its own blocks at {@code FULL}; a read verifies only the blocks it touches, one
 * CRC32C per block, each against its own checksum. Nothing is proportional to the region's size
 * except the explicit whole-region checks.
 */
final class ChecksumEngine {

    /** Zero padding for the unverified merge; long enough for the largest block. Only ever read. */
    static final byte[] ZEROS = new byte[CheckedRegion.MAX_BLOCK_SIZE];
    /** Staging area size: sources and destinations that are segments, copies and fills move through it. */
    private static final int MIN_STAGING_BYTES = 16 * 1024;

    private final CheckedRegion region;
    private final MemorySegment data;
    private final MemorySegment checksums;
    private final RegionCounters counters;
    private final SamplingGate gate;
    /** Scratch for one scalar on its way in or out: at most 8 bytes, little-endian. */
    final byte[] scalar = new byte[Long.BYTES];
    private final int shift;
    private final int blockSize;
    private final long mask;
    private final int stagingShift;
    private final CRC32C crc = new CRC32C();
    private final byte[] head;
    private final byte[] tail;
    private final byte[] staging;
    /** Checksums of up to {@link #blocksPerChunk()} blocks, moved to or from the table in one copy. */
    private final int[] sums;
    /** The write between {@link #stage} and {@link #land()}: its range, source and new checksums. */
    private long stagedOff;
    private long stagedLen;
    private byte[] stagedSrc;
    private int stagedSrcOff;
    private boolean stagedRepeat;
    private int stagedFull;
    private int headSum;
    private int tailSum;
    private int lastExpected;
    private int lastActual;

    /**
     * @param counters the counters this engine bumps (its owner's own set)
     * @param gateSeed the seed of this engine's sampling sequence
     */
    ChecksumEngine(CheckedRegion region, RegionCounters counters, long gateSeed) {
        this(region, counters, new SamplingGate(region.samplingRate, gateSeed));
    }

    private ChecksumEngine(CheckedRegion region, RegionCounters counters, SamplingGate gate) {
        this.region = region;
        this.data = region.data;
        this.checksums = region.checksums;
        this.counters = counters;
        this.gate = gate;
        this.shift = region.blockShift;
        this.blockSize = 1 << shift;
        this.mask = blockSize - 1;
        this.head = new byte[blockSize];
        this.tail = new byte[blockSize];
        this.staging = new byte[Math.max(blockSize, MIN_STAGING_BYTES)];
        this.stagingShift = Integer.numberOfTrailingZeros(staging.length);
        this.sums = new int[staging.length >>> shift];
    }

    /**
     * A new engine for the region's next owner: it bumps the same counters and continues this
     * engine's sampling sequence, with scratch of its own, so that two owners never share mutable
     * scratch (a retired owner's refused call cannot touch what the new owner stores).
     */
    ChecksumEngine successor() {
        return new ChecksumEngine(region, counters, gate.copy());
    }

    /** The CRC32C of {@code length} zero bytes: the checksum of every block of a fresh region. */
    static int crcOfZeros(int length) {
        CRC32C c = new CRC32C();
        c.update(ZEROS, 0, length);
        return (int) c.getValue();
    }

    // ---------------------------------------------------------------- decisions

    /**
     * Decides whether one bulk read, slice borrow or write's edge merges are verified: always at
     * {@code STANDARD} and {@code FULL}, a sampled fraction at {@code SAMPLING} (each skip
     * counted), never at {@code OFF}. Drawn only where there is something to verify.
     */
    boolean verifyBulk() {
        VerificationLevel level = region.level;
        if (level.verifiesEveryBulkAccess()) {
            return true;
        }
        if (level == VerificationLevel.SAMPLING) {
            if (gate.sample()) {
                return true;
            }
            counters.sampledSkips++;
        }
        return false;
    }

    /**
     * Takes back the last {@link #verifyBulk()} decision, for an access that then did not happen:
     * the sample drawn, and the skip counted if it was one.
     */
    void retractBulkDecision(boolean verified) {
        if (region.level == VerificationLevel.SAMPLING) {
            gate.retract();
            if (!verified) {
                counters.sampledSkips--;
            }
        }
    }

    // ---------------------------------------------------------------- reads

    /**
     * Whether a read of {@code [off, off + len)} can be {@link #snapshot snapshotted}: its blocks'
     * checksums fit {@link #sums}.
     */
    boolean fitsSnapshot(long off, int len) {
        return len == 0 || ((off + len - 1) >>> shift) - (off >>> shift) < sums.length;
    }

    /**
     * The part of a read that must see one state, and nothing more, so that a racing write
     * spoils as little as possible (the {@code StampedLock} idiom). Without {@code verify}, copies
     * {@code [off, off + len)} into {@code dst}. With it, copies the wholly wanted blocks into
     * {@code dst}, the partially wanted edge blocks whole into scratch, and the checksums of every
     * block touched into {@link #sums}; verifies nothing: {@link #checkSnapshot} does that once the
     * copy is known to be of one state, and takes the edge bytes from the copies it verified.
     */
    void snapshot(long off, byte[] dst, int dstOff, int len, boolean verify) {
        if (!verify || len == 0) {
            MemorySegment.copy(data, JAVA_BYTE, off, dst, dstOff, len);
            return;
        }
        if (isWholeBlocks(off, len)) {
            loadSums(off >>> shift, len >>> shift);
            MemorySegment.copy(data, JAVA_BYTE, off, dst, dstOff, len);
            return;
        }
        long end = off + len;
        long first = off >>> shift;
        long last = (end - 1) >>> shift;
        long innerStart = (off + mask) & ~mask;
        long innerEnd = end & ~mask;
        loadSums(first, (int) (last - first + 1));
        if (innerStart < innerEnd) {
            MemorySegment.copy(data, JAVA_BYTE, innerStart, dst, dstOff + (int) (innerStart - off), (int) (innerEnd - innerStart));
        }
        if (hasHeadEdge(off, end)) {
            MemorySegment.copy(data, JAVA_BYTE, first << shift, head, 0, blockSize);
        }
        if (hasTailEdge(off, end)) {
            MemorySegment.copy(data, JAVA_BYTE, last << shift, tail, 0, blockSize);
        }
    }

    /**
     * Whether {@code [off, off + len)} is made of whole blocks: the common case, which
     * {@link #snapshot} and {@link #checkSnapshot} serve without their edge logic (a third of a
     * 64-byte read's time before; see the README's benchmarks).
     */
    private boolean isWholeBlocks(long off, long len) {
        return ((off | len) & mask) == 0;
    }

    /** Whether the first block of {@code [off, end)} is only partly wanted. */
    private boolean hasHeadEdge(long off, long end) {
        return (off & mask) != 0 || (end & mask) != 0 && (off >>> shift) == ((end - 1) >>> shift);
    }

    /** Whether the last block of {@code [off, end)} is only partly wanted and is not also its first. */
    private boolean hasTailEdge(long off, long end) {
        return (end & mask) != 0 && (off >>> shift) != ((end - 1) >>> shift);
    }

    /**
     * Checks a read {@link #snapshot snapshotted} with {@code verify}: each block of the copy
     * against the checksum copied with it (edge blocks as copied whole into scratch).
     *
     * @return the first block found corrupt, or -1
     */
    long checkSnapshot(long off, byte[] dst, int dstOff, int len) {
        if (len == 0) {
            return -1;
        }
        if (isWholeBlocks(off, len)) {
            return mismatchAgainstSums(off >>> shift, len >>> shift, 0, dst, dstOff);
        }
        long end = off + len;
        long first = off >>> shift;
        long last = (end - 1) >>> shift;
        long innerStart = (off + mask) & ~mask;
        long innerEnd = end & ~mask;
        if (hasHeadEdge(off, end)) {
            if (mismatchAgainstSums(first, 1, 0, head, 0) >= 0) {
                return first;
            }
            System.arraycopy(head, (int) (off & mask), dst, dstOff, (int) (Math.min(end, (first + 1) << shift) - off));
        }
        if (innerStart < innerEnd) {
            long bad = mismatchAgainstSums(innerStart >>> shift, (int) ((innerEnd - innerStart) >>> shift),
                    (int) ((innerStart >>> shift) - first), dst, dstOff + (int) (innerStart - off));
            if (bad >= 0) {
                return bad;
            }
        }
        if (hasTailEdge(off, end)) {
            if (mismatchAgainstSums(last, 1, (int) (last - first), tail, 0) >= 0) {
                return last;
            }
            System.arraycopy(tail, 0, dst, dstOff + (int) (innerEnd - off), (int) (end - innerEnd));
        }
        return -1;
    }

    /**
     * Copies {@code [off, off + len)} into {@code dst}; when {@code verify}, checks the copy, not
     * memory, a {@link #snapshot} at a time: whole blocks are checksummed where they land in
     * {@code dst}, edge blocks are read whole into scratch, checked there, and the wanted bytes
     * taken from that same copy. Stops at the first block that does not match, leaving
     * {@code dst} holding part of the range.
     *
     * @return the first block found corrupt, or -1
     */
    long readInto(long off, byte[] dst, int dstOff, int len, boolean verify) {
        if (!verify || len == 0) {
            MemorySegment.copy(data, JAVA_BYTE, off, dst, dstOff, len);
            return -1;
        }
        long end = off + len;
        for (long p = off, q; p < end; p = q) {
            q = chunkEnd(p, end);
            int at = dstOff + (int) (p - off);
            snapshot(p, dst, at, (int) (q - p), true);
            long bad = checkSnapshot(p, dst, at, (int) (q - p));
            if (bad >= 0) {
                return bad;
            }
        }
        return -1;
    }

    /**
     * As {@link #readInto(long, byte[], int, int, boolean)}, into a segment; verified bytes move
     * through staging a chunk at a time.
     *
     * @return the first block found corrupt, or -1
     */
    long readInto(long off, MemorySegment dst, long dstOff, long len, boolean verify) {
        if (!verify || len == 0) {
            MemorySegment.copy(data, off, dst, dstOff, len);
            return -1;
        }
        long end = off + len;
        for (long p = off, q; p < end; p = q) {
            q = chunkEnd(p, end);
            long bad = readInto(p, staging, 0, (int) (q - p), true);
            if (bad >= 0) {
                return bad;
            }
            MemorySegment.copy(staging, 0, dst, JAVA_BYTE, dstOff + (p - off), (int) (q - p));
        }
        return -1;
    }

    // ---------------------------------------------------------------- writes

    /** Writes {@code src[srcOff, srcOff + len)} at {@code off}. */
    void write(long off, byte[] src, int srcOff, int len) {
        stageWrite(off, src, srcOff, len);
        land();
        readBack(off, off + len);
    }

    /**
     * Phase 1 of writing {@code src[srcOff, srcOff + len)} at {@code off}: verifies what must be
     * verified and computes every new checksum, changing nothing; {@link #land()} then stores.
     * {@link AtomicMemoryOps} runs this before it makes the sequence odd, so readers are held off
     * only while bytes are stored.
     */
    void stageWrite(long off, byte[] src, int srcOff, int len) {
        stage(off, len, src, srcOff, false, len > 0 && verifyEdges(off, off + len));
    }

    /** Phase 1 of setting {@code len} bytes at {@code off} to {@code value}; as {@link #stageWrite}. */
    void stageFill(long off, long len, byte value) {
        if (len > 0) {
            Arrays.fill(staging, 0, (int) Math.min(staging.length, Math.max(len, blockSize)), value);
        }
        stage(off, len, staging, 0, true, len > 0 && verifyEdges(off, off + len));
    }

    /**
     * Writes {@code len} bytes of a segment at {@code off}. With checksums, the bytes move through
     * staging in chunks whose boundaries are block boundaries of the destination, so only the
     * first and last chunk merge edges. Whether the edges are verified is decided once for the
     * whole write. When it takes several chunks, both edges are checked before the first chunk
     * lands, and that is the last point at which the write can be refused: the chunks then merge
     * the edges from the stored checksum and the change (which never absorbs corruption), so
     * corruption striking an edge during the write cannot leave it half-done, and is reported by
     * the next check. At {@code FULL} the whole range is read back once, at the end.
     */
    void write(long off, MemorySegment src, long srcOff, long len) {
        if (len == 0) {
            return;
        }
        if (!region.level.keepsChecksums()) {
            MemorySegment.copy(src, srcOff, data, off, len);
            return;
        }
        long end = off + len;
        boolean verifyEdges = verifyEdges(off, end);
        boolean chunked = chunkEnd(off, end) < end;
        if (verifyEdges && chunked) {
            checkEdges(off, end);
        }
        boolean mergeVerified = verifyEdges && !chunked;
        for (long p = off, q; p < end; p = q) {
            q = chunkEnd(p, end);
            MemorySegment.copy(src, JAVA_BYTE, srcOff + (p - off), staging, 0, (int) (q - p));
            commit(p, q - p, staging, 0, false, mergeVerified);
        }
        readBack(off, end);
    }

    /**
     * Rewrites whole blocks from {@code src[srcOff, srcOff + len)} at {@code off}, a block
     * boundary: the recovery path. Reads and verifies nothing of the old contents; every new
     * checksum comes from the source. A range that ends inside the last block (at the capacity)
     * rewrites that block whole, its bytes beyond the range zeroed.
     */
    void rewriteBlocks(long off, byte[] src, int srcOff, int len) {
        int tailLen = (int) ((off + len) & mask);
        int whole = len - tailLen;
        commit(off, whole, src, srcOff, false, false);
        if (tailLen > 0) {
            System.arraycopy(src, srcOff + whole, tail, 0, tailLen);
            Arrays.fill(tail, tailLen, blockSize, (byte) 0);
            commit(off + whole, blockSize, tail, 0, false, false);
        }
        readBack(off, off + len);
    }

    /** Sets {@code len} bytes at {@code off} to {@code value}; full blocks share one checksum. */
    void fill(long off, long len, byte value) {
        stageFill(off, len, value);
        land();
        readBack(off, off + len);
    }

    /**
     * Moves {@code len} bytes from {@code src} to {@code dst} with memmove semantics. With
     * checksums, the whole source (and, when verified, the destination's edges) is checked before
     * any byte moves, and each chunk is moved from a verified copy in staging (the copy's
     * checksums become the destination's). Chunks run backwards when the destination lies above
     * the source, so overlap is safe. As for segment writes, chunked edges merge unverified after
     * the up-front check; but each chunk's source copy must still match, because its bytes become
     * checksums: corruption that strikes the source after the up-front check stops the copy at
     * that chunk, the chunks moved before it consistent with their checksums.
     */
    void copyWithin(long src, long dst, long len) {
        if (!region.level.keepsChecksums()) {
            MemorySegment.copy(data, src, data, dst, len);
            return;
        }
        if (len == 0) {
            return;
        }
        long dstEnd = dst + len;
        boolean verifyEdges = verifyEdges(dst, dstEnd);
        boolean chunked = chunkEnd(dst, dstEnd) < dstEnd;
        if (chunked) {
            long bad = firstMismatch(src >>> shift, ((src + len - 1) >>> shift) + 1);
            if (bad >= 0) {
                throw corrupt(ErrorCode.CHECKSUM_MISMATCH, bad);
            }
            if (verifyEdges) {
                checkEdges(dst, dstEnd);
            }
        }
        boolean mergeVerified = verifyEdges && !chunked;
        if (dst <= src) {
            for (long p = dst, q; p < dstEnd; p = q) {
                q = chunkEnd(p, dstEnd);
                moveChunk(src + (p - dst), p, (int) (q - p), mergeVerified, dst, p);
            }
        } else {
            for (long q = dstEnd, p; q > dst; q = p) {
                p = Math.max(dst, ((q - 1) >>> stagingShift) << stagingShift);
                moveChunk(src + (p - dst), p, (int) (q - p), mergeVerified, q, dstEnd);
            }
        }
        readBack(dst, dstEnd);
    }

    /**
     * Moves one chunk from a verified copy; {@code [movedFrom, movedTo)} is what earlier chunks
     * of the same copy have moved already, named in the exception if this chunk's source is corrupt.
     */
    private void moveChunk(long from, long to, int len, boolean verifyEdges, long movedFrom, long movedTo) {
        long bad = readInto(from, staging, 0, len, true);
        if (bad >= 0) {
            throw corrupt(ErrorCode.CHECKSUM_MISMATCH, bad, movedFrom == movedTo ? null
                    : "the copy stopped there, after moving destination bytes [" + movedFrom + ", " + movedTo + ")");
        }
        commit(to, len, staging, 0, false, verifyEdges);
    }

    /**
     * Decides, once per write, whether the merges of its partially covered blocks are verified:
     * draws a sample only when {@code [off, end)} has such a block.
     */
    private boolean verifyEdges(long off, long end) {
        boolean partial = (off & mask) != 0 || (end & mask) != 0;
        return partial && verifyBulk();
    }

    /** Checks the partially covered blocks at the ends of {@code [off, end)}, changing nothing. */
    private void checkEdges(long off, long end) {
        if ((off & mask) != 0) {
            loadVerified(off >>> shift, head);
        }
        if ((end & mask) != 0) {
            loadVerified(end >>> shift, tail);
        }
    }

    /** Both phases of a write, for the paths that move through staging a chunk at a time. */
    private void commit(long off, long len, byte[] src, int srcOff, boolean repeat, boolean verifyEdges) {
        stage(off, len, src, srcOff, repeat, verifyEdges);
        land();
    }

    /**
     * Phase 1 of the one write path: verifies the old contents of the partially covered blocks
     * (when {@code verifyEdges}) and may fail, with nothing changed; derives the edges' new
     * checksums (the bytes they replace are still in place) and checksums the fully covered
     * blocks from the source, as many as {@link #sums} holds. It reads memory but changes none:
     * {@link #land()} does that, and the caller then calls {@link #readBack}.
     *
     * @param repeat when {@code true} (a fill), every source byte is {@code src[0]} and
     *               {@code src} holds at least {@code min(len, staging)} and one block of it
     */
    private void stage(long off, long len, byte[] src, int srcOff, boolean repeat, boolean verifyEdges) {
        stagedOff = off;
        stagedLen = len;
        stagedSrc = src;
        stagedSrcOff = srcOff;
        stagedRepeat = repeat;
        stagedFull = 0;
        if (len == 0 || !region.level.keepsChecksums()) {
            return;
        }
        long end = off + len;
        long first = off >>> shift;
        long last = (end - 1) >>> shift;
        int headLo = (int) (off & mask);
        int tailLen = (int) (end & mask);
        boolean headPartial = hasHeadEdge(off, end);
        boolean tailPartial = hasTailEdge(off, end);

        if (headPartial && verifyEdges) {
            loadVerified(first, head);
        }
        if (tailPartial && verifyEdges) {
            loadVerified(last, tail);
        }
        if (headPartial) {
            int n = (int) (Math.min(end, (first + 1) << shift) - off);
            headSum = mergedSum(first, headLo, n, src, srcOff, head, verifyEdges);
        }
        if (tailPartial) {
            long tailStart = last << shift;
            int at = repeat ? srcOff : srcOff + (int) (tailStart - off);
            tailSum = mergedSum(last, 0, tailLen, src, at, tail, verifyEdges);
        }
        long fullFirst = (off + mask) >>> shift;
        long fullEnd = end >>> shift;
        if (fullFirst < fullEnd) {
            stagedFull = (int) Math.min(sums.length, fullEnd - fullFirst);
            if (repeat) {
                Arrays.fill(sums, 0, stagedFull, checksum(src, srcOff, blockSize));
            } else {
                int at = srcOff + (int) ((fullFirst << shift) - off);
                for (int i = 0; i < stagedFull; i++, at += blockSize) {
                    sums[i] = crcOf(src, at, blockSize);
                }
                counters.checksummedBytes += (long) stagedFull << shift;
            }
        }
    }

    /**
     * Phase 2 of the write {@link #stage staged} last: copies the data and stores the new
     * checksums; cannot fail. Fully covered blocks beyond what {@link #sums} held are checksummed
     * from the source here, a chunk at a time.
     */
    void land() {
        long off = stagedOff;
        long len = stagedLen;
        byte[] src = stagedSrc;
        int srcOff = stagedSrcOff;
        boolean repeat = stagedRepeat;
        stagedSrc = null;
        copyData(off, len, src, srcOff, repeat);
        if (len == 0 || !region.level.keepsChecksums()) {
            return;
        }
        long end = off + len;
        if (hasHeadEdge(off, end)) {
            store(off >>> shift, headSum);
        }
        if (hasTailEdge(off, end)) {
            store((end - 1) >>> shift, tailSum);
        }
        if (stagedFull > 0) {
            long fullFirst = (off + mask) >>> shift;
            storeSums(fullFirst, stagedFull);
            long rest = fullFirst + stagedFull;
            if (rest < end >>> shift) {
                checksumAndStore(rest, end >>> shift, src, srcOff + (int) ((rest << shift) - off), repeat);
            }
        }
    }

    /**
     * Stores the checksums of blocks {@code [from, to)}, a chunk of {@link #sums} at a time:
     * computed from their new bytes, which lie one after another in {@code src} from {@code at};
     * or, for a fill ({@code repeat}), the one checksum {@link #stage} already put in every slot.
     */
    private void checksumAndStore(long from, long to, byte[] src, int at, boolean repeat) {
        for (long b = from; b < to; ) {
            int k = (int) Math.min(sums.length, to - b);
            if (!repeat) {
                for (int i = 0; i < k; i++, at += blockSize) {
                    sums[i] = crcOf(src, at, blockSize);
                }
                counters.checksummedBytes += (long) k << shift;
            }
            storeSums(b, k);
            b += k;
        }
    }

    /** At {@code FULL}, reads the blocks of a write to {@code [off, end)} back and checks them. */
    void readBack(long off, long end) {
        if (off < end && region.level.verifiesAfterWrite()) {
            long bad = firstMismatch(off >>> shift, ((end - 1) >>> shift) + 1);
            if (bad >= 0) {
                throw corrupt(ErrorCode.WRITE_VERIFICATION_FAILED, bad);
            }
        }
    }

    private void copyData(long off, long len, byte[] src, int srcOff, boolean repeat) {
        if (!repeat) {
            MemorySegment.copy(src, srcOff, data, JAVA_BYTE, off, (int) len);
            return;
        }
        long end = off + len;
        for (long p = off, q; p < end; p = q) {
            q = Math.min(end, p + staging.length);
            MemorySegment.copy(src, srcOff, data, JAVA_BYTE, p, (int) (q - p));
        }
    }

    /**
     * The new checksum of {@code block} once its bytes {@code [lo, lo + n)} become
     * {@code src[srcOff, srcOff + n)}; must run before those bytes are overwritten.
     * Verified: {@code buf} holds the block's verified copy; patch it and checksum it.
     * Unverified: from the stored checksum and the change (see the class comment), reading only
     * the {@code n} bytes being replaced, into {@code buf}.
     */
    private int mergedSum(long block, int lo, int n, byte[] src, int srcOff, byte[] buf, boolean verified) {
        if (verified) {
            System.arraycopy(src, srcOff, buf, lo, n);
            return checksum(buf, 0, blockSize);
        }
        int after = blockSize - lo - n;
        MemorySegment.copy(data, JAVA_BYTE, (block << shift) + lo, buf, 0, n);
        return stored(block) ^ paddedChecksum(buf, 0, n, after) ^ paddedChecksum(src, srcOff, n, after);
    }

    // ---------------------------------------------------------------- verification

    /**
     * The first block in {@code [from, to)} whose bytes do not match its stored checksum, or -1.
     * Blocks are copied through staging and checked there, {@link #blocksPerChunk()} at a time.
     */
    long firstMismatch(long from, long to) {
        int perChunk = blocksPerChunk();
        for (long b = from; b < to; ) {
            int k = (int) Math.min(perChunk, to - b);
            MemorySegment.copy(data, JAVA_BYTE, b << shift, staging, 0, k << shift);
            long bad = firstMismatchIn(b, b + k, staging, 0);
            if (bad >= 0) {
                return bad;
            }
            b += k;
        }
        return -1;
    }

    /** How many blocks {@link #firstMismatch} copies at once: the span of one consistent snapshot. */
    int blocksPerChunk() {
        return staging.length >>> shift;
    }

    /**
     * Sets the region's level; moving from {@code OFF} to a checked level first rebuilds every
     * checksum from memory as it is (O(region), explicit). The caller owns the region, or holds
     * its writers' lock inside a write's sequence window.
     */
    void changeLevel(VerificationLevel level) {
        if (region.level == VerificationLevel.OFF && level != VerificationLevel.OFF) {
            rebuildAll(region.blockCount());
        }
        region.level = level;
    }

    /** Recomputes every block's checksum from memory as it is: the explicit rebuild after {@code OFF}. */
    private void rebuildAll(long blocks) {
        int perChunk = blocksPerChunk();
        for (long b = 0; b < blocks; ) {
            int k = (int) Math.min(perChunk, blocks - b);
            MemorySegment.copy(data, JAVA_BYTE, b << shift, staging, 0, k << shift);
            checksumAndStore(b, b + k, staging, 0, false);
            b += k;
        }
    }

    /**
     * Counts a confirmed integrity failure and returns its exception for {@code block}, with the
     * checksums seen by the last failed {@link #matches}.
     */
    IntegrityException corrupt(ErrorCode code, long block) {
        return corrupt(code, block, null);
    }

    private IntegrityException corrupt(ErrorCode code, long block, String note) {
        counters.integrityFailures++;
        long start = block << shift;
        return new IntegrityException(code, region.name, block, start, start + blockSize, lastExpected, lastActual, note);
    }

    /** Counts a corrupt block found by {@link #firstMismatch} and reported, not thrown. */
    long reported(long block) {
        if (block >= 0) {
            counters.integrityFailures++;
        }
        return block;
    }

    private void loadVerified(long block, byte[] buf) {
        if (!load(block, buf)) {
            throw corrupt(ErrorCode.CHECKSUM_MISMATCH, block);
        }
    }

    /** Copies {@code block} whole into {@code buf} and checks the copy. */
    private boolean load(long block, byte[] buf) {
        MemorySegment.copy(data, JAVA_BYTE, block << shift, buf, 0, blockSize);
        return firstMismatchIn(block, block + 1, buf, 0) < 0;
    }

    /**
     * Checks copies of blocks {@code [from, to)}, held one after another in {@code buf} from
     * {@code at}, against their stored checksums (read a chunk at a time into {@link #sums}).
     * Counts the blocks checked; remembers the checksums of a mismatch for {@link #corrupt}.
     *
     * @return the first block that does not match, or -1
     */
    private long firstMismatchIn(long from, long to, byte[] buf, int at) {
        for (long b = from; b < to; ) {
            int k = (int) Math.min(sums.length, to - b);
            loadSums(b, k);
            long bad = mismatchAgainstSums(b, k, 0, buf, at);
            if (bad >= 0) {
                return bad;
            }
            b += k;
            at += k << shift;
        }
        return -1;
    }

    /**
     * Checks copies of the {@code k} blocks from {@code from}, held one after another in
     * {@code buf} from {@code at}, against the checksums in {@link #sums} from {@code sumAt}, each
     * block on its own: one CRC32C per block, so a check of several blocks reports exactly what
     * checking each of them alone reports. (Folding several blocks into one 32-bit value cannot:
     * flips in two blocks, or in a block and a checksum, can cancel in it.) Counts the blocks
     * checked; remembers the checksums of a mismatch for {@link #corrupt}.
     *
     * @return the first block that does not match, or -1
     */
    private long mismatchAgainstSums(long from, int k, int sumAt, byte[] buf, int at) {
        for (int i = 0; i < k; i++, at += blockSize) {
            int expected = sums[sumAt + i];
            int actual = crcOf(buf, at, blockSize);
            if (actual != expected) {
                lastExpected = expected;
                lastActual = actual;
                count(i + 1);
                return from + i;
            }
        }
        count(k);
        return -1;
    }

    /** Counts {@code blocks} whole blocks verified. */
    private void count(int blocks) {
        counters.verifications += blocks;
        counters.checksummedBytes += (long) blocks << shift;
    }

    // ---------------------------------------------------------------- primitives

    /** The end of the staging-aligned chunk that starts at {@code p}, capped at {@code end}. */
    private long chunkEnd(long p, long end) {
        return Math.min(end, ((p >>> stagingShift) + 1) << stagingShift);
    }

    private int checksum(byte[] bytes, int off, int len) {
        counters.checksummedBytes += len;
        return crcOf(bytes, off, len);
    }

    /** The CRC32C of {@code bytes[off, off + len)}, counted by the caller. */
    private int crcOf(byte[] bytes, int off, int len) {
        crc.reset();
        crc.update(bytes, off, len);
        return (int) crc.getValue();
    }

    private int paddedChecksum(byte[] bytes, int off, int len, int zeros) {
        crc.reset();
        crc.update(bytes, off, len);
        crc.update(ZEROS, 0, zeros);
        counters.checksummedBytes += len + zeros;
        return (int) crc.getValue();
    }

    /** Copies the stored checksums of the {@code k} blocks from {@code from} into {@link #sums}. */
    private void loadSums(long from, int k) {
        if (k == 1) {
            sums[0] = stored(from); // one access costs less than a bulk copy's checks
        } else {
            MemorySegment.copy(checksums, CheckedRegion.CHECKSUM, from * Integer.BYTES, sums, 0, k);
        }
    }

    /** Stores the first {@code k} checksums of {@link #sums} as those of the blocks from {@code from}. */
    private void storeSums(long from, int k) {
        if (k == 1) {
            store(from, sums[0]);
        } else {
            MemorySegment.copy(sums, 0, checksums, CheckedRegion.CHECKSUM, from * Integer.BYTES, k);
        }
    }

    private int stored(long block) {
        return checksums.getAtIndex(CheckedRegion.CHECKSUM, block);
    }

    private void store(long block, int sum) {
        checksums.setAtIndex(CheckedRegion.CHECKSUM, block, sum);
    }
}
