package io.safemem.ffm;

import io.safemem.ErrorCode;
import io.safemem.IntegrityException;
import io.safemem.Slice;
import io.safemem.VerificationLevel;
import io.safemem.ffm.testing.FaultInjector;
import io.safemem.ffm.testing.FaultInjector.Flip;
import io.safemem.ffm.testing.FaultInjector.Target;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;

import static io.safemem.ffm.FaultTestSupport.assertMemoryEqualsModel;
import static io.safemem.ffm.FaultTestSupport.assertReportsBlock;
import static io.safemem.ffm.FaultTestSupport.assertReportsFlip;
import static io.safemem.ffm.FaultTestSupport.writeRandomContent;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Random single-bit flips, in data and in the checksum table, against every verification level:
 * which accesses notice them, and whether what they report is right.
 *
 * <p>Per level, 10,000 flips from {@link FaultInjector#flipRandomBit()} (data and checksums in
 * proportion to their sizes), 10,000 data-only and 10,000 checksum-only flips, spread round-robin
 * over three regions (block sizes 64, 256 and 4096, capacities that leave the last block partly
 * padding) filled with random contents through the handler. After each flip, one access covering
 * it, in turn: a bulk read, a slice borrow, {@code verifyRange}, {@code verifyIntegrity()}; at
 * {@code FULL} first a scalar read covering it; then the scrubber ({@code verifyIntegrity()});
 * then the flip is undone and the region must verify clean again.
 */
class FaultDetectionTest {

    private static final int FLIPS_PER_RUN = 10_000;
    private static final double SAMPLING_RATE = 0.25;
    private static final int[] BLOCK_SIZES = {64, 256, 4096};
    /** Deliberately not multiples of the block size: the last block is partly padding. */
    private static final long[] CAPACITIES = {24 * 1024 - 5, 24 * 1024 - 77, 40 * 1024 - 1000};

    private enum Access { READ, SLICE, VERIFY_RANGE, VERIFY_INTEGRITY }

    private enum Run { MIXED, DATA_ONLY, CHECKSUM_ONLY }

    /** One region under attack. */
    private static final class Subject {
        final CheckedRegion region;
        final SafeMemoryHandler memory;
        final FaultInjector faults;
        final byte[] model;
        long reportedExceptions;

        Subject(CheckedRegion region, long seed, SplittableRandom rnd) {
            this.region = region;
            this.memory = region.handler();
            this.faults = FaultInjector.of(region, seed);
            this.model = new byte[FaultTestSupport.paddedSize(region)];
            writeRandomContent(memory, model, rnd);
            assertMemoryEqualsModel(region, model);
            memory.verifyIntegrity();
        }
    }

    private static final class Tally {
        final EnumMap<Access, long[]> byAccess = new EnumMap<>(Access.class); // {tried, detected}
        final EnumMap<Run, Long> flipsByRun = new EnumMap<>(Run.class);
        long flips;
        long dataFlips;
        long checksumFlips;
        long scalarTried;
        long scalarDetected;
        long scrubDetected;

        Tally() {
            for (Access a : Access.values()) {
                byAccess.put(a, new long[2]);
            }
        }

        long accessTried() {
            return byAccess.values().stream().mapToLong(v -> v[0]).sum();
        }

        long accessDetected() {
            return byAccess.values().stream().mapToLong(v -> v[1]).sum();
        }

