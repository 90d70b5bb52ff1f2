package io.safemem.ffm;

import io.safemem.ErrorCode;
import io.safemem.IntegrityException;
import io.safemem.MemoryStatistics;
import io.safemem.VerificationLevel;
import io.safemem.ffm.testing.FaultInjector;
import io.safemem.ffm.testing.FaultInjector.Flip;
import io.safemem.ffm.testing.FaultInjector.Target;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.stream.Stream;

import static io.safemem.ffm.FaultTestSupport.assertMemoryEqualsModel;
import static io.safemem.ffm.FaultTestSupport.assertRegionUnchanged;
import static io.safemem.ffm.FaultTestSupport.assertReportsBlock;
import static io.safemem.ffm.FaultTestSupport.assertReportsFlip;
import static io.safemem.ffm.FaultTestSupport.blockInMemory;
import static io.safemem.ffm.FaultTestSupport.crc32c;
import static io.safemem.ffm.FaultTestSupport.crcOfModelBlock;
import static io.safemem.ffm.FaultTestSupport.naiveCrcOfMemory;
import static io.safemem.ffm.FaultTestSupport.snapshotChecksums;
import static io.safemem.ffm.FaultTestSupport.snapshotData;
import static io.safemem.ffm.FaultTestSupport.storedChecksum;
import static io.safemem.ffm.FaultTestSupport.writeRandomContent;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Invariant I1, no laundering: corruption that is already in a block when a write merges into it
 * is reported, or stays detectable afterwards; it is never absorbed into a fresh checksum.
 *
 * <p><strong>What a laundering engine would fail.</strong> An engine that, after a partial write,
 * recomputed the block's CRC32C from memory (the "naive recompute", {@link
 * FaultTestSupport#naiveCrcOfMemory}) would store a checksum that agrees with the corrupt bytes.
 * Every {@code assertThrows(IntegrityException.class, memory::verifyIntegrity)} after the writes
 * below, and the {@code laundered == 0} assertion of the randomized run, would then fail: the
 * corrupt block would verify clean. {@link #whatLaunderingWouldLookLike()} shows it by storing the
 * naive checksum by hand.
 */
class NoLaunderingTest {

    /** So small that no merge is ever verified: the engine must derive checksums from the old one and the change. */
    private static final double TINY_RATE = 1e-12;
    private static final int[] BLOCK_SIZES = {64, 256, 4096};
    private static final long CAPACITY = 64 * 1024;

    private enum Kind { WRITE_ARRAY, WRITE_SEGMENT, FILL, PUT_BYTE, PUT_SHORT, PUT_INT, PUT_LONG, COPY_WITHIN }

    private static final Kind[] WRITE_KINDS = {
        Kind.WRITE_ARRAY, Kind.WRITE_SEGMENT, Kind.FILL, Kind.PUT_BYTE, Kind.PUT_SHORT, Kind.PUT_INT, Kind.PUT_LONG
    };

    /** One write-like operation and the bytes it is meant to leave at {@code [offset, offset + bytes.length)}. */
    private record Op(Kind kind, long offset, byte[] bytes, long source) {
        long end() {
            return offset + bytes.length;
        }

        @Override
        public String toString() {
            return kind + "[" + offset + ", " + end() + ")" + (kind == Kind.COPY_WITHIN ? " from " + source : "");
        }
    }

    private static CheckedRegion region(FixedArena arena, int bs, VerificationLevel level, double rate, String name) {
        return CheckedRegion.builder(arena, CAPACITY).blockSize(bs).name(name)
                .verificationLevel(level).samplingRate(rate).samplingSeed(99).build();
    }

    // ---------------------------------------------------------------- unverified merges (SAMPLING)

    /**
     * A flip, then 1..50 partial writes, fills and scalar puts into the same block (some reaching
     * into a neighbour block) that leave the flipped bit alone, with merges never verified: the
     * flip is still reported, by verifyIntegrity and findCorruptBlock, and the stored checksum is
     * the CRC32C of the intended data (the model), not of memory.
     */
    @Test
    void partialWritesAroundAFlipDoNotLaunderItWhenMergesAreNotVerified() {
        SplittableRandom rnd = new SplittableRandom(0x11_0001L);
        int trials = 0;
        int writes = 0;
        try (FixedArena arena = FixedArena.ofConfined(4 << 20); Arena scratchArena = Arena.ofConfined()) {
            MemorySegment scratch = scratchArena.allocate(64 * 1024);
            for (int bs : BLOCK_SIZES) {
                CheckedRegion region = region(arena, bs, VerificationLevel.SAMPLING, TINY_RATE, "unverified-" + bs);
                SafeMemoryHandler memory = region.handler();
                FaultInjector faults = FaultInjector.of(region, 1000 + bs);
                byte[] model = new byte[FaultTestSupport.paddedSize(region)];
                writeRandomContent(memory, model, rnd);
                MemoryStatistics stats = region.statistics();
                for (int trial = 0; trial < 150; trial++, trials++) {
                    long block = rnd.nextLong(region.blockCount());
                    Flip flip = rnd.nextInt(10) < 7
                            ? faults.flipRandomDataBitIn(block * bs, bs)
                            : faults.flipChecksumBit(block, rnd.nextInt(32));
                    long avoid = flip.target() == Target.DATA ? flip.byteOffset() : -1;
                    int n = 1 + rnd.nextInt(50);
                    long skipsBefore = stats.sampledSkips();
                    long verificationsBefore = stats.verifications();
                    for (int i = 0; i < n; i++) {
                        Op op = partialOpInto(rnd, region, block, avoid, WRITE_KINDS, model);
                        apply(memory, op, scratch, rnd);
                        System.arraycopy(op.bytes(), 0, model, (int) op.offset(), op.bytes().length);
                    }
                    writes += n;
                    assertEquals(n, stats.sampledSkips() - skipsBefore, "every merge was a sampled skip");
                    assertEquals(verificationsBefore, stats.verifications(), "no merge was verified");

                    // I1: a laundering engine would have made this block verify clean; this would fail.
                    IntegrityException e = assertThrows(IntegrityException.class, memory::verifyIntegrity,
                            () -> "flip " + flip + " laundered by " + n + " unverified merges");
                    assertReportsFlip(e, region, flip, ErrorCode.CHECKSUM_MISMATCH);
                    assertEquals(block, memory.findCorruptBlock(0));
                    assertEquals(-1, memory.findCorruptBlock(block + 1));

                    int intended = crcOfModelBlock(model, block, bs);
                    if (flip.target() == Target.DATA) {
                        // The checksum was derived from the intended bytes and the change, not from memory.
                        assertEquals(intended, storedChecksum(region, block), "stored checksum = CRC32C of the intended data");
                        assertNotEquals(naiveCrcOfMemory(region, block), storedChecksum(region, block),
                                "a naive recompute from memory would have accepted the corrupt block");
                        byte[] expectedMemory = model.clone();
                        expectedMemory[(int) flip.byteOffset()] ^= (byte) (1 << flip.bit());
                        assertArrayEquals(expectedMemory, snapshotData(region), "memory = model + the flip, nothing else");
                    } else {
                        int bit = (int) (flip.byteOffset() - block * Integer.BYTES) * 8 + flip.bit();
                        assertEquals(intended ^ (1 << bit), storedChecksum(region, block), "the checksum flip survives the merges");
                        assertMemoryEqualsModel(region, model);
                    }
                    heal(memory, model, block, bs);
                }
            }
        }
        System.out.printf(Locale.ROOT, "[no-laundering] SAMPLING rate %.0e: %d flips, %d unverified partial writes into their blocks, all %d still reported%n",
                TINY_RATE, trials, writes, trials);
    }

    /**
     * A flip inside the range a later partial write overwrites, merge not verified: the memory is
     * now right, but the checksum keeps the old flip, so the block is still reported (a stale
     * alarm, the safe direction). The stored checksum is exactly the CRC32C of the intended block
     * with the flipped bit.
     */
    @Test
    void aFlipOverwrittenByAnUnverifiedMergeStaysInTheChecksum() {
        SplittableRandom rnd = new SplittableRandom(0x11_0002L);
        int trials = 0;
        try (FixedArena arena = FixedArena.ofConfined(4 << 20); Arena scratchArena = Arena.ofConfined()) {
            MemorySegment scratch = scratchArena.allocate(64 * 1024);
            for (int bs : BLOCK_SIZES) {
                CheckedRegion region = region(arena, bs, VerificationLevel.SAMPLING, TINY_RATE, "overwritten-" + bs);
                SafeMemoryHandler memory = region.handler();
                FaultInjector faults = FaultInjector.of(region, 2000 + bs);
                byte[] model = new byte[FaultTestSupport.paddedSize(region)];
                writeRandomContent(memory, model, rnd);
                for (int trial = 0; trial < 300; trial++, trials++) {
                    long block = rnd.nextLong(region.blockCount());
                    Flip flip = faults.flipRandomDataBitIn(block * bs, bs);
                    Op op = partialOpCovering(rnd, region, block, flip.byteOffset());
                    apply(memory, op, scratch, rnd);
                    System.arraycopy(op.bytes(), 0, model, (int) op.offset(), op.bytes().length);
                    assertMemoryEqualsModel(region, model); // the flipped byte was overwritten with the intended value

                    IntegrityException e = assertThrows(IntegrityException.class, memory::verifyIntegrity,
                            () -> "flip " + flip + " vanished after " + op + " overwrote it (merge not verified)");
                    assertReportsBlock(e, region, block, ErrorCode.CHECKSUM_MISMATCH);
                    byte[] withFlip = Arrays.copyOfRange(model, (int) (block * bs), (int) (block * bs + bs));
                    withFlip[(int) (flip.byteOffset() - block * bs)] ^= (byte) (1 << flip.bit());
                    assertEquals(crc32c(withFlip, 0, bs), e.expectedChecksum(), "the checksum keeps the old flip");
                    assertEquals(crcOfModelBlock(model, block, bs), e.actualChecksum(), "memory holds the intended bytes");
                    heal(memory, model, block, bs);
                }
            }
        }
        System.out.printf(Locale.ROOT, "[no-laundering] SAMPLING rate %.0e: %d flips overwritten by unverified partial writes, all %d still reported%n",
                TINY_RATE, trials, trials);
    }

    /** Hand-made contrast: what a naive recompute from memory would do to the same situation. */
    @Test
    void whatLaunderingWouldLookLike() {
        try (FixedArena arena = FixedArena.ofConfined(1 << 20)) {
            CheckedRegion region = region(arena, 256, VerificationLevel.SAMPLING, TINY_RATE, "contrast");
            SafeMemoryHandler memory = region.handler();
            byte[] model = new byte[FaultTestSupport.paddedSize(region)];
            writeRandomContent(memory, model, new SplittableRandom(3));
            FaultInjector faults = FaultInjector.of(region, 3);
            Flip flip = faults.flipDataBit(2 * 256 + 10, 4);          // corrupt block 2
            byte[] record = {1, 2, 3, 4, 5, 6, 7, 8};
            memory.write(2 * 256 + 100, record);                       // partial write into block 2, merge not verified
            System.arraycopy(record, 0, model, 2 * 256 + 100, record.length);

            int engine = storedChecksum(region, 2);
            int naive = naiveCrcOfMemory(region, 2);
            assertEquals(crcOfModelBlock(model, 2, 256), engine, "engine: checksum of the intended data");
            assertNotEquals(naive, engine, "naive: checksum of the corrupt memory");
            IntegrityException e = assertThrows(IntegrityException.class, memory::verifyIntegrity);
            assertReportsFlip(e, region, flip, ErrorCode.CHECKSUM_MISMATCH);

            // Simulate the laundering engine: store the naive recompute. The corrupt block now verifies clean.
            FaultTestSupport.checksums(region).setAtIndex(FaultTestSupport.STORED_CRC, 2, naive);
            assertDoesNotThrow(memory::verifyIntegrity, "laundered: corruption invisible");
            assertNotEquals(model[2 * 256 + 10], blockInMemory(region, 2)[10], "...although the memory is still corrupt");
        }
    }

    // ---------------------------------------------------------------- verified merges (STANDARD, FULL)

    /**
     * A flip, then 1..50 partial writes into its block that leave the flipped bit alone, with every
     * merge verified: each write throws an IntegrityException naming the block and changes neither
     * the region's bytes nor its checksum table; the flip is still reported afterwards.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(value = VerificationLevel.class, names = {"STANDARD", "FULL"})
    void verifiedMergeIntoACorruptBlockIsRefusedAndChangesNothing(VerificationLevel level) {
        SplittableRandom rnd = new SplittableRandom(0x11_0003L + level.ordinal());
        int trials = 0;
        int refused = 0;
        try (FixedArena arena = FixedArena.ofConfined(4 << 20); Arena scratchArena = Arena.ofConfined()) {
            MemorySegment scratch = scratchArena.allocate(64 * 1024);
            for (int bs : BLOCK_SIZES) {
                CheckedRegion region = region(arena, bs, level, TINY_RATE, "verified-" + level + "-" + bs);
                SafeMemoryHandler memory = region.handler();
                FaultInjector faults = FaultInjector.of(region, 3000 + bs);
                byte[] model = new byte[FaultTestSupport.paddedSize(region)];
                writeRandomContent(memory, model, rnd);
                MemoryStatistics stats = region.statistics();
                for (int trial = 0; trial < 60; trial++, trials++) {
                    long block = rnd.nextLong(region.blockCount());
                    Flip flip = rnd.nextInt(10) < 7
                            ? faults.flipRandomDataBitIn(block * bs, bs)
                            : faults.flipChecksumBit(block, rnd.nextInt(32));
                    long avoid = flip.target() == Target.DATA ? flip.byteOffset() : -1;
                    int n = 1 + rnd.nextInt(50);
                    for (int i = 0; i < n; i++, refused++) {
                        Op op = partialOpInto(rnd, region, block, avoid, WRITE_KINDS, model);
                        byte[] dataBefore = snapshotData(region);
                        byte[] sumsBefore = snapshotChecksums(region);
                        long failuresBefore = stats.integrityFailures();
                        long writesBefore = stats.writes();
                        IntegrityException e = assertThrows(IntegrityException.class, () -> apply(memory, op, scratch, rnd),
                                () -> level + ": " + op + " merged into corrupt block " + block + " (" + flip + ")");
                        assertReportsFlip(e, region, flip, ErrorCode.CHECKSUM_MISMATCH);
                        assertEquals(failuresBefore + 1, stats.integrityFailures());
                        assertEquals(writesBefore, stats.writes(), "a refused write is not counted");
                        assertRegionUnchanged(region, dataBefore, sumsBefore, op);
                    }
                    IntegrityException after = assertThrows(IntegrityException.class, memory::verifyIntegrity);
                    assertReportsFlip(after, region, flip, ErrorCode.CHECKSUM_MISMATCH);
                    faults.undo(flip);
                    assertDoesNotThrow(memory::verifyIntegrity);
                    assertMemoryEqualsModel(region, model);
                }
            }
        }
        System.out.printf(Locale.ROOT, "[no-laundering] %s: %d flips, %d partial writes into their blocks, all %d refused with region unchanged%n",
                level, trials, refused, refused);
    }

    // ---------------------------------------------------------------- copy sources

    /**
     * copyWithin from a source range holding a flip (data, or the checksum of a source block), at
     * every checked level, SAMPLING with a rate so small nothing else is ever verified included:
     * copy sources are always verified, so the copy throws, names the block, and moves nothing
     * (data and checksum table unchanged). After the flip is undone the same copy succeeds and
     * matches memmove on the model.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(value = VerificationLevel.class, names = {"SAMPLING", "STANDARD", "FULL"})
    void copyFromACorruptSourceIsRefusedAndMovesNothing(VerificationLevel level) {
        SplittableRandom rnd = new SplittableRandom(0x11_0004L + level.ordinal());
        int trials = 0;
        try (FixedArena arena = FixedArena.ofConfined(4 << 20)) {
            for (int bs : BLOCK_SIZES) {
                CheckedRegion region = region(arena, bs, level, TINY_RATE, "copy-" + level + "-" + bs);
                SafeMemoryHandler memory = region.handler();
                FaultInjector faults = FaultInjector.of(region, 4000 + bs);
                byte[] model = new byte[FaultTestSupport.paddedSize(region)];
                writeRandomContent(memory, model, rnd);
                for (int trial = 0; trial < 100; trial++, trials++) {
                    int len = rnd.nextInt(4) == 0 ? 16 * 1024 + 1 + rnd.nextInt(8000) : 1 + rnd.nextInt(6000);
                    long src = rnd.nextLong(CAPACITY - len + 1);
                    long dst = rnd.nextLong(CAPACITY - len + 1);
                    Flip flip;
                    if (rnd.nextInt(10) < 7) {
                        flip = faults.flipRandomDataBitIn(src, len);
                    } else {
                        long first = src / bs;
                        long last = (src + len - 1) / bs;
                        flip = faults.flipChecksumBit(first + rnd.nextLong(last - first + 1), rnd.nextInt(32));
                    }
                    byte[] dataBefore = snapshotData(region);
                    byte[] sumsBefore = snapshotChecksums(region);
                    String what = level + ": copyWithin(" + src + ", " + dst + ", " + len + "), block size " + bs + ", " + flip;
                    IntegrityException e = assertThrows(IntegrityException.class, () -> memory.copyWithin(src, dst, len),
                            () -> what + ": corrupt source copied");
                    assertReportsFlip(e, region, flip, ErrorCode.CHECKSUM_MISMATCH);
                    assertRegionUnchanged(region, dataBefore, sumsBefore, what);

                    faults.undo(flip);
                    memory.copyWithin(src, dst, len);
                    System.arraycopy(model, (int) src, model, (int) dst, len);
                    assertMemoryEqualsModel(region, model);
                    assertDoesNotThrow(memory::verifyIntegrity);
                }
            }
        }
        System.out.printf(Locale.ROOT, "[no-laundering] %s: %d copies from corrupt sources, all refused with region unchanged%n", level, trials);
    }

    /**
     * Minimal reproducer: a copy of 1,000 bytes whose destination [16000, 17000) crosses the
     * engine's 16 KiB staging boundary at 16384; its source block 0 (byte 100) is corrupt. The
     * copy runs backwards (destination above source), so the chunk [16384, 17000) is moved before
     * the chunk whose source holds the flip is verified: the IntegrityException comes after part
     * of the destination has already changed.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(value = VerificationLevel.class, names = {"SAMPLING", "STANDARD", "FULL"})
    void copyWithinCrossingTheStagingBoundaryMovesNothingWhenTheSourceIsCorrupt(VerificationLevel level) {
        try (FixedArena arena = FixedArena.ofConfined(1 << 20)) {
            CheckedRegion region = region(arena, 256, level, TINY_RATE, "copy-repro-" + level);
            SafeMemoryHandler memory = region.handler();
            writeRandomContent(memory, new byte[FaultTestSupport.paddedSize(region)], new SplittableRandom(7));
            Flip flip = FaultInjector.of(region, 7).flipDataBit(100, 0);
            byte[] dataBefore = snapshotData(region);
            byte[] sumsBefore = snapshotChecksums(region);
            IntegrityException e = assertThrows(IntegrityException.class, () -> memory.copyWithin(0, 16_000, 1_000));
            assertReportsFlip(e, region, flip, ErrorCode.CHECKSUM_MISMATCH);
            assertRegionUnchanged(region, dataBefore, sumsBefore, "copyWithin(0, 16000, 1000) with source block 0 corrupt");
        }
    }

    /**
     * Minimal reproducer: a forward copy (destination below source) of 1,000 clean bytes from
     * [20000, 21000) to [16000, 17000), crossing the 16 KiB staging boundary, whose destination
     * tail edge block 66 = [16896, 17152) is corrupt. The chunk [16000, 16384) is moved before the
     * merge into block 66 is verified.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(value = VerificationLevel.class, names = {"STANDARD", "FULL"})
    void copyWithinCrossingTheStagingBoundaryMovesNothingWhenADestinationEdgeIsCorrupt(VerificationLevel level) {
        try (FixedArena arena = FixedArena.ofConfined(1 << 20)) {
            CheckedRegion region = region(arena, 256, level, TINY_RATE, "copy-edge-repro-" + level);
            SafeMemoryHandler memory = region.handler();
            writeRandomContent(memory, new byte[FaultTestSupport.paddedSize(region)], new SplittableRandom(9));
            Flip flip = FaultInjector.of(region, 9).flipDataBit(17_100, 5);
            byte[] dataBefore = snapshotData(region);
            byte[] sumsBefore = snapshotChecksums(region);
            IntegrityException e = assertThrows(IntegrityException.class, () -> memory.copyWithin(20_000, 16_000, 1_000));
            assertReportsFlip(e, region, flip, ErrorCode.CHECKSUM_MISMATCH);
            assertRegionUnchanged(region, dataBefore, sumsBefore, "copyWithin(20000, 16000, 1000) with destination block 66 corrupt");
        }
    }

    /**
     * Minimal reproducer: a 1,000-byte write from a segment at [16000, 17000), crossing the 16 KiB
     * staging boundary, whose tail edge block 66 = [16896, 17152) is corrupt. The head chunk
     * [16000, 16384) lands before the tail edge is verified, so the IntegrityException comes after
     * part of the range was written (the same write from a byte[] changes nothing).
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(value = VerificationLevel.class, names = {"STANDARD", "FULL"})
    void segmentWriteCrossingTheStagingBoundaryWritesNothingWhenItsTailEdgeIsCorrupt(VerificationLevel level) {
        try (FixedArena arena = FixedArena.ofConfined(1 << 20); Arena scratchArena = Arena.ofConfined()) {
            CheckedRegion region = region(arena, 256, level, TINY_RATE, "segment-repro-" + level);
            SafeMemoryHandler memory = region.handler();
            writeRandomContent(memory, new byte[FaultTestSupport.paddedSize(region)], new SplittableRandom(8));
            Flip flip = FaultInjector.of(region, 8).flipDataBit(17_100, 3);
            MemorySegment src = scratchArena.allocate(1_000);
            src.fill((byte) 0x7E);
            byte[] dataBefore = snapshotData(region);
            byte[] sumsBefore = snapshotChecksums(region);
            IntegrityException fromArray = assertThrows(IntegrityException.class,
                    () -> memory.write(16_000, src.toArray(ValueLayout.JAVA_BYTE)));
            assertReportsFlip(fromArray, region, flip, ErrorCode.CHECKSUM_MISMATCH);
            assertRegionUnchanged(region, dataBefore, sumsBefore, "write(16000, byte[1000]) with block 66 corrupt");
            IntegrityException fromSegment = assertThrows(IntegrityException.class, () -> memory.write(16_000, src, 0, 1_000));
            assertReportsFlip(fromSegment, region, flip, ErrorCode.CHECKSUM_MISMATCH);
            assertRegionUnchanged(region, dataBefore, sumsBefore, "write(16000, segment, 0, 1000) with block 66 corrupt");
        }
    }

    // ---------------------------------------------------------------- randomized, against a model

    static Stream<Arguments> randomizedConfigs() {
        return Stream.of(
                Arguments.of(VerificationLevel.SAMPLING, TINY_RATE),
                Arguments.of(VerificationLevel.SAMPLING, 0.5),
                Arguments.of(VerificationLevel.STANDARD, 1.0),
                Arguments.of(VerificationLevel.FULL, 1.0));
    }

    /**
     * Many blocks, random flips (data and checksums), random writes, fills, scalar puts and copies
     * around them, mirrored into a byte[] model of the intended contents. At the end, every block
     * whose bytes differ from the model must be reported by the findCorruptBlock loop (laundered
     * = 0), and only blocks that were ever hit by a flip may be reported. A write refused with an
     * IntegrityException must have changed nothing; the rare refused write that changed bytes
     * anyway (the staging-boundary bug, see the reproducers above) is counted, checked to have
     * written only the intended bytes, and folded into the model so the laundering count stays exact.
     */
    @ParameterizedTest(name = "{0} rate {1}")
    @MethodSource("randomizedConfigs")
    void noBlockEverDiffersFromTheModelWithoutBeingReported(VerificationLevel level, double rate) {
        SplittableRandom rnd = new SplittableRandom(Double.doubleToLongBits(rate) ^ level.ordinal());
        long flips = 0;
        long corrupted = 0;
        long reported = 0;
        long laundered = 0;
        long stale = 0;
        long ops = 0;
        long refusals = 0;
        long refusedButChanged = 0;
        String firstRefusedButChanged = null;
        try (FixedArena arena = FixedArena.ofConfined(8 << 20); Arena scratchArena = Arena.ofConfined()) {
            MemorySegment scratch = scratchArena.allocate(64 * 1024);
            for (int bs : BLOCK_SIZES) {
                long capacity = 128L * bs - 7;
                CheckedRegion region = CheckedRegion.builder(arena, capacity).blockSize(bs)
                        .name("model-" + level + "-" + bs).verificationLevel(level)
                        .samplingRate(rate).samplingSeed(1234).build();
                SafeMemoryHandler memory = region.handler();
                FaultInjector faults = FaultInjector.of(region, 5000 + bs);
                byte[] model = new byte[FaultTestSupport.paddedSize(region)];
                writeRandomContent(memory, model, rnd);
                Set<Long> everFlipped = new HashSet<>();
                long[] flippedList = new long[4000];
                int flippedCount = 0;
                for (int step = 0; step < 4000; step++) {
                    if (rnd.nextInt(100) < 12) {
                        long block = rnd.nextLong(region.blockCount());
                        long start = block * bs;
                        if (rnd.nextInt(10) < 7) {
                            faults.flipRandomDataBitIn(start, Math.min(bs, capacity - start));
                        } else {
                            faults.flipChecksumBit(block, rnd.nextInt(32));
                        }
                        flips++;
                        if (everFlipped.add(block)) {
                            flippedList[flippedCount++] = block;
                        }
                        continue;
                    }
                    long block = flippedCount > 0 && rnd.nextInt(10) < 4
                            ? flippedList[rnd.nextInt(flippedCount)] : rnd.nextLong(region.blockCount());
                    Op op = opNear(rnd, region, block, model);
                    ops++;
                    long winStart = op.offset() / bs * bs;
                    long winEnd = (op.end() + bs - 1) / bs * bs;
                    byte[] dataBefore = FaultTestSupport.data(region).asSlice(winStart, winEnd - winStart).toArray(ValueLayout.JAVA_BYTE);
                    byte[] sumsBefore = FaultTestSupport.checksums(region)
                            .asSlice(winStart / bs * Integer.BYTES, (winEnd - winStart) / bs * Integer.BYTES).toArray(ValueLayout.JAVA_BYTE);
                    try {
                        apply(memory, op, scratch, rnd);
                        System.arraycopy(op.bytes(), 0, model, (int) op.offset(), op.bytes().length);
                    } catch (IntegrityException e) {
                        refusals++;
                        assertEquals(ErrorCode.CHECKSUM_MISMATCH, e.code(), e::getMessage);
                        assertTrue(everFlipped.contains(e.block()), () -> "reported block " + e.block() + " was never hit by a flip");
                        byte[] dataAfter = FaultTestSupport.data(region).asSlice(winStart, winEnd - winStart).toArray(ValueLayout.JAVA_BYTE);
                        byte[] sumsAfter = FaultTestSupport.checksums(region)
                                .asSlice(winStart / bs * Integer.BYTES, (winEnd - winStart) / bs * Integer.BYTES).toArray(ValueLayout.JAVA_BYTE);
                        if (!Arrays.equals(dataBefore, dataAfter) || !Arrays.equals(sumsBefore, sumsAfter)) {
                            refusedButChanged++;
                            if (firstRefusedButChanged == null) {
                                firstRefusedButChanged = level + " block size " + bs + ": " + op + " threw " + e.getMessage();
                            }
                            for (int i = 0; i < dataAfter.length; i++) {
                                if (dataAfter[i] != dataBefore[i]) {
                                    long at = winStart + i;
                                    assertTrue(at >= op.offset() && at < op.end(), "a refused write changed a byte outside its range");
                                    assertEquals(op.bytes()[(int) (at - op.offset())], dataAfter[i], "a refused write left unintended bytes");
                                    model[(int) at] = dataAfter[i];
                                }
                            }
                        }
                    }
                }

                TreeSet<Long> reportedBlocks = new TreeSet<>();
                for (long b = memory.findCorruptBlock(0); b >= 0; b = memory.findCorruptBlock(b + 1)) {
                    reportedBlocks.add(b);
                }
                reported += reportedBlocks.size();
                for (long b = 0; b < region.blockCount(); b++) {
                    boolean differs = !Arrays.equals(blockInMemory(region, b),
                            Arrays.copyOfRange(model, (int) (b * bs), (int) (b * bs + bs)));
                    if (differs) {
                        corrupted++;
                        if (!reportedBlocks.contains(b)) {
                            laundered++;
                        }
                    } else if (reportedBlocks.contains(b)) {
                        stale++;
                    }
                }
                for (long b : reportedBlocks) {
                    assertTrue(everFlipped.contains(b), "block " + b + " reported but never hit by a flip");
                }
            }
        }
        System.out.printf(Locale.ROOT, "[no-laundering] randomized %s rate %s: flips=%d, ops=%d (refused %d), blocks corrupted=%d, blocks reported=%d (stale alarms %d), laundered=%d, refused-but-changed=%d%n",
                level, rate, flips, ops, refusals, corrupted, reported, stale, laundered, refusedButChanged);
        assertEquals(0, laundered, "I1: a block differs from the intended data and is not reported");
        assertTrue(corrupted > 0 && flips > 1000, "the run must have produced corruption to look for");
        assertEquals(0, refusedButChanged, "an IntegrityException from a write must leave the region unchanged; first: "
                + firstRefusedButChanged);
    }

    // ---------------------------------------------------------------- operations

    /** Heals a block legitimately: a write covering it whole takes its checksum from the caller's bytes. */
    private static void heal(SafeMemoryHandler memory, byte[] model, long block, int bs) {
        memory.write(block * bs, model, (int) (block * bs), bs);
        assertDoesNotThrow(memory::verifyIntegrity);
    }

    private static int lengthOf(Kind kind, SplittableRandom rnd, int maxBulk) {
        return switch (kind) {
            case PUT_BYTE -> 1;
            case PUT_SHORT -> 2;
            case PUT_INT -> 4;
            case PUT_LONG -> 8;
            default -> 1 + rnd.nextInt(maxBulk);
        };
    }

    /**
     * A random operation touching {@code block} without covering it whole and without touching
     * byte {@code avoid} (-1: no constraint); it may reach into the neighbour blocks.
     */
    private static Op partialOpInto(SplittableRandom rnd, CheckedRegion region, long block, long avoid, Kind[] kinds, byte[] model) {
        int bs = region.blockSize();
        long capacity = region.capacity();
        long bStart = block * bs;
        long bEnd = Math.min(capacity, bStart + bs);
        for (int attempt = 0; ; attempt++) {
            if (attempt > 10_000) {
                fail("no partial range into block " + block + " avoiding " + avoid);
            }
            Kind kind = kinds[rnd.nextInt(kinds.length)];
            int len = lengthOf(kind, rnd, bs + bs / 2);
            long start = bStart - len + 1 + rnd.nextLong(bEnd - bStart + len - 1);
            long end = start + len;
            if (start < 0 || end > capacity || (start <= bStart && end >= bStart + bs)
                    || (avoid >= start && avoid < end)) {
                continue;
            }
            return op(rnd, kind, start, len, model, region);
        }
    }

    /** A random partial write, fill or scalar put into {@code block} that covers byte {@code x}. */
    private static Op partialOpCovering(SplittableRandom rnd, CheckedRegion region, long block, long x) {
        int bs = region.blockSize();
        for (;;) {
            Kind kind = WRITE_KINDS[rnd.nextInt(WRITE_KINDS.length)];
            int len = lengthOf(kind, rnd, bs - 1);
            long start = x - rnd.nextInt(len);
            long end = start + len;
            if (start < 0 || end > region.capacity() || (start <= block * bs && end >= block * bs + bs)) {
                continue;
            }
            return op(rnd, kind, start, len, null, region);
        }
    }

    /** Any operation near {@code block}: partial or whole-block, up to three blocks long, or a copy. */
    private static Op opNear(SplittableRandom rnd, CheckedRegion region, long block, byte[] model) {
        int bs = region.blockSize();
        long capacity = region.capacity();
        Kind kind = Kind.values()[rnd.nextInt(Kind.values().length)];
        int len = (int) Math.min(capacity, lengthOf(kind, rnd, 3 * bs));
        long start = Math.max(0, Math.min(capacity - len, block * bs - rnd.nextInt(bs) + rnd.nextInt(bs)));
        return op(rnd, kind, start, len, model, region);
    }

    private static Op op(SplittableRandom rnd, Kind kind, long start, int len, byte[] model, CheckedRegion region) {
        byte[] bytes = new byte[len];
        long source = -1;
        switch (kind) {
            case FILL -> Arrays.fill(bytes, (byte) rnd.nextInt(256));
            case COPY_WITHIN -> {
                source = rnd.nextLong(region.capacity() - len + 1);
                System.arraycopy(model, (int) source, bytes, 0, len);
            }
            default -> rnd.nextBytes(bytes);
        }
        return new Op(kind, start, bytes, source);
    }

    private static void apply(SafeMemoryHandler memory, Op op, MemorySegment scratch, SplittableRandom rnd) {
        byte[] b = op.bytes();
        long at = op.offset();
        ByteBuffer le = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        switch (op.kind()) {
            case WRITE_ARRAY -> {
                int pad = rnd.nextInt(8);
                byte[] src = new byte[pad + b.length + rnd.nextInt(8)];
                System.arraycopy(b, 0, src, pad, b.length);
                memory.write(at, src, pad, b.length);
            }
            case WRITE_SEGMENT -> {
                long pad = rnd.nextInt(8);
                MemorySegment.copy(b, 0, scratch, ValueLayout.JAVA_BYTE, pad, b.length);
                memory.write(at, scratch, pad, b.length);
            }
            case FILL -> memory.fill(at, b.length, b[0]);
            case PUT_BYTE -> memory.putByte(at, b[0]);
            case PUT_SHORT -> memory.putShort(at, le.getShort(0));
            case PUT_INT -> memory.putInt(at, le.getInt(0));
            case PUT_LONG -> memory.putLong(at, le.getLong(0));
            case COPY_WITHIN -> memory.copyWithin(op.source(), at, b.length);
        }
    }
}
