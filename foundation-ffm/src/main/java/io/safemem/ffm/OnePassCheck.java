package io.safemem.ffm;

import java.util.zip.CRC32C;

/**
 * Checks copies of several blocks against their checksums with one CRC32C pass over all of them,
 * instead of one call per block: the JDK's CRC32C costs about 5 ns a call whatever its length, so
 * at 64-byte blocks a 4 KiB range took 64 calls, and now takes two.
 *
 * <h2>Why one pass can stand for k checks</h2>
 * Write {@code R(s, x)} for the CRC32C register after the bytes {@code x} from the state
 * {@code s}. {@code R} is affine in {@code s} and in {@code x}, and a little-endian word
 * {@code w} fed from {@code s} leaves what four zero bytes fed from {@code s ^ w} would leave. A
 * block {@code B} whose checksum is {@code c} has {@code R(0, B) = c ^ z}, where {@code z} is the
 * checksum of a block of zeros. XOR-ing {@code c ^ z} of each block into the first word of the
 * next block (and feeding that of the last block as one word after it) therefore cancels each
 * block's part of the register exactly when the block matches its checksum; then the pass yields
 * the CRC32C of {@code k} blocks and four bytes of zeros, whatever the data.
 *
 * <p>A single wrong bit, in a block or in a checksum, always changes the result: it adds a power
 * of {@code x} modulo the CRC32C polynomial, which is never zero. Only errors spread over several
 * blocks can cancel out, with a chance of about 2^-32 where separate checks would each have seen
 * them; a failed pass is checked again block by block, which names the first bad block.
 *
 * <p>One instance serves its engine's thread only: it shares the engine's {@link CRC32C}.
 */
final class OnePassCheck {

    /** The fewest blocks worth a pass: it makes two calls (the blocks, then one word). */
    static final int MIN_BLOCKS = 3;

    private final int shift;
    private final int blockSize;
    private final CRC32C crc;
    /** The checksum of one block of zeros. */
    private final int zeroBlockSum;
    /** {@code zeroRunSums[k]}: the CRC32C of {@code k} blocks and four bytes of zeros. */
    private final int[] zeroRunSums;
    /** The word fed after the last block. */
    private final byte[] lastWord = new byte[Integer.BYTES];

    /**
     * @param shift     log2 of the block size
     * @param maxBlocks the most blocks one pass will check
     * @param crc       the CRC32C state to use (its value is lost on each pass)
     */
    OnePassCheck(int shift, int maxBlocks, CRC32C crc) {
        this.shift = shift;
        this.blockSize = 1 << shift;
        this.crc = crc;
        this.zeroBlockSum = ChecksumEngine.crcOfZeros(blockSize);
        this.zeroRunSums = new int[maxBlocks + 1];
        CRC32C run = new CRC32C();
        run.update(ChecksumEngine.ZEROS, 0, Integer.BYTES);
        zeroRunSums[0] = (int) run.getValue();
        for (int k = 1; k <= maxBlocks; k++) {
            run.update(ChecksumEngine.ZEROS, 0, blockSize);
            zeroRunSums[k] = (int) run.getValue();
        }
    }

    /**
     * Whether the {@code k} blocks held one after another in {@code buf} from {@code at} all match
     * the checksums {@code sums[sumAt, sumAt + k)}. {@code buf} is changed during the pass and
     * left as it was.
     *
     * @param k at least 1, at most the {@code maxBlocks} this check was made for
     * @return {@code true} if every block matches; {@code false} if some block may not
     */
    boolean allMatch(byte[] buf, int at, int k, int[] sums, int sumAt) {
        int last = k - 1;
        xorIntoNextBlocks(buf, at, last, sums, sumAt);
        crc.reset();
        crc.update(buf, at, k << shift);
        xorIntoNextBlocks(buf, at, last, sums, sumAt);
        LittleEndian.putInt(lastWord, sums[sumAt + last] ^ zeroBlockSum);
        crc.update(lastWord, 0, Integer.BYTES);
        return (int) crc.getValue() == zeroRunSums[k];
    }

    /**
     * XORs {@code sums[sumAt + i] ^ z} into the first word of block {@code i + 1}, for each of the
     * first {@code n} blocks; a second call restores them.
     */
    private void xorIntoNextBlocks(byte[] buf, int at, int n, int[] sums, int sumAt) {
        for (int i = 0, p = at + blockSize; i < n; i++, p += blockSize) {
            LittleEndian.xorInt(buf, p, sums[sumAt + i] ^ zeroBlockSum);
        }
    }
}
