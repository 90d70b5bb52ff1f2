package io.safemem.ffm;

import io.safemem.CapacityException;
import io.safemem.VerificationLevel;

import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Regions for jcstress states, reused. jcstress creates a very large number of state objects
 * (tens of thousands per iteration, concurrently on its actor threads); a {@link FixedArena} never
 * frees a single allocation, and a shared arena must be closed explicitly, so states do not make
 * regions of their own. A state leases a region's {@link AtomicMemoryOps} in its constructor and
 * gives it back in its {@code @Arbiter}, which jcstress runs once every actor is done with the
 * state and before it makes the state that replaces it.
 *
 * <p>One pool per test class (a fork runs one test); it grows when empty by carving another region
 * from the current chunk, and takes another 1 MiB chunk when that one is full. Chunks are never
 * closed: they live as long as the fork. A region of 64 to 128 bytes takes about 200 to 300 bytes
 * of a chunk, so even the largest stride jcstress uses (10240 states) fits in a few MiB.
 */
final class RegionPool {

    private static final long CHUNK_BYTES = 1 << 20;

    private final long capacity;
    private final int blockSize;
    private final VerificationLevel level;
    private final byte[] zeros;
    private final ConcurrentLinkedQueue<AtomicMemoryOps> free = new ConcurrentLinkedQueue<>();
    private FixedArena chunk;

    RegionPool(int capacity, int blockSize, VerificationLevel level) {
        this.capacity = capacity;
        this.blockSize = blockSize;
        this.level = level;
        this.zeros = new byte[capacity];
    }

    /**
     * A region all of whose bytes are zero and whose checksums match, reset through the ops
     * themselves (so under the writers' lock, and published to the actors by jcstress).
     */
    AtomicMemoryOps lease() {
        AtomicMemoryOps ops = free.poll();
        if (ops == null) {
            ops = create();
        }
        ops.atomicWriteWithChecksum(0, zeros);
        return ops;
    }

    /** Takes back a region no actor uses any more. */
    void giveBack(AtomicMemoryOps ops) {
        free.offer(ops);
    }

    private synchronized AtomicMemoryOps create() {
        while (true) {
            if (chunk != null) {
                try {
                    return CheckedRegion.builder(chunk, capacity)
                            .name("jcstress")
                            .blockSize(blockSize)
                            .verificationLevel(level)
                            .build()
                            .intoAtomicOps();
                } catch (CapacityException full) {
                    // fall through: take a new chunk
                }
            }
            chunk = FixedArena.ofShared(CHUNK_BYTES);
        }
    }
}
