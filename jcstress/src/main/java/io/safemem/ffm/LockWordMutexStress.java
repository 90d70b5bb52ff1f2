package io.safemem.ffm;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * (a) The writers' spin mutex: {@link LockWord} taken exclusively excludes every other exclusive
 * holder, and its acquire (CAS) and release (release store) order the plain accesses of the
 * critical section. Two actors each take the lock, do a non-atomic read-modify-write of a plain
 * counter, and release. Each also marks the critical section with an opaque "owner" word, checked
 * on entry and before leaving, so overlapping critical sections are seen directly, not only
 * through a lost update. r1, r2: whether actor 1, 2 saw the other inside; r3: the final counter.
 */
public final class LockWordMutexStress {

    private LockWordMutexStress() {
    }

    /** The owner marker, opaque so the compiler keeps every access (plain ones would be folded). */
    static final VarHandle OWNER;

    static {
        try {
            OWNER = MethodHandles.lookup().findVarHandle(Critical.class, "owner", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The shared plain state and the critical section run under the lock. */
    static class Critical {
        final LockWord lock = new LockWord(Support.header(), CheckedRegion.LOCK_WORD_OFFSET);
        int counter;
        @SuppressWarnings("unused") // through OWNER
        int owner;

        /** The critical section: returns 1 if another actor was seen inside at the same time. */
        int critical(int me, int spins) {
            int intruded = (int) OWNER.getOpaque(this) != 0 ? 1 : 0;
            OWNER.setOpaque(this, me);
            int c = counter;
            Support.pause(spins);
            counter = c + 1;
            if ((int) OWNER.getOpaque(this) != me) {
                intruded = 1;
            }
            OWNER.setOpaque(this, 0);
            return intruded;
        }
    }

    @JCStressTest
    @Description("AtomicMemoryOps' own path to the writers' lock: tryAcquireExclusive, else acquireExclusive with no timeout.")
    @Outcome(id = "0, 0, 2", expect = ACCEPTABLE, desc = "Each actor held the lock alone; both increments landed.")
    @Outcome(id = "0, 0, 1", expect = FORBIDDEN, desc = "Lost update: both read-modify-writes overlapped. Breaks one-writer-at-a-time (the premise of I2).")
    @Outcome(id = {"1, .*", "0, 1, .*"}, expect = FORBIDDEN, desc = "Both actors inside the critical section at once: mutual exclusion broken (I2).")
    @Outcome(expect = FORBIDDEN, desc = "Any other outcome: the lock lost or invented an increment.")
    @State
    public static class TryThenWait extends Critical {
        private void lock() {
            if (!lock.tryAcquireExclusive()) {
                lock.acquireExclusive(Long.MAX_VALUE);
            }
        }

        @Actor
        public void actor1(III_Result r) {
            lock();
            r.r1 = critical(1, 0);
            lock.releaseExclusive();
        }

        @Actor
        public void actor2(III_Result r) {
            lock();
            r.r2 = critical(2, 0);
            lock.releaseExclusive();
        }

        @Arbiter
        public void arbiter(III_Result r) {
            r.r3 = counter;
        }
    }

    @JCStressTest
    @Description("The waiting path only: both actors call acquireExclusive (spin, yield, park), the critical section lasts a while.")
    @Outcome(id = "0, 0, 2", expect = ACCEPTABLE, desc = "Each actor held the lock alone; both increments landed.")
    @Outcome(id = "0, 0, 1", expect = FORBIDDEN, desc = "Lost update: both read-modify-writes overlapped. Breaks one-writer-at-a-time (the premise of I2).")
    @Outcome(id = {"1, .*", "0, 1, .*"}, expect = FORBIDDEN, desc = "Both actors inside the critical section at once: mutual exclusion broken (I2).")
    @Outcome(expect = FORBIDDEN, desc = "Any other outcome: the lock lost or invented an increment.")
    @State
    public static class WaitOnly extends Critical {
        @Actor
        public void actor1(III_Result r) {
            lock.acquireExclusive(Long.MAX_VALUE);
            r.r1 = critical(1, 20);
            lock.releaseExclusive();
        }

        @Actor
        public void actor2(III_Result r) {
            lock.acquireExclusive(Long.MAX_VALUE);
            r.r2 = critical(2, 20);
            lock.releaseExclusive();
        }

        @Arbiter
        public void arbiter(III_Result r) {
            r.r3 = counter;
        }
    }

    @JCStressTest
    @Description("acquireExclusive with a zero timeout against a holder that stays a while: a timed-out actor "
            + "must not have entered, and must leave the lock free. r1, r2: 0 if actor 1, 2 timed out, 1 if it got the "
            + "lock, 3 if it got it and saw the other inside; r3: the counter, plus 10 if the lock word was not 0 at the end.")
    @Outcome(id = "1, 1, 2", expect = ACCEPTABLE, desc = "Both got the lock in turn.")
    @Outcome(id = {"1, 0, 1", "0, 1, 1"}, expect = ACCEPTABLE, desc = "One actor timed out while the other held the lock, and wrote nothing.")
    @Outcome(id = "1, 1, 1", expect = FORBIDDEN, desc = "Lost update: both got the lock at once. Mutual exclusion broken (I2).")
    @Outcome(id = "0, 0, 0", expect = FORBIDDEN, desc = "Both timed out, though a timeout needs the other to hold the lock.")
    @Outcome(id = {"3, .*", ".*, 3, .*"}, expect = FORBIDDEN, desc = "Both actors inside the critical section at once: mutual exclusion broken (I2).")
    @Outcome(id = ".*, 1[0-9]", expect = FORBIDDEN, desc = "The lock word was left non-zero: the next writer or borrower would wait forever.")
    @Outcome(expect = FORBIDDEN, desc = "Any other outcome: the counter disagrees with who got the lock.")
    @State
    public static class Timed extends Critical {
        private int attempt(int me) {
            if (!lock.acquireExclusive(0)) {
                return 0;
            }
            int intruded = critical(me, 300);
            lock.releaseExclusive();
            return 1 + 2 * intruded;
        }

        @Actor
        public void actor1(III_Result r) {
            r.r1 = attempt(1);
        }

        @Actor
        public void actor2(III_Result r) {
            r.r2 = attempt(2);
        }

        @Arbiter
        public void arbiter(III_Result r) {
            r.r3 = counter + (lock.word() != 0 ? 10 : 0);
        }
    }
}
