package io.safemem.examples;

import io.safemem.IntegrityException;
import io.safemem.Slice;
import io.safemem.VerificationLevel;
import io.safemem.ffm.AtomicMemoryOps;

import java.util.SplittableRandom;

/**
 * One reader thread of the concurrent run: reads random records while the writers run, most
 * through the lock-free {@link AtomicMemoryOps#read(long, byte[])}, every
 * {@code sliceEvery}-th through a {@link AtomicMemoryOps#borrowSlice borrowed slice} (a shared
 * lock that makes writers wait), and holds every record it gets to the {@link TearCheck}.
 *
 * <p>A record that is neither whole nor explained by its block's flip is a torn read. A record
 * served with its flipped byte by a verified {@code read} at a level that verifies every bulk
 * read means the block's checksum matched corrupt data: laundering, recorded in the ledger.
 * (A slice is verified when borrowed; a flip after that is served, legitimately.) Reports go to
 * the ledger, and the reader leaves quarantined blocks alone. Its loop allocates nothing but the
 * slices it borrows, unless a read fails.
 */
final class ReaderTask implements Runnable {

    private final AtomicMemoryOps memory;
    private final BlockLedger ledger;
    private final Progress progress;
    private final int index;
    private final int records;
    private final int recordsPerBlock;
    private final int sliceEvery;
    private final boolean readsAreVerified;
    private final SplittableRandom random;
    private final TearCheck tears = new TearCheck();
    private final byte[] got = new byte[OrderRecord.SIZE];
    private long reads;
    private long sliceReads;
    private long torn;
    private long corruptServed;
    private long slowestReadNanos;
    private String firstTorn;

    /**
     * Prepares reader {@code index}.
     *
     * @param memory   the shared region's access
     * @param ledger   the shared ledger of flips and reports
     * @param progress the shared progress of the run
     * @param config   the run's configuration
     * @param index    this reader's index
     */
    ReaderTask(AtomicMemoryOps memory, BlockLedger ledger, Progress progress, ConcurrentConfig config, int index) {
        this.memory = memory;
        this.ledger = ledger;
        this.progress = progress;
        this.index = index;
        this.records = config.shape().records();
        this.recordsPerBlock = config.shape().recordsPerBlock();
        this.sliceEvery = config.sliceEvery();
        VerificationLevel level = memory.provider().verificationLevel();
        this.readsAreVerified = level.verifiesEveryBulkAccess();
        this.random = new SplittableRandom(config.seed() * 37 + index);
    }

    @Override
    public void run() {
        memory.read(0, got); // sets up this thread's reader context before the writers start
        progress.readerReady();
        while (!progress.stopped() && !progress.writersFinished()) {
            int id = random.nextInt(records);
            int block = id / recordsPerBlock;
            if (ledger.quarantined(block)) {
                continue;
            }
            boolean bySlice = ++reads % sliceEvery == 0;
            long at = (long) id * OrderRecord.SIZE;
            long start = System.nanoTime();
            try {
                if (bySlice) {
                    sliceReads++;
                    try (Slice slice = memory.borrowSlice(at, OrderRecord.SIZE)) {
                        slice.copyTo(0, got, 0, OrderRecord.SIZE);
                    }
                } else {
                    memory.read(at, got);
                }
            } catch (IntegrityException e) {
                ledger.reportOnAccess(e, "reader " + index + " reading record " + id);
                continue;
            }
            slowestReadNanos = Math.max(slowestReadNanos, System.nanoTime() - start);
            long flipped = ledger.flippedByte(block) - at;
            switch (tears.check(got, id, flipped >= 0 && flipped < OrderRecord.SIZE ? (int) flipped : -1)) {
                case WHOLE -> {
                }
                case CORRUPT -> {
                    corruptServed++;
                    if (readsAreVerified && !bySlice) {
                        ledger.launderedOnRead(block);
                    }
                }
                case TORN -> {
                    if (torn++ == 0) {
                        firstTorn = "reader " + index + " got record " + id + (bySlice ? " from a slice" : "")
                                + " torn: it says version " + OrderRecord.version(got, 0);
                    }
                }
            }
        }
    }

    /**
     * Reads attempted, slice reads and failed ones included; read after the thread has ended.
     *
     * @return the number of reads
     */
    long reads() {
        return reads;
    }

    /**
     * Reads through a borrowed slice; read after the thread has ended.
     *
     * @return the number of slice reads
     */
    long sliceReads() {
        return sliceReads;
    }

    /**
     * Records that were bytes of no single write; read after the thread has ended.
     *
     * @return the number of torn reads (must be 0)
     */
    long torn() {
        return torn;
    }

    /**
     * Records served whole but for a flipped byte, without an exception; read after the thread
     * has ended.
     *
     * @return the number of corrupt records served
     */
    long corruptServed() {
        return corruptServed;
    }

    /**
     * The longest a successful read took, from the call to its return (a slice read: borrow, copy
     * and close); read after the thread has ended.
     *
     * @return wall-clock nanoseconds
     */
    long slowestReadNanos() {
        return slowestReadNanos;
    }

    /**
     * The first torn read, described; read after the thread has ended.
     *
     * @return its description, or {@code null} if none was torn
     */
    String firstTorn() {
        return firstTorn;
    }
}
