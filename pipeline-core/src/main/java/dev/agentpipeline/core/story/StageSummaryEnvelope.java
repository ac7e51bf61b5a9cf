package dev.agentpipeline.core.story;

import dev.agentpipeline.core.internal.Json;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The seeds' stage summary envelope, a closed schema:
 * <pre>
 * {schema_version, summary_kind: "pipeline-stage", run_id, identifier, producer_skill, produced_at,
 *  payload: {stage: 0..3, story_id, status: completed|skipped|error, final_result, story_status,
 *            verdict?, readiness_score?, quality_score?, warnings[], artifact_path?, metadata{}}}
 * </pre>
 * {@link #validate(Object)} lists every way a value breaks it, with the JSON path of each problem.
 *
 * @since 0.1
 */
public final class StageSummaryEnvelope {

    /** The {@code summary_kind} of a pipeline stage summary. */
    public static final String KIND = "pipeline-stage";

    private static final Set<String> ENVELOPE = Set.of("schema_version", "summary_kind", "run_id", "identifier",
            "producer_skill", "produced_at", "payload");
    private static final Set<String> PAYLOAD = Set.of("stage", "story_id", "status", "final_result", "story_status",
            "verdict", "readiness_score", "quality_score", "warnings", "artifact_path", "metadata");

    private StageSummaryEnvelope() {
    }

    /**
     * Checks a value against the envelope schema.
     *
     * @param value the parsed JSON value
     * @return the problems, each as {@code "$.payload.stage must be an integer 0..3, got \"x\""}; empty when valid
     */
    public static List<String> validate(Object value) {
        List<String> problems = new ArrayList<>();
        if (!(value instanceof Map<?, ?> envelope)) {
            problems.add("$ must be an object, got " + Json.typeName(value));
            return problems;
        }
        closed(envelope, ENVELOPE, "$", problems);
        for (String key : List.of("schema_version", "summary_kind", "run_id", "identifier", "producer_skill")) {
            nonEmptyString(envelope, key, "$", true, problems);
        }
        if (envelope.get("summary_kind") instanceof String kind && !kind.isEmpty() && !KIND.equals(kind)) {
            problems.add("$.summary_kind must be \"" + KIND + "\", got " + quote(kind));
        }
        Object producedAt = envelope.get("produced_at");
        if (!(producedAt instanceof String text) || !isDateTime(text)) {
            problems.add("$.produced_at must be an ISO-8601 date-time such as 2026-11-21T10:00:00Z, got "
                    + describe(envelope, "produced_at"));
        }
        Object payloadValue = envelope.get("payload");
        if (!(payloadValue instanceof Map<?, ?> payload)) {
            problems.add("$.payload must be an object, got " + describe(envelope, "payload"));
            return problems;
        }
        closed(payload, PAYLOAD, "$.payload", problems);
        Object stage = payload.get("stage");
        if (!(stage instanceof Long || stage instanceof Integer) || ((Number) stage).longValue() < 0
                || ((Number) stage).longValue() > 3) {
            problems.add("$.payload.stage must be an integer 0..3, got " + describe(payload, "stage"));
        }
        nonEmptyString(payload, "story_id", "$.payload", true, problems);
        Object status = payload.get("status");
        if (!Set.of("completed", "skipped", "error").contains(status)) {
            problems.add("$.payload.status must be one of completed, skipped, error, got " + describe(payload, "status"));
        }
        nonEmptyString(payload, "final_result", "$.payload", true, problems);
        nonEmptyString(payload, "story_status", "$.payload", true, problems);
        nullableString(payload, "verdict", problems);
        nullableString(payload, "artifact_path", problems);
        for (String key : List.of("readiness_score", "quality_score")) {
            Object score = payload.get(key);
            if (score != null && !(score instanceof Number)) {
                problems.add("$.payload." + key + " must be a number or null, got " + describe(payload, key));
            }
        }
        Object warnings = payload.get("warnings");
        if (!(warnings instanceof List<?> list)) {
            problems.add("$.payload.warnings must be an array of strings, got " + describe(payload, "warnings"));
        } else {
            for (int i = 0; i < list.size(); i++) {
                if (!(list.get(i) instanceof String)) {
                    problems.add("$.payload.warnings[" + i + "] must be a string, got " + Json.typeName(list.get(i)));
                }
            }
        }
        if (payload.containsKey("metadata") && !(payload.get("metadata") instanceof Map)) {
            problems.add("$.payload.metadata must be an object, got " + describe(payload, "metadata"));
        }
        return problems;
    }

    private static void closed(Map<?, ?> map, Set<String> allowed, String path, List<String> problems) {
        for (Object key : map.keySet()) {
            if (!allowed.contains(key)) {
                problems.add(path + " has an unknown field '" + key + "'; allowed: "
                        + String.join(", ", allowed.stream().sorted().toList()));
            }
        }
    }

    private static void nonEmptyString(Map<?, ?> map, String key, String path, boolean required,
                                       List<String> problems) {
        Object value = map.get(key);
        if (value == null && !required) {
            return;
        }
        if (!(value instanceof String s) || s.isEmpty()) {
            problems.add(path + "." + key + " must be a non-empty string, got " + describe(map, key));
        }
    }

    private static void nullableString(Map<?, ?> map, String key, List<String> problems) {
        Object value = map.get(key);
        if (value != null && !(value instanceof String)) {
            problems.add("$.payload." + key + " must be a string or null, got " + describe(map, key));
        }
    }

    private static boolean isDateTime(String text) {
        try {
            Instant.parse(text);
            return true;
        } catch (DateTimeParseException e) {
            try {
                java.time.OffsetDateTime.parse(text);
                return true;
            } catch (DateTimeParseException e2) {
                return false;
            }
        }
    }

    private static String describe(Map<?, ?> map, String key) {
        if (!map.containsKey(key)) {
            return "nothing (the field is missing)";
        }
        Object value = map.get(key);
        return value instanceof String s ? quote(s) : Json.typeName(value) + (value == null ? "" : " " + Json.compact(value));
    }

    private static String quote(String text) {
        return "\"" + (text.length() > 60 ? text.substring(0, 57) + "..." : text) + "\"";
    }
}
