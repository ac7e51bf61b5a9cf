package dev.agentpipeline.spi;

import org.apiguardian.api.API;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.apiguardian.api.API.Status.STABLE;

/**
 * The schema of the stage summary envelope, the JSON a story stage's agent or script writes about its work (the
 * ln-1000 skill calls it the coordinator artifact). A closed schema:
 * <pre>
 * {schema_version, summary_kind: "pipeline-stage", run_id, identifier, producer_skill, produced_at,
 *  payload: {stage: 0..3, story_id, status: completed|skipped|error, final_result, story_status,
 *            verdict?, readiness_score?, quality_score?, warnings[], artifact_path?, metadata{}}}
 * </pre>
 * It lives in the SPI so that plugins which read envelopes written by programs (the command stage of
 * {@code pipeline-stages}) and the runtime's {@code record-stage-summary} check them by the same rules.
 *
 * <pre>{@code
 * List<String> problems = SummaryEnvelope.validate(parsedJson);
 * // ["$.payload.stage must be an integer 0..3, got number 5", ...]
 * }</pre>
 *
 * @since 0.1
 */
@API(status = STABLE, since = "0.1")
public final class SummaryEnvelope {

    /** The {@code summary_kind} of a pipeline stage summary. */
    public static final String KIND = "pipeline-stage";

    /** The fields of the envelope. */
    public static final Set<String> ENVELOPE_FIELDS = Set.of("schema_version", "summary_kind", "run_id",
            "identifier", "producer_skill", "produced_at", "payload");
    /** The fields of its payload. */
    public static final Set<String> PAYLOAD_FIELDS = Set.of("stage", "story_id", "status", "final_result",
            "story_status", "verdict", "readiness_score", "quality_score", "warnings", "artifact_path", "metadata");

    private SummaryEnvelope() {
    }

    /**
     * Checks a value against the envelope schema, listing every problem.
     *
     * @param value the parsed JSON value: maps, lists, strings, numbers ({@code Long} or {@code Integer} for whole
     *     numbers), booleans and null
     * @return the problems, each as {@code "$.payload.stage must be an integer 0..3, got \"x\""}; empty when valid
     */
    public static List<String> validate(Object value) {
        List<String> problems = new ArrayList<>();
        if (!(value instanceof Map<?, ?> envelope)) {
            problems.add("$ must be an object, got " + JsonValues.typeName(value));
            return problems;
        }
        closed(envelope, ENVELOPE_FIELDS, "$", problems);
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
        closed(payload, PAYLOAD_FIELDS, "$.payload", problems);
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
                    problems.add("$.payload.warnings[" + i + "] must be a string, got " + JsonValues.typeName(list.get(i)));
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
                OffsetDateTime.parse(text);
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
        return value instanceof String s ? quote(s) : JsonValues.typeName(value) + (value == null ? "" : " " + compact(value));
    }

    private static String quote(String text) {
        return "\"" + (text.length() > 60 ? text.substring(0, 57) + "..." : text) + "\"";
    }

    /** A value as compact JSON, for messages. */
    private static String compact(Object value) {
        StringBuilder out = new StringBuilder();
        write(out, value);
        return out.toString();
    }

    private static void write(StringBuilder out, Object value) {
        if (value instanceof Map<?, ?> map) {
            out.append('{');
            Iterator<? extends Map.Entry<?, ?>> entries = map.entrySet().iterator();
            while (entries.hasNext()) {
                Map.Entry<?, ?> entry = entries.next();
                string(out, String.valueOf(entry.getKey()));
                out.append(':');
                write(out, entry.getValue());
                if (entries.hasNext()) {
                    out.append(',');
                }
            }
            out.append('}');
        } else if (value instanceof List<?> list) {
            out.append('[');
            for (int i = 0; i < list.size(); i++) {
                out.append(i == 0 ? "" : ",");
                write(out, list.get(i));
            }
            out.append(']');
        } else if (value instanceof String text) {
            string(out, text);
        } else {
            out.append(value);
        }
    }

    private static void string(StringBuilder out, String text) {
        out.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
