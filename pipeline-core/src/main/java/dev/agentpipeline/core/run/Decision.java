package dev.agentpipeline.core.run;

import org.apiguardian.api.API;

import java.time.Instant;
import java.util.Objects;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * The answer a decision gate got, as the journal recorded it: which option, who chose it and when. Immutable.
 *
 * @param option the chosen option's id (or the free answer of a gate without options)
 * @param by who answered ({@code timeout} when the gate's default was taken on expiry)
 * @param reason why, as the answerer gave it, never null
 * @param at when it was recorded
 * @param journalSequence the journal sequence of the event that recorded it
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public record Decision(String option, String by, String reason, Instant at, long journalSequence) {

    /** Who a decision is recorded by when a gate's timeout took its default option. */
    public static final String BY_TIMEOUT = "timeout";

    /** Validates. */
    public Decision {
        Objects.requireNonNull(option, "option");
        Objects.requireNonNull(by, "by");
        reason = reason == null ? "" : reason;
        Objects.requireNonNull(at, "at");
    }
}
