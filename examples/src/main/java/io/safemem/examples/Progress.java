package io.safemem.examples;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What the threads of one concurrent run tell each other: when every reader is ready (the
 * writers wait for that), how many writes each writer has done and which record it is writing
 * now (for the flipper), when the flips and the writers are done, and when to stop early (time
 * limit or a thread's failure). Each writer's slots sit on a cache
 * line of their own, so writers do not slow each other down through them.
 */
final class Progress {

    /** {@code long}s between two writers' slots: 128 bytes. */
    private static final int PAD = 16;
    private static final int WRITES = 0;
    private static final int ANNOUNCED = 1;

    private final int writers;
    private final int readers;
    private final AtomicInteger readersReady = new AtomicInteger();
    private final AtomicLongArray slots;
    private final AtomicInteger writersRunning;
    private final AtomicReference<String> failure = new AtomicReference<>();
    private volatile boolean flipsDone;
    private volatile boolean stopped;

    /**
     * Creates the progress of a run whose threads have not started yet.
     *
     * @param writers the number of writer threads
     * @param readers the number of reader threads
     */
    Progress(int writers, int readers) {
        this.writers = writers;
        this.readers = readers;
        this.slots = new AtomicLongArray((writers + 1) * PAD);
        this.writersRunning = new AtomicInteger(writers);
    }

    /** Says one reader has read once and goes on reading. */
    void readerReady() {
        readersReady.incrementAndGet();
    }

    /** Waits, yielding the processor, until every reader is ready or the run is stopped. */
    void awaitReaders() {
        while (readersReady.get() < readers && !stopped) {
            Thread.yield();
        }
    }

    /**
     * Says which record writer {@code writer} is about to write.
     *
     * @param writer the writer's index
     * @param record the record's index
     */
    void announce(int writer, int record) {
        slots.setRelease(slot(writer, ANNOUNCED), record);
    }

    /**
     * The record writer {@code writer} last announced.
     *
     * @param writer the writer's index
     * @return a record index
     */
    int announced(int writer) {
        return (int) slots.getAcquire(slot(writer, ANNOUNCED));
    }

    /**
     * Publishes how many writes writer {@code writer} has done.
     *
     * @param writer the writer's index
     * @param writes its count so far
     */
    void wrote(int writer, long writes) {
        slots.setRelease(slot(writer, WRITES), writes);
    }

    /**
     * The writes all writers have published.
     *
     * @return their sum
     */
    long totalWrites() {
        long total = 0;
        for (int w = 0; w < writers; w++) {
            total += slots.getAcquire(slot(w, WRITES));
        }
        return total;
    }

    /** Says the flipper has injected all its flips (or given up). */
    void flipsDone() {
        flipsDone = true;
    }

    /**
     * Whether the flipper is done.
     *
     * @return {@code true} once {@link #flipsDone()} was called
     */
    boolean flipsAreDone() {
        return flipsDone;
    }

    /** Says one writer has finished. */
    void writerFinished() {
        writersRunning.decrementAndGet();
    }

    /**
     * Whether every writer has finished.
     *
     * @return {@code true} once all writers called {@link #writerFinished()}
     */
    boolean writersFinished() {
        return writersRunning.get() == 0;
    }

    /**
     * Asks every thread to stop at its next step.
     *
     * @param why the reason, kept if it is the first
     */
    void stop(String why) {
        failure.compareAndSet(null, why);
        stopped = true;
    }

    /**
     * Whether the run was asked to stop early.
     *
     * @return {@code true} after {@link #stop(String)}
     */
    boolean stopped() {
        return stopped;
    }

    /**
     * Why the run stopped early.
     *
     * @return the first reason given to {@link #stop(String)}, or {@code null}
     */
    String failure() {
        return failure.get();
    }

    private static int slot(int writer, int field) {
        return (writer + 1) * PAD + field;
    }
}
