package io.safemem.ffm.internal;

import io.safemem.ffm.CheckedRegion;

import java.lang.foreign.MemorySegment;

/**
 * The one door to a region's raw segments and its access check, for the fault injector in another
 * package. Not exported by the module: applications cannot reach it.
 */
public final class RawRegionAccess {

    /** Implemented by {@link CheckedRegion}, installed from its static initialiser. */
    public interface Accessor {
        /**
         * The region's data segment.
         *
         * @param region the region
         * @return its writable data segment, block-padded
         */
        MemorySegment data(CheckedRegion region);

        /**
         * The region's checksum table.
         *
         * @param region the region
         * @return its writable table of little-endian CRC32C values, one {@code int} per block
         */
        MemorySegment checksums(CheckedRegion region);

        /**
         * Checks that the region's memory may be used now by this thread.
         *
         * @param region the region
         * @throws io.safemem.StateException       ({@code ARENA_CLOSED}) if its arena is closed
         * @throws io.safemem.ConcurrencyException ({@code WRONG_THREAD}) if its arena is confined to another thread
         */
        void checkAccess(CheckedRegion region);
    }

    private static volatile Accessor accessor;

    private RawRegionAccess() {
    }

    /**
     * Installs the accessor; called once by {@link CheckedRegion}.
     *
     * @param installed the accessor
     */
    public static void install(Accessor installed) {
        accessor = installed;
    }

    /**
     * The installed accessor. Any {@link CheckedRegion} instance implies it is installed.
     *
     * @return the accessor
     */
    public static Accessor accessor() {
        return accessor;
    }
}
