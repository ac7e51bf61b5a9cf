package dev.agentpipeline.core.store;

import org.apiguardian.api.API;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * Exclusive ownership of a run (or a subject) for a read-decide-append sequence. Release it with
 * {@link #close()}, from the thread that acquired it; try-with-resources does both.
 *
 * <pre>{@code
 * try (RunLock lock = store.lock(runId, Duration.ofSeconds(10))) {
 *     RunSnapshot run = store.load(runId).orElseThrow();
 *     store.append(runId, run.sequence(), List.of(event));
 * }
 * }</pre>
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public interface RunLock extends AutoCloseable {

    /**
     * Releases the lock.
     *
     * @throws IllegalStateException if called from a thread other than the one that acquired it
     */
    @Override
    void close();
}
