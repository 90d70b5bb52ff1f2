/**
 * safemem on the Foreign Function &amp; Memory API: fixed arenas, checksummed regions, their
 * single-owner handlers, and a fault injector for testing corruption handling.
 */
module io.safemem.ffm {
    requires transitive io.safemem.api;

    exports io.safemem.ffm;
    exports io.safemem.ffm.testing;
}
