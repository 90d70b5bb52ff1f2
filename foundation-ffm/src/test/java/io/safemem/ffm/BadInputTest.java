package io.safemem.ffm;

import io.safemem.BoundsException;
import io.safemem.CapacityException;
import io.safemem.ConcurrencyException;
import io.safemem.ErrorCategory;
import io.safemem.ErrorCode;
import io.safemem.IntegrityException;
import io.safemem.MemoryStatistics;
import io.safemem.SafeMemoryException;
import io.safemem.Slice;
import io.safemem.StateException;
import io.safemem.ValidationException;
import io.safemem.VerificationLevel;
import io.safemem.ffm.internal.RawRegionAccess;
import io.safemem.ffm.testing.FaultInjector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Invariants I5 and I6: every bad input, bad state and full arena is refused whole, with the
 * exception type of its category, its stable code, a message naming the offending values, and
 * nothing changed: not the region's bytes, not its checksum table, not its counters, not the
 * arena's allocation mark.
 *
 * <p>Each test names the codes it exercises with {@link Covers}; {@link #checkCoveredCodesWereSeen}
 * checks after every test that each named code was actually raised and checked, and
 * {@link #everyErrorCodeIsCoveredByATest} that the named codes are all of {@link ErrorCode} but
 * those with a documented reason in {@link #COVERED_ELSEWHERE}.
 */
class BadInputTest {

    /** The error codes a test exercises; each must be seen by the test (checked after it). */
    @Target(ElementType.METHOD)
    @Retention(RetentionPolicy.RUNTIME)
    @interface Covers {
        ErrorCode[] value();
    }

    /** Codes no test here raises, and why. */
    static final Map<ErrorCode, String> COVERED_ELSEWHERE = Map.of(
            ErrorCode.CHECKSUM_MISMATCH,
            "corruption of stored data, not bad input: covered by the fault-injection and integrity suites",
            ErrorCode.INVALID_FLIP,
            "input of the fault injector, not of a region: covered by FaultInjectorTest");

    /** The stable numbers, written out: a renumbering must fail here. */
    static final Map<ErrorCode, Integer> STABLE_NUMBERS = Map.ofEntries(
            Map.entry(ErrorCode.NEGATIVE_OFFSET, 1001),
            Map.entry(ErrorCode.NEGATIVE_LENGTH, 1002),
            Map.entry(ErrorCode.RANGE_OVERFLOW, 1003),
            Map.entry(ErrorCode.OUT_OF_BOUNDS, 1004),
            Map.entry(ErrorCode.BUFFER_RANGE, 1005),
            Map.entry(ErrorCode.ARENA_FULL, 2001),
            Map.entry(ErrorCode.CHECKSUM_MISMATCH, 3001),
            Map.entry(ErrorCode.WRITE_VERIFICATION_FAILED, 3002),
            Map.entry(ErrorCode.WRONG_THREAD, 4001),
            Map.entry(ErrorCode.LOCK_TIMEOUT, 4002),
            Map.entry(ErrorCode.ARENA_CLOSED, 5001),
            Map.entry(ErrorCode.SLICE_CLOSED, 5002),
            Map.entry(ErrorCode.SLICES_OPEN, 5003),
            Map.entry(ErrorCode.ALREADY_OWNED, 5004),
            Map.entry(ErrorCode.HANDLER_CONSUMED, 5005),
            Map.entry(ErrorCode.INVALID_CAPACITY, 6001),
            Map.entry(ErrorCode.INVALID_BLOCK_SIZE, 6002),
            Map.entry(ErrorCode.INVALID_ALIGNMENT, 6003),
            Map.entry(ErrorCode.INVALID_SAMPLING_RATE, 6004),
            Map.entry(ErrorCode.NULL_ARGUMENT, 6005),
            Map.entry(ErrorCode.READ_ONLY_DESTINATION, 6006),
            Map.entry(ErrorCode.INVALID_TIMEOUT, 6007),
            Map.entry(ErrorCode.BLOCK_MISALIGNED, 6008),
            Map.entry(ErrorCode.INVALID_FLIP, 6009));

    static final Map<ErrorCategory, Class<? extends SafeMemoryException>> TYPES = Map.of(
            ErrorCategory.BOUNDS, BoundsException.class,
            ErrorCategory.CAPACITY, CapacityException.class,
            ErrorCategory.INTEGRITY, IntegrityException.class,
            ErrorCategory.CONCURRENCY, ConcurrencyException.class,
            ErrorCategory.STATE, StateException.class,
            ErrorCategory.VALIDATION, ValidationException.class);

    /** Region capacity: deliberately not a multiple of the block size, so bounds are checked against it, not the padding. */
    static final long CAPACITY = 4000;
    static final int BLOCK = 256;
    static final String NAME = "bad-input";
    /** The slice every slice test borrows: [SLICE_AT, SLICE_AT + SLICE_LEN). */
    static final long SLICE_AT = 1000;
    static final long SLICE_LEN = 300;

    /** The name of the region owned by {@link #atomic}. */
    static final String ATOMIC_NAME = "bad-atomic";

    /** Which public class a test goes through: the handler of {@link #region}, or the atomic ops of {@link #atomicRegion}. */
    enum Via { HANDLER, ATOMIC }

    FixedArena arena;
    CheckedRegion region;
    SafeMemoryHandler memory;
    /** A second region of the same arena, never given a handler. */
    CheckedRegion unowned;
    /** A region shaped and filled like {@link #region}, owned by {@link #atomic}. */
    CheckedRegion atomicRegion;
    AtomicMemoryOps atomic;
    /** The class the running test goes through: {@link #refused} checks that region. */
    Via current = Via.HANDLER;
    final Set<ErrorCode> seen = EnumSet.noneOf(ErrorCode.class);

    @BeforeEach
    void setUp() {
        arena = FixedArena.ofShared(64 * 1024);
        region = CheckedRegion.builder(arena, CAPACITY).name(NAME).blockSize(BLOCK).build();
        unowned = CheckedRegion.builder(arena, 1024).name("spare").build();
        memory = region.handler();
        memory.write(0, pattern((int) CAPACITY, 7));
        atomicRegion = CheckedRegion.builder(arena, CAPACITY).name(ATOMIC_NAME).blockSize(BLOCK).build();
        atomic = atomicRegion.intoAtomicOps();
        atomic.atomicWriteWithChecksum(0, pattern((int) CAPACITY, 7));
    }

    /** Makes {@code via} the class the running test goes through, and returns it. */
    ModelTarget use(Via via) {
        current = via;
        return target(via);
    }

    ModelTarget target(Via via) {
        return via == Via.HANDLER ? ModelTarget.of(memory) : ModelTarget.of(atomic);
    }

    CheckedRegion regionOf(Via via) {
        return via == Via.HANDLER ? region : atomicRegion;
    }

    /** The name of the region the running test goes to. */
    String name() {
        return regionOf(current).name();
    }

    @AfterEach
    void tearDown() {
        arena.close();
    }

    @AfterEach
    void checkCoveredCodesWereSeen(TestInfo info) {
        Covers covers = info.getTestMethod().orElseThrow().getAnnotation(Covers.class);
        assertNotNull(covers, info.getDisplayName() + " must say which codes it covers with @Covers");
        Set<ErrorCode> claimed = EnumSet.noneOf(ErrorCode.class);
        claimed.addAll(Arrays.asList(covers.value()));
        claimed.removeAll(seen);
        assertTrue(claimed.isEmpty(), info.getDisplayName() + " claims to cover " + claimed + " but did not raise and check it");
    }

    // ================================================================ meta

    @Test
    @Covers({})
    void everyErrorCodeIsCoveredByATest() {
        Set<ErrorCode> covered = EnumSet.noneOf(ErrorCode.class);
        for (Method m : BadInputTest.class.getDeclaredMethods()) {
            Covers c = m.getAnnotation(Covers.class);
            if (c != null) {
                covered.addAll(Arrays.asList(c.value()));
            }
        }
        Set<ErrorCode> expected = EnumSet.allOf(ErrorCode.class);
        expected.removeAll(COVERED_ELSEWHERE.keySet());
        Set<ErrorCode> missing = EnumSet.copyOf(expected);
        missing.removeAll(covered);
        assertTrue(missing.isEmpty(), "error codes exercised by no test: " + missing);
        for (ErrorCode elsewhere : COVERED_ELSEWHERE.keySet()) {
            assertFalse(covered.contains(elsewhere), elsewhere + " is listed as covered elsewhere but also here");
        }
    }

    @Test
    @Covers({})
    void numericCodesAreStableUniqueAndMatchTheirCategory() {
        assertEquals(EnumSet.allOf(ErrorCode.class), EnumSet.copyOf(STABLE_NUMBERS.keySet()),
                "a new ErrorCode needs its stable number written down here");
        Set<Integer> numbers = new java.util.HashSet<>();
        for (ErrorCode c : ErrorCode.values()) {
            assertEquals(STABLE_NUMBERS.get(c), c.code(), c + " changed its number");
            assertTrue(numbers.add(c.code()), "duplicate number " + c.code());
            assertEquals(c.category().ordinal() + 1, c.code() / 1000, c + ": thousands digit must name its category");
            assertFalse(c.summary().isBlank(), c + " has no summary");
        }
    }

    /** The harness itself: a call that writes a byte, or bumps the arena, before throwing must be caught. */
    @Test
    @Covers({})
    void harnessNoticesAPartialWriteAndAWrongCode() {
        assertThrows(org.opentest4j.AssertionFailedError.class, () -> refused(ErrorCode.OUT_OF_BOUNDS, "partial write",
                () -> {
                    RawRegionAccess.accessor().data(region).set(ValueLayout.JAVA_BYTE, 3999, (byte) 1);
                    throw new BoundsException(ErrorCode.OUT_OF_BOUNDS, "[3999, 4001) exceeds capacity 4000");
                }));
        assertThrows(org.opentest4j.AssertionFailedError.class, () -> refused(ErrorCode.OUT_OF_BOUNDS, "checksum touched",
                () -> {
                    RawRegionAccess.accessor().checksums(region).set(ValueLayout.JAVA_BYTE, 0, (byte) 1);
                    throw new BoundsException(ErrorCode.OUT_OF_BOUNDS, "[3999, 4001) exceeds capacity 4000");
                }));
        assertThrows(org.opentest4j.AssertionFailedError.class, () -> refused(ErrorCode.ARENA_FULL, "arena bumped",
                () -> {
                    arena.allocate(1, 1);
                    throw new CapacityException(ErrorCode.ARENA_FULL, "x");
                }));
        assertThrows(org.opentest4j.AssertionFailedError.class, () -> refused(ErrorCode.OUT_OF_BOUNDS, "wrong code",
                () -> memory.write(-1, new byte[1])));
        assertThrows(org.opentest4j.AssertionFailedError.class, () -> refused(ErrorCode.NEGATIVE_OFFSET, "value not named",
                () -> memory.write(-1, new byte[1]), "offset -2"));
    }

    // ================================================================ helpers

    /** Everything a refused call must leave as it was. */
    record State(byte[] data, byte[] checksums, long used, long[] counters, VerificationLevel level, long[] header) {

        static State of(FixedArena arena, CheckedRegion region) {
            MemoryStatistics s = region.statistics();
            return new State(
                    RawRegionAccess.accessor().data(region).toArray(ValueLayout.JAVA_BYTE),
                    RawRegionAccess.accessor().checksums(region).toArray(ValueLayout.JAVA_BYTE),
                    arena.used(),
                    new long[] {s.writes(), s.bytesWritten(), s.verifications(), s.sampledSkips(),
                            s.integrityFailures(), s.checksummedBytes(), s.readRetries(), s.lockedReads()},
                    region.verificationLevel(),
                    new long[] {new LockWord(region.header, CheckedRegion.LOCK_WORD_OFFSET).word(),
                            new SequenceWord(region.header, CheckedRegion.SEQUENCE_OFFSET).stamp()});
        }

        void assertSameAs(State after, String call) {
            assertArrayEquals(data, after.data, call + " changed the region's bytes");
            assertArrayEquals(checksums, after.checksums, call + " changed the region's checksum table");
            assertEquals(used, after.used, call + " changed the arena's used()");
            assertArrayEquals(counters, after.counters, call + " changed the counters [writes, bytesWritten, "
                    + "verifications, sampledSkips, integrityFailures, checksummedBytes, readRetries, lockedReads]");
            assertEquals(level, after.level, call + " changed the verification level");
            assertArrayEquals(header, after.header, call + " changed the region's [lock word, sequence word]");
        }
    }

    /**
     * Runs {@code call}, which must throw {@code code}; checks the exception and that the fixture
     * (the region of the class the test goes through, its checksums, counters and lock words, the
     * arena) is unchanged.
     */
    SafeMemoryException refused(ErrorCode code, String call, Executable body, Object... mentions) {
        return refusedIn(arena, regionOf(current), code, current == Via.HANDLER ? call : "atomic ops: " + call, body,
                mentions);
    }

    SafeMemoryException refusedIn(FixedArena a, CheckedRegion r, ErrorCode code, String call, Executable body,
                                  Object... mentions) {
        State before = a.isOpen() ? State.of(a, r) : null;
        SafeMemoryException e = assertThrows(SafeMemoryException.class, body, call + " must be refused with " + code);
        check(e, code, call, mentions);
        if (before != null) {
            before.assertSameAs(State.of(a, r), call);
        }
        return e;
    }

    /** As {@link #refusedIn}, with the call made on a thread of its own (the fixture is snapshot on this one). */
    SafeMemoryException refusedOnOtherThread(FixedArena a, CheckedRegion r, ErrorCode code, String call,
                                             Executable body, Object... mentions) throws InterruptedException {
        State before = State.of(a, r);
        Throwable thrown = onOtherThread(body);
        assertNotNull(thrown, call + " from another thread must be refused with " + code);
        SafeMemoryException e = assertInstanceOf(SafeMemoryException.class, thrown, call + ": wrong exception");
        check(e, code, call, mentions);
        before.assertSameAs(State.of(a, r), call);
        return e;
    }

    static final String INTRUDER = "intruder-thread";

    static Throwable onOtherThread(Executable body) throws InterruptedException {
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                body.execute();
            } catch (Throwable x) {
                thrown.set(x);
            }
        }, INTRUDER);
        t.start();
        t.join();
        return thrown.get();
    }

    void check(SafeMemoryException e, ErrorCode code, String call, Object... mentions) {
        assertSame(TYPES.get(code.category()), e.getClass(), call + ": exception type for " + code.category());
        assertEquals(code, e.code(), call + ": code; message was: " + e.getMessage());
        assertEquals(code.category(), e.category(), call + ": category");
        assertEquals(STABLE_NUMBERS.get(code).intValue(), e.code().code(), call + ": numeric code");
        String message = e.getMessage();
        String prefix = "[" + STABLE_NUMBERS.get(code) + " " + code.name() + "] " + code.summary();
        assertTrue(message.startsWith(prefix), call + ": message must start with '" + prefix + "': " + message);
        for (Object m : mentions) {
            assertTrue(message.contains(String.valueOf(m)), call + ": message must name '" + m + "': " + message);
        }
        seen.add(code);
    }

    static byte[] pattern(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 31 + seed * 17 + (i >>> 8));
        }
        return b;
    }

    /** A source or destination array large enough for {@code length} bytes (any length the region can hold). */
    static byte[] buf(long length) {
        return pattern((int) Math.min(Math.max(length, 0), 1 << 16) + 8, 99);
    }

    // ================================================================ entry points

    @FunctionalInterface
    interface RangeCall {
        Object run(ModelTarget h, long offset, long length) throws Throwable;
    }

    /**
     * An entry point addressing {@code [offset, offset + length)} of the region, named as the
     * handler's; on atomic ops, {@code write} is {@code atomicWriteWithChecksum}, {@code copyWithin}
     * {@code atomicCopyWithin} and {@code fill} {@code atomicFill} (see {@link #nameOn}).
     *
     * @param intLength   the length travels as an {@code int}
     * @param arrayLength the length is the length of an array (cannot be negative)
     */
    record RangeOp(String name, boolean write, boolean intLength, boolean arrayLength, RangeCall call) {
        @Override
        public String toString() {
            return name;
        }
    }

    static List<RangeOp> rangeOps() {
        return List.of(
                new RangeOp("read(long, byte[])", false, true, true,
                        (h, o, n) -> { h.read(o, new byte[(int) n]); return null; }),
                new RangeOp("read(long, byte[], int, int)", false, true, false,
                        (h, o, n) -> { h.read(o, buf(n), 4, (int) n); return null; }),
                new RangeOp("read(long, MemorySegment, long, long)", false, false, false,
                        (h, o, n) -> { h.read(o, MemorySegment.ofArray(buf(n)), 4, n); return null; }),
                new RangeOp("write(long, byte[])", true, true, true,
                        (h, o, n) -> { h.write(o, pattern((int) n, 99)); return null; }),
                new RangeOp("write(long, byte[], int, int)", true, true, false,
                        (h, o, n) -> { h.write(o, buf(n), 4, (int) n); return null; }),
                new RangeOp("write(long, MemorySegment, long, long)", true, false, false,
                        (h, o, n) -> { h.write(o, MemorySegment.ofArray(buf(n)), 4, n); return null; }),
                new RangeOp("copyWithin(src 0, dst offset)", true, false, false,
                        (h, o, n) -> { h.copyWithin(0, o, n); return null; }),
                new RangeOp("copyWithin(src offset, dst 0)", true, false, false,
                        (h, o, n) -> { h.copyWithin(o, 0, n); return null; }),
                new RangeOp("fill", true, false, false,
                        (h, o, n) -> { h.fill(o, n, (byte) 0x5A); return null; }),
                new RangeOp("borrowSlice", false, false, false,
                        (h, o, n) -> h.borrowSlice(o, n)),
                new RangeOp("verifyRange", false, false, false,
                        (h, o, n) -> { h.verifyRange(o, n); return null; }));
    }

    static Stream<RangeOp> negativeLengthOps() {
        return rangeOps().stream().filter(op -> !op.arrayLength());
    }

    /**
     * Entry points whose length is a {@code long}; without the copy whose destination is fixed at
     * 0, since a length of {@code Long.MAX_VALUE} makes its destination range (checked first) out of
     * bounds rather than overflowing.
     */
    static Stream<RangeOp> longLengthOps() {
        return rangeOps().stream().filter(op -> !op.intLength() && !op.name().startsWith("copyWithin(src offset"));
    }

    static Stream<RangeOp> writeRangeOps() {
        return rangeOps().stream().filter(RangeOp::write);
    }

    @FunctionalInterface
    interface ScalarCall {
        void run(ModelTarget h, long offset);
    }

    record ScalarOp(String name, int size, boolean write, ScalarCall call) {
        @Override
        public String toString() {
            return name;
        }
    }

    static List<ScalarOp> scalarOps() {
        return List.of(
                new ScalarOp("getByte", 1, false, ModelTarget::getByte),
                new ScalarOp("getShort", 2, false, ModelTarget::getShort),
                new ScalarOp("getInt", 4, false, ModelTarget::getInt),
                new ScalarOp("getLong", 8, false, ModelTarget::getLong),
                new ScalarOp("getFloat", 4, false, ModelTarget::getFloat),
                new ScalarOp("getDouble", 8, false, ModelTarget::getDouble),
                new ScalarOp("putByte", 1, true, (h, o) -> h.putByte(o, (byte) 0xA5)),
                new ScalarOp("putShort", 2, true, (h, o) -> h.putShort(o, (short) 0xA5A5)),
                new ScalarOp("putInt", 4, true, (h, o) -> h.putInt(o, 0xA5A5A5A5)),
                new ScalarOp("putLong", 8, true, (h, o) -> h.putLong(o, 0xA5A5A5A5A5A5A5A5L)),
                new ScalarOp("putFloat", 4, true, (h, o) -> h.putFloat(o, -1.5e-3f)),
                new ScalarOp("putDouble", 8, true, (h, o) -> h.putDouble(o, -1.5e-300)));
    }

    static Stream<ScalarOp> writeScalarOps() {
        return scalarOps().stream().filter(ScalarOp::write);
    }

    @FunctionalInterface
    interface SliceCall {
        Object run(Slice s, long offset, long length) throws Throwable;
    }

    /** A slice entry point addressing {@code [offset, offset + length)} of the slice; scalars ignore the length. */
    record SliceOp(String name, int size, boolean intLength, SliceCall call) {
        @Override
        public String toString() {
            return name;
        }

        boolean scalar() {
            return size > 0;
        }
    }

    static List<SliceOp> sliceOps() {
        return List.of(
                new SliceOp("Slice.getByte", 1, false, (s, o, n) -> s.getByte(o)),
                new SliceOp("Slice.getShort", 2, false, (s, o, n) -> s.getShort(o)),
                new SliceOp("Slice.getInt", 4, false, (s, o, n) -> s.getInt(o)),
                new SliceOp("Slice.getLong", 8, false, (s, o, n) -> s.getLong(o)),
                new SliceOp("Slice.getFloat", 4, false, (s, o, n) -> s.getFloat(o)),
                new SliceOp("Slice.getDouble", 8, false, (s, o, n) -> s.getDouble(o)),
                new SliceOp("Slice.copyTo(long, byte[], int, int)", 0, true,
                        (s, o, n) -> { s.copyTo(o, buf(n), 4, (int) n); return null; }),
                new SliceOp("Slice.copyTo(long, MemorySegment, long, long)", 0, false,
                        (s, o, n) -> { s.copyTo(o, MemorySegment.ofArray(buf(n)), 4, n); return null; }));
    }

    static Stream<SliceOp> sliceRangeOps() {
        return sliceOps().stream().filter(op -> !op.scalar());
    }

    static Stream<SliceOp> sliceScalarOps() {
        return sliceOps().stream().filter(SliceOp::scalar);
    }

    /** Every entry point of the handler, or of the atomic ops, called with valid arguments. */
    static List<Named<TargetCall>> everyCall(Via via) {
        List<Named<TargetCall>> calls = new ArrayList<>();
        for (RangeOp op : rangeOps()) {
            calls.add(Named.<TargetCall>of(nameOn(via, op.name()), h -> op.call().run(h, 8, 16)));
        }
        for (ScalarOp op : scalarOps()) {
            calls.add(Named.<TargetCall>of(op.name(), h -> { op.call().run(h, 8); return null; }));
        }
        calls.add(Named.<TargetCall>of("verifyIntegrity", h -> { h.verifyIntegrity(); return null; }));
        calls.add(Named.<TargetCall>of("findCorruptBlock", h -> h.findCorruptBlock(0)));
        if (via == Via.HANDLER) {
            calls.add(Named.<TargetCall>of("setVerificationLevel",
                    h -> { ((ModelTarget.OfHandler) h).setVerificationLevel(VerificationLevel.FULL); return null; }));
        }
        return calls;
    }

    @FunctionalInterface
    interface TargetCall {
        Object run(ModelTarget h) throws Throwable;
    }

    static Stream<Named<TargetCall>> handlerCalls() {
        return everyCall(Via.HANDLER).stream();
    }

    static Stream<Arguments> callsOnEveryTarget() {
        return Stream.of(Via.values()).flatMap(via -> everyCall(via).stream().map(call -> Arguments.of(via, call)));
    }

    /** An entry point's name on the class a test goes through. */
    static String nameOn(Via via, String name) {
        if (via == Via.HANDLER) {
            return name;
        }
        return name.replace("write(", "atomicWriteWithChecksum(").replace("copyWithin", "atomicCopyWithin")
                .replaceAll("^fill$", "atomicFill");
    }

    /** Each operation with each class it is called through, the operation named as on that class. */
    static Stream<Arguments> onEveryTarget(Stream<?> ops) {
        List<?> list = ops.toList();
        return Stream.of(Via.values()).flatMap(via -> list.stream()
                .map(op -> Arguments.of(via, Named.of(nameOn(via, op.toString()), op))));
    }

    static Stream<Arguments> rangeOpsOnEveryTarget() {
        return onEveryTarget(rangeOps().stream());
    }

    static Stream<Arguments> negativeLengthOpsOnEveryTarget() {
        return onEveryTarget(negativeLengthOps());
    }

    static Stream<Arguments> longLengthOpsOnEveryTarget() {
        return onEveryTarget(longLengthOps());
    }

    static Stream<Arguments> writeRangeOpsOnEveryTarget() {
        return onEveryTarget(writeRangeOps());
    }

    static Stream<Arguments> scalarOpsOnEveryTarget() {
        return onEveryTarget(scalarOps().stream());
    }

    static Stream<Arguments> writeScalarOpsOnEveryTarget() {
        return onEveryTarget(writeScalarOps());
    }

    static Stream<Arguments> sliceOpsOnEveryTarget() {
        return onEveryTarget(sliceOps().stream());
    }

    static Stream<Arguments> sliceRangeOpsOnEveryTarget() {
        return onEveryTarget(sliceRangeOps());
    }

    static Stream<Arguments> sliceScalarOpsOnEveryTarget() {
        return onEveryTarget(sliceScalarOps());
    }

    static Object closeIfSlice(Object o) {
        if (o instanceof Slice s) {
            s.close();
        }
        return o;
    }

    // ================================================================ NEGATIVE_OFFSET

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("rangeOpsOnEveryTarget")
    @Covers(ErrorCode.NEGATIVE_OFFSET)
    void negativeOffsetIsRefused(Via via, RangeOp op) {
        ModelTarget memory = use(via);
        refused(ErrorCode.NEGATIVE_OFFSET, op + " at -1", () -> op.call().run(memory, -1, 8), "offset -1");
        refused(ErrorCode.NEGATIVE_OFFSET, op + " at Long.MIN_VALUE", () -> op.call().run(memory, Long.MIN_VALUE, 8),
                "offset " + Long.MIN_VALUE);
        refused(ErrorCode.NEGATIVE_OFFSET, op + " of 0 bytes at -1", () -> op.call().run(memory, -1, 0), "offset -1");
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("scalarOpsOnEveryTarget")
    @Covers(ErrorCode.NEGATIVE_OFFSET)
    void negativeScalarOffsetIsRefused(Via via, ScalarOp op) {
        ModelTarget memory = use(via);
        refused(ErrorCode.NEGATIVE_OFFSET, op + "(-1)", () -> op.call().run(memory, -1), "offset -1");
        refused(ErrorCode.NEGATIVE_OFFSET, op + "(Long.MIN_VALUE)", () -> op.call().run(memory, Long.MIN_VALUE),
                "offset " + Long.MIN_VALUE);
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("sliceOpsOnEveryTarget")
    @Covers(ErrorCode.NEGATIVE_OFFSET)
    void negativeSliceOffsetIsRefused(Via via, SliceOp op) {
        ModelTarget memory = use(via);
        Slice slice = memory.borrowSlice(SLICE_AT, SLICE_LEN);
        refused(ErrorCode.NEGATIVE_OFFSET, op + "(-1)", () -> op.call().run(slice, -1, 4), "offset -1");
        assertTrue(slice.isOpen());
    }

    @ParameterizedTest
    @EnumSource(Via.class)
    @Covers(ErrorCode.NEGATIVE_OFFSET)
    void negativeBufferOffsetIsRefused(Via via) {
        ModelTarget memory = use(via);
        byte[] dst = new byte[8];
        refused(ErrorCode.NEGATIVE_OFFSET, "read into byte[] at index -1", () -> memory.read(0, dst, -1, 4), "offset -1");
        refused(ErrorCode.NEGATIVE_OFFSET, "read into segment at -1",
                () -> memory.read(0, MemorySegment.ofArray(dst), -1, 4), "offset -1");
        refused(ErrorCode.NEGATIVE_OFFSET, "write from byte[] index -1", () -> memory.write(0, dst, -1, 4), "offset -1");
        refused(ErrorCode.NEGATIVE_OFFSET, "write from segment at -1",
                () -> memory.write(0, MemorySegment.ofArray(dst), -1, 4), "offset -1");
        Slice slice = memory.borrowSlice(SLICE_AT, SLICE_LEN);
        refused(ErrorCode.NEGATIVE_OFFSET, "Slice.copyTo byte[] index -1", () -> slice.copyTo(0, dst, -1, 4), "offset -1");
        refused(ErrorCode.NEGATIVE_OFFSET, "Slice.copyTo segment at -1",
                () -> slice.copyTo(0, MemorySegment.ofArray(dst), -1, 4), "offset -1");
        assertArrayEquals(new byte[8], dst, "the caller's buffer must be untouched");
    }

    @ParameterizedTest
    @EnumSource(Via.class)
    @Covers(ErrorCode.NEGATIVE_OFFSET)
    void negativeBlockIndexIsRefused(Via via) {
        ModelTarget memory = use(via);
        refused(ErrorCode.NEGATIVE_OFFSET, "findCorruptBlock(-1)", () -> memory.findCorruptBlock(-1), "offset -1");
        refused(ErrorCode.NEGATIVE_OFFSET, "findCorruptBlock(Long.MIN_VALUE)",
                () -> memory.findCorruptBlock(Long.MIN_VALUE), "offset " + Long.MIN_VALUE);
    }

    // ================================================================ NEGATIVE_LENGTH

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("negativeLengthOpsOnEveryTarget")
    @Covers(ErrorCode.NEGATIVE_LENGTH)
    void negativeLengthIsRefused(Via via, RangeOp op) {
        ModelTarget memory = use(via);
        refused(ErrorCode.NEGATIVE_LENGTH, op + " of -1 bytes", () -> op.call().run(memory, 0, -1), "length -1");
        refused(ErrorCode.NEGATIVE_LENGTH, op + " of Integer.MIN_VALUE bytes",
                () -> op.call().run(memory, 16, Integer.MIN_VALUE), "length " + Integer.MIN_VALUE);
        if (!op.intLength()) {
            refused(ErrorCode.NEGATIVE_LENGTH, op + " of Long.MIN_VALUE bytes",
                    () -> op.call().run(memory, 16, Long.MIN_VALUE), "length " + Long.MIN_VALUE);
        }
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("sliceRangeOpsOnEveryTarget")
    @Covers(ErrorCode.NEGATIVE_LENGTH)
    void negativeSliceLengthIsRefused(Via via, SliceOp op) {
        ModelTarget memory = use(via);
        Slice slice = memory.borrowSlice(SLICE_AT, SLICE_LEN);
        refused(ErrorCode.NEGATIVE_LENGTH, op + " of -1 bytes", () -> op.call().run(slice, 0, -1), "length -1");
    }

    // ================================================================ RANGE_OVERFLOW

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("rangeOpsOnEveryTarget")
    @Covers(ErrorCode.RANGE_OVERFLOW)
    void offsetPlusLengthOverflowIsRefused(Via via, RangeOp op) {
        ModelTarget memory = use(via);
        refused(ErrorCode.RANGE_OVERFLOW, op + " at Long.MAX_VALUE", () -> op.call().run(memory, Long.MAX_VALUE, 9),
                "offset " + Long.MAX_VALUE + " + length 9");
        refused(ErrorCode.RANGE_OVERFLOW, op + " at Long.MAX_VALUE - 8", () -> op.call().run(memory, Long.MAX_VALUE - 8, 9),
                "offset " + (Long.MAX_VALUE - 8) + " + length 9");
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("longLengthOpsOnEveryTarget")
    @Covers(ErrorCode.RANGE_OVERFLOW)
    void lengthOfLongMaxValueOverflows(Via via, RangeOp op) {
        ModelTarget memory = use(via);
        refused(ErrorCode.RANGE_OVERFLOW, op + " of Long.MAX_VALUE bytes at 1", () -> op.call().run(memory, 1, Long.MAX_VALUE),
                "offset 1 + length " + Long.MAX_VALUE);
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("scalarOpsOnEveryTarget")
    @Covers(ErrorCode.RANGE_OVERFLOW)
    void scalarOffsetOverflowIsRefused(Via via, ScalarOp op) {
        ModelTarget memory = use(via);
        long at = Long.MAX_VALUE - op.size() + 1; // at + size overflows by one
        refused(ErrorCode.RANGE_OVERFLOW, op + "(" + at + ")", () -> op.call().run(memory, at),
                "offset " + at + " + length " + op.size());
        refused(ErrorCode.RANGE_OVERFLOW, op + "(Long.MAX_VALUE)", () -> op.call().run(memory, Long.MAX_VALUE),
                "offset " + Long.MAX_VALUE);
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("sliceOpsOnEveryTarget")
    @Covers(ErrorCode.RANGE_OVERFLOW)
    void sliceOffsetOverflowIsRefused(Via via, SliceOp op) {
        ModelTarget memory = use(via);
        Slice slice = memory.borrowSlice(SLICE_AT, SLICE_LEN);
        refused(ErrorCode.RANGE_OVERFLOW, op + " at Long.MAX_VALUE", () -> op.call().run(slice, Long.MAX_VALUE, 2),
                "offset " + Long.MAX_VALUE);
    }

    @ParameterizedTest
    @EnumSource(Via.class)
    @Covers(ErrorCode.RANGE_OVERFLOW)
    void bufferOffsetOverflowIsRefused(Via via) {
        ModelTarget memory = use(via);
        MemorySegment dst = MemorySegment.ofArray(new byte[8]);
        refused(ErrorCode.RANGE_OVERFLOW, "read into segment at Long.MAX_VALUE",
                () -> memory.read(0, dst, Long.MAX_VALUE, 8), "offset " + Long.MAX_VALUE + " + length 8");
        refused(ErrorCode.RANGE_OVERFLOW, "write from segment at Long.MAX_VALUE",
                () -> memory.write(0, dst, Long.MAX_VALUE, 8), "offset " + Long.MAX_VALUE + " + length 8");
        Slice slice = memory.borrowSlice(SLICE_AT, SLICE_LEN);
        refused(ErrorCode.RANGE_OVERFLOW, "Slice.copyTo segment at Long.MAX_VALUE",
                () -> slice.copyTo(0, dst, Long.MAX_VALUE, 8), "offset " + Long.MAX_VALUE + " + length 8");
        assertArrayEquals(new byte[8], dst.toArray(ValueLayout.JAVA_BYTE), "the caller's buffer must be untouched");
    }

    /**
     * {@link ErrorCode#RANGE_OVERFLOW} is documented as "offset + length does not fit in a signed
     * 64-bit (or, for arrays, 32-bit) integer": an array index plus a length beyond
     * {@code Integer.MAX_VALUE} is that overflow.
     */
    @ParameterizedTest
    @EnumSource(Via.class)
    @Covers(ErrorCode.RANGE_OVERFLOW)
    void arrayIndexPlusLengthBeyond32BitsIsRangeOverflow(Via via) {
        ModelTarget memory = use(via);
        byte[] array = new byte[16];
        refused(ErrorCode.RANGE_OVERFLOW, "read into byte[] at index Integer.MAX_VALUE",
                () -> memory.read(0, array, Integer.MAX_VALUE, 8), "offset " + Integer.MAX_VALUE + " + length 8");
        refused(ErrorCode.RANGE_OVERFLOW, "write from byte[] at index Integer.MAX_VALUE",
                () -> memory.write(0, array, Integer.MAX_VALUE, 8), "offset " + Integer.MAX_VALUE + " + length 8");
        Slice slice = memory.borrowSlice(SLICE_AT, SLICE_LEN);
        refused(ErrorCode.RANGE_OVERFLOW, "Slice.copyTo byte[] at index Integer.MAX_VALUE",
                () -> slice.copyTo(0, array, Integer.MAX_VALUE, 8), "offset " + Integer.MAX_VALUE + " + length 8");
    }

    // ================================================================ OUT_OF_BOUNDS

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("rangeOpsOnEveryTarget")
    @Covers(ErrorCode.OUT_OF_BOUNDS)
    void rangePastCapacityIsRefusedAndEndAtCapacityIsAllowed(Via via, RangeOp op) throws Throwable {
        ModelTarget memory = use(via);
        for (long n : new long[] {1, 8, BLOCK + 3, CAPACITY}) {
            long at = CAPACITY - n + 1;
            refused(ErrorCode.OUT_OF_BOUNDS, op + " [" + at + ", " + (at + n) + ")", () -> op.call().run(memory, at, n),
                    "[" + at + ", " + (at + n) + ")", "capacity " + CAPACITY);
        }
        refused(ErrorCode.OUT_OF_BOUNDS, op + " of 0 bytes at capacity + 1", () -> op.call().run(memory, CAPACITY + 1, 0),
                "[" + (CAPACITY + 1) + ", " + (CAPACITY + 1) + ")", "capacity " + CAPACITY);
        refused(ErrorCode.OUT_OF_BOUNDS, op + " of 8 bytes at capacity", () -> op.call().run(memory, CAPACITY, 8),
                "capacity " + CAPACITY);
        refused(ErrorCode.OUT_OF_BOUNDS, op + " of capacity + 1 bytes at 0", () -> op.call().run(memory, 0, CAPACITY + 1),
                "[0, " + (CAPACITY + 1) + ")");
        // the padding of the last block (capacity 4000, blocks cover 4096) is not addressable either
        long padded = region.blockCount() * region.blockSize();
        refused(ErrorCode.OUT_OF_BOUNDS, op + " inside the last block's padding",
                () -> op.call().run(memory, CAPACITY, padded - CAPACITY), "capacity " + CAPACITY);

        // ending exactly at capacity is fine, and so is an empty range at capacity
        closeIfSlice(op.call().run(memory, CAPACITY - 8, 8));
        closeIfSlice(op.call().run(memory, CAPACITY - (BLOCK + 3), BLOCK + 3));
        closeIfSlice(op.call().run(memory, CAPACITY, 0));
        closeIfSlice(op.call().run(memory, 0, CAPACITY));
        memory.verifyIntegrity();
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("scalarOpsOnEveryTarget")
    @Covers(ErrorCode.OUT_OF_BOUNDS)
    void scalarPastCapacityIsRefusedAndLastSlotIsAllowed(Via via, ScalarOp op) {
        ModelTarget memory = use(via);
        long last = CAPACITY - op.size();
        refused(ErrorCode.OUT_OF_BOUNDS, op + "(" + (last + 1) + ")", () -> op.call().run(memory, last + 1),
                "[" + (last + 1) + ", " + (CAPACITY + 1) + ")", "capacity " + CAPACITY);
        refused(ErrorCode.OUT_OF_BOUNDS, op + "(capacity)", () -> op.call().run(memory, CAPACITY), "capacity " + CAPACITY);
        refused(ErrorCode.OUT_OF_BOUNDS, op + "(Long.MAX_VALUE - 8)", () -> op.call().run(memory, Long.MAX_VALUE - 8),
                "capacity " + CAPACITY);
        op.call().run(memory, last);
        memory.verifyIntegrity();
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("sliceRangeOpsOnEveryTarget")
    @Covers(ErrorCode.OUT_OF_BOUNDS)
    void sliceRangePastItsEndIsRefused(Via via, SliceOp op) throws Throwable {
        ModelTarget memory = use(via);
        Slice slice = memory.borrowSlice(SLICE_AT, SLICE_LEN);
        // bounded by the slice, although the region has bytes beyond it
        refused(ErrorCode.OUT_OF_BOUNDS, op + " [" + (SLICE_LEN - 7) + ", " + (SLICE_LEN + 1) + ")",
                () -> op.call().run(slice, SLICE_LEN - 7, 8),
                "[" + (SLICE_LEN - 7) + ", " + (SLICE_LEN + 1) + ")", "capacity " + SLICE_LEN);
        refused(ErrorCode.OUT_OF_BOUNDS, op + " of 0 bytes at length + 1", () -> op.call().run(slice, SLICE_LEN + 1, 0),
                "capacity " + SLICE_LEN);
        op.call().run(slice, SLICE_LEN - 8, 8);
        op.call().run(slice, SLICE_LEN, 0);
        op.call().run(slice, 0, SLICE_LEN);
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("sliceScalarOpsOnEveryTarget")
    @Covers(ErrorCode.OUT_OF_BOUNDS)
    void sliceScalarPastItsEndIsRefused(Via via, SliceOp op) throws Throwable {
        ModelTarget memory = use(via);
        Slice slice = memory.borrowSlice(SLICE_AT, SLICE_LEN);
        long last = SLICE_LEN - op.size();
        refused(ErrorCode.OUT_OF_BOUNDS, op + "(" + (last + 1) + ")", () -> op.call().run(slice, last + 1, 0),
                "[" + (last + 1) + ", " + (SLICE_LEN + 1) + ")", "capacity " + SLICE_LEN);
        op.call().run(slice, last, 0);
    }

    @ParameterizedTest
    @EnumSource(Via.class)
    @Covers(ErrorCode.OUT_OF_BOUNDS)
    void blockIndexPastBlockCountIsRefused(Via via) {
        ModelTarget memory = use(via);
        long blocks = regionOf(via).blockCount();
        assertEquals(16, blocks);
        refused(ErrorCode.OUT_OF_BOUNDS, "findCorruptBlock(blockCount + 1)", () -> memory.findCorruptBlock(blocks + 1),
                String.valueOf(blocks + 1), "capacity " + blocks);
        refused(ErrorCode.OUT_OF_BOUNDS, "findCorruptBlock(Long.MAX_VALUE)", () -> memory.findCorruptBlock(Long.MAX_VALUE),
                String.valueOf(Long.MAX_VALUE));
        assertEquals(-1, memory.findCorruptBlock(blocks), "fromBlock == blockCount is allowed and finds nothing");
    }

    // ================================================================ BUFFER_RANGE

    @ParameterizedTest
    @EnumSource(Via.class)
    @Covers(ErrorCode.BUFFER_RANGE)
    void rangeBeyondTheCallersArrayIsRefused(Via via) {
        ModelTarget memory = use(via);
        byte[] dst = new byte[8];
        refused(ErrorCode.BUFFER_RANGE, "read 8 bytes into byte[8] at index 1", () -> memory.read(0, dst, 1, 8),
                "[1, 9)", "buffer size 8");
        refused(ErrorCode.BUFFER_RANGE, "read 9 bytes into byte[8]", () -> memory.read(0, dst, 0, 9), "[0, 9)", "buffer size 8");
        refused(ErrorCode.BUFFER_RANGE, "read 0 bytes at index 9 of byte[8]", () -> memory.read(0, dst, 9, 0),
                "[9, 9)", "buffer size 8");
        assertArrayEquals(new byte[8], dst, "the caller's array must be untouched");
        memory.read(0, dst, 0, 8);
        assertArrayEquals(Arrays.copyOf(pattern((int) CAPACITY, 7), 8), dst, "an exact fit is allowed");

        byte[] src = pattern(8, 3);
        refused(ErrorCode.BUFFER_RANGE, "write 8 bytes from byte[8] at index 1", () -> memory.write(0, src, 1, 8),
                "[1, 9)", "buffer size 8");
        refused(ErrorCode.BUFFER_RANGE, "write 1 byte from byte[8] at index 8", () -> memory.write(100, src, 8, 1),
                "[8, 9)", "buffer size 8");
    }

    @ParameterizedTest
    @EnumSource(Via.class)
    @Covers(ErrorCode.BUFFER_RANGE)
    void rangeBeyondTheCallersSegmentIsRefused(Via via) {
        ModelTarget memory = use(via);
        byte[] backing = new byte[8];
        MemorySegment seg = MemorySegment.ofArray(backing);
        refused(ErrorCode.BUFFER_RANGE, "read 8 bytes into segment[8] at 1", () -> memory.read(0, seg, 1, 8),
                "[1, 9)", "buffer size 8");
        refused(ErrorCode.BUFFER_RANGE, "read 0 bytes at 9 of segment[8]", () -> memory.read(0, seg, 9, 0),
                "[9, 9)", "buffer size 8");
        refused(ErrorCode.BUFFER_RANGE, "write 8 bytes from segment[8] at 1", () -> memory.write(0, seg, 1, 8),
                "[1, 9)", "buffer size 8");
        refused(ErrorCode.BUFFER_RANGE, "write 9 bytes from segment[8]", () -> memory.write(64, seg, 0, 9),
                "[0, 9)", "buffer size 8");
        assertArrayEquals(new byte[8], backing, "the caller's segment must be untouched");
        memory.read(0, seg, 0, 8);
        assertArrayEquals(Arrays.copyOf(pattern((int) CAPACITY, 7), 8), backing, "an exact fit is allowed");
    }

    @ParameterizedTest
    @EnumSource(Via.class)
    @Covers(ErrorCode.BUFFER_RANGE)
    void sliceCopyBeyondTheCallersBufferIsRefused(Via via) {
        ModelTarget memory = use(via);
        Slice slice = memory.borrowSlice(SLICE_AT, SLICE_LEN);
        byte[] dst = new byte[8];
        refused(ErrorCode.BUFFER_RANGE, "Slice.copyTo byte[8] at index 4, 5 bytes", () -> slice.copyTo(0, dst, 4, 5),
                "[4, 9)", "buffer size 8");
        refused(ErrorCode.BUFFER_RANGE, "Slice.copyTo segment[8] at 4, 5 bytes",
                () -> slice.copyTo(0, MemorySegment.ofArray(dst), 4, 5), "[4, 9)", "buffer size 8");
        assertArrayEquals(new byte[8], dst, "the caller's buffer must be untouched");
        slice.copyTo(0, dst, 4, 4);
        assertArrayEquals(Arrays.copyOfRange(pattern((int) CAPACITY, 7), (int) SLICE_AT, (int) SLICE_AT + 4),
                Arrays.copyOfRange(dst, 4, 8));
    }

    // ================================================================ READ_ONLY_DESTINATION

    @ParameterizedTest
    @EnumSource(Via.class)
    @Covers(ErrorCode.READ_ONLY_DESTINATION)
    void readIntoAReadOnlySegmentIsRefused(Via via) {
        ModelTarget memory = use(via);
        byte[] backing = new byte[16];
        MemorySegment readOnly = MemorySegment.ofArray(backing).asReadOnly();
        refused(ErrorCode.READ_ONLY_DESTINATION, "read into a read-only heap segment", () -> memory.read(0, readOnly, 0, 8),
                "read-only");
        refused(ErrorCode.READ_ONLY_DESTINATION, "read 0 bytes into a read-only segment",
                () -> memory.read(0, readOnly, 0, 0), "read-only");
        MemorySegment nativeReadOnly = arena.allocate(16, 8).asReadOnly();
        refused(ErrorCode.READ_ONLY_DESTINATION, "read into a read-only native segment",
                () -> memory.read(0, nativeReadOnly, 0, 16), "read-only");
        Slice slice = memory.borrowSlice(SLICE_AT, SLICE_LEN);
        refused(ErrorCode.READ_ONLY_DESTINATION, "Slice.copyTo a read-only segment", () -> slice.copyTo(0, readOnly, 0, 8),
                "read-only");
        refused(ErrorCode.READ_ONLY_DESTINATION, "Slice.copyTo 0 bytes into a read-only segment",
                () -> slice.copyTo(0, readOnly, 0, 0), "read-only");
        refused(ErrorCode.READ_ONLY_DESTINATION, "Slice.copyTo its own read-only view",
                () -> slice.copyTo(0, slice.asSegment(), 8, 8), "read-only");
        assertArrayEquals(new byte[16], backing);
    }

    // ================================================================ NULL_ARGUMENT

    @ParameterizedTest
    @EnumSource(Via.class)
    @Covers(ErrorCode.NULL_ARGUMENT)
    void nullArgumentsAreRefused(Via via) {
        ModelTarget memory = use(via);
        refused(ErrorCode.NULL_ARGUMENT, "read(long, null byte[])", () -> memory.read(0, (byte[]) null), "dst must not be null");
        refused(ErrorCode.NULL_ARGUMENT, "read(long, null byte[], 0, 0)", () -> memory.read(0, (byte[]) null, 0, 0),
                "dst must not be null");
        refused(ErrorCode.NULL_ARGUMENT, "read(long, null segment, 0, 0)", () -> memory.read(0, (MemorySegment) null, 0, 0),
                "dst must not be null");
        refused(ErrorCode.NULL_ARGUMENT, "write(long, null byte[])", () -> memory.write(0, (byte[]) null), "src must not be null");
        refused(ErrorCode.NULL_ARGUMENT, "write(long, null byte[], 0, 0)", () -> memory.write(0, (byte[]) null, 0, 0),
                "src must not be null");
        refused(ErrorCode.NULL_ARGUMENT, "write(long, null segment, 0, 8)", () -> memory.write(0, (MemorySegment) null, 0, 8),
                "src must not be null");
        if (via == Via.HANDLER) {
            refused(ErrorCode.NULL_ARGUMENT, "setVerificationLevel(null)", () -> this.memory.setVerificationLevel(null),
                    "level must not be null");
        }
        Slice slice = memory.borrowSlice(SLICE_AT, SLICE_LEN);
        refused(ErrorCode.NULL_ARGUMENT, "Slice.copyTo(null byte[])", () -> slice.copyTo(0, (byte[]) null, 0, 0),
                "dst must not be null");
        refused(ErrorCode.NULL_ARGUMENT, "Slice.copyTo(null segment)", () -> slice.copyTo(0, (MemorySegment) null, 0, 4),
                "dst must not be null");
    }

    @Test
    @Covers(ErrorCode.NULL_ARGUMENT)
    void nullBuilderArgumentsAreRefused() {
        refused(ErrorCode.NULL_ARGUMENT, "builder(null arena)", () -> CheckedRegion.builder(null, 1024), "arena must not be null");
        CheckedRegion.Builder builder = CheckedRegion.builder(arena, 1024).name("kept").verificationLevel(VerificationLevel.FULL);
        refused(ErrorCode.NULL_ARGUMENT, "Builder.name(null)", () -> builder.name(null), "name must not be null");
        refused(ErrorCode.NULL_ARGUMENT, "Builder.verificationLevel(null)", () -> builder.verificationLevel(null),
                "level must not be null");
        refused(ErrorCode.NULL_ARGUMENT, "FaultInjector.of(null)", () -> FaultInjector.of(null, 1), "region must not be null");
        CheckedRegion built = builder.build();
        assertEquals("kept", built.name(), "a refused setter leaves the builder as it was");
        assertEquals(VerificationLevel.FULL, built.verificationLevel());
    }

    // ================================================================ ARENA_CLOSED

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("callsOnEveryTarget")
    @Covers(ErrorCode.ARENA_CLOSED)
    void handlerCallAfterArenaCloseIsRefused(Via via, TargetCall call) {
        ModelTarget memory = use(via);
        arena.close();
        assertFalse(arena.isOpen());
        refused(ErrorCode.ARENA_CLOSED, "call after close", () -> call.run(memory), "region '" + name() + "'", "closed");
        assertEquals(VerificationLevel.STANDARD, regionOf(via).verificationLevel());
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("sliceOpsOnEveryTarget")
    @Covers(ErrorCode.ARENA_CLOSED)
    void sliceCallAfterArenaCloseIsRefused(Via via, SliceOp op) {
        ModelTarget memory = use(via);
        Slice slice = memory.borrowSlice(SLICE_AT, SLICE_LEN);
        arena.close();
        refused(ErrorCode.ARENA_CLOSED, op + " after arena close", () -> op.call().run(slice, 0, 8), "region '" + name() + "'",
                "closed");
    }

    @Test
    @Covers(ErrorCode.ARENA_CLOSED)
    void arenaAndRegionCallsAfterCloseAreRefused() {
        Slice slice = memory.borrowSlice(SLICE_AT, SLICE_LEN);
        arena.close();
        refused(ErrorCode.ARENA_CLOSED, "Slice.asSegment after arena close", slice::asSegment, "closed");
        refused(ErrorCode.ARENA_CLOSED, "FixedArena.allocate after close", () -> arena.allocate(8, 8), "fixed arena", "closed");
        refused(ErrorCode.ARENA_CLOSED, "FixedArena.allocate(0) after close", () -> arena.allocate(0, 1), "closed");
        refused(ErrorCode.ARENA_CLOSED, "CheckedRegion.handler() after close", unowned::handler, "region 'spare'", "closed");
        refused(ErrorCode.ARENA_CLOSED, "Builder.build() after close",
                () -> CheckedRegion.builder(arena, 64).build(), "closed");
        arena.close(); // idempotent, no exception
        assertFalse(arena.isOpen());
        assertTrue(arena.toString().contains("closed"), arena.toString());
    }

    // ================================================================ WRONG_THREAD

    /** A confined arena owned by the test thread, with a region, its handler or atomic ops, and a spare region. */
    record Confined(FixedArena arena, CheckedRegion region, ModelTarget memory, CheckedRegion spare) {
        static Confined create(Via via) {
            FixedArena a = FixedArena.ofConfined(64 * 1024);
            CheckedRegion r = CheckedRegion.builder(a, CAPACITY).name("confined").blockSize(BLOCK).build();
            CheckedRegion spare = CheckedRegion.builder(a, 512).name("confined-spare").build();
            ModelTarget h = via == Via.HANDLER ? ModelTarget.of(r.handler()) : ModelTarget.of(r.intoAtomicOps());
            h.write(0, pattern((int) CAPACITY, 11));
            return new Confined(a, r, h, spare);
        }
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("callsOnEveryTarget")
    @Covers(ErrorCode.WRONG_THREAD)
    void handlerCallFromAnotherThreadIsRefused(Via via, TargetCall call) throws Throwable {
        use(via);
        Confined c = Confined.create(via);
        try {
            String owner = Thread.currentThread().getName();
            refusedOnOtherThread(c.arena(), c.region(), ErrorCode.WRONG_THREAD, "handler call from another thread",
                    () -> call.run(c.memory()), "region 'confined'", "'" + owner + "'", "'" + INTRUDER + "'");
            // the owner still can
            closeIfSlice(call.run(c.memory()));
        } finally {
            c.arena().close();
        }
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("sliceOpsOnEveryTarget")
    @Covers(ErrorCode.WRONG_THREAD)
    void sliceCallFromAnotherThreadIsRefused(Via via, SliceOp op) throws Throwable {
        use(via);
        Confined c = Confined.create(via);
        try {
            Slice slice = c.memory().borrowSlice(SLICE_AT, SLICE_LEN);
            refusedOnOtherThread(c.arena(), c.region(), ErrorCode.WRONG_THREAD, op + " from another thread",
                    () -> op.call().run(slice, 0, 8), "'" + INTRUDER + "'");
            op.call().run(slice, 0, 8);
            slice.close();
        } finally {
            c.arena().close();
        }
    }

    @Test
    @Covers(ErrorCode.WRONG_THREAD)
    void arenaAndRegionCallsFromAnotherThreadAreRefused() throws Throwable {
        Confined c = Confined.create(Via.HANDLER);
        try {
            String owner = Thread.currentThread().getName();
            Slice slice = c.memory().borrowSlice(SLICE_AT, SLICE_LEN);
            refusedOnOtherThread(c.arena(), c.region(), ErrorCode.WRONG_THREAD, "Slice.asSegment from another thread",
                    slice::asSegment, "'" + INTRUDER + "'");
            slice.close();
            refusedOnOtherThread(c.arena(), c.region(), ErrorCode.WRONG_THREAD, "FixedArena.allocate from another thread",
                    () -> c.arena().allocate(8, 8), "fixed arena", "'" + owner + "'", "'" + INTRUDER + "'");
            refusedOnOtherThread(c.arena(), c.region(), ErrorCode.WRONG_THREAD, "FixedArena.close from another thread",
                    () -> c.arena().close(), "fixed arena", "'" + INTRUDER + "'");
            assertTrue(c.arena().isOpen(), "a refused close leaves the arena open");
            refusedOnOtherThread(c.arena(), c.region(), ErrorCode.WRONG_THREAD, "CheckedRegion.handler() from another thread",
                    () -> c.spare().handler(), "region 'confined-spare'", "'" + INTRUDER + "'");
            refusedOnOtherThread(c.arena(), c.region(), ErrorCode.WRONG_THREAD, "Builder.build() from another thread",
                    () -> CheckedRegion.builder(c.arena(), 64).build(), "'" + INTRUDER + "'");
            // nothing was taken by the refused calls: the owner can still have the spare region's handler
            SafeMemoryHandler spare = c.spare().handler();
            spare.putInt(0, 42);
            assertEquals(42, spare.getInt(0));
            c.memory().verifyIntegrity();
        } finally {
            c.arena().close();
        }
    }

    // ================================================================ SLICE_CLOSED

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("sliceOpsOnEveryTarget")
    @Covers(ErrorCode.SLICE_CLOSED)
    void sliceCallAfterCloseIsRefused(Via via, SliceOp op) {
        ModelTarget memory = use(via);
        Slice slice = memory.borrowSlice(SLICE_AT, SLICE_LEN);
        slice.close();
        assertFalse(slice.isOpen());
        refused(ErrorCode.SLICE_CLOSED, op + " after close", () -> op.call().run(slice, 0, 8),
                "[" + SLICE_AT + ", " + (SLICE_AT + SLICE_LEN) + ")");
        refused(ErrorCode.SLICE_CLOSED, op + " after close, bad offset too", () -> op.call().run(slice, -1, 8), "closed");
    }

    @ParameterizedTest
    @EnumSource(Via.class)
    @Covers(ErrorCode.SLICE_CLOSED)
    void asSegmentAfterCloseIsRefusedAndCloseIsIdempotent(Via via) {
        ModelTarget memory = use(via);
        Slice slice = memory.borrowSlice(SLICE_AT, SLICE_LEN);
        slice.close();
        slice.close();
        refused(ErrorCode.SLICE_CLOSED, "Slice.asSegment after close", slice::asSegment,
                "[" + SLICE_AT + ", " + (SLICE_AT + SLICE_LEN) + ")");
        assertEquals(SLICE_AT, slice.offset(), "offset() stays readable");
        assertEquals(SLICE_LEN, slice.length(), "length() stays readable");
        memory.putInt(0, 1); // the double close did not unbalance the count of open slices
    }

    // ================================================================ SLICES_OPEN

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("writeRangeOpsOnEveryTarget")
    @Covers(ErrorCode.SLICES_OPEN)
    void bulkWriteWhileASliceIsOpenIsRefusedAndWorksAfterClose(Via via, RangeOp op) throws Throwable {
        ModelTarget memory = use(via);
        Slice slice = memory.borrowSlice(SLICE_AT, SLICE_LEN);
        refused(ErrorCode.SLICES_OPEN, op + " with one slice open", () -> op.call().run(memory, 64, 100),
                "1 borrowed slice", "region '" + name() + "'");
        refused(ErrorCode.SLICES_OPEN, op + " of 0 bytes with one slice open", () -> op.call().run(memory, 64, 0),
                "1 borrowed slice");
        Slice second = memory.borrowSlice(0, 16);
        refused(ErrorCode.SLICES_OPEN, op + " with two slices open", () -> op.call().run(memory, 64, 100), "2 borrowed slice");
        second.close();
        second.close();
        refused(ErrorCode.SLICES_OPEN, op + " with one of two slices closed twice", () -> op.call().run(memory, 64, 100),
                "1 borrowed slice");
        slice.close();
        State before = State.of(arena, regionOf(via));
        op.call().run(memory, 64, 100);
        assertFalse(Arrays.equals(before.data(), State.of(arena, regionOf(via)).data()), op + " wrote nothing after the slices closed");
        memory.verifyIntegrity();
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("writeScalarOpsOnEveryTarget")
    @Covers(ErrorCode.SLICES_OPEN)
    void scalarWriteWhileASliceIsOpenIsRefusedAndWorksAfterClose(Via via, ScalarOp op) {
        ModelTarget memory = use(via);
        Slice slice = memory.borrowSlice(SLICE_AT, SLICE_LEN);
        refused(ErrorCode.SLICES_OPEN, op + " with a slice open", () -> op.call().run(memory, 2000), "1 borrowed slice",
                "region '" + name() + "'");
        // reads go on while a slice is open
        byte[] dst = new byte[16];
        memory.read(2000, dst);
        memory.getLong(2000);
        memory.verifyRange(0, CAPACITY);
        slice.close();
        op.call().run(memory, 2000);
        memory.verifyIntegrity();
    }

    // ================================================================ ALREADY_OWNED

    @Test
    @Covers(ErrorCode.ALREADY_OWNED)
    void secondHandlerIsRefused() {
        refused(ErrorCode.ALREADY_OWNED, "CheckedRegion.handler() twice", region::handler, "region '" + name() + "'");
        refused(ErrorCode.ALREADY_OWNED, "CheckedRegion.handler() three times", region::handler, "already has a handler");
        memory.putLong(0, 7L);
        assertEquals(7L, memory.getLong(0), "the first handler keeps working");
        SafeMemoryHandler spare = unowned.handler();
        refused(ErrorCode.ALREADY_OWNED, "spare region's handler twice", unowned::handler, "region 'spare'");
        assertSame(unowned, spare.provider());
    }

    @Test
    @Covers(ErrorCode.ALREADY_OWNED)
    void atomicOpsAndAHandlerExcludeEachOther() {
        current = Via.ATOMIC;
        refused(ErrorCode.ALREADY_OWNED, "handler() of a region owned by atomic ops", atomicRegion::handler,
                "region '" + ATOMIC_NAME + "'", "already has an AtomicMemoryOps");
        refused(ErrorCode.ALREADY_OWNED, "intoAtomicOps() twice", atomicRegion::intoAtomicOps,
                "region '" + ATOMIC_NAME + "'", "already has an AtomicMemoryOps");
        refused(ErrorCode.ALREADY_OWNED, "intoAtomicOps(ZERO) twice", () -> atomicRegion.intoAtomicOps(Duration.ZERO),
                "already has an AtomicMemoryOps");
        current = Via.HANDLER;
        refused(ErrorCode.ALREADY_OWNED, "intoAtomicOps() of a region with a handler", region::intoAtomicOps,
                "region '" + NAME + "'", "already has a handler");
        refused(ErrorCode.ALREADY_OWNED, "intoAtomicOps(1 ms) of a region with a handler",
                () -> region.intoAtomicOps(Duration.ofMillis(1)), "already has a handler");

        SafeMemoryHandler spare = unowned.handler();
        AtomicMemoryOps handedOver = spare.intoAtomicOps();
        refusedIn(arena, unowned, ErrorCode.ALREADY_OWNED, "handler() after handler.intoAtomicOps()", unowned::handler,
                "region 'spare'", "already has an AtomicMemoryOps");
        refusedIn(arena, unowned, ErrorCode.ALREADY_OWNED, "intoAtomicOps() after handler.intoAtomicOps()",
                unowned::intoAtomicOps, "region 'spare'", "already has an AtomicMemoryOps");
        // the owners keep working
        memory.putLong(0, 7L);
        assertEquals(7L, memory.getLong(0));
        atomic.putLong(0, 8L);
        assertEquals(8L, atomic.getLong(0));
        handedOver.putLong(0, 9L);
        assertEquals(9L, handedOver.getLong(0));
        assertSame(unowned, handedOver.provider());
    }

    // ================================================================ HANDLER_CONSUMED

    @ParameterizedTest(name = "{0}")
    @MethodSource("handlerCalls")
    @Covers(ErrorCode.HANDLER_CONSUMED)
    void handlerCallAfterIntoAtomicOpsIsRefused(TargetCall call) {
        AtomicMemoryOps taken = memory.intoAtomicOps();
        refused(ErrorCode.HANDLER_CONSUMED, "handler call after intoAtomicOps()", () -> call.run(ModelTarget.of(memory)),
                "handler of region '" + NAME + "'", "intoAtomicOps()");
        assertEquals(VerificationLevel.STANDARD, region.verificationLevel());
        // the atomic ops that took the region over have it all
        byte[] back = new byte[(int) CAPACITY];
        taken.read(0, back);
        assertArrayEquals(pattern((int) CAPACITY, 7), back);
        taken.verifyIntegrity();
    }

    @Test
    @Covers(ErrorCode.HANDLER_CONSUMED)
    void intoAtomicOpsOfAConsumedHandlerIsRefused() {
        AtomicMemoryOps taken = memory.intoAtomicOps(Duration.ofMillis(5));
        refused(ErrorCode.HANDLER_CONSUMED, "intoAtomicOps() twice", memory::intoAtomicOps, "handler of region '" + NAME + "'");
        refused(ErrorCode.HANDLER_CONSUMED, "intoAtomicOps(1 s) twice", () -> memory.intoAtomicOps(Duration.ofSeconds(1)),
                "intoAtomicOps()");
        assertEquals(Duration.ofMillis(5), taken.lockTimeout(), "the first hand-over stands");
        byte[] back = new byte[(int) CAPACITY];
        taken.read(0, back);
        assertArrayEquals(pattern((int) CAPACITY, 7), back);
    }

    // ================================================================ BLOCK_MISALIGNED

    /** Ranges inside the region (4000 bytes, 256-byte blocks) that are not made of whole blocks. */
    static Stream<Arguments> misalignedBlockRanges() {
        return Stream.of(Arguments.of(1L, 255), Arguments.of(0L, 100), Arguments.of(256L, 3000),
                Arguments.of(3840L, 100), Arguments.of(3900L, 100), Arguments.of(100L, 0));
    }

    @ParameterizedTest(name = "[{0}, +{1})")
    @MethodSource("misalignedBlockRanges")
    @Covers(ErrorCode.BLOCK_MISALIGNED)
    void blockRewriteOfAnythingButWholeBlocksIsRefusedAndWritesNothing(long offset, int length) {
        byte[] src = new byte[(int) CAPACITY];
        for (Via via : Via.values()) {
            ModelTarget target = use(via);
            refused(ErrorCode.BLOCK_MISALIGNED, "rewriteBlocks(" + offset + ", " + length + ")",
                    () -> target.rewriteBlocks(offset, src, 0, length), "[" + offset + ", " + (offset + length) + ")",
                    "256-byte blocks", "capacity 4000");
        }
        // the whole blocks around them, and the partial last block up to the capacity, are accepted
        memory.rewriteBlocks(0, src, 0, 256);
        memory.rewriteBlocks(3840, src, 0, 160);
        atomic.rewriteBlocks(256, src, 0, 3744);
        memory.verifyIntegrity();
        atomic.verifyIntegrity();
    }

    // ================================================================ INVALID_TIMEOUT

    static Stream<Duration> negativeDurations() {
        return Stream.of(Duration.ofNanos(-1), Duration.ofMillis(-50), Duration.ofSeconds(-1, 999_999_999),
                Duration.ofSeconds(Long.MIN_VALUE), Duration.ofDays(-1));
    }

    @ParameterizedTest
    @MethodSource("negativeDurations")
    @Covers(ErrorCode.INVALID_TIMEOUT)
    void negativeLockTimeoutIsRefusedAndTakesNothing(Duration timeout) {
        refusedIn(arena, unowned, ErrorCode.INVALID_TIMEOUT, "region.intoAtomicOps(" + timeout + ")",
                () -> unowned.intoAtomicOps(timeout), "lock timeout", "was " + timeout);
        refused(ErrorCode.INVALID_TIMEOUT, "handler.intoAtomicOps(" + timeout + ")", () -> memory.intoAtomicOps(timeout),
                "lock timeout", "was " + timeout);
        // nothing was taken: the handler is still the owner, the spare region has none
        memory.putInt(0, 1);
        assertEquals(1, memory.getInt(0));
        assertEquals(Duration.ZERO, unowned.intoAtomicOps(Duration.ZERO).lockTimeout());
        assertEquals(AtomicMemoryOps.WAIT_FOREVER, memory.intoAtomicOps().lockTimeout());
    }

    @Test
    @Covers(ErrorCode.NULL_ARGUMENT)
    void nullLockTimeoutIsRefusedAndTakesNothing() {
        refusedIn(arena, unowned, ErrorCode.NULL_ARGUMENT, "region.intoAtomicOps(null)", () -> unowned.intoAtomicOps(null),
                "lockTimeout must not be null");
        refused(ErrorCode.NULL_ARGUMENT, "handler.intoAtomicOps(null)", () -> memory.intoAtomicOps(null),
                "lockTimeout must not be null");
        memory.putInt(0, 1);
        unowned.handler().putInt(0, 1);
    }

    // ================================================================ SLICES_OPEN, hand-over

    @Test
    @Covers(ErrorCode.SLICES_OPEN)
    void intoAtomicOpsWithAHandlerSliceOpenIsRefused() {
        Slice slice = memory.borrowSlice(SLICE_AT, SLICE_LEN);
        refused(ErrorCode.SLICES_OPEN, "handler.intoAtomicOps() with a slice open", memory::intoAtomicOps,
                "1 borrowed slice", "region '" + NAME + "'");
        refused(ErrorCode.SLICES_OPEN, "handler.intoAtomicOps(5 ms) with a slice open",
                () -> memory.intoAtomicOps(Duration.ofMillis(5)), "1 borrowed slice");
        // still the owner, the slice still open
        assertTrue(slice.isOpen());
        assertEquals(pattern((int) CAPACITY, 7)[(int) SLICE_AT], slice.getByte(0));
        memory.verifyIntegrity();
        slice.close();
        AtomicMemoryOps taken = memory.intoAtomicOps();
        taken.putInt(0, 3);
        assertEquals(3, taken.getInt(0));
    }

    // ================================================================ LOCK_TIMEOUT

    /** The lock timeout of {@link #timedOps}: short, so that each refused call costs little. */
    static final Duration TIMEOUT = Duration.ofMillis(20);
    static final String TIMED_NAME = "bad-timed";

    CheckedRegion timedRegion(VerificationLevel level) {
        return CheckedRegion.builder(arena, CAPACITY).name(TIMED_NAME).blockSize(BLOCK).verificationLevel(level)
                .samplingRate(0.0001).build();
    }

    /** Every write entry point of the atomic ops, called with valid arguments. */
    static Stream<Named<TargetCall>> atomicWriteCalls() {
        Stream<Named<TargetCall>> ranges = writeRangeOps().map(op -> Named.<TargetCall>of(nameOn(Via.ATOMIC, op.name()),
                h -> op.call().run(h, 64, 100)));
        Stream<Named<TargetCall>> scalars = writeScalarOps().map(op -> Named.<TargetCall>of(op.name(),
                h -> { op.call().run(h, 2000); return null; }));
        return Stream.concat(ranges, scalars);
    }

    /**
     * Another thread holds a slice of the region for longer than the ops' lock timeout: every write
     * gives up with {@code LOCK_TIMEOUT}, changing nothing (the lock word keeps the holder's share
     * and no writer bit); after the slice is closed the same write succeeds.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("atomicWriteCalls")
    @Covers(ErrorCode.LOCK_TIMEOUT)
    void atomicWriteFacingASliceHeldByAnotherThreadTimesOutAndChangesNothing(TargetCall write) throws Throwable {
        CheckedRegion timed = timedRegion(VerificationLevel.STANDARD);
        AtomicMemoryOps ops = timed.intoAtomicOps(TIMEOUT);
        ops.atomicWriteWithChecksum(0, pattern((int) CAPACITY, 3));
        java.util.concurrent.CountDownLatch holding = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        AtomicReference<Throwable> holderFailure = new AtomicReference<>();
        Thread holder = new Thread(() -> {
            try (Slice s = ops.borrowSlice(SLICE_AT, SLICE_LEN)) {
                holding.countDown();
                release.await();
                s.getByte(0);
            } catch (Throwable t) {
                holderFailure.set(t);
            }
        }, "slice-holder");
        holder.start();
        try {
            holding.await();
            refusedIn(arena, timed, ErrorCode.LOCK_TIMEOUT, "write against a slice held by another thread",
                    () -> write.run(ModelTarget.of(ops)), "region '" + TIMED_NAME + "'", "not free within " + TIMEOUT);
            assertEquals(1L, new LockWord(timed.header, CheckedRegion.LOCK_WORD_OFFSET).word(), "the holder's share only");
        } finally {
            release.countDown();
            holder.join();
        }
        assertEquals(null, holderFailure.get());
        long writes = timed.statistics().writes();
        write.run(ModelTarget.of(ops));
        assertEquals(writes + 1, timed.statistics().writes(), "the write works once the slice is closed");
        ops.verifyIntegrity();
    }

    /** Every read entry point of the atomic ops (including the borrow and the checks), called with valid arguments. */
    static Stream<Arguments> atomicReadCallsAtStandardAndSampling() {
        List<Named<TargetCall>> reads = everyCall(Via.ATOMIC).stream()
                .filter(call -> atomicWriteCalls().noneMatch(w -> w.getName().equals(call.getName())))
                .toList();
        return Stream.of(VerificationLevel.STANDARD, VerificationLevel.SAMPLING)
                .flatMap(level -> reads.stream().map(read -> Arguments.of(level, read)));
    }

    /**
     * A writer in another process sharing the region's header (simulated through the header's lock
     * and sequence words) stays in the middle of a write: every read, borrow and check gives up
     * after the lock timeout with {@code LOCK_TIMEOUT} and changes nothing: not the counters (at
     * {@code SAMPLING}, with a rate that skips nearly every access, not even {@code sampledSkips}:
     * no access took place), not the lock word. After the write ends the same call works.
     */
    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("atomicReadCallsAtStandardAndSampling")
    @Covers(ErrorCode.LOCK_TIMEOUT)
    void atomicReadFacingAWriteThatDoesNotEndInTimeTimesOutAndChangesNothing(VerificationLevel level, TargetCall read)
            throws Throwable {
        CheckedRegion timed = timedRegion(level);
        AtomicMemoryOps ops = timed.intoAtomicOps(TIMEOUT);
        ops.atomicWriteWithChecksum(0, pattern((int) CAPACITY, 3));
        LockWord otherProcess = new LockWord(timed.header, CheckedRegion.LOCK_WORD_OFFSET);
        SequenceWord sequence = new SequenceWord(timed.header, CheckedRegion.SEQUENCE_OFFSET);
        assertTrue(otherProcess.tryAcquireExclusive());
        long odd = sequence.beginWrite();
        try {
            refusedIn(arena, timed, ErrorCode.LOCK_TIMEOUT, "read while a write does not end",
                    () -> closeIfSlice(read.run(ModelTarget.of(ops))), "region '" + TIMED_NAME + "'",
                    "not free within " + TIMEOUT);
        } finally {
            sequence.endWrite(odd);
            otherProcess.releaseExclusive();
        }
        closeIfSlice(read.run(ModelTarget.of(ops)));
        assertEquals(0L, otherProcess.word());
    }

    // ================================================================ the caller's segment: ARENA_CLOSED, WRONG_THREAD

    /**
     * Every entry point that takes a caller's segment, given {@code seg}: it must refuse it whole
     * with {@code code}, saying it was the caller's segment, before any lock, byte, sampling
     * decision or counter (checked by {@link #refused}); the region stays intact.
     */
    void callersSegmentIsRefused(Via via, MemorySegment seg, ErrorCode code, String mention) {
        ModelTarget memory = use(via);
        for (long length : new long[] {16, 0}) {
            refused(code, nameOn(via, "read(long, MemorySegment, long, long)") + " of " + length + " bytes",
                    () -> memory.read(8, seg, 0, length), "caller's segment", mention);
            refused(code, nameOn(via, "write(long, MemorySegment, long, long)") + " of " + length + " bytes",
                    () -> memory.write(8, seg, 0, length), "caller's segment", mention);
            Slice slice = memory.borrowSlice(SLICE_AT, SLICE_LEN);
            refused(code, "Slice.copyTo(long, MemorySegment, long, long) of " + length + " bytes",
                    () -> slice.copyTo(0, seg, 0, length), "caller's segment", mention);
            assertTrue(slice.isOpen(), "a refused copy leaves the slice open");
            slice.close();
        }
        memory.verifyIntegrity();
        byte[] back = new byte[(int) CAPACITY];
        memory.read(0, back);
        assertArrayEquals(pattern((int) CAPACITY, 7), back, "the region's contents are as they were");
    }

    @ParameterizedTest
    @EnumSource(Via.class)
    @Covers(ErrorCode.ARENA_CLOSED)
    void callersSegmentOfAClosedArenaIsRefused(Via via) {
        Arena callers = Arena.ofConfined();
        MemorySegment seg = callers.allocate(64);
        callers.close();
        callersSegmentIsRefused(via, seg, ErrorCode.ARENA_CLOSED, "closed");
        Arena shared = Arena.ofShared();
        MemorySegment sharedSeg = shared.allocate(64);
        shared.close();
        callersSegmentIsRefused(via, sharedSeg, ErrorCode.ARENA_CLOSED, "closed");
    }

    @ParameterizedTest
    @EnumSource(Via.class)
    @Covers(ErrorCode.WRONG_THREAD)
    void callersSegmentConfinedToAnotherThreadIsRefused(Via via) throws InterruptedException {
        withSegmentOfAnotherThread(seg -> callersSegmentIsRefused(via, seg, ErrorCode.WRONG_THREAD,
                "'" + Thread.currentThread().getName() + "'"));
    }

    /** Runs {@code body} with a live segment of a confined arena whose owner, another thread, waits meanwhile. */
    static void withSegmentOfAnotherThread(Consumer<MemorySegment> body) throws InterruptedException {
        CompletableFuture<MemorySegment> made = new CompletableFuture<>();
        CountDownLatch done = new CountDownLatch(1);
        Thread owner = new Thread(() -> {
            try (Arena own = Arena.ofConfined()) {
                made.complete(own.allocate(64));
                done.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "segment-owner");
        owner.start();
        try {
            body.accept(made.join());
        } finally {
            done.countDown();
            owner.join();
        }
    }

    // ================================================================ WRONG_THREAD, atomic slices and hand-over

    /**
     * A slice of atomic ops belongs to the thread that borrowed it, even on a shared arena: used or
     * closed on another thread it refuses with {@code WRONG_THREAD}, stays open and keeps its share.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("atomicSliceCalls")
    @Covers(ErrorCode.WRONG_THREAD)
    void atomicSliceUsedOnAnotherThreadIsRefused(SliceCall call) throws Throwable {
        current = Via.ATOMIC;
        Slice slice = atomic.borrowSlice(SLICE_AT, SLICE_LEN);
        String owner = Thread.currentThread().getName();
        refusedOnOtherThread(arena, atomicRegion, ErrorCode.WRONG_THREAD, "atomic slice call from another thread",
                () -> call.run(slice, 0, 8), "region '" + ATOMIC_NAME + "'", "(" + owner + ")", INTRUDER);
        assertTrue(slice.isOpen());
        call.run(slice, 0, 8); // the borrowing thread still can
        slice.close();
        assertEquals(0L, new LockWord(atomicRegion.header, CheckedRegion.LOCK_WORD_OFFSET).word());
    }

    static Stream<Named<SliceCall>> atomicSliceCalls() {
        Stream<Named<SliceCall>> ops = sliceOps().stream().map(op -> Named.of(op.name(), op.call()));
        return Stream.concat(ops, Stream.of(
                Named.<SliceCall>of("Slice.asSegment", (s, o, n) -> s.asSegment()),
                Named.<SliceCall>of("Slice.close", (s, o, n) -> { s.close(); return null; })));
    }

    @Test
    @Covers(ErrorCode.WRONG_THREAD)
    void intoAtomicOpsFromAnotherThreadOfAConfinedArenaIsRefused() throws Throwable {
        Confined c = Confined.create(Via.HANDLER);
        try {
            String owner = Thread.currentThread().getName();
            refusedOnOtherThread(c.arena(), c.spare(), ErrorCode.WRONG_THREAD, "region.intoAtomicOps() from another thread",
                    () -> c.spare().intoAtomicOps(), "region 'confined-spare'", "'" + owner + "'", "'" + INTRUDER + "'");
            SafeMemoryHandler handler = ((ModelTarget.OfHandler) c.memory()).handler();
            refusedOnOtherThread(c.arena(), c.region(), ErrorCode.WRONG_THREAD, "handler.intoAtomicOps() from another thread",
                    handler::intoAtomicOps, "region 'confined'", "'" + INTRUDER + "'");
            // nothing was taken: the owner thread can still
            handler.verifyIntegrity();
            AtomicMemoryOps spare = c.spare().intoAtomicOps();
            spare.putInt(0, 4);
            AtomicMemoryOps taken = handler.intoAtomicOps();
            assertEquals(4, spare.getInt(0));
            taken.verifyIntegrity();
        } finally {
            c.arena().close();
        }
    }

    // ================================================================ ARENA_CLOSED, hand-over

    @Test
    @Covers(ErrorCode.ARENA_CLOSED)
    void intoAtomicOpsAfterArenaCloseIsRefused() {
        arena.close();
        refused(ErrorCode.ARENA_CLOSED, "region.intoAtomicOps() after close", unowned::intoAtomicOps, "region 'spare'", "closed");
        refused(ErrorCode.ARENA_CLOSED, "region.intoAtomicOps(1 ms) after close",
                () -> unowned.intoAtomicOps(Duration.ofMillis(1)), "closed");
        refused(ErrorCode.ARENA_CLOSED, "handler.intoAtomicOps() after close", memory::intoAtomicOps,
                "region '" + NAME + "'", "closed");
        assertEquals(AtomicMemoryOps.WAIT_FOREVER, atomic.lockTimeout(), "a setting, still readable");
    }

    // ================================================================ ARENA_FULL

    @Test
    @Covers(ErrorCode.ARENA_FULL)
    void allocationBeyondRemainingIsRefusedAndExactFitSucceeds() {
        long remaining = arena.remaining();
        long used = arena.used();
        refused(ErrorCode.ARENA_FULL, "allocate(remaining + 1)", () -> arena.allocate(remaining + 1, 1),
                (remaining + 1) + " bytes aligned to 1", remaining + " of " + arena.capacity() + " bytes left");
        refused(ErrorCode.ARENA_FULL, "allocate(Long.MAX_VALUE)", () -> arena.allocate(Long.MAX_VALUE, 1),
                Long.MAX_VALUE + " bytes");
        refused(ErrorCode.ARENA_FULL, "allocate(1) aligned to 2^62", () -> arena.allocate(1, 1L << 62),
                "aligned to " + (1L << 62));
        assertEquals(used, arena.used());
        MemorySegment rest = arena.allocate(remaining, 1);
        assertEquals(remaining, rest.byteSize());
        assertEquals(0, arena.remaining());
        refused(ErrorCode.ARENA_FULL, "allocate(1) when full", () -> arena.allocate(1, 1), "1 bytes aligned to 1",
                "0 of " + arena.capacity() + " bytes left");
        assertEquals(0, arena.allocate(0, 1).byteSize(), "an empty allocation fits in a full arena");
    }

    @Test
    @Covers(ErrorCode.ARENA_FULL)
    void alignmentPaddingCountsAgainstCapacity() {
        try (FixedArena small = FixedArena.ofShared(4096)) {
            small.allocate(1, 1);
            // 4095 bytes remain, but an 8-aligned allocation starts at 8: only 4088 fit
            refused(ErrorCode.ARENA_FULL, "allocate(4089, 8) after 1 byte", () -> small.allocate(4089, 8),
                    "4089 bytes aligned to 8", "4095 of 4096 bytes left");
            assertEquals(1, small.used());
            assertEquals(4088, small.allocate(4088, 8).byteSize());
            assertEquals(4096, small.used());
        }
    }

    @Test
    @Covers(ErrorCode.ARENA_FULL)
    void regionTooLargeForTheArenaTakesNothing() {
        long used = arena.used();
        refused(ErrorCode.ARENA_FULL, "build a region of the whole remaining arena",
                () -> CheckedRegion.builder(arena, arena.remaining()).build(), "bytes left");
        refused(ErrorCode.ARENA_FULL, "build a region of 2^60 bytes",
                () -> CheckedRegion.builder(arena, 1L << 60).blockSize(16).build(), "bytes left");
        assertEquals(used, arena.used());

        // a fresh 4096-byte arena: header 64 + table 15*4, data aligned to 256, 15 blocks = exactly 4096
        try (FixedArena exact = FixedArena.ofShared(4096)) {
            refused(ErrorCode.ARENA_FULL, "build 15 blocks + 1 byte in 4096 bytes",
                    () -> CheckedRegion.builder(exact, 15 * 256 + 1).blockSize(256).build(), "4352 bytes", "4096 of 4096 bytes left");
            assertEquals(0, exact.used());
            CheckedRegion fits = CheckedRegion.builder(exact, 15 * 256).blockSize(256).build();
            assertEquals(4096, exact.used());
            assertEquals(15, fits.blockCount());
            fits.handler().verifyIntegrity();
        }
    }

    @Test
    @Covers(ErrorCode.ARENA_FULL)
    void arenaTheSystemCannotProvideIsRefused() {
        SafeMemoryException e = assertThrows(SafeMemoryException.class, () -> FixedArena.ofShared(Long.MAX_VALUE));
        check(e, ErrorCode.ARENA_FULL, "FixedArena.ofShared(Long.MAX_VALUE)", String.valueOf(Long.MAX_VALUE));
        e = assertThrows(SafeMemoryException.class, () -> FixedArena.ofConfined(Long.MAX_VALUE));
        check(e, ErrorCode.ARENA_FULL, "FixedArena.ofConfined(Long.MAX_VALUE)", String.valueOf(Long.MAX_VALUE));
    }

    // ================================================================ INVALID_CAPACITY

    @ParameterizedTest
    @ValueSource(longs = {0, -1, -4096, Long.MIN_VALUE})
    @Covers(ErrorCode.INVALID_CAPACITY)
    void nonPositiveArenaCapacityIsRefused(long capacity) {
        SafeMemoryException e = assertThrows(SafeMemoryException.class, () -> FixedArena.ofShared(capacity));
        check(e, ErrorCode.INVALID_CAPACITY, "FixedArena.ofShared(" + capacity + ")", "was " + capacity);
        e = assertThrows(SafeMemoryException.class, () -> FixedArena.ofConfined(capacity));
        check(e, ErrorCode.INVALID_CAPACITY, "FixedArena.ofConfined(" + capacity + ")", "was " + capacity);
    }

    @ParameterizedTest
    @ValueSource(longs = {-1, -4096, Long.MIN_VALUE})
    @Covers(ErrorCode.INVALID_CAPACITY)
    void negativeAllocationSizeIsRefused(long size) {
        refused(ErrorCode.INVALID_CAPACITY, "allocate(" + size + ", 8)", () -> arena.allocate(size, 8), "was " + size);
    }

    @ParameterizedTest
    @ValueSource(longs = {0, -1, (1L << 60) + 1, Long.MAX_VALUE, Long.MIN_VALUE})
    @Covers(ErrorCode.INVALID_CAPACITY)
    void regionCapacityOutsideOneToTwoPow60IsRefused(long capacity) {
        refused(ErrorCode.INVALID_CAPACITY, "CheckedRegion.builder(arena, " + capacity + ")",
                () -> CheckedRegion.builder(arena, capacity), "was " + capacity);
    }

    // ================================================================ INVALID_BLOCK_SIZE

    @ParameterizedTest
    @ValueSource(ints = {0, -256, Integer.MIN_VALUE, 1, 2, 8, 15, 17, 100, 255, 257, 3 * 256, 65535, 65537, 131072, 1 << 30,
            Integer.MAX_VALUE})
    @Covers(ErrorCode.INVALID_BLOCK_SIZE)
    void blockSizeThatIsNotAPowerOfTwoIn16To65536IsRefused(int blockSize) {
        CheckedRegion.Builder builder = CheckedRegion.builder(arena, 4096).blockSize(64);
        refused(ErrorCode.INVALID_BLOCK_SIZE, "blockSize(" + blockSize + ")", () -> builder.blockSize(blockSize),
                "was " + blockSize, "[16, 65536]");
        assertEquals(64, builder.build().blockSize(), "a refused block size leaves the builder's as it was");
    }

    @Test
    @Covers({})
    void blockSizeLimitsAreAccepted() {
        assertEquals(16, CheckedRegion.builder(arena, 100).blockSize(16).build().blockSize());
        try (FixedArena big = FixedArena.ofShared(256 * 1024)) {
            assertEquals(65536, CheckedRegion.builder(big, 100).blockSize(65536).build().blockSize());
        }
    }

    // ================================================================ INVALID_ALIGNMENT

    @ParameterizedTest
    @ValueSource(longs = {0, -1, -8, 3, 12, 100, Long.MIN_VALUE, Long.MAX_VALUE})
    @Covers(ErrorCode.INVALID_ALIGNMENT)
    void alignmentThatIsNotAPositivePowerOfTwoIsRefused(long alignment) {
        refused(ErrorCode.INVALID_ALIGNMENT, "allocate(8, " + alignment + ")", () -> arena.allocate(8, alignment),
                "was " + alignment);
        refused(ErrorCode.INVALID_ALIGNMENT, "allocate(0, " + alignment + ")", () -> arena.allocate(0, alignment),
                "was " + alignment);
    }

    // ================================================================ INVALID_SAMPLING_RATE

    @ParameterizedTest
    @ValueSource(doubles = {0.0, -0.0, -0.1, -1.0, 1.0000001, 2.0, Double.NaN, Double.POSITIVE_INFINITY,
            Double.NEGATIVE_INFINITY, -Double.MIN_VALUE})
    @Covers(ErrorCode.INVALID_SAMPLING_RATE)
    void samplingRateOutsideZeroExclusiveToOneIsRefused(double rate) {
        CheckedRegion.Builder builder = CheckedRegion.builder(arena, 1024).samplingRate(0.5);
        refused(ErrorCode.INVALID_SAMPLING_RATE, "samplingRate(" + rate + ")", () -> builder.samplingRate(rate),
                "was " + rate, "(0, 1]");
        assertEquals(0.5, builder.build().samplingRate, "a refused rate leaves the builder's as it was");
    }

    @Test
    @Covers({})
    void samplingRateLimitsAreAccepted() {
        assertEquals(1.0, CheckedRegion.builder(arena, 64).samplingRate(1.0).build().samplingRate);
        assertEquals(Double.MIN_VALUE, CheckedRegion.builder(arena, 64).samplingRate(Double.MIN_VALUE).build().samplingRate);
        assertEquals(Math.nextDown(1.0), CheckedRegion.builder(arena, 64).samplingRate(Math.nextDown(1.0)).build().samplingRate);
    }

    // ================================================================ WRITE_VERIFICATION_FAILED

    /**
     * At FULL, a write reads its blocks back. A second thread toggles one data bit of the target
     * block in a tight loop; sooner or later a toggle lands between the write and its read-back,
     * and the write must report it rather than return as if all were well.
     *
     * <p>The block is as large as allowed (64 KiB), so the window between a byte's copy and its
     * read-back is several microseconds rather than a few nanoseconds: with 256-byte blocks, on a
     * loaded machine, 200,000 writes were often not enough. The full fences between flip and undo
     * keep the JIT from merging the two plain stores to one byte into none, which otherwise makes
     * the flipper a no-op once it is compiled.
     */
    @Test
    @Covers(ErrorCode.WRITE_VERIFICATION_FAILED)
    void writeVerificationFailsWhenTheBlockChangesBetweenWriteAndReadBack() throws InterruptedException {
        int blockSize = CheckedRegion.MAX_BLOCK_SIZE;
        try (FixedArena shared = FixedArena.ofShared(1 << 20)) {
            CheckedRegion target = CheckedRegion.builder(shared, 4L * blockSize).name("flip-target").blockSize(blockSize)
                    .verificationLevel(VerificationLevel.FULL).build();
            SafeMemoryHandler full = target.handler();
            FaultInjector faults = FaultInjector.of(target, 42);
            long block = 2;
            long start = block * blockSize;
            byte[] src = pattern(blockSize, 5);

            AtomicBoolean stop = new AtomicBoolean();
            Thread flipper = new Thread(() -> {
                while (!stop.get()) {
                    FaultInjector.Flip flip = faults.flipDataBit(start + 17, 3);
                    VarHandle.fullFence();
                    faults.undo(flip);
                    VarHandle.fullFence();
                }
            }, "bit-flipper");
            flipper.setDaemon(true);
            flipper.start();

            int writeVerificationFailures = 0;
            int checksumMismatches = 0;
            int attempts = 0;
            IntegrityException firstFailure = null;
            try {
                while (attempts < 200_000 && writeVerificationFailures == 0) {
                    attempts++;
                    try {
                        full.write(start, src);
                    } catch (IntegrityException e) {
                        if (e.code() == ErrorCode.WRITE_VERIFICATION_FAILED) {
                            writeVerificationFailures++;
                            firstFailure = e;
                        } else if (e.code() == ErrorCode.CHECKSUM_MISMATCH) {
                            checksumMismatches++;
                        } else {
                            fail("unexpected integrity code", e);
                        }
                    }
                }
            } finally {
                stop.set(true);
                flipper.join();
            }
            assertFalse(flipper.isAlive());
            assertTrue(writeVerificationFailures > 0, "no WRITE_VERIFICATION_FAILED in " + attempts
                    + " writes racing a bit flipper (CHECKSUM_MISMATCH seen " + checksumMismatches + " times)");
            check(firstFailure, ErrorCode.WRITE_VERIFICATION_FAILED, "full write racing a flipper",
                    "provider 'flip-target'", "block 2", "[131072, 196608)");
            assertEquals("flip-target", firstFailure.providerName());
            assertEquals(block, firstFailure.block());
            assertEquals(start, firstFailure.blockStart());
            assertEquals(start + blockSize, firstFailure.blockEnd());
            assertNotEquals(firstFailure.expectedChecksum(), firstFailure.actualChecksum());
            assertTrue(target.statistics().integrityFailures() > 0);

            // with the flipper gone, the same write succeeds and leaves the region clean
            full.write(start, src);
            full.verifyIntegrity();
            byte[] back = new byte[blockSize];
            full.read(start, back);
            assertArrayEquals(src, back);
        }
    }
}
