package io.safemem.ffm;

import io.safemem.VerificationLevel;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.I_Result;

import java.util.Arrays;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * (a) through the public API: two writers write overlapping ranges of a real region at once,
 * with different unaligned edges, so both merge (and verify) edge blocks the other also changes.
 * The writers' lock must serialise them whole: the region ends as one write applied after the
 * other, with every block's checksum right.
 *
 * <p>r1: 1 if the region ends as write A then write B, 2 if as B then A, -1 if as neither (the
 * writes interleaved), -2 if a block's stored checksum does not match its bytes. The arbiter
 * checks the raw data and checksum table itself rather than through {@code ops.read} and
 * {@code verifyIntegrity}: those would give every region a reader context (16 KiB of scratch) on
 * each arbiter thread, which, over the thousands of pooled regions jcstress keeps in flight,
 * exhausts a fork's heap.
 */
@JCStressTest
@Description("16-byte blocks, STANDARD: A writes 40 bytes of 1 at offset 5, B writes 40 bytes of 2 at offset 13; the arbiter reads and verifies the region.")
@Outcome(id = {"1", "2"}, expect = ACCEPTABLE, desc = "One write after the other, whole, checksums right.")
@Outcome(id = "-1", expect = FORBIDDEN, desc = "The region holds an interleaving of the two writes: one writer at a time broken (I2).")
@Outcome(id = "-2", expect = FORBIDDEN, desc = "A checksum mismatch after two clean writes: a checksum update was lost or computed from the other writer's bytes (I1, I2).")
@Outcome(expect = FORBIDDEN, desc = "Any other outcome.")
@State
public class WritersStress {

    static final int CAPACITY = 64;
    static final RegionPool POOL = new RegionPool(CAPACITY, 16, VerificationLevel.STANDARD);
    static final int LENGTH = 40;
    static final long A_OFFSET = 5;
    static final long B_OFFSET = 13;
    static final byte[] A = Support.pattern(LENGTH, 1);
    static final byte[] B = Support.pattern(LENGTH, 2);
    static final byte[] A_THEN_B = expected(true);
    static final byte[] B_THEN_A = expected(false);

    final AtomicMemoryOps ops = POOL.lease();

    private static byte[] expected(boolean aFirst) {
        byte[] r = new byte[CAPACITY];
        for (boolean first : new boolean[] {true, false}) {
            boolean writeA = first == aFirst;
            int at = (int) (writeA ? A_OFFSET : B_OFFSET);
            Arrays.fill(r, at, at + LENGTH, (byte) (writeA ? 1 : 2));
        }
        return r;
    }

    @Actor
    public void writerA() {
        ops.atomicWriteWithChecksum(A_OFFSET, A);
    }

    @Actor
    public void writerB() {
        ops.atomicWriteWithChecksum(B_OFFSET, B);
    }

    @Arbiter
    public void arbiter(I_Result r) {
        CheckedRegion region = ops.provider();
        byte[] all = Support.rawData(region);
        if (!Support.checksumsMatch(region, all)) {
            r.r1 = -2;
        } else {
            r.r1 = Arrays.equals(all, A_THEN_B) ? 1 : Arrays.equals(all, B_THEN_A) ? 2 : -1;
        }
        POOL.giveBack(ops);
    }
}
