package io.safemem.ffm;

import io.safemem.MemoryStatistics;
import io.safemem.VerificationLevel;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Locale;
import java.util.SplittableRandom;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Invariant I3, bounded cost: the work of a write, fill, scalar put or read, measured as the
 * region's own {@code checksummedBytes()} and {@code verifications()} counters, is the same in a
 * 64 KiB region as in a 1 GiB one, and stays within
 * <pre>
 *   checksummed bytes &lt;= bytes written + 2 * blockSize * (partially covered edge blocks, at most 2)
 *                        + (FULL only) blockSize * (blocks the write touches, read back)
 * </pre>
 * (each edge block costs at most one block to verify and one to checksum merged, or, unverified,
 * twice the bytes from the edge on). A read verifies exactly the blocks it touches.
 *
 * <p>Both regions are built with the same sampling seed and see the same operations, so their
 * SAMPLING decisions are the same: costs are compared operation by operation, exactly. The
 * operations run at the same offsets relative to a base, which is 0 in the small region and
 * {@code 1 GiB - 64 KiB} (the far end) in the large one.
 */
class BoundedCostTest {

    private static final long SMALL = 64 * 1024;
    private static final long LARGE = 1L << 30;
    private static final int REPS = 8;
    private static final double SAMPLING_RATE = 0.5;

    private enum Op {
        WRITE_64_ALIGNED("write 64 aligned"),
        WRITE_64_STRADDLE("write 64 straddling"),
        WRITE_4K("write 4 KiB"),
        FILL("fill 3000"),
        PUT_LONG("putLong straddling"),
        READ_64("read 64");

        final String label;

        Op(String label) {
            this.label = label;
        }

        long offset(int bs) {
            return switch (this) {
                case WRITE_64_ALIGNED -> 2L * bs;
                case WRITE_64_STRADDLE -> 3L * bs - 32;
                case WRITE_4K -> 5L * bs + 100;
                case FILL -> 10L * bs + 7;
                case PUT_LONG -> 12L * bs - 3;
                case READ_64 -> 14L * bs - 20;
            };
        }

        int length() {
            return switch (this) {
                case WRITE_64_ALIGNED, WRITE_64_STRADDLE, READ_64 -> 64;
                case WRITE_4K -> 4096;
                case FILL -> 3000;
                case PUT_LONG -> Long.BYTES;
            };
        }
    }

    private record Cost(long checksummed, long verifications, long written) {
    }

    /** Geometry of an operation's range in blocks. */
    private record Span(long touched, int edges) {
        static Span of(long off, long len, int bs) {
            long first = off / bs;
            long last = (off + len - 1) / bs;
            long end = off + len;
            boolean head = off % bs != 0 || (first == last && end % bs != 0);
            boolean tail = first != last && end % bs != 0;
            return new Span(last - first + 1, (head ? 1 : 0) + (tail ? 1 : 0));
        }
    }

    @ParameterizedTest(name = "block size {0}")
    @ValueSource(ints = {64, 256, 4096})
    void perOperationCostIsTheSameInA64KiBAndA1GiBRegionAndBounded(int bs) {
        SplittableRandom rnd = new SplittableRandom(bs);
        byte[] payload = new byte[4096];
        try (FixedArena arena = FixedArena.ofShared(footprint(SMALL, bs) + footprint(LARGE, bs))) {
            CheckedRegion small = build(arena, SMALL, bs, "cost-64KiB-" + bs);
            CheckedRegion large = build(arena, LARGE, bs, "cost-1GiB-" + bs);
            assertEquals(LARGE / bs, large.blockCount());
            SafeMemoryHandler smallMemory = small.handler();
            SafeMemoryHandler largeMemory = large.handler();
            long smallBase = 0;
            long largeBase = LARGE - SMALL;

            for (VerificationLevel level : new VerificationLevel[] {
                    VerificationLevel.SAMPLING, VerificationLevel.STANDARD, VerificationLevel.FULL}) {
                smallMemory.setVerificationLevel(level);
                largeMemory.setVerificationLevel(level);
                StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "[I3] bs=%-4d %-8s", bs, level));
                for (Op op : Op.values()) {
                    TreeSet<Long> bytesSeen = new TreeSet<>();
                    TreeSet<Long> verificationsSeen = new TreeSet<>();
                    for (int rep = 0; rep < REPS; rep++) {
                        rnd.nextBytes(payload);
                        Cost inSmall = run(smallMemory, op, smallBase, bs, payload);
                        Cost inLarge = run(largeMemory, op, largeBase, bs, payload);
                        String what = op.label + " at " + level + ", block size " + bs + ", repetition " + rep;
                        assertEquals(inSmall, inLarge, () -> what + ": cost differs between the 64 KiB and the 1 GiB region");
                        assertBounded(op, bs, level, inSmall, what);
                        bytesSeen.add(inSmall.checksummed());
                        verificationsSeen.add(inSmall.verifications());
                    }
                    line.append(String.format(Locale.ROOT, " | %s: %s B, %s verif. (bound %d B)", op.label,
                            join(bytesSeen), join(verificationsSeen), bound(op, bs, level)));
                }
                System.out.println(line.append(" | 64 KiB region == 1 GiB region"));
            }

