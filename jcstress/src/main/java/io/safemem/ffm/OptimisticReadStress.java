package io.safemem.ffm;

import io.safemem.IntegrityException;
import io.safemem.VerificationLevel;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

import java.lang.foreign.MemorySegment;

import static io.safemem.ffm.Support.INTEGRITY_EXCEPTION;
import static io.safemem.ffm.Support.patternOf;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * (b) Optimistic reads through the public API never mix two writes (I2) and never raise a false
 * alarm. Each state leases a real {@link CheckedRegion} (from a {@link RegionPool}) whose bytes
 * are all 0; the writer writes the same range twice, first all bytes 1, then all bytes 2, each
 * with {@code atomicWriteWithChecksum} (or {@code putLong}); the reader reads the range twice
 * without locking. The writes span more than one block and start and end inside a block, so
 * they merge edges.
 *
 * <p>r1, r2: the pattern (0, 1 or 2) each read returned; -1 if a read returned bytes of two
 * patterns; -2 if it threw {@link IntegrityException}. r3: 1 if the region's statistics show the
 * reader retried (a validation failed, or it read under the shared lock), else 0: evidence that
 * the test exercises the race, not only reads that ran before or after the writes.
 */
public final class OptimisticReadStress {

    private OptimisticReadStress() {
    }

    /** A leased region and its count of raced reads when leased. */
    static class Leased {
        final RegionPool pool;
        final AtomicMemoryOps ops;
        final long racedBefore;

        Leased(RegionPool pool) {
            this.pool = pool;
            this.ops = pool.lease();
            this.racedBefore = raced(ops);
        }

        private static long raced(AtomicMemoryOps ops) {
            var stats = ops.provider().statistics();
            return stats.readRetries() + stats.lockedReads();
        }

        /** Records whether a read raced a write, and gives the region back: the arbiter's work. */
        void finish(III_Result r) {
            r.r3 = raced(ops) != racedBefore ? 1 : 0;
            pool.giveBack(ops);
        }
    }

    static int read(AtomicMemoryOps ops, long offset, int length) {
        byte[] b = new byte[length];
        try {
            ops.read(offset, b);
        } catch (IntegrityException e) {
            return INTEGRITY_EXCEPTION;
        }
        return patternOf(b);
    }

    static int readIntoSegment(AtomicMemoryOps ops, long offset, int length) {
        byte[] b = new byte[length];
        try {
            ops.read(offset, MemorySegment.ofArray(b), 0, length);
        } catch (IntegrityException e) {
            return INTEGRITY_EXCEPTION;
        }
        return patternOf(b);
    }

    @JCStressTest
    @Description("16-byte blocks, STANDARD: writes of 40 bytes at offset 5 (blocks 0 to 2, both edges partial); reads of the same range into arrays.")
    @Outcome(id = "(0, [012]|1, [12]|2, 2), 0", expect = ACCEPTABLE, desc = "Each read returned one whole write, in order.")
    @Outcome(id = "(0, [012]|1, [12]|2, 2), 1", expect = ACCEPTABLE_INTERESTING, desc = "Each read returned one whole write, in order, after racing a write and retrying.")
    @Outcome(id = "(1, 0|2, [01]), .*", expect = FORBIDDEN, desc = "The second read returned an older write than the first: a validated read was not of the latest state.")
    @Outcome(id = {"-1, .*", "[0-9], -1, .*"}, expect = FORBIDDEN, desc = "A read returned bytes of two writes: a torn read passed validation. Breaks I2.")
    @Outcome(id = {"-2, .*", "[0-9], -2, .*"}, expect = FORBIDDEN, desc = "IntegrityException on clean memory: a false alarm, data and checksums of two writes verified together. Breaks I2.")
    @Outcome(expect = FORBIDDEN, desc = "Any other outcome.")
    @State
    public static class Blocks16 extends Leased {
        static final RegionPool POOL = new RegionPool(64, 16, VerificationLevel.STANDARD);
        static final long OFFSET = 5;
        static final int LENGTH = 40;
        static final byte[] ONE = Support.pattern(LENGTH, 1);
        static final byte[] TWO = Support.pattern(LENGTH, 2);

        public Blocks16() {
            super(POOL);
        }

        @Actor
        public void writer() {
            ops.atomicWriteWithChecksum(OFFSET, ONE);
            ops.atomicWriteWithChecksum(OFFSET, TWO);
        }

        @Actor
        public void reader(III_Result r) {
            r.r1 = read(ops, OFFSET, LENGTH);
            r.r2 = read(ops, OFFSET, LENGTH);
        }

        @Arbiter
        public void arbiter(III_Result r) {
            finish(r);
        }
    }

