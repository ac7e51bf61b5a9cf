package dev.agentpipeline.core.engine;

import org.apiguardian.api.API;

import java.time.Duration;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * Waits: how the orchestrator spends a retry's backoff. Tests pass a fake that advances a fake clock instead of
 * sleeping.
 *
 * @since 0.1
 */
@FunctionalInterface
@API(status = EXPERIMENTAL, since = "0.1")
public interface Sleeper {

    /**
     * Waits.
     *
     * @param duration how long, not negative
     * @throws InterruptedException if interrupted while waiting
     */
    void sleep(Duration duration) throws InterruptedException;

    /** @return a sleeper that blocks the thread with {@link Thread#sleep(long)} */
    static Sleeper system() {
        return duration -> {
            if (!duration.isZero() && !duration.isNegative()) {
                Thread.sleep(duration.toMillis());
            }
        };
    }
}
