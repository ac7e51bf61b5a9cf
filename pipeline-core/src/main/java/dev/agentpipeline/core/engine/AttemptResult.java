package dev.agentpipeline.core.engine;

import dev.agentpipeline.core.run.Attempt;
import dev.agentpipeline.core.store.RunSnapshot;

import org.apiguardian.api.API;

import java.util.Objects;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * The result of starting or finishing an attempt.
 *
 * @param run the run afterwards
 * @param attempt the attempt
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public record AttemptResult(RunSnapshot run, Attempt attempt) {

    /** Validates. */
    public AttemptResult {
        Objects.requireNonNull(run, "run");
        Objects.requireNonNull(attempt, "attempt");
    }
}
