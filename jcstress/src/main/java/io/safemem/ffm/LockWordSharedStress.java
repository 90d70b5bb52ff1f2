package io.safemem.ffm;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;
import org.openjdk.jcstress.infra.results.III_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * (c), at the protocol level: a share of the {@link LockWord} (what a borrowed slice holds)
 * excludes writers for as long as it is held, and a writer that gives up waiting leaves the word
 * as it found it. The guarded state is two plain fields written by the writer, read by the
 * borrower with a pause in between.
 */
public final class LockWordSharedStress {

    private LockWordSharedStress() {
    }

    static class Guarded {
        final LockWord lock = new LockWord(Support.header(), CheckedRegion.LOCK_WORD_OFFSET);
        int x;
        int y;
    }

    @JCStressTest
    @Description("A borrower holds a share while it reads x, pauses, reads y; a writer takes the lock (try, then wait) and sets both.")
    @Outcome(id = "0, 0", expect = ACCEPTABLE, desc = "The borrower read before the write.")
    @Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "The borrower read after the write.")
    @Outcome(id = {"0, 1", "1, 0"}, expect = FORBIDDEN, desc = "A writer changed the data while a share was held: a borrowed slice would change under its reader.")
    @Outcome(expect = FORBIDDEN, desc = "Any other outcome.")
    @State
    public static class ShareExcludesWriter extends Guarded {
        @Actor
        public void borrower(II_Result r) {
            lock.acquireShared(Long.MAX_VALUE);
            r.r1 = x;
            Support.pause(20);
            r.r2 = y;
            lock.releaseShared();
        }

        @Actor
        public void writer() {
            if (!lock.tryAcquireExclusive()) {
                lock.acquireExclusive(Long.MAX_VALUE);
            }
            x = 1;
            y = 1;
            lock.releaseExclusive();
        }
    }

    @JCStressTest
    @Description("A borrower holds a share for a while and reads x twice; a writer tries with a zero timeout, so it may "
            + "give up while draining borrowers. r1, r2: the borrower's two reads; r3: 1 if the writer got the lock and "
            + "wrote, plus 10 if the lock word was not 0 at the end.")
    @Outcome(id = "0, 0, 0", expect = ACCEPTABLE, desc = "The writer timed out while the share was held, and wrote nothing.")
    @Outcome(id = "0, 0, 1", expect = ACCEPTABLE, desc = "The writer wrote after the borrower left.")
    @Outcome(id = "1, 1, 1", expect = ACCEPTABLE, desc = "The writer wrote before the borrower came.")
    @Outcome(id = {"0, 1, .*", "1, 0, .*"}, expect = FORBIDDEN, desc = "A writer changed the data while a share was held: a borrowed slice would change under its reader.")
    @Outcome(id = "1, 1, 0", expect = FORBIDDEN, desc = "The borrower saw a write by a writer that reported a timeout: a timed-out write must change nothing (I6).")
    @Outcome(id = ".*, 1[0-9]", expect = FORBIDDEN, desc = "The lock word was left non-zero: the next writer or borrower would wait forever.")
    @Outcome(expect = FORBIDDEN, desc = "Any other outcome.")
    @State
    public static class WriterTimesOut extends Guarded {
        int wrote;

        @Actor
        public void borrower(III_Result r) {
            lock.acquireShared(Long.MAX_VALUE);
            r.r1 = x;
            Support.pause(300);
            r.r2 = x;
            lock.releaseShared();
        }

        @Actor
        public void writer() {
            if (lock.acquireExclusive(0)) {
                x = 1;
                wrote = 1;
                lock.releaseExclusive();
            }
        }

        @Arbiter
        public void arbiter(III_Result r) {
            r.r3 = wrote + (lock.word() != 0 ? 10 : 0);
        }
    }
}
