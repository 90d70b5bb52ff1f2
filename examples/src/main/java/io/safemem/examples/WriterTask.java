package io.safemem.examples;

import io.safemem.ErrorCode;
import io.safemem.IntegrityException;
import io.safemem.ffm.AtomicMemoryOps;

import java.util.SplittableRandom;

/**
 * One writer thread of the concurrent run: rewrites records it owns (those whose index is its own
 * modulo the number of writers, so every block holds records of several writers), at random, each
 * with the next version, through {@link AtomicMemoryOps#atomicWriteWithChecksum(long, byte[])}.
 * It keeps the model of what it wrote: the version each of its records holds in the region. It
 * announces each record before writing it, so the flipper can aim at blocks being rewritten.
 *
 * <p>It starts once every reader is reading, writes its share of writes and goes on until the
 * flipper is done, so every flip lands while records are being rewritten. It leaves quarantined
 * blocks alone. Its loop allocates nothing unless a write is refused.
 */
final class WriterTask implements Runnable {

    private final AtomicMemoryOps memory;
    private final BlockLedger ledger;
    private final Progress progress;
    private final int index;
    private final int writers;
    private final int recordsPerBlock;
    private final int owned;
    private final long share;
    private final int[] versions;
    private final SplittableRandom random;
    private final byte[] record = new byte[OrderRecord.SIZE];
    private long writes;
    private long refused;

    /**
     * Prepares writer {@code index}.
     *
     * @param memory   the shared region's access
     * @param ledger   the shared ledger of flips and reports
     * @param progress the shared progress of the run
     * @param config   the run's configuration
     * @param index    this writer's index, in {@code [0, config.writers())}
     * @param versions the model, shared by all writers, each of which changes only its own records:
     *                 the version each record holds in the region
     */
    WriterTask(AtomicMemoryOps memory, BlockLedger ledger, Progress progress, ConcurrentConfig config, int index,
               int[] versions) {
        this.memory = memory;
        this.ledger = ledger;
        this.progress = progress;
        this.index = index;
        this.writers = config.writers();
        this.recordsPerBlock = config.shape().recordsPerBlock();
        this.owned = (config.shape().records() - index + writers - 1) / writers;
        this.share = config.writesPerWriter();
        this.versions = versions;
        this.random = new SplittableRandom(config.seed() * 31 + index);
    }

    @Override
    public void run() {
        try {
            progress.awaitReaders();
            while (!progress.stopped() && (writes < share || !progress.flipsAreDone())) {
                int id = index + writers * random.nextInt(owned);
                if (ledger.quarantined(id / recordsPerBlock)) {
                    continue;
                }
                progress.announce(index, id);
                write(id, versions[id] + 1);
                progress.wrote(index, ++writes);
            }
        } finally {
            progress.writerFinished();
        }
    }

    /**
     * Writes one record and updates the model. A write refused with an {@link IntegrityException}
     * changed nothing, so the model keeps the old version; one whose {@code FULL} read-back failed
     * was written.
     */
    private void write(int id, int version) {
        OrderRecord.encode(record, 0, id, version);
        try {
            memory.atomicWriteWithChecksum((long) id * OrderRecord.SIZE, record);
            versions[id] = version;
        } catch (IntegrityException e) {
            if (e.code() == ErrorCode.WRITE_VERIFICATION_FAILED) {
                versions[id] = version;
            } else {
                refused++;
            }
            ledger.reportOnAccess(e, "writer " + index + " writing record " + id);
        }
    }

    /**
     * Writes attempted; read after the thread has ended.
     *
     * @return the number of writes, refused ones included
     */
    long writes() {
        return writes;
    }

    /**
     * Writes refused because a block they touched was corrupt; read after the thread has ended.
     *
     * @return the number of refused writes
     */
    long refused() {
        return refused;
    }
}
