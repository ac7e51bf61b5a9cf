package dev.agentpipeline.core.engine;

import dev.agentpipeline.core.store.RunSnapshot;

import org.apiguardian.api.API;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * What became of a signal handed to a run ({@link PipelineRuntime#receiveSignal}). Immutable.
 *
 * @param status what became of it
 * @param signalId the signal's id
 * @param stateId the state the signal names (null when its name is unknown)
 * @param message what happened, for people, never null
 * @param problems what is wrong with it ({@link Status#INVALID}), each with its JSON path
 * @param run the run afterwards, or null when the run does not exist
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public record SignalReceipt(Status status, String signalId, String stateId, String message, List<String> problems,
                            RunSnapshot run) {

    /**
     * What became of a signal.
     *
     * @since 0.1
     */
    @API(status = EXPERIMENTAL, since = "0.1")
    public enum Status {
        /** Recorded, and the run is in the state that waits for it: it counts now. */
        ACCEPTED(true),
        /** Recorded, but the run is in another state: it counts only during a visit of its state that it came in. */
        RECORDED_OUT_OF_STATE(true),
        /** The run recorded a signal of this id before: nothing changed. */
        DUPLICATE(true),
        /** The run ended: nothing changed; the signal is kept aside. */
        RUN_ENDED(false),
        /** No state of the run's definition waits for a signal of this name: nothing changed. */
        UNKNOWN_SIGNAL(false),
        /** The payload does not have the format the state asks for: nothing changed. */
        INVALID(false),
        /** No run has this id: nothing changed. */
        UNKNOWN_RUN(false);

        private final boolean consumed;

        Status(boolean consumed) {
            this.consumed = consumed;
        }

        /** @return whether the run's journal holds the signal (so its file may go) */
        public boolean consumed() {
            return consumed;
        }

        /** @return the wire name ({@code recorded_out_of_state}) */
        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** Validates and copies. */
    public SignalReceipt {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(signalId, "signalId");
        message = message == null ? "" : message;
        problems = problems == null ? List.of() : List.copyOf(problems);
    }

    /** @return the run afterwards, if it exists */
    public Optional<RunSnapshot> runIfAny() {
        return Optional.ofNullable(run);
    }
}
