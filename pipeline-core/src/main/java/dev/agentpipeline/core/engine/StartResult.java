package dev.agentpipeline.core.engine;

import dev.agentpipeline.core.store.RunSnapshot;

import org.apiguardian.api.API;

import java.util.Objects;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * The result of starting a run: a new run, or the subject's unfinished run, which must be resumed instead.
 *
 * @param run the run
 * @param recovered true when the subject already had an unfinished run and no new one was started
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public record StartResult(RunSnapshot run, boolean recovered) {

    /** Validates. */
    public StartResult {
        Objects.requireNonNull(run, "run");
    }
}
