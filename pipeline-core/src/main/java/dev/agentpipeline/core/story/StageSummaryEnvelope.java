package dev.agentpipeline.core.story;

import dev.agentpipeline.spi.SummaryEnvelope;

import org.apiguardian.api.API;

import java.util.List;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * The stage summary envelope, a closed schema:
 * <pre>
 * {schema_version, summary_kind: "pipeline-stage", run_id, identifier, producer_skill, produced_at,
 *  payload: {stage: 0..3, story_id, status: completed|skipped|error, final_result, story_status,
 *            verdict?, readiness_score?, quality_score?, warnings[], artifact_path?, metadata{}}}
 * </pre>
 * {@link #validate(Object)} lists every way a value breaks it, with the JSON path of each problem. The rules are the
 * SPI's {@link SummaryEnvelope}, shared with plugins that read envelopes programs write.
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class StageSummaryEnvelope {

    /** The {@code summary_kind} of a pipeline stage summary. */
    public static final String KIND = SummaryEnvelope.KIND;

    private StageSummaryEnvelope() {
    }

    /**
     * Checks a value against the envelope schema.
     *
     * @param value the parsed JSON value
     * @return the problems, each as {@code "$.payload.stage must be an integer 0..3, got \"x\""}; empty when valid
     */
    public static List<String> validate(Object value) {
        return SummaryEnvelope.validate(value);
    }
}
