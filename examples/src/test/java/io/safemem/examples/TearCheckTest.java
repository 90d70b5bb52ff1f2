package io.safemem.examples;

import io.safemem.examples.TearCheck.Verdict;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The torn-read detector of the concurrent section must see tears, or its zero proves nothing:
 * every mix of two versions of a record that is not byte-equal to one of them is torn, and a
 * flipped byte is told apart from a tear only where the ledger says the flip went.
 */
class TearCheckTest {

    private static final long ID = 777;
    private final TearCheck check = new TearCheck();

    private static byte[] record(long id, int version) {
        byte[] bytes = new byte[OrderRecord.SIZE];
        OrderRecord.encode(bytes, 0, id, version);
        return bytes;
    }

    @Test
    void aWholeRecordIsWhole() {
        assertEquals(Verdict.WHOLE, check.check(record(ID, 41), ID, -1));
        assertEquals(Verdict.WHOLE, check.check(record(ID, 41), ID, 30)); // a flip elsewhere, healed
    }

    @ParameterizedTest(name = "versions {0} and next")
    @ValueSource(ints = {0, 41, 255, 65_535, Integer.MAX_VALUE - 1})
    void everyTearBetweenTwoVersionsIsTornUnlessItEqualsOne(int version) {
        byte[] older = record(ID, version);
        byte[] newer = record(ID, version + 1);
        for (int cut = 1; cut < OrderRecord.SIZE; cut++) {
            for (boolean newerFirst : new boolean[] {false, true}) {
                byte[] torn = new byte[OrderRecord.SIZE];
                for (int i = 0; i < OrderRecord.SIZE; i++) {
                    torn[i] = (i < cut) == newerFirst ? newer[i] : older[i];
                }
                Verdict expected = java.util.Arrays.equals(torn, older) || java.util.Arrays.equals(torn, newer)
                        ? Verdict.WHOLE : Verdict.TORN;
                assertEquals(expected, check.check(torn, ID, -1), "cut at " + cut + ", newer first " + newerFirst);
            }
        }
    }

    @Test
    void aFlippedBitWhereTheLedgerSaysIsCorruptNotTorn() {
        for (int at = 0; at < OrderRecord.SIZE; at++) {
            for (int bit = 0; bit < 8; bit++) {
                byte[] got = record(ID, 1_000_003);
                got[at] ^= (byte) (1 << bit);
                assertEquals(Verdict.CORRUPT, check.check(got, ID, at), "byte " + at + " bit " + bit);
                assertEquals(Verdict.TORN, check.check(got, ID, (at + 1) % OrderRecord.SIZE),
                        "byte " + at + " bit " + bit + ", ledger names another byte");
                assertEquals(Verdict.TORN, check.check(got, ID, -1), "byte " + at + " bit " + bit + ", no flip");
            }
        }
    }

    @Test
    void aVersionByteOverwrittenWithItsOldValueAndFlippedIsCorrupt() {
        // the flipper's read-modify-write raced a writer: the byte holds the old version's byte, flipped
        byte[] got = record(ID, 256);
        got[OrderRecord.VERSION] = (byte) (record(ID, 255)[OrderRecord.VERSION] ^ 0x10);
        assertEquals(Verdict.CORRUPT, check.check(got, ID, OrderRecord.VERSION));
    }

    @Test
    void aRecordOfAnotherIdIsTorn() {
        assertEquals(Verdict.TORN, check.check(record(ID + 1, 5), ID, -1));
    }
}
