package io.safemem.examples;

/** Where the demo puts a bit flip, and what happens to the flipped block next. */
enum FaultKind {
    /** A data bit of a block that is only read afterwards. */
    DATA_AT_REST("at rest: data"),
    /** A bit of a block's stored checksum; the block is only read afterwards. */
    CHECKSUM_AT_REST("at rest: checksum"),
    /**
     * A data bit of one record, right before another record of the same block is rewritten: a
     * write that recomputed the block's checksum from memory would absorb the flip (launder it).
     */
    NEIGHBOUR_BEFORE_WRITE("pre-write: other record"),
    /** A data bit of the very record that is rewritten right after: the write covers the flip. */
    REWRITTEN_BEFORE_WRITE("pre-write: same record"),
    /** A bit of the block's stored checksum, right before a record of the block is rewritten. */
    CHECKSUM_BEFORE_WRITE("pre-write: checksum");

    /**
     * The three kinds placed right before a partial write, used in turn. The concurrent section
     * aims them at a write another thread has in progress, so there they land right before,
     * during or right after it.
     */
    static final FaultKind[] BEFORE_WRITE = {NEIGHBOUR_BEFORE_WRITE, REWRITTEN_BEFORE_WRITE, CHECKSUM_BEFORE_WRITE};

    private final String label;

    FaultKind(String label) {
        this.label = label;
    }

    /**
     * A short column label.
     *
     * @return e.g. {@code "pre-write: other record"}
     */
    String label() {
        return label;
    }

    /**
     * Whether the flip lands in the checksum table rather than the data.
     *
     * @return {@code true} for the checksum kinds
     */
    boolean hitsChecksum() {
        return this == CHECKSUM_AT_REST || this == CHECKSUM_BEFORE_WRITE;
    }
}
