package dev.agentpipeline.core.engine;

import dev.agentpipeline.core.definition.PipelineDefinition;
import dev.agentpipeline.core.internal.Times;
import dev.agentpipeline.core.run.Attempt;
import dev.agentpipeline.core.run.RunState;
import dev.agentpipeline.spi.StageOutcome;

import java.util.LinkedHashMap;
import java.util.Map;

/** The {@link OutcomeRecorder#generic()} recorder. */
final class GenericOutcomeRecorder implements OutcomeRecorder {

    static final GenericOutcomeRecorder INSTANCE = new GenericOutcomeRecorder();

    /**
     * The summary kind of what it records: not the story pipeline's closed {@code pipeline-stage} envelope, whose
     * payload fields are the story's, but the outcome of an attempt of any pipeline.
     */
    static final String KIND = "stage-outcome";

    private GenericOutcomeRecorder() {
    }

    @Override
    public Map<String, Object> summary(PipelineDefinition definition, RunState run, Attempt attempt) {
        Map<String, Object> envelope = new LinkedHashMap<>();
        envelope.put("schema_version", "1");
        envelope.put("summary_kind", KIND);
        envelope.put("run_id", run.runId());
        envelope.put("identifier", run.subjectId());
        envelope.put("producer_skill", attempt.stageId());
        envelope.put("produced_at", Times.format(attempt.finishedAt()));
        envelope.put("payload", payload(run, attempt));
        return envelope;
    }

    @Override
    public Map<String, Object> checkpoint(PipelineDefinition definition, RunState run, Attempt attempt) {
        Map<String, Object> payload = payload(run, attempt);
        payload.put("attempt_id", attempt.attemptId());
        payload.put("started_at", Times.format(attempt.startedAt()));
        payload.put("completed_at", Times.format(attempt.finishedAt()));
        return payload;
    }

    private static Map<String, Object> payload(RunState run, Attempt attempt) {
        StageOutcome outcome = attempt.outcome();
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("state", attempt.stateId());
        payload.put("subject", run.subjectId());
        payload.put("status", outcome.status().wireName());
        payload.put("verdict", outcome.verdict().orElse(null));
        payload.put("scores", new LinkedHashMap<>(outcome.scores()));
        payload.put("metrics", new LinkedHashMap<>(outcome.metrics()));
        payload.put("attributes", outcome.attributes());
        payload.put("warnings", outcome.warnings());
        payload.put("notes", outcome.notes());
        return payload;
    }
}
