package dev.agentpipeline.core.engine;

import org.apiguardian.api.API;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * What a run waits for, and until when: the answer to "why does this run not move?" for a worker's index and for
 * {@code pipeline status}. A waiting run holds no thread and no lock; what ends the wait is an event of its journal.
 * Immutable.
 *
 * @param kind what it waits for
 * @param stateId the state that waits
 * @param detail what exactly: the timer's purpose, the signal's name, the gate's id, the children's progress
 * @param until when the wait ends on its own (a timer's instant, a gate's or a signal's timeout), or null
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public record Wait(Kind kind, String stateId, String detail, Instant until) {

    /**
     * What a run can wait for.
     *
     * @since 0.1
     */
    @API(status = EXPERIMENTAL, since = "0.1")
    public enum Kind {
        /** A durable timer: a retry's or a transition's backoff, a monitoring window. */
        TIMER,
        /** A signal from outside. */
        SIGNAL,
        /** A person's answer at a decision gate. */
        DECISION,
        /** Child runs to end. */
        CHILDREN;

        /** @return the wire name ({@code signal}) */
        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** Validates. */
    public Wait {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(stateId, "stateId");
        detail = detail == null ? "" : detail;
    }

    /** @return when the wait ends on its own, if it does */
    public Optional<Instant> deadline() {
        return Optional.ofNullable(until);
    }

    /** @return a line for people: {@code signal PHASE_7 in PHASE_7 (until 2026-12-08T10:00:00Z)} */
    public String describe() {
        return kind.wireName() + " " + detail + " in " + stateId + (until == null ? "" : " (until " + until + ")");
    }
}
