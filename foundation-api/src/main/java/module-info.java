/**
 * safemem contracts and value types: verification levels, the error family and its codes, and
 * the provider, slice and statistics contracts. No implementation state lives here.
 */
module io.safemem.api {
    exports io.safemem;
}
