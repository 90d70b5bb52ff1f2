package io.safemem.examples;

/**
 * The sizes, seed and counts of one demo run. Every level gets the same configuration, so the
 * same bits are flipped at every level.
 *
 * @param regionBytes         capacity of each region, a multiple of {@code blockSize}
 * @param blockSize           bytes per checksummed block, a multiple of {@link OrderRecord#SIZE}
 *                            holding at least two records (a partial write needs a neighbour)
 * @param samplingRate        fraction of reads and edge merges verified at {@code SAMPLING}
 * @param seed                seed of the fault injector, of the demo's own choices and of sampling
 * @param warmupPasses        untimed passes writing every record (the first one fills the region)
 * @param timedPasses         timed passes writing every record
 * @param dataFlipsAtRest     flips in data that is only read afterwards
 * @param checksumFlipsAtRest flips in checksums of blocks that are only read afterwards
 * @param flipsBeforeWrite    flips placed right before a partial write into the same block
 *                            (other record, same record, checksum, in turn)
 */
record DemoConfig(long regionBytes, int blockSize, double samplingRate, long seed, int warmupPasses,
                  int timedPasses, int dataFlipsAtRest, int checksumFlipsAtRest, int flipsBeforeWrite) {

    /** Checks that the numbers fit together. */
    DemoConfig {
        if (blockSize % OrderRecord.SIZE != 0 || blockSize < 2 * OrderRecord.SIZE) {
            throw new IllegalArgumentException("block size must be a multiple of " + OrderRecord.SIZE
                    + " holding at least two records, was " + blockSize);
        }
        if (regionBytes <= 0 || regionBytes % blockSize != 0 || regionBytes / OrderRecord.SIZE > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("region must be a positive multiple of the block size with at most "
                    + Integer.MAX_VALUE + " records, was " + regionBytes);
        }
        if (warmupPasses < 1 || timedPasses < 1) {
            throw new IllegalArgumentException("need at least one warm-up pass and one timed pass");
        }
        if (dataFlipsAtRest < 0 || checksumFlipsAtRest < 0 || flipsBeforeWrite < 0) {
            throw new IllegalArgumentException("flip counts must not be negative");
        }
        // the fields are not assigned yet: compute from the parameters
        long flips = (long) dataFlipsAtRest + checksumFlipsAtRest + flipsBeforeWrite;
        if (flips > regionBytes / blockSize) {
            throw new IllegalArgumentException(flips + " flips do not fit in " + regionBytes / blockSize
                    + " blocks (each flip gets a block of its own)");
        }
    }

    /**
     * The configuration of {@code mvn -Pdemo package}: 1 MiB per level, 256-byte blocks, 56 flips.
     *
     * @return the demo's configuration
     */
    static DemoConfig standard() {
        return new DemoConfig(1 << 20, 256, 0.25, 42, 20, 10, 16, 16, 24);
    }

    /**
     * The number of checksummed blocks per region.
     *
     * @return {@code regionBytes / blockSize}
     */
    int blocks() {
        return (int) (regionBytes / blockSize);
    }

    /**
     * The number of records per region.
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
     * The number of flips injected per level; each lands in a block of its own.
     *
     * @return the sum of the three flip counts
     */
    int totalFlips() {
        return dataFlipsAtRest + checksumFlipsAtRest + flipsBeforeWrite;
    }
}
