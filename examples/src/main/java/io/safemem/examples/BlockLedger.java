package io.safemem.examples;

import io.safemem.IntegrityException;

import java.lang.invoke.VarHandle;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What happened to each block of a region shared by several threads: the one flip it may have
 * received (its kind and the byte it changed), and the first integrity report naming it. Every thread
 * writes to it without locking; each block's entry is one {@code long}, changed by CAS.
 *
 * <p>The flipper marks a block before it flips the bit, so any report of a flipped bit finds the
 * block marked: a report on an unmarked block is a <em>false alarm</em>. Callers that have just
 * read region memory call in here after that read, and the ledger orders its own loads after
 * theirs, so a thread that saw a flipped bit also sees its mark. A block named by any report is
 * <em>quarantined</em>: the demo's threads stop using it, as an application would, so one flip
 * costs a handful of exceptions, not thousands.
 */
final class BlockLedger {

    /** No flip, no report. */
    private static final long CLEAN = 0;
    /** Flipped, not yet reported. */
    private static final long FLIPPED = 1;
    /** Flipped, then reported by a read or write. */
    private static final long ON_ACCESS = 2;
    /** Flipped, then reported first by the final sweep. */
    private static final long BY_SWEEP = 3;
    /** Reported although never flipped. */
    private static final long FALSE_ALARM = 4;
    private static final long STATUS = 7;
    /** Set when a verified read served the flipped byte: the block's checksum matched corrupt data. */
    private static final long LAUNDERED_ON_READ = 8;
    /** The flip's {@link FaultKind} ordinal plus one sits above this shift. */
    private static final int KIND_SHIFT = 4;
    private static final long KIND = 0xF;
    /** The flipped data byte's region offset plus one sits above this shift; 0 for a checksum flip. */
    private static final int BYTE_SHIFT = 32;

    private final AtomicLongArray entries;
    private final AtomicReference<String> firstFalseAlarm = new AtomicReference<>();

    /**
     * Creates a ledger of clean blocks.
     *
     * @param blocks the region's block count
     */
    BlockLedger(int blocks) {
        this.entries = new AtomicLongArray(blocks);
    }

    // ---------------------------------------------------------------- during the run

    /**
     * Marks a clean block as about to receive a flip; only the flipper calls this, then flips.
     *
     * @param block       the block
     * @param flippedByte region offset of the data byte to be flipped, or -1 for a checksum bit
     * @param kind        where the flip goes, relative to the write it is aimed at
     * @return {@code false} if the block was flipped or reported before: choose another
     */
    boolean markFlipped(int block, long flippedByte, FaultKind kind) {
        long entry = FLIPPED | (kind.ordinal() + 1L) << KIND_SHIFT | (flippedByte + 1) << BYTE_SHIFT;
        return entries.compareAndSet(block, CLEAN, entry);
    }

    /**
     * Whether the threads should leave the block alone: some report named it.
     *
     * @param block the block
     * @return {@code true} once any report named it
     */
    boolean quarantined(int block) {
        long status = entries.get(block) & STATUS;
        return status != CLEAN && status != FLIPPED;
    }

    /**
     * The region offset of the data byte flipped in {@code block}, for a thread that has just
     * read the block and wants to know whether a flip explains what it saw.
     *
     * @param block the block
     * @return the flipped byte's offset, or -1 if the block received no data flip
     */
    long flippedByte(int block) {
        VarHandle.acquireFence(); // the caller's reads of region memory come first
        return (entries.get(block) >>> BYTE_SHIFT) - 1;
    }

    /**
     * Records an {@link IntegrityException} thrown by a read or write, once the caller has
     * handled it (a refused write changed nothing).
     *
     * @param e       the exception; its block is the one reported
     * @param context who saw it, for the message of a false alarm
     */
    void reportOnAccess(IntegrityException e, String context) {
        report(Math.toIntExact(e.block()), ON_ACCESS, context + ": " + e.getMessage());
    }

    /**
     * Records a verified read that returned a flipped byte without complaint: the block's
     * checksum matched corrupt data, so the flip was laundered.
     *
     * @param block the block read
     */
    void launderedOnRead(int block) {
        long old;
        do {
            old = entries.get(block);
        } while (!entries.compareAndSet(block, old, old | LAUNDERED_ON_READ));
    }

    // ---------------------------------------------------------------- after the run

    /**
     * Records the blocks the final sweep reported, then settles every flip into one outcome.
     * Call once every thread has stopped.
     *
     * @param swept   the final sweep
     * @param checked whether the region kept checksums (else nothing could be detected or laundered)
     * @return the outcome of every flip
     */
    FlipTally tally(Sweep swept, boolean checked) {
        int blocks = entries.length();
        for (int b = 0; b < blocks; b++) {
            if (swept.reported()[b]) {
                report(b, BY_SWEEP, "the final sweep named block " + b);
            }
        }
        int injected = 0;
        int onAccess = 0;
        int bySweep = 0;
        int healed = 0;
        int laundered = 0;
        int unnoticed = 0;
        int unexplained = 0;
        int falseAlarms = 0;
        Map<FaultKind, Integer> healedByKind = new EnumMap<>(FaultKind.class);
        for (FaultKind kind : FaultKind.BEFORE_WRITE) {
            healedByKind.put(kind, 0);
        }
        for (int b = 0; b < blocks; b++) {
            long entry = entries.get(b);
            long status = entry & STATUS;
            boolean corrupt = swept.corruptUnreported()[b];
            if (status == CLEAN || status == FALSE_ALARM) {
                falseAlarms += status == FALSE_ALARM ? 1 : 0;
                unexplained += corrupt ? 1 : 0;
                continue;
            }
            injected++;
            if (checked && (corrupt || (entry & LAUNDERED_ON_READ) != 0)) {
                laundered++;
            } else if (status == ON_ACCESS) {
                onAccess++;
            } else if (status == BY_SWEEP) {
                bySweep++;
            } else if (corrupt) {
                unnoticed++;
            } else {
                healed++;
                healedByKind.merge(FaultKind.values()[(int) ((entry >>> KIND_SHIFT & KIND) - 1)], 1, Integer::sum);
            }
        }
        return new FlipTally(injected, onAccess, bySweep, healed, healedByKind, laundered, unnoticed, unexplained,
                falseAlarms, firstFalseAlarm.get());
    }

    /** Moves a flipped block to {@code detected}, or a clean one to a false alarm; later reports change nothing. */
    private void report(int block, long detected, String message) {
        VarHandle.acquireFence(); // the reporter's reads of region memory come first
        while (true) {
            long entry = entries.get(block);
            long status = entry & STATUS;
            long next;
            if (status == FLIPPED) {
                next = entry & ~STATUS | detected;
            } else if (status == CLEAN) {
                next = FALSE_ALARM;
            } else {
                return;
            }
            if (entries.compareAndSet(block, entry, next)) {
                if (next == FALSE_ALARM) {
                    firstFalseAlarm.compareAndSet(null, message);
                }
                return;
            }
        }
    }
}
