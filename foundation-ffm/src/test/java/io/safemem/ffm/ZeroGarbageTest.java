package io.safemem.ffm;

import io.safemem.MemoryStatistics;
import io.safemem.Slice;
import io.safemem.VerificationLevel;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Invariant I4: after construction, reads, writes, copies, fills, scalar access and verification
 * allocate nothing on the heap. Measures a thread's allocated bytes (HotSpot's per-thread counter)
 * over many operations after a warm-up, at every level, through a {@link SafeMemoryHandler} and
 * through {@link AtomicMemoryOps}. Counts bytes, never time.
 *
 * <p>For atomic ops, also the contended paths, each measured on the thread that waits: a writer
 * that has to wait (spinning, yielding, then parking) for a slice another thread holds; a reader
 * that meets writes in progress, retries, and falls back to the shared lock; and the one
 * allocation {@link AtomicMemoryOps#borrowSlice} makes by design, one small slice object per
 * borrow. Threads hand each other turns through volatile flags, never through a latch, whose
 * waiting would allocate on the measured thread.
 */
class ZeroGarbageTest {

    private static final int BLOCK = 256;
    private static final long CAPACITY = 256 * 1024;
    private static final int WARM_UP_ROUNDS = 3_000;
    private static final int MEASURED_ROUNDS = 2_000;
    /** Operations per round, as performed by {@link #round}. */
    private static final int OPS_PER_ROUND = 23;
    /** Contended operations measured per test: each one waits for another thread. */
    private static final int CONTENDED_OPS = 16;
    /** The documented bound on {@code borrowSlice}: one slice object of a few fields. */
    private static final long SLICE_OBJECT_BOUND = 64;
    private static final long LIVENESS_SECONDS = 60;
    /** Read retries the racing phase waits for: reads that met a write while they copied. */
    private static final long RACING_RETRIES = 50;
    /** How long the threads that are not measured pause between looks at what they wait for. */
    private static final long PAUSE_NANOS = 20_000;

    private final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @BeforeEach
    void allocationCounter() {
        assumeTrue(threads.isThreadAllocatedMemorySupported(), "per-thread allocation counter unavailable");
        threads.setThreadAllocatedMemoryEnabled(true);
    }

    // ================================================================ one thread

    @ParameterizedTest
    @EnumSource(VerificationLevel.class)
    void handlerOperationsAllocateNothingOnceWarm(VerificationLevel level) {
        try (FixedArena arena = FixedArena.ofConfined(2 * CAPACITY); Arena plain = Arena.ofConfined()) {
            SafeMemoryHandler memory = builder(arena, level).build().handler();
            assertNothingAllocatedOnceWarm("handler", level, ModelTarget.of(memory), plain);
        }
    }

    /** The same rounds through atomic ops, on the thread whose first access was the warm-up. */
    @ParameterizedTest
    @EnumSource(VerificationLevel.class)
    void atomicOperationsAllocateNothingOnceWarm(VerificationLevel level) {
        try (FixedArena arena = FixedArena.ofConfined(2 * CAPACITY); Arena plain = Arena.ofConfined()) {
            AtomicMemoryOps ops = builder(arena, level).build().intoAtomicOps();
            assertNothingAllocatedOnceWarm("atomic", level, ModelTarget.of(ops), plain);
            assertEquals(0, ops.provider().statistics().readRetries(), "one thread: no read met a write");
        }
    }

    private void assertNothingAllocatedOnceWarm(String what, VerificationLevel level, ModelTarget memory, Arena plain) {
        byte[] bytes = new byte[20_000];
        MemorySegment segment = plain.allocate(20_000);
        for (int i = 0; i < WARM_UP_ROUNDS; i++) {
            round(memory, bytes, segment, i);
        }
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < MEASURED_ROUNDS; i++) {
            round(memory, bytes, segment, i);
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        double perOp = (double) allocated / ((long) MEASURED_ROUNDS * OPS_PER_ROUND);
        System.out.printf("I4 %-7s %-8s: %d bytes over %d operations (%.4f B/op)%n",
                what, level, allocated, MEASURED_ROUNDS * OPS_PER_ROUND, perOp);
        assertTrue(perOp < 0.1, what + " at " + level + ": " + allocated + " bytes allocated over "
                + MEASURED_ROUNDS * OPS_PER_ROUND + " operations (" + perOp + " B/op)");
    }

    private static CheckedRegion.Builder builder(FixedArena arena, VerificationLevel level) {
        return CheckedRegion.builder(arena, CAPACITY).blockSize(BLOCK).verificationLevel(level).samplingRate(0.5);
    }

    /**
     * {@value #OPS_PER_ROUND} operations covering every non-borrowing path: writes of every kind
     * (aligned, unaligned, chunked, copies in both directions, fill, every put, across block
     * edges), reads into arrays and segments, every get, and the three checks.
     */
    private static long round(ModelTarget memory, byte[] bytes, MemorySegment segment, int i) {
        long at = (i * 4099L) % (CAPACITY - 40_000);
        memory.write(at, bytes, 0, 64);
        memory.write(at + 13, bytes, 0, 300);
        memory.write(at, segment, 0, 20_000);
        memory.read(at + 7, bytes, 0, 500);
        memory.read(at, segment, 0, 20_000);
        memory.copyWithin(at, at + 17, 1_000);
        memory.copyWithin(at + 20_000, at + 3, 18_000);
        memory.fill(at + 5, 700, (byte) i);
        memory.putByte(at + 2, (byte) i);
        memory.putShort(at + 255, (short) i);
        memory.putInt(at + 1, i);
        memory.putLong(at + 250, i);
        memory.putFloat(at + 509, i);
        memory.putDouble(at + 90, i);
        long sum = memory.getInt(at + 1) + memory.getLong(at + 250) + (long) memory.getDouble(at + 90)
                + (long) memory.getFloat(at + 509);
        memory.verifyRange(at, 4_000);
        sum += memory.findCorruptBlock(memory.region().blockCount() - 8);
        memory.getShort(at + 255);
        memory.getByte(at);
        memory.verifyIntegrity();
        return sum;
    }

    // ================================================================ contended atomic ops

    /**
     * A writer that has to wait for a slice held by another thread, until it parks, allocates
     * nothing: measured on the writer over {@value #CONTENDED_OPS} such writes of every kind, after
     * a warm-up that included waiting.
     */
    @ParameterizedTest
    @EnumSource(VerificationLevel.class)
    void aWriterWaitingForASliceAllocatesNothing(VerificationLevel level) throws Throwable {
        try (FixedArena arena = FixedArena.ofShared(2 * CAPACITY)) {
            AtomicMemoryOps ops = builder(arena, level).build().intoAtomicOps();
            ops.atomicWriteWithChecksum(0, new byte[(int) CAPACITY]);
            SliceHolder holder = new SliceHolder(ops);
            Turns turns = new Turns();
            AtomicLong allocated = new AtomicLong(-1);
            Actor writer = Actor.start("waiting-writer", () -> {
                byte[] src = new byte[1000];
                MemorySegment seg = MemorySegment.ofArray(new byte[1000]);
                for (int i = 0; i < 2_000; i++) {
                    write(ops, i, src, seg); // warm-up, uncontended
                }
                turns.ready();
                turns.myTurn(0);
                write(ops, 0, src, seg);      // warm-up: one write that waits
                turns.done(0);
                long before = threads.getCurrentThreadAllocatedBytes();
                for (int k = 1; k <= CONTENDED_OPS; k++) {
                    turns.myTurn(k);
                    write(ops, k, src, seg);
                    turns.done(k);
                }
                allocated.set(threads.getCurrentThreadAllocatedBytes() - before);
            });
            turns.awaitReady(writer);
            for (int k = 0; k <= CONTENDED_OPS; k++) {
                holder.borrow();
                turns.give(k);
                awaitWriterParked(ops, writer);
                holder.release();
                turns.awaitDone(k, writer);
            }
            writer.join();
            holder.stop();
            System.out.printf("I4 atomic %-8s: a writer waiting for a slice, %d bytes over %d waits%n",
                    level, allocated.get(), CONTENDED_OPS);
            assertEquals(0, allocated.get(), "bytes allocated by a writer over " + CONTENDED_OPS
                    + " writes that each waited for a slice, spinning, yielding and parking");
            ops.verifyIntegrity();
        }
    }

    /**
     * The documented promise is "after a thread's first access, no operation allocates, whether it
     * retries, contends or waits". A thread that only writes has had its first access with its
     * first write; its first write that has to wait must allocate nothing either. Another thread
     * waits once first, so that what the JVM sets up once for everyone (classes of the waiting
     * path, its first park) is not charged to the measured thread.
     */
    @Test
    void aWriterThreadsFirstWaitAllocatesNothingAfterItsFirstAccess() throws Throwable {
        try (FixedArena arena = FixedArena.ofShared(2 * CAPACITY)) {
            AtomicMemoryOps ops = builder(arena, VerificationLevel.STANDARD).build().intoAtomicOps();
            SliceHolder holder = new SliceHolder(ops);
            bytesOfAFirstWait(ops, holder, "jvm-warm-up");
            long allocated = bytesOfAFirstWait(ops, holder, "writer-only");
            holder.stop();
            assertEquals(0, allocated, "bytes allocated by a writer thread's first wait for the lock");
        }
    }

    /** Starts a thread that writes uncontended, then once while a slice is held; what that one write allocated. */
    private long bytesOfAFirstWait(AtomicMemoryOps ops, SliceHolder holder, String name) throws Throwable {
        Turns turns = new Turns();
        AtomicLong allocated = new AtomicLong(-1);
        Actor writer = Actor.start(name, () -> {
            byte[] src = new byte[1000];
            MemorySegment seg = MemorySegment.ofArray(new byte[1000]);
            for (int i = 0; i < 2_000; i++) {
                write(ops, i, src, seg); // its first access, and a warm-up: uncontended
            }
            turns.ready();
            turns.myTurn(0);
            long before = threads.getCurrentThreadAllocatedBytes();
            write(ops, 0, src, seg);      // its first write that waits
            allocated.set(threads.getCurrentThreadAllocatedBytes() - before);
            turns.done(0);
        });
        turns.awaitReady(writer);
        holder.borrow();
        turns.give(0);
        awaitWriterParked(ops, writer);
        holder.release();
        turns.awaitDone(0, writer);
        writer.join();
        return allocated.get();
    }

    /**
     * A reader meeting writes allocates nothing: first {@value #CONTENDED_OPS} reads of every
     * non-borrowing kind that each find a write in progress until they give up, park and read
     * under the shared lock; then reads racing a writer thread until they have retried many times.
     * Measured on the reader, after a warm-up that included both.
     */
    @ParameterizedTest
    @EnumSource(VerificationLevel.class)
    void aReaderThatRetriesAndFallsBackToTheLockAllocatesNothing(VerificationLevel level) throws Throwable {
        try (FixedArena arena = FixedArena.ofShared(2 * CAPACITY)) {
            CheckedRegion region = builder(arena, level).build();
            AtomicMemoryOps ops = region.intoAtomicOps();
            ops.atomicWriteWithChecksum(0, new byte[(int) CAPACITY]);
            MemoryStatistics st = region.statistics();
            LockWord otherWriter = new LockWord(region.header, CheckedRegion.LOCK_WORD_OFFSET);
            SequenceWord sequence = new SequenceWord(region.header, CheckedRegion.SEQUENCE_OFFSET);
            Turns turns = new Turns();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong fallbackBytes = new AtomicLong(-1);
            AtomicLong retryBytes = new AtomicLong(-1);
            AtomicInteger racingReads = new AtomicInteger();
            Actor reader = Actor.start("reader", () -> {
                byte[] dst = new byte[16 * 1024];
                MemorySegment seg = MemorySegment.ofArray(new byte[16 * 1024]);
                for (int i = 0; i < 2_000; i++) {
                    read(ops, i, dst, seg); // its first access, and a warm-up
                }
                turns.ready();
                turns.myTurn(0);
                read(ops, 0, dst, seg);     // warm-up: one read that falls back to the lock
                turns.done(0);
                long before = threads.getCurrentThreadAllocatedBytes();
                for (int k = 1; k <= CONTENDED_OPS; k++) {
                    turns.myTurn(k);
                    read(ops, k, dst, seg);
                    turns.done(k);
                }
                fallbackBytes.set(threads.getCurrentThreadAllocatedBytes() - before);
                turns.myTurn(CONTENDED_OPS + 1);
                before = threads.getCurrentThreadAllocatedBytes();
                int n = 0;
                while (!stop.get()) {
                    ops.read(0, dst);       // 16 KiB: long enough to meet a write
                    n++;
                }
                retryBytes.set(threads.getCurrentThreadAllocatedBytes() - before);
                racingReads.set(n);
            });
            turns.awaitReady(reader);
            for (int k = 0; k <= CONTENDED_OPS; k++) {
                assertTrue(otherWriter.tryAcquireExclusive());
                long odd = sequence.beginWrite();      // a write in progress that does not end on its own
                turns.give(k);
                awaitParked(reader, "reader waiting for the shared lock");
                sequence.endWrite(odd);
                otherWriter.releaseExclusive();
                turns.awaitDone(k, reader);
            }
            assertEquals(CONTENDED_OPS + 1, st.lockedReads(), "every read of the first phase fell back to the lock");
            long retriesBefore = st.readRetries();
            Actor writer = Actor.start("racing-writer", () -> {
                for (int v = 0; !stop.get(); v++) {
                    ops.putLong((v * 8L) & 0x3FF8, v); // short writes, one after the other
                }
            });
            turns.give(CONTENDED_OPS + 1);
            try {
                await(() -> st.readRetries() - retriesBefore >= RACING_RETRIES || !reader.thread.isAlive(),
                        RACING_RETRIES + " read retries against a writer thread");
            } finally {
                stop.set(true);
            }
            reader.join();
            writer.join();
            System.out.printf("I4 atomic %-8s: a reader, %d bytes over %d reads that fell back to the lock, "
                            + "%d bytes over %d reads racing a writer (%d retries, %d locked)%n", level, fallbackBytes.get(),
                    CONTENDED_OPS, retryBytes.get(), racingReads.get(), st.readRetries() - retriesBefore,
                    st.lockedReads() - CONTENDED_OPS - 1);
            assertTrue(st.readRetries() - retriesBefore >= RACING_RETRIES, "reads retried: " + (st.readRetries() - retriesBefore));
            assertEquals(0, fallbackBytes.get(), "bytes allocated by a reader over " + CONTENDED_OPS
                    + " reads that waited for a write in progress and read under the lock");
            assertEquals(0, retryBytes.get(), "bytes allocated by a reader over " + racingReads.get()
                    + " reads racing a writer, with retries");
            ops.verifyIntegrity();
        }
    }

    /**
     * {@code borrowSlice} creates one small object per borrow by design (the slice): measured over
     * many borrows, each used and closed, its cost per borrow stays within one small object.
     */
    @ParameterizedTest
    @EnumSource(VerificationLevel.class)
    void borrowSliceAllocatesOneSmallObjectPerBorrow(VerificationLevel level) {
        try (FixedArena arena = FixedArena.ofConfined(2 * CAPACITY)) {
            AtomicMemoryOps ops = builder(arena, level).build().intoAtomicOps();
            long sum = 0;
            for (int i = 0; i < WARM_UP_ROUNDS; i++) {
                sum += borrow(ops, i);
            }
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < MEASURED_ROUNDS; i++) {
                sum += borrow(ops, i);
            }
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            double perBorrow = (double) allocated / (3L * MEASURED_ROUNDS);
            System.out.printf("I4 atomic %-8s: borrowSlice, %d bytes over %d borrows (%.2f B/borrow; sum %d)%n",
                    level, allocated, 3 * MEASURED_ROUNDS, perBorrow, sum);
            assertTrue(perBorrow <= SLICE_OBJECT_BOUND, level + ": " + perBorrow + " bytes per borrow, more than one slice object");
            assertEquals(0L, new LockWord(ops.provider().header, CheckedRegion.LOCK_WORD_OFFSET).word());
        }
    }

    /** Three borrows, one of them nested, each read and closed. */
    private static long borrow(AtomicMemoryOps ops, int i) {
        long at = (i * 4099L) % (CAPACITY - 4_000);
        long sum;
        try (Slice outer = ops.borrowSlice(at, 3_000)) {
            sum = outer.getLong(17);
            try (Slice inner = ops.borrowSlice(at + 250, 10)) {
                sum += inner.getShort(3);
            }
        }
        try (Slice unaligned = ops.borrowSlice(at + 13, 300)) {
            sum += unaligned.getInt(290);
        }
        return sum;
    }

    // ================================================================ contended: the parts

    /** One write of a kind picked by {@code k}, each of them taking the writers' lock. */
    private static void write(AtomicMemoryOps ops, int k, byte[] src, MemorySegment seg) {
        long at = 1024 + (k * 517L) % 100_000;
        switch (k % 8) {
            case 0 -> ops.atomicWriteWithChecksum(at, src);
            case 1 -> ops.atomicWriteWithChecksum(at + 3, src, 5, 900);
            case 2 -> ops.atomicWriteWithChecksum(at, seg, 0, 1000);
            case 3 -> ops.atomicCopyWithin(at, at + 20_000, 30_000);
            case 4 -> ops.atomicFill(at + 1, 700, (byte) k);
            case 5 -> ops.putLong(at + 253, k);
            case 6 -> ops.putDouble(at + 7, k);
            default -> ops.putShort(at + 255, (short) k);
        }
    }

    /**
     * One read of a kind picked by {@code k}; none of them borrows. At {@code OFF} only the kinds
     * that read data (the checks check nothing there, so they never meet the lock).
     */
    private static long read(AtomicMemoryOps ops, int k, byte[] dst, MemorySegment seg) {
        long at = (k * 517L) % 100_000;
        int kinds = ops.provider().verificationLevel().keepsChecksums() ? 7 : 4;
        return switch (k % kinds) {
            case 0 -> {
                ops.read(at, dst, 3, 5_000);
                yield dst[3];
            }
            case 1 -> {
                ops.read(at + 1, seg, 0, 16 * 1024);
                yield 1;
            }
            case 2 -> ops.getLong(at + 253);
            case 3 -> (long) ops.getDouble(at + 7);
            case 4 -> {
                ops.verifyRange(at, 40_000);
                yield 2;
            }
            case 5 -> ops.findCorruptBlock(0);
            default -> {
                ops.verifyIntegrity();
                yield 3;
            }
        };
    }

    /**
     * Turns handed between the test thread and a measured thread through volatile counters:
     * waiting allocates nothing. The measured thread says it is {@link #ready()} after its warm-up,
     * so that no turn's contention reaches into the warm-up.
     */
    private static final class Turns {
        private static final int READY = -1;
        private final AtomicInteger given = new AtomicInteger(-1);
        private final AtomicInteger done = new AtomicInteger(-2);

        /** On the measured thread: its warm-up is over. */
        void ready() {
            done.set(READY);
        }

        /** On the test thread: waits until the measured thread is ready for its first turn. */
        void awaitReady(Actor actor) {
            awaitDone(READY, actor);
        }

        /** On the measured thread: yields until turn {@code k} is given (runnable all the while: it never parks here). */
        void myTurn(int k) {
            while (given.get() < k) {
                Thread.yield();
            }
        }

        void done(int k) {
            done.set(k);
        }

        void give(int k) {
            given.set(k);
        }

        void awaitDone(int k, Actor actor) {
            await(() -> done.get() >= k || !actor.thread.isAlive(), actor.thread.getName() + " finishing turn " + k);
            assertTrue(done.get() >= k, actor.thread.getName() + " died: " + actor.failure.get());
        }
    }

    /** A thread that borrows a slice of the region when told and holds it until told to close it. */
    private static final class SliceHolder {
        private final AtomicInteger state = new AtomicInteger(); // 0 idle, 1 borrow, 2 holding, 3 close, 4 stop
        private final Actor actor;

        SliceHolder(AtomicMemoryOps ops) {
            actor = Actor.start("slice-holder", () -> {
                while (true) {
                    int s = state.get();
                    if (s == 4) {
                        return;
                    }
                    if (s == 1) {
                        try (Slice slice = ops.borrowSlice(0, 64)) {
                            slice.getLong(0);
                            state.set(2);
                            while (state.get() == 2) {
                                LockSupport.parkNanos(PAUSE_NANOS);
                            }
                        }
                        state.set(0);
                    }
                    LockSupport.parkNanos(PAUSE_NANOS);
                }
            });
        }

        void borrow() {
            state.set(1);
            await(() -> state.get() == 2 || !actor.thread.isAlive(), "the holder holding its slice");
        }

        void release() {
            state.set(3);
            await(() -> state.get() == 0 || !actor.thread.isAlive(), "the holder closing its slice");
        }

        void stop() throws Throwable {
            state.set(4);
            actor.join();
        }
    }

    /** A thread running one body; {@link #join()} rethrows what it threw. */
    private static final class Actor {
        final Thread thread;
        final AtomicReference<Throwable> failure = new AtomicReference<>();

        private Actor(String name, Body body) {
            thread = new Thread(() -> {
                try {
                    body.run();
                } catch (Throwable t) {
                    failure.set(t);
                }
            }, name);
            thread.setDaemon(true);
        }

        static Actor start(String name, Body body) {
            Actor a = new Actor(name, body);
            a.thread.start();
            return a;
        }

        void join() throws Throwable {
            thread.join(TimeUnit.SECONDS.toMillis(LIVENESS_SECONDS));
            assertFalse(thread.isAlive(), thread.getName() + " did not finish");
            if (failure.get() != null) {
                throw failure.get();
            }
        }
    }

    @FunctionalInterface
    private interface Body {
        void run() throws Throwable;
    }

    /** Waits (a liveness bound, not a timing assertion) until {@code condition} holds. */
    private static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(LIVENESS_SECONDS);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() - deadline < 0, "never happened: " + what);
            LockSupport.parkNanos(PAUSE_NANOS);
        }
    }

    /** Waits until {@code actor} parks in a timed wait: it spun, yielded, and is now in the parking phase. */
    private static void awaitParked(Actor actor, String what) {
        await(() -> actor.thread.getState() == Thread.State.TIMED_WAITING || !actor.thread.isAlive(), what);
        assertTrue(actor.thread.isAlive(), actor.thread.getName() + " died: " + actor.failure.get());
    }

    /** Waits until the writer has set the writer bit and parks waiting for the borrower to leave. */
    private static void awaitWriterParked(AtomicMemoryOps ops, Actor writer) {
        LockWord lock = new LockWord(ops.provider().header, CheckedRegion.LOCK_WORD_OFFSET);
        await(() -> lock.word() < 0 || !writer.thread.isAlive(), "the writer waiting for the slice");
        awaitParked(writer, "the writer parking while it waits for the slice");
    }
}
