package io.safemem.bench;

import io.safemem.VerificationLevel;
import io.safemem.ffm.AtomicMemoryOps;
import io.safemem.ffm.CheckedRegion;
import io.safemem.ffm.FixedArena;

/** The region every benchmark of {@link AtomicMemoryOps} measures, in an arena just big enough for it. */
final class Regions {

    private Regions() {
    }

    /**
     * A shared arena with room for one region of {@code capacity} bytes in blocks of {@code blockSize}:
     * the data, its checksum table, the header and alignment.
     */
    static FixedArena arenaFor(long capacity, int blockSize) {
        return FixedArena.ofShared(capacity + capacity / blockSize * Integer.BYTES + 2 * 4096);
    }

    /** A region built in {@code arena} and handed to an {@link AtomicMemoryOps}. */
    static AtomicMemoryOps atomicOps(FixedArena arena, long capacity, int blockSize, VerificationLevel level) {
        return CheckedRegion.builder(arena, capacity).blockSize(blockSize).verificationLevel(level).build()
                .intoAtomicOps();
    }
}
