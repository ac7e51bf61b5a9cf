package dev.agentpipeline.core.story;

import dev.agentpipeline.core.definition.PipelineDefinition;
import dev.agentpipeline.core.engine.OutcomeRecorder;
import dev.agentpipeline.core.internal.Times;
import dev.agentpipeline.core.run.Attempt;
import dev.agentpipeline.core.run.RunState;
import dev.agentpipeline.spi.OutcomeStatus;
import dev.agentpipeline.spi.StageOutcome;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Records a story stage's outcome as the stage summary envelope and checkpoint. Outcome attributes with the names
 * the ln-1000 skill uses ({@code story_status}, {@code tasks_completed}, {@code git_stats}, {@code agents_info},
 * {@code rework_hint}...) go where that skill puts them; scores {@code plan_score}, {@code readiness} and
 * {@code quality_score} likewise.
 */
final class StoryOutcomeRecorder implements OutcomeRecorder {

    static final StoryOutcomeRecorder INSTANCE = new StoryOutcomeRecorder();

    private static final Set<String> CHECKPOINT_ATTRIBUTES = Set.of("tasks_completed", "tasks_remaining",
            "last_action", "reason", "issues", "agents_info", "git_stats");
    private static final Set<String> ENVELOPE_ATTRIBUTES = Set.of("story_status", "final_result", "artifact_path");

    private StoryOutcomeRecorder() {
    }

    @Override
    public Map<String, Object> summary(PipelineDefinition definition, RunState run, Attempt attempt) {
        StageOutcome outcome = attempt.outcome();
        int stage = StoryPipeline.stageNumber(attempt.stateId()).orElseThrow(() ->
                new IllegalArgumentException("not a story stage: " + attempt.stateId()));
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("stage", stage);
        payload.put("story_id", run.subjectId());
        payload.put("status", outcome.status().wireName());
        payload.put("final_result", text(outcome.attributes().get("final_result"),
                outcome.verdict().orElse(outcome.status().wireName().toUpperCase(java.util.Locale.ROOT))));
        payload.put("story_status", text(outcome.attributes().get("story_status"), defaultStoryStatus(stage, outcome)));
        payload.put("verdict", outcome.verdict().orElse(null));
        payload.put("readiness_score", outcome.score("readiness").orElse(null));
        payload.put("quality_score", outcome.score("quality_score").orElse(null));
        payload.put("warnings", outcome.warnings());
        payload.put("artifact_path", outcome.attributes().get("artifact_path"));
        Map<String, Object> metadata = new LinkedHashMap<>();
        outcome.attributes().forEach((key, value) -> {
            if (!ENVELOPE_ATTRIBUTES.contains(key) && !CHECKPOINT_ATTRIBUTES.contains(key)) {
                metadata.put(key, value);
            }
        });
        if (!outcome.metrics().isEmpty()) {
            metadata.put("metrics", new LinkedHashMap<>(outcome.metrics()));
        }
        if (!outcome.notes().isEmpty()) {
            metadata.put("notes", outcome.notes());
        }
        payload.put("metadata", metadata);

        Map<String, Object> envelope = new LinkedHashMap<>();
        envelope.put("schema_version", "1");
        envelope.put("summary_kind", StageSummaryEnvelope.KIND);
        envelope.put("run_id", run.runId());
        envelope.put("identifier", run.subjectId());
        envelope.put("producer_skill", StoryPipeline.skill(definition, attempt.stateId()));
        envelope.put("produced_at", Times.format(attempt.finishedAt()));
        envelope.put("payload", payload);
        return envelope;
    }

    @Override
    public Map<String, Object> checkpoint(PipelineDefinition definition, RunState run, Attempt attempt) {
        StageOutcome outcome = attempt.outcome();
        int stage = StoryPipeline.stageNumber(attempt.stateId()).orElseThrow();
        Map<String, Object> attributes = outcome.attributes();
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("stage", stage);
        payload.put("started_at", Times.format(attempt.startedAt()));
        payload.put("completed_at", Times.format(attempt.finishedAt()));
        payload.put("tasks_completed", attributes.getOrDefault("tasks_completed", List.of()));
        payload.put("tasks_remaining", attributes.getOrDefault("tasks_remaining", List.of()));
        payload.put("last_action", text(attributes.get("last_action"), "Stage " + stage + " "
                + outcome.status().wireName() + outcome.verdict().map(v -> ": " + v).orElse("")));
        outcome.score("plan_score").ifPresent(score -> payload.put("plan_score", score));
        outcome.score("readiness").ifPresent(score -> payload.put("readiness", score));
        outcome.verdict().ifPresent(verdict -> payload.put("verdict", verdict));
        for (String key : List.of("reason", "issues", "agents_info", "git_stats")) {
            if (attributes.get(key) != null) {
                payload.put(key, attributes.get(key));
            }
        }
        outcome.score("quality_score").ifPresent(score -> payload.put("quality_score", score));
        if (!outcome.notes().isEmpty()) {
            payload.put("notes", outcome.notes());
        }
        payload.put("attempt_id", attempt.attemptId());
        return payload;
    }

    @Override
    public Map<String, Object> attributes(PipelineDefinition definition, RunState run, Attempt attempt) {
        StageOutcome outcome = attempt.outcome();
        Map<String, Object> attributes = new LinkedHashMap<>();
        if (outcome.attributes().get("git_stats") instanceof Map<?, ?> gitStats) {
            attributes.put("git_stats", gitStats);
        }
        outcome.score("readiness").ifPresent(readiness -> {
            Map<String, Object> scores = new LinkedHashMap<>();
            if (run.attributes().get("readiness_scores") instanceof Map<?, ?> existing) {
                existing.forEach((k, v) -> scores.put(String.valueOf(k), v));
            }
            scores.put(run.subjectId(), readiness);
            attributes.put("readiness_scores", scores);
        });
        return attributes;
    }

    /**
     * The board status a story has after a stage, when the stage did not say: Backlog after decomposition, Todo
     * after a GO, To Review after execution, Done after a passing gate and To Rework after a failing one.
     */
    static String defaultStoryStatus(int stage, StageOutcome outcome) {
        String verdict = outcome.verdict().orElse("");
        boolean completed = outcome.status() == OutcomeStatus.COMPLETED;
        switch (stage) {
            case 1:
                return completed && verdict.equals("GO") ? "Todo" : "Backlog";
            case 2:
                return completed ? "To Review" : "In Progress";
            case 3:
                if (Set.of("PASS", "CONCERNS", "WAIVED").contains(verdict)) {
                    return "Done";
                }
                return verdict.equals("FAIL") ? "To Rework" : "To Review";
            default:
                return "Backlog";
        }
    }

    private static String text(Object value, String fallback) {
        return value instanceof String s && !s.isEmpty() ? s : fallback;
    }
}
