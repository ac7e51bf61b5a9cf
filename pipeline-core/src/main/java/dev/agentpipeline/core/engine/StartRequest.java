package dev.agentpipeline.core.engine;

import dev.agentpipeline.core.run.SummaryPolicy;
import dev.agentpipeline.spi.JsonValues;

import org.apiguardian.api.API;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * What to start a run for. Immutable; build with {@link #builder(String, String)}.
 *
 * <pre>{@code
 * StartRequest request = StartRequest.builder("story", "US001")
 *         .title("Login form")
 *         .attribute("business_answers", Map.of("auth", "JWT"))
 *         .build();
 * }</pre>
 *
 * @param pipelineId the pipeline definition
 * @param subjectId what the run is about (checked to be a safe id)
 * @param title the subject's title
 * @param manifest immutable inputs recorded with the run (JSON-compatible)
 * @param attributes initial attributes (JSON-compatible), shown in the run's state
 * @param limits counter limits for this run that differ from the definition's (checked when the run starts)
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public record StartRequest(String pipelineId, String subjectId, String title, Map<String, Object> manifest,
                           Map<String, Object> attributes, Map<String, Integer> limits) {

    /** Validates and copies. */
    public StartRequest {
        Objects.requireNonNull(pipelineId, "pipelineId");
        Objects.requireNonNull(subjectId, "subjectId");
        title = title == null ? "" : title;
        manifest = JsonValues.copyOfMap(manifest);
        attributes = JsonValues.copyOfMap(attributes);
        limits = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(limits));
    }

    /**
     * @param pipelineId the pipeline
     * @param subjectId the subject
     * @return a builder
     */
    public static Builder builder(String pipelineId, String subjectId) {
        return new Builder(pipelineId, subjectId);
    }

    /**
     * Builds a {@link StartRequest}.
     *
     * @since 0.1
     */
    public static final class Builder {
        private final String pipelineId;
        private final String subjectId;
        private String title = "";
        private final Map<String, Object> manifest = new LinkedHashMap<>();
        private final Map<String, Object> attributes = new LinkedHashMap<>();
        private final Map<String, Integer> limits = new LinkedHashMap<>();

        private Builder(String pipelineId, String subjectId) {
            this.pipelineId = pipelineId;
            this.subjectId = subjectId;
        }

        /**
         * @param text the subject's title
         * @return this builder
         */
        public Builder title(String text) {
            this.title = text;
            return this;
        }

        /**
         * @param key a manifest key
         * @param value a JSON-compatible value
         * @return this builder
         */
        public Builder manifest(String key, Object value) {
            manifest.put(key, value);
            return this;
        }

        /**
         * @param key an attribute key
         * @param value a JSON-compatible value
         * @return this builder
         */
        public Builder attribute(String key, Object value) {
            attributes.put(key, value);
            return this;
        }

        /**
         * @param values attributes to add
         * @return this builder
         */
        public Builder attributes(Map<String, ?> values) {
            attributes.putAll(values);
            return this;
        }

        /**
         * @param values manifest entries to add
         * @return this builder
         */
        public Builder manifest(Map<String, ?> values) {
            manifest.putAll(values);
            return this;
        }

        /**
         * Whether this run's stage summaries are optional: recorded in the manifest under
         * {@value SummaryPolicy#MANIFEST_KEY}, and kept by the run for good (see {@link SummaryPolicy}).
         *
         * @param policy the policy
         * @return this builder
         * @since 0.1
         */
        public Builder summaries(SummaryPolicy policy) {
            manifest.put(SummaryPolicy.MANIFEST_KEY, Objects.requireNonNull(policy, "policy").wireName());
            return this;
        }

        /**
         * Sets this run's limit of a counter, instead of the definition's.
         *
         * @param counter a counter of the pipeline
         * @param limit the limit, 0 or more
         * @return this builder
         * @throws IllegalArgumentException if the limit is negative
         */
        public Builder limit(String counter, int limit) {
            if (limit < 0) {
                throw new IllegalArgumentException("limit of " + counter + " must be 0 or more, got " + limit);
            }
            limits.put(Objects.requireNonNull(counter, "counter"), limit);
            return this;
        }

        /** @return the request */
        public StartRequest build() {
            return new StartRequest(pipelineId, subjectId, title, manifest, attributes, limits);
        }
    }
}
