package dev.agentpipeline.spi;

import org.apiguardian.api.API;

import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.ArrayList;

import static org.apiguardian.api.API.Status.STABLE;

/**
 * What one attempt of a stage produced: its status, verdict, scores, metrics, progress evidence, failure,
 * notes, warnings and free-form attributes. Immutable.
 *
 * <p>Create one with a named factory and its builder:
 * <pre>{@code
 * StageOutcome go = StageOutcome.completed()
 *         .verdict("GO")
 *         .score("readiness", 8)
 *         .notes("All acceptance criteria are testable.")
 *         .build();
 *
 * StageOutcome limited = StageOutcome.failed(FailureClass.RATE_LIMITED, "HTTP 429 from the model API").build();
 * }</pre>
 *
 * <p>Guards of a pipeline definition read these values: {@code verdict}, {@code scores.readiness},
 * {@code metrics."coverage.line"}, {@code attributes.story_status}...
 *
 * @since 0.1
 */
@API(status = STABLE, since = "0.1")
public final class StageOutcome {

    private final OutcomeStatus status;
    private final String verdict;
    private final Map<String, Double> scores;
    private final Map<String, Double> metrics;
    private final Set<ProgressSignal> progress;
    private final Failure failure;
    private final String notes;
    private final List<String> warnings;
    private final Map<String, Object> attributes;

