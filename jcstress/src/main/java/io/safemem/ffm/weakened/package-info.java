/**
 * Deliberately broken variants of the AtomicMemoryOps protocols, to show the jcstress tests in
 * {@code io.safemem.ffm} can tell a broken protocol from a correct one. Each variant removes one
 * ingredient (the odd phase, a fence, an acquire, the re-check of the sequence, the atomicity of
 * the lock, the writer's wait for borrowers) and is run through the same test shape as the real
 * one. The outcome that would be FORBIDDEN for the real protocol is ACCEPTABLE_INTERESTING here
 * ("caught: ..."), so a run stays green and the report shows whether, and how often, the
 * weakening was observed. Not part of the CI run; see jcstress/README.md for the command.
 */
package io.safemem.ffm.weakened;
