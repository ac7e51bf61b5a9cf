package dev.agentpipeline.core.internal;

import dev.agentpipeline.core.run.GateOption;
import dev.agentpipeline.core.run.GateRequest;
import dev.agentpipeline.core.run.LoopHealthEntry;
import dev.agentpipeline.core.run.Pause;
import dev.agentpipeline.core.run.RunEvent;
import dev.agentpipeline.spi.FailureClass;
import dev.agentpipeline.spi.OutcomeStatus;
import dev.agentpipeline.spi.ProgressSignal;
import dev.agentpipeline.spi.StageOutcome;

import org.apiguardian.api.API;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.apiguardian.api.API.Status.INTERNAL;

/** Converts run events to and from the JSON objects of the journal's {@code data} field. */
@API(status = INTERNAL, since = "0.1")
public final class EventCodec {

    private EventCodec() {
    }

    /**
     * @param event an event
     * @return its {@code data} object
     */
    public static Map<String, Object> toData(RunEvent event) {
        Map<String, Object> d = new LinkedHashMap<>();
        if (event instanceof RunEvent.Started e) {
            d.put("run_id", e.runId());
            d.put("pipeline", e.pipelineId());
            d.put("subject", e.subjectId());
            d.put("title", e.title());
            d.put("initial_state", e.initialState());
            d.put("counters", new LinkedHashMap<>(e.counters()));
            d.put("manifest", e.manifest());
            d.put("attributes", e.attributes());
            d.put("limits", new LinkedHashMap<>(e.limits()));
        } else if (event instanceof RunEvent.Transitioned e) {
            d.put("from", e.from());
            d.put("to", e.to());
            d.put("counter_incremented", e.counterIncremented());
            d.put("override", e.override());
            d.put("terminal", e.terminal());
        } else if (event instanceof RunEvent.CheckpointRecorded e) {
            d.put("state", e.stateId());
            d.put("checkpoint_sequence", e.sequence());
            d.put("payload", e.payload());
        } else if (event instanceof RunEvent.SummaryRecorded e) {
            d.put("state", e.stateId());
            d.put("summary", e.summary());
        } else if (event instanceof RunEvent.LoopHealthRecorded e) {
            d.put("scope", e.scope());
            d.put("entry", loopHealth(e.entry()));
        } else if (event instanceof RunEvent.Paused e) {
            d.putAll(pause(e.pause()));
        } else if (event instanceof RunEvent.Ended e) {
            d.put("result", e.result());
            d.put("terminal_state", e.terminalState());
            d.put("reason", e.reason());
            d.put("closed", e.closed());
        } else if (event instanceof RunEvent.AttributesUpdated e) {
            d.put("attributes", e.attributes());
        } else if (event instanceof RunEvent.AttemptStarted e) {
            d.put("attempt_id", e.attemptId());
            d.put("state", e.stateId());
            d.put("number", e.number());
            d.put("stage", e.stageId());
            d.put("stage_version", e.stageVersion());
        } else if (event instanceof RunEvent.AttemptFinished e) {
            d.put("attempt_id", e.attemptId());
            d.put("outcome", outcome(e.outcome()));
        } else if (event instanceof RunEvent.AttemptCrashed e) {
            d.put("attempt_id", e.attemptId());
            d.put("counter", e.counter());
        } else if (event instanceof RunEvent.RetryScheduled e) {
            d.put("attempt_id", e.attemptId());
            d.put("failure_class", e.failureClass().wireName());
            d.put("delay_ms", e.delay().toMillis());
        } else if (event instanceof RunEvent.ProgressSaved e) {
            d.put("state", e.stateId());
            d.put("attempt_id", e.attemptId());
            d.put("snapshot", e.snapshot());
        } else if (event instanceof RunEvent.TimerSet e) {
            d.put("timer_id", e.timerId());
            d.put("state", e.stateId());
            d.put("purpose", e.purpose());
            d.put("due", Times.format(e.due()));
        } else if (event instanceof RunEvent.TimerFired e) {
            d.put("timer_id", e.timerId());
        } else if (event instanceof RunEvent.SignalReceived e) {
            d.put("signal_id", e.signalId());
            d.put("name", e.name());
            d.put("state", e.stateId());
            d.put("source", e.source());
            d.put("payload", e.payload());
        } else if (event instanceof RunEvent.DecisionRequested e) {
            d.put("gate_id", e.gateId());
            d.put("state", e.stateId());
            d.put("request", gateRequest(e.request()));
        } else if (event instanceof RunEvent.DecisionRecorded e) {
            d.put("gate_id", e.gateId());
            d.put("option", e.option());
            d.put("by", e.by());
            d.put("reason", e.reason());
        } else if (event instanceof RunEvent.GateEscalated e) {
            d.put("gate_id", e.gateId());
            d.put("to", new ArrayList<Object>(e.to()));
        } else if (event instanceof RunEvent.ChildStarted e) {
            d.put("child_run_id", e.childRunId());
            d.put("pipeline", e.pipelineId());
            d.put("state", e.stateId());
            d.put("index", e.index());
            d.put("concurrency_class", e.concurrencyClass());
        } else if (event instanceof RunEvent.ChildEnded e) {
            d.put("child_run_id", e.childRunId());
            d.put("result", e.result());
            d.put("terminal_state", e.terminalState());
        }
        return d;
    }