    private StageOutcome(Builder builder) {
        this.status = builder.status;
        this.verdict = builder.verdict;
        this.scores = Collections.unmodifiableMap(new LinkedHashMap<>(builder.scores));
        this.metrics = Collections.unmodifiableMap(new LinkedHashMap<>(builder.metrics));
        this.progress = builder.progress.isEmpty()
                ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(builder.progress));
        this.failure = builder.failure;
        this.notes = builder.notes;
        this.warnings = List.copyOf(builder.warnings);
        this.attributes = JsonValues.copyOfMap(builder.attributes);
    }

    /**
     * Starts an outcome for a stage that did its work.
     *
     * @return a builder, never null
     */
    public static Builder completed() {
        return new Builder(OutcomeStatus.COMPLETED);
    }

    /**
     * Starts an outcome for a stage that had nothing to do.
     *
     * @param reason why, kept as the notes
     * @return a builder, never null
     */
    public static Builder skipped(String reason) {
        return new Builder(OutcomeStatus.SKIPPED).notes(reason);
    }

    /**
     * Starts an outcome for a stage that could not do its work.
     *
     * @param failureClass why, in terms the retry and loop-health policies act on; not {@link FailureClass#NONE}
     * @param message what went wrong, for people
     * @return a builder, never null
     */
    public static Builder failed(FailureClass failureClass, String message) {
        Builder builder = new Builder(OutcomeStatus.FAILED);
        builder.failure = Failure.of(failureClass, message);
        return builder;
    }

    /**
     * Starts a builder holding a copy of this outcome, to derive a changed one.
     *
     * @return a builder, never null
     */
    public Builder toBuilder() {
        Builder builder = new Builder(status);
        builder.verdict = verdict;
        builder.scores.putAll(scores);
        builder.metrics.putAll(metrics);
        builder.progress.addAll(progress);
        builder.failure = failure;
        builder.notes = notes;
        builder.warnings.addAll(warnings);
        builder.attributes.putAll(attributes);
        return builder;
    }

    /** @return how the attempt ended, never null */
    public OutcomeStatus status() {
        return status;
    }

    /** @return the stage's verdict ({@code "GO"}, {@code "FAIL"}...), if it gave one */
    public Optional<String> verdict() {
        return Optional.ofNullable(verdict);
    }

    /** @return named scores ({@code readiness}, {@code quality_score}...), unmodifiable, never null */
    public Map<String, Double> scores() {
        return scores;
    }

    /**
     * One score.
     *
     * @param name the score's name
     * @return the score, if the stage gave it
     */
    public Optional<Double> score(String name) {
        return Optional.ofNullable(scores.get(name));
    }

    /** @return named measurements ({@code tests.failed}, {@code coverage.line}...), unmodifiable, never null */
    public Map<String, Double> metrics() {
        return metrics;
    }

    /** @return objective evidence of progress this attempt made, unmodifiable, never null */
    public Set<ProgressSignal> progress() {
        return progress;
    }

    /** @return why the attempt failed; present exactly when the status is {@link OutcomeStatus#FAILED} */
    public Optional<Failure> failure() {
        return Optional.ofNullable(failure);
    }

    /** @return the failure class, {@link FailureClass#NONE} when the attempt did not fail */
    public FailureClass failureClass() {
        return failure == null ? FailureClass.NONE : failure.failureClass();
    }

    /** @return notes for the report (key decisions, artifacts), never null, may be empty */
    public String notes() {
        return notes;
    }

    /** @return warnings worth a person's attention, unmodifiable, never null */
    public List<String> warnings() {
        return warnings;
    }

    /** @return other JSON-compatible values the stage reports ({@code story_status}...), unmodifiable */
    public Map<String, Object> attributes() {
        return attributes;
    }

    /**
     * One attribute.
     *
     * @param name the attribute's name
     * @return its value, if present and not null
     */
    public Optional<Object> attribute(String name) {
        return Optional.ofNullable(attributes.get(name));
    }

    @Override
    public boolean equals(Object other) {
        if (this == other) {
            return true;
        }
        if (!(other instanceof StageOutcome that)) {
            return false;
        }
        return status == that.status && Objects.equals(verdict, that.verdict) && scores.equals(that.scores)
                && metrics.equals(that.metrics) && progress.equals(that.progress)
                && Objects.equals(failure, that.failure) && notes.equals(that.notes)
                && warnings.equals(that.warnings) && attributes.equals(that.attributes);
    }

    @Override
    public int hashCode() {
        return Objects.hash(status, verdict, scores, metrics, progress, failure, notes, warnings, attributes);
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("StageOutcome[").append(status.wireName());
        if (verdict != null) {
            text.append(", verdict=").append(verdict);
        }
        if (!scores.isEmpty()) {
            text.append(", scores=").append(scores);
        }
        if (failure != null) {
            text.append(", failure=").append(failure.failureClass().wireName()).append(": ").append(failure.message());
        }
        return text.append(']').toString();
    }

    /**
     * Builds a {@link StageOutcome}. Not thread-safe; {@link #build()} copies, so reusing a builder cannot
     * change an outcome already built.
     *
     * @since 0.1
     */
    public static final class Builder {
        private final OutcomeStatus status;
        private String verdict;
        private final Map<String, Double> scores = new LinkedHashMap<>();
        private final Map<String, Double> metrics = new LinkedHashMap<>();
        private final Set<ProgressSignal> progress = EnumSet.noneOf(ProgressSignal.class);
        private Failure failure;
        private String notes = "";
        private final List<String> warnings = new ArrayList<>();
        private final Map<String, Object> attributes = new LinkedHashMap<>();

        private Builder(OutcomeStatus status) {
            this.status = status;
        }

        /**
         * Sets the verdict.
         *
         * @param verdict for example {@code "GO"}, {@code "NO-GO"}, {@code "PASS"}, {@code "FAIL"}; null clears it
         * @return this builder
         * @throws IllegalArgumentException if the verdict is blank
         */
        public Builder verdict(String verdict) {
            if (verdict != null && verdict.isBlank()) {
                throw new IllegalArgumentException("verdict must not be blank; pass null for no verdict");
            }
            this.verdict = verdict;
            return this;
        }

        /**
         * Sets a named score.
         *
         * @param name the score's name, for example {@code readiness}
         * @param value a finite number
         * @return this builder
         * @throws IllegalArgumentException if the name is blank or the value is not finite
         */
        public Builder score(String name, double value) {
            scores.put(requireName(name, "score"), requireFinite(name, value));
            return this;
        }

        /**
         * Sets a named metric.
         *
         * @param name the metric's name, for example {@code coverage.line}
         * @param value a finite number
         * @return this builder
         * @throws IllegalArgumentException if the name is blank or the value is not finite
         */
        public Builder metric(String name, double value) {
            metrics.put(requireName(name, "metric"), requireFinite(name, value));
            return this;
        }

        /**
         * Adds progress evidence.
         *
         * @param signals the signals to add
         * @return this builder
         */
        public Builder progress(ProgressSignal... signals) {
            for (ProgressSignal signal : signals) {
                progress.add(Objects.requireNonNull(signal, "signal"));
            }
            return this;
        }

        /**
         * Sets the notes for the report.
         *
         * @param notes the notes; null means none
         * @return this builder
         */
        public Builder notes(String notes) {
            this.notes = notes == null ? "" : notes;
            return this;
        }

        /**
         * Adds a warning.
         *
         * @param warning the warning, not null
         * @return this builder
         */
        public Builder warning(String warning) {
            warnings.add(Objects.requireNonNull(warning, "warning"));
            return this;
        }

        /**
         * Sets a JSON-compatible attribute (see {@link JsonValues}).
         *
         * @param name the attribute's name
         * @param value the value
         * @return this builder
         * @throws IllegalArgumentException if the name is blank or the value is not JSON-compatible
         */
        public Builder attribute(String name, Object value) {
            attributes.put(requireName(name, "attribute"), JsonValues.copyOf(value));
            return this;
        }

        /**
         * Builds the outcome.
         *
         * @return the outcome, never null
         */
        public StageOutcome build() {
            return new StageOutcome(this);
        }

        private static String requireName(String name, String what) {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException(what + " name must not be blank");
            }
            return name;
        }

        private static double requireFinite(String name, double value) {
            if (Double.isNaN(value) || Double.isInfinite(value)) {
                throw new IllegalArgumentException(name + " must be a finite number, got " + value);
            }
            return value;
        }
    }
}
