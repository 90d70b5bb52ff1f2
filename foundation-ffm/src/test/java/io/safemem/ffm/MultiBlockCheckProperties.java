package io.safemem.ffm;

import io.safemem.IntegrityException;
import io.safemem.VerificationLevel;
import io.safemem.ffm.testing.FaultInjector;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.zip.CRC32C;

import static io.safemem.ffm.FaultTestSupport.snapshotData;
import static io.safemem.ffm.FaultTestSupport.storedChecksum;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The engine's checks of several blocks at once (behind {@code findCorruptBlock},
 * {@code verifyRange}, and bulk reads of both owners: {@code readInto} and the snapshot reads)
 * report exactly what an independent oracle, one {@link CRC32C} per block in this test, reports:
 * which blocks are corrupt, and the first of a range. On structured patterns (bits of adjacent
 * blocks and their checksums at the same and shifted positions, bursts of up to 32 bits across a
 * block boundary), low-weight patterns that cancel in a check folding the blocks into one 32-bit
 * value (found by search, using CRC linearity), random patterns, and every 2-bit pattern of four
 * blocks of 16 bytes and their checksums.
 *
 * <p>{@link #foldPasses} models such a folded check (each block's checksum XOR-ed into the next
 * block's first word, one CRC32C pass): the tally counts the corrupt patterns it would have
 * passed, to show the patterns reach the cases a folded check gets wrong.
 */
class MultiBlockCheckProperties {

    /** The CRC32C (Castagnoli) polynomial, without its x^32 term, most significant bit first. */
    private static final int POLY = 0x1EDC6F41;
    /** Per family: patterns tried, patterns with a corrupt block, corrupt patterns a fold passes. */
    private static final Map<String, long[]> TALLY = new ConcurrentSkipListMap<>();
    /** Per block shift: the 4-bit patterns over blocks [0, 3) that cancel in a fold. */
    private static final Map<Integer, List<List<Bit>>> CANCELLING = new ConcurrentHashMap<>();

    /** Structured patterns, each made for {@code k} blocks of {@code bs} bytes. */
    enum Family {
        /** Bit b of block i's checksum and of block i+1's first word: cancels in a fold; once or twice. */
        FOLD_PAIRS,
        /** Bit b of block i's checksum and bit b + s (s in 1..63) from the start of block i+1. */
        SHIFTED_PAIR,
        /** Bit p of block i and bit p + s (s in -8..8) of block i+1. */
        ADJACENT_DATA,
        /** Bit b of block i's checksum and bit b + s (s in 0..31, mod 32) of block i+1's. */
        ADJACENT_SUMS,
        /** 2 to 32 bits, first and last set, the rest random, across the boundary of blocks i and i+1. */
        BOUNDARY_BURST,
        /** 1 to 6 bits anywhere in the data and the checksums. */
        RANDOM;

        List<Bit> make(int bs, int k, SplittableRandom rnd) {
            List<Bit> bits = new ArrayList<>();
            int i = rnd.nextInt(k - 1);
            long next = (long) (i + 1) * bs * Byte.SIZE;
            int b = rnd.nextInt(Integer.SIZE);
            switch (this) {
                case FOLD_PAIRS -> {
                    bits.add(Bit.sum(i, b));
                    bits.add(Bit.data(next + b));
                    if (rnd.nextBoolean()) {
                        int j = rnd.nextInt(k - 1);
                        int c = rnd.nextInt(Integer.SIZE);
                        bits.add(Bit.sum(j, c));
                        bits.add(Bit.data((long) (j + 1) * bs * Byte.SIZE + c));
                    }
                }
                case SHIFTED_PAIR -> {
                    bits.add(Bit.sum(i, b));
                    bits.add(Bit.data(next + b + 1 + rnd.nextInt(63)));
                }
                case ADJACENT_DATA -> {
                    int p = rnd.nextInt(bs * Byte.SIZE);
                    int shifted = Math.clamp(p + rnd.nextInt(-8, 9), 0, bs * Byte.SIZE - 1);
                    bits.add(Bit.data(next - (long) bs * Byte.SIZE + p));
                    bits.add(Bit.data(next + shifted));
                }
                case ADJACENT_SUMS -> {
                    bits.add(Bit.sum(i, b));
                    bits.add(Bit.sum(i + 1, (b + rnd.nextInt(Integer.SIZE)) & 31));
                }
                case BOUNDARY_BURST -> {
                    int len = 2 + rnd.nextInt(31);
                    long start = next - 1 - rnd.nextInt(len - 1);
                    bits.add(Bit.data(start));
                    for (int j = 1; j < len - 1; j++) {
                        if (rnd.nextBoolean()) {
                            bits.add(Bit.data(start + j));
                        }
                    }
                    bits.add(Bit.data(start + len - 1));
                }
                case RANDOM -> {
                    for (int n = 1 + rnd.nextInt(6); n > 0; n--) {
                        bits.add(rnd.nextInt(8) == 0 ? Bit.sum(rnd.nextInt(k), rnd.nextInt(Integer.SIZE))
                                : Bit.data(rnd.nextLong((long) k * bs * Byte.SIZE)));
                    }
                }
            }
            return bits;
        }
    }

    /**
     * One flipped bit: of the data ({@code index} = byte offset * 8 + bit) or of the checksum
     * table ({@code index} = block * 32 + bit).
     */
    record Bit(boolean inSum, long index) {
        static Bit data(long index) {
            return new Bit(false, index);
        }

        static Bit sum(long block, int bit) {
            return new Bit(true, block * Integer.SIZE + bit);
        }

        Bit movedBy(long blocks, int bs) {
            return new Bit(inSum, index + blocks * (inSum ? Integer.SIZE : bs * Byte.SIZE));
        }
    }

    @Property(tries = 1500)
    void structuredAndRandomPatternsAreReportedAsCheckingEachBlockAloneReportsThem(
            @ForAll Family family, @ForAll @IntRange(min = 4, max = 12) int shift,
            @ForAll @IntRange(min = 3, max = 8) int k, @ForAll long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        check(family.name(), shift, k, family.make(1 << shift, k, rnd), rnd);
    }

    @Property(tries = 200)
    void lowWeightPatternsThatCancelAFoldAreReportedAsCheckingEachBlockAloneReportsThem(
            @ForAll @IntRange(min = 11, max = 12) int shift, @ForAll @IntRange(min = 3, max = 8) int k,
            @ForAll long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<List<Bit>> pool = CANCELLING.computeIfAbsent(shift, MultiBlockCheckProperties::cancellingPatterns);
        long at = rnd.nextInt(k - 2);
        List<Bit> pattern = pool.get(rnd.nextInt(pool.size())).stream().map(bit -> bit.movedBy(at, 1 << shift)).toList();
        check("SEARCHED_WEIGHT_4", shift, k, pattern, rnd);
    }

    /**
     * Every pattern of two flipped bits in four blocks of 16 bytes and their four checksums
     * (640 bits), through the engine's package-private checks that both owners use, which report
     * without throwing: {@code firstMismatch} enumerating every corrupt block, and
     * {@code readInto} (its snapshot and its check) of the whole region and of two unaligned
     * ranges.
     */
    @Example
    void everyTwoBitPatternIsReportedAsCheckingEachBlockAloneReportsIt() {
        int bs = 16;
        int k = 4;
        List<Bit> bits = new ArrayList<>();
        for (long d = 0; d < (long) k * bs * Byte.SIZE; d++) {
            bits.add(Bit.data(d));
        }
        for (int block = 0; block < k; block++) {
            for (int b = 0; b < Integer.SIZE; b++) {
                bits.add(Bit.sum(block, b));
            }
        }
        long tried = 0;
        long foldPassed = 0;
        List<String> disagreements = new ArrayList<>();
        try (FixedArena arena = FixedArena.ofShared(1 << 16)) {
            CheckedRegion region = region(arena, bs, k);
            Model model = new Model(region.handler(), new SplittableRandom(0x16_0002L));
            ChecksumEngine engine = new ChecksumEngine(region, new RegionCounters(), 0);
            FaultInjector faults = FaultInjector.of(region, 0);
            byte[] dst = new byte[k * bs];
            for (int x = 0; x < bits.size(); x++) {
                for (int y = x + 1; y < bits.size(); y++) {
                    model.flip(faults, bits.get(x));
                    model.flip(faults, bits.get(y));
                    long[] corrupt = model.corruptBlocks();
                    assertTrue(corrupt.length > 0, "CRC32C misses no 2-bit pattern in a 16-byte block");
                    long[] found = new long[k + 1];
                    int n = 0;
                    for (long b = engine.firstMismatch(0, k); b >= 0; b = engine.firstMismatch(b + 1, k)) {
                        found[n++] = b;
                    }
                    long first = corrupt[0];
                    long firstAfter0 = firstIn(corrupt, 1, k - 1);
                    if (!Arrays.equals(corrupt, Arrays.copyOf(found, n))
                            || engine.readInto(0, dst, 0, k * bs, true) != first
                            || engine.readInto(1, dst, 0, k * bs - 2, true) != first
                            || engine.readInto(bs + 3, dst, 0, k * bs - bs - 4, true) != firstAfter0) {
                        disagreements.add(bits.get(x) + " and " + bits.get(y) + ": the oracle reports " + Arrays.toString(corrupt));
                    }
                    tried++;
                    foldPassed += model.foldPasses() ? 1 : 0;
                    model.flip(faults, bits.get(x));
                    model.flip(faults, bits.get(y));
                }
            }
        }
        System.out.printf(Locale.ROOT, "[multi-block] every 2-bit pattern of %d blocks of %d bytes and their checksums: %d patterns,"
                + " %d disagreements with the per-block oracle (a folded check would have passed %d of them)%n",
                k, bs, tried, disagreements.size(), foldPassed);
        assertEquals(0, disagreements.size(), () -> "the first: " + disagreements.subList(0, Math.min(5, disagreements.size())));
    }

    @AfterContainer
    static void printTally() {
        CANCELLING.forEach((shift, pool) -> System.out.printf(Locale.ROOT,
                "[multi-block] blocks of %d bytes: %d distinct 4-bit patterns found that cancel in a fold%n", 1 << shift, pool.size()));
        TALLY.forEach((family, t) -> System.out.printf(Locale.ROOT,
                "[multi-block] %-18s %5d patterns, %5d corrupt, %4d a folded check would have passed; 0 disagreements%n",
                family, t[0], t[1], t[2]));
    }

    /**
     * Applies {@code pattern} to {@code k} blocks of {@code 2^shift} random bytes and checks that
     * the handler, then the atomic ops of the same region, report what the oracle reports.
     */
    private static void check(String family, int shift, int k, List<Bit> pattern, SplittableRandom rnd) {
        int bs = 1 << shift;
        int capacity = k * bs;
        try (FixedArena arena = FixedArena.ofShared(2L * capacity + (1 << 16)); Arena scratchArena = Arena.ofConfined()) {
            MemorySegment scratch = scratchArena.allocate(capacity);
            CheckedRegion region = region(arena, bs, k);
            SafeMemoryHandler handler = region.handler();
            Model model = new Model(handler, rnd);
            FaultInjector faults = FaultInjector.of(region, 0);
            for (Bit bit : pattern) {
                model.flip(faults, bit);
            }
            assertArrayEquals(model.data, snapshotData(region), "the model's data is the region's");
            for (int b = 0; b < k; b++) {
                assertEquals(model.sums[b], storedChecksum(region, b), "the model's checksums are the region's");
            }
            long[] corrupt = model.corruptBlocks();
            int off = rnd.nextInt(capacity);
            int len = 1 + rnd.nextInt(capacity - off);
            String what = family + ", " + k + " blocks of " + bs + " bytes, " + pattern + ", range [" + off + ", " + (off + len) + ")";
            assertNull(disagreement(ModelTarget.of(handler), corrupt, off, len, scratch), what);
            assertNull(disagreement(ModelTarget.of(handler.intoAtomicOps()), corrupt, off, len, scratch), what);
            long[] t = TALLY.computeIfAbsent(family, f -> new long[3]);
            synchronized (t) {
                t[0]++;
                t[1] += corrupt.length > 0 ? 1 : 0;
                t[2] += corrupt.length > 0 && model.foldPasses() ? 1 : 0;
            }
        }
    }

    private static CheckedRegion region(FixedArena arena, int bs, int k) {
        return CheckedRegion.builder(arena, (long) k * bs).blockSize(bs).verificationLevel(VerificationLevel.STANDARD).build();
    }

    /**
     * How {@code memory} disagrees with the oracle's {@code corrupt} blocks, or null: the blocks
     * {@code findCorruptBlock} enumerates, and the first block reported by a read of the whole
     * region and by a read into a segment and a {@code verifyRange} of {@code [off, off + len)}.
     */
    private static String disagreement(ModelTarget memory, long[] corrupt, long off, int len, MemorySegment scratch) {
        List<Long> found = new ArrayList<>();
        for (long b = memory.findCorruptBlock(0); b >= 0; b = memory.findCorruptBlock(b + 1)) {
            found.add(b);
        }
        if (!Arrays.equals(corrupt, found.stream().mapToLong(Long::longValue).toArray())) {
            return "findCorruptBlock found " + found + ", the oracle " + Arrays.toString(corrupt);
        }
        CheckedRegion region = memory.region();
        int bs = region.blockSize();
        long wholeRead = reported(() -> memory.read(0, new byte[(int) region.capacity()]));
        if (wholeRead != firstIn(corrupt, 0, region.blockCount() - 1)) {
            return "a read of the whole region reported block " + wholeRead;
        }
        long want = firstIn(corrupt, off / bs, (off + len - 1) / bs);
        long segmentRead = reported(() -> memory.read(off, scratch, 0, len));
        long verified = reported(() -> memory.verifyRange(off, len));
        if (segmentRead != want || verified != want) {
            return "over [" + off + ", " + (off + len) + "), a read into a segment reported block " + segmentRead
                    + " and verifyRange block " + verified + ", the oracle " + want;
        }
        return null;
    }

    /** The block an access reports corrupt, or -1. */
    private static long reported(Runnable access) {
        try {
            access.run();
            return -1;
        } catch (IntegrityException e) {
            return e.block();
        }
    }

    private static long firstIn(long[] corrupt, long first, long last) {
        return Arrays.stream(corrupt).filter(b -> b >= first && b <= last).findFirst().orElse(-1);
    }

    /**
     * Patterns of four bits of blocks [0, 3) and the checksums of blocks 0 and 1 that leave a fold
     * over those blocks unchanged, though each block checked alone is corrupt. A flipped bit
     * {@code d} bits before the end of the fold's input changes its CRC by {@code x^(d + 32)}
     * mod the polynomial, and a checksum bit is fed as the same bit of the next block's first
     * word; so two pairs of bits whose sums of {@code x^d} are equal cancel. A birthday search over
     * 2^18 random pairs (half of them with a checksum bit) finds such pairs of pairs; each is
     * checked against the fold model before use.
     */
    private static List<List<Bit>> cancellingPatterns(int shift) {
        int bs = 1 << shift;
        int bits = 3 * bs * Byte.SIZE;
        int[] pow = new int[bits];
        pow[0] = 1;
        for (int d = 1; d < bits; d++) {
            pow[d] = (pow[d - 1] << 1) ^ (pow[d - 1] < 0 ? POLY : 0);
        }
        SplittableRandom rnd = new SplittableRandom(0x16_0003L + shift);
        int pairs = 1 << 18;
        Bit[][] pair = new Bit[pairs][];
        long[] keyed = new long[pairs];
        for (int r = 0; r < pairs; r++) {
            int a = rnd.nextInt(bits);
            int block = rnd.nextInt(2);
            int b = rnd.nextInt(Integer.SIZE);
            boolean withSum = r % 2 == 0;
            int aliased = withSum ? (block + 1) * bs * Byte.SIZE + b : rnd.nextInt(bits);
            pair[r] = new Bit[] {Bit.data(a), withSum ? Bit.sum(block, b) : Bit.data(aliased)};
            keyed[r] = (long) (pow[bits - 1 - a] ^ pow[bits - 1 - aliased]) << 32 | r;
        }
        Arrays.sort(keyed);
        List<List<Bit>> found = new ArrayList<>();
        for (int r = 1; r < pairs; r++) {
            if (keyed[r] >>> 32 == keyed[r - 1] >>> 32) {
                List<Bit> pattern = List.of(pair[(int) keyed[r - 1]][0], pair[(int) keyed[r - 1]][1],
                        pair[(int) keyed[r]][0], pair[(int) keyed[r]][1]);
                if (isCancellingAndCorrupt(pattern, shift)) {
                    found.add(pattern);
                }
            }
        }
        assertFalse(found.isEmpty(), "the search found no cancelling pattern for blocks of " + bs + " bytes");
        return found;
    }

    /** Whether {@code pattern} leaves a fold over three random blocks passing with a block corrupt. */
    private static boolean isCancellingAndCorrupt(List<Bit> pattern, int shift) {
        try (FixedArena arena = FixedArena.ofShared((6L << shift) + (1 << 16))) {
            CheckedRegion region = region(arena, 1 << shift, 3);
            Model model = new Model(region.handler(), new SplittableRandom(pattern.hashCode()));
            FaultInjector faults = FaultInjector.of(region, 0);
            for (Bit bit : pattern) {
                model.flip(faults, bit);
            }
            return model.foldPasses() && model.corruptBlocks().length > 0;
        }
    }

    /** The region's contents and checksums as the test flipped them, and the oracle over them. */
    private static final class Model {
        final int bs;
        final int k;
        final byte[] data;
        final int[] sums;
        private final CRC32C crc = new CRC32C();

        /** Writes random contents through {@code handler} and records them and their checksums. */
        Model(SafeMemoryHandler handler, SplittableRandom rnd) {
            CheckedRegion region = handler.provider();
            bs = region.blockSize();
            k = (int) region.blockCount();
            data = new byte[k * bs];
            rnd.nextBytes(data);
            handler.write(0, data);
            sums = new int[k];
            for (int b = 0; b < k; b++) {
                sums[b] = crcOfBlock(b);
            }
        }

        void flip(FaultInjector faults, Bit bit) {
            if (bit.inSum()) {
                int block = (int) (bit.index() / Integer.SIZE);
                int in = (int) (bit.index() % Integer.SIZE);
                faults.flipChecksumBit(block, in);
                sums[block] ^= 1 << in;
            } else {
                int at = (int) (bit.index() / Byte.SIZE);
                int in = (int) (bit.index() % Byte.SIZE);
                faults.flipDataBit(at, in);
                data[at] ^= (byte) (1 << in);
            }
        }

        /** The oracle: the blocks whose CRC32C, each computed on its own, is not their checksum. */
        long[] corruptBlocks() {
            int n = 0;
            long[] corrupt = new long[k];
            for (int b = 0; b < k; b++) {
                if (crcOfBlock(b) != sums[b]) {
                    corrupt[n++] = b;
                }
            }
            return Arrays.copyOf(corrupt, n);
        }

        /**
         * Whether a check folding all blocks into one CRC32C pass would call them clean: each
         * block's checksum, XOR-ed with that of a zero block, XOR-ed into the next block's first
         * little-endian word (the last one's fed after the blocks), equal to the pass over zeros.
         */
        boolean foldPasses() {
            byte[] zeros = new byte[k * bs + Integer.BYTES];
            int zero = crcOf(zeros, 0, bs);
            byte[] folded = Arrays.copyOf(data, k * bs + Integer.BYTES);
            for (int b = 0; b < k; b++) {
                for (int j = 0; j < Integer.BYTES; j++) {
                    folded[(b + 1) * bs + j] ^= (byte) ((sums[b] ^ zero) >>> (Byte.SIZE * j));
                }
            }
            return crcOf(folded, 0, folded.length) == crcOf(zeros, 0, zeros.length);
        }

        private int crcOfBlock(int block) {
            return crcOf(data, block * bs, bs);
        }

        private int crcOf(byte[] bytes, int off, int len) {
            crc.reset();
            crc.update(bytes, off, len);
            return (int) crc.getValue();
        }
    }
}