    /**
     * @param type the event type
     * @param at when it happened
     * @param d its data object
     * @return the event
     * @throws IllegalArgumentException if the type is unknown or a field is missing or of the wrong type
     */
    public static RunEvent fromData(String type, Instant at, Map<String, Object> d) {
        switch (type) {
            case "RUN_STARTED":
                return new RunEvent.Started(at, str(d, "run_id"), str(d, "pipeline"), str(d, "subject"),
                        optStr(d, "title"), str(d, "initial_state"), counters(map(d, "counters")),
                        map(d, "manifest"), map(d, "attributes"), counters(map(d, "limits")));
            case "TRANSITIONED":
                return new RunEvent.Transitioned(at, str(d, "from"), str(d, "to"), optStr(d, "counter_incremented"),
                        optStr(d, "override"), Boolean.TRUE.equals(d.get("terminal")));
            case "CHECKPOINT_RECORDED":
                return new RunEvent.CheckpointRecorded(at, str(d, "state"), (int) num(d, "checkpoint_sequence"),
                        map(d, "payload"));
            case "STAGE_SUMMARY_RECORDED":
                return new RunEvent.SummaryRecorded(at, str(d, "state"), map(d, "summary"));
            case "LOOP_HEALTH_RECORDED":
                return new RunEvent.LoopHealthRecorded(at, str(d, "scope"), loopHealth(map(d, "entry")));
            case "RUN_PAUSED":
                return new RunEvent.Paused(at, pause(d));
            case "RUN_ENDED":
                return new RunEvent.Ended(at, str(d, "result"), str(d, "terminal_state"), optStr(d, "reason"),
                        Boolean.TRUE.equals(d.get("closed")));
            case "ATTRIBUTES_UPDATED":
                return new RunEvent.AttributesUpdated(at, map(d, "attributes"));
            case "ATTEMPT_STARTED":
                return new RunEvent.AttemptStarted(at, str(d, "attempt_id"), str(d, "state"), (int) num(d, "number"),
                        str(d, "stage"), optStr(d, "stage_version"));
            case "ATTEMPT_FINISHED":
                return new RunEvent.AttemptFinished(at, str(d, "attempt_id"), outcome(map(d, "outcome")));
            case "ATTEMPT_CRASHED":
                return new RunEvent.AttemptCrashed(at, str(d, "attempt_id"), optStr(d, "counter"));
            case "RETRY_SCHEDULED":
                return new RunEvent.RetryScheduled(at, str(d, "attempt_id"),
                        FailureClass.fromWireName(str(d, "failure_class")), Duration.ofMillis(num(d, "delay_ms")));
            case "PROGRESS_SAVED":
                return new RunEvent.ProgressSaved(at, str(d, "state"), str(d, "attempt_id"), map(d, "snapshot"));
            case "TIMER_SET":
                return new RunEvent.TimerSet(at, str(d, "timer_id"), str(d, "state"), str(d, "purpose"),
                        Times.parse(str(d, "due")));
            case "TIMER_FIRED":
                return new RunEvent.TimerFired(at, str(d, "timer_id"));
            case "SIGNAL_RECEIVED":
                return new RunEvent.SignalReceived(at, str(d, "signal_id"), str(d, "name"), str(d, "state"),
                        map(d, "payload"), optStr(d, "source"));
            case "DECISION_REQUESTED":
                return new RunEvent.DecisionRequested(at, str(d, "gate_id"), str(d, "state"),
                        gateRequest(map(d, "request")));
            case "DECISION_RECORDED":
                return new RunEvent.DecisionRecorded(at, str(d, "gate_id"), str(d, "option"), str(d, "by"),
                        optStr(d, "reason"));
            case "GATE_ESCALATED":
                return new RunEvent.GateEscalated(at, str(d, "gate_id"), strings(d, "to"));
            case "CHILD_STARTED":
                return new RunEvent.ChildStarted(at, str(d, "child_run_id"), str(d, "pipeline"), str(d, "state"),
                        (int) num(d, "index"), optStr(d, "concurrency_class"));
            case "CHILD_ENDED":
                return new RunEvent.ChildEnded(at, str(d, "child_run_id"), str(d, "result"),
                        str(d, "terminal_state"));
            default:
                throw new IllegalArgumentException("unknown event type '" + type + "'");
        }
    }

