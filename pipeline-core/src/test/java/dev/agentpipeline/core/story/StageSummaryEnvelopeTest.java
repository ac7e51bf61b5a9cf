package dev.agentpipeline.core.story;

import dev.agentpipeline.core.testing.StoryRuns;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The closed schema of the stage summary envelope, with the JSON path of every problem. */
class StageSummaryEnvelopeTest {

    private static Map<String, Object> valid() {
        Map<String, Object> payload = StoryRuns.payload(1, "completed", "GO", "Todo");
        payload.put("readiness_score", 8);
        payload.put("quality_score", null);
        payload.put("artifact_path", null);
        Map<String, Object> envelope = new LinkedHashMap<>();
        envelope.put("schema_version", "1");
        envelope.put("summary_kind", "pipeline-stage");
        envelope.put("run_id", "story-us001-1");
        envelope.put("identifier", "US001");
        envelope.put("producer_skill", "ln-310");
        envelope.put("produced_at", "2026-11-21T10:00:00Z");
        envelope.put("payload", payload);
        return envelope;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> payload(Map<String, Object> envelope) {
        return (Map<String, Object>) envelope.get("payload");
    }

    @Test
    void acceptsAValidEnvelope() {
        assertThat(StageSummaryEnvelope.validate(valid())).isEmpty();
    }

    @Test
    void acceptsAnOffsetTimestampAndMissingOptionalFields() {
        Map<String, Object> envelope = valid();
        envelope.put("produced_at", "2026-11-21T10:00:00+02:00");
        payload(envelope).remove("verdict");
        payload(envelope).remove("metadata");
        payload(envelope).remove("readiness_score");

        assertThat(StageSummaryEnvelope.validate(envelope)).isEmpty();
    }

    @Test
    void rejectsAValueThatIsNotAnObject() {
        assertThat(StageSummaryEnvelope.validate(List.of())).containsExactly("$ must be an object, got array");
    }

    @Test
    void namesEveryProblemWithItsPath() {
        // Given
        Map<String, Object> envelope = valid();
        envelope.put("summary_kind", "task");
        envelope.put("extra", true);
        envelope.remove("run_id");
        envelope.put("produced_at", "yesterday");
        Map<String, Object> payload = payload(envelope);
        payload.put("stage", 7);
        payload.put("status", "done");
        payload.put("readiness_score", "high");
        payload.put("warnings", Arrays.asList("ok", 3));
        payload.put("metadata", "none");
        payload.put("verdict", 1);
        payload.put("surprise", 1);
        payload.put("story_status", "");

        // When
        List<String> problems = StageSummaryEnvelope.validate(envelope);

        // Then
        assertThat(problems).contains(
                "$.summary_kind must be \"pipeline-stage\", got \"task\"",
                "$.run_id must be a non-empty string, got nothing (the field is missing)",
                "$.produced_at must be an ISO-8601 date-time such as 2026-11-21T10:00:00Z, got \"yesterday\"",
                "$.payload.stage must be an integer 0..3, got number 7",
                "$.payload.status must be one of completed, skipped, error, got \"done\"",
                "$.payload.readiness_score must be a number or null, got \"high\"",
                "$.payload.warnings[1] must be a string, got number",
                "$.payload.metadata must be an object, got \"none\"",
                "$.payload.verdict must be a string or null, got number 1",
                "$.payload.story_status must be a non-empty string, got \"\"");
        assertThat(problems).anyMatch(p -> p.startsWith("$ has an unknown field 'extra'; allowed: identifier,"));
        assertThat(problems).anyMatch(p -> p.startsWith("$.payload has an unknown field 'surprise'"));
    }

    @Test
    void rejectsAMissingPayload() {
        Map<String, Object> envelope = valid();
        envelope.remove("payload");

        assertThat(StageSummaryEnvelope.validate(envelope))
                .containsExactly("$.payload must be an object, got nothing (the field is missing)");
    }
}