    @JCStressTest
    @Description("64-byte blocks, STANDARD: writes of 48 bytes at offset 40 (blocks 0 and 1, both partial); the first read into an array, the second into a segment.")
    @Outcome(id = "(0, [012]|1, [12]|2, 2), 0", expect = ACCEPTABLE, desc = "Each read returned one whole write, in order.")
    @Outcome(id = "(0, [012]|1, [12]|2, 2), 1", expect = ACCEPTABLE_INTERESTING, desc = "Each read returned one whole write, in order, after racing a write and retrying.")
    @Outcome(id = "(1, 0|2, [01]), .*", expect = FORBIDDEN, desc = "The second read returned an older write than the first: a validated read was not of the latest state.")
    @Outcome(id = {"-1, .*", "[0-9], -1, .*"}, expect = FORBIDDEN, desc = "A read returned bytes of two writes: a torn read passed validation. Breaks I2.")
    @Outcome(id = {"-2, .*", "[0-9], -2, .*"}, expect = FORBIDDEN, desc = "IntegrityException on clean memory: a false alarm, data and checksums of two writes verified together. Breaks I2.")
    @Outcome(expect = FORBIDDEN, desc = "Any other outcome.")
    @State
    public static class Blocks64 extends Leased {
        static final RegionPool POOL = new RegionPool(128, 64, VerificationLevel.STANDARD);
        static final long OFFSET = 40;
        static final int LENGTH = 48;
        static final byte[] ONE = Support.pattern(LENGTH, 1);
        static final byte[] TWO = Support.pattern(LENGTH, 2);

        public Blocks64() {
            super(POOL);
        }

        @Actor
        public void writer() {
            ops.atomicWriteWithChecksum(OFFSET, ONE);
            ops.atomicWriteWithChecksum(OFFSET, TWO);
        }

        @Actor
        public void reader(III_Result r) {
            r.r1 = read(ops, OFFSET, LENGTH);
            r.r2 = readIntoSegment(ops, OFFSET, LENGTH);
        }

        @Arbiter
        public void arbiter(III_Result r) {
            finish(r);
        }
    }

    @JCStressTest
    @Description("16-byte blocks, FULL (scalar reads verified, writes read back): putLong at offset 12, across the boundary of blocks 0 and 1; getLong twice.")
    @Outcome(id = "(0, [012]|1, [12]|2, 2), 0", expect = ACCEPTABLE, desc = "Each read returned one whole write, in order.")
    @Outcome(id = "(0, [012]|1, [12]|2, 2), 1", expect = ACCEPTABLE_INTERESTING, desc = "Each read returned one whole write, in order, after racing a write and retrying.")
    @Outcome(id = "(1, 0|2, [01]), .*", expect = FORBIDDEN, desc = "The second read returned an older write than the first: a validated read was not of the latest state.")
    @Outcome(id = {"-1, .*", "[0-9], -1, .*"}, expect = FORBIDDEN, desc = "A getLong returned bytes of two writes: a torn read passed validation. Breaks I2.")
    @Outcome(id = {"-2, .*", "[0-9], -2, .*"}, expect = FORBIDDEN, desc = "IntegrityException on clean memory: a false alarm, data and checksums of two writes verified together. Breaks I2.")
    @Outcome(expect = FORBIDDEN, desc = "Any other outcome.")
    @State
    public static class ScalarFull extends Leased {
        static final RegionPool POOL = new RegionPool(64, 16, VerificationLevel.FULL);
        static final long OFFSET = 12;

        public ScalarFull() {
            super(POOL);
        }

        private int get() {
            try {
                return patternOf(ops.getLong(OFFSET));
            } catch (IntegrityException e) {
                return INTEGRITY_EXCEPTION;
            }
        }

        @Actor
        public void writer() {
            ops.putLong(OFFSET, 0x0101_0101_0101_0101L);
            ops.putLong(OFFSET, 0x0202_0202_0202_0202L);
        }

        @Actor
        public void reader(III_Result r) {
            r.r1 = get();
            r.r2 = get();
        }

        @Arbiter
        public void arbiter(III_Result r) {
            finish(r);
        }
    }

    @JCStressTest
    @Description("16-byte blocks, STANDARD: writes as in Blocks16; the reader runs verifyIntegrity over the whole region, then reads. "
            + "r1: 0 if verifyIntegrity passed, -2 if it threw; r2: the pattern read; r3: 1 if a read retried.")
    @Outcome(id = "0, [012], 0", expect = ACCEPTABLE, desc = "The region verified clean; the read returned one whole write.")
    @Outcome(id = "0, [012], 1", expect = ACCEPTABLE_INTERESTING, desc = "The region verified clean and the read returned one whole write, after racing a write and retrying.")
    @Outcome(id = "-2, .*", expect = FORBIDDEN, desc = "verifyIntegrity threw on clean memory: a write in progress was taken for corruption. Breaks I2.")
    @Outcome(id = {"[0-9], -1, .*", "[0-9], -2, .*"}, expect = FORBIDDEN, desc = "The read was torn or raised a false alarm. Breaks I2.")
    @Outcome(expect = FORBIDDEN, desc = "Any other outcome.")
    @State
    public static class VerifyIntegrity extends Leased {
        static final RegionPool POOL = new RegionPool(64, 16, VerificationLevel.STANDARD);
        static final long OFFSET = 5;
        static final int LENGTH = 40;
        static final byte[] ONE = Support.pattern(LENGTH, 1);
        static final byte[] TWO = Support.pattern(LENGTH, 2);

        public VerifyIntegrity() {
            super(POOL);
        }

        @Actor
        public void writer() {
            ops.atomicWriteWithChecksum(OFFSET, ONE);
            ops.atomicWriteWithChecksum(OFFSET, TWO);
        }

        @Actor
        public void reader(III_Result r) {
            try {
                ops.verifyIntegrity();
            } catch (IntegrityException e) {
                r.r1 = INTEGRITY_EXCEPTION;
            }
            r.r2 = read(ops, OFFSET, LENGTH);
        }

        @Arbiter
        public void arbiter(III_Result r) {
            finish(r);
        }
    }
}
