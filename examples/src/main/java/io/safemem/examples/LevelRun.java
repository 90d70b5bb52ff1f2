package io.safemem.examples;

import io.safemem.ErrorCode;
import io.safemem.IntegrityException;
import io.safemem.VerificationLevel;
import io.safemem.ffm.CheckedRegion;
import io.safemem.ffm.FixedArena;
import io.safemem.ffm.SafeMemoryHandler;
import io.safemem.ffm.testing.FaultInjector;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * One region at one verification level, taken through the demo's four steps: write records
 * (warm-up passes, then timed passes), flip bits, read every record back, {@link Sweep sweep} the region.
 * Beside the region it keeps a plain {@code byte[]} model of what was written, and per block the
 * flip it received and whether that flip was reported.
 */
final class LevelRun {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    /** Versions of the records rewritten right after a flip, above those of the passes. */
    private static final int REWRITE_VERSION = 1_000_000;

    private final DemoConfig config;
    private final RegionShape shape;
    private final VerificationLevel level;
    private final CheckedRegion region;
    private final SafeMemoryHandler memory;
    private final byte[] model;
    private final byte[] record = new byte[OrderRecord.SIZE];
    /** The flip each block received, {@code null} for none. */
    private final FaultKind[] flipIn;
    private final boolean[] detectedOnAccess;
    private final boolean[] detectedBySweep;
    /** Blocks named by any integrity report: an exception on access, or the sweep. */
    private final boolean[] reported;
    /** Blocks the sweep passed whose bytes differ from the model; set by the sweep. */
    private boolean[] corruptUnreported;
    /** The version the next pass writes: 0, 1, 2, ... */
    private int nextVersion;
    private long timedNanos;
    private long timedWrites;
    private long heapBytes;
    private boolean sweepConsistent = true;
    private int corruptReadsServed;
    private String firstAlarm;

    /**
     * Carves the level's region from {@code arena} and takes its handler.
     *
     * @param arena  the arena shared by all levels
     * @param config sizes, seed and counts
     * @param level  the level of the new region
     */
    LevelRun(FixedArena arena, DemoConfig config, VerificationLevel level) {
        this.config = config;
        this.level = level;
        this.shape = config.shape();
        this.region = shape.carve(arena, "orders", level, config.seed());
        this.memory = region.handler();
        this.model = new byte[Math.toIntExact(shape.regionBytes())];
        int blocks = shape.blocks();
        this.flipIn = new FaultKind[blocks];
        this.detectedOnAccess = new boolean[blocks];
        this.detectedBySweep = new boolean[blocks];
        this.reported = new boolean[blocks];
    }

    // ---------------------------------------------------------------- step 1: writes

    /** Writes every record once, untimed: the first pass fills the region, later ones warm up the JIT. */
    void warmUpPass() {
        writeAllRecords(nextVersion++);
    }

    /**
     * Writes every record once, timed by {@link System#nanoTime()}, and adds the time and the
     * heap bytes this thread allocated meanwhile to the level's totals. Allocates nothing itself.
     */
    void timedPass() {
        long heapBefore = allocatedBytes();
        long start = System.nanoTime();
        writeAllRecords(nextVersion++);
        long elapsed = System.nanoTime() - start;
        long heapAfter = allocatedBytes();
        timedNanos += elapsed;
        timedWrites += shape.records();
        heapBytes = heapBytes < 0 || heapBefore < 0 || heapAfter < 0 ? -1 : heapBytes + heapAfter - heapBefore;
    }

    /**
     * Steps 2 to 4: flips bits, reads every record back, sweeps the region, and reports.
     *
     * @return what was injected, detected, laundered and measured
     */
    LevelReport injectAndDetect() {
        injectFlips();
        readAllRecords();
        sweep();
        return report();
    }

    /** One pass over all records; allocates nothing. */
    private void writeAllRecords(int version) {
        for (int id = 0, records = shape.records(); id < records; id++) {
            writeRecord(id, version);
        }
    }

    /**
     * Writes one record through the handler, then into the model: a write the handler refuses
     * leaves the model as it was, as the handler leaves the region.
     */
    private void writeRecord(int id, int version) {
        OrderRecord.encode(record, 0, id, version);
        memory.write((long) id * OrderRecord.SIZE, record);
        System.arraycopy(record, 0, model, id * OrderRecord.SIZE, OrderRecord.SIZE);
    }

    // ---------------------------------------------------------------- step 2: flips

    /**
     * Flips the configured bits, each in a block of its own, chosen by a generator seeded with
     * the configuration's seed, so every level gets the same flips. The pre-write flips are each
     * followed at once by the rewrite of a record of the flipped block.
     */
    private void injectFlips() {
        SplittableRandom choices = new SplittableRandom(config.seed());
        FaultInjector faults = FaultInjector.of(region, config.seed());
        int[] targets = distinctBlocks(choices, config.totalFlips());
        int next = 0;
        for (int i = 0; i < config.dataFlipsAtRest(); i++) {
            int b = mark(targets[next++], FaultKind.DATA_AT_REST);
            faults.flipRandomDataBitIn(shape.blockStart(b), shape.blockSize());
        }
        for (int i = 0; i < config.checksumFlipsAtRest(); i++) {
            int b = mark(targets[next++], FaultKind.CHECKSUM_AT_REST);
            faults.flipChecksumBit(b, choices.nextInt(32));
        }
        int perBlock = shape.recordsPerBlock();
        for (int i = 0; i < config.flipsBeforeWrite(); i++) {
            FaultKind kind = FaultKind.BEFORE_WRITE[i % FaultKind.BEFORE_WRITE.length];
            int b = mark(targets[next++], kind);
            int slot = choices.nextInt(perBlock);
            int id = b * perBlock + slot;
            switch (kind) {
                case NEIGHBOUR_BEFORE_WRITE -> {
                    int other = b * perBlock + (slot + 1 + choices.nextInt(perBlock - 1)) % perBlock;
                    faults.flipRandomDataBitIn((long) other * OrderRecord.SIZE, OrderRecord.SIZE);
                }
                case REWRITTEN_BEFORE_WRITE -> faults.flipRandomDataBitIn((long) id * OrderRecord.SIZE, OrderRecord.SIZE);
                default -> faults.flipChecksumBit(b, choices.nextInt(32));
            }
            try {
                writeRecord(id, REWRITE_VERSION + i);
            } catch (IntegrityException e) {
                if (e.code() == ErrorCode.WRITE_VERIFICATION_FAILED) {
                    // the write itself happened; only its read-back failed
                    System.arraycopy(record, 0, model, id * OrderRecord.SIZE, OrderRecord.SIZE);
                }
                alarm(e, true, "writing record " + id);
            }
        }
    }

