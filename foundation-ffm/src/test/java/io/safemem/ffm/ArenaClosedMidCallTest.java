package io.safemem.ffm;

import io.safemem.ErrorCode;
import io.safemem.SafeMemoryException;
import io.safemem.Slice;
import io.safemem.VerificationLevel;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A shared arena closed under running calls: every call it interrupts, and every later one, must
 * fail with {@link ErrorCode#ARENA_CLOSED}, never with the JDK's {@code IllegalStateException}
 * ("Already closed") from inside the protocol, nor with a coded exception lost to a {@code finally}
 * that touched the closed memory. The rounds run for a bounded time; the assertions count
 * outcomes, never time.
 */
class ArenaClosedMidCallTest {

    private static final long CAPACITY = 64 * 1024;
    private static final int BLOCK = 256;
    private static final long RUN_NANOS = 2_500_000_000L;
    private static final VerificationLevel[] LEVELS = {
            VerificationLevel.STANDARD, VerificationLevel.FULL, VerificationLevel.SAMPLING, VerificationLevel.OFF};

    /** What the threads of all rounds failed with: {@code ARENA_CLOSED} or the name of anything else. */
    private final Map<String, LongAdder> outcomes = new ConcurrentHashMap<>();
    /** The first few failures that were not {@code ARENA_CLOSED}, word for word. */
    private final Map<String, Throwable> examples = new ConcurrentHashMap<>();

    private void record(Throwable e) {
        String key = e instanceof SafeMemoryException s ? s.code().name() : e.getClass().getName();
        outcomes.computeIfAbsent(key, k -> new LongAdder()).increment();
        if (!key.equals(ErrorCode.ARENA_CLOSED.name())) {
            examples.putIfAbsent(key, e);
        }
    }

    private long others() {
        return outcomes.entrySet().stream().filter(en -> !en.getKey().equals(ErrorCode.ARENA_CLOSED.name()))
                .mapToLong(en -> en.getValue().sum()).sum();
    }

    private void report(String what, int rounds, long expected) {
        System.out.println(what + ": " + rounds + " rounds, failures by code " + outcomes);
        examples.values().forEach(Throwable::printStackTrace);
        assertEquals(0, others(), what + ": failures other than ARENA_CLOSED " + outcomes + ", e.g. " + examples);
        assertEquals(expected, outcomes.get(ErrorCode.ARENA_CLOSED.name()).sum(),
                what + ": every thread of every round fails with ARENA_CLOSED once");
    }

    @FunctionalInterface
    private interface Op {
        void run(AtomicMemoryOps memory, FixedArena arena, SplittableRandom rnd, MemorySegment buffer, byte[] array);
    }

    /** Arena bytes left over by the round's region, for the regions the mix carves while it lasts. */
    private static final long SPARE = 64 * 1024;

    /** The mix, one loop per thread: each thread runs its ops until the arena's close stops it. */
    private static final Op[] MIX = {
        (m, arena, r, seg, a) -> {
            m.read(r.nextLong(CAPACITY - 4096), a);
            m.read(r.nextLong(CAPACITY - 4096), seg, 0, 1 + r.nextLong(4096));
            m.getLong(r.nextLong(CAPACITY - 8));
        },
        (m, arena, r, seg, a) -> {
            m.atomicWriteWithChecksum(r.nextLong(CAPACITY - 4096), a, 0, 1 + r.nextInt(4096));
            m.atomicWriteWithChecksum(r.nextLong(CAPACITY - 4096), seg, 0, 1 + r.nextLong(4096));
            m.putLong(r.nextLong(CAPACITY - 8), r.nextLong());
        },
        (m, arena, r, seg, a) -> {
            m.atomicCopyWithin(r.nextLong(CAPACITY - 20_000), r.nextLong(CAPACITY - 20_000), 1 + r.nextLong(20_000));
            m.atomicFill(r.nextLong(CAPACITY - 4096), 1 + r.nextLong(4096), (byte) r.nextInt());
            m.putInt(r.nextLong(CAPACITY - 4), r.nextInt());
            m.getInt(r.nextLong(CAPACITY - 4));
        },
        (m, arena, r, seg, a) -> {
            m.verifyIntegrity();
            m.findCorruptBlock(r.nextLong(m.provider().blockCount()));
            m.verifyRange(r.nextLong(CAPACITY - 4096), 4096);
        },
        (m, arena, r, seg, a) -> {
            try (Slice slice = m.borrowSlice(r.nextLong(CAPACITY - 4096), 4096)) {
                slice.getLong(r.nextLong(4088));
                slice.copyTo(0, a, 0, 4096);
                slice.copyTo(r.nextLong(2048), seg, 0, 2048);
            }
            // carves a region of 1 KiB (under 1.5 KiB of the arena, two threads at once) from the spare bytes, while they last
            if (arena.remaining() > 4096) {
                CheckedRegion.builder(arena, 1024).blockSize(16).build();
            }
        },
    };

    @FunctionalInterface
    private interface Round {
        void run(int round, FixedArena arena, CheckedRegion region) throws InterruptedException;
    }

    /**
     * Runs rounds for {@code nanos}, each on a new shared arena with a region at the next level,
     * then checks that each round saw {@code failuresPerRound} failures, all {@code ARENA_CLOSED}.
     */
    private void runRounds(String what, long nanos, int failuresPerRound, Round body) throws InterruptedException {
        long end = System.nanoTime() + nanos;
        int rounds = 0;
        do {
            FixedArena arena = FixedArena.ofShared(2 * CAPACITY + SPARE);
            CheckedRegion region = CheckedRegion.builder(arena, CAPACITY).name("closing-" + rounds).blockSize(BLOCK)
                    .verificationLevel(LEVELS[rounds % LEVELS.length]).samplingRate(0.5).build();
            body.run(rounds, arena, region);
            rounds++;
        } while (System.nanoTime() - end < 0);
        report(what, rounds, (long) rounds * failuresPerRound);
    }

    @Test
    void everyRunningAtomicCallFailsWithArenaClosed() throws InterruptedException {
        runRounds("AtomicMemoryOps", RUN_NANOS, MIX.length * 2 + 2, this::atomicRound);
    }

    private void atomicRound(int round, FixedArena arena, CheckedRegion region) throws InterruptedException {
        AtomicMemoryOps memory = region.intoAtomicOps();
        CountDownLatch started = new CountDownLatch(MIX.length * 2 + 2);
        AtomicLong ops = new AtomicLong();
        Thread[] threads = new Thread[MIX.length * 2 + 2];
        for (int i = 0; i < MIX.length * 2; i++) {
            Op op = MIX[i % MIX.length];
            long seed = round * 100L + i;
            threads[i] = new Thread(() -> {
                SplittableRandom rnd = new SplittableRandom(seed);
                MemorySegment buffer = MemorySegment.ofArray(new byte[4096]);
                byte[] array = new byte[4096];
                started.countDown();
                try {
                    while (true) {
                        op.run(memory, arena, rnd, buffer, array);
                        ops.incrementAndGet();
                    }
                } catch (Throwable e) {
                    record(e);
                }
            }, "mix-" + i);
        }
        // Late in the round a borrower takes a slice and holds it; a writer then waits for the lock
        // behind it (and the other writers with it) when the arena closes.
        CountDownLatch go = new CountDownLatch(1);
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch closed = new CountDownLatch(1);
        threads[threads.length - 2] = new Thread(() -> {
            started.countDown();
            try {
                go.await();
                try (Slice slice = memory.borrowSlice(0, 64)) {
                    held.countDown();
                    closed.await();
                    slice.getLong(0);
                }
            } catch (Throwable e) {
                record(e);
            }
        }, "holder");
        threads[threads.length - 1] = new Thread(() -> {
            started.countDown();
            try {
                held.await();
                memory.atomicFill(0, 64, (byte) 1);
            } catch (Throwable e) {
                record(e);
            }
        }, "blocked-writer");
        for (Thread t : threads) {
            t.setDaemon(true);
            t.start();
        }
        started.await();
        SplittableRandom rnd = new SplittableRandom(round);
        awaitOps(ops, 1 + rnd.nextInt(40));
        go.countDown();
        held.await();
        awaitOps(ops, rnd.nextInt(4));
        arena.close();
        closed.countDown();
        for (Thread t : threads) {
            t.join();
        }
    }

    /** Spins until the mix threads have completed {@code more} further loops. */
    private static void awaitOps(AtomicLong ops, int more) {
        awaitOps(ops, more, Thread.currentThread());
    }

    /** Spins until the mix threads have completed {@code more} further loops, or {@code worker} has ended. */
    private static void awaitOps(AtomicLong ops, int more, Thread worker) {
        long until = ops.get() + more;
        while (ops.get() < until && worker.isAlive()) {
            Thread.onSpinWait();
        }
    }

    @Test
    void everyHandlerCallAfterTheArenaClosedFailsWithArenaClosed() throws InterruptedException {
        runRounds("SafeMemoryHandler", RUN_NANOS / 5, 3, this::handlerRound);
    }

    @Test
    void aHandlerCallRunningWhenAnotherThreadClosesTheArenaFailsWithArenaClosed() throws InterruptedException {
        runRounds("SafeMemoryHandler, closed by another thread", RUN_NANOS / 5, 2, this::closedUnderAHandler);
    }

    /**
     * One thread, to which the handler is transferred, calls it (and a slice of it) in a loop;
     * this one closes the shared arena under it.
     */
    private void closedUnderAHandler(int round, FixedArena arena, CheckedRegion region) throws InterruptedException {
        SafeMemoryHandler memory = region.handler();
        AtomicLong ops = new AtomicLong();
        Runnable calls = () -> {
            SplittableRandom rnd = new SplittableRandom(round);
            MemorySegment buffer = MemorySegment.ofArray(new byte[4096]);
            byte[] array = new byte[4096];
            try {
                while (true) {
                    handlerCall(memory, rnd.nextInt(8), rnd, buffer, array);
                    ops.incrementAndGet();
                }
            } catch (Throwable e) {
                record(e);
            }
            try (Slice slice = memory.borrowSlice(0, 4096)) {
                slice.copyTo(0, buffer, 0, 4096);
            } catch (Throwable e) {
                record(e);
            }
        };
        Thread caller = new Thread(calls, "handler-caller");
        caller.setDaemon(true);
        memory.transferOwnership(caller);
        caller.start();
        awaitOps(ops, 1 + new SplittableRandom(round).nextInt(40), caller);
        arena.close();
        caller.join();
    }

    /** Closes a handler's shared arena between its calls; then a call, a slice read and the slice's close. */
    private void handlerRound(int round, FixedArena arena, CheckedRegion region) {
        SafeMemoryHandler memory = region.handler();
        SplittableRandom rnd = new SplittableRandom(round);
        MemorySegment buffer = MemorySegment.ofArray(new byte[4096]);
        byte[] array = new byte[4096];
        for (int i = rnd.nextInt(20); i > 0; i--) {
            handlerCall(memory, rnd.nextInt(8), rnd, buffer, array);
        }
        Slice slice = memory.borrowSlice(rnd.nextLong(CAPACITY - 64), 64);
        arena.close();
        try {
            handlerCall(memory, rnd.nextInt(8), rnd, buffer, array);
        } catch (Throwable e) {
            record(e);
        }
        try {
            slice.copyTo(0, buffer, 0, 64);
        } catch (Throwable e) {
            record(e);
        }
        try {
            memory.verifyIntegrity();
            slice.close();
            memory.getLong(0);
        } catch (Throwable e) {
            record(e);
        }
    }

    private static void handlerCall(SafeMemoryHandler m, int which, SplittableRandom r, MemorySegment seg, byte[] a) {
        switch (which) {
            case 0 -> m.read(r.nextLong(CAPACITY - 4096), a);
            case 1 -> m.read(r.nextLong(CAPACITY - 4096), seg, 0, 1 + r.nextLong(4096));
            case 2 -> m.write(r.nextLong(CAPACITY - 4096), seg, 0, 1 + r.nextLong(4096));
            case 3 -> m.copyWithin(r.nextLong(CAPACITY - 4096), r.nextLong(CAPACITY - 4096), 4096);
            case 4 -> m.fill(r.nextLong(CAPACITY - 4096), 1 + r.nextLong(4096), (byte) r.nextInt());
            case 5 -> m.putLong(r.nextLong(CAPACITY - 8), r.nextLong());
            case 6 -> m.findCorruptBlock(0);
            default -> m.getInt(r.nextLong(CAPACITY - 4));
        }
    }
}
