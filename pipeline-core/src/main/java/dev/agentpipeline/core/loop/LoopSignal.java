package dev.agentpipeline.core.loop;

import dev.agentpipeline.core.internal.Json;
import dev.agentpipeline.core.internal.Times;
import dev.agentpipeline.spi.FailureClass;
import dev.agentpipeline.spi.StageOutcome;

import org.apiguardian.api.API;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * One classified loop-health signal: how an attempt ended, whether it made objective progress, and the normalized
 * signature of its error. Immutable.
 *
 * <p>Build one from the JSON payload of {@code record-loop-health} ({@link #fromPayload(Map, Instant)}) or from a stage
 * outcome ({@link #fromOutcome(StageOutcome, Instant)}).
 *
 * @param failureClass the failure class, never null ({@link FailureClass#NONE} for success)
 * @param progressDetected whether the attempt showed objective progress
 * @param errorSignature the normalized error signature, never null (may be empty)
 * @param evidenceKey what identifies the evidence, never null
 * @param reason a reason given with the signal, or null
 * @param outputWritten whether the attempt wrote its output
 * @param logWritten whether the attempt wrote its log
 * @param sessionCaptured whether the agent session was captured
 * @param recordedAt when the signal was recorded
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public record LoopSignal(FailureClass failureClass, boolean progressDetected, String errorSignature,
                         String evidenceKey, String reason, boolean outputWritten, boolean logWritten,
                         boolean sessionCaptured, Instant recordedAt) {

    private static final List<String> TEXT_FIELDS = List.of("error", "stderr", "stdout", "response", "message",
            "evidence_key");
    private static final List<String> PROGRESS_FIELDS = List.of("progress_detected", "artifact_delta",
            "checkpoint_delta", "status_delta", "files_changed_delta", "scenario_improved", "metric_improved",
            "new_evidence");

    /** Validates. */
    public LoopSignal {
        Objects.requireNonNull(failureClass, "failureClass");
        errorSignature = errorSignature == null ? "" : errorSignature;
        evidenceKey = evidenceKey == null ? "" : evidenceKey;
        Objects.requireNonNull(recordedAt, "recordedAt");
    }

    /**
     * Classifies the payload of {@code record-loop-health}: {@code error}, {@code stderr}, {@code stdout},
     * {@code response}, {@code message} and {@code evidence_key} are the text; {@code failure_class}, if it is a
     * known class, wins over what the text reveals; {@code progress_detected}, {@code artifact_delta},
     * {@code checkpoint_delta}, {@code status_delta}, {@code files_changed_delta}, {@code scenario_improved},
     * {@code metric_improved}, {@code new_evidence} and {@code progress_signals.*} are progress evidence.
     *
     * @param payload the JSON payload
     * @param now when it is recorded
     * @return the signal
     */
    public static LoopSignal fromPayload(Map<String, Object> payload, Instant now) {
        StringBuilder combined = new StringBuilder();
        for (String field : TEXT_FIELDS) {
            String text = asText(payload.get(field));
            if (!text.isEmpty()) {
                combined.append(combined.length() == 0 ? "" : "\n").append(text);
            }
        }
        FailureClass failureClass = null;
        Object declared = payload.get("failure_class");
        if (declared instanceof String name) {
            for (FailureClass candidate : FailureClass.values()) {
                if (candidate.wireName().equals(name)) {
                    failureClass = candidate;
                }
            }
        }
        if (failureClass == null) {
            failureClass = FailureClassifier.classify(combined.toString());
        }
        boolean progress = false;
        for (String field : PROGRESS_FIELDS) {
            progress |= truthy(payload.get(field));
        }
        Map<?, ?> signals = payload.get("progress_signals") instanceof Map<?, ?> m ? m : Map.of();
        boolean output = truthy(signals.get("output_written"));
        boolean log = truthy(signals.get("log_written"));
        boolean session = truthy(signals.get("session_captured"));
        progress |= output || log || session;
        String signatureSource = firstNonEmpty(asText(payload.get("error_signature")), combined.toString(),
                failureClass.wireName());
        String signature = ErrorSignatures.normalize(signatureSource);
        String evidenceKey = firstNonEmpty(asText(payload.get("evidence_key")), signature, failureClass.wireName());
        Object reason = payload.get("reason");
        return new LoopSignal(failureClass, progress, signature, evidenceKey,
                reason == null || asText(reason).isEmpty() ? null : asText(reason), output, log, session, now);
    }

    /**
     * The signal of a stage attempt's outcome: its failure class and message, and progress if it reported any.
     *
     * @param outcome the outcome
     * @param now when it is recorded
     * @return the signal
     */
    public static LoopSignal fromOutcome(StageOutcome outcome, Instant now) {
        FailureClass failureClass = outcome.failureClass();
        String message = outcome.failure().map(f -> f.message()).orElse("");
        String signature = ErrorSignatures.normalize(firstNonEmpty(message, failureClass.wireName()));
        return new LoopSignal(failureClass, !outcome.progress().isEmpty(), signature, signature, null,
                false, false, false, now);
    }

    /** @return the signal as a loop-health history entry of the ln-1000 skill's contract (JSON-compatible) */
    public Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("failure_class", failureClass.wireName());
        json.put("progress_detected", progressDetected);
        json.put("error_signature", errorSignature.isEmpty() ? null : errorSignature);
        json.put("evidence_key", evidenceKey);
        json.put("reason", reason);
        Map<String, Object> signals = new LinkedHashMap<>();
        signals.put("output_written", outputWritten);
        signals.put("log_written", logWritten);
        signals.put("session_captured", sessionCaptured);
        json.put("progress_signals", signals);
        json.put("recorded_at", Times.format(recordedAt));
        return json;
    }

    private static boolean truthy(Object value) {
        if (value == null) {
            return false;
        }
        if (value instanceof Boolean b) {
            return b;
        }
        if (value instanceof Number n) {
            return n.doubleValue() != 0;
        }
        if (value instanceof String s) {
            return !s.isEmpty();
        }
        return true; // objects and arrays are truthy, as in the older ln-1000 runtime
    }

    private static String asText(Object value) {
        if (value == null) {
            return "";
        }
        if (value instanceof String s) {
            return s;
        }
        return Json.compact(value);
    }

    private static String firstNonEmpty(String... candidates) {
        for (String candidate : candidates) {
            if (candidate != null && !candidate.isEmpty()) {
                return candidate;
            }
        }
        return "";
    }
}