    private int mark(int b, FaultKind kind) {
        flipIn[b] = kind;
        return b;
    }

    /** The first {@code count} entries of a seeded shuffle of all block indices. */
    private int[] distinctBlocks(SplittableRandom choices, int count) {
        int[] all = new int[shape.blocks()];
        Arrays.setAll(all, i -> i);
        for (int i = 0; i < count; i++) {
            int j = i + choices.nextInt(all.length - i);
            int t = all[i];
            all[i] = all[j];
            all[j] = t;
        }
        return Arrays.copyOf(all, count);
    }

    // ---------------------------------------------------------------- step 3: reads

    /** Reads every record as an application would and compares what it got with the model. */
    private void readAllRecords() {
        byte[] got = new byte[OrderRecord.SIZE];
        for (int id = 0, records = shape.records(); id < records; id++) {
            int at = id * OrderRecord.SIZE;
            try {
                memory.read(at, got);
                if (!Arrays.equals(got, 0, OrderRecord.SIZE, model, at, at + OrderRecord.SIZE)) {
                    corruptReadsServed++;
                }
            } catch (IntegrityException e) {
                alarm(e, true, "reading record " + id);
            }
        }
    }

    // ---------------------------------------------------------------- step 4: sweep

    /** Sweeps the region (see {@link Sweep}) and takes note of every block it reported. */
    private void sweep() {
        Sweep swept = Sweep.of(new Sweep.Target(memory::verifyIntegrity, memory::findCorruptBlock, memory::read),
                (b, dst) -> System.arraycopy(model, Math.toIntExact(shape.blockStart(b)), dst, 0, dst.length), shape);
        for (int b = 0; b < flipIn.length; b++) {
            if (swept.reported()[b]) {
                noteReport(b, false);
            }
        }
        corruptUnreported = swept.corruptUnreported();
        sweepConsistent = swept.consistent();
        firstAlarm = firstAlarm != null ? firstAlarm : swept.firstAlarm();
    }

    // ---------------------------------------------------------------- bookkeeping

    private void alarm(IntegrityException e, boolean onAccess, String context) {
        if (firstAlarm == null) {
            firstAlarm = context + ": " + e.getMessage();
        }
        noteReport(Math.toIntExact(e.block()), onAccess);
    }

    /** Records a report of block {@code b}; its flip counts as detected the first time only. */
    private void noteReport(int b, boolean onAccess) {
        reported[b] = true;
        if (flipIn[b] != null && !detectedOnAccess[b] && !detectedBySweep[b]) {
            if (onAccess) {
                detectedOnAccess[b] = true;
            } else {
                detectedBySweep[b] = true;
            }
        }
    }

    private LevelReport report() {
        int injected = 0;
        int onAccess = 0;
        int bySweep = 0;
        int inChecksums = 0;
        int overwritten = 0;
        int falseAlarms = 0;
        int undetectedCorrupt = 0;
        Map<FaultKind, Integer> injectedByKind = new EnumMap<>(FaultKind.class);
        Map<FaultKind, Integer> detectedByKind = new EnumMap<>(FaultKind.class);
        for (FaultKind kind : FaultKind.values()) {
            injectedByKind.put(kind, 0);
            detectedByKind.put(kind, 0);
        }
        for (int b = 0; b < flipIn.length; b++) {
            FaultKind kind = flipIn[b];
            undetectedCorrupt += corruptUnreported[b] ? 1 : 0;
            if (kind == null) {
                falseAlarms += reported[b] ? 1 : 0;
                continue;
            }
            injected++;
            injectedByKind.merge(kind, 1, Integer::sum);
            if (detectedOnAccess[b] || detectedBySweep[b]) {
                onAccess += detectedOnAccess[b] ? 1 : 0;
                bySweep += detectedBySweep[b] ? 1 : 0;
                detectedByKind.merge(kind, 1, Integer::sum);
            } else if (!corruptUnreported[b]) {
                if (kind.hitsChecksum()) {
                    inChecksums++;
                } else {
                    overwritten++;
                }
            }
        }
        return new LevelReport(level, injected, onAccess, bySweep, undetectedCorrupt, inChecksums, overwritten,
                falseAlarms, corruptReadsServed, injectedByKind, detectedByKind, timedWrites,
                timedWrites == 0 ? Double.NaN : (double) timedNanos / timedWrites, heapBytes,
                sweepConsistent, firstAlarm);
    }

    /** Heap bytes this thread has allocated so far, or {@code -1} if the JVM does not say. */
    private static long allocatedBytes() {
        if (THREADS instanceof com.sun.management.ThreadMXBean threads
                && threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled()) {
            return threads.getCurrentThreadAllocatedBytes();
        }
        return -1;
    }
}