    /**
     * @param pause a pause
     * @return its JSON form
     */
    public static Map<String, Object> pause(Pause pause) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("reason", pause.reason());
        d.put("category", pause.category());
        d.put("scope", pause.scope());
        d.put("evidence", pause.evidence());
        d.put("next_action", pause.nextAction());
        d.put("paused_from", pause.pausedFrom());
        return d;
    }

    private static Pause pause(Map<String, Object> d) {
        return new Pause(str(d, "reason"), optStr(d, "category"), optStr(d, "scope"), map(d, "evidence"),
                optStr(d, "next_action"), str(d, "paused_from"));
    }

    /**
     * @param entry a loop-health entry
     * @return its JSON form, as in the older ln-1000 runtime's state
     */
    public static Map<String, Object> loopHealth(LoopHealthEntry entry) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("attempts", entry.attempts());
        d.put("no_progress_count", entry.noProgressCount());
        d.put("same_error_count", entry.sameErrorCount());
        d.put("last_failure_class", entry.lastFailureClass());
        d.put("last_error_signature", entry.lastErrorSignature());
        d.put("last_evidence_key", entry.lastEvidenceKey());
        d.put("last_progress_detected", entry.lastProgressDetected());
        d.put("last_signal_at", entry.lastSignalAt() == null ? null : Times.format(entry.lastSignalAt()));
        d.put("pause_recommended", entry.pauseRecommended());
        d.put("pause_category", entry.pauseCategory());
        d.put("pause_reason", entry.pauseReason());
        d.put("history", entry.history());
        return d;
    }

    @SuppressWarnings("unchecked")
    private static LoopHealthEntry loopHealth(Map<String, Object> d) {
        Object history = d.get("history");
        String at = optStr(d, "last_signal_at");
        return new LoopHealthEntry((int) num(d, "attempts"), (int) num(d, "no_progress_count"),
                (int) num(d, "same_error_count"), optStr(d, "last_failure_class"), optStr(d, "last_error_signature"),
                optStr(d, "last_evidence_key"), Boolean.TRUE.equals(d.get("last_progress_detected")),
                at == null ? null : Times.parse(at), Boolean.TRUE.equals(d.get("pause_recommended")),
                optStr(d, "pause_category"), optStr(d, "pause_reason"),
                history instanceof List ? (List<Map<String, Object>>) history : List.of());
    }

    /**
     * @param outcome a stage outcome
     * @return its JSON form
     */
    public static Map<String, Object> outcome(StageOutcome outcome) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("status", outcome.status().wireName());
        d.put("verdict", outcome.verdict().orElse(null));
        d.put("scores", new LinkedHashMap<>(outcome.scores()));
        d.put("metrics", new LinkedHashMap<>(outcome.metrics()));
        List<Object> progress = new ArrayList<>();
        outcome.progress().forEach(signal -> progress.add(signal.wireName()));
        d.put("progress", progress);
        d.put("failure", outcome.failure().map(f -> {
            Map<String, Object> failure = new LinkedHashMap<>();
            failure.put("class", f.failureClass().wireName());
            failure.put("message", f.message());
            return (Object) failure;
        }).orElse(null));
        d.put("notes", outcome.notes());
        d.put("warnings", new ArrayList<Object>(outcome.warnings()));
        d.put("attributes", outcome.attributes());
        return d;
    }

    /**
     * @param d the JSON form of an outcome
     * @return the outcome
     */
    public static StageOutcome outcome(Map<String, Object> d) {
        OutcomeStatus status = OutcomeStatus.fromWireName(str(d, "status"));
        StageOutcome.Builder builder;
        if (status == OutcomeStatus.FAILED) {
            Map<String, Object> failure = map(d, "failure");
            builder = StageOutcome.failed(FailureClass.fromWireName(str(failure, "class")),
                    optStr(failure, "message") == null ? "" : optStr(failure, "message"));
        } else if (status == OutcomeStatus.SKIPPED) {
            builder = StageOutcome.skipped(optStr(d, "notes"));
        } else {
            builder = StageOutcome.completed();
        }
        builder.verdict(optStr(d, "verdict")).notes(optStr(d, "notes"));
        map(d, "scores").forEach((k, v) -> builder.score(k, ((Number) v).doubleValue()));
        map(d, "metrics").forEach((k, v) -> builder.metric(k, ((Number) v).doubleValue()));
        if (d.get("progress") instanceof List<?> progress) {
            for (Object signal : progress) {
                builder.progress(ProgressSignal.fromWireName(String.valueOf(signal)));
            }
        }
        if (d.get("warnings") instanceof List<?> warnings) {
            for (Object warning : warnings) {
                builder.warning(String.valueOf(warning));
            }
        }
        map(d, "attributes").forEach(builder::attribute);
        return builder.build();
    }

    /**
     * @param request a gate's request
     * @return its JSON form
     */
    public static Map<String, Object> gateRequest(GateRequest request) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("question", request.question());
        List<Object> options = new ArrayList<>();
        for (GateOption option : request.options()) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("id", option.id());
            o.put("label", option.label());
            o.put("pros", new ArrayList<Object>(option.pros()));
            o.put("cons", new ArrayList<Object>(option.cons()));
            options.add(o);
        }
        d.put("options", options);
        d.put("answerers", new ArrayList<Object>(request.answerers()));
        d.put("timeout_ms", request.timeout() == null ? null : request.timeout().toMillis());
        d.put("on_expiry", request.onExpiry().wireName());
        d.put("default_option", request.defaultOption());
        d.put("escalate_to", new ArrayList<Object>(request.escalateTo()));
        return d;
    }

    /**
     * @param d the JSON form of a gate's request
     * @return the request
     */
    public static GateRequest gateRequest(Map<String, Object> d) {
        List<GateOption> options = new ArrayList<>();
        if (d.get("options") instanceof List<?> list) {
            for (Object item : list) {
                if (!(item instanceof Map<?, ?>)) {
                    throw new IllegalArgumentException("field 'options' must hold objects");
                }
                @SuppressWarnings("unchecked")
                Map<String, Object> o = (Map<String, Object>) item;
                options.add(new GateOption(str(o, "id"), optStr(o, "label"), strings(o, "pros"), strings(o, "cons")));
            }
        }
        Object timeout = d.get("timeout_ms");
        return new GateRequest(str(d, "question"), options, strings(d, "answerers"),
                timeout == null ? null : Duration.ofMillis(num(d, "timeout_ms")),
                GateRequest.Expiry.fromWireName(str(d, "on_expiry")), optStr(d, "default_option"),
                strings(d, "escalate_to"));
    }

    private static List<String> strings(Map<String, Object> d, String key) {
        Object value = d.get(key);
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof List<?> list)) {
            throw new IllegalArgumentException("field '" + key + "' must be a list, got " + Json.typeName(value));
        }
        List<String> strings = new ArrayList<>();
        for (Object item : list) {
            if (!(item instanceof String text)) {
                throw new IllegalArgumentException("field '" + key + "' must hold strings, got "
                        + Json.typeName(item));
            }
            strings.add(text);
        }
        return strings;
    }

    private static Map<String, Integer> counters(Map<String, Object> map) {
        Map<String, Integer> counters = new LinkedHashMap<>();
        map.forEach((k, v) -> counters.put(k, ((Number) v).intValue()));
        return counters;
    }

    private static String str(Map<String, Object> d, String key) {
        Object value = d.get(key);
        if (!(value instanceof String s)) {
            throw new IllegalArgumentException("field '" + key + "' must be a string, got " + Json.typeName(value));
        }
        return s;
    }

    private static String optStr(Map<String, Object> d, String key) {
        Object value = d.get(key);
        if (value != null && !(value instanceof String)) {
            throw new IllegalArgumentException("field '" + key + "' must be a string or null, got "
                    + Json.typeName(value));
        }
        return (String) value;
    }

    private static long num(Map<String, Object> d, String key) {
        Object value = d.get(key);
        if (!(value instanceof Number n)) {
            throw new IllegalArgumentException("field '" + key + "' must be a number, got " + Json.typeName(value));
        }
        return n.longValue();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Map<String, Object> d, String key) {
        Object value = d.get(key);
        if (value == null) {
            return Map.of();
        }
        if (!(value instanceof Map)) {
            throw new IllegalArgumentException("field '" + key + "' must be an object, got " + Json.typeName(value));
        }
        return (Map<String, Object>) value;
    }
}
