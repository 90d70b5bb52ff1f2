package io.safemem.ffm;

import io.safemem.ConcurrencyException;
import io.safemem.ErrorCode;
import io.safemem.IntegrityException;
import io.safemem.MemoryStatistics;
import io.safemem.Slice;
import io.safemem.StateException;
import io.safemem.VerificationLevel;
import io.safemem.ffm.internal.RawRegionAccess;
import io.safemem.ffm.testing.FaultInjector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.zip.CRC32C;

import static io.safemem.ffm.FaultTestSupport.assertReportsFlip;
import static io.safemem.ffm.SafeMemoryHandlerTest.bytes;
import static io.safemem.ffm.SafeMemoryHandlerTest.pattern;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The functional contract of {@link AtomicMemoryOps}, with concrete values checked against the raw
 * bytes and against checksums computed here independently; mostly single-threaded, with a few
 * small two-thread cases that use latches and the region's lock word to order their steps (never
 * timing assertions).
 *
 * <ul>
 *   <li><b>writes</b> of every kind ({@code atomicWriteWithChecksum} from arrays and segments,
 *       {@code atomicCopyWithin} overlapping in both directions, {@code atomicFill}, every
 *       {@code put}), little-endian scalars at any alignment and across block edges, floats and
 *       doubles with their raw bits, and the reads back into arrays and segments, at every level;</li>
 *   <li><b>borrowed slices</b>: reads through them, nested borrows by one thread, writes from the
 *       borrowing thread refused with {@code SLICES_OPEN} until it closes them, a second thread's
 *       write waiting until the slice closes (and new borrowers waiting behind it), a slice used or
 *       closed on another thread ({@code WRONG_THREAD}), use after close ({@code SLICE_CLOSED}),
 *       a refused borrow holding nothing, and close after the arena closed;</li>
 *   <li><b>taking the ops</b>: {@code region.intoAtomicOps()} against {@code handler.intoAtomicOps()}
 *       (contents, checksums, counters and the sampling sequence carry over; the handler is
 *       consumed), the sampling streams of writers and of each reading thread, and
 *       {@code lockTimeout()};</li>
 *   <li><b>{@code LOCK_TIMEOUT}</b>: a write facing a slice held by another thread for longer than
 *       the timeout fails and writes nothing; reads and borrows facing a writer that does not finish
 *       in time fail the same way; a read that keeps meeting a write falls back to the lock;</li>
 *   <li><b>statistics</b> summed across threads ({@code writes}, {@code bytesWritten},
 *       {@code verifications}, {@code checksummedBytes}; {@code readRetries} and
 *       {@code lockedReads}), reads never torn by concurrent writes;</li>
 *   <li><b>integrity</b>: {@code verifyIntegrity}, {@code verifyRange} and
 *       {@code findCorruptBlock} against {@link FaultInjector} flips (found at every checked level,
 *       nothing at {@code OFF}), corrupt edges and copy sources refused whole; {@code OFF} still
 *       reads and writes, with no checksum work; {@code toString}.</li>
 * </ul>
 */
class AtomicMemoryOpsTest {

    static final int BLOCK = 256;
    static final int CAPACITY = 64 * 1024;
    static final double RATE = 0.3;
    /** Long enough for any thread of a test to get where the test waits for it, on a loaded machine. */
    static final long LIVENESS_SECONDS = 60;

    FixedArena arena;

    @BeforeEach
    void setUp() {
        arena = FixedArena.ofShared(4 << 20);
    }

    @AfterEach
    void tearDown() {
        arena.close();
    }

    // ================================================================ helpers

    CheckedRegion region(VerificationLevel level) {
        return region(level, CAPACITY);
    }

    CheckedRegion region(VerificationLevel level, long capacity) {
        return CheckedRegion.builder(arena, capacity).name("a-" + level).blockSize(BLOCK).verificationLevel(level)
                .samplingRate(RATE).build();
    }

    AtomicMemoryOps ops(VerificationLevel level) {
        return region(level).intoAtomicOps();
    }

    static byte[] raw(CheckedRegion region, long offset, int length) {
        return RawRegionAccess.accessor().data(region).asSlice(offset, length).toArray(ValueLayout.JAVA_BYTE);
    }

    static byte[] raw(AtomicMemoryOps ops, long offset, int length) {
        return raw(ops.provider(), offset, length);
    }

    static byte[] table(CheckedRegion region) {
        return RawRegionAccess.accessor().checksums(region).toArray(ValueLayout.JAVA_BYTE);
    }

    static LockWord lockWord(CheckedRegion region) {
        return new LockWord(region.header, CheckedRegion.LOCK_WORD_OFFSET);
    }

    static SequenceWord sequenceWord(CheckedRegion region) {
        return new SequenceWord(region.header, CheckedRegion.SEQUENCE_OFFSET);
    }

    /** The stored checksum of every block equals the CRC32C of its bytes, computed here from scratch. */
    static void assertChecksumsMatchData(CheckedRegion region) {
        MemorySegment data = RawRegionAccess.accessor().data(region);
        MemorySegment sums = RawRegionAccess.accessor().checksums(region);
        int bs = region.blockSize();
        CRC32C crc = new CRC32C();
        for (long b = 0; b < region.blockCount(); b++) {
            crc.reset();
            crc.update(data.asSlice(b * bs, bs).asByteBuffer());
            assertEquals((int) crc.getValue(), sums.getAtIndex(SafeMemoryHandlerTest.LE_INT, b), "stored checksum of block " + b);
        }
    }

    static void assertClean(AtomicMemoryOps ops) {
        if (ops.provider().verificationLevel().keepsChecksums()) {
            assertChecksumsMatchData(ops.provider());
        }
        ops.verifyIntegrity();
        assertEquals(-1, ops.findCorruptBlock(0));
        assertEquals(0L, lockWord(ops.provider()).word(), "lock word: no writer, no borrower left");
    }

    /** How many of the first {@code draws} decisions of a gate seeded {@code seed} at {@code rate} are skips. */
    static long skips(double rate, long seed, long draws) {
        SamplingGate gate = new SamplingGate(rate, seed);
        long skipped = 0;
        for (long d = 0; d < draws; d++) {
            if (!gate.sample()) {
                skipped++;
            }
        }
        return skipped;
    }

    /** The first {@code draws} decisions of a gate, as 'v' (verified) and 's' (skipped). */
    static String decisions(double rate, long seed, int draws) {
        SamplingGate gate = new SamplingGate(rate, seed);
        StringBuilder sb = new StringBuilder();
        for (int d = 0; d < draws; d++) {
            sb.append(gate.sample() ? 'v' : 's');
        }
        return sb.toString();
    }

    /** Skips drawn by reading threads: everything but the region's own set (the handler / writer, stream 0). */
    static long readerSkips(CheckedRegion region) {
        return region.statistics().sampledSkips() - region.counters.sampledSkips;
    }

    @FunctionalInterface
    interface Body {
        void run() throws Throwable;
    }

    /** A thread running one body; {@link #join()} rethrows what it threw. */
    static final class Worker {
        final Thread thread;
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final CountDownLatch done = new CountDownLatch(1);

        private Worker(String name, Body body) {
            thread = new Thread(() -> {
                try {
                    body.run();
                } catch (Throwable t) {
                    failure.set(t);
                } finally {
                    done.countDown();
                }
            }, name);
            thread.setDaemon(true);
        }

        static Worker start(String name, Body body) {
            Worker w = new Worker(name, body);
            w.thread.start();
            return w;
        }

        boolean finished() {
            return done.getCount() == 0;
        }

        /** Waits for the body to end (a liveness bound, not a timing assertion) and returns what it threw. */
        Throwable outcome() throws InterruptedException {
            assertTrue(done.await(LIVENESS_SECONDS, TimeUnit.SECONDS), thread.getName() + " did not finish");
            thread.join();
            return failure.get();
        }

        void join() throws Throwable {
            Throwable t = outcome();
            if (t != null) {
                throw t;
            }
        }
    }

