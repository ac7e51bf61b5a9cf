package dev.agentpipeline.core.run;

import org.apiguardian.api.API;

import java.time.Instant;
import java.util.Objects;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * A durable timer of a run: an instant the run waits for (a retry's backoff, a gate's timeout, a monitoring
 * window), recorded in its journal so that a restart resumes the wait where it was. A timer fires once: its
 * firing is recorded too, and a fired timer is never due again. Immutable.
 *
 * @param id the timer's id, unique within the run ({@code retry-stage_2-3}, {@code gate-REVIEW-1})
 * @param stateId the state whose visit it belongs to
 * @param purpose what it is for: {@code retry}, {@code backoff}, {@code gate_timeout}, {@code signal_timeout}...
 * @param due when it fires
 * @param visit the journal sequence that started the visit it belongs to; leaving the visit cancels it
 * @param setSequence the journal sequence of the event that set it
 * @param firedSequence the journal sequence of the event that fired it, 0 while it has not fired
 * @param canceled whether it was canceled (its visit ended, or a person resumed the run) before it fired
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public record Timer(String id, String stateId, String purpose, Instant due, long visit, long setSequence,
                    long firedSequence, boolean canceled) {

    /** The purpose of a failed attempt's backoff before it is retried. */
    public static final String RETRY = "retry";
    /** The purpose of a transition's backoff before the state it enters starts working. */
    public static final String BACKOFF = "backoff";
    /** The purpose of a decision gate's timeout. */
    public static final String GATE_TIMEOUT = "gate_timeout";
    /** The purpose of the limit on how long a state waits for its signal. */
    public static final String SIGNAL_TIMEOUT = "signal_timeout";

    /** Validates. */
    public Timer {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(stateId, "stateId");
        Objects.requireNonNull(purpose, "purpose");
        Objects.requireNonNull(due, "due");
    }

    /** @return whether it neither fired nor was canceled */
    public boolean open() {
        return firedSequence == 0 && !canceled;
    }

    /**
     * @param now the time
     * @return whether it is open and its instant has come
     */
    public boolean dueAt(Instant now) {
        return open() && !now.isBefore(due);
    }

    Timer fired(long sequence) {
        return new Timer(id, stateId, purpose, due, visit, setSequence, sequence, canceled);
    }

    Timer cancel() {
        return open() ? new Timer(id, stateId, purpose, due, visit, setSequence, firedSequence, true) : this;
    }
}