            // The counter does see region-sized work when there is some: a whole-region check.
            MemoryStatistics stats = large.statistics();
            long before = stats.checksummedBytes();
            largeMemory.verifyIntegrity();
            assertEquals(LARGE, stats.checksummedBytes() - before, "verifyIntegrity checksums the whole region");
        }
    }

    private static Cost run(SafeMemoryHandler memory, Op op, long base, int bs, byte[] payload) {
        MemoryStatistics stats = memory.provider().statistics();
        long bytes = stats.checksummedBytes();
        long verifications = stats.verifications();
        long written = stats.bytesWritten();
        long at = base + op.offset(bs);
        switch (op) {
            case WRITE_64_ALIGNED, WRITE_64_STRADDLE, WRITE_4K -> memory.write(at, payload, 0, op.length());
            case FILL -> memory.fill(at, op.length(), payload[0]);
            case PUT_LONG -> memory.putLong(at, 0x0123_4567_89AB_CDEFL ^ payload[1]);
            case READ_64 -> memory.read(at, new byte[op.length()]);
        }
        return new Cost(stats.checksummedBytes() - bytes, stats.verifications() - verifications,
                stats.bytesWritten() - written);
    }

    private static long bound(Op op, int bs, VerificationLevel level) {
        Span span = Span.of(op.offset(bs), op.length(), bs);
        if (op == Op.READ_64) {
            return span.touched() * bs;
        }
        return op.length() + 2L * bs * span.edges() + (level.verifiesAfterWrite() ? span.touched() * bs : 0);
    }

    private static void assertBounded(Op op, int bs, VerificationLevel level, Cost cost, String what) {
        Span span = Span.of(op.offset(bs), op.length(), bs);
        if (op == Op.READ_64) {
            assertEquals(0, cost.written(), what);
            boolean verified = cost.verifications() != 0;
            assertTrue(verified || level == VerificationLevel.SAMPLING, () -> what + ": only SAMPLING may skip a read");
            assertEquals(verified ? span.touched() : 0, cost.verifications(), () -> what + ": a read verifies the blocks it touches");
            assertEquals(verified ? span.touched() * bs : 0, cost.checksummed(), () -> what + ": a read checksums the blocks it touches");
            return;
        }
        assertEquals(op.length(), cost.written(), what);
        long bound = bound(op, bs, level);
        assertTrue(cost.checksummed() <= bound, () -> what + ": checksummed " + cost.checksummed() + " > bound " + bound);
        if (op != Op.FILL) { // a fill checksums one full block for all its full blocks
            assertTrue(cost.checksummed() >= op.length(), () -> what + ": every written byte goes into a checksum");
        }
        long readBack = level.verifiesAfterWrite() ? span.touched() : 0;
        switch (level) {
            case SAMPLING -> assertTrue(cost.verifications() == 0 || cost.verifications() == span.edges(),
                    () -> what + ": SAMPLING verifies both edges or none, got " + cost.verifications());
            case STANDARD, FULL -> assertEquals(span.edges() + readBack, cost.verifications(),
                    () -> what + ": edges verified" + (readBack > 0 ? " plus the written blocks read back" : ""));
            default -> throw new AssertionError(level);
        }
    }

    private static CheckedRegion build(FixedArena arena, long capacity, int bs, String name) {
        return CheckedRegion.builder(arena, capacity).name(name).blockSize(bs)
                .verificationLevel(VerificationLevel.STANDARD)
                .samplingRate(SAMPLING_RATE).samplingSeed(0xC057L)
                .build();
    }

    /** Arena bytes a region needs: header, checksum table and data, with alignment padding (see CheckedRegion.Builder.build). */
    private static long footprint(long capacity, int bs) {
        long blocks = (capacity + bs - 1) / bs;
        long alignment = Math.min(bs, 4096);
        long dataStart = (64 + blocks * Integer.BYTES + alignment - 1) / alignment * alignment;
        return Math.max(alignment, 64) + dataStart + blocks * bs;
    }

    private static String join(TreeSet<Long> values) {
        StringBuilder sb = new StringBuilder();
        for (long v : values.descendingSet()) {
            sb.append(sb.isEmpty() ? "" : "/").append(v);
        }
        return sb.toString();
    }
}
