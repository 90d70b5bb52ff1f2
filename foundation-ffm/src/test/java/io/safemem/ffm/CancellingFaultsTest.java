package io.safemem.ffm;

import io.safemem.ErrorCode;
import io.safemem.IntegrityException;
import io.safemem.VerificationLevel;
import io.safemem.ffm.testing.FaultInjector;
import io.safemem.ffm.testing.FaultInjector.Flip;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static io.safemem.ffm.FaultTestSupport.assertRegionUnchanged;
import static io.safemem.ffm.FaultTestSupport.assertReportsBlock;
import static io.safemem.ffm.FaultTestSupport.snapshotChecksums;
import static io.safemem.ffm.FaultTestSupport.snapshotData;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Two flips that cancel in a check folding several blocks into one 32-bit value (issue 16,
 * item 1): bit {@code b} of block {@code i}'s stored checksum and bit {@code b} of the first
 * little-endian word of block {@code i + 1}. Checked on its own, each of the two blocks is
 * corrupt; so every check covering several blocks must report the first of them, and a copy
 * whose source covers them must refuse and move nothing, at every level that keeps checksums and
 * through both owners.
 */
class CancellingFaultsTest {

    private static final int BS = 64;
    /** Wider than the engine's 16 KiB staging, so that one of the copies below is chunked. */
    private static final long CAPACITY = 32 * 1024;
    /** The block whose checksum is flipped; the flip in block {@code I + 1} cancels it in a fold. */
    private static final long I = 10;
    private static final int[] BITS = {0, 5, 8, 19, 31};

    static Stream<Arguments> levelsAndOwners() {
        return Stream.of(VerificationLevel.SAMPLING, VerificationLevel.STANDARD, VerificationLevel.FULL)
                .flatMap(level -> Stream.of(ModelTarget.Kind.values()).map(owner -> Arguments.of(level, owner)));
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("levelsAndOwners")
    void aChecksumFlipCancelledInTheNextBlocksFirstWordIsReportedByEveryMultiBlockCheck(VerificationLevel level,
                                                                                     ModelTarget.Kind owner) {
        try (FixedArena arena = FixedArena.ofShared(1 << 20); Arena scratchArena = Arena.ofConfined()) {
            CheckedRegion region = CheckedRegion.builder(arena, CAPACITY).name("cancel-" + level + "-" + owner)
                    .blockSize(BS).verificationLevel(level).samplingRate(1.0).build();
            ModelTarget memory = owner == ModelTarget.Kind.HANDLER
                    ? ModelTarget.of(region.handler()) : ModelTarget.of(region.intoAtomicOps());
            byte[] content = new byte[(int) CAPACITY];
            new SplittableRandom(0x16_0001L).nextBytes(content);
            memory.write(0, content);
            MemorySegment scratch = scratchArena.allocate(CAPACITY);
            FaultInjector faults = FaultInjector.of(region, 16);

            for (int b : BITS) {
                Flip inSum = faults.flipChecksumBit(I, b);
                Flip inData = faults.flipDataBit((I + 1) * BS + b / 8, b % 8);
                String what = level + ", " + owner + ": checksum bit " + b + " of block " + I + " and the same bit of block " + (I + 1);

                assertRefused(region, I, what + ", verifyIntegrity()", memory::verifyIntegrity);
                assertEquals(I, memory.findCorruptBlock(0), what + ", findCorruptBlock(0)");
                assertEquals(I + 1, memory.findCorruptBlock(I + 1), what + ", findCorruptBlock(" + (I + 1) + ")");
                assertRefused(region, I, what + ", verifyRange", () -> memory.verifyRange((I - 1) * BS, 4 * BS));
                assertRefused(region, I + 1, what + ", verifyRange from block " + (I + 1), () -> memory.verifyRange((I + 1) * BS, 3 * BS));
                assertRefused(region, I, what + ", aligned read", () -> memory.read((I - 1) * BS, new byte[4 * BS]));
                assertRefused(region, I, what + ", unaligned read", () -> memory.read((I - 2) * BS + 7, new byte[5 * BS]));
                assertRefused(region, I, what + ", read into a segment", () -> memory.read((I - 1) * BS, scratch, 0, 6 * BS));
                assertRefused(region, I, what + ", borrowSlice", () -> memory.borrowSlice((I - 1) * BS, 4 * BS).close());

                assertCopyRefused(memory, content, (I - 1) * BS, 200 * BS, 4 * BS, what);
                assertCopyRefused(memory, content, (I - 1) * BS, 200 * BS + 13, 4 * BS, what);
                assertCopyRefused(memory, content, (I - 1) * BS, 16_000, 1_000, what); // chunked: crosses 16384

                faults.undo(inData);
                faults.undo(inSum);
                assertDoesNotThrow(memory::verifyIntegrity, what + ", undone");
            }
        }
    }

    /**
     * A copy whose source holds both flips must refuse, naming block {@link #I}, and change
     * nothing: the destination still verifies, with its old content.
     */
    private static void assertCopyRefused(ModelTarget memory, byte[] content, long src, long dst, int len, String what) {
        CheckedRegion region = memory.region();
        String copy = what + ", copyWithin(" + src + ", " + dst + ", " + len + ")";
        byte[] dataBefore = snapshotData(region);
        byte[] sumsBefore = snapshotChecksums(region);
        assertRefused(region, I, copy, () -> memory.copyWithin(src, dst, len));
        assertRegionUnchanged(region, dataBefore, sumsBefore, copy);
        assertDoesNotThrow(() -> memory.verifyRange(dst, len), copy + ": the destination no longer verifies");
        byte[] now = new byte[len];
        memory.read(dst, now);
        assertArrayEquals(Arrays.copyOfRange(content, (int) dst, (int) dst + len), now, copy + ": the destination changed");
    }

    private static void assertRefused(CheckedRegion region, long block, String what, Executable check) {
        IntegrityException e = assertThrows(IntegrityException.class, check, () -> what + ": the corruption was not reported");
        assertReportsBlock(e, region, block, ErrorCode.CHECKSUM_MISMATCH);
    }
}
