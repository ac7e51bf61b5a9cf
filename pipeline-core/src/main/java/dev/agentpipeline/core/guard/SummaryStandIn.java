package dev.agentpipeline.core.guard;

import dev.agentpipeline.core.run.Checkpoint;
import dev.agentpipeline.core.run.RunState;
import dev.agentpipeline.core.run.SummaryPolicy;

import org.apiguardian.api.API;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * What a state's guards read as its stage summary when the run's summaries are
 * {@linkplain SummaryPolicy#OPTIONAL optional} and the state has no summary of its current visit: a summary payload
 * made from the state's fresh checkpoint, with fields that are constants or copied from the checkpoint. Immutable
 * and thread-safe.
 *
 * <p>Guards stay as they are: {@code summary.STAGE_1.verdict: {eq: GO}} reads a recorded summary when there is one,
 * else the stand-in, which copies the checkpoint's {@code verdict}. So a run whose caller never records summaries
 * is judged on its checkpoints by the same guards, with the same rejections, and loops that need a verdict (a NO-GO
 * retry, a FAIL rework) find it in the checkpoint. Without a fresh checkpoint there is no stand-in, and a field
 * the checkpoint lacks is absent from it. Under {@link SummaryPolicy#REQUIRED} (the default) stand-ins are never
 * used.
 *
 * <p>In YAML, a state's {@code summary_stand_in} maps summary fields to a constant or to
 * {@code {checkpoint: FIELD}}:
 * <pre>
 * STAGE_1:
 *   stage: story-validate
 *   summary_stand_in: {status: completed, verdict: {checkpoint: verdict}, readiness_score: {checkpoint: readiness}}
 * </pre>
 * In Java:
 * <pre>{@code
 * SummaryStandIn validation = SummaryStandIn.builder().constant("status", "completed")
 *         .fromCheckpoint("verdict", "verdict").fromCheckpoint("readiness_score", "readiness").build();
 * }</pre>
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class SummaryStandIn {

    /** A field copied from the checkpoint's payload. */
    private record FromCheckpoint(String field) {
    }

    private final Map<String, Object> fields;

    private SummaryStandIn(Map<String, Object> fields) {
        this.fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    }

    /** @return a builder */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the constant fields, by summary field, in the order they were declared */
    public Map<String, Object> constants() {
        Map<String, Object> constants = new LinkedHashMap<>();
        fields.forEach((name, value) -> {
            if (!(value instanceof FromCheckpoint)) {
                constants.put(name, value);
            }
        });
        return Collections.unmodifiableMap(constants);
    }

    /** @return the checkpoint field each copied summary field comes from, in the order they were declared */
    public Map<String, String> fromCheckpoint() {
        Map<String, String> copied = new LinkedHashMap<>();
        fields.forEach((name, value) -> {
            if (value instanceof FromCheckpoint from) {
                copied.put(name, from.field());
            }
        });
        return Collections.unmodifiableMap(copied);
    }

    /**
     * Makes the stand-in summary payload of a checkpoint.
     *
     * @param checkpointPayload the checkpoint's payload
     * @return the payload, JSON-compatible; fields the checkpoint lacks (or holds as null) are left out
     */
    public Map<String, Object> apply(Map<String, Object> checkpointPayload) {
        Map<String, Object> payload = new LinkedHashMap<>();
        fields.forEach((name, value) -> {
            if (value instanceof FromCheckpoint from) {
                Object copied = GuardContext.walk(checkpointPayload, from.field());
                if (copied != GuardContext.ABSENT && copied != null) {
                    payload.put(name, copied);
                }
            } else {
                payload.put(name, value);
            }
        });
        return payload;
    }

    /**
     * The summary payload a state's guards read: its fresh summary's {@code payload}, else - when the run's
     * summaries are optional and the state has a fresh checkpoint - the stand-in made from that checkpoint.
     *
     * @param run the run
     * @param stateId the state
     * @param standIn the state's stand-in, or null if its definition declares none
     * @return the payload, empty if the state has neither
     */
    public static Optional<Map<String, Object>> summaryOf(RunState run, String stateId, SummaryStandIn standIn) {
        Optional<Map<String, Object>> summary = run.freshSummary(stateId);
        if (summary.isPresent()) {
            @SuppressWarnings("unchecked")
            Map<String, Object> payload = summary.get().get("payload") instanceof Map<?, ?> p
                    ? (Map<String, Object>) p : summary.get();
            return Optional.of(payload);
        }
        if (standIn == null || SummaryPolicy.of(run) != SummaryPolicy.OPTIONAL) {
            return Optional.empty();
        }
        return run.freshCheckpoint(stateId).map(Checkpoint::payload).map(standIn::apply);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof SummaryStandIn that && fields.equals(that.fields);
    }

    @Override
    public int hashCode() {
        return fields.hashCode();
    }

    @Override
    public String toString() {
        return "SummaryStandIn" + fields;
    }

    /**
     * Builds a {@link SummaryStandIn}.
     *
     * @since 0.1
     */
    public static final class Builder {
        private final Map<String, Object> fields = new LinkedHashMap<>();

        private Builder() {
        }

        /**
         * A field with a fixed value.
         *
         * @param field the summary field ({@code status})
         * @param value a string, number or boolean ({@code completed})
         * @return this builder
         * @throws IllegalArgumentException if the field is blank or declared twice, or the value is not a scalar
         */
        public Builder constant(String field, Object value) {
            if (!(value instanceof String || value instanceof Number || value instanceof Boolean)) {
                throw new IllegalArgumentException("summary stand-in field '" + field + "' must be a string, number"
                        + " or boolean, or {checkpoint: FIELD}; got " + (value == null ? "null"
                        : value.getClass().getSimpleName()));
            }
            return put(field, value);
        }

        /**
         * A field copied from the checkpoint.
         *
         * @param field the summary field ({@code readiness_score})
         * @param checkpointField the checkpoint's field ({@code readiness}); dots walk into nested objects
         * @return this builder
         * @throws IllegalArgumentException if a name is blank or the field is declared twice
         */
        public Builder fromCheckpoint(String field, String checkpointField) {
            if (checkpointField == null || checkpointField.isBlank()) {
                throw new IllegalArgumentException("summary stand-in field '" + field + "' must name a checkpoint"
                        + " field, such as {checkpoint: verdict}");
            }
            return put(field, new FromCheckpoint(checkpointField));
        }

        private Builder put(String field, Object value) {
            if (field == null || field.isBlank()) {
                throw new IllegalArgumentException("a summary stand-in field needs a name");
            }
            if (fields.putIfAbsent(field, value) != null) {
                throw new IllegalArgumentException("summary stand-in field '" + field + "' is declared twice");
            }
            return this;
        }

        /**
         * @return the stand-in
         * @throws IllegalStateException if it has no field
         */
        public SummaryStandIn build() {
            if (fields.isEmpty()) {
                throw new IllegalStateException("a summary stand-in needs at least one field, such as"
                        + " status: completed");
            }
            return new SummaryStandIn(fields);
        }
    }
}
