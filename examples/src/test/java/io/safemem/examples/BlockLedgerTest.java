package io.safemem.examples;

import io.safemem.ErrorCode;
import io.safemem.IntegrityException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The concurrent section's accounting: each flip settles into exactly one outcome, laundering
 * wins over everything, and reports on blocks no flip touched are false alarms.
 */
class BlockLedgerTest {

    private static final int BLOCKS = 8;

    private static IntegrityException corrupt(int block) {
        return new IntegrityException(ErrorCode.CHECKSUM_MISMATCH, "test", block, block * 256L, block * 256L + 256, 1, 2);
    }

    /** A sweep that reported {@code reported} and found {@code corrupt} corrupt but unreported. */
    private static Sweep sweep(int[] reported, int[] corrupt) {
        boolean[] r = new boolean[BLOCKS];
        boolean[] c = new boolean[BLOCKS];
        for (int b : reported) {
            r[b] = true;
        }
        for (int b : corrupt) {
            c[b] = true;
        }
        return new Sweep(r, c, true, null);
    }

    @Test
    void eachFlipSettlesIntoOneOutcome() {
        BlockLedger ledger = new BlockLedger(BLOCKS);
        for (int b = 0; b < 5; b++) {
            assertTrue(ledger.markFlipped(b, b * 256L + 3, FaultKind.REWRITTEN_BEFORE_WRITE));
        }
        assertFalse(ledger.markFlipped(0, 7, FaultKind.NEIGHBOUR_BEFORE_WRITE), "one flip per block");
        ledger.reportOnAccess(corrupt(0), "reader");
        ledger.reportOnAccess(corrupt(0), "writer"); // a second report of the same flip
        assertTrue(ledger.quarantined(0));
        assertFalse(ledger.quarantined(1));
        assertEquals(3, ledger.flippedByte(0));
        assertEquals(-1, ledger.flippedByte(6));
        ledger.launderedOnRead(3);

        // block 1: found by the sweep; 2: healed; 3: served corrupt by a verified read; 4: corrupt, passed the sweep
        FlipTally checked = ledger.tally(sweep(new int[] {0, 1}, new int[] {4}), true);
        assertAll(
                () -> assertEquals(5, checked.injected()),
                () -> assertEquals(1, checked.detectedOnAccess()),
                () -> assertEquals(1, checked.detectedBySweep()),
                () -> assertEquals(1, checked.healed()),
                () -> assertEquals(1, checked.healedByKind().get(FaultKind.REWRITTEN_BEFORE_WRITE)),
                () -> assertEquals(2, checked.laundered()),
                () -> assertEquals(0, checked.unnoticed()),
                () -> assertEquals(0, checked.falseAlarms()),
                () -> assertNull(checked.firstFalseAlarm()),
                () -> assertEquals(checked.injected(), checked.detected() + checked.healed() + checked.laundered()));
    }

    @Test
    void atOffCorruptBytesAreUnnoticedNotLaundered() {
        BlockLedger ledger = new BlockLedger(BLOCKS);
        ledger.markFlipped(2, -1, FaultKind.CHECKSUM_BEFORE_WRITE);
        ledger.markFlipped(3, 3 * 256L, FaultKind.NEIGHBOUR_BEFORE_WRITE);
        FlipTally off = ledger.tally(sweep(new int[0], new int[] {3}), false);
        assertAll(
                () -> assertEquals(2, off.injected()),
                () -> assertEquals(0, off.laundered()),
                () -> assertEquals(1, off.unnoticed()),
                () -> assertEquals(1, off.healed()),
                () -> assertEquals(1, off.healedByKind().get(FaultKind.CHECKSUM_BEFORE_WRITE)));
    }

    @Test
    void reportsOnUnflippedBlocksAreFalseAlarmsAndCorruptionThereIsUnexplained() {
        BlockLedger ledger = new BlockLedger(BLOCKS);
        ledger.reportOnAccess(corrupt(5), "reader 1 reading record 20");
        assertTrue(ledger.quarantined(5));
        assertFalse(ledger.markFlipped(5, 5 * 256L, FaultKind.REWRITTEN_BEFORE_WRITE), "no flips into reported blocks");
        FlipTally tally = ledger.tally(sweep(new int[] {5, 6}, new int[] {7}), true);
        assertAll(
                () -> assertEquals(0, tally.injected()),
                () -> assertEquals(2, tally.falseAlarms()),
                () -> assertEquals(1, tally.unexplained()),
                () -> assertNotNull(tally.firstFalseAlarm()),
                () -> assertTrue(tally.firstFalseAlarm().startsWith("reader 1 reading record 20: "), tally::firstFalseAlarm));
    }
}
