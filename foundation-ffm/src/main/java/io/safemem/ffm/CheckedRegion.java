package io.safemem.ffm;

import io.safemem.ffm.internal.Checks;

import io.safemem.CapacityException;
import io.safemem.ErrorCode;
import io.safemem.MemoryProvider;
import io.safemem.MemoryStatistics;
import io.safemem.StateException;
import io.safemem.ValidationException;
import io.safemem.VerificationLevel;
import io.safemem.ffm.internal.RawRegionAccess;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A fixed-capacity region of off-heap memory carved from a {@link FixedArena}, whose blocks are
 * each covered by a CRC32C: the Java counterpart of the Rust {@code NoStdProvider<N>}.
 *
 * <p>A region is three pieces of one arena allocation: a 64-byte header (the lock word at offset 0,
 * the count of readers waiting for it at 8 and the readers' sequence word at 16, all
 * {@code long}s; the rest reserved), the
 * checksum table (one little-endian {@code int} per block) and the data, padded to a whole number
 * of blocks. It never grows. Its bytes are read and written through one owner, taken once: a
 * single-threaded {@link SafeMemoryHandler} from {@link #handler()}, or a thread-safe
 * {@link AtomicMemoryOps} from {@link #intoAtomicOps()}.
 *
 * <pre>{@code
 * try (FixedArena arena = FixedArena.ofConfined(1 << 20)) {
 *     CheckedRegion region = CheckedRegion.builder(arena, 64 * 1024)
 *             .name("sessions")
 *             .blockSize(256)
 *             .verificationLevel(VerificationLevel.STANDARD)
 *             .build();
 *     SafeMemoryHandler memory = region.handler();
 *     memory.putLong(0, 42L);
 *     memory.verifyIntegrity();
 * }
 * }</pre>
 */
public final class CheckedRegion implements MemoryProvider {

    /** Smallest block size accepted by {@link Builder#blockSize(int)}. */
    public static final int MIN_BLOCK_SIZE = 16;
    /** Largest block size accepted by {@link Builder#blockSize(int)}. */
    public static final int MAX_BLOCK_SIZE = 64 * 1024;
    /**
     * Block size used when the builder is not given one: 64 bytes, the size the block-size sweep
     * of the benchmarks favours (64-byte aligned and unaligned writes and reads are cheapest, and a
     * 64-byte record is a whole block, never an edge merge). It costs a 4-byte checksum per 64
     * bytes (6.25% of the data) and one CRC32C call per 64 bytes of a bulk write; for mostly
     * bulk writes choose 512 or 1024 bytes.
     */
    public static final int DEFAULT_BLOCK_SIZE = 64;
    /** Fraction of accesses verified at {@link VerificationLevel#SAMPLING} unless the builder says otherwise. */
    public static final double DEFAULT_SAMPLING_RATE = 0.1;
    /** Seed of the sampling sequence unless the builder says otherwise. */
    public static final long DEFAULT_SAMPLING_SEED = 0x5AFE_5EEDL;

    static final int HEADER_BYTES = 64;
    /** Where the header keeps the {@link LockWord}. */
    static final long LOCK_WORD_OFFSET = 0;
    /** Where the header keeps the {@link SequenceWord}, after the lock's two words. */
    static final long SEQUENCE_OFFSET = LOCK_WORD_OFFSET + LockWord.BYTES;
    static final ValueLayout.OfInt CHECKSUM = ValueLayout.JAVA_INT.withOrder(ByteOrder.LITTLE_ENDIAN);

    private static final AtomicLong UNNAMED = new AtomicLong();

    static {
        RawRegionAccess.install(new RawRegionAccess.Accessor() {
            @Override
            public MemorySegment data(CheckedRegion region) {
                return region.data;
            }

            @Override
            public MemorySegment checksums(CheckedRegion region) {
                return region.checksums;
            }

            @Override
            public void checkAccess(CheckedRegion region) {
                region.checkAccess();
            }
        });
    }

    final String name;
    final long capacity;
    final int blockShift;
    final MemorySegment header;
    final MemorySegment checksums;
    final MemorySegment data;
    final Thread confinedTo;
    final RegionCounters counters = new RegionCounters();
    final double samplingRate;
    final long samplingSeed;
    /**
     * Volatile, so that any thread reads the level its owner set last. Through an
     * {@link AtomicMemoryOps} it changes only under the writers' lock, inside a write's sequence
     * window, so a reader that validates its copy also saw the level that copy was written under.
     */
    volatile VerificationLevel level;
    /** What owns the region, for messages ("a handler", "an AtomicMemoryOps"); null while unowned. */
    private String owner;

    private CheckedRegion(Builder b, String name, MemorySegment header, MemorySegment checksums, MemorySegment data) {
        this.name = name;
        this.capacity = b.capacity;
        this.blockShift = Integer.numberOfTrailingZeros(b.blockSize);
        this.header = header;
        this.checksums = checksums;
        this.data = data;
        this.confinedTo = b.arena.owner();
        this.samplingRate = b.samplingRate;
        this.samplingSeed = b.samplingSeed;
        this.level = b.level;
    }

    /**
     * Starts describing a region of {@code capacity} bytes to be carved from {@code arena}.
     *
     * @param arena    the arena that will hold the region's data, checksums and header
     * @param capacity the number of addressable bytes, fixed for the region's life
     * @return a builder with the defaults: block size {@value #DEFAULT_BLOCK_SIZE},
     *         {@link VerificationLevel#STANDARD}, sampling rate {@value #DEFAULT_SAMPLING_RATE}
     */
    public static Builder builder(FixedArena arena, long capacity) {
        return new Builder(Checks.notNull(arena, "arena"), capacity);
    }

    /**
     * Takes ownership of the region: the one handler through which its bytes are read and written.
     *
     * @return the region's handler
     * @throws StateException ({@link ErrorCode#ALREADY_OWNED}) if a handler was already taken
     */
    public SafeMemoryHandler handler() {
        claim("a handler");
        return new SafeMemoryHandler(this);
    }

    /**
     * Takes ownership of the region for access from many threads at once: writes serialised by a
     * spin lock in the region's header, lock-free optimistic reads. To prepare the region
     * single-threaded first, take a {@link #handler()} and call its
     * {@link SafeMemoryHandler#intoAtomicOps()} instead.
     *
     * @return the region's thread-safe access; its writes wait for the lock as long as it takes
     * @throws StateException ({@link ErrorCode#ALREADY_OWNED}) if the region already has an owner
     */
    public AtomicMemoryOps intoAtomicOps() {
        return intoAtomicOps(AtomicMemoryOps.WAIT_FOREVER);
    }

    /**
     * As {@link #intoAtomicOps()}, with a bound on how long any operation waits for the region's
     * lock before failing with {@link ErrorCode#LOCK_TIMEOUT}.
     *
     * @param lockTimeout the longest wait, zero or more ({@code ZERO}: spin briefly, then fail);
     *                    {@link AtomicMemoryOps#WAIT_FOREVER} for no bound
     * @return the region's thread-safe access
     * @throws StateException      ({@link ErrorCode#ALREADY_OWNED}) if the region already has an owner
     * @throws ValidationException ({@link ErrorCode#INVALID_TIMEOUT}) if the timeout is negative
     */
    public AtomicMemoryOps intoAtomicOps(Duration lockTimeout) {
        long timeoutNanos = AtomicMemoryOps.timeoutNanos(lockTimeout);
        claim(AtomicMemoryOps.OWNER);
        return new AtomicMemoryOps(this, new ChecksumEngine(this, counters, samplingSeed), timeoutNanos);
    }

    private synchronized void claim(String newOwner) {
        if (owner != null) {
            throw new StateException(ErrorCode.ALREADY_OWNED, "region '" + name + "' already has " + owner);
        }
        checkAccess();
        owner = newOwner;
    }

    /** Records that the handler handed the region over to an {@link AtomicMemoryOps}. */
    synchronized void handedOver() {
        owner = AtomicMemoryOps.OWNER;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public long capacity() {
        return capacity;
    }

    @Override
    public int blockSize() {
        return 1 << blockShift;
    }

    @Override
    public long blockCount() {
        return checksums.byteSize() / Integer.BYTES;
    }

    @Override
    public VerificationLevel verificationLevel() {
        return level;
    }

    @Override
    public MemoryStatistics statistics() {
        return counters;
    }

    /**
     * Throws unless {@code [offset, offset + length)}, already known to lie inside the region, is
     * made of whole blocks: it starts at a block boundary and ends at one or at the capacity.
     */
    void checkWholeBlocks(long offset, long length) {
        long end = offset + length;
        int mask = blockSize() - 1;
        if ((offset & mask) != 0 || ((end & mask) != 0 && end != capacity)) {
            throw new ValidationException(ErrorCode.BLOCK_MISALIGNED, "[" + offset + ", " + end + ") of region '" + name
                    + "' is not made of whole " + blockSize() + "-byte blocks (it must start at a multiple of "
                    + blockSize() + " and end at one or at the capacity " + capacity + ")");
        }
    }

    /** Throws unless the region's arena is open and this thread may use it. */
    void checkAccess() {
        Checks.access(data, confinedTo, "region", name);
    }

    /**
     * What to throw for the JDK's refusal ({@code IllegalStateException}, {@code WrongThreadException})
     * of a memory access in the middle of a call: see {@link Checks#accessLost}. Throws the region's
     * {@code ARENA_CLOSED} or {@code WRONG_THREAD} itself if the region's memory was the cause.
     */
    RuntimeException accessLost(RuntimeException failure, Object other, String name) {
        checkAccess();
        return Checks.accessLost(failure, other, name);
    }

    /**
     * A one-line description with the region's geometry, level and counters.
     *
     * @return e.g. {@code CheckedRegion[orders, 65536 bytes, 256 blocks of 256, STANDARD, writes=3, ...]}
     */
    @Override
    public String toString() {
        return "CheckedRegion[" + name + ", " + capacity + " bytes, " + blockCount() + " blocks of " + blockSize()
                + ", " + level + ", " + counters + "]";
    }

    /**
     * Describes a region before it is carved: name, block size, verification level and sampling.
     * {@link #build()} allocates it from the arena in one step.
     *
     * <pre>{@code
     * CheckedRegion cache = CheckedRegion.builder(arena, 8 << 20)
     *         .name("cache")
     *         .verificationLevel(VerificationLevel.SAMPLING)
     *         .samplingRate(0.05)
     *         .samplingSeed(7)
     *         .build();
     * }</pre>
     */
    public static final class Builder {
        private final FixedArena arena;
        private final long capacity;
        private String name;
        private int blockSize = DEFAULT_BLOCK_SIZE;
        private VerificationLevel level = VerificationLevel.STANDARD;
        private double samplingRate = DEFAULT_SAMPLING_RATE;
        private long samplingSeed = DEFAULT_SAMPLING_SEED;

        private Builder(FixedArena arena, long capacity) {
            if (capacity <= 0 || capacity > (1L << 60)) {
                throw new ValidationException(ErrorCode.INVALID_CAPACITY,
                        "region capacity must be in [1, 2^60], was " + capacity);
            }
            this.arena = arena;
            this.capacity = capacity;
        }

        /**
         * Names the region in error messages and statistics.
         *
         * @param name the name; by default {@code region-N}
         * @return this builder
         */
        public Builder name(String name) {
            this.name = Checks.notNull(name, "name");
            return this;
        }

        /**
         * Sets the number of bytes covered by one checksum. Smaller blocks make partial writes and
         * scalar verification cheaper; larger ones make bulk writes cheaper and the table smaller.
         *
         * @param blockSize a power of two in [{@value #MIN_BLOCK_SIZE}, {@value #MAX_BLOCK_SIZE}]
         * @return this builder
         * @throws ValidationException ({@link ErrorCode#INVALID_BLOCK_SIZE}) otherwise
         */
        public Builder blockSize(int blockSize) {
            if (!Checks.isPowerOfTwo(blockSize) || blockSize < MIN_BLOCK_SIZE || blockSize > MAX_BLOCK_SIZE) {
                throw new ValidationException(ErrorCode.INVALID_BLOCK_SIZE, "block size must be a power of two in ["
                        + MIN_BLOCK_SIZE + ", " + MAX_BLOCK_SIZE + "], was " + blockSize);
            }
            this.blockSize = blockSize;
            return this;
        }

        /**
         * Sets the verification level the region starts with.
         *
         * @param level the level; {@link VerificationLevel#STANDARD} by default
         * @return this builder
         */
        public Builder verificationLevel(VerificationLevel level) {
            this.level = Checks.notNull(level, "level");
            return this;
        }

        /**
         * Sets the fraction of accesses verified at {@link VerificationLevel#SAMPLING}.
         *
         * @param rate a value in {@code (0, 1]}; {@value #DEFAULT_SAMPLING_RATE} by default
         * @return this builder
         * @throws ValidationException ({@link ErrorCode#INVALID_SAMPLING_RATE}) otherwise
         */
        public Builder samplingRate(double rate) {
            if (!(rate > 0.0 && rate <= 1.0)) {
                throw new ValidationException(ErrorCode.INVALID_SAMPLING_RATE, "sampling rate must be in (0, 1], was " + rate);
            }
            this.samplingRate = rate;
            return this;
        }

        /**
         * Seeds the sequence that picks sampled accesses: the same seed and the same accesses
         * verify the same ones.
         *
         * @param seed any value
         * @return this builder
         */
        public Builder samplingSeed(long seed) {
            this.samplingSeed = seed;
            return this;
        }

        /**
         * Carves the region from the arena in one allocation: all of it or, if the arena is too
         * full, nothing.
         *
         * @return the region, zero-filled, with every block's checksum valid
         * @throws CapacityException ({@link ErrorCode#ARENA_FULL}) if the arena lacks room; the arena is unchanged
         * @throws StateException    ({@link ErrorCode#ARENA_CLOSED}) if the arena is closed, before or
         *                          while the region is laid out
         */
        public CheckedRegion build() {
            long blocks = ((capacity - 1) >>> Integer.numberOfTrailingZeros(blockSize)) + 1;
            long dataBytes = blocks * blockSize;
            long dataAlignment = Math.min(blockSize, 4096);
            long tableEnd = HEADER_BYTES + blocks * Integer.BYTES;
            long dataStart = (tableEnd + dataAlignment - 1) & -dataAlignment;
            if (dataStart > Long.MAX_VALUE - dataBytes) {
                throw new CapacityException(ErrorCode.ARENA_FULL, "region of " + capacity + " bytes cannot be laid out");
            }
            MemorySegment all = arena.allocate(dataStart + dataBytes, Math.max(dataAlignment, HEADER_BYTES));
            String regionName = name != null ? name : "region-" + UNNAMED.incrementAndGet();
            CheckedRegion region = new CheckedRegion(this, regionName, all.asSlice(0, HEADER_BYTES),
                    all.asSlice(HEADER_BYTES, blocks * Integer.BYTES), all.asSlice(dataStart, dataBytes));
            int zeroBlockSum = ChecksumEngine.crcOfZeros(blockSize);
            try {
                region.header.fill((byte) 0);
                for (long b = 0; b < blocks; b++) {
                    region.checksums.setAtIndex(CHECKSUM, b, zeroBlockSum);
                }
            } catch (IllegalStateException e) { // a shared arena closed by another thread since allocate
                throw region.accessLost(e, null, null);
            }
            return region;
        }
    }
}
