package io.safemem.ffm;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads of one concurrent test run: they start together on {@link #start}, give up when
 * {@link #stop} is set, and report what went wrong to a bounded problem log instead of dying
 * silently. The concurrent suites' run states extend it.
 */
class ThreadCrew {

    /** How many problems are kept word for word; the rest are only counted. */
    static final int MAX_PROBLEMS = 20;

    final CountDownLatch start = new CountDownLatch(1);
    final AtomicBoolean stop = new AtomicBoolean();
    final AtomicInteger problemCount = new AtomicInteger();
    final Queue<String> problems = new ConcurrentLinkedQueue<>();

    /** Records a problem, named after the thread that saw it. */
    void problem(String what) {
        if (problemCount.incrementAndGet() <= MAX_PROBLEMS) {
            problems.add(Thread.currentThread().getName() + ": " + what);
        }
    }

    /** A daemon thread that waits for {@link #start}, then runs {@code body}; if it throws, that is a problem. */
    Thread thread(String name, Runnable body) {
        Thread t = new Thread(() -> {
            try {
                start.await();
                body.run();
            } catch (Throwable e) {
                problem("died: " + e);
            }
        }, name);
        t.setDaemon(true);
        return t;
    }
}
