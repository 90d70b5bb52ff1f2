package io.safemem.examples;

import io.safemem.ffm.CheckedRegion;
import io.safemem.ffm.testing.FaultInjector;

import java.util.SplittableRandom;
import java.util.concurrent.locks.LockSupport;

/**
 * The flipper thread of the concurrent run: injects its flips spread evenly over the writers'
 * work, each into the block of the record a writer has just announced it is writing, so the flip
 * lands right before, during or right after a write into its block, with more writes into it to
 * come. Flips take turns through {@link FaultKind#BEFORE_WRITE}: a data bit of another record of
 * the block, a data bit of that very record, a bit of the block's checksum. Each block gets at most one flip; the flipper marks it in
 * the ledger first, then flips through a {@link FaultInjector}, behind the region's lock.
 */
final class Flipper implements Runnable {

    private static final long PAUSE_NANOS = 20_000;

    private final FaultInjector faults;
    private final BlockLedger ledger;
    private final Progress progress;
    private final int flips;
    private final int writers;
    private final int recordsPerBlock;
    private final long writesBetweenFlips;
    private final SplittableRandom random;
    private int injected;

    /**
     * Prepares the flipper.
     *
     * @param region   the region attacked
     * @param ledger   the shared ledger of flips and reports
     * @param progress the shared progress of the run
     * @param config   the run's configuration
     */
    Flipper(CheckedRegion region, BlockLedger ledger, Progress progress, ConcurrentConfig config) {
        this.faults = FaultInjector.of(region, config.seed());
        this.ledger = ledger;
        this.progress = progress;
        this.flips = config.flips();
        this.writers = config.writers();
        this.recordsPerBlock = config.shape().recordsPerBlock();
        this.writesBetweenFlips = (long) config.writers() * config.writesPerWriter() / (config.flips() + 1);
        this.random = new SplittableRandom(config.seed());
    }

    @Override
    public void run() {
        try {
            while (injected < flips && !progress.stopped()) {
                if (progress.totalWrites() < (injected + 1) * writesBetweenFlips || !flipNext()) {
                    LockSupport.parkNanos(PAUSE_NANOS);
                }
            }
        } finally {
            progress.flipsDone();
        }
    }

    /** Flips a bit in the block a writer is writing, unless that block had its flip already. */
    private boolean flipNext() {
        FaultKind kind = FaultKind.BEFORE_WRITE[injected % FaultKind.BEFORE_WRITE.length];
        int id = progress.announced(injected % writers);
        int block = id / recordsPerBlock;
        boolean flipped = switch (kind) {
            case REWRITTEN_BEFORE_WRITE -> flipData(block, id, kind);
            case NEIGHBOUR_BEFORE_WRITE -> flipData(block, block * recordsPerBlock
                    + (id % recordsPerBlock + 1 + random.nextInt(recordsPerBlock - 1)) % recordsPerBlock, kind);
            default -> flipChecksum(block, kind);
        };
        if (flipped) {
            injected++;
        }
        return flipped;
    }

    /** Flips a random bit of record {@code id} in {@code block}, if the block is still clean. */
    private boolean flipData(int block, int id, FaultKind kind) {
        long at = (long) id * OrderRecord.SIZE + random.nextInt(OrderRecord.SIZE);
        if (!ledger.markFlipped(block, at, kind)) {
            return false;
        }
        faults.flipDataBit(at, random.nextInt(8));
        return true;
    }

    /** Flips a random bit of the checksum of {@code block}, if the block is still clean. */
    private boolean flipChecksum(int block, FaultKind kind) {
        if (!ledger.markFlipped(block, -1, kind)) {
            return false;
        }
        faults.flipChecksumBit(block, random.nextInt(32));
        return true;
    }

    /**
     * Flips injected; read after the thread has ended.
     *
     * @return the number of flips
     */
    int injected() {
        return injected;
    }
}
