package dev.agentpipeline.core.engine;

import dev.agentpipeline.core.store.RunSnapshot;

import org.apiguardian.api.API;

import java.util.Objects;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * Where {@link Orchestrator#drive(String)} left a run.
 *
 * @param run the run
 * @param status why driving stopped
 * @param reason details (the pause reason...), never null
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public record DriveResult(RunSnapshot run, Status status, String reason) {

    /** Why driving stopped. */
    public enum Status {
        /** The run reached its terminal state. */
        COMPLETED,
        /** The run paused and waits for a person. */
        PAUSED,
        /** {@link Orchestrator#requestStop()} was called; the run can be driven again later. */
        STOPPED
    }

    /** Validates. */
    public DriveResult {
        Objects.requireNonNull(run, "run");
        Objects.requireNonNull(status, "status");
        reason = reason == null ? "" : reason;
    }
}
