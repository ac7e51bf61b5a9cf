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
 * @param waitingFor what the run waits for when {@code status} is {@link Status#WAITING}, else null
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public record DriveResult(RunSnapshot run, Status status, String reason, Wait waitingFor) {

    /** Why driving stopped. */
    public enum Status {
        /** The run reached its terminal state. */
        COMPLETED,
        /** The run paused and waits for a person. */
        PAUSED,
        /** {@link Orchestrator#requestStop()} was called; the run can be driven again later. */
        STOPPED,
        /**
         * The run waits for a signal, a decision, child runs or (for an orchestrator that does not sleep through
         * timers) a timer: {@link DriveResult#waitingFor()} says which; it holds no thread, and whoever ends the wait (a
         * worker) drives it again.
         */
        WAITING,
        /** Another driver (a worker in this or another process) drives the run now; nothing was done. */
        BUSY
    }

    /**
     * A result that is not {@link Status#WAITING}.
     *
     * @param run the run
     * @param status why driving stopped
     * @param reason details
     */
    public DriveResult(RunSnapshot run, Status status, String reason) {
        this(run, status, reason, null);
    }

    /** Validates. */
    public DriveResult {
        Objects.requireNonNull(run, "run");
        Objects.requireNonNull(status, "status");
        reason = reason == null ? "" : reason;
    }
}
