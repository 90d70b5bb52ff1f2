package io.safemem.examples;

import io.safemem.MemoryStatistics;
import io.safemem.VerificationLevel;
import io.safemem.ffm.AtomicMemoryOps;
import io.safemem.ffm.CheckedRegion;
import io.safemem.ffm.FixedArena;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * One shared region at one verification level, taken through the concurrent section: every record
 * written once, then writer, reader and flipper threads at work on one {@link AtomicMemoryOps},
 * then, once they have all ended, a {@link Sweep} against the writers' model and the
 * {@link BlockLedger}'s tally of every flip.
 */
final class ConcurrentLevelRun {

    /** How long threads asked to stop get to do so. */
    private static final long GRACE_MILLIS = 5_000;

    private final ConcurrentConfig config;
    private final VerificationLevel level;
    private final CheckedRegion region;
    private final AtomicMemoryOps memory;
    /** The model: the version each record holds in the region. */
    private final int[] versions;
    private final BlockLedger ledger;
    private final Progress progress;

    /**
     * Carves the level's region from {@code arena} and takes its thread-safe access, whose lock
     * waits are bounded by the time limit, so a lock that is never released fails the run
     * instead of hanging it.
     *
     * @param arena  a shared arena
     * @param config the concurrent section's configuration
     * @param level  the level of the new region
     */
    ConcurrentLevelRun(FixedArena arena, ConcurrentConfig config, VerificationLevel level) {
        this.config = config;
        this.level = level;
        this.region = config.shape().carve(arena, "shared", level, config.seed());
        this.memory = region.intoAtomicOps(config.timeLimit());
        this.versions = new int[config.shape().records()];
        this.ledger = new BlockLedger(config.shape().blocks());
        this.progress = new Progress(config.writers(), config.readers());
    }

    /**
     * Writes every record, runs the threads until the writers are done, sweeps and reports.
     *
     * @return what was injected, detected, laundered, torn and counted
     */
    ConcurrentReport run() {
        byte[] record = new byte[OrderRecord.SIZE];
        for (int id = 0; id < versions.length; id++) {
            OrderRecord.encode(record, 0, id, 0);
            memory.atomicWriteWithChecksum((long) id * OrderRecord.SIZE, record);
        }
        List<WriterTask> writers = new ArrayList<>();
        List<ReaderTask> readers = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < config.writers(); w++) {
            WriterTask writer = new WriterTask(memory, ledger, progress, config, w, versions);
            writers.add(writer);
            threads.add(thread("writer-" + w, writer));
        }
        for (int r = 0; r < config.readers(); r++) {
            ReaderTask reader = new ReaderTask(memory, ledger, progress, config, r);
            readers.add(reader);
            threads.add(thread("reader-" + r, reader));
        }
        Flipper flipper = new Flipper(region, ledger, progress, config);
        threads.add(thread("flipper", flipper));

        long start = System.nanoTime();
        threads.forEach(Thread::start);
        awaitAll(threads, start + config.timeLimit().toNanos());
        long elapsed = System.nanoTime() - start;

        Sweep swept = Sweep.of(new Sweep.Target(memory::verifyIntegrity, memory::findCorruptBlock, memory::read),
                this::expectedBlock, config.shape());
        return report(ledger.tally(swept, level.keepsChecksums()), swept, writers, readers, flipper, elapsed);
    }

    private Thread thread(String name, Runnable task) {
        Thread thread = new Thread(task, level.name().toLowerCase(Locale.ROOT) + "-" + name);
        thread.setDaemon(true); // a thread that never stops must not keep the JVM alive
        thread.setUncaughtExceptionHandler((t, e) -> progress.stop(t.getName() + " failed: " + e));
        return thread;
    }

    /**
     * Joins every thread; past the deadline, asks them to stop and gives them a grace period, then
     * gives up on them (they are daemons).
     */
    private void awaitAll(List<Thread> threads, long deadline) {
        boolean askedToStop = false;
        boolean interrupted = false;
        for (Thread thread : threads) {
            while (thread.isAlive()) {
                long left = deadline - System.nanoTime();
                if (left <= 0 && askedToStop) {
                    throw new IllegalStateException(thread.getName() + " did not stop: " + progress.failure());
                }
                if (left <= 0) {
                    progress.stop("time limit of " + config.timeLimit() + " reached");
                    askedToStop = true;
                    deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(GRACE_MILLIS);
                    continue;
                }
                try {
                    thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** The bytes block {@code b} should hold: its records, each in the version the model says. */
    private void expectedBlock(int b, byte[] dst) {
        int perBlock = config.shape().recordsPerBlock();
        for (int i = 0; i < perBlock; i++) {
            int id = b * perBlock + i;
            OrderRecord.encode(dst, i * OrderRecord.SIZE, id, versions[id]);
        }
    }

    private ConcurrentReport report(FlipTally flips, Sweep swept, List<WriterTask> writers, List<ReaderTask> readers,
                                    Flipper flipper, long elapsed) {
        long writes = 0;
        long refused = 0;
        for (WriterTask w : writers) {
            writes += w.writes();
            refused += w.refused();
        }
        long reads = 0;
        long sliceReads = 0;
        long torn = 0;
        long corruptServed = 0;
        long slowestRead = 0;
        String firstTorn = null;
        for (ReaderTask r : readers) {
            reads += r.reads();
            sliceReads += r.sliceReads();
            torn += r.torn();
            corruptServed += r.corruptServed();
            slowestRead = Math.max(slowestRead, r.slowestReadNanos());
            firstTorn = firstTorn != null ? firstTorn : r.firstTorn();
        }
        String failure = progress.failure();
        if (failure == null && flipper.injected() != flips.injected()) {
            failure = "the flipper injected " + flipper.injected() + " flips, the ledger holds " + flips.injected();
        }
        MemoryStatistics stats = region.statistics();
        return new ConcurrentReport(level, flips, writes, refused, reads, sliceReads, torn, corruptServed, slowestRead,
                stats.readRetries(), stats.lockedReads(), swept.consistent(), elapsed, firstTorn, failure);
    }
}
