package dev.agentpipeline.core.engine;

import dev.agentpipeline.core.run.LoopHealthEntry;
import dev.agentpipeline.core.store.RunSnapshot;

import org.apiguardian.api.API;

import java.util.Objects;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * The result of recording a loop-health signal: the scope's entry and whether the run paused.
 *
 * @param run the run afterwards
 * @param scope the scope the signal was recorded for
 * @param entry the scope's loop-health entry
 * @param paused whether the run paused because of this signal's recommendation
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public record LoopHealthResult(RunSnapshot run, String scope, LoopHealthEntry entry, boolean paused) {

    /** Validates. */
    public LoopHealthResult {
        Objects.requireNonNull(run, "run");
        Objects.requireNonNull(scope, "scope");
        Objects.requireNonNull(entry, "entry");
    }
}
