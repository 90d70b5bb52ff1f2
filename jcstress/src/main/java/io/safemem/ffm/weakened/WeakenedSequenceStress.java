package io.safemem.ffm.weakened;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * The (d) test of {@code io.safemem.ffm.SequenceWordStress} against weakened copies of the
 * sequence protocol. Same layout (sequence at 8, data at 16, checksum f(data) at 24 of an
 * {@code Arena.ofAuto()} segment), same writer shape (two writes, v = 1 then 2), same reader shape
 * (one optimistic round), same result encoding: r1 = 1 validated, 0 rejected, 2 stamp odd; r2 =
 * the data if the checksum agrees, else -1. Each nested test removes one ingredient.
 */
public final class WeakenedSequenceStress {

    private WeakenedSequenceStress() {
    }

    static final VarHandle WORD = ValueLayout.JAVA_LONG.varHandle();
    static final long SEQ = 8;
    static final long DATA = 16;
    static final long SUM = 24;

    static long f(long data) {
        return data * 1_000_003L;
    }

    /** The segment and the correct halves of the protocol, for the variants that keep them. */
    static class Base {
        final MemorySegment m = Arena.ofAuto().allocate(64, 64);

        /** The correct writer: SequenceWord.beginWrite / plain stores / endWrite. */
        void correctWrite(long v) {
            long odd = (long) WORD.get(m, SEQ) + 1;
            WORD.setOpaque(m, SEQ, odd);
            VarHandle.storeStoreFence();
            m.set(JAVA_LONG, DATA, v);
            m.set(JAVA_LONG, SUM, f(v));
            WORD.setRelease(m, SEQ, odd + 1);
        }

        /** The correct reader: stamp (acquire) / plain loads / acquireFence + opaque re-check. */
        void correctRead(II_Result r) {
            long stamp = (long) WORD.getAcquire(m, SEQ);
            if ((stamp & 1) != 0) {
                r.r1 = 2;
                return;
            }
            long d = m.get(JAVA_LONG, DATA);
            long s = m.get(JAVA_LONG, SUM);
            VarHandle.acquireFence();
            r.r1 = stamp == (long) WORD.getOpaque(m, SEQ) ? 1 : 0;
            r.r2 = judge(d, s);
        }

        static int judge(long d, long s) {
            return s == f(d) ? (int) d : -1;
        }
    }

    @JCStressTest
    @Description("Writer never makes the sequence odd: it stores data and checksum, then bumps the sequence by 2 (release).")
    @Outcome(id = "1, -1", expect = ACCEPTABLE_INTERESTING, desc = "caught: weakened protocol lets a torn read validate")
    @Outcome(id = {"1, 0", "1, 1", "1, 2"}, expect = ACCEPTABLE, desc = "Validated a whole state.")
    @Outcome(id = {"0, -1", "0, 0", "0, 1", "0, 2", "2, 0"}, expect = ACCEPTABLE, desc = "Rejected, or stamp odd.")
    @Outcome(expect = FORBIDDEN, desc = "Any other outcome.")
    @State
    public static class NoOddPhase extends Base {
        private void write(long v) {
            long s = (long) WORD.get(m, SEQ);
            m.set(JAVA_LONG, DATA, v);
            m.set(JAVA_LONG, SUM, f(v));
            WORD.setRelease(m, SEQ, s + 2);
        }

        @Actor
        public void writer() {
            write(1);
            write(2);
        }

        @Actor
        public void reader(II_Result r) {
            correctRead(r);
        }
    }

    @JCStressTest
    @Description("Writer with plain stores only and no fence: seq = s+1, data, checksum, seq = s+2, all plain.")
    @Outcome(id = "1, -1", expect = ACCEPTABLE_INTERESTING, desc = "caught: weakened protocol lets a torn read validate")
    @Outcome(id = {"1, 0", "1, 1", "1, 2"}, expect = ACCEPTABLE, desc = "Validated a whole state.")
    @Outcome(id = {"0, -1", "0, 0", "0, 1", "0, 2", "2, 0"}, expect = ACCEPTABLE, desc = "Rejected, or stamp odd.")
    @Outcome(expect = FORBIDDEN, desc = "Any other outcome.")
    @State
    public static class PlainWriter extends Base {
        private void write(long v) {
            long odd = m.get(JAVA_LONG, SEQ) + 1;
            m.set(JAVA_LONG, SEQ, odd);
            m.set(JAVA_LONG, DATA, v);
            m.set(JAVA_LONG, SUM, f(v));
            m.set(JAVA_LONG, SEQ, odd + 1);
        }

