package io.safemem.ffm;

import com.sun.management.HotSpotDiagnosticMXBean;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Invariant I4, the part a JMH run shows and a unit test cannot: {@link AtomicMemoryOps#borrowSlice}
 * and {@link SafeMemoryHandler#borrowSlice} allocate no slice only when C1 inlines them into their
 * caller. Refused by C1, it is counted and
 * compiled by C2 on its own, is then too big for C2 to inline into the caller, and every borrow
 * allocates its slice (40 B/op in 5 of 6 JMH forks at {@code FULL}, 4 KiB). So this test holds their
 * bytecode to C1's two limits, read from the running VM: its length to {@code C1MaxInlineSize},
 * and its stack plus extra locals, plus the one slot HotSpot adds to every method's stack, to
 * {@code C1InlineStackLimit} ({@code c1_GraphBuilder.cpp}, {@code try_inline_full}).
 */
class InlineBudgetTest {

    /** The local slots {@code borrowSlice(long, long)}'s parameters take: the receiver and two longs. */
    private static final int PARAMETER_SLOTS = 1 + 2 + 2;

    @ParameterizedTest
    @ValueSource(classes = {AtomicMemoryOps.class, SafeMemoryHandler.class})
    void borrowSliceFitsWhatC1Inlines(Class<?> type) throws IOException {
        Code code = codeOf(type, "borrowSlice", "(JJ)Lio/safemem/Slice;");
        int extraLocals = code.maxLocals - PARAMETER_SLOTS;
        int stackUse = code.maxStack + 1 + extraLocals;

        assertTrue(code.length <= vmOption("C1MaxInlineSize"),
                type.getSimpleName() + ".borrowSlice is " + code.length + " bytes of bytecode, over C1MaxInlineSize");
        assertTrue(stackUse <= vmOption("C1InlineStackLimit"),
                type.getSimpleName() + ".borrowSlice uses " + stackUse
                        + " stack slots as C1 counts them (max_stack " + code.maxStack
                        + " + 1, extra locals " + extraLocals + "), over C1InlineStackLimit "
                        + vmOption("C1InlineStackLimit") + ": C1 will not inline it");
    }

    private static int vmOption(String name) {
        HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        assumeTrue(vm != null, "not a HotSpot VM, so C1's limits do not apply");
        return Integer.parseInt(vm.getVMOption(name).getValue());
    }

    private record Code(int maxStack, int maxLocals, int length) {
    }

    /** The Code attribute of one method, read from the class file the class was loaded from. */
    private static Code codeOf(Class<?> type, String name, String descriptor) throws IOException {
        try (InputStream bytes = type.getResourceAsStream(type.getSimpleName() + ".class")) {
            assertNotNull(bytes, "class file of " + type);
            DataInputStream in = new DataInputStream(bytes);
            in.skipNBytes(8); // magic, minor and major version
            String[] utf8 = readUtf8Constants(in);
            in.skipNBytes(6); // access flags, this class, super class
            in.skipNBytes(2L * in.readUnsignedShort()); // interfaces
            skipMembers(in); // fields
            for (int methods = in.readUnsignedShort(); methods > 0; methods--) {
                in.skipNBytes(2);
                String methodName = utf8[in.readUnsignedShort()];
                boolean wanted = methodName.equals(name) & utf8[in.readUnsignedShort()].equals(descriptor);
                for (int attributes = in.readUnsignedShort(); attributes > 0; attributes--) {
                    String attribute = utf8[in.readUnsignedShort()];
                    int length = in.readInt();
                    if (wanted && attribute.equals("Code")) {
                        return new Code(in.readUnsignedShort(), in.readUnsignedShort(), in.readInt());
                    }
                    in.skipNBytes(length);
                }
            }
            throw new AssertionError(type + " has no method " + name + descriptor);
        }
    }

    /** Reads the constant pool, keeping its UTF-8 entries by index. */
    private static String[] readUtf8Constants(DataInputStream in) throws IOException {
        String[] utf8 = new String[in.readUnsignedShort()];
        for (int i = 1; i < utf8.length; i++) {
            int tag = in.readUnsignedByte();
            switch (tag) {
                case 1 -> utf8[i] = in.readUTF();
                case 7, 8, 16, 19, 20 -> in.skipNBytes(2);
                case 15 -> in.skipNBytes(3);
                case 3, 4, 9, 10, 11, 12, 17, 18 -> in.skipNBytes(4);
                case 5, 6 -> {
                    in.skipNBytes(8);
                    i++; // a long or double takes two entries
                }
                default -> throw new AssertionError("unknown constant pool tag " + tag);
            }
        }
        return utf8;
    }

    private static void skipMembers(DataInputStream in) throws IOException {
        for (int members = in.readUnsignedShort(); members > 0; members--) {
            in.skipNBytes(6);
            for (int attributes = in.readUnsignedShort(); attributes > 0; attributes--) {
                in.skipNBytes(2);
                in.skipNBytes(in.readInt());
            }
        }
    }
}
