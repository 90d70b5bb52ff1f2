package io.safemem.ffm;

import io.safemem.IntegrityException;
import io.safemem.Slice;
import io.safemem.VerificationLevel;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

import static io.safemem.ffm.Support.INTEGRITY_EXCEPTION;
import static io.safemem.ffm.Support.patternOf;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * (c) A held borrowed slice excludes writers, through the public API: the reader borrows a slice
 * of a real region, copies it out, pauses, copies it out again and closes it; the writer writes
 * the range whole twice (all 1, then all 2) meanwhile. While the slice is open the writer must
 * wait, so both copies are the same single write.
 *
 * <p>r1, r2: the pattern of the first and second copy through the open slice; -1 if a copy mixed
 * two writes; -2 (both) if borrowing threw {@link IntegrityException}.
 */
@JCStressTest
@Description("16-byte blocks, STANDARD: a 40-byte slice at offset 5 held across a pause, against two whole writes of the range.")
@Outcome(id = {"0, 0", "1, 1", "2, 2"}, expect = ACCEPTABLE, desc = "Both copies through the open slice show the same single write.")
@Outcome(id = {"0, 1", "0, 2", "1, 2", "1, 0", "2, 0", "2, 1"}, expect = FORBIDDEN,
        desc = "The bytes changed under an open slice: a writer did not wait for the borrower's shared lock.")
@Outcome(id = {"-1, .*", ".*, -1"}, expect = FORBIDDEN, desc = "The slice showed bytes of two writes, a value never written whole. Breaks I2.")
@Outcome(id = "-2, -2", expect = FORBIDDEN, desc = "borrowSlice threw IntegrityException on clean memory: it verified a write in progress. Breaks I2.")
@Outcome(expect = FORBIDDEN, desc = "Any other outcome.")
@State
public class BorrowedSliceStress {

    static final RegionPool POOL = new RegionPool(64, 16, VerificationLevel.STANDARD);
    static final long OFFSET = 5;
    static final int LENGTH = 40;
    static final byte[] ONE = Support.pattern(LENGTH, 1);
    static final byte[] TWO = Support.pattern(LENGTH, 2);

    final AtomicMemoryOps ops = POOL.lease();

    @Actor
    public void writer() {
        ops.atomicWriteWithChecksum(OFFSET, ONE);
        ops.atomicWriteWithChecksum(OFFSET, TWO);
    }

    @Actor
    public void borrower(II_Result r) {
        byte[] first = new byte[LENGTH];
        byte[] second = new byte[LENGTH];
        try (Slice slice = ops.borrowSlice(OFFSET, LENGTH)) {
            slice.copyTo(0, first, 0, LENGTH);
            Support.pause(20);
            slice.copyTo(0, second, 0, LENGTH);
        } catch (IntegrityException e) {
            r.r1 = INTEGRITY_EXCEPTION;
            r.r2 = INTEGRITY_EXCEPTION;
            return;
        }
        r.r1 = patternOf(first);
        r.r2 = patternOf(second);
    }

    @Arbiter
    public void arbiter() {
        POOL.giveBack(ops);
    }
}
