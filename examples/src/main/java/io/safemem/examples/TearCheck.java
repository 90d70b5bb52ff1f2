package io.safemem.examples;

/**
 * Tells whether an {@link OrderRecord} read while writers ran holds the bytes of one write, of
 * one write with a byte changed by a bit flip, or of no single write (a torn read). One instance
 * per thread: it encodes the expected record into its own scratch array and allocates nothing.
 *
 * <p>A record names its version; the check encodes that version and compares byte by byte. A
 * flip may have hit the version field itself, so when the flipped byte lies there, every value of
 * that byte is tried as well. Each block receives at most one flip, so a record read whole
 * differs from its version in at most the one byte that flip changed; anything else is torn.
 */
final class TearCheck {

    /** What a record read turned out to be. */
    enum Verdict {
        /** Exactly the bytes of one write. */
        WHOLE,
        /** The bytes of one write except the byte a flip changed: served corrupt, but not torn. */
        CORRUPT,
        /** Bytes of no single write, even allowing for the flipped byte. */
        TORN
    }

    private final byte[] expected = new byte[OrderRecord.SIZE];

    /**
     * Checks one record.
     *
     * @param got     the record as read, in {@code got[0, OrderRecord.SIZE)}
     * @param id      the index of the record read
     * @param flipped the offset, within the record, of the byte a flip changed, or -1 if no flip
     *                changed a byte of this record
     * @return the verdict
     */
    Verdict check(byte[] got, long id, int flipped) {
        int version = OrderRecord.version(got, 0);
        long differing = differing(got, id, version);
        if (differing == 0) {
            return Verdict.WHOLE;
        }
        if (flipped < 0) {
            return Verdict.TORN;
        }
        long onlyFlipped = 1L << flipped;
        if (differing == onlyFlipped) {
            return Verdict.CORRUPT;
        }
        int inField = flipped - OrderRecord.VERSION;
        if (inField >= 0 && inField < Integer.BYTES) {
            int shift = 8 * inField;
            for (int b = 0; b < 256; b++) {
                int candidate = (version & ~(0xFF << shift)) | (b << shift);
                if (differing(got, id, candidate) == onlyFlipped) {
                    return Verdict.CORRUPT;
                }
            }
        }
        return Verdict.TORN;
    }

    /** Bit {@code i} set for each byte {@code i} of {@code got} that differs from the record {@code (id, version)}. */
    private long differing(byte[] got, long id, int version) {
        OrderRecord.encode(expected, 0, id, version);
        long mask = 0;
        for (int i = 0; i < OrderRecord.SIZE; i++) {
            if (got[i] != expected[i]) {
                mask |= 1L << i;
            }
        }
        return mask;
    }
}