        @Actor
        public void writer() {
            write(1);
            write(2);
        }

        @Actor
        public void reader(II_Result r) {
            correctRead(r);
        }
    }

    @JCStressTest
    @Description("Writer without the storeStoreFence after the odd store (opaque odd store, plain data, release even store).")
    @Outcome(id = "1, -1", expect = ACCEPTABLE_INTERESTING, desc = "caught: weakened protocol lets a torn read validate")
    @Outcome(id = {"1, 0", "1, 1", "1, 2"}, expect = ACCEPTABLE, desc = "Validated a whole state.")
    @Outcome(id = {"0, -1", "0, 0", "0, 1", "0, 2", "2, 0"}, expect = ACCEPTABLE, desc = "Rejected, or stamp odd.")
    @Outcome(expect = FORBIDDEN, desc = "Any other outcome.")
    @State
    public static class NoStoreStoreFence extends Base {
        private void write(long v) {
            long odd = (long) WORD.get(m, SEQ) + 1;
            WORD.setOpaque(m, SEQ, odd);
            m.set(JAVA_LONG, DATA, v);
            m.set(JAVA_LONG, SUM, f(v));
            WORD.setRelease(m, SEQ, odd + 1);
        }

        @Actor
        public void writer() {
            write(1);
            write(2);
        }

        @Actor
        public void reader(II_Result r) {
            correctRead(r);
        }
    }

    @JCStressTest
    @Description("Writer whose closing even store is plain instead of release.")
    @Outcome(id = "1, -1", expect = ACCEPTABLE_INTERESTING, desc = "caught: weakened protocol lets a torn read validate")
    @Outcome(id = {"1, 0", "1, 1", "1, 2"}, expect = ACCEPTABLE, desc = "Validated a whole state.")
    @Outcome(id = {"0, -1", "0, 0", "0, 1", "0, 2", "2, 0"}, expect = ACCEPTABLE, desc = "Rejected, or stamp odd.")
    @Outcome(expect = FORBIDDEN, desc = "Any other outcome.")
    @State
    public static class PlainEndWrite extends Base {
        private void write(long v) {
            long odd = (long) WORD.get(m, SEQ) + 1;
            WORD.setOpaque(m, SEQ, odd);
            VarHandle.storeStoreFence();
            m.set(JAVA_LONG, DATA, v);
            m.set(JAVA_LONG, SUM, f(v));
            m.set(JAVA_LONG, SEQ, odd + 1);
        }

        @Actor
        public void writer() {
            write(1);
            write(2);
        }

        @Actor
        public void reader(II_Result r) {
            correctRead(r);
        }
    }

    @JCStressTest
    @Description("Reader without the acquireFence before re-reading the sequence (stamp acquire, plain loads, opaque re-check).")
    @Outcome(id = "1, -1", expect = ACCEPTABLE_INTERESTING, desc = "caught: weakened protocol lets a torn read validate")
    @Outcome(id = {"1, 0", "1, 1", "1, 2"}, expect = ACCEPTABLE, desc = "Validated a whole state.")
    @Outcome(id = {"0, -1", "0, 0", "0, 1", "0, 2", "2, 0"}, expect = ACCEPTABLE, desc = "Rejected, or stamp odd.")
    @Outcome(expect = FORBIDDEN, desc = "Any other outcome.")
    @State
    public static class ReaderNoAcquireFence extends Base {
        @Actor
        public void writer() {
            correctWrite(1);
            correctWrite(2);
        }

        @Actor
        public void reader(II_Result r) {
            long stamp = (long) WORD.getAcquire(m, SEQ);
            if ((stamp & 1) != 0) {
                r.r1 = 2;
                return;
            }
            long d = m.get(JAVA_LONG, DATA);
            long s = m.get(JAVA_LONG, SUM);
            r.r1 = stamp == (long) WORD.getOpaque(m, SEQ) ? 1 : 0;
            r.r2 = judge(d, s);
        }
    }

