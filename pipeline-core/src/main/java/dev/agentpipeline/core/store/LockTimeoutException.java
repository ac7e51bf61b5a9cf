package dev.agentpipeline.core.store;

import org.apiguardian.api.API;

import java.time.Duration;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * A run stayed locked by another thread or process for longer than the caller was willing to wait.
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class LockTimeoutException extends StoreException {

    private static final long serialVersionUID = 1L;

    /**
     * @param what what was locked ("run X")
     * @param waited how long the caller waited
     */
    public LockTimeoutException(String what, Duration waited) {
        super("lock_timeout", what + " is busy: another command held its lock for more than " + waited.toMillis()
                + " ms.", "Wait for the other command to finish and try again, or raise the lock timeout"
                + " (PIPELINE_LOCK_TIMEOUT_MS). Locks of processes that died are released by the operating system.",
                null);
    }
}
