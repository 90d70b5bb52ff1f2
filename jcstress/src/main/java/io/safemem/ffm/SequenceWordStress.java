package io.safemem.ffm;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * (d) The sequence word and its fences, at the protocol level: a segment holds the
 * {@link SequenceWord} where a region header holds it ({@link CheckedRegion#SEQUENCE_OFFSET}), a
 * data word after it and a "checksum" word after that, which must always equal {@code f(data)}. The writer does what AtomicMemoryOps does
 * under its lock, twice: {@code beginWrite}, plain stores of data and checksum,
 * {@code endWrite}. The reader does one optimistic round of {@code readConsistent}: stamp, plain
 * loads of data and checksum, {@code validate}.
 *
 * <p>r1: 1 if the read validated, 0 if validation rejected it, 2 if the stamp was odd (the real
 * reader would spin and not read); r2: the data read if the checksum agreed with it, else -1.
 */
@JCStressTest
@Description("SequenceWord seqlock: beginWrite (opaque odd + storeStoreFence), plain data and checksum, endWrite (release even); "
        + "reader stamp (acquire), plain loads, validate (acquireFence + opaque load).")
@Outcome(id = {"1, 0", "1, 1", "1, 2"}, expect = ACCEPTABLE, desc = "Validated a whole state: before the writes, after the first, or after the second.")
@Outcome(id = "1, -1", expect = FORBIDDEN, desc = "A torn read validated: data and checksum of two different writes passed as one state. Breaks I2.")
@Outcome(id = "0, -1", expect = ACCEPTABLE_INTERESTING, desc = "A torn read, rejected by validate: the protocol doing its job.")
@Outcome(id = {"0, 0", "0, 1", "0, 2"}, expect = ACCEPTABLE, desc = "A write moved the sequence during the read; rejected (the real reader retries).")
@Outcome(id = "2, 0", expect = ACCEPTABLE, desc = "The stamp was odd: a write was in progress, the reader would spin.")
@Outcome(expect = FORBIDDEN, desc = "Any other outcome.")
@State
public class SequenceWordStress {

    static final long DATA = CheckedRegion.SEQUENCE_OFFSET + Long.BYTES;
    static final long SUM = DATA + Long.BYTES;

    final MemorySegment header = Support.header();
    final SequenceWord sequence = new SequenceWord(header, CheckedRegion.SEQUENCE_OFFSET);

    /** The "checksum" of a data word; f(0) = 0, so the zeroed segment starts consistent. */
    static long f(long data) {
        return data * 1_000_003L;
    }

    private void write(long v) {
        long odd = sequence.beginWrite();
        header.set(JAVA_LONG, DATA, v);
        header.set(JAVA_LONG, SUM, f(v));
        sequence.endWrite(odd);
    }

    @Actor
    public void writer() {
        write(1);
        write(2);
    }

    @Actor
    public void reader(II_Result r) {
        long stamp = sequence.stamp();
        if (SequenceWord.isWriting(stamp)) {
            r.r1 = 2;
            return;
        }
        long d = header.get(JAVA_LONG, DATA);
        long s = header.get(JAVA_LONG, SUM);
        r.r1 = sequence.validate(stamp) ? 1 : 0;
        r.r2 = s == f(d) ? (int) d : -1;
    }
}