    @JCStressTest
    @Description("Reader with plain loads only: plain stamp, plain data, plain re-check, no fence.")
    @Outcome(id = "1, -1", expect = ACCEPTABLE_INTERESTING, desc = "caught: weakened protocol lets a torn read validate")
    @Outcome(id = {"1, 0", "1, 1", "1, 2"}, expect = ACCEPTABLE, desc = "Validated a whole state.")
    @Outcome(id = {"0, -1", "0, 0", "0, 1", "0, 2", "2, 0"}, expect = ACCEPTABLE, desc = "Rejected, or stamp odd.")
    @Outcome(expect = FORBIDDEN, desc = "Any other outcome.")
    @State
    public static class ReaderPlain extends Base {
        @Actor
        public void writer() {
            correctWrite(1);
            correctWrite(2);
        }

        @Actor
        public void reader(II_Result r) {
            long stamp = m.get(JAVA_LONG, SEQ);
            if ((stamp & 1) != 0) {
                r.r1 = 2;
                return;
            }
            long d = m.get(JAVA_LONG, DATA);
            long s = m.get(JAVA_LONG, SUM);
            r.r1 = stamp == m.get(JAVA_LONG, SEQ) ? 1 : 0;
            r.r2 = judge(d, s);
        }
    }

    @JCStressTest
    @Description("Reader with a plain (not acquire) stamp load; the re-check is correct.")
    @Outcome(id = "1, -1", expect = ACCEPTABLE_INTERESTING, desc = "caught: weakened protocol lets a torn read validate")
    @Outcome(id = {"1, 0", "1, 1", "1, 2"}, expect = ACCEPTABLE, desc = "Validated a whole state.")
    @Outcome(id = {"0, -1", "0, 0", "0, 1", "0, 2", "2, 0"}, expect = ACCEPTABLE, desc = "Rejected, or stamp odd.")
    @Outcome(expect = FORBIDDEN, desc = "Any other outcome.")
    @State
    public static class ReaderPlainStamp extends Base {
        @Actor
        public void writer() {
            correctWrite(1);
            correctWrite(2);
        }

        @Actor
        public void reader(II_Result r) {
            long stamp = m.get(JAVA_LONG, SEQ);
            if ((stamp & 1) != 0) {
                r.r1 = 2;
                return;
            }
            long d = m.get(JAVA_LONG, DATA);
            long s = m.get(JAVA_LONG, SUM);
            VarHandle.acquireFence();
            r.r1 = stamp == (long) WORD.getOpaque(m, SEQ) ? 1 : 0;
            r.r2 = judge(d, s);
        }
    }

    @JCStressTest
    @Description("Reader that never re-reads the sequence: an even stamp is taken as proof of a whole state.")
    @Outcome(id = "1, -1", expect = ACCEPTABLE_INTERESTING, desc = "caught: weakened protocol lets a torn read validate")
    @Outcome(id = {"1, 0", "1, 1", "1, 2"}, expect = ACCEPTABLE, desc = "Validated a whole state.")
    @Outcome(id = {"0, -1", "0, 0", "0, 1", "0, 2", "2, 0"}, expect = ACCEPTABLE, desc = "Rejected, or stamp odd.")
    @Outcome(expect = FORBIDDEN, desc = "Any other outcome.")
    @State
    public static class ReaderNoRecheck extends Base {
        @Actor
        public void writer() {
            correctWrite(1);
            correctWrite(2);
        }

        @Actor
        public void reader(II_Result r) {
            long stamp = (long) WORD.getAcquire(m, SEQ);
            if ((stamp & 1) != 0) {
                r.r1 = 2;
                return;
            }
            long d = m.get(JAVA_LONG, DATA);
            long s = m.get(JAVA_LONG, SUM);
            r.r1 = 1;
            r.r2 = judge(d, s);
        }
    }

    @JCStressTest
    @Description("Control: the correct writer and reader, copied here; must never show a validated torn read.")
    @Outcome(id = "1, -1", expect = FORBIDDEN, desc = "A torn read validated with the correct protocol: the copy or the protocol is wrong.")
    @Outcome(id = {"1, 0", "1, 1", "1, 2"}, expect = ACCEPTABLE, desc = "Validated a whole state.")
    @Outcome(id = {"0, -1", "0, 0", "0, 1", "0, 2", "2, 0"}, expect = ACCEPTABLE, desc = "Rejected, or stamp odd.")
    @Outcome(expect = FORBIDDEN, desc = "Any other outcome.")
    @State
    public static class Control extends Base {
        @Actor
        public void writer() {
            correctWrite(1);
            correctWrite(2);
        }

        @Actor
        public void reader(II_Result r) {
            correctRead(r);
        }
    }
}
