package io.safemem.examples;

import io.safemem.VerificationLevel;
import io.safemem.ffm.CheckedRegion;
import io.safemem.ffm.FixedArena;

import java.util.Locale;

/**
 * The geometry of a demo region: how many bytes of {@link OrderRecord}s, in checksummed blocks of
 * what size, and the fraction of accesses {@code SAMPLING} verifies. Both parts of the demo carve
 * their regions with {@link #carve}.
 *
 * @param regionBytes  capacity of the region, a multiple of {@code blockSize}
 * @param blockSize    bytes per checksummed block, a multiple of {@link OrderRecord#SIZE} holding
 *                     at least two records (a partial write needs a neighbour)
 * @param samplingRate fraction of reads and edge merges verified at {@code SAMPLING}
 */
record RegionShape(long regionBytes, int blockSize, double samplingRate) {

    /** Checks that the numbers fit together. */
    RegionShape {
        if (blockSize % OrderRecord.SIZE != 0 || blockSize < 2 * OrderRecord.SIZE) {
            throw new IllegalArgumentException("block size must be a multiple of " + OrderRecord.SIZE
                    + " holding at least two records, was " + blockSize);
        }
        if (regionBytes <= 0 || regionBytes % blockSize != 0 || regionBytes / OrderRecord.SIZE > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("region must be a positive multiple of the block size with at most "
                    + Integer.MAX_VALUE + " records, was " + regionBytes);
        }
    }

    /**
     * Carves a region of this shape from {@code arena}.
     *
     * @param arena        the arena
     * @param name         the region's name, suffixed with the level
     * @param level        the region's verification level
     * @param samplingSeed the seed of its sampling sequence
     * @return the new region, zero-filled, not yet owned
     */
    CheckedRegion carve(FixedArena arena, String name, VerificationLevel level, long samplingSeed) {
        return CheckedRegion.builder(arena, regionBytes)
                .name(name + "-" + level.name().toLowerCase(Locale.ROOT))
                .blockSize(blockSize)
                .verificationLevel(level)
                .samplingRate(samplingRate)
                .samplingSeed(samplingSeed)
                .build();
    }

    /**
     * The arena bytes one region of this shape needs, alignment padding included.
     *
     * @return an upper bound of the region's footprint in its arena
     */
    long footprint() {
        long header = 64;
        long alignmentSlack = 2L * 4096; // the region's start and its data are aligned to at most a page
        return regionBytes + (long) blocks() * Integer.BYTES + header + alignmentSlack;
    }

    /**
     * The number of checksummed blocks.
     *
     * @return {@code regionBytes / blockSize}
     */
    int blocks() {
        return (int) (regionBytes / blockSize);
    }

    /**
     * The number of records.
     *
     * @return {@code regionBytes / OrderRecord.SIZE}
     */
    int records() {
        return (int) (regionBytes / OrderRecord.SIZE);
    }

    /**
     * The number of records in one block.
     *
     * @return {@code blockSize / OrderRecord.SIZE}
     */
    int recordsPerBlock() {
        return blockSize / OrderRecord.SIZE;
    }

    /**
     * Where a block starts.
     *
     * @param block a block index
     * @return its first byte offset
     */
    long blockStart(int block) {
        return (long) block * blockSize;
    }
}