    /** Waits until {@code condition} holds; fails (instead of hanging) if it never does. */
    static void awaitCondition(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(LIVENESS_SECONDS);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() - deadline < 0, "never happened: " + what);
            Thread.onSpinWait();
            Thread.yield();
        }
    }

    static void await(CountDownLatch latch) throws InterruptedException {
        assertTrue(latch.await(LIVENESS_SECONDS, TimeUnit.SECONDS), "latch never opened");
    }

    /** Waits until another thread has set the writer bit: it holds or waits for the region. */
    static void awaitWriterWaiting(CheckedRegion region) {
        awaitCondition(() -> lockWord(region).word() < 0, "a writer waiting for region '" + region.name() + "'");
    }

    /** Waits until {@code worker} parks (timed): its lock wait got past spinning and yielding. */
    static void awaitParked(Worker worker) {
        awaitCondition(() -> worker.thread.getState() == Thread.State.TIMED_WAITING || worker.finished(),
                worker.thread.getName() + " parked in a lock wait");
        assertFalse(worker.finished(), worker.thread.getName() + " finished instead of waiting");
    }

    /** Every kind of write, each writing something different from the pattern at 2000.. or elsewhere outside [1000, 1300). */
    static List<Named<AtomicWriteCall>> everyWrite() {
        List<Named<AtomicWriteCall>> writes = new ArrayList<>();
        writes.add(Named.of("atomicWriteWithChecksum(long, byte[])", ops -> ops.atomicWriteWithChecksum(2001, pattern(300, 77))));
        writes.add(Named.of("atomicWriteWithChecksum(long, byte[], int, int)",
                ops -> ops.atomicWriteWithChecksum(2001, pattern(300, 78), 5, 290)));
        writes.add(Named.of("atomicWriteWithChecksum(long, MemorySegment, long, long)",
                ops -> ops.atomicWriteWithChecksum(2001, MemorySegment.ofArray(pattern(300, 79)), 3, 297)));
        writes.add(Named.of("atomicCopyWithin", ops -> ops.atomicCopyWithin(5000, 2001, 300)));
        writes.add(Named.of("atomicFill", ops -> ops.atomicFill(2001, 300, (byte) 0x5A)));
        writes.add(Named.of("putByte", ops -> ops.putByte(2047, (byte) 0x11)));
        writes.add(Named.of("putShort", ops -> ops.putShort(2047, (short) 0x1122)));
        writes.add(Named.of("putInt", ops -> ops.putInt(2046, 0x11223344)));
        writes.add(Named.of("putLong", ops -> ops.putLong(2045, 0x1122334455667788L)));
        writes.add(Named.of("putFloat", ops -> ops.putFloat(2046, -1.25e7f)));
        writes.add(Named.of("putDouble", ops -> ops.putDouble(2045, Math.PI)));
        return writes;
    }

    @FunctionalInterface
    interface AtomicWriteCall {
        void run(AtomicMemoryOps ops);
    }

    // ================================================================ scalars

    @ParameterizedTest
    @EnumSource(VerificationLevel.class)
    void scalarsAreLittleEndianAtAnyAlignmentAndAcrossBlockEdges(VerificationLevel level) {
        AtomicMemoryOps a = ops(level);
        a.putByte(0, (byte) 0x9A);
        a.putShort(10, (short) 0x1234);
        a.putInt(20, 0x01020304);
        a.putLong(30, 0x0102030405060708L);
        a.putInt(45, 0xCAFEBABE);                    // odd offset
        a.putLong(BLOCK - 3, 0x1122334455667788L);   // straddles blocks 0 and 1
        a.putShort(2 * BLOCK - 1, (short) 0xA1B2);   // last byte of block 1, first of block 2
        a.putInt(3 * BLOCK - 2, 0x0BADF00D);         // straddles blocks 2 and 3
        a.putByte(4 * BLOCK - 1, (byte) 0x7F);       // last byte of a block
        a.putLong(CAPACITY - 8, -2L);                // last slot

        assertArrayEquals(bytes(0x9A), raw(a, 0, 1));
        assertArrayEquals(bytes(0x34, 0x12), raw(a, 10, 2));
        assertArrayEquals(bytes(0x04, 0x03, 0x02, 0x01), raw(a, 20, 4));
        assertArrayEquals(bytes(0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01), raw(a, 30, 8));
        assertArrayEquals(bytes(0xBE, 0xBA, 0xFE, 0xCA), raw(a, 45, 4));
        assertArrayEquals(bytes(0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11), raw(a, BLOCK - 3, 8));
        assertArrayEquals(bytes(0xB2, 0xA1), raw(a, 2 * BLOCK - 1, 2));
        assertArrayEquals(bytes(0x0D, 0xF0, 0xAD, 0x0B), raw(a, 3 * BLOCK - 2, 4));
        assertArrayEquals(bytes(0x7F, 0), raw(a, 4 * BLOCK - 1, 2));
        assertArrayEquals(bytes(0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF), raw(a, CAPACITY - 8, 8));
        assertArrayEquals(new byte[9], raw(a, 1, 9), "neighbouring bytes untouched");

        assertEquals((byte) 0x9A, a.getByte(0));
        assertEquals((short) 0x1234, a.getShort(10));
        assertEquals(0x01020304, a.getInt(20));
        assertEquals(0x0102030405060708L, a.getLong(30));
        assertEquals(0xCAFEBABE, a.getInt(45));
        assertEquals(0x1122334455667788L, a.getLong(BLOCK - 3));
        assertEquals((short) 0xA1B2, a.getShort(2 * BLOCK - 1));
        assertEquals(0x0BADF00D, a.getInt(3 * BLOCK - 2));
        assertEquals((byte) 0x7F, a.getByte(4 * BLOCK - 1));
        assertEquals(-2L, a.getLong(CAPACITY - 8));
        // a different width over the same bytes
        assertEquals((short) 0x0304, a.getShort(20));
        assertEquals((byte) 0x08, a.getByte(30));
        assertEquals(0x05060708, a.getInt(30));
        assertEquals((byte) 0x11, a.getByte(BLOCK + 4));
        // extremes
        a.putByte(100, Byte.MIN_VALUE);
        a.putShort(101, Short.MIN_VALUE);
        a.putInt(103, Integer.MIN_VALUE);
        a.putLong(107, Long.MIN_VALUE);
        assertEquals(Byte.MIN_VALUE, a.getByte(100));
        assertEquals(Short.MIN_VALUE, a.getShort(101));
        assertEquals(Integer.MIN_VALUE, a.getInt(103));
        assertEquals(Long.MIN_VALUE, a.getLong(107));
        assertArrayEquals(bytes(0x80, 0x00, 0x80, 0, 0, 0, 0x80), raw(a, 100, 7));

        assertEquals(14, a.provider().statistics().writes());
        assertClean(a);
    }

    @ParameterizedTest
    @EnumSource(VerificationLevel.class)
    void floatsAndDoublesRoundTripWithTheirBits(VerificationLevel level) {
        AtomicMemoryOps a = ops(level);
        a.putFloat(0, 1.0f);
        assertArrayEquals(bytes(0x00, 0x00, 0x80, 0x3F), raw(a, 0, 4), "1.0f is 0x3F800000, little-endian");
        assertEquals(1.0f, a.getFloat(0));
        a.putDouble(8, -2.5);
        assertEquals(Double.doubleToRawLongBits(-2.5), a.getLong(8));
        assertEquals(-2.5, a.getDouble(8));
        a.putFloat(16, -0.0f);
        assertEquals(0x80000000, a.getInt(16), "negative zero keeps its sign bit");
        a.putDouble(24, Double.MIN_VALUE);
        assertEquals(Double.MIN_VALUE, a.getDouble(24));
        a.putFloat(33, Float.POSITIVE_INFINITY);
        assertEquals(Float.POSITIVE_INFINITY, a.getFloat(33));

        int nanBits = 0x7FC0_1234;
        a.putFloat(BLOCK - 2, Float.intBitsToFloat(nanBits)); // straddles two blocks
        assertEquals(nanBits, a.getInt(BLOCK - 2));
        assertEquals(nanBits, Float.floatToRawIntBits(a.getFloat(BLOCK - 2)));
        long doubleNanBits = 0xFFF8_0000_0000_0ABCL;
        a.putDouble(2 * BLOCK - 5, Double.longBitsToDouble(doubleNanBits)); // straddles two blocks
        assertEquals(doubleNanBits, a.getLong(2 * BLOCK - 5));
        assertEquals(doubleNanBits, Double.doubleToRawLongBits(a.getDouble(2 * BLOCK - 5)));
        a.putLong(64, 0x7FF0_0000_0000_0001L); // a signalling NaN written as bits reads back as the same bits
        assertEquals(0x7FF0_0000_0000_0001L, Double.doubleToRawLongBits(a.getDouble(64)));
        a.putInt(72, 0xFF80_0001);
        assertEquals(0xFF80_0001, Float.floatToRawIntBits(a.getFloat(72)));
        assertClean(a);
    }

    // ================================================================ bulk writes and reads

    @ParameterizedTest
    @EnumSource(VerificationLevel.class)
    void arrayWriteAndReadWithOffsets(VerificationLevel level) {
        AtomicMemoryOps a = ops(level);
        byte[] src = pattern(1000, 1);
        a.atomicWriteWithChecksum(300, src, 100, 700); // src[100, 800) to [300, 1000)
        assertArrayEquals(Arrays.copyOfRange(src, 100, 800), raw(a, 300, 700));
        assertArrayEquals(new byte[300], raw(a, 0, 300));
        assertArrayEquals(new byte[24], raw(a, 1000, 24));

        byte[] dst = new byte[710];
        Arrays.fill(dst, (byte) 0x55);
        a.read(300, dst, 5, 700);
        assertArrayEquals(Arrays.copyOfRange(src, 100, 800), Arrays.copyOfRange(dst, 5, 705));
        assertArrayEquals(bytes(0x55, 0x55, 0x55, 0x55, 0x55), Arrays.copyOfRange(dst, 0, 5), "outside the range untouched");
        assertArrayEquals(bytes(0x55, 0x55, 0x55, 0x55, 0x55), Arrays.copyOfRange(dst, 705, 710));

        byte[] whole = pattern(BLOCK * 3, 9);
        a.atomicWriteWithChecksum(BLOCK * 10, whole); // aligned, whole blocks
        byte[] back = new byte[BLOCK * 3];
        a.read(BLOCK * 10, back);
        assertArrayEquals(whole, back);
        byte[] large = pattern(40_000, 2);
        a.atomicWriteWithChecksum(20_001, large); // larger than the engine's staging area
        byte[] largeBack = new byte[40_000];
        a.read(20_001, largeBack);
        assertArrayEquals(large, largeBack);
        assertEquals(3, a.provider().statistics().writes());
        assertEquals(700 + 3 * BLOCK + 40_000, a.provider().statistics().bytesWritten());
        assertClean(a);
    }

    @ParameterizedTest
    @EnumSource(VerificationLevel.class)
    void segmentWriteAndReadWithOffsets(VerificationLevel level) {
        AtomicMemoryOps a = ops(level);
        MemorySegment src = arena.allocate(50_000, 8);
        byte[] expected = pattern(50_000, 3);
        MemorySegment.copy(expected, 0, src, ValueLayout.JAVA_BYTE, 0, expected.length);

        a.atomicWriteWithChecksum(37, src, 5, 40_000); // unaligned, several staging chunks
        assertArrayEquals(Arrays.copyOfRange(expected, 5, 40_005), raw(a, 37, 40_000));
        assertArrayEquals(new byte[37], raw(a, 0, 37));
        assertArrayEquals(new byte[8], raw(a, 40_037, 8));

        MemorySegment dst = MemorySegment.ofArray(new byte[40_010]);
        a.read(37, dst, 3, 40_000);
        assertArrayEquals(Arrays.copyOfRange(expected, 5, 40_005), dst.asSlice(3, 40_000).toArray(ValueLayout.JAVA_BYTE));
        assertArrayEquals(new byte[3], dst.asSlice(0, 3).toArray(ValueLayout.JAVA_BYTE));
        assertArrayEquals(new byte[7], dst.asSlice(40_003, 7).toArray(ValueLayout.JAVA_BYTE));

        a.atomicWriteWithChecksum(60_000, MemorySegment.ofArray(bytes(1, 2, 3)), 1, 2); // small, from a heap segment
        assertArrayEquals(bytes(0, 2, 3, 0), raw(a, 59_999, 4));
        MemorySegment nativeDst = arena.allocate(4, 1);
        a.read(59_999, nativeDst, 0, 4);
        assertArrayEquals(bytes(0, 2, 3, 0), nativeDst.toArray(ValueLayout.JAVA_BYTE));
        assertClean(a);
    }

    @ParameterizedTest(name = "{0}: src {1}, dst {2}, length {3}")
    @CsvSource({
            "STANDARD, 0, 10, 1000",       // overlapping, destination above
            "STANDARD, 10, 0, 1000",       // overlapping, destination below
            "STANDARD, 500, 500, 700",     // onto itself
            "STANDARD, 100, 20000, 30000", // disjoint, several chunks
            "STANDARD, 1000, 1500, 40000", // overlapping, destination above, several chunks
            "STANDARD, 1500, 1000, 40000", // overlapping, destination below, several chunks
            "STANDARD, 0, 256, 512",       // block aligned
            "STANDARD, 3, 4, 1",           // one byte
            "FULL, 3, 7, 20000",
            "FULL, 7, 3, 20000",
            "SAMPLING, 3, 7, 20000",
            "SAMPLING, 7, 3, 20000",
            "OFF, 0, 10, 1000",
            "OFF, 10, 0, 1000",
            "OFF, 1000, 1500, 40000",
    })
    void copyWithinActsAsThroughATemporaryBuffer(VerificationLevel level, int src, int dst, int length) {
        AtomicMemoryOps a = ops(level);
        byte[] model = pattern(CAPACITY, 5);
        a.atomicWriteWithChecksum(0, model);
        a.atomicCopyWithin(src, dst, length);
        System.arraycopy(model, src, model, dst, length); // memmove semantics
        assertArrayEquals(model, raw(a, 0, CAPACITY));
        byte[] back = new byte[CAPACITY];
        a.read(0, back);
        assertArrayEquals(model, back);
        assertEquals(2, a.provider().statistics().writes());
        assertEquals(CAPACITY + length, a.provider().statistics().bytesWritten());
        assertClean(a);
    }

    @ParameterizedTest
    @EnumSource(VerificationLevel.class)
    void fillSetsExactlyTheRange(VerificationLevel level) {
        AtomicMemoryOps a = ops(level);
        byte[] model = pattern(CAPACITY, 2);
        a.atomicWriteWithChecksum(0, model);
        a.atomicFill(10, 1000, (byte) 0x7E);
        Arrays.fill(model, 10, 1010, (byte) 0x7E);
        a.atomicFill(2048, 3 * BLOCK, (byte) -1); // whole blocks
        Arrays.fill(model, 2048, 2048 + 3 * BLOCK, (byte) -1);
        a.atomicFill(5000, 40_000, (byte) 0); // larger than the staging area
        Arrays.fill(model, 5000, 45_000, (byte) 0);
        a.atomicFill(CAPACITY - 1, 1, (byte) 9);
        model[CAPACITY - 1] = 9;
        assertArrayEquals(model, raw(a, 0, CAPACITY));
        assertClean(a);
    }

    @Test
    void zeroLengthOperationsChangeNothing() {
        CheckedRegion r = region(VerificationLevel.FULL, 1000);
        AtomicMemoryOps a = r.intoAtomicOps();
        a.atomicWriteWithChecksum(0, pattern(1000, 4));
        byte[] data = raw(a, 0, 1000);
        byte[] sums = table(r);
        long bytesWritten = r.statistics().bytesWritten();
        for (long at : new long[] {0, 500, 999, 1000}) {
            a.atomicWriteWithChecksum(at, new byte[0]);
            a.atomicWriteWithChecksum(at, new byte[4], 4, 0);
            a.atomicWriteWithChecksum(at, MemorySegment.ofArray(new byte[4]), 4, 0);
            a.read(at, new byte[0]);
            a.read(at, new byte[4], 4, 0);
            a.read(at, MemorySegment.ofArray(new byte[4]), 4, 0);
            a.atomicFill(at, 0, (byte) 1);
            a.atomicCopyWithin(at, 0, 0);
            a.atomicCopyWithin(0, at, 0);
            a.verifyRange(at, 0);
            try (Slice empty = a.borrowSlice(at, 0)) {
                assertEquals(0, empty.length());
                assertEquals(0, empty.asSegment().byteSize());
            }
        }
        assertArrayEquals(data, raw(a, 0, 1000));
        assertArrayEquals(sums, table(r));
        assertEquals(bytesWritten, r.statistics().bytesWritten());
        assertClean(a);
    }

    /**
     * Corruption found before a write lands refuses the whole write: a partially covered (edge)
     * block of the destination, or any block of a copy's source, even when the write spans several
     * staging chunks.
     */
    @Test
    void corruptEdgesAndCopySourcesAreRefusedWhole() {
        AtomicMemoryOps a = ops(VerificationLevel.STANDARD);
        CheckedRegion r = a.provider();
        a.atomicWriteWithChecksum(0, pattern(CAPACITY, 5));
        FaultInjector faults = FaultInjector.of(r, 1);
        FaultInjector.Flip edge = faults.flipDataBit(17_010, 3); // block 66 = [16896, 17152)
        byte[] dataBefore = raw(a, 0, CAPACITY);
        byte[] sumsBefore = table(r);
        long writesBefore = r.statistics().writes();

        List<Executable> refused = List.of(
                () -> a.atomicWriteWithChecksum(16_000, new byte[1000]),                        // tail edge, two chunks
                () -> a.atomicWriteWithChecksum(16_000, MemorySegment.ofArray(new byte[1000]), 0, 1000),
                () -> a.atomicWriteWithChecksum(17_000, new byte[5]),                           // inside the block
                () -> a.atomicFill(17_100, 40_000, (byte) 1),                                   // head edge, many chunks
                () -> a.putLong(17_148, 1L),
                () -> a.atomicCopyWithin(16_990, 30_000, 100),                                  // corrupt source
                () -> a.atomicCopyWithin(16_500, 16_000, 1000),                                 // corrupt source, overlapping
                () -> a.atomicCopyWithin(0, 16_000, 1000));                                     // corrupt destination edge
        for (Executable call : refused) {
            IntegrityException e = assertThrows(IntegrityException.class, call);
            assertEquals(ErrorCode.CHECKSUM_MISMATCH, e.code());
            assertEquals(66, e.block());
            assertArrayEquals(dataBefore, raw(a, 0, CAPACITY), "a refused write changed bytes");
            assertArrayEquals(sumsBefore, table(r), "a refused write changed checksums");
            assertEquals(writesBefore, r.statistics().writes(), "a refused write was counted");
            assertEquals(0L, lockWord(r).word(), "a refused write left the lock held");
        }
        assertEquals(refused.size(), r.statistics().integrityFailures());
        faults.undo(edge);
        a.atomicCopyWithin(16_500, 16_000, 1000);
        assertClean(a);
    }

    // ================================================================ borrowed slices

    @ParameterizedTest
    @EnumSource(VerificationLevel.class)
    void sliceReadsWhatTheRegionHolds(VerificationLevel level) {
        AtomicMemoryOps a = ops(level);
        a.atomicWriteWithChecksum(100, pattern(300, 8));
        a.putInt(110, 0x0A0B0C0D);
        a.putLong(120, 0x0102030405060708L);
        a.putShort(130, (short) -2);
        a.putFloat(140, 3.25f);
        a.putDouble(150, -7.0e100);
        a.putByte(160, (byte) 0xEE);

        try (Slice s = a.borrowSlice(100, 200)) {
            assertTrue(s.isOpen());
            assertEquals(100, s.offset());
            assertEquals(200, s.length());
            assertEquals(1L, lockWord(a.provider()).word(), "an open slice holds one share of the lock");
            assertEquals(0x0A0B0C0D, s.getInt(10));
            assertEquals((byte) 0x0D, s.getByte(10), "little-endian: low byte first");
            assertEquals(0x0102030405060708L, s.getLong(20));
            assertEquals((short) -2, s.getShort(30));
            assertEquals(3.25f, s.getFloat(40));
            assertEquals(-7.0e100, s.getDouble(50));
            assertEquals((byte) 0xEE, s.getByte(60));

            byte[] expected = raw(a, 100, 200);
            byte[] copy = new byte[210];
            s.copyTo(0, copy, 10, 200);
            assertArrayEquals(expected, Arrays.copyOfRange(copy, 10, 210));
            MemorySegment seg = MemorySegment.ofArray(new byte[50]);
            s.copyTo(150, seg, 0, 50);
            assertArrayEquals(Arrays.copyOfRange(expected, 150, 200), seg.toArray(ValueLayout.JAVA_BYTE));
            MemorySegment view = s.asSegment();
            assertTrue(view.isReadOnly());
            assertArrayEquals(expected, view.toArray(ValueLayout.JAVA_BYTE));
            assertThrows(IllegalArgumentException.class, () -> view.set(ValueLayout.JAVA_BYTE, 0, (byte) 1),
                    "the view is read-only");
            assertEquals("Slice[100, 300)", s.toString());
            // reads go on while a slice is open
            assertEquals(0x0A0B0C0D, a.getInt(110));
            a.verifyIntegrity();
        }
        assertEquals(0L, lockWord(a.provider()).word(), "closing the slice released its share");
    }

    @Test
    void nestedBorrowsByOneThreadEachHoldAShare() {
        AtomicMemoryOps a = ops(VerificationLevel.STANDARD);
        a.atomicWriteWithChecksum(0, pattern(4096, 3));
        LockWord lock = lockWord(a.provider());
        Slice outer = a.borrowSlice(0, 4096);
        Slice inner = a.borrowSlice(100, 50);
        Slice innermost = a.borrowSlice(120, 8);
        assertEquals(3L, lock.word());
        assertEquals(outer.getLong(120), innermost.getLong(0));
        assertEquals(inner.getInt(20), innermost.getInt(0));
        inner.close(); // out of order
        assertEquals(2L, lock.word());
        assertEquals(pattern(4096, 3)[120], innermost.getByte(0));
        innermost.close();
        innermost.close(); // idempotent: releases nothing more
        assertEquals(1L, lock.word());
        assertEquals(ErrorCode.SLICES_OPEN, assertThrows(StateException.class, () -> a.putInt(0, 1)).code(),
                "one slice is still open");
        outer.close();
        assertEquals(0L, lock.word());
        a.putInt(0, 1);
        assertEquals(1, a.getInt(0));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyWrite")
    void writesFromTheBorrowingThreadAreRefusedWhileItHoldsASliceAndWorkAfterClose(AtomicWriteCall write) {
        AtomicMemoryOps a = ops(VerificationLevel.STANDARD);
        CheckedRegion r = a.provider();
        a.atomicWriteWithChecksum(0, pattern(CAPACITY, 6));
        byte[] data = raw(a, 0, CAPACITY);
        byte[] sums = table(r);
        long writes = r.statistics().writes();

        Slice first = a.borrowSlice(1000, 300);
        Slice second = a.borrowSlice(0, 16);
        StateException e = assertThrows(StateException.class, () -> write.run(a), "write with two slices open");
        assertEquals(ErrorCode.SLICES_OPEN, e.code());
        assertTrue(e.getMessage().contains("2 borrowed slice(s)"), e.getMessage());
        second.close();
        e = assertThrows(StateException.class, () -> write.run(a), "write with one slice open");
        assertEquals(ErrorCode.SLICES_OPEN, e.code());
        assertTrue(e.getMessage().contains("1 borrowed slice(s) of region '" + r.name() + "'"), e.getMessage());
        assertArrayEquals(data, raw(a, 0, CAPACITY), "a refused write changed bytes");
        assertArrayEquals(sums, table(r));
        assertEquals(writes, r.statistics().writes());
        assertEquals(1L, lockWord(r).word(), "the refused write left the lock as it was");
        first.close();

        write.run(a);
        assertEquals(writes + 1, r.statistics().writes());
        assertFalse(Arrays.equals(data, raw(a, 0, CAPACITY)), "the write after close wrote nothing");
        assertClean(a);
    }

    /**
     * A second thread's write waits while this thread holds a slice (and a third thread's borrow
     * waits behind the waiting writer), and both go ahead once it is closed. Meanwhile this thread
     * may still borrow again: nested borrows never wait for a writer waiting on them.
     */
    @Test
    void aSecondThreadsWriteWaitsUntilTheSliceIsClosed() throws Throwable {
        AtomicMemoryOps a = ops(VerificationLevel.STANDARD);
        CheckedRegion r = a.provider();
        byte[] before = pattern(512, 1);
        byte[] after = pattern(512, 2);
        a.atomicWriteWithChecksum(1024, before);

        Slice slice = a.borrowSlice(1024, 512);
        CountDownLatch writerStarting = new CountDownLatch(1);
        Worker writer = Worker.start("writer", () -> {
            writerStarting.countDown();
            a.atomicWriteWithChecksum(1024, after);
        });
        await(writerStarting);
        awaitWriterWaiting(r);
        assertFalse(writer.finished(), "the write went ahead while a slice was open");
        CountDownLatch borrowerStarting = new CountDownLatch(1);
        AtomicReference<byte[]> borrowed = new AtomicReference<>();
        Worker borrower = Worker.start("late-borrower", () -> {
            borrowerStarting.countDown();
            try (Slice late = a.borrowSlice(1024, 512)) {
                byte[] seen = new byte[512];
                late.copyTo(0, seen, 0, 512);
                borrowed.set(seen);
            }
        });
        await(borrowerStarting);

        byte[] seen = new byte[512];
        slice.copyTo(0, seen, 0, 512);
        assertArrayEquals(before, seen, "the slice shows the bytes it was borrowed over");
        try (Slice nested = a.borrowSlice(1024, 16)) { // would deadlock if it waited for the writer
            assertEquals(before[3], nested.getByte(3));
        }
        assertFalse(writer.finished(), "the write went ahead while a slice was open");
        assertArrayEquals(before, raw(a, 1024, 512), "bytes changed under an open slice");
        slice.close();

        writer.join();
        borrower.join();
        assertArrayEquals(after, raw(a, 1024, 512));
        assertArrayEquals(after, borrowed.get(), "a borrow that came after the waiting writer sees its write");
        assertEquals(2, r.statistics().writes());
        assertClean(a);
    }

    @Test
    void aSliceBelongsToTheThreadThatBorrowedIt() throws Throwable {
        AtomicMemoryOps a = ops(VerificationLevel.STANDARD);
        a.atomicWriteWithChecksum(0, pattern(4096, 4));
        Slice slice = a.borrowSlice(1000, 300);
        List<Named<Executable>> uses = List.of(
                Named.of("getByte", () -> slice.getByte(0)),
                Named.of("getShort", () -> slice.getShort(0)),
                Named.of("getInt", () -> slice.getInt(0)),
                Named.of("getLong", () -> slice.getLong(0)),
                Named.of("getFloat", () -> slice.getFloat(0)),
                Named.of("getDouble", () -> slice.getDouble(0)),
                Named.of("copyTo(byte[])", () -> slice.copyTo(0, new byte[8], 0, 8)),
                Named.of("copyTo(MemorySegment)", () -> slice.copyTo(0, MemorySegment.ofArray(new byte[8]), 0, 8)),
                Named.of("asSegment", slice::asSegment),
                Named.of("close", slice::close));
        String owner = Thread.currentThread().getName();
        for (Named<Executable> use : uses) {
            Throwable thrown = Worker.start("intruder", () -> use.getPayload().execute()).outcome();
            assertNotNull(thrown, use.getName() + " on another thread must be refused");
            ConcurrencyException e = assertInstanceOf(ConcurrencyException.class, thrown, use.getName());
            assertEquals(ErrorCode.WRONG_THREAD, e.code(), use.getName());
            assertTrue(e.getMessage().contains(owner) && e.getMessage().contains("intruder"), e.getMessage());
            assertTrue(slice.isOpen(), use.getName() + " from another thread closed the slice");
        }
        assertEquals(1L, lockWord(a.provider()).word(), "the refused close released nothing");
        assertEquals(pattern(4096, 4)[1000], slice.getByte(0), "the borrowing thread still can");
        slice.close();
        assertEquals(0L, lockWord(a.provider()).word());
        Worker.start("writer", () -> a.putInt(0, 5)).join(); // another thread's write no longer waits
        assertEquals(5, a.getInt(0));
    }

    @Test
    void aClosedSliceRefusesUseAndCloseIsIdempotent() {
        AtomicMemoryOps a = ops(VerificationLevel.STANDARD);
        Slice slice = a.borrowSlice(1000, 300);
        slice.close();
        slice.close();
        assertFalse(slice.isOpen());
        assertEquals("Slice[1000, 1300) closed", slice.toString());
        assertEquals(0L, lockWord(a.provider()).word(), "a second close released nothing more");
        List<Executable> uses = List.of(() -> slice.getByte(0), () -> slice.getShort(0), () -> slice.getInt(0),
                () -> slice.getLong(0), () -> slice.getFloat(0), () -> slice.getDouble(0),
                () -> slice.copyTo(0, new byte[8], 0, 8), () -> slice.copyTo(0, MemorySegment.ofArray(new byte[8]), 0, 8),
                slice::asSegment);
        for (Executable use : uses) {
            assertEquals(ErrorCode.SLICE_CLOSED, assertThrows(StateException.class, use).code());
        }
        assertEquals(1000, slice.offset(), "offset() stays readable");
        assertEquals(300, slice.length(), "length() stays readable");
        a.putInt(1000, 1); // the double close did not unbalance this thread's count of open slices
        assertEquals(1, a.getInt(1000));
    }

    @Test
    void aRefusedBorrowHoldsNothing() throws Throwable {
        AtomicMemoryOps a = ops(VerificationLevel.STANDARD);
        FaultInjector faults = FaultInjector.of(a.provider(), 3);
        FaultInjector.Flip flip = faults.flipDataBit(600, 1);
        IntegrityException e = assertThrows(IntegrityException.class, () -> a.borrowSlice(512, 256));
        assertEquals(2, e.block());
        assertEquals(0L, lockWord(a.provider()).word(), "a refused borrow kept its share");
        faults.undo(flip);
        a.putInt(0, 5); // would be SLICES_OPEN if the failed borrow had counted
        Worker.start("writer", () -> a.putInt(4, 6)).join(); // would wait forever if it held a share
        assertEquals(5, a.getInt(0));
        assertEquals(6, a.getInt(4));
    }

    /**
     * {@link Slice#close()} is idempotent and, for a handler's slice, still quiet once the arena is
     * closed (try-with-resources around a slice whose arena went first). A slice of atomic ops must
     * behave the same: not leak a raw {@link IllegalStateException} from the freed lock word.
     */
    @Test
    void closingASliceAfterItsArenaClosedIsQuietAndIdempotentLikeAHandlersSlice() {
        FixedArena shortLived = FixedArena.ofShared(64 * 1024);
        Slice handlerSlice = CheckedRegion.builder(shortLived, 4096).build().handler().borrowSlice(0, 16);
        Slice atomicSlice = CheckedRegion.builder(shortLived, 4096).build().intoAtomicOps().borrowSlice(0, 16);
        shortLived.close();
        handlerSlice.close();
        handlerSlice.close();
        assertFalse(handlerSlice.isOpen());
        // the same for the atomic ops' slice
        atomicSlice.close();
        atomicSlice.close();
        assertFalse(atomicSlice.isOpen());
    }

    // ================================================================ taking the ops

    @Test
    void regionIntoAtomicOpsOwnsTheRegionAsBuilt() {
        CheckedRegion r = region(VerificationLevel.STANDARD, 4000);
        byte[] sums = table(r);
        AtomicMemoryOps a = r.intoAtomicOps();
        assertSame(r, a.provider());
        assertEquals(AtomicMemoryOps.WAIT_FOREVER, a.lockTimeout());
        assertArrayEquals(new byte[4000], raw(a, 0, 4000));
        assertArrayEquals(sums, table(r), "taking the ops changes no checksum");
        assertEquals(0, r.statistics().writes());
        assertEquals(ErrorCode.ALREADY_OWNED, assertThrows(StateException.class, r::handler).code());
        assertEquals(ErrorCode.ALREADY_OWNED, assertThrows(StateException.class, r::intoAtomicOps).code());
        a.putInt(3996, 7);
        assertEquals(7, a.getInt(3996));
        assertClean(a);
    }

    /**
     * {@code handler.intoAtomicOps()} keeps everything the handler built: contents, checksums,
     * counters, and the sampling sequence (its writer goes on drawing where the handler stopped),
     * while {@code region.intoAtomicOps()} on a twin region starts the sequence from the seed. Reads
     * through the ops draw from the first reading thread's stream, {@code streamSeed(seed, 1)}.
     */
    @Test
    void handlerIntoAtomicOpsCarriesContentsCountersAndTheSamplingSequenceOver() {
        long seed = 0x5EED_1234L;
        double rate = 0.5;
        assertEquals(seed, SamplingGate.streamSeed(seed, 0), "stream 0 is the seed itself");
        CheckedRegion viaHandler = CheckedRegion.builder(arena, 8192).name("via-handler").blockSize(BLOCK)
                .verificationLevel(VerificationLevel.SAMPLING).samplingRate(rate).samplingSeed(seed).build();
        CheckedRegion direct = CheckedRegion.builder(arena, 8192).name("direct").blockSize(BLOCK)
                .verificationLevel(VerificationLevel.SAMPLING).samplingRate(rate).samplingSeed(seed).build();

        SafeMemoryHandler handler = viaHandler.handler();
        handler.write(0, pattern(8192, 1));                  // aligned: no draw
        for (int i = 0; i < 20; i++) {
            handler.putInt(300 + 8 * i, i);                  // one draw each (partial block)
        }
        for (int i = 0; i < 7; i++) {
            handler.read(1000 + i, new byte[100]);           // one draw each, on the handler's stream
        }
        MemoryStatistics st = viaHandler.statistics();
        assertEquals(skips(rate, seed, 27), st.sampledSkips(), "the handler drew 27 decisions from the seed");
        long[] counters = {st.writes(), st.bytesWritten(), st.verifications(), st.sampledSkips(), st.checksummedBytes()};
        byte[] data = raw(viaHandler, 0, 8192);
        byte[] sums = table(viaHandler);

        AtomicMemoryOps fromHandler = handler.intoAtomicOps();
        assertSame(viaHandler, fromHandler.provider());
        assertEquals(AtomicMemoryOps.WAIT_FOREVER, fromHandler.lockTimeout());
        assertArrayEquals(data, raw(viaHandler, 0, 8192), "contents carried over");
        assertArrayEquals(sums, table(viaHandler), "checksums carried over");
        assertArrayEquals(counters, new long[] {st.writes(), st.bytesWritten(), st.verifications(), st.sampledSkips(),
                st.checksummedBytes()}, "counters carried over");
        for (Executable consumed : List.<Executable>of(() -> handler.getInt(0), () -> handler.putInt(0, 1),
                () -> handler.read(0, new byte[4]), handler::verifyIntegrity, () -> handler.borrowSlice(0, 4),
                handler::intoAtomicOps)) {
            assertEquals(ErrorCode.HANDLER_CONSUMED, assertThrows(StateException.class, consumed).code());
        }
        assertEquals(ErrorCode.ALREADY_OWNED, assertThrows(StateException.class, viaHandler::handler).code());
        assertEquals(ErrorCode.ALREADY_OWNED, assertThrows(StateException.class, viaHandler::intoAtomicOps).code());

        AtomicMemoryOps fresh = direct.intoAtomicOps();
        fresh.atomicWriteWithChecksum(0, pattern(8192, 1));
        for (AtomicMemoryOps a : List.of(fromHandler, fresh)) {
            for (int i = 0; i < 30; i++) {
                a.putInt(2000 + 8 * i, i);                   // writer's stream
            }
            for (int i = 0; i < 25; i++) {
                a.read(5000 + i, new byte[100]);             // this thread's stream: the first reader, stream 1
            }
        }
        assertEquals(skips(rate, seed, 27 + 30), viaHandler.counters.sampledSkips,
                "the writer continued the handler's sequence: decisions 28..57 of the seed's");
        assertEquals(skips(rate, seed, 30), direct.counters.sampledSkips,
                "region.intoAtomicOps(): the writer starts from the seed");
        long readerStream = SamplingGate.streamSeed(seed, 1);
        assertEquals(skips(rate, readerStream, 25), readerSkips(viaHandler), "the first reader draws from stream 1");
        assertEquals(skips(rate, readerStream, 25), readerSkips(direct), "the first reader draws from stream 1");
        assertEquals(counters[0] + 30, st.writes());
        assertArrayEquals(raw(direct, 2000, 6192), raw(viaHandler, 2000, 6192), "the same writes, the same contents");
        assertClean(fromHandler);
        assertClean(fresh);
    }

    /**
     * Stream {@code k > 0} belongs to the {@code k}-th thread to read through the ops: two readers
     * draw from streams 1 and 2, each decision for decision. A thread that only wrote, even one that
     * had to wait for the lock, is no reader and takes no stream: the reader after it still draws
     * from stream 2.
     */
    @Test
    void readingThreadsDrawFromStreamsNumberedInTheOrderTheyFirstRead() throws Throwable {
        long seed = 99;
        CheckedRegion r = CheckedRegion.builder(arena, 8192).name("streams").blockSize(BLOCK)
                .verificationLevel(VerificationLevel.SAMPLING).samplingRate(0.5).samplingSeed(seed).build();
        AtomicMemoryOps a = r.intoAtomicOps();
        a.atomicWriteWithChecksum(0, pattern(8192, 1));

        Slice held = a.borrowSlice(0, 16);                   // this thread reads first: stream 1, one draw
        CountDownLatch writing = new CountDownLatch(1);
        Worker writer = Worker.start("writer-only", () -> {
            writing.countDown();
            a.putInt(300, 1);                                // waits for the slice: a writer, not a reader
        });
        await(writing);
        awaitWriterWaiting(r);
        held.close();
        writer.join();
        assertEquals(skips(0.5, SamplingGate.streamSeed(seed, 1), 1), readerSkips(r));

        StringBuilder seen = new StringBuilder();
        Worker reader = Worker.start("second-reader", () -> {
            for (int i = 0; i < 40; i++) {
                long before = readerSkips(r);
                a.read(1000 + i, new byte[64]);
                seen.append(readerSkips(r) == before ? 'v' : 's');
            }
        });
        reader.join();
        assertEquals(decisions(0.5, SamplingGate.streamSeed(seed, 2), 40), seen.toString(),
                "the second thread to read draws from stream 2 (stream 3 would read "
                        + decisions(0.5, SamplingGate.streamSeed(seed, 3), 40) + ")");
    }

    @Test
    void lockTimeoutIsWhatWasAskedFor() {
        assertEquals(AtomicMemoryOps.WAIT_FOREVER, region(VerificationLevel.STANDARD, 64).intoAtomicOps().lockTimeout());
        assertEquals(Duration.ofMillis(50),
                region(VerificationLevel.STANDARD, 64).intoAtomicOps(Duration.ofMillis(50)).lockTimeout());
        assertEquals(Duration.ZERO, region(VerificationLevel.STANDARD, 64).intoAtomicOps(Duration.ZERO).lockTimeout());
        assertEquals(Duration.ofNanos(1), region(VerificationLevel.STANDARD, 64).intoAtomicOps(Duration.ofNanos(1)).lockTimeout());
        assertEquals(AtomicMemoryOps.WAIT_FOREVER,
                region(VerificationLevel.STANDARD, 64).intoAtomicOps(AtomicMemoryOps.WAIT_FOREVER).lockTimeout());
        assertEquals(AtomicMemoryOps.WAIT_FOREVER,
                region(VerificationLevel.STANDARD, 64).intoAtomicOps(Duration.ofDays(1_000_000)).lockTimeout(),
                "longer than Long.MAX_VALUE nanoseconds: no bound");
        assertEquals(AtomicMemoryOps.WAIT_FOREVER,
                region(VerificationLevel.STANDARD, 64).intoAtomicOps(Duration.ofSeconds(Long.MAX_VALUE)).lockTimeout());
        assertEquals(Duration.ofMillis(7), region(VerificationLevel.STANDARD, 64).handler()
                .intoAtomicOps(Duration.ofMillis(7)).lockTimeout());
        assertEquals(AtomicMemoryOps.WAIT_FOREVER, region(VerificationLevel.STANDARD, 64).handler().intoAtomicOps().lockTimeout());
        assertEquals(Long.MAX_VALUE, AtomicMemoryOps.WAIT_FOREVER.toNanos());
    }

    // ================================================================ LOCK_TIMEOUT

    /**
     * Another thread holds a slice longer than the ops' lock timeout (50 ms): every kind of write
     * gives up with {@code LOCK_TIMEOUT}, writes nothing, counts nothing and leaves the lock as it
     * found it (the holder's share, no writer bit); once the slice is closed, the same writes work.
     */
    @Test
    void aWriteThatCannotGetTheLockInTimeFailsWithLockTimeoutAndWritesNothing() throws Throwable {
        CheckedRegion r = region(VerificationLevel.STANDARD);
        AtomicMemoryOps a = r.intoAtomicOps(Duration.ofMillis(50));
        a.atomicWriteWithChecksum(0, pattern(CAPACITY, 8));
        byte[] data = raw(a, 0, CAPACITY);
        byte[] sums = table(r);
        MemoryStatistics st = r.statistics();

        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Worker holder = Worker.start("slice-holder", () -> {
            try (Slice s = a.borrowSlice(1000, 300)) {
                holding.countDown();
                await(release);
                assertEquals(data[1000], s.getByte(0), "the slice still shows its bytes");
            }
        });
        await(holding);
        long[] counters = {st.writes(), st.bytesWritten(), st.verifications(), st.sampledSkips(), st.checksummedBytes()};
        for (Named<AtomicWriteCall> write : everyWrite()) {
            ConcurrencyException e = assertThrows(ConcurrencyException.class, () -> write.getPayload().run(a),
                    write.getName() + " against a slice held past the timeout");
            assertEquals(ErrorCode.LOCK_TIMEOUT, e.code(), write.getName());
            assertTrue(e.getMessage().contains("region '" + r.name() + "'") && e.getMessage().contains("PT0.05S"),
                    e.getMessage());
            assertArrayEquals(data, raw(a, 0, CAPACITY), write.getName() + " timed out but wrote");
            assertArrayEquals(sums, table(r), write.getName() + " timed out but changed checksums");
            assertArrayEquals(counters, new long[] {st.writes(), st.bytesWritten(), st.verifications(),
                    st.sampledSkips(), st.checksummedBytes()}, write.getName() + " timed out but changed counters");
            assertEquals(1L, lockWord(r).word(), "after a timeout: the holder's share, no writer bit");
        }
        release.countDown();
        holder.join();
        for (Named<AtomicWriteCall> write : everyWrite()) {
            write.getPayload().run(a);
        }
        assertEquals(counters[0] + everyWrite().size(), st.writes());
        assertClean(a);
    }

    /**
     * A writer in another process sharing the region's header (simulated through the header's
     * lock and sequence words) stays in the middle of a write: reads, scalar gets, verification
     * and borrows wait for it as long as the timeout and then fail with {@code LOCK_TIMEOUT},
     * counting nothing and holding nothing; once it finishes, they work, the reads through the lock.
     */
    @Test
    void readsFacingAWriteThatDoesNotFinishInTimeFailWithLockTimeout() {
        CheckedRegion r = region(VerificationLevel.FULL);
        AtomicMemoryOps a = r.intoAtomicOps(Duration.ofMillis(20));
        a.atomicWriteWithChecksum(0, pattern(CAPACITY, 9));
        LockWord otherProcess = lockWord(r);
        SequenceWord sequence = sequenceWord(r);
        assertTrue(otherProcess.tryAcquireExclusive());
        long odd = sequence.beginWrite();
        MemoryStatistics st = r.statistics();
        long verifications = st.verifications();
        List<Named<Executable>> reads = List.of(
                Named.of("read(byte[])", () -> a.read(0, new byte[100])),
                Named.of("read(MemorySegment)", () -> a.read(0, MemorySegment.ofArray(new byte[100]), 0, 100)),
                Named.of("getLong", () -> a.getLong(8)),
                Named.of("verifyIntegrity", a::verifyIntegrity),
                Named.of("verifyRange", () -> a.verifyRange(0, 100)),
                Named.of("findCorruptBlock", () -> a.findCorruptBlock(0)),
                Named.of("borrowSlice", () -> a.borrowSlice(0, 100)));
        for (Named<Executable> read : reads) {
            ConcurrencyException e = assertThrows(ConcurrencyException.class, read.getPayload(), read.getName());
            assertEquals(ErrorCode.LOCK_TIMEOUT, e.code(), read.getName());
            assertEquals(LockWord.WRITER, otherProcess.word(), read.getName() + " left a share behind");
        }
        assertEquals(verifications, st.verifications(), "nothing was verified from a state in the middle of a write");
        assertEquals(0, st.lockedReads(), "no read got the lock");
        assertEquals(0, st.readRetries(), "a write already in progress is waited out, not retried");
        sequence.endWrite(odd);
        otherProcess.releaseExclusive();

        a.read(0, new byte[100]);
        try (Slice s = a.borrowSlice(0, 100)) {
            assertEquals(pattern(CAPACITY, 9)[5], s.getByte(5));
        }
        assertClean(a);
    }

    // ================================================================ statistics

    /**
     * Counters are summed over the writer's set and each reading thread's: known operations run
     * by two threads, one after the other, add up exactly; run at the same time, writes still add up
     * exactly (they are counted under the lock) and verifications at least as much (a read that
     * retries verifies again).
     */
    @Test
    void statisticsSumAcrossThreads() throws Throwable {
        AtomicMemoryOps a = ops(VerificationLevel.STANDARD);
        MemoryStatistics st = a.provider().statistics();
        Body first = () -> {
            for (int i = 0; i < 10; i++) {
                a.atomicWriteWithChecksum(0, pattern(BLOCK, i)); // one whole block: no verification, 256 checksummed
                a.putInt(300, i);                                // edge of block 1: one verification, 2 x 256 checksummed
            }
        };
        Body second = () -> {
            for (int i = 0; i < 10; i++) {
                a.read(2 * BLOCK, new byte[BLOCK]);              // one whole block: one verification
            }
            for (int i = 0; i < 5; i++) {
                a.read(2 * BLOCK - 2, new byte[4]);              // two edge blocks: two verifications
                a.atomicFill(4 * BLOCK, 2 * BLOCK, (byte) i);    // whole blocks: one checksum for both
            }
        };
        Worker.start("first", first).join();
        Worker.start("second", second).join();
        assertEquals(25, st.writes());
        assertEquals(10 * BLOCK + 10 * 4 + 5 * 2 * BLOCK, st.bytesWritten());
        assertEquals(10 + 10 + 10, st.verifications());
        assertEquals(10 * BLOCK + 10 * 2 * BLOCK + 10 * BLOCK + 5 * 2 * BLOCK + 5 * BLOCK, st.checksummedBytes());
        assertEquals(0, st.integrityFailures());
        assertEquals(0, st.sampledSkips());
        assertEquals(0, st.readRetries(), "no read met a write");
        assertEquals(0, st.lockedReads(), "no read needed the lock");

        Worker one = Worker.start("first-again", first);
        Worker two = Worker.start("second-again", second);
        one.join();
        two.join();
        assertEquals(50, st.writes(), "writes are counted under the lock: none lost");
        assertEquals(2 * (10 * BLOCK + 10 * 4 + 5 * 2 * BLOCK), st.bytesWritten());
        assertTrue(st.verifications() >= 60, "verifications: " + st.verifications());
        assertEquals(0, st.integrityFailures(), "a torn optimistic copy is retried, never reported");
        assertClean(a);
    }

    /**
     * A read that keeps meeting a write in progress (here one that stays in progress until the
     * reader has given up spinning and parks) falls back to the shared lock, and counts it.
     */
    @Test
    void aReadThatKeepsMeetingAWriteFallsBackToTheLock() throws Throwable {
        AtomicMemoryOps a = ops(VerificationLevel.STANDARD);
        CheckedRegion r = a.provider();
        a.atomicWriteWithChecksum(0, pattern(8192, 3));
        LockWord otherProcess = lockWord(r);
        SequenceWord sequence = sequenceWord(r);
        assertTrue(otherProcess.tryAcquireExclusive());
        long odd = sequence.beginWrite();
        CountDownLatch reading = new CountDownLatch(1);
        byte[] got = new byte[1000];
        Worker reader = Worker.start("reader", () -> {
            reading.countDown();
            a.read(100, got);
        });
        await(reading);
        awaitParked(reader); // it gave up on optimistic reads and waits for the shared lock
        sequence.endWrite(odd);
        otherProcess.releaseExclusive();
        reader.join();
        assertArrayEquals(Arrays.copyOfRange(pattern(8192, 3), 100, 1100), got);
        assertEquals(1, r.statistics().lockedReads());
        assertEquals(0, r.statistics().readRetries(), "a write already in progress is waited out, not retried");
        assertClean(a);
    }

    /**
     * Invariant I2 with two real threads: a writer rewrites a 16 KiB range with one byte value at a
     * time while a reader reads it, verified; every read sees a single write's bytes (never torn),
     * no read reports corruption, and reads that met a write retried (counted).
     */
    @Test
    void readsNeverSeeATornWrite() throws Throwable {
        AtomicMemoryOps a = ops(VerificationLevel.STANDARD);
        MemoryStatistics st = a.provider().statistics();
        int length = 16 * 1024;
        a.atomicFill(1000, length, (byte) 0);
        AtomicBoolean stop = new AtomicBoolean();
        Worker writer = Worker.start("writer", () -> {
            byte[] src = new byte[length];
            for (int v = 1; !stop.get(); v++) {
                Arrays.fill(src, (byte) v);
                a.atomicWriteWithChecksum(1000, src);
            }
        });
        byte[] dst = new byte[length];
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(LIVENESS_SECONDS);
        int reads = 0;
        try {
            while (reads < 500 || st.readRetries() == 0) {
                assertTrue(System.nanoTime() - deadline < 0, "no read met a write in " + reads + " reads");
                a.read(1000, dst);
                reads++;
                for (int i = 1; i < length; i++) {
                    if (dst[i] != dst[0]) {
                        throw new AssertionError("torn read " + reads + ": byte 0 is " + dst[0] + ", byte " + i + " is " + dst[i]);
                    }
                }
            }
        } finally {
            stop.set(true);
        }
        writer.join();
        assertTrue(st.readRetries() > 0);
        assertEquals(0, st.integrityFailures(), "a torn optimistic copy is retried, never reported");
        assertClean(a);
    }

    // ================================================================ integrity

    @ParameterizedTest
    @EnumSource(VerificationLevel.class)
    void flipsAreFoundAtEveryCheckedLevelAndNothingIsCheckedAtOff(VerificationLevel level) {
        AtomicMemoryOps a = ops(level);
        CheckedRegion r = a.provider();
        byte[] content = pattern(CAPACITY, 6);
        a.atomicWriteWithChecksum(0, content);
        FaultInjector faults = FaultInjector.of(r, 4);
        FaultInjector.Flip dataFlip = faults.flipDataBit(10 * BLOCK + 1, 0);
        FaultInjector.Flip sumFlip = faults.flipChecksumBit(40, 31);

        if (!level.keepsChecksums()) {
            a.verifyIntegrity(); // checks nothing at OFF
            a.verifyRange(0, CAPACITY);
            assertEquals(-1, a.findCorruptBlock(0));
            byte[] dst = new byte[4];
            a.read(10 * BLOCK, dst);
            assertEquals((byte) (content[10 * BLOCK + 1] ^ 1), dst[1], "OFF reads the flipped byte as it is");
            try (Slice s = a.borrowSlice(10 * BLOCK, 4)) {
                assertEquals(dst[1], s.getByte(1));
            }
            assertEquals(0, r.statistics().verifications());
            assertEquals(0, r.statistics().integrityFailures());
            return;
        }
        a.verifyRange(0, 10 * BLOCK);       // blocks 0..9: clean
        a.verifyRange(11 * BLOCK, 29 * BLOCK);
        IntegrityException e = assertThrows(IntegrityException.class, a::verifyIntegrity);
        assertReportsFlip(e, r, dataFlip, ErrorCode.CHECKSUM_MISMATCH);
        e = assertThrows(IntegrityException.class, () -> a.verifyRange(10 * BLOCK - 1, 2));
        assertReportsFlip(e, r, dataFlip, ErrorCode.CHECKSUM_MISMATCH);
        e = assertThrows(IntegrityException.class, () -> a.verifyRange(11 * BLOCK, 30 * BLOCK));
        assertReportsFlip(e, r, sumFlip, ErrorCode.CHECKSUM_MISMATCH);
        assertEquals(10, a.findCorruptBlock(0));
        assertEquals(10, a.findCorruptBlock(10));
        assertEquals(40, a.findCorruptBlock(11));
        assertEquals(-1, a.findCorruptBlock(41));
        assertEquals(-1, a.findCorruptBlock(r.blockCount()));
        long failures = 3 + 3; // three thrown, three found
        assertEquals(failures, r.statistics().integrityFailures());

        if (level.verifiesEveryBulkAccess()) {
            e = assertThrows(IntegrityException.class, () -> a.read(10 * BLOCK, new byte[4]));
            assertReportsFlip(e, r, dataFlip, ErrorCode.CHECKSUM_MISMATCH);
            e = assertThrows(IntegrityException.class, () -> a.read(39 * BLOCK, MemorySegment.ofArray(new byte[512]), 0, 512));
            assertReportsFlip(e, r, sumFlip, ErrorCode.CHECKSUM_MISMATCH);
            e = assertThrows(IntegrityException.class, () -> a.borrowSlice(10 * BLOCK + 100, 4));
            assertReportsFlip(e, r, dataFlip, ErrorCode.CHECKSUM_MISMATCH);
            assertEquals(0L, lockWord(r).word());
            failures += 3;
        }
        if (level.verifiesScalarReads()) {
            e = assertThrows(IntegrityException.class, () -> a.getInt(10 * BLOCK + 20));
            assertReportsFlip(e, r, dataFlip, ErrorCode.CHECKSUM_MISMATCH);
            failures++;
        } else {
            assertEquals(content[10 * BLOCK + 20], a.getByte(10 * BLOCK + 20), "scalar reads are verified at FULL only");
        }
        assertEquals(failures, r.statistics().integrityFailures());

        faults.undo(dataFlip);
        faults.undo(sumFlip);
        assertClean(a);
        a.read(0, new byte[CAPACITY]);
    }

    @Test
    void offStillReadsAndWritesWithNoChecksumWork() {
        AtomicMemoryOps a = ops(VerificationLevel.OFF);
        CheckedRegion r = a.provider();
        byte[] sums = table(r);
        byte[] model = new byte[CAPACITY];
        a.atomicWriteWithChecksum(3, pattern(5000, 1));
        System.arraycopy(pattern(5000, 1), 0, model, 3, 5000);
        a.atomicWriteWithChecksum(9000, MemorySegment.ofArray(pattern(100, 2)), 0, 100);
        System.arraycopy(pattern(100, 2), 0, model, 9000, 100);
        a.putLong(9001, 77L);
        for (int k = 0; k < 8; k++) {
            model[9001 + k] = (byte) (77L >>> (8 * k));
        }
        a.atomicFill(20_000, 700, (byte) 3);
        Arrays.fill(model, 20_000, 20_700, (byte) 3);
        a.atomicCopyWithin(0, 30_000, 6000);
        System.arraycopy(model, 0, model, 30_000, 6000);
        assertArrayEquals(model, raw(a, 0, CAPACITY));
        byte[] back = new byte[CAPACITY];
        a.read(0, back);
        assertArrayEquals(model, back);
        assertEquals(77L, a.getLong(9001));
        try (Slice s = a.borrowSlice(9001, 8)) {
            assertEquals(77L, s.getLong(0));
        }
        a.verifyIntegrity();
        a.verifyRange(0, CAPACITY);
        assertEquals(-1, a.findCorruptBlock(0));
        assertArrayEquals(sums, table(r), "OFF keeps no checksums");
        assertEquals(5, r.statistics().writes());
        assertEquals(0, r.statistics().verifications());
        assertEquals(0, r.statistics().checksummedBytes());
        assertEquals(0L, lockWord(r).word());
    }

    @Test
    void toStringNamesTheRegionLevelAndCounters() {
        AtomicMemoryOps a = CheckedRegion.builder(arena, 4096).name("ledger").build().intoAtomicOps();
        a.atomicWriteWithChecksum(0, new byte[256]);
        a.putInt(256, 1);
        String s = a.toString();
        assertTrue(s.startsWith("AtomicMemoryOps[ledger, STANDARD, writes=2, bytesWritten=260, verifications=1, "
                + "sampledSkips=0, integrityFailures=0, checksummedBytes="), s);
        assertTrue(s.endsWith(", readRetries=0, lockedReads=0]"), s);
        assertNotEquals(s, CheckedRegion.builder(arena, 4096).name("other").build().intoAtomicOps().toString());
    }
}
