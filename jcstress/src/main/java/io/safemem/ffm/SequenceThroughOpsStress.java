package io.safemem.ffm;

import io.safemem.VerificationLevel;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

import java.lang.foreign.MemorySegment;
import java.util.zip.CRC32C;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * (d) through AtomicMemoryOps: the real writer ({@code atomicWriteWithChecksum}: lock, odd
 * sequence, data and checksum stores with edge merges, even sequence, unlock) against a minimal
 * reader that uses the region's own {@link SequenceWord} and copies the raw data blocks and their
 * stored CRC32Cs in one optimistic round. After validation it checks the copy against the copied
 * checksums itself, so a data/checksum pair from two writes shows up as a mismatch, not as an
 * exception.
 *
 * <p>r1: 1 validated, 0 rejected by validate, 2 stamp odd (not read); r2: the pattern of the
 * written range if every copied block matched its copied checksum, -1 if one did not, -3 if the
 * checksums matched but the bytes were mixed.
 */
@JCStressTest
@Description("16-byte blocks, STANDARD: writes of 40 bytes at offset 5 by AtomicMemoryOps; raw optimistic copy of blocks 0-2 and their checksums.")
@Outcome(id = {"1, 0", "1, 1", "1, 2"}, expect = ACCEPTABLE, desc = "Validated a whole state whose data matches its checksums.")
@Outcome(id = {"1, -1", "1, -3"}, expect = FORBIDDEN, desc = "A validated copy whose data and checksums come from different writes, or that mixes writes. Breaks I2.")
@Outcome(id = {"0, -1", "0, -3"}, expect = ACCEPTABLE_INTERESTING, desc = "A torn copy, rejected by validate: the protocol doing its job.")
@Outcome(id = {"0, 0", "0, 1", "0, 2"}, expect = ACCEPTABLE, desc = "A write moved the sequence during the copy; rejected (the real reader retries).")
@Outcome(id = "2, 0", expect = ACCEPTABLE, desc = "The stamp was odd: a write was in progress, the reader would spin.")
@Outcome(expect = FORBIDDEN, desc = "Any other outcome.")
@State
public class SequenceThroughOpsStress {

    static final RegionPool POOL = new RegionPool(64, 16, VerificationLevel.STANDARD);
    static final long OFFSET = 5;
    static final int LENGTH = 40;
    static final int BLOCKS = 3;
    static final int BLOCK = 16;
    static final byte[] ONE = Support.pattern(LENGTH, 1);
    static final byte[] TWO = Support.pattern(LENGTH, 2);

    final AtomicMemoryOps ops = POOL.lease();
    final CheckedRegion region = ops.provider();
    final SequenceWord sequence = new SequenceWord(region.header, CheckedRegion.SEQUENCE_OFFSET);

    @Actor
    public void writer() {
        ops.atomicWriteWithChecksum(OFFSET, ONE);
        ops.atomicWriteWithChecksum(OFFSET, TWO);
    }

    @Actor
    public void reader(II_Result r) {
        byte[] data = new byte[BLOCKS * BLOCK];
        int[] sums = new int[BLOCKS];
        long stamp = sequence.stamp();
        if (SequenceWord.isWriting(stamp)) {
            r.r1 = 2;
            return;
        }
        MemorySegment.copy(region.data, JAVA_BYTE, 0, data, 0, data.length);
        for (int b = 0; b < BLOCKS; b++) {
            sums[b] = region.checksums.getAtIndex(CheckedRegion.CHECKSUM, b);
        }
        r.r1 = sequence.validate(stamp) ? 1 : 0;
        r.r2 = judge(data, sums);
    }

    private static int judge(byte[] data, int[] sums) {
        CRC32C crc = new CRC32C();
        for (int b = 0; b < BLOCKS; b++) {
            crc.reset();
            crc.update(data, b * BLOCK, BLOCK);
            if ((int) crc.getValue() != sums[b]) {
                return -1;
            }
        }
        byte[] written = new byte[LENGTH];
        System.arraycopy(data, (int) OFFSET, written, 0, LENGTH);
        int p = Support.patternOf(written);
        return p == Support.MIXED ? -3 : p;
    }

    @Arbiter
    public void arbiter() {
        POOL.giveBack(ops);
    }
}
