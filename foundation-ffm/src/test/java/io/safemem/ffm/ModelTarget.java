package io.safemem.ffm;

import io.safemem.Slice;
import io.safemem.VerificationLevel;

import java.lang.foreign.MemorySegment;

/**
 * One face for the two ways to read and write a region, so that the model properties and the
 * bad-input tests run the same operations against either: a {@link SafeMemoryHandler}
 * ({@link #of(SafeMemoryHandler)}) or an {@link AtomicMemoryOps} ({@link #of(AtomicMemoryOps)}).
 * Pure delegation, one method of the target per method here, nothing added; test code only.
 */
interface ModelTarget {

    /** Which public class a target stands for. */
    enum Kind {
        /** A {@link SafeMemoryHandler}. */
        HANDLER,
        /** An {@link AtomicMemoryOps}. */
        ATOMIC
    }

    Kind kind();

    CheckedRegion region();

    /**
     * The sampling stream (see {@link SamplingGate#streamSeed}) a bulk read or a slice borrow made
     * from the calling thread draws from: stream 0 for a handler; for an {@link AtomicMemoryOps},
     * the stream of the calling thread, which is 1 when it is the first thread to read through it.
     * Writes always draw from stream 0 (the handler, then the writer of its atomic ops).
     */
    int readStream();

    void write(long offset, byte[] src);

    void write(long offset, byte[] src, int srcOffset, int length);

    void write(long offset, MemorySegment src, long srcOffset, long length);

    void copyWithin(long srcOffset, long dstOffset, long length);

    void fill(long offset, long length, byte value);

    void rewriteBlocks(long offset, byte[] src, int srcOffset, int length);

    void read(long offset, byte[] dst);

    void read(long offset, byte[] dst, int dstOffset, int length);

    void read(long offset, MemorySegment dst, long dstOffset, long length);

    Slice borrowSlice(long offset, long length);

    byte getByte(long offset);

    short getShort(long offset);

    int getInt(long offset);

    long getLong(long offset);

    float getFloat(long offset);

    double getDouble(long offset);

    void putByte(long offset, byte value);

    void putShort(long offset, short value);

    void putInt(long offset, int value);

    void putLong(long offset, long value);

    void putFloat(long offset, float value);

    void putDouble(long offset, double value);

    void verifyIntegrity();

    void verifyRange(long offset, long length);

    long findCorruptBlock(long fromBlock);

    static ModelTarget of(SafeMemoryHandler handler) {
        return new OfHandler(handler);
    }

    static ModelTarget of(AtomicMemoryOps ops) {
        return new OfAtomic(ops, 1);
    }

    /** An atomic target used from a thread whose reads draw from {@code readStream}. */
    static ModelTarget of(AtomicMemoryOps ops, int readStream) {
        return new OfAtomic(ops, readStream);
    }

    /** The handler, one call for one call. */
    record OfHandler(SafeMemoryHandler handler) implements ModelTarget {
        @Override
        public Kind kind() {
            return Kind.HANDLER;
        }

        @Override
        public CheckedRegion region() {
            return handler.provider();
        }

        @Override
        public int readStream() {
            return 0;
        }

        /** Handler only: atomic ops have no level setter. */
        public void setVerificationLevel(VerificationLevel level) {
            handler.setVerificationLevel(level);
        }

        @Override
        public void write(long offset, byte[] src) {
            handler.write(offset, src);
        }

        @Override
        public void write(long offset, byte[] src, int srcOffset, int length) {
            handler.write(offset, src, srcOffset, length);
        }

        @Override
        public void write(long offset, MemorySegment src, long srcOffset, long length) {
            handler.write(offset, src, srcOffset, length);
        }

        @Override
        public void copyWithin(long srcOffset, long dstOffset, long length) {
            handler.copyWithin(srcOffset, dstOffset, length);
        }

        @Override
        public void fill(long offset, long length, byte value) {
            handler.fill(offset, length, value);
        }

        @Override
        public void rewriteBlocks(long offset, byte[] src, int srcOffset, int length) {
            handler.rewriteBlocks(offset, src, srcOffset, length);
        }

        @Override
        public void read(long offset, byte[] dst) {
            handler.read(offset, dst);
        }

        @Override
        public void read(long offset, byte[] dst, int dstOffset, int length) {
            handler.read(offset, dst, dstOffset, length);
        }

        @Override
        public void read(long offset, MemorySegment dst, long dstOffset, long length) {
            handler.read(offset, dst, dstOffset, length);
        }

        @Override
        public Slice borrowSlice(long offset, long length) {
            return handler.borrowSlice(offset, length);
        }

        @Override
        public byte getByte(long offset) {
            return handler.getByte(offset);
        }

