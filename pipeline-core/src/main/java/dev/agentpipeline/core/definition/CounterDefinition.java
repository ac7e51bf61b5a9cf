package dev.agentpipeline.core.definition;

import dev.agentpipeline.core.guard.MessageTemplate;

import org.apiguardian.api.API;

import java.util.Objects;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * A counter a run keeps, with the limit its transitions may not exceed and what to say when one tries.
 * Immutable.
 *
 * <p>A transition that {@code increments} the counter is rejected once the counter has reached its limit; the
 * rejection's error and recovery are templates that may use {@code ${limit}}, {@code ${value}} and
 * {@code ${counter}}. With {@code limit: 2}, a transition that increments the counter can happen twice.
 *
 * @param id the counter's name ({@code quality_cycles})
 * @param limit how many increments are allowed, at least 0
 * @param code the rejection code when the limit is reached
 * @param error the rejection error template
 * @param recovery the rejection recovery template
 * @param location where it was defined
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public record CounterDefinition(String id, int limit, String code, MessageTemplate error, MessageTemplate recovery,
                                SourceLocation location) {

    /**
     * Validates.
     *
     * @throws IllegalArgumentException if the limit is negative
     */
    public CounterDefinition {
        Objects.requireNonNull(id, "id");
        if (limit < 0) {
            throw new IllegalArgumentException("counter " + id + ": limit must be 0 or more, got " + limit);
        }
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(error, "error");
        Objects.requireNonNull(recovery, "recovery");
        Objects.requireNonNull(location, "location");
    }

    /**
     * A counter with default messages: "Counter ID reached its limit (N)" / "Escalate to a person".
     *
     * @param id the counter's name
     * @param limit how many increments are allowed
     * @return the counter
     */
    public static CounterDefinition of(String id, int limit) {
        return of(id, limit, "Counter " + id + " reached its limit (${limit})", "Escalate to a person");
    }

    /**
     * A counter with its own messages.
     *
     * @param id the counter's name
     * @param limit how many increments are allowed
     * @param error the error template
     * @param recovery the recovery template
     * @return the counter
     */
    public static CounterDefinition of(String id, int limit, String error, String recovery) {
        return new CounterDefinition(id, limit, id + "_limit", MessageTemplate.of(error), MessageTemplate.of(recovery),
                SourceLocation.BUILDER);
    }

    /**
     * @param newLimit the limit
     * @return this counter with another limit
     */
    public CounterDefinition withLimit(int newLimit) {
        return new CounterDefinition(id, newLimit, code, error, recovery, location);
    }
}
