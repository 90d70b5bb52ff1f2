package io.safemem.ffm;

import io.safemem.ffm.internal.Checks;

import io.safemem.ErrorCode;
import io.safemem.Slice;
import io.safemem.StateException;
import io.safemem.ValidationException;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The {@link Slice} a {@link SafeMemoryHandler} or an {@link AtomicMemoryOps} lends: a
 * bounds-checked window on the region's data, valid until closed.
 */
final class BorrowedSlice implements Slice {

    private final SliceOwner owner;
    private final MemorySegment data;
    private final long offset;
    private final long length;
    private boolean open = true;

    BorrowedSlice(SliceOwner owner, MemorySegment data, long offset, long length) {
        this.owner = owner;
        this.data = data;
        this.offset = offset;
        this.length = length;
    }

    @Override
    public long offset() {
        return offset;
    }

    @Override
    public long length() {
        return length;
    }

    @Override
    public byte getByte(long at) {
        try {
            return data.get(ValueLayout.JAVA_BYTE, enter(at, Byte.BYTES));
        } catch (IllegalStateException | WrongThreadException e) {
            throw accessLost(e, null);
        }
    }

    @Override
    public short getShort(long at) {
        try {
            return data.get(LittleEndian.SHORT, enter(at, Short.BYTES));
        } catch (IllegalStateException | WrongThreadException e) {
            throw accessLost(e, null);
        }
    }

    @Override
    public int getInt(long at) {
        try {
            return data.get(LittleEndian.INT, enter(at, Integer.BYTES));
        } catch (IllegalStateException | WrongThreadException e) {
            throw accessLost(e, null);
        }
    }

    @Override
    public long getLong(long at) {
        try {
            return data.get(LittleEndian.LONG, enter(at, Long.BYTES));
        } catch (IllegalStateException | WrongThreadException e) {
            throw accessLost(e, null);
        }
    }

    @Override
    public float getFloat(long at) {
        return Float.intBitsToFloat(getInt(at));
    }

    @Override
    public double getDouble(long at) {
        return Double.longBitsToDouble(getLong(at));
    }

    @Override
    public void copyTo(long at, byte[] dst, int dstOffset, int count) {
        long from = enter(at, count);
        Checks.array(dstOffset, count, Checks.notNull(dst, "dst").length);
        try {
            MemorySegment.copy(data, ValueLayout.JAVA_BYTE, from, dst, dstOffset, count);
        } catch (IllegalStateException | WrongThreadException e) {
            throw accessLost(e, null);
        }
    }

    @Override
    public void copyTo(long at, MemorySegment dst, long dstOffset, long count) {
        long from = enter(at, count);
        Checks.segment(dstOffset, count, Checks.callersSegment(dst, "dst").byteSize());
        if (dst.isReadOnly()) {
            throw new ValidationException(ErrorCode.READ_ONLY_DESTINATION, "cannot copy into a read-only segment");
        }
        try {
            MemorySegment.copy(data, from, dst, dstOffset, count);
        } catch (IllegalStateException | WrongThreadException e) {
            throw accessLost(e, dst);
        }
    }

    @Override
    public MemorySegment asSegment() {
        enter(0, 0);
        return data.asSlice(offset, length).asReadOnly();
    }

    @Override
    public boolean isOpen() {
        return open && owner.lends();
    }

    @Override
    public void close() {
        if (open) {
            if (owner.lends()) {
                owner.sliceClosed();
            }
            open = false;
        }
    }

    /** Checks the slice is open, its memory usable and {@code [at, at + count)} inside it; returns the region offset. */
    private long enter(long at, long count) {
        if (!open || !owner.lends()) {
            throw new StateException(ErrorCode.SLICE_CLOSED, "slice [" + offset + ", " + (offset + length) + ") was "
                    + (open ? "revoked by its owner" : "closed"));
        }
        owner.checkSliceAccess();
        Checks.range(at, count, length);
        return offset + at;
    }

    /**
     * What to throw for the JDK's refusal of an access that {@link #enter} allowed, because an
     * arena closed meanwhile: the coded exception of the slice's memory or of the caller's segment
     * {@code dst}, thrown by the recheck; see {@link Checks#accessLost}.
     */
    private RuntimeException accessLost(RuntimeException failure, MemorySegment dst) {
        owner.checkSliceAccess();
        return Checks.accessLost(failure, dst, "dst");
    }

    @Override
    public String toString() {
        return "Slice[" + offset + ", " + (offset + length) + (open ? ")" : ") closed");
    }
}