        @Override
        public short getShort(long offset) {
            return handler.getShort(offset);
        }

        @Override
        public int getInt(long offset) {
            return handler.getInt(offset);
        }

        @Override
        public long getLong(long offset) {
            return handler.getLong(offset);
        }

        @Override
        public float getFloat(long offset) {
            return handler.getFloat(offset);
        }

        @Override
        public double getDouble(long offset) {
            return handler.getDouble(offset);
        }

        @Override
        public void putByte(long offset, byte value) {
            handler.putByte(offset, value);
        }

        @Override
        public void putShort(long offset, short value) {
            handler.putShort(offset, value);
        }

        @Override
        public void putInt(long offset, int value) {
            handler.putInt(offset, value);
        }

        @Override
        public void putLong(long offset, long value) {
            handler.putLong(offset, value);
        }

        @Override
        public void putFloat(long offset, float value) {
            handler.putFloat(offset, value);
        }

        @Override
        public void putDouble(long offset, double value) {
            handler.putDouble(offset, value);
        }

        @Override
        public void verifyIntegrity() {
            handler.verifyIntegrity();
        }

        @Override
        public void verifyRange(long offset, long length) {
            handler.verifyRange(offset, length);
        }

        @Override
        public long findCorruptBlock(long fromBlock) {
            return handler.findCorruptBlock(fromBlock);
        }

        @Override
        public String toString() {
            return "handler";
        }
    }

    /** The atomic ops, one call for one call: writes are {@code atomicWriteWithChecksum}, {@code atomicCopyWithin}, {@code atomicFill}. */
    record OfAtomic(AtomicMemoryOps ops, int readStream) implements ModelTarget {
        @Override
        public Kind kind() {
            return Kind.ATOMIC;
        }

        @Override
        public CheckedRegion region() {
            return ops.provider();
        }

        @Override
        public void write(long offset, byte[] src) {
            ops.atomicWriteWithChecksum(offset, src);
        }

        @Override
        public void write(long offset, byte[] src, int srcOffset, int length) {
            ops.atomicWriteWithChecksum(offset, src, srcOffset, length);
        }

        @Override
        public void write(long offset, MemorySegment src, long srcOffset, long length) {
            ops.atomicWriteWithChecksum(offset, src, srcOffset, length);
        }

        @Override
        public void copyWithin(long srcOffset, long dstOffset, long length) {
            ops.atomicCopyWithin(srcOffset, dstOffset, length);
        }

        @Override
        public void fill(long offset, long length, byte value) {
            ops.atomicFill(offset, length, value);
        }

        @Override
        public void rewriteBlocks(long offset, byte[] src, int srcOffset, int length) {
            ops.rewriteBlocks(offset, src, srcOffset, length);
        }

        @Override
        public void read(long offset, byte[] dst) {
            ops.read(offset, dst);
        }

        @Override
        public void read(long offset, byte[] dst, int dstOffset, int length) {
            ops.read(offset, dst, dstOffset, length);
        }

        @Override
        public void read(long offset, MemorySegment dst, long dstOffset, long length) {
            ops.read(offset, dst, dstOffset, length);
        }

        @Override
        public Slice borrowSlice(long offset, long length) {
            return ops.borrowSlice(offset, length);
        }

        @Override
        public byte getByte(long offset) {
            return ops.getByte(offset);
        }

        @Override
        public short getShort(long offset) {
            return ops.getShort(offset);
        }

        @Override
        public int getInt(long offset) {
            return ops.getInt(offset);
        }

        @Override
        public long getLong(long offset) {
            return ops.getLong(offset);
        }

        @Override
        public float getFloat(long offset) {
            return ops.getFloat(offset);
        }

        @Override
        public double getDouble(long offset) {
            return ops.getDouble(offset);
        }

        @Override
        public void putByte(long offset, byte value) {
            ops.putByte(offset, value);
        }

        @Override
        public void putShort(long offset, short value) {
            ops.putShort(offset, value);
        }

        @Override
        public void putInt(long offset, int value) {
            ops.putInt(offset, value);
        }

        @Override
        public void putLong(long offset, long value) {
            ops.putLong(offset, value);
        }

        @Override
        public void putFloat(long offset, float value) {
            ops.putFloat(offset, value);
        }

        @Override
        public void putDouble(long offset, double value) {
            ops.putDouble(offset, value);
        }

        @Override
        public void verifyIntegrity() {
            ops.verifyIntegrity();
        }

        @Override
        public void verifyRange(long offset, long length) {
            ops.verifyRange(offset, length);
        }

        @Override
        public long findCorruptBlock(long fromBlock) {
            return ops.findCorruptBlock(fromBlock);
        }

        @Override
        public String toString() {
            return "atomic ops";
        }
    }
}
