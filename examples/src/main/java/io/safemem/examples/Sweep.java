package io.safemem.examples;

import io.safemem.IntegrityException;
import io.safemem.ffm.AtomicMemoryOps;
import io.safemem.ffm.SafeMemoryHandler;

import java.util.Arrays;
import java.util.function.LongUnaryOperator;

/**
 * The last step of every demo run: sweeps a region once nothing else touches it, and compares
 * it with a model of what was written. {@code verifyIntegrity} names the first corrupt block,
 * {@code findCorruptBlock} all of them (the two must agree); every other block is read and
 * compared with the model: one that differs passed verification with corrupt bytes.
 *
 * @param reported          blocks named by {@code verifyIntegrity}, {@code findCorruptBlock} or a
 *                          failing read of the sweep
 * @param corruptUnreported blocks the sweep passed whose bytes differ from the model
 * @param consistent        whether {@code verifyIntegrity}, {@code findCorruptBlock} and the
 *                          block reads agreed
 * @param firstAlarm        where and what the sweep's first integrity report was, or {@code null}
 */
record Sweep(boolean[] reported, boolean[] corruptUnreported, boolean consistent, String firstAlarm) {

    /**
     * The calls a sweep makes, as method references to a {@link SafeMemoryHandler} or an
     * {@link AtomicMemoryOps}: {@code new Target(memory::verifyIntegrity, memory::findCorruptBlock, memory::read)}.
     *
     * @param verifyIntegrity  checks the whole region, throwing for the first corrupt block
     * @param findCorruptBlock the first corrupt block from a block index on, or -1
     * @param read             a verified read of bytes at an offset into an array
     */
    record Target(Runnable verifyIntegrity, LongUnaryOperator findCorruptBlock, Reader read) {
    }

    /** A read of {@code dst.length} bytes at {@code offset}, as {@link SafeMemoryHandler#read(long, byte[])}. */
    @FunctionalInterface
    interface Reader {
        /**
         * Reads {@code dst.length} bytes.
         *
         * @param offset first byte read
         * @param dst    destination, filled
         */
        void read(long offset, byte[] dst);
    }

    /** What a region should hold, block by block. */
    @FunctionalInterface
    interface Model {
        /**
         * Fills {@code dst} with the bytes block {@code block} should hold.
         *
         * @param block the block index
         * @param dst   one block's worth of bytes
         */
        void expectedBlock(int block, byte[] dst);
    }

    /**
     * Sweeps {@code memory} and compares it with {@code model}.
     *
     * @param memory the region's access, used by this thread alone meanwhile
     * @param model  what each block should hold
     * @param shape  the region's geometry
     * @return what the sweep found
     */
    static Sweep of(Target memory, Model model, RegionShape shape) {
        int blocks = shape.blocks();
        boolean[] reported = new boolean[blocks];
        boolean[] corruptUnreported = new boolean[blocks];
        boolean consistent = true;
        String firstAlarm = null;
        long firstByVerify = -1;
        try {
            memory.verifyIntegrity().run();
        } catch (IntegrityException e) {
            firstByVerify = e.block();
            reported[Math.toIntExact(e.block())] = true;
            firstAlarm = "verifyIntegrity: " + e.getMessage();
        }
        long firstByFind = memory.findCorruptBlock().applyAsLong(0);
        for (long b = firstByFind; b >= 0; b = memory.findCorruptBlock().applyAsLong(b + 1)) {
            reported[(int) b] = true;
        }
        consistent &= firstByVerify == firstByFind;
        byte[] got = new byte[shape.blockSize()];
        byte[] expected = new byte[shape.blockSize()];
        for (int b = 0; b < blocks; b++) {
            if (reported[b]) {
                continue;
            }
            try {
                memory.read().read(shape.blockStart(b), got);
            } catch (IntegrityException e) {
                consistent = false; // findCorruptBlock passed it, a read did not
                reported[Math.toIntExact(e.block())] = true;
                firstAlarm = firstAlarm != null ? firstAlarm : "reading block " + b + ": " + e.getMessage();
                continue;
            }
            model.expectedBlock(b, expected);
            corruptUnreported[b] = !Arrays.equals(got, expected);
        }
        return new Sweep(reported, corruptUnreported, consistent, firstAlarm);
    }
}