        long[] of(Access... kinds) {
            long[] sum = new long[2];
            for (Access a : kinds) {
                sum[0] += byAccess.get(a)[0];
                sum[1] += byAccess.get(a)[1];
            }
            return sum;
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(VerificationLevel.class)
    void everySingleBitFlipIsReportedByTheNextAccessThatCoversIt(VerificationLevel level) {
        SplittableRandom rnd = new SplittableRandom(0xF11B_0000L + level.ordinal());
        Tally tally = new Tally();
        try (FixedArena arena = FixedArena.ofConfined(1 << 20); Arena scratchArena = Arena.ofConfined()) {
            MemorySegment scratch = scratchArena.allocate(64 * 1024);
            Subject[] subjects = new Subject[BLOCK_SIZES.length];
            for (int i = 0; i < subjects.length; i++) {
                CheckedRegion region = CheckedRegion.builder(arena, CAPACITIES[i])
                        .name("detect-" + level + "-" + BLOCK_SIZES[i])
                        .blockSize(BLOCK_SIZES[i])
                        .verificationLevel(level)
                        .samplingRate(SAMPLING_RATE)
                        .samplingSeed(0x5A_0000L + i)
                        .build();
                subjects[i] = new Subject(region, 4242L + i, rnd);
            }
            long[] failuresBefore = new long[subjects.length];
            long[] skipsBefore = new long[subjects.length];
            for (int i = 0; i < subjects.length; i++) {
                failuresBefore[i] = subjects[i].region.statistics().integrityFailures();
                skipsBefore[i] = subjects[i].region.statistics().sampledSkips();
            }
            long sampledMisses = 0;

            for (Run run : Run.values()) {
                tally.flipsByRun.put(run, (long) FLIPS_PER_RUN);
                for (int n = 0; n < FLIPS_PER_RUN; n++) {
                    Subject s = subjects[n % subjects.length];
                    Access access = Access.values()[n % Access.values().length];
                    Flip flip = switch (run) {
                        case MIXED -> s.faults.flipRandomBit();
                        case DATA_ONLY -> s.faults.flipRandomDataBit();
                        case CHECKSUM_ONLY -> s.faults.flipRandomChecksumBit();
                    };
                    tally.flips++;
                    if (flip.target() == Target.DATA) {
                        tally.dataFlips++;
                    } else {
                        tally.checksumFlips++;
                    }
                    long target = coveredByte(s.region, flip, rnd);

                    if (level == VerificationLevel.OFF && flip.target() == Target.DATA) {
                        // The corruption is really there and OFF hands it out unnoticed.
                        byte seen = assertDoesNotThrow(() -> s.memory.getByte(flip.byteOffset()));
                        assertEquals((byte) (s.model[(int) flip.byteOffset()] ^ (1 << flip.bit())), seen);
                    }

                    if (level.verifiesScalarReads()) {
                        tally.scalarTried++;
                        IntegrityException e = scalarReadCovering(s, target, rnd);
                        assertNotNull(e, () -> level + ": scalar read covering " + flip + " did not report it");
                        assertReportsFlip(e, s.region, flip, ErrorCode.CHECKSUM_MISMATCH);
                        s.reportedExceptions++;
                        tally.scalarDetected++;
                    }

                    long[] counts = tally.byAccess.get(access);
                    counts[0]++;
                    IntegrityException e = access(s, access, target, n, rnd, scratch);
                    switch (level) {
                        case OFF -> assertNull(e, "OFF keeps no checksums and must never report");
                        case SAMPLING -> {
                            if (e == null && (access == Access.READ || access == Access.SLICE)) {
                                sampledMisses++;
                            }
                        }
                        case STANDARD, FULL -> assertNotNull(e,
                                () -> level + ": " + access + " covering " + flip + " did not report it");
                    }
                    if (e != null) {
                        assertReportsFlip(e, s.region, flip, ErrorCode.CHECKSUM_MISMATCH);
                        s.reportedExceptions++;
                        counts[1]++;
                    }

                    // The scrubber: a whole-region check.
                    IntegrityException scrub = catchIntegrity(s.memory::verifyIntegrity);
                    if (level == VerificationLevel.OFF) {
                        assertNull(scrub, "verifyIntegrity() at OFF checks nothing");
                    } else {
                        assertNotNull(scrub, () -> level + ": verifyIntegrity() missed " + flip);
                        assertReportsFlip(scrub, s.region, flip, ErrorCode.CHECKSUM_MISMATCH);
                        s.reportedExceptions++;
                        tally.scrubDetected++;
                    }

                    s.faults.undo(flip);
                    assertDoesNotThrow(s.memory::verifyIntegrity, "undoing the flip must leave the region clean");
                }
            }

            for (int i = 0; i < subjects.length; i++) {
                Subject s = subjects[i];
                assertEquals(s.reportedExceptions, s.region.statistics().integrityFailures() - failuresBefore[i],
                        "every report must be counted once in integrityFailures()");
                assertMemoryEqualsModel(s.region, s.model); // all flips undone, nothing else changed
            }
            long skips = 0;
            for (int i = 0; i < subjects.length; i++) {
                skips += subjects[i].region.statistics().sampledSkips() - skipsBefore[i];
            }
            if (level == VerificationLevel.SAMPLING) {
                assertEquals(sampledMisses, skips, "every sampled access that missed a flip was a counted skip");
            } else {
                assertEquals(0, skips, "only SAMPLING skips");
            }
        }

        System.out.println(summary(level, tally));
        assertEquals(3L * FLIPS_PER_RUN, tally.flips);
        assertTrue(tally.checksumFlips > FLIPS_PER_RUN && tally.dataFlips > FLIPS_PER_RUN);
        switch (level) {
            case OFF -> {
                assertEquals(0, tally.accessDetected(), "OFF cannot detect corruption");
                assertEquals(0, tally.scrubDetected, "OFF cannot detect corruption");
            }
            case SAMPLING -> {
                long[] sampled = tally.of(Access.READ, Access.SLICE);
                double fraction = (double) sampled[1] / sampled[0];
                assertTrue(fraction >= 0.15 && fraction <= 0.35,
                        "sampled reads and borrows should report about " + SAMPLING_RATE + " of flips, reported " + fraction);
                long[] explicit = tally.of(Access.VERIFY_RANGE, Access.VERIFY_INTEGRITY);
                assertEquals(explicit[0], explicit[1], "explicit checks are never sampled");
                assertEquals(tally.flips, tally.scrubDetected, "the scrubber must find every flip");
            }
            case STANDARD, FULL -> {
                assertEquals(tally.accessTried(), tally.accessDetected(), "every covering access must report");
                assertEquals(tally.flips, tally.scrubDetected);
                if (level == VerificationLevel.FULL) {
                    assertEquals(tally.flips, tally.scalarDetected, "FULL verifies scalar reads");
                }
            }
        }
    }

    /**
     * Several simultaneous flips (one to three bits in each of several distinct random blocks, data
     * or checksum: CRC32C's Hamming distance of at least 4 at these lengths guarantees each block
     * stays detectably corrupt unless its flips cancel): the {@code findCorruptBlock(from)} loop lists exactly the blocks
     * left corrupt, in order, and nothing after the flips are undone.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(VerificationLevel.class)
    void findCorruptBlockListsExactlyTheFlippedBlocks(VerificationLevel level) {
        SplittableRandom rnd = new SplittableRandom(0xB10C_0000L + level.ordinal());
        int trials = 0;
        int blocksListed = 0;
        try (FixedArena arena = FixedArena.ofConfined(1 << 20)) {
            for (int bs : BLOCK_SIZES) {
                CheckedRegion region = CheckedRegion.builder(arena, 48L * bs - 3).blockSize(bs)
                        .name("list-" + level + "-" + bs).verificationLevel(level).build();
                SafeMemoryHandler memory = region.handler();
                writeRandomContent(memory, new byte[FaultTestSupport.paddedSize(region)], rnd);
                FaultInjector faults = FaultInjector.of(region, 77 + bs);
                for (int trial = 0; trial < 100; trial++, trials++) {
                    Set<Flip> net = new HashSet<>();
                    TreeSet<Long> chosen = new TreeSet<>();
                    int corruptBlocks = 1 + rnd.nextInt(12);
                    while (chosen.size() < corruptBlocks) {
                        chosen.add(rnd.nextLong(region.blockCount()));
                    }
                    for (long block : chosen) {
                        int bits = 1 + rnd.nextInt(3);
                        for (int j = 0; j < bits; j++) {
                            long start = block * bs;
                            Flip flip = rnd.nextBoolean()
                                    ? faults.flipRandomDataBitIn(start, Math.min(bs, region.capacity() - start))
                                    : faults.flipChecksumBit(block, rnd.nextInt(32));
                            if (!net.remove(flip)) { // the same bit twice cancels
                                net.add(flip);
                            }
                        }
                    }
                    TreeSet<Long> expected = new TreeSet<>();
                    for (Flip f : net) {
                        expected.add(f.block());
                    }

                    TreeSet<Long> listed = new TreeSet<>();
                    long previous = -1;
                    for (long b = memory.findCorruptBlock(0); b >= 0; b = memory.findCorruptBlock(b + 1)) {
                        assertTrue(b > previous, "blocks are listed in increasing order");
                        previous = b;
                        listed.add(b);
                    }
                    if (level == VerificationLevel.OFF) {
                        assertTrue(listed.isEmpty(), "OFF has no checksums: findCorruptBlock always answers -1");
                    } else {
                        assertEquals(expected, listed, "findCorruptBlock loop must list exactly the corrupt blocks");
                        blocksListed += listed.size();
                        if (!listed.isEmpty()) {
                            IntegrityException e = assertThrows(IntegrityException.class, memory::verifyIntegrity);
                            assertReportsBlock(e, region, listed.first(), ErrorCode.CHECKSUM_MISMATCH);
                        }
                    }
                    for (Flip f : net) {
                        faults.undo(f);
                    }
                    assertEquals(-1, memory.findCorruptBlock(0));
                    assertDoesNotThrow(memory::verifyIntegrity);
                }
            }
        }
        System.out.printf(Locale.ROOT, "[fault-detection] %s: findCorruptBlock loop, %d trials of simultaneous flips, %d corrupt blocks listed%n",
                level, trials, blocksListed);
        if (level != VerificationLevel.OFF) {
            assertTrue(blocksListed > trials, "the trials must have produced corrupt blocks to list");
        }
    }

    /** A flip in the padding past the capacity cannot be made; a flip in the last, partial block is found by reads of its live part. */
    @Test
    void flipInTheLastPartialBlockIsReportedByAReadOfItsLivePart() {
        try (FixedArena arena = FixedArena.ofConfined(1 << 16)) {
            CheckedRegion region = CheckedRegion.builder(arena, 1000).blockSize(256).name("tail").build();
            SafeMemoryHandler memory = region.handler();
            byte[] model = new byte[FaultTestSupport.paddedSize(region)];
            writeRandomContent(memory, model, new SplittableRandom(5));
            FaultInjector faults = FaultInjector.of(region, 5);
            Flip flip = faults.flipDataBit(999, 7);
            IntegrityException e = assertThrows(IntegrityException.class, () -> memory.read(990, new byte[10]));
            assertReportsFlip(e, region, flip, ErrorCode.CHECKSUM_MISMATCH);
            assertEquals(1024, e.blockEnd(), "the reported block end is the padded block end");
            faults.undo(flip);
            Flip sum = faults.flipChecksumBit(3, 31);
            IntegrityException e2 = assertThrows(IntegrityException.class, () -> memory.read(768, new byte[1]));
            assertReportsFlip(e2, region, sum, ErrorCode.CHECKSUM_MISMATCH);
        }
    }

    // ---------------------------------------------------------------- helpers

    /** The byte an access must cover: the flipped byte, or for a checksum flip any live byte of its block. */
    private static long coveredByte(CheckedRegion region, Flip flip, SplittableRandom rnd) {
        if (flip.target() == Target.DATA) {
            return flip.byteOffset();
        }
        long start = flip.block() * region.blockSize();
        long end = Math.min(region.capacity(), start + region.blockSize());
        return start + rnd.nextLong(end - start);
    }

    /** A random range {@code [lo, hi)} containing {@code target}, up to two blocks either side. */
    private static long[] rangeCovering(CheckedRegion region, long target, SplittableRandom rnd) {
        int bs = region.blockSize();
        long lo = Math.max(0, target - rnd.nextInt(2 * bs));
        long hi = Math.min(region.capacity(), target + 1 + rnd.nextInt(2 * bs));
        return new long[] {lo, hi};
    }

    private static IntegrityException access(Subject s, Access access, long target, int n, SplittableRandom rnd,
                                             MemorySegment scratch) {
        long[] range = rangeCovering(s.region, target, rnd);
        long lo = range[0];
        int len = (int) (range[1] - range[0]);
        return catchIntegrity(() -> {
            switch (access) {
                case READ -> {
                    if ((n / 4) % 2 == 0) {
                        byte[] dst = new byte[len + 3];
                        s.memory.read(lo, dst, 3, len);
                    } else {
                        s.memory.read(lo, scratch, 5, len);
                    }
                }
                case SLICE -> {
                    try (Slice slice = s.memory.borrowSlice(lo, len)) {
                        assertEquals(len, slice.length());
                    }
                }
                case VERIFY_RANGE -> s.memory.verifyRange(lo, len);
                case VERIFY_INTEGRITY -> s.memory.verifyIntegrity();
            }
        });
    }

    /** A random scalar read (any type, any alignment, possibly straddling blocks) that covers {@code target}. */
    private static IntegrityException scalarReadCovering(Subject s, long target, SplittableRandom rnd) {
        int[] sizes = {1, 2, 4, 8, 4, 8};
        int kind = rnd.nextInt(sizes.length);
        int size = sizes[kind];
        long capacity = s.region.capacity();
        long lo = Math.max(0, target - size + 1);
        long hi = Math.min(target, capacity - size);
        long at = lo + rnd.nextLong(hi - lo + 1);
        return catchIntegrity(() -> {
            switch (kind) {
                case 0 -> s.memory.getByte(at);
                case 1 -> s.memory.getShort(at);
                case 2 -> s.memory.getInt(at);
                case 3 -> s.memory.getLong(at);
                case 4 -> s.memory.getFloat(at);
                case 5 -> s.memory.getDouble(at);
                default -> fail("no such kind");
            }
        });
    }

    private static IntegrityException catchIntegrity(Runnable action) {
        try {
            action.run();
            return null;
        } catch (IntegrityException e) {
            return e;
        }
    }

    private static String pct(long part, long whole) {
        return whole == 0 ? "n/a" : String.format(Locale.ROOT, "%.1f%%", 100.0 * part / whole);
    }

    private static String summary(VerificationLevel level, Tally t) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "[fault-detection] %-8s flips=%d (%d mixed, %d data-only, %d checksum-only; %d in data, %d in checksums)",
                level, t.flips, t.flipsByRun.get(Run.MIXED), t.flipsByRun.get(Run.DATA_ONLY),
                t.flipsByRun.get(Run.CHECKSUM_ONLY), t.dataFlips, t.checksumFlips));
        sb.append(String.format(Locale.ROOT, " | detected on access %d/%d = %s [", t.accessDetected(), t.accessTried(),
                pct(t.accessDetected(), t.accessTried())));
        for (Access a : Access.values()) {
            long[] c = t.byAccess.get(a);
            sb.append(a.name().toLowerCase(Locale.ROOT)).append(' ').append(c[1]).append('/').append(c[0])
                    .append(' ').append(pct(c[1], c[0])).append(a == Access.VERIFY_INTEGRITY ? "]" : ", ");
        }
        if (level == VerificationLevel.SAMPLING) {
            long[] sampled = t.of(Access.READ, Access.SLICE);
            sb.append(String.format(Locale.ROOT, " | sampled read+slice (rate %.2f) %d/%d = %s",
                    SAMPLING_RATE, sampled[1], sampled[0], pct(sampled[1], sampled[0])));
        }
        if (t.scalarTried > 0) {
            sb.append(String.format(Locale.ROOT, " | scalar reads %d/%d = %s", t.scalarDetected, t.scalarTried,
                    pct(t.scalarDetected, t.scalarTried)));
        }
        sb.append(String.format(Locale.ROOT, " | detected by verifyIntegrity %d/%d = %s", t.scrubDetected, t.flips,
                pct(t.scrubDetected, t.flips)));
        if (level == VerificationLevel.OFF) {
            sb.append(" | OFF keeps no checksums: no flip can be detected, none was reported (by design)");
        }
        return sb.toString();
    }
}
