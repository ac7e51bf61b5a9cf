package dev.agentpipeline.core.engine;

import dev.agentpipeline.core.run.Checkpoint;
import dev.agentpipeline.core.store.RunSnapshot;

import org.apiguardian.api.API;

import java.util.Objects;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * The result of recording a checkpoint.
 *
 * @param run the run afterwards
 * @param checkpoint the checkpoint recorded
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public record CheckpointResult(RunSnapshot run, Checkpoint checkpoint) {

    /** Validates. */
    public CheckpointResult {
        Objects.requireNonNull(run, "run");
        Objects.requireNonNull(checkpoint, "checkpoint");
    }
}
