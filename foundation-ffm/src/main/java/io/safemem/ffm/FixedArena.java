package io.safemem.ffm;

import io.safemem.ffm.internal.Checks;

import io.safemem.CapacityException;
import io.safemem.ErrorCode;
import io.safemem.StateException;
import io.safemem.ValidationException;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One block of off-heap memory of a size fixed at creation, from which aligned slices are handed
 * out by bump allocation: the no-allocation analogue of the arena behind the Rust
 * {@code NoStdProvider<N>}.
 *
 * <p>The arena never grows and never frees a single slice: when it has too few bytes left, an
 * allocation fails with a {@link CapacityException} ({@link ErrorCode#ARENA_FULL}) and nothing
 * changes. All memory is released at once by {@link #close()}. Slices start zero-filled.
 *
 * <p>A <em>shared</em> arena may be used, allocated from and closed by any thread. A
 * <em>confined</em> arena belongs to the thread that created it: any other thread gets a
 * {@link io.safemem.ConcurrencyException} ({@link ErrorCode#WRONG_THREAD}). Use after close is a
 * {@link StateException} ({@link ErrorCode#ARENA_CLOSED}), never a JVM crash.
 *
 * <pre>{@code
 * try (FixedArena arena = FixedArena.ofShared(64 << 20)) {          // 64 MiB, fixed
 *     CheckedRegion orders = CheckedRegion.builder(arena, 16 << 20).name("orders").build();
 *     MemorySegment scratch = arena.allocate(4096, 64);
 *     System.out.println(arena.remaining() + " bytes left");
 * }
 * }</pre>
 */
public final class FixedArena implements AutoCloseable {

    /** Alignment of the arena's base address; alignments up to this cost no padding at the start. */
    private static final long BASE_ALIGNMENT = 4096;

    private static final VarHandle USED;

    static {
        try {
            USED = MethodHandles.lookup().findVarHandle(FixedArena.class, "used", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Arena arena;
    private final MemorySegment memory;
    private final Thread owner;
    @SuppressWarnings("unused") // accessed through USED
    private volatile long used;
    private volatile boolean closed;

    private FixedArena(Arena arena, long capacity, Thread owner) {
        this.arena = arena;
        this.owner = owner;
        try {
            this.memory = arena.allocate(capacity, BASE_ALIGNMENT);
        } catch (OutOfMemoryError e) {
            arena.close();
            throw new CapacityException(ErrorCode.ARENA_FULL,
                    "the system could not provide " + capacity + " bytes for a fixed arena");
        }
    }

    /**
     * Creates an arena that any thread may use and close.
     *
     * @param capacity the arena's size in bytes, fixed for its life
     * @return the new arena
     * @throws ValidationException ({@link ErrorCode#INVALID_CAPACITY}) if {@code capacity <= 0}
     * @throws CapacityException   ({@link ErrorCode#ARENA_FULL}) if the system cannot provide the memory
     */
    public static FixedArena ofShared(long capacity) {
        return new FixedArena(Arena.ofShared(), requireCapacity(capacity), null);
    }

    /**
     * Creates an arena confined to the calling thread: only it may allocate, access the memory
     * and close the arena.
     *
     * @param capacity the arena's size in bytes, fixed for its life
     * @return the new arena
     * @throws ValidationException ({@link ErrorCode#INVALID_CAPACITY}) if {@code capacity <= 0}
     * @throws CapacityException   ({@link ErrorCode#ARENA_FULL}) if the system cannot provide the memory
     */
    public static FixedArena ofConfined(long capacity) {
        return new FixedArena(Arena.ofConfined(), requireCapacity(capacity), Thread.currentThread());
    }

    private static long requireCapacity(long capacity) {
        if (capacity <= 0) {
            throw new ValidationException(ErrorCode.INVALID_CAPACITY, "arena capacity must be positive, was " + capacity);
        }
        return capacity;
    }

    /**
     * Hands out the next {@code size} bytes, starting at an address that is a multiple of
     * {@code alignment}. The slice is zero-filled and lives until the arena is closed.
     *
     * @param size      the number of bytes, {@code >= 0}
     * @param alignment the required alignment, a power of two
     * @return a writable segment of {@code size} bytes
     * @throws CapacityException   ({@link ErrorCode#ARENA_FULL}) if fewer bytes remain, alignment
     *                             padding included; the arena is unchanged
     * @throws ValidationException ({@link ErrorCode#INVALID_CAPACITY}, {@link ErrorCode#INVALID_ALIGNMENT})
     *                             for a negative size or an alignment that is not a power of two
     * @throws StateException      ({@link ErrorCode#ARENA_CLOSED}) after {@link #close()}
     * @throws io.safemem.ConcurrencyException ({@link ErrorCode#WRONG_THREAD}) from a thread that
     *                             does not own a confined arena
     */
    public MemorySegment allocate(long size, long alignment) {
        checkAccess();
        if (size < 0) {
            throw new ValidationException(ErrorCode.INVALID_CAPACITY, "allocation size must not be negative, was " + size);
        }
        if (!Checks.isPowerOfTwo(alignment)) {
            throw new ValidationException(ErrorCode.INVALID_ALIGNMENT, "alignment must be a power of two, was " + alignment);
        }
        long base = memory.address();
        long capacity = memory.byteSize();
        while (true) {
            long current = (long) USED.getVolatile(this);
            long start = ((base + current + alignment - 1) & -alignment) - base;
            if (start > capacity || size > capacity - start) {
                throw new CapacityException(ErrorCode.ARENA_FULL, size + " bytes aligned to " + alignment
                        + " requested, " + (capacity - current) + " of " + capacity + " bytes left");
            }
            if (USED.compareAndSet(this, current, start + size)) {
                return memory.asSlice(start, size);
            }
        }
    }

    /**
     * The arena's fixed size.
     *
     * @return the capacity in bytes
     */
    public long capacity() {
        return memory.byteSize();
    }

    /**
     * Bytes handed out so far, alignment padding included.
     *
     * @return the number of bytes used
     */
    public long used() {
        return (long) USED.getVolatile(this);
    }

    /**
     * Bytes still available, before any alignment padding.
     *
     * @return {@code capacity() - used()}
     */
    public long remaining() {
        return capacity() - used();
    }

    /**
     * Whether the arena is confined to one thread.
     *
     * @return {@code true} for arenas made by {@link #ofConfined(long)}
     */
    public boolean isConfined() {
        return owner != null;
    }

    /**
     * Whether the arena is still open.
     *
     * @return {@code false} once {@link #close()} has been called
     */
    public boolean isOpen() {
        return !closed;
    }

    /**
     * Releases all memory of the arena at once; every segment, region and slice carved from it
     * becomes unusable (their use is a {@link StateException}, {@link ErrorCode#ARENA_CLOSED}).
     * Closing a closed arena does nothing.
     *
     * @throws io.safemem.ConcurrencyException ({@link ErrorCode#WRONG_THREAD}) from a thread that
     *                                         does not own a confined arena
     */
    @Override
    public void close() {
        if (owner != null && owner != Thread.currentThread()) {
            throw Checks.wrongThread(owner, "fixed arena");
        }
        synchronized (this) {
            if (!closed) {
                closed = true;
                arena.close();
            }
        }
    }

    /** The owning thread of a confined arena, {@code null} for a shared one. */
    Thread owner() {
        return owner;
    }

    private void checkAccess() {
        if (closed) {
            throw new StateException(ErrorCode.ARENA_CLOSED, "fixed arena has been closed");
        }
        Checks.access(memory, owner, "fixed arena", owner == null ? "shared" : "confined");
    }

    /**
     * A summary of the arena's use.
     *
     * @return e.g. {@code FixedArena[shared, used 4160 of 65536 bytes]}
     */
    @Override
    public String toString() {
        return "FixedArena[" + (owner == null ? "shared" : "confined") + ", "
                + (closed ? "closed" : "used " + used() + " of " + capacity() + " bytes") + "]";
    }
}
