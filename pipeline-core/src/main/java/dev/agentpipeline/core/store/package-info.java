/**
 * The run journal and checkpoint store: where runs live, behind {@link dev.agentpipeline.core.store.RunStore}.
 *
 * <p>{@link dev.agentpipeline.core.store.FileRunStore} keeps each run in a directory: an append-only journal
 * with sequence numbers and checksums, forced to disk before an append returns, and projections of it
 * ({@code state.json}, {@code checkpoints.json}, {@code manifest.json}) replaced atomically. One writer per run,
 * across threads and processes.
 *
 * @since 0.1
 */
package dev.agentpipeline.core.store;
