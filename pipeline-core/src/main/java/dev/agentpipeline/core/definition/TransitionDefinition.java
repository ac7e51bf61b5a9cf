package dev.agentpipeline.core.definition;

import dev.agentpipeline.core.guard.Guard;

import org.apiguardian.api.API;

import java.time.Duration;
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
 * @param backoff how long the run waits after taking it before the state it enters starts working, by the value
 *     its counter reached (the first for 1, the second for 2..., the last for more; the first if it has no
 *     counter); empty for no wait. The wait is a durable timer.
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public record TransitionDefinition(String from, String to, List<GuardDefinition> guards, String increments,
                                   String description, SourceLocation location, List<Duration> backoff) {

    /** Validates and copies. */
    public TransitionDefinition {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        guards = List.copyOf(guards);
        description = description == null ? "" : description;
        Objects.requireNonNull(location, "location");
        backoff = backoff == null ? List.of() : List.copyOf(backoff);
        for (Duration wait : backoff) {
            if (wait.isNegative()) {
                throw new IllegalArgumentException("a backoff cannot be negative, got " + wait);
            }
        }
    }

    /**
     * A transition without a backoff.
     *
     * @param from the state it leaves
     * @param to the state it enters
     * @param guards the guards
     * @param increments the counter it increments, or null
     * @param description what it means
     * @param location where it was defined
     */
    public TransitionDefinition(String from, String to, List<GuardDefinition> guards, String increments,
                                String description, SourceLocation location) {
        this(from, to, guards, increments, description, location, List.of());
    }

    /**
     * @param counterValue the value the transition's counter reached when it was taken (ignored without a counter)
     * @return how long to wait before the entered state works; zero when the transition has no backoff
     */
    public Duration backoffAfter(int counterValue) {
        if (backoff.isEmpty()) {
            return Duration.ZERO;
        }
        int index = increments == null ? 0 : Math.max(0, Math.min(counterValue, backoff.size()) - 1);
        return backoff.get(index);
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
        private List<Duration> backoff = List.of();

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

        /**
         * @param waits how long to wait after the transition before the entered state works, by the counter's value
         * @return this builder
         */
        public Builder backoff(List<Duration> waits) {
            this.backoff = List.copyOf(waits);
            return this;
        }

        /** @return the transition */
        public TransitionDefinition build() {
            return new TransitionDefinition(from, to, guards, increments, description, SourceLocation.BUILDER,
                    backoff);
        }
    }
}
