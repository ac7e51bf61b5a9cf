package dev.agentpipeline.core.store;

import org.apiguardian.api.API;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * An append expected a run's journal to end at one sequence, and it ends at another: somebody else appended in
 * between. Reload the run and decide again.
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class ConcurrentAppendException extends StoreException {

    private static final long serialVersionUID = 1L;

    /**
     * @param runId the run
     * @param expected the sequence the caller expected
     * @param actual the sequence the journal ends at
     */
    public ConcurrentAppendException(String runId, long expected, long actual) {
        super("concurrent_append", "Run " + runId + " changed while you decided: expected its journal to end at "
                + expected + ", it ends at " + actual + ".", "Reload the run and decide again.", null);
    }
}
