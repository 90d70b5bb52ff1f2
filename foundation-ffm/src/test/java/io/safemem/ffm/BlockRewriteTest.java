package io.safemem.ffm;

import io.safemem.ErrorCode;
import io.safemem.IntegrityException;
import io.safemem.VerificationLevel;
import io.safemem.ffm.testing.FaultInjector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Issue 16, item 7: after a reported corruption, {@code rewriteBlocks} rewrites whole blocks from
 * the caller's bytes (a partial last block included, where the capacity is not a multiple of the
 * block size), with checksums from those bytes, and touches no other block: corruption elsewhere
 * is still reported afterwards, never absorbed. Before, a corrupt partial last block refused every
 * write, and the only way out re-checksummed the whole region from memory.
 */
class BlockRewriteTest {

    /** 15 whole 64-byte blocks and a last block of 40 bytes. */
    private static final int CAPACITY = 15 * 64 + 40;
    private static final int BLOCK = 64;
    private static final long LAST_BLOCK = 15;

    private final FixedArena arena = FixedArena.ofShared(1 << 16);

    @AfterEach
    void close() {
        arena.close();
    }

    enum Owner { HANDLER, ATOMIC }

    private record Fixture(CheckedRegion region, ModelTarget memory, byte[] backup) {
    }

    private Fixture fixture(Owner owner, VerificationLevel level) {
        CheckedRegion region = CheckedRegion.builder(arena, CAPACITY).blockSize(BLOCK).verificationLevel(level).build();
        byte[] backup = new byte[CAPACITY];
        new SplittableRandom(16).nextBytes(backup);
        ModelTarget memory = owner == Owner.HANDLER ? ModelTarget.of(region.handler()) : ModelTarget.of(region.intoAtomicOps());
        memory.write(0, backup);
        return new Fixture(region, memory, backup);
    }

    @ParameterizedTest
    @EnumSource(Owner.class)
    void aCorruptPartialLastBlockIsRepairedFromTheCallersBytesAndNothingElseIsTouched(Owner owner) {
        for (VerificationLevel level : new VerificationLevel[] {VerificationLevel.STANDARD, VerificationLevel.FULL}) {
            Fixture f = fixture(owner, level);
            FaultInjector faults = FaultInjector.of(f.region, 7);
            faults.flipDataBit(LAST_BLOCK * BLOCK + 3, 5);
            FaultInjector.Flip elsewhere = faults.flipDataBit(3 * BLOCK + 10, 1);

            IntegrityException refused = assertThrows(IntegrityException.class, () -> f.memory.putByte(CAPACITY - 1, (byte) 1));
            assertEquals(LAST_BLOCK, refused.block(), "a write into the corrupt last block is refused");

            f.memory.rewriteBlocks(LAST_BLOCK * BLOCK, f.backup, (int) (LAST_BLOCK * BLOCK), CAPACITY - (int) (LAST_BLOCK * BLOCK));

            assertEquals(3, f.memory.findCorruptBlock(0), "the other corrupt block is still reported: not laundered");
            assertEquals(-1, f.memory.findCorruptBlock(4), "the last block is clean again");
            f.memory.putByte(CAPACITY - 1, (byte) 1);
            byte[] tail = new byte[40];
            f.memory.read(LAST_BLOCK * BLOCK, tail);
            f.backup[CAPACITY - 1] = 1;
            assertArrayEquals(java.util.Arrays.copyOfRange(f.backup, CAPACITY - 40, CAPACITY), tail);

            faults.undo(elsewhere);
            f.memory.verifyIntegrity();
        }
    }

    @ParameterizedTest
    @EnumSource(Owner.class)
    void aRewriteOfSeveralWholeBlocksTakesItsChecksumsFromTheSource(Owner owner) {
        Fixture f = fixture(owner, VerificationLevel.STANDARD);
        FaultInjector faults = FaultInjector.of(f.region, 8);
        faults.flipChecksumBit(2, 7);
        faults.flipDataBit(5 * BLOCK, 0);
        faults.flipDataBit(0, 0);

        f.memory.rewriteBlocks(2 * BLOCK, f.backup, 2 * BLOCK, 4 * BLOCK); // blocks 2 to 5

        assertEquals(0, f.memory.findCorruptBlock(0), "block 0 was not rewritten, and stays reported");
        assertEquals(-1, f.memory.findCorruptBlock(1));
        byte[] back = new byte[4 * BLOCK];
        f.memory.read(2 * BLOCK, back);
        assertArrayEquals(java.util.Arrays.copyOfRange(f.backup, 2 * BLOCK, 6 * BLOCK), back);
    }

    @ParameterizedTest
    @EnumSource(Owner.class)
    void aRewriteAtOffChangesTheBytesAndTheCheckedLevelsStillRebuildFromMemory(Owner owner) {
        Fixture f = fixture(owner, VerificationLevel.OFF);
        byte[] zeros = new byte[2 * BLOCK];
        f.memory.rewriteBlocks(0, zeros, 0, zeros.length);
        byte[] back = new byte[zeros.length];
        f.memory.read(0, back);
        assertArrayEquals(zeros, back);
        assertEquals(ErrorCode.BLOCK_MISALIGNED, assertThrows(io.safemem.ValidationException.class,
                () -> f.memory.rewriteBlocks(1, zeros, 0, BLOCK)).code());
    }
}
