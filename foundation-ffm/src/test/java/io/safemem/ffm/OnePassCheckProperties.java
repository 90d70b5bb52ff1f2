package io.safemem.ffm;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link OnePassCheck} agrees with checking block by block: clean copies pass, a single flipped
 * bit anywhere in the blocks or their checksums fails, and the copy is left as it was. Block
 * sizes from 16 to 4096 bytes, 1 to 256 blocks, at any start offset in the buffer.
 */
class OnePassCheckProperties {

    private static final int MAX_BLOCKS = 256;

    @Property(tries = 400)
    void cleanBlocksPassAndAreLeftAsTheyWere(@ForAll @IntRange(min = 4, max = 12) int shift,
                                             @ForAll @IntRange(min = 1, max = MAX_BLOCKS) int k,
                                             @ForAll @IntRange(min = 0, max = 9) int at,
                                             @ForAll long seed) {
        Copy copy = new Copy(shift, k, at, seed);
        byte[] before = copy.buf.clone();
        assertTrue(copy.check.allMatch(copy.buf, at, k, copy.sums, 1));
        assertArrayEquals(before, copy.buf);
    }

    @Property(tries = 1000)
    void aSingleFlippedBitInAnyBlockOrChecksumFails(@ForAll @IntRange(min = 4, max = 12) int shift,
                                                    @ForAll @IntRange(min = 1, max = MAX_BLOCKS) int k,
                                                    @ForAll @IntRange(min = 0, max = 9) int at,
                                                    @ForAll boolean inChecksum,
                                                    @ForAll long seed) {
        Copy copy = new Copy(shift, k, at, seed);
        SplittableRandom rnd = new SplittableRandom(~seed);
        if (inChecksum) {
            copy.sums[1 + rnd.nextInt(k)] ^= 1 << rnd.nextInt(Integer.SIZE);
        } else {
            copy.buf[at + rnd.nextInt(k << shift)] ^= (byte) (1 << rnd.nextInt(Byte.SIZE));
        }
        byte[] before = copy.buf.clone();
        assertFalse(copy.check.allMatch(copy.buf, at, k, copy.sums, 1));
        assertArrayEquals(before, copy.buf);
    }

    /** Random blocks in a buffer at {@code at}, with bytes either side, and their checksums from {@code sums[1]}. */
    private static final class Copy {
        final OnePassCheck check;
        final byte[] buf;
        final int[] sums;

        Copy(int shift, int k, int at, long seed) {
            int blockSize = 1 << shift;
            SplittableRandom rnd = new SplittableRandom(seed);
            check = new OnePassCheck(shift, MAX_BLOCKS, new CRC32C());
            buf = new byte[at + (k << shift) + 7];
            rnd.nextBytes(buf);
            sums = new int[k + 2];
            Arrays.fill(sums, rnd.nextInt());
            CRC32C crc = new CRC32C();
            for (int i = 0; i < k; i++) {
                crc.reset();
                crc.update(buf, at + i * blockSize, blockSize);
                sums[1 + i] = (int) crc.getValue();
            }
        }
    }
}
