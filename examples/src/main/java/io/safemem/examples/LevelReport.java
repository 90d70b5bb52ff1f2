package io.safemem.examples;

import io.safemem.VerificationLevel;

import java.util.Map;

/**
 * What happened at one verification level. Flips are counted once each: every flip has a block of
 * its own, and a flip first reported by a read or write counts as detected on access even if the
 * sweep reports its block again.
 *
 * @param level                   the level of the region
 * @param flipsInjected           bits flipped, one per block
 * @param detectedOnAccess        flips whose block a read or write refused with an
 *                                {@link io.safemem.IntegrityException}
 * @param detectedBySweep         flips not seen on access whose block the final sweep reported
 * @param undetectedCorruptBlocks blocks whose bytes differ from what was written but that nothing
 *                                reported: at a checked level these were <em>laundered</em> (they
 *                                pass verification); at {@code OFF} nothing is verified at all
 * @param undetectedInChecksums   checksum flips nothing reported although the data is as written
 *                                (only at {@code OFF}, which never reads its checksums)
 * @param undetectedOverwritten   data flips nothing reported because the write that followed them
 *                                covered the flipped bit (only at {@code OFF}; a checked level refuses
 *                                the write or leaves the block's checksum disagreeing)
 * @param falseAlarms             blocks reported corrupt that no flip touched (data and checksum
 *                                exactly as the handler wrote them)
 * @param corruptReadsServed      record reads that returned bytes other than those written, without
 *                                an exception (expected at {@code OFF} and, for unsampled reads, at
 *                                {@code SAMPLING})
 * @param injectedByKind          flips per kind
 * @param detectedByKind          detected flips per kind
 * @param timedWrites             record writes in the timed batch
 * @param nsPerWrite              mean wall-clock nanoseconds per record write of the timed batch
 * @param heapBytesDuringTiming   heap bytes the thread allocated during the timed batch, or
 *                                {@code -1} if the JVM cannot tell
 * @param sweepConsistent         whether {@code verifyIntegrity}, {@code findCorruptBlock} and the
 *                                block-by-block reads of the sweep agreed
 * @param firstAlarm              where and what the first integrity report was, or {@code null}
 */
record LevelReport(VerificationLevel level, int flipsInjected, int detectedOnAccess, int detectedBySweep,
                   int undetectedCorruptBlocks, int undetectedInChecksums, int undetectedOverwritten,
                   int falseAlarms, int corruptReadsServed,
                   Map<FaultKind, Integer> injectedByKind, Map<FaultKind, Integer> detectedByKind,
                   long timedWrites, double nsPerWrite, long heapBytesDuringTiming, boolean sweepConsistent,
                   String firstAlarm) {

    /** Makes the maps unmodifiable. */
    LevelReport {
        injectedByKind = Map.copyOf(injectedByKind);
        detectedByKind = Map.copyOf(detectedByKind);
    }

    /**
     * Whether the level keeps checksums and so can detect anything.
     *
     * @return {@code false} for {@code OFF} only
     */
    boolean checked() {
        return level.keepsChecksums();
    }

    /**
     * Flips detected, on access or by the sweep.
     *
     * @return {@code detectedOnAccess + detectedBySweep}
     */
    int detected() {
        return detectedOnAccess + detectedBySweep;
    }

    /**
     * Heap bytes allocated per timed write.
     *
     * @return {@code heapBytesDuringTiming / timedWrites}, or {@code -1} if unknown
     */
    double heapBytesPerWrite() {
        return heapBytesDuringTiming < 0 ? -1 : (double) heapBytesDuringTiming / timedWrites;
    }

    /**
     * Corrupt blocks that pass verification, the number that must be 0.
     *
     * @return {@link #undetectedCorruptBlocks()} at a checked level, {@code 0} at {@code OFF},
     *         which verifies nothing and so cannot launder
     */
    int laundered() {
        return checked() ? undetectedCorruptBlocks : 0;
    }
}
