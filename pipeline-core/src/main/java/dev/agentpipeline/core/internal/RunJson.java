package dev.agentpipeline.core.internal;

import dev.agentpipeline.core.run.Attempt;
import dev.agentpipeline.core.run.Checkpoint;
import dev.agentpipeline.core.run.RunState;

import org.apiguardian.api.API;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.apiguardian.api.API.Status.INTERNAL;

/**
 * The JSON projections of a run (state, checkpoints, manifest), in the field names of the older ln-1000 runtime. The
 * formats are documented with JSON Schemas in {@code docs/formats.md}.
 */
@API(status = INTERNAL, since = "0.1")
public final class RunJson {

    /** The version of the projection formats. */
    public static final int SCHEMA_VERSION = 1;

    private RunJson() {
    }

    /**
     * @param s a run state
     * @return the {@code state.json} object
     */
    public static Map<String, Object> state(RunState s) {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("schema_version", SCHEMA_VERSION);
        j.put("run_id", s.runId());
        j.put("pipeline", s.pipelineId());
        j.put("identifier", s.subjectId());
        j.putAll(s.attributes());
        j.put("phase", s.phase());
        j.put("complete", s.complete());
        j.put("paused_reason", s.pausedReason().orElse(null));
        j.put("pending_decision", s.pause().filter(p -> p.evidence().get("questions") != null).map(p -> {
            Map<String, Object> decision = new LinkedHashMap<>(); // a pause that asks questions awaits a decision
            decision.put("type", p.category());
            decision.put("questions", p.evidence().get("questions"));
            decision.put("next_action", p.nextAction());
            return (Object) decision;
        }).orElse(null));
        j.put("decisions", List.of());
        j.putAll(s.counters());
        j.put("counter_limits", new LinkedHashMap<>(s.counterLimits()));
        j.put("pipeline_start_time", Times.format(s.createdAt()));
        Map<String, Object> timestamps = new LinkedHashMap<>();
        s.stageTimestamps().forEach((k, v) -> timestamps.put(k, Times.format(v)));
        j.put("stage_timestamps", timestamps);
        Map<String, Object> summaries = new LinkedHashMap<>();
        s.summaries().forEach((state, summary) -> summaries.put(state.toLowerCase(Locale.ROOT), summary));
        j.put("stage_summaries", summaries);
        Map<String, Object> stages = new LinkedHashMap<>();
        s.loopHealth().forEach((scope, entry) -> stages.put(scope, EventCodec.loopHealth(entry)));
        Map<String, Object> loopHealth = new LinkedHashMap<>();
        loopHealth.put("stages", stages);
        j.put("loop_health", loopHealth);
        j.put("final_result", s.finalResult().orElse(null));
        j.put("created_at", Times.format(s.createdAt()));
        j.put("updated_at", Times.format(s.updatedAt()));
        j.put("paused_from", s.pausedFrom().orElse(null));
        j.put("pause", s.pause().map(p -> (Object) EventCodec.pause(p)).orElse(null));
        j.put("closed", s.closed());
        List<Object> attempts = new ArrayList<>();
        for (Attempt a : s.attempts()) {
            Map<String, Object> attempt = new LinkedHashMap<>();
            attempt.put("attempt_id", a.attemptId());
            attempt.put("state", a.stateId());
            attempt.put("number", a.number());
            attempt.put("stage", a.stageId());
            attempt.put("status", a.status().name().toLowerCase(Locale.ROOT));
            attempt.put("started_at", Times.format(a.startedAt()));
            attempt.put("finished_at", a.finishedAt() == null ? null : Times.format(a.finishedAt()));
            attempt.put("outcome", a.outcome() == null ? null : EventCodec.outcome(a.outcome()));
            attempts.add(attempt);
        }
        j.put("attempts", attempts);
        j.put("journal_sequence", s.sequence());
        return j;
    }

    /**
     * @param s a run state
     * @return the {@code checkpoints.json} object: {@code _history}, {@code _next_sequence} and the newest entry of
     *     each stage by its state id
     */
    public static Map<String, Object> checkpoints(RunState s) {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("schema_version", SCHEMA_VERSION);
        Map<String, Object> newest = new LinkedHashMap<>();
        List<Object> history = new ArrayList<>();
        for (Checkpoint c : s.checkpoints()) {
            Map<String, Object> entry = checkpoint(c);
            history.add(entry);
            newest.put(c.stateId(), entry);
        }
        j.putAll(newest);
        j.put("_history", history);
        j.put("_next_sequence", s.nextCheckpointSequence());
        return j;
    }

    /**
     * @param c a checkpoint
     * @return its entry: {@code sequence}, {@code phase}, {@code created_at}, {@code payload}
     */
    public static Map<String, Object> checkpoint(Checkpoint c) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("sequence", c.sequence());
        entry.put("phase", c.stateId());
        entry.put("created_at", Times.format(c.createdAt()));
        entry.put("payload", c.payload());
        return entry;
    }

    /**
     * @param s a run state
     * @return the {@code manifest.json} object
     */
    public static Map<String, Object> manifest(RunState s) {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("schema_version", SCHEMA_VERSION);
        j.put("run_id", s.runId());
        j.put("pipeline", s.pipelineId());
        j.putAll(s.manifest());
        return j;
    }
}
