package dev.agentpipeline.core.story;

import dev.agentpipeline.core.definition.PipelineDefinition;
import dev.agentpipeline.core.engine.OutcomeRecorder;
import dev.agentpipeline.core.run.Attempt;
import dev.agentpipeline.core.run.RunState;
import dev.agentpipeline.core.testing.RunHistory;
import dev.agentpipeline.spi.FailureClass;
import dev.agentpipeline.spi.StageOutcome;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Turning a stage outcome into the stage summary envelope and checkpoint. */
class StoryOutcomeRecorderTest {

    private final PipelineDefinition definition = StoryPipeline.definition();
    private final OutcomeRecorder recorder = StoryPipeline.recorder();

    private record Finished(RunState run, Attempt attempt) {
    }

    private static Finished finish(String stage, StageOutcome outcome) {
        RunHistory history = RunHistory.story("US001").to(stage).startAttempt("story-x").finishAttempt(outcome);
        RunState run = history.state();
        return new Finished(run, run.attempt(history.lastAttemptId()).orElseThrow());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> payloadOf(Map<String, Object> envelope) {
        return (Map<String, Object>) envelope.get("payload");
    }

    @Test
    void writesAValidEnvelopeForAFailedQualityGateWithItsReworkHint() {
        // Given
        Map<String, Object> hint = Map.of("blocking_categories", List.of("tests"), "suggested_focus", "error paths");
        Finished gate = finish("STAGE_3", StageOutcome.completed().verdict("FAIL").score("quality_score", 55)
                .metric("coverage.line", 61).notes("Two blocking issues").warning("flaky test")
                .attribute("rework_hint", hint).attribute("issues", List.of("no tests for errors"))
                .attribute("artifact_path", "docs/qa/US001.md").build());

        // When
        Map<String, Object> envelope = recorder.summary(definition, gate.run(), gate.attempt());

        // Then
        assertThat(StageSummaryEnvelope.validate(envelope)).isEmpty();
        assertThat(envelope).containsEntry("summary_kind", "pipeline-stage").containsEntry("schema_version", "1")
                .containsEntry("run_id", gate.run().runId()).containsEntry("identifier", "US001")
                .containsEntry("producer_skill", "ln-500").containsEntry("produced_at", "2026-01-05T09:00:03.000Z");
        Map<String, Object> payload = payloadOf(envelope);
        assertThat(payload).containsEntry("stage", 3).containsEntry("story_id", "US001")
                .containsEntry("status", "completed").containsEntry("verdict", "FAIL")
                .containsEntry("final_result", "FAIL").containsEntry("story_status", "To Rework")
                .containsEntry("quality_score", 55.0).containsEntry("readiness_score", null)
                .containsEntry("warnings", List.of("flaky test")).containsEntry("artifact_path", "docs/qa/US001.md");
        assertThat(payload.get("metadata")).isEqualTo(Map.of("rework_hint", hint,
                "metrics", Map.of("coverage.line", 61.0), "notes", "Two blocking issues"));
    }

    @Test
    void writesTheStoryCheckpointFields() {
        // Given
        Finished validation = finish("STAGE_1", StageOutcome.completed().verdict("NO-GO").score("readiness", 4)
                .attribute("reason", "Acceptance criteria are vague").attribute("agents_info", Map.of("codex", "ok"))
                .attribute("tasks_completed", List.of("T-1")).attribute("last_action", "Validated").build());

        // When
        Map<String, Object> checkpoint = recorder.checkpoint(definition, validation.run(), validation.attempt());

        // Then
        assertThat(checkpoint).containsEntry("stage", 1).containsEntry("verdict", "NO-GO")
                .containsEntry("readiness", 4.0).containsEntry("reason", "Acceptance criteria are vague")
                .containsEntry("agents_info", Map.of("codex", "ok")).containsEntry("tasks_completed", List.of("T-1"))
                .containsEntry("tasks_remaining", List.of()).containsEntry("last_action", "Validated")
                .containsEntry("attempt_id", validation.attempt().attemptId())
                .containsEntry("started_at", "2026-01-05T09:00:02.000Z")
                .containsEntry("completed_at", "2026-01-05T09:00:03.000Z");
        assertThat(checkpoint).doesNotContainKeys("quality_score", "plan_score", "git_stats", "notes");
    }

    @Test
    void describesTheLastActionWhenTheStageDidNot() {
        Finished decomposition = finish("STAGE_0", StageOutcome.completed().score("plan_score", 3).build());
        Finished failed = finish("STAGE_2", StageOutcome.failed(FailureClass.AGENT_ERROR, "tests fail").build());

        assertThat(recorder.checkpoint(definition, decomposition.run(), decomposition.attempt()))
                .containsEntry("last_action", "Stage 0 completed").containsEntry("plan_score", 3.0);
        assertThat(recorder.checkpoint(definition, failed.run(), failed.attempt()))
                .containsEntry("last_action", "Stage 2 error");
    }

    @ParameterizedTest(name = "stage {0} {1} {2} -> {3}")
    @CsvSource(nullValues = "none", value = {
            "0, completed, none, Backlog",
            "1, completed, GO, Todo",
            "1, completed, NO-GO, Backlog",
            "2, completed, none, To Review",
            "2, error, none, In Progress",
            "3, completed, PASS, Done",
            "3, completed, CONCERNS, Done",
            "3, completed, WAIVED, Done",
            "3, completed, FAIL, To Rework",
            "3, completed, none, To Review"})
    void derivesTheStoryStatusWhenTheStageDidNotReportOne(int stage, String status, String verdict, String expected) {
        StageOutcome outcome = "error".equals(status)
                ? StageOutcome.failed(FailureClass.AGENT_ERROR, "x").build()
                : StageOutcome.completed().verdict(verdict).build();

        assertThat(StoryOutcomeRecorder.defaultStoryStatus(stage, outcome)).isEqualTo(expected);
    }

    @Test
    void aReportedStoryStatusWins() {
        Finished execution = finish("STAGE_2", StageOutcome.completed().attribute("story_status", "In Progress").build());

        assertThat(payloadOf(recorder.summary(definition, execution.run(), execution.attempt())))
                .containsEntry("story_status", "In Progress").containsEntry("final_result", "COMPLETED");
    }

    @Test
    void refusesAStateThatIsNotAStoryStage() {
        Finished queued = finish("QUEUED", StageOutcome.completed().build());

        assertThatThrownBy(() -> recorder.summary(definition, queued.run(), queued.attempt()))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("not a story stage: QUEUED");
    }

    @Test
    void theGenericRecorderKeepsTheWholeOutcome() {
        Finished gate = finish("STAGE_3", StageOutcome.completed().verdict("PASS").score("quality_score", 90)
                .metric("coverage.line", 85).attribute("x", 1).build());
        OutcomeRecorder generic = OutcomeRecorder.generic();

        Map<String, Object> summary = generic.summary(definition, gate.run(), gate.attempt());
        Map<String, Object> checkpoint = generic.checkpoint(definition, gate.run(), gate.attempt());

        assertThat(summary).containsEntry("producer_skill", "story-x").containsEntry("summary_kind", "stage-outcome");
        assertThat(payloadOf(summary)).containsEntry("state", "STAGE_3").containsEntry("verdict", "PASS")
                .containsEntry("scores", Map.of("quality_score", 90.0))
                .containsEntry("metrics", Map.of("coverage.line", 85.0)).containsEntry("attributes", Map.of("x", 1));
        assertThat(checkpoint).containsEntry("attempt_id", gate.attempt().attemptId()).containsEntry("status", "completed");
    }
}
