package io.safemem.ffm;

import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The little-endian, any-alignment encodings every scalar access uses: layouts for region memory
 * and views for the small scratch arrays through which checked scalars move.
 */
final class LittleEndian {

    static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private static final VarHandle SHORT_IN_ARRAY = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT_IN_ARRAY = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG_IN_ARRAY = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private LittleEndian() {
    }

    static long getLong(byte[] bytes) {
        return (long) LONG_IN_ARRAY.get(bytes, 0);
    }

    static void putShort(byte[] bytes, short value) {
        SHORT_IN_ARRAY.set(bytes, 0, value);
    }

    static void putInt(byte[] bytes, int value) {
        INT_IN_ARRAY.set(bytes, 0, value);
    }

    static void putLong(byte[] bytes, long value) {
        LONG_IN_ARRAY.set(bytes, 0, value);
    }
}
