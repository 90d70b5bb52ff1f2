package io.safemem.examples;

import java.util.Map;

/**
 * The outcome of every flip injected into a region shared by several threads, each flip in a block
 * of its own and counted once, by precedence: laundered, else detected on access, else detected
 * by the final sweep, else left corrupt unnoticed, else healed. Plus what went wrong in blocks no
 * flip touched.
 *
 * @param injected         flips injected
 * @param detectedOnAccess flips whose block a read or write reported first (an
 *                         {@link io.safemem.IntegrityException})
 * @param detectedBySweep  flips whose block only the final {@code findCorruptBlock} sweep reported
 * @param healed           flips that left no corrupt byte and were never reported: a later write
 *                         covered the flipped byte (or the flipped checksum) before anyone looked, or,
 *                         at {@code OFF}, the flip hit the checksum table, which {@code OFF} never uses
 * @param healedByKind     healed flips per kind (the kinds of {@link FaultKind#BEFORE_WRITE})
 * @param laundered        flips whose corrupt bytes passed verification at a checked level: the final
 *                         sweep passed their block although its bytes differ from what was written, or
 *                         a verified read returned the flipped byte (must be 0)
 * @param unnoticed        flips whose corrupt bytes are still in the region unreported, at {@code OFF}
 *                         (which verifies nothing, so this is not laundering)
 * @param unexplained      blocks no flip touched whose bytes differ from what was written: a lost or
 *                         torn write (must be 0)
 * @param falseAlarms      blocks no flip touched that a read, write or the sweep reported corrupt
 *                         (must be 0)
 * @param firstFalseAlarm  who raised the first false alarm, and its message, or {@code null}
 */
record FlipTally(int injected, int detectedOnAccess, int detectedBySweep, int healed,
                 Map<FaultKind, Integer> healedByKind, int laundered, int unnoticed, int unexplained, int falseAlarms,
                 String firstFalseAlarm) {

    /** Makes the map unmodifiable. */
    FlipTally {
        healedByKind = Map.copyOf(healedByKind);
    }

    /**
     * Flips detected, on access or by the sweep.
     *
     * @return {@code detectedOnAccess + detectedBySweep}
     */
    int detected() {
        return detectedOnAccess + detectedBySweep;
    }
}
