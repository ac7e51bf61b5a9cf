package dev.agentpipeline.core.definition;

import dev.agentpipeline.core.guard.Guard;

import org.apiguardian.api.API;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * An allowed move from one state to another: the guards that must allow it, in order, and the counter it
 * increments. Immutable.
 *
 * <pre>{@code
 * TransitionDefinition rework = TransitionDefinition.builder("STAGE_3", "STAGE_2")
 *         .guard(Guards.require(Condition.of("summary.STAGE_3.verdict", Operator.EQ, "FAIL"))
 *                 .orReject("fail_summary_missing", "Stage 3 FAIL summary missing", "Record the failing gate"))
 *         .increments("quality_cycles")
 *         .build();
 * }</pre>
 *
 * @param from the state it leaves
 * @param to the state it enters
 * @param guards the guards, checked in order; the first rejection wins
 * @param increments the counter it increments (checked against the counter's limit after the guards), or null
 * @param description what the transition means, never null
 * @param location where it was defined
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public record TransitionDefinition(String from, String to, List<GuardDefinition> guards, String increments,
                                   String description, SourceLocation location) {

    /** Validates and copies. */
    public TransitionDefinition {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        guards = List.copyOf(guards);
        description = description == null ? "" : description;
        Objects.requireNonNull(location, "location");
    }

    /** @return the counter it increments, if any */
    public Optional<String> counter() {
        return Optional.ofNullable(increments);
    }

    /**
     * @param from the state it leaves
     * @param to the state it enters
     * @return a builder
     */
    public static Builder builder(String from, String to) {
        return new Builder(from, to);
    }

    /**
     * Builds a {@link TransitionDefinition}.
     *
     * @since 0.1
     */
    public static final class Builder {
        private final String from;
        private final String to;
        private final List<GuardDefinition> guards = new ArrayList<>();
        private String increments;
        private String description = "";

        private Builder(String from, String to) {
            this.from = Objects.requireNonNull(from, "from");
            this.to = Objects.requireNonNull(to, "to");
        }

        /**
         * @param guard a guard, checked after those added before it
         * @return this builder
         */
        public Builder guard(Guard guard) {
            guards.add(new GuardDefinition(guard, SourceLocation.BUILDER));
            return this;
        }

        /**
         * @param counter the counter the transition increments
         * @return this builder
         */
        public Builder increments(String counter) {
            this.increments = Objects.requireNonNull(counter, "counter");
            return this;
        }

        /**
         * @param text what the transition means
         * @return this builder
         */
        public Builder description(String text) {
            this.description = Objects.requireNonNull(text, "text");
            return this;
        }

        /** @return the transition */
        public TransitionDefinition build() {
            return new TransitionDefinition(from, to, guards, increments, description, SourceLocation.BUILDER);
        }
    }
}
