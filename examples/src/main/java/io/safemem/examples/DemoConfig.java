package io.safemem.examples;

/**
 * The region shape, seed and counts of one demo run. Every level gets the same configuration, so
 * the same bits are flipped at every level.
 *
 * @param shape               size, block size and sampling rate of each level's region
 * @param seed                seed of the fault injector, of the demo's own choices and of sampling
 * @param warmupPasses        untimed passes writing every record (the first one fills the region)
 * @param timedPasses         timed passes writing every record
 * @param dataFlipsAtRest     flips in data that is only read afterwards
 * @param checksumFlipsAtRest flips in checksums of blocks that are only read afterwards
 * @param flipsBeforeWrite    flips placed right before a partial write into the same block
 *                            (other record, same record, checksum, in turn)
 */
record DemoConfig(RegionShape shape, long seed, int warmupPasses, int timedPasses, int dataFlipsAtRest,
                  int checksumFlipsAtRest, int flipsBeforeWrite) {

    /** Checks that the numbers fit together. */
    DemoConfig {
        if (shape == null) {
            throw new IllegalArgumentException("no region shape");
        }
        if (warmupPasses < 1 || timedPasses < 1) {
            throw new IllegalArgumentException("need at least one warm-up pass and one timed pass");
        }
        if (dataFlipsAtRest < 0 || checksumFlipsAtRest < 0 || flipsBeforeWrite < 0) {
            throw new IllegalArgumentException("flip counts must not be negative");
        }
        // the fields are not assigned yet: compute from the parameters
        long flips = (long) dataFlipsAtRest + checksumFlipsAtRest + flipsBeforeWrite;
        if (flips > shape.blocks()) {
            throw new IllegalArgumentException(flips + " flips do not fit in " + shape.blocks()
                    + " blocks (each flip gets a block of its own)");
        }
    }

    /**
     * The configuration of {@code mvn -Pdemo package}: 1 MiB per level, 256-byte blocks, 56 flips.
     *
     * @return the demo's configuration
     */
    static DemoConfig standard() {
        return new DemoConfig(new RegionShape(1 << 20, 256, 0.25), 42, 20, 10, 16, 16, 24);
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
