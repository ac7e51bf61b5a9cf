package dev.agentpipeline.core.worker;

import dev.agentpipeline.core.engine.Wait;

import org.apiguardian.api.API;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * Where a run stands in a {@link Worker}'s index. Immutable.
 *
 * @param runId the run
 * @param pipelineId its definition
 * @param phase the state it is in ({@code PAUSED} when paused)
 * @param status what the worker knows of it
 * @param waitingFor what it waits for when {@code status} is {@link Status#WAITING}, else null
 * @param message details: the pause reason, the end result, the error, never null
 * @param at when the worker learned it
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public record RunStatus(String runId, String pipelineId, String phase, Status status, Wait waitingFor, String message,
                        Instant at) {

    /**
     * What a worker knows of a run.
     *
     * @since 0.1
     */
    @API(status = EXPERIMENTAL, since = "0.1")
    public enum Status {
        /** It can move: the worker drives it as soon as a thread is free. */
        RUNNABLE,
        /** Being driven now. */
        DRIVING,
        /** It waits for a signal, a decision, a timer or child runs. */
        WAITING,
        /** It waits for a person to resume it. */
        PAUSED,
        /** It ended. */
        ENDED,
        /** Another driver (a worker in another process) drives it; looked at again at the next rescan. */
        BUSY,
        /** Driving it failed (a missing plugin, a damaged journal); looked at again when its journal changes. */
        FAILED;

        /** @return the wire name ({@code waiting}) */
        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** Validates. */
    public RunStatus {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(status, "status");
        message = message == null ? "" : message;
        Objects.requireNonNull(at, "at");
    }

    /** @return what it waits for, if it waits */
    public Optional<Wait> waitIfAny() {
        return Optional.ofNullable(waitingFor);
    }

    /** @return one line for people: {@code phase-1 PHASE_7 waiting: signal PHASE_7 in PHASE_7} */
    public String line() {
        return runId + " " + phase + " " + status.wireName() + (waitingFor != null ? ": " + waitingFor.describe()
                : message.isEmpty() ? "" : ": " + message);
    }
}
