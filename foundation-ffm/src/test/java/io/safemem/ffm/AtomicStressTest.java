package io.safemem.ffm;

import io.safemem.ConcurrencyException;
import io.safemem.ErrorCode;
import io.safemem.IntegrityException;
import io.safemem.MemoryStatistics;
import io.safemem.Slice;
import io.safemem.VerificationLevel;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link AtomicMemoryOps} under real contention: invariant I2 (no reader and no verifier ever
 * observes data and checksums of two different writes) and no false integrity failures.
 *
 * <p>Two writers and two readers hammer one small region (block size 64, so nearly every record
 * has unaligned edges and shares its edge blocks with its neighbours), and a fifth thread runs
 * {@code verifyIntegrity()} in a loop until the others are done. The region holds
 * {@value #SLOTS} slots of {@value #RECORD} bytes starting at byte {@value #BASE}; both writers
 * rewrite random slots (so writers collide on slots and on blocks), through
 * {@code atomicWriteWithChecksum} from a {@code byte[]} and from a segment. Each reader makes
 * {@value #OPS_PER_READER} operations: {@code read(off, byte[])} (35%), {@code read(off, segment)}
 * (20%), {@code getLong} (25%), {@code borrowSlice} (16%), {@code verifyIntegrity()} or
 * {@code verifyRange} (4%). Readers and writers pace each other (neither side gets more than
 * {@value #SLACK} operations ahead), so that they overlap for the whole run instead of the cheap
 * writes finishing first; how many API calls actually raced a write (the sequence word moved
 * while they ran) is measured from outside and printed with the library's own counters.
 *
 * <p><b>Records that prove their own wholeness.</b> A write by writer {@code w} (1 or 2; 0 is the
 * single-threaded prefill) with its {@code seq}-th sequence number stores the stamp
 * {@code S = w << 56 | seq << 32 | check(w, seq)} into every 8 bytes of the slot, each byte
 * XOR-ed with a mask of its slot and position: byte {@code i} of slot {@code k} is
 * {@code byte(S >>> 8 * (i % 8)) ^ mask(k, i)}. Any 8 consecutive bytes of a slot therefore
 * determine {@code S}; a piece of a slot is "one whole write" iff that {@code S} has a valid
 * self-check and every byte of the piece is the byte {@code S} puts there. A read mixing two
 * writes yields a stamp whose self-check fails (probability of an undetected mix 2^-32 per read)
 * or a byte that disagrees with the stamp. Readers only read pieces of at least 8 bytes of every
 * slot they touch.
 *
 * <p><b>What is asserted, for every interleaving.</b> Zero {@link IntegrityException}s anywhere
 * (writers' verified merges, readers, slices, verifiers); zero torn pieces from
 * {@code read(off, byte[])}, {@code read(off, segment)}, {@code getLong} (8 bytes placed across
 * block edges) and borrowed slices; a borrowed slice shows the same bytes for as long as it is
 * open, equal to a {@code read} of the same range made while it is open; every stamp seen was
 * issued by its writer before the read returned; per reader, per slot and per writer, the
 * sequence numbers seen never go backwards (writes of one writer are ordered by its program, the
 * lock orders all writes, so a later read of a slot cannot return an earlier write of the same
 * writer once a later one was seen). After the threads are joined: every slot holds the last
 * write of one of the writers to it, the region verifies clean, the statistics count every write
 * and no integrity failure, the lock word is 0 (no share leaked by slices or locked reads) and
 * the sequence word is even and advanced by exactly two per write.
 *
 * <p>A second test runs the same with a lock timeout of zero, where writers, locked-fallback reads
 * and borrows give up with {@code LOCK_TIMEOUT} under contention: refusals are counted, and every
 * assertion above must hold for the operations that went through, with no trace of the others.
 *
 * <p>Nothing here is timed: operation counts are fixed and the only time bound is a generous
 * hang guard. Retries, locked reads, races and timeouts are printed, not asserted (they depend on
 * scheduling).
 */
class AtomicStressTest {

    static final int BLOCK = 64;
    static final int RECORD = 100;
    static final int BASE = 3;
    static final int SLOTS = 12;
    static final long CAPACITY = BASE + (long) SLOTS * RECORD + 13;
    static final int WRITERS = 2;
    static final int READERS = 2;
    static final int WRITES_PER_WRITER = 25_000;
    static final int OPS_PER_READER = 25_000;
    /**
     * How far (in operations) all writers together may run ahead of all readers together, or
     * the other way round: writes are cheaper than reads, and without pacing the writers would
     * finish before the readers get going, leaving nothing to race.
     */
    static final long SLACK = 32;
    static final Duration HANG_GUARD = Duration.ofSeconds(60);
    private static final VarHandle SEQUENCE = ValueLayout.JAVA_LONG.varHandle();

    // ---------------------------------------------------------------- records

    static long slotOffset(int slot) {
        return BASE + (long) slot * RECORD;
    }

    static int mix32(long x) {
        x = (x ^ (x >>> 33)) * 0xFF51AFD7ED558CCDL;
        x = (x ^ (x >>> 33)) * 0xC4CEB9FE1A85EC53L;
        return (int) (x ^ (x >>> 33));
    }

    static long stamp(int writer, int seq) {
        long hi = ((long) writer << 56) | ((long) (seq & 0xFF_FFFF) << 32);
        return hi | (check(hi) & 0xFFFF_FFFFL);
    }

    /** The self-check of a stamp's high half; offset so that no valid stamp is 0, decode's "torn". */
    private static int check(long hi) {
        return mix32(hi + 0x9E37_79B9_7F4A_7C15L) | 1;
    }

    static boolean validStamp(long s) {
        return (int) s == check(s & 0xFFFF_FFFF_0000_0000L);
    }

    static int writerOf(long s) {
        return (int) (s >>> 56);
    }

    static int seqOf(long s) {
        return (int) ((s >>> 32) & 0xFF_FFFF);
    }

    static byte mask(int slot, int pos) {
        return (byte) (pos * 0x9D + slot * 0x3B + 0x55);
    }

    static byte recordByte(long s, int slot, int pos) {
        return (byte) ((s >>> ((pos & 7) * 8)) ^ mask(slot, pos));
    }

    static void encode(long s, int slot, byte[] dst, int at) {
        for (int i = 0; i < RECORD; i++) {
            dst[at + i] = recordByte(s, slot, i);
        }
    }

    /**
     * Decodes the piece {@code buf[at, at + len)} holding positions {@code [pos, pos + len)} of
     * {@code slot}: its stamp if it is one whole write, or 0 (never a valid stamp) if not.
     */
    static long decode(byte[] buf, int at, int slot, int pos, int len) {
        if (len < Long.BYTES) {
            throw new IllegalArgumentException("a piece needs 8 bytes to identify its write, got " + len);
        }
        long s = 0;
        for (int j = 0; j < Long.BYTES; j++) {
            int p = pos + j;
            s |= ((buf[at + j] ^ mask(slot, p)) & 0xFFL) << ((p & 7) * 8);
        }
        if (!validStamp(s) || writerOf(s) > WRITERS) {
            return 0;
        }
        for (int j = Long.BYTES; j < len; j++) {
            if (buf[at + j] != recordByte(s, slot, pos + j)) {
                return 0;
            }
        }
        return s;
    }

    // ---------------------------------------------------------------- shared run state

    /** What every thread of one run shares: the subject, the issued sequence numbers and the problem log. */
    static final class Run extends ThreadCrew {
        final VerificationLevel level;
        final AtomicMemoryOps memory;
        final AtomicIntegerArray issued = new AtomicIntegerArray(WRITERS + 1);
        /** Set once both writers are done: the verifier stops. */
        final AtomicBoolean writersDone = new AtomicBoolean();
        final AtomicLong writeProgress = new AtomicLong();
        final AtomicLong readProgress = new AtomicLong();

        /** Whether LOCK_TIMEOUT is an expected outcome (the region has a lock timeout). */
        final boolean timeouts;

        Run(VerificationLevel level, AtomicMemoryOps memory) {
            this.level = level;
            this.memory = memory;
            this.timeouts = !memory.lockTimeout().equals(AtomicMemoryOps.WAIT_FOREVER);
        }

        /** Counts {@code e} as a timeout if it is one and this run expects them; otherwise as a problem. */
        void refused(Tally t, RuntimeException e, String what) {
            if (timeouts && e instanceof ConcurrencyException c && c.code() == ErrorCode.LOCK_TIMEOUT) {
                t.timeouts++;
            } else {
                t.otherExceptions++;
                problem(what + " threw " + e);
            }
        }

        /**
         * Waits (spinning, then yielding) while this side ({@code mine}) is more than
         * {@link #SLACK} operations ahead of the other side, unless the other side is done.
         */
        void pace(AtomicLong mine, AtomicLong other, long otherTotal) {
            long m = mine.get();
            for (int round = 0; ; round++) {
                long o = other.get();
                if (m - o <= SLACK || o >= otherTotal || stop.get()) {
                    return;
                }
                if (round < 64) {
                    Thread.onSpinWait();
                } else {
                    Thread.yield();
                }
            }
        }

    }

    /** Per-thread figures; read after join. */
    static final class Tally {
        long writes;
        long arrayWrites;
        long segmentWrites;
        long readArray;
        long readSegment;
        long getLongs;
        long slices;
        long verifies;
        long pieces;
        long integrityExceptions;
        long torn;
        long unissued;
        long backwards;
        long sliceChanged;
        long otherExceptions;
        /** Operations refused with LOCK_TIMEOUT (only when the run has a lock timeout). */
        long timeouts;
        /** Reader operations during which the region's sequence word moved: they raced at least one write. */
        long overlapped;
        /** Writers: the last sequence number this writer wrote to each slot (0: none). */
        final int[] lastWritten = new int[SLOTS];

        void add(Tally t) {
            writes += t.writes;
            arrayWrites += t.arrayWrites;
            segmentWrites += t.segmentWrites;
            readArray += t.readArray;
            readSegment += t.readSegment;
            getLongs += t.getLongs;
            slices += t.slices;
            verifies += t.verifies;
            pieces += t.pieces;
            integrityExceptions += t.integrityExceptions;
            torn += t.torn;
            unissued += t.unissued;
            backwards += t.backwards;
            sliceChanged += t.sliceChanged;
            otherExceptions += t.otherExceptions;
            timeouts += t.timeouts;
            overlapped += t.overlapped;
        }
    }

    // ---------------------------------------------------------------- the test

    @ParameterizedTest(name = "{0}")
    @EnumSource(VerificationLevel.class)
    void twoWritersTwoReadersAndAVerifierNeverSeeATornOrFalselyCorruptState(VerificationLevel level) {
        assertTimeoutPreemptively(HANG_GUARD, () -> runAt(level, AtomicMemoryOps.WAIT_FOREVER),
                "hang guard: the run did not finish in " + HANG_GUARD);
    }

    /**
     * The same run with a lock timeout of zero ("spin briefly, then fail"): writers that find the
     * lock held by the other writer or by open slices, and locked-fallback reads and borrows that
     * find a writer in, give up with {@link ErrorCode#LOCK_TIMEOUT}. A writer that gives up after
     * setting the writer bit must take it back; none of this may leave a trace: every other
     * assertion holds, counting only the operations that went through, and at the end the lock
     * word is 0 and the sequence word advanced by two per completed write.
     */
    @ParameterizedTest(name = "{0}, lock timeout 0")
    @EnumSource(value = VerificationLevel.class, names = {"STANDARD"})
    void withAZeroLockTimeoutRefusedOperationsLeaveNoTrace(VerificationLevel level) {
        assertTimeoutPreemptively(HANG_GUARD, () -> runAt(level, Duration.ZERO),
                "hang guard: the run did not finish in " + HANG_GUARD);
    }

    private static void runAt(VerificationLevel level, Duration lockTimeout) throws InterruptedException {
        try (FixedArena arena = FixedArena.ofShared(1 << 16)) {
            CheckedRegion region = CheckedRegion.builder(arena, CAPACITY).blockSize(BLOCK)
                    .name("stress-" + level).verificationLevel(level)
                    .samplingRate(0.25).samplingSeed(0x57AE55L + level.ordinal()).build();
            AtomicMemoryOps memory = region.intoAtomicOps(lockTimeout);
            byte[] record = new byte[RECORD];
            for (int slot = 0; slot < SLOTS; slot++) {
                encode(stamp(0, 0), slot, record, 0);
                memory.atomicWriteWithChecksum(slotOffset(slot), record);
            }
            Run run = new Run(level, memory);

            Tally[] writerTallies = new Tally[WRITERS + 1];
            Tally[] readerTallies = new Tally[READERS];
            Tally verifierTally = new Tally();
            List<Thread> writers = new ArrayList<>();
            List<Thread> readers = new ArrayList<>();
            for (int w = 1; w <= WRITERS; w++) {
                int id = w;
                writerTallies[w] = new Tally();
                writers.add(run.thread("writer-" + w, () -> writer(run, id, writerTallies[id])));
            }
            for (int r = 0; r < READERS; r++) {
                int id = r;
                readerTallies[r] = new Tally();
                readers.add(run.thread("reader-" + r, () -> reader(run, id, readerTallies[id])));
            }
            Thread verifier = run.thread("verifier", () -> verifier(run, verifierTally));

            long t0 = System.nanoTime();
            writers.forEach(Thread::start);
            readers.forEach(Thread::start);
            verifier.start();
            run.start.countDown();
            try {
                for (Thread t : writers) {
                    t.join();
                }
                run.writersDone.set(true);
                for (Thread t : readers) {
                    t.join();
                }
                verifier.join();
            } finally {
                run.stop.set(true);
            }
            long millis = (System.nanoTime() - t0) / 1_000_000;

            Tally writes = new Tally();
            for (int w = 1; w <= WRITERS; w++) {
                writes.add(writerTallies[w]);
            }
            Tally reads = new Tally();
            for (Tally t : readerTallies) {
                reads.add(t);
            }
            MemoryStatistics stats = region.statistics();
            System.out.printf(Locale.ROOT,
                    "[atomic-stress] %-8s%s %5d ms | writes=%d (array %d, segment %d) | reads=%d (read[] %d, read(segment) %d, "
                            + "getLong %d, slices %d, verifyIntegrity %d; %d record pieces checked; %d API calls raced a write) | verifier passes=%d | "
                            + "readRetries=%d lockedReads=%d | integrityExceptions=%d torn=%d backwards=%d unissued=%d "
                            + "sliceChanged=%d other=%d%s%n",
                    level, run.timeouts ? " (lock timeout 0)" : "", millis, writes.writes, writes.arrayWrites, writes.segmentWrites,
                    reads.readArray + reads.readSegment + reads.getLongs + reads.slices + reads.verifies,
                    reads.readArray, reads.readSegment, reads.getLongs, reads.slices, reads.verifies, reads.pieces, reads.overlapped,
                    verifierTally.verifies, stats.readRetries(), stats.lockedReads(),
                    writes.integrityExceptions + reads.integrityExceptions + verifierTally.integrityExceptions,
                    reads.torn, reads.backwards, reads.unissued, reads.sliceChanged,
                    writes.otherExceptions + reads.otherExceptions + verifierTally.otherExceptions,
                    run.timeouts ? " | LOCK_TIMEOUT: writes " + writes.timeouts + ", reads " + reads.timeouts
                            + ", verifier " + verifierTally.timeouts : "");

            String log = " (" + run.problemCount.get() + " problems; first: " + run.problems + ")";
            // Final state, single-threaded: each slot holds the last write of one of the writers.
            byte[] now = FaultTestSupport.snapshotData(region);
            List<String> badSlots = new ArrayList<>();
            for (int slot = 0; slot < SLOTS; slot++) {
                long s = decode(now, (int) slotOffset(slot), slot, 0, RECORD);
                int w = writerOf(s);
                boolean ok = s != 0 && (w == 0
                        ? writerTallies[1].lastWritten[slot] == 0 && writerTallies[2].lastWritten[slot] == 0
                        : seqOf(s) == writerTallies[w].lastWritten[slot]);
                if (!ok) {
                    badSlots.add("slot " + slot + " holds " + Long.toHexString(s) + ", last writes "
                            + writerTallies[1].lastWritten[slot] + "/" + writerTallies[2].lastWritten[slot]);
                }
            }
            long expectedWrites = SLOTS + writes.writes;
            long lockWord = region.header.get(ValueLayout.JAVA_LONG, CheckedRegion.LOCK_WORD_OFFSET);
            long sequence = region.header.get(ValueLayout.JAVA_LONG, CheckedRegion.SEQUENCE_OFFSET);
            assertAll("AtomicMemoryOps under contention at " + level,
                    () -> assertEquals(0, writes.integrityExceptions + reads.integrityExceptions + verifierTally.integrityExceptions,
                            "false integrity failures" + log),
                    () -> assertEquals(0, reads.torn, "torn reads returned" + log),
                    () -> assertEquals(0, reads.unissued, "stamps that no writer had issued" + log),
                    () -> assertEquals(0, reads.backwards, "a reader saw a writer's sequence go backwards in a slot" + log),
                    () -> assertEquals(0, reads.sliceChanged, "a borrowed slice changed while open" + log),
                    () -> assertEquals(0, writes.otherExceptions + reads.otherExceptions + verifierTally.otherExceptions,
                            "unexpected exceptions" + log),
                    () -> assertEquals(0, run.problemCount.get(), "problems" + log),
                    () -> assertEquals(List.of(), badSlots, "final slot contents"),
                    () -> assertEquals(WRITERS * (long) WRITES_PER_WRITER, writes.writes + writes.timeouts, "writes performed"),
                    () -> assertEquals((long) READERS * OPS_PER_READER,
                            reads.readArray + reads.readSegment + reads.getLongs + reads.slices + reads.verifies + reads.timeouts,
                            "reads performed"),
                    () -> assertEquals(expectedWrites, stats.writes(), "statistics().writes()"),
                    () -> assertEquals(0, stats.integrityFailures(), "statistics().integrityFailures()"),
                    () -> assertEquals(0L, lockWord, "lock word after all threads finished (leaked share or writer bit)"),
                    () -> assertEquals(2 * expectedWrites, sequence, "sequence word: two steps per write, even at rest"),
                    () -> assertEquals(-1, memory.findCorruptBlock(0), "a corrupt block after the run"),
                    memory::verifyIntegrity);
            assertTrue(reads.pieces > 0, "the readers checked nothing");
        }
    }

    // ---------------------------------------------------------------- writers

    private static void writer(Run run, int id, Tally t) {
        SplittableRandom rnd = new SplittableRandom(0xC0FFEEL * id + run.level.ordinal());
        byte[] src = new byte[RECORD + 16];
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(RECORD + 16);
            for (int seq = 1; seq <= WRITES_PER_WRITER && !run.stop.get(); seq++) {
                run.pace(run.writeProgress, run.readProgress, (long) READERS * OPS_PER_READER);
                int slot = rnd.nextInt(SLOTS);
                int pad = rnd.nextInt(16);
                long s = stamp(id, seq);
                run.issued.set(id, seq);
                try {
                    if (rnd.nextInt(10) < 7) {
                        encode(s, slot, src, pad);
                        run.memory.atomicWriteWithChecksum(slotOffset(slot), src, pad, RECORD);
                        t.arrayWrites++;
                    } else {
                        encode(s, slot, src, 0);
                        MemorySegment.copy(src, 0, seg, ValueLayout.JAVA_BYTE, pad, RECORD);
                        run.memory.atomicWriteWithChecksum(slotOffset(slot), seg, pad, RECORD);
                        t.segmentWrites++;
                    }
                    t.writes++;
                    t.lastWritten[slot] = seq;
                } catch (IntegrityException e) {
                    t.integrityExceptions++;
                    run.problem("write of slot " + slot + " refused: " + e.getMessage());
                } catch (RuntimeException e) {
                    run.refused(t, e, "write of slot " + slot);
                }
                run.writeProgress.incrementAndGet();
            }
        }
    }

    // ---------------------------------------------------------------- readers

    /** One reader thread's view: what it has seen per slot and writer, and its scratch. */
    private static final class Reader {
        final Run run;
        final Tally t;
        final int[][] lastSeen = new int[SLOTS][WRITERS + 1];
        final byte[] buf = new byte[(int) CAPACITY + 32];
        final byte[] buf2 = new byte[(int) CAPACITY + 32];

        private long before;

        Reader(Run run, Tally t) {
            this.run = run;
            this.t = t;
        }

        /** Notes the sequence word just before an API call... */
        void mark() {
            before = sequenceWord(run.memory);
        }

        /** ... and counts the call as having raced a write if the word moved (or was odd) meanwhile. */
        void measure() {
            if (sequenceWord(run.memory) != before || (before & 1) != 0) {
                t.overlapped++;
            }
        }

        /**
         * Checks that {@code bytes[at, at + len)}, read from region offset {@code off}, is made of
         * whole writes, slot by slot, each issued before now and not older than what this reader
         * saw before in that slot from that writer.
         */
        void check(String what, long off, byte[] bytes, int at, int len) {
            long end = off + len;
            for (long p = off; p < end; ) {
                int slot = (int) ((p - BASE) / RECORD);
                long slotEnd = Math.min(end, slotOffset(slot) + RECORD);
                int pos = (int) (p - slotOffset(slot));
                int n = (int) (slotEnd - p);
                long s = decode(bytes, at + (int) (p - off), slot, pos, n);
                t.pieces++;
                if (s == 0) {
                    t.torn++;
                    run.problem(what + " [" + off + ", " + end + "): slot " + slot + " bytes [" + pos + ", " + (pos + n)
                            + ") are not one whole write: " + hex(bytes, at + (int) (p - off), n));
                } else {
                    int w = writerOf(s);
                    int seq = seqOf(s);
                    if (w > 0 && seq > run.issued.get(w)) {
                        t.unissued++;
                        run.problem(what + ": slot " + slot + " holds writer " + w + " seq " + seq + ", not issued yet");
                    }
                    if (seq < lastSeen[slot][w]) {
                        t.backwards++;
                        run.problem(what + ": slot " + slot + " writer " + w + " went back from seq " + lastSeen[slot][w]
                                + " to " + seq);
                    }
                    lastSeen[slot][w] = Math.max(lastSeen[slot][w], seq);
                }
                p = slotEnd;
            }
        }
    }

    /** A random range made of pieces of at least 8 bytes of each slot it touches, over 1 to 3 slots. */
    private static long[] randomRange(SplittableRandom rnd) {
        int first = rnd.nextInt(SLOTS);
        int last = Math.min(SLOTS - 1, first + (rnd.nextInt(3) == 0 ? rnd.nextInt(3) : 0));
        int a = rnd.nextInt(4) == 0 ? 0 : rnd.nextInt(RECORD - Long.BYTES + 1);
        long start = slotOffset(first) + a;
        long end;
        if (last == first) {
            int b = rnd.nextInt(4) == 0 ? RECORD : a + Long.BYTES + rnd.nextInt(RECORD - a - Long.BYTES + 1);
            end = slotOffset(first) + b;
        } else {
            end = slotOffset(last) + Long.BYTES + rnd.nextInt(RECORD - Long.BYTES + 1);
        }
        return new long[] {start, end - start};
    }

    /** An offset for getLong: 8 bytes inside one slot, usually straddling a block boundary. */
    private static long randomLongOffset(SplittableRandom rnd) {
        int slot = rnd.nextInt(SLOTS);
        long lo = slotOffset(slot);
        long hi = lo + RECORD - Long.BYTES;
        if (rnd.nextInt(4) != 0) {
            long boundary = (lo / BLOCK + 1) * BLOCK;
            if (rnd.nextBoolean() && boundary + BLOCK < lo + RECORD) {
                boundary += BLOCK;
            }
            long off = boundary - 1 - rnd.nextInt(Long.BYTES - 1);
            if (off >= lo && off <= hi) {
                return off;
            }
        }
        return lo + rnd.nextInt(RECORD - Long.BYTES + 1);
    }

    private static void reader(Run run, int id, Tally t) {
        SplittableRandom rnd = new SplittableRandom(0xBEEFL * (id + 1) + run.level.ordinal());
        Reader r = new Reader(run, t);
        AtomicMemoryOps memory = run.memory;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(CAPACITY + 32);
            for (int op = 0; op < OPS_PER_READER && !run.stop.get(); op++) {
                run.pace(run.readProgress, run.writeProgress, (long) WRITERS * WRITES_PER_WRITER);
                int kind = rnd.nextInt(100);
                try {
                    if (kind < 35) {
                        long[] range = randomRange(rnd);
                        int len = (int) range[1];
                        if (rnd.nextBoolean()) {
                            byte[] exact = new byte[len];
                            r.mark();
                            memory.read(range[0], exact);
                            r.measure();
                            r.check("read(byte[])", range[0], exact, 0, len);
                        } else {
                            int at = rnd.nextInt(32);
                            r.mark();
                            memory.read(range[0], r.buf, at, len);
                            r.measure();
                            r.check("read(byte[], off)", range[0], r.buf, at, len);
                        }
                        t.readArray++;
                    } else if (kind < 55) {
                        long[] range = randomRange(rnd);
                        int len = (int) range[1];
                        int at = rnd.nextInt(32);
                        r.mark();
                        memory.read(range[0], seg, at, len);
                        r.measure();
                        MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, at, r.buf, 0, len);
                        r.check("read(segment)", range[0], r.buf, 0, len);
                        t.readSegment++;
                    } else if (kind < 80) {
                        long off = randomLongOffset(rnd);
                        r.mark();
                        long v = memory.getLong(off);
                        r.measure();
                        for (int j = 0; j < Long.BYTES; j++) {
                            r.buf[j] = (byte) (v >>> (8 * j));
                        }
                        r.check("getLong", off, r.buf, 0, Long.BYTES);
                        t.getLongs++;
                    } else if (kind < 96) {
                        slice(r, rnd);
                        t.slices++;
                    } else {
                        r.mark();
                        if (rnd.nextBoolean()) {
                            memory.verifyIntegrity();
                        } else {
                            long[] range = randomRange(rnd);
                            memory.verifyRange(range[0], range[1]);
                        }
                        r.measure();
                        t.verifies++;
                    }
                } catch (IntegrityException e) {
                    t.integrityExceptions++;
                    run.problem("false integrity failure: " + e.getMessage());
                } catch (RuntimeException e) {
                    run.refused(t, e, "read");
                }
                run.readProgress.incrementAndGet();
            }
        }
    }

    /** The region's sequence word, read behind the API's back: it moves by one at each start and end of a write. */
    static long sequenceWord(AtomicMemoryOps memory) {
        return (long) SEQUENCE.getVolatile(memory.provider().header, CheckedRegion.SEQUENCE_OFFSET);
    }

    /**
     * Borrows a slice, copies it out, gives the writers time to try (they must wait), reads the
     * same range again through the slice, through getLong on the slice and through
     * {@code read} (allowed while this thread holds a share): all must agree, and be whole writes.
     */
    private static void slice(Reader r, SplittableRandom rnd) {
        long[] range = randomRange(rnd);
        int len = (int) range[1];
        r.mark();
        try (Slice slice = r.run.memory.borrowSlice(range[0], len)) {
            r.measure();
            slice.copyTo(0, r.buf, 0, len);
            for (int i = 0, n = 1 + rnd.nextInt(3); i < n; i++) {
                Thread.yield();
            }
            slice.copyTo(0, r.buf2, 0, len);
            boolean same = Arrays.equals(r.buf, 0, len, r.buf2, 0, len);
            long at = rnd.nextInt(len - Long.BYTES + 1);
            long v = slice.getLong(at);
            for (int j = 0; j < Long.BYTES; j++) {
                same &= r.buf[(int) at + j] == (byte) (v >>> (8 * j));
            }
            r.run.memory.read(range[0], r.buf2, 0, len);
            same &= Arrays.equals(r.buf, 0, len, r.buf2, 0, len);
            if (!same) {
                r.t.sliceChanged++;
                r.run.problem("slice [" + range[0] + ", " + (range[0] + len) + ") changed while open");
            }
        }
        r.check("borrowSlice", range[0], r.buf, 0, len);
    }

    // ---------------------------------------------------------------- verifier

    private static void verifier(Run run, Tally t) {
        while (!run.writersDone.get() && !run.stop.get()) {
            try {
                run.memory.verifyIntegrity();
                long bad = run.memory.findCorruptBlock(0);
                if (bad >= 0) {
                    t.integrityExceptions++;
                    run.problem("findCorruptBlock reported block " + bad + " of a region nobody corrupted");
                }
            } catch (IntegrityException e) {
                t.integrityExceptions++;
                run.problem("verifyIntegrity: false failure " + e.getMessage());
            } catch (RuntimeException e) {
                run.refused(t, e, "verifyIntegrity");
            }
            t.verifies++;
            Thread.yield();
        }
    }

    private static String hex(byte[] b, int at, int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append(String.format(Locale.ROOT, "%02x", b[at + i]));
        }
        return sb.toString();
    }
}
