package dev.agentpipeline.core.testing;

import dev.agentpipeline.core.engine.PipelineRuntime;
import dev.agentpipeline.core.engine.StartRequest;
import dev.agentpipeline.core.engine.TransitionResult;
import dev.agentpipeline.core.run.RunState;
import dev.agentpipeline.core.story.StoryPipeline;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Drives one story run through a real {@link PipelineRuntime} by hand, the way the ln-1000 skill calls the runtime
 * after every step: checkpoints, stage summaries and advances. For tests of guards and resume actions.
 */
public final class StoryRuns {

    private final PipelineRuntime runtime;
    private final String runId;

    public StoryRuns(PipelineRuntime runtime, String subject) {
        this.runtime = runtime;
        this.runId = runtime.start(StartRequest.builder(StoryPipeline.ID, subject).title("Login form").build()).run()
                .state().runId();
    }

    /** A runtime for the story pipeline over an in-memory store and the given clock. */
    public static PipelineRuntime runtime(MutableClock clock) {
        return PipelineRuntime.builder().store(new InMemoryRunStore()).definition(StoryPipeline.definition())
                .clock(clock).build();
    }

    public String runId() {
        return runId;
    }

    public PipelineRuntime runtime() {
        return runtime;
    }

    public RunState state() {
        return runtime.load(runId).state();
    }

    public long sequence() {
        return state().sequence();
    }

    public TransitionResult advance(String to) {
        return runtime.advance(runId, to);
    }

    /** Advances and fails if the guards reject. */
    public StoryRuns to(String to) {
        TransitionResult result = advance(to);
        if (!result.allowed()) {
            throw new AssertionError("expected " + to + " to be allowed, got " + result.guardResult());
        }
        return this;
    }

    public StoryRuns checkpoint(String stage, Map<String, ?> payload) {
        runtime.checkpoint(runId, stage, payload);
        return this;
    }

    public StoryRuns summary(String stage, Map<String, ?> payload) {
        runtime.recordSummary(runId, stage, envelope(payload));
        return this;
    }

    /** A checkpoint and a completed summary for STAGE_0. */
    public StoryRuns decomposed() {
        return checkpoint("STAGE_0", Map.of("stage", 0, "plan_score", 4))
                .summary("STAGE_0", payload(0, "completed", null, "Backlog"));
    }

    /** A checkpoint and a completed summary for STAGE_1 with a verdict and an optional readiness. */
    public StoryRuns validated(String verdict, Integer readiness) {
        Map<String, Object> checkpoint = new LinkedHashMap<>();
        checkpoint.put("stage", 1);
        checkpoint.put("verdict", verdict);
        if (readiness != null) {
            checkpoint.put("readiness", readiness);
        }
        Map<String, Object> summary = payload(1, "completed", verdict, "GO".equals(verdict) ? "Todo" : "Backlog");
        summary.put("readiness_score", readiness);
        return checkpoint("STAGE_1", checkpoint).summary("STAGE_1", summary);
    }

    /** A checkpoint and a completed summary for STAGE_2 with the story status it reached. */
    public StoryRuns executed(String storyStatus) {
        return checkpoint("STAGE_2", Map.of("stage", 2, "git_stats", Map.of("files_changed", 3)))
                .summary("STAGE_2", payload(2, "completed", null, storyStatus));
    }

    /** A checkpoint and a completed summary for STAGE_3 with its verdict. */
    public StoryRuns gated(String verdict) {
        return checkpoint("STAGE_3", Map.of("stage", 3, "verdict", verdict, "quality_score", 80))
                .summary("STAGE_3", payload(3, "completed", verdict, "FAIL".equals(verdict) ? "To Rework" : "Done"));
    }

    /** The run from QUEUED to STAGE_3 with every guard satisfied on the way. */
    public StoryRuns atQualityGate() {
        return to("STAGE_0").decomposed().to("STAGE_1").validated("GO", 8).to("STAGE_2").executed("To Review")
                .to("STAGE_3");
    }

    /** A stage summary payload with the story pipeline's fields. */
    public static Map<String, Object> payload(int stage, String status, String verdict, String storyStatus) {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("stage", stage);
        payload.put("story_id", "US001");
        payload.put("status", status);
        payload.put("final_result", verdict == null ? status.toUpperCase() : verdict);
        payload.put("story_status", storyStatus);
        payload.put("verdict", verdict);
        payload.put("warnings", List.of());
        payload.put("metadata", Map.of());
        return payload;
    }

    /** A stage summary envelope around a payload. */
    public Map<String, Object> envelope(Map<String, ?> payload) {
        Map<String, Object> envelope = new LinkedHashMap<>();
        envelope.put("schema_version", "1");
        envelope.put("summary_kind", "pipeline-stage");
        envelope.put("run_id", runId);
        envelope.put("identifier", "US001");
        envelope.put("producer_skill", "ln-test");
        envelope.put("produced_at", "2026-01-05T09:00:00Z");
        envelope.put("payload", new LinkedHashMap<>(payload));
        return envelope;
    }
}
