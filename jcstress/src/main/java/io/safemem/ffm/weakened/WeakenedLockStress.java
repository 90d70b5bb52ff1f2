package io.safemem.ffm.weakened;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;
import org.openjdk.jcstress.infra.results.I_Result;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * The (a) and (c) protocol tests of {@code io.safemem.ffm.LockWordMutexStress} and
 * {@code LockWordSharedStress} against weakened copies of the lock word.
 */
public final class WeakenedLockStress {

    private WeakenedLockStress() {
    }

    static final VarHandle WORD = ValueLayout.JAVA_LONG.varHandle();
    static final long WRITER = Long.MIN_VALUE;

    static class Base {
        final MemorySegment m = Arena.ofAuto().allocate(64, 64);
        int x;
        int y;

        /** The correct shared acquire: CAS count + 1 while the writer bit is clear. */
        void acquireShared() {
            while (true) {
                long w = (long) WORD.getVolatile(m, 0L);
                if (w >= 0 && WORD.compareAndSet(m, 0L, w, w + 1)) {
                    return;
                }
                Thread.onSpinWait();
            }
        }

        void releaseShared() {
            WORD.getAndAdd(m, 0L, -1L);
        }
    }

    @JCStressTest
    @Description("Mutex whose acquire is check-then-set (a volatile read of 0, then a volatile store of the writer bit) instead of a CAS; "
            + "two actors increment a plain counter under it. r1: the final counter.")
    @Outcome(id = "1", expect = ACCEPTABLE_INTERESTING, desc = "caught: weakened lock lets two writers in at once (lost update)")
    @Outcome(id = "2", expect = ACCEPTABLE, desc = "Both increments landed.")
    @Outcome(expect = FORBIDDEN, desc = "Any other outcome.")
    @State
    public static class CheckThenSetMutex extends Base {
        int counter;

        private void lock() {
            while ((long) WORD.getVolatile(m, 0L) != 0) {
                Thread.onSpinWait();
            }
            WORD.setVolatile(m, 0L, WRITER);
        }

        private void increment() {
            lock();
            counter++;
            WORD.setRelease(m, 0L, 0L);
        }

        @Actor
        public void actor1() {
            increment();
        }

        @Actor
        public void actor2() {
            increment();
        }

        @Arbiter
        public void arbiter(I_Result r) {
            r.r1 = counter;
        }
    }

    @JCStressTest
    @Description("Writer that sets the writer bit but does not wait for borrowers to leave; a borrower holds a share while it "
            + "reads x, pauses, reads y. r1, r2: the borrower's reads.")
    @Outcome(id = {"0, 1", "1, 0"}, expect = ACCEPTABLE_INTERESTING, desc = "caught: weakened lock lets a writer change data under an open share")
    @Outcome(id = {"0, 0", "1, 1"}, expect = ACCEPTABLE, desc = "The borrower read before or after the write.")
    @Outcome(expect = FORBIDDEN, desc = "Any other outcome.")
    @State
    public static class WriterSkipsDrain extends Base {
        @Actor
        public void borrower(II_Result r) {
            acquireShared();
            r.r1 = x;
            for (int i = 0; i < 20; i++) {
                Thread.onSpinWait();
            }
            r.r2 = y;
            releaseShared();
        }

        @Actor
        public void writer() {
            while (true) {
                long w = (long) WORD.getVolatile(m, 0L);
                if (w >= 0 && WORD.compareAndSet(m, 0L, w, w | WRITER)) {
                    break;
                }
                Thread.onSpinWait();
            }
            // missing: wait until (word & READERS) == 0
            x = 1;
            y = 1;
            WORD.getAndAdd(m, 0L, WRITER);
        }
    }
}
