package dev.agentpipeline.stages;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.agentpipeline.spi.FailureClass;
import dev.agentpipeline.spi.OutcomeStatus;
import dev.agentpipeline.spi.ProgressSignal;
import dev.agentpipeline.spi.StageOutcome;

import org.apiguardian.api.API;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * The outcomes a {@link ScriptedStage} replays, per state and per visit of that state. Immutable.
 *
 * <p>A scenario file (YAML or JSON):
 * <pre>
 * schema_version: 1
 * states:
 *   STAGE_1:                       # one entry per visit of the state; the last one repeats
 *     - verdict: NO-GO
 *       scores: {readiness: 4}
 *       attributes: {reason: "Acceptance criterion 2 is not testable"}
 *     - verdict: GO
 *       scores: {readiness: 8}
 *   STAGE_2:
 *     - attempts:                  # per attempt within the visit, for retries
 *         - {status: failed, failure_class: rate_limited, message: "HTTP 429 from the model API"}
 *         - {attributes: {story_status: To Review}}
 * </pre>
 * An entry's fields: {@code status} ({@code completed}, {@code skipped} or {@code failed}; default completed),
 * {@code verdict}, {@code scores}, {@code metrics}, {@code attributes}, {@code notes}, {@code warnings},
 * {@code progress} (progress signal names), and for failures {@code failure_class} and {@code message}. Errors
 * name the file and line.
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class Scenario {

    private static final Set<String> ENTRY_FIELDS = Set.of("status", "verdict", "scores", "metrics", "attributes",
            "notes", "warnings", "progress", "failure_class", "message", "attempts");

    private final Map<String, List<List<StageOutcome>>> states;

    private Scenario(Map<String, List<List<StageOutcome>>> states) {
        this.states = states;
    }

    /**
     * Reads a scenario file.
     *
     * @param file the YAML or JSON file
     * @return the scenario
     * @throws IllegalArgumentException naming the file and line of the first problem
     */
    public static Scenario load(Path file) {
        try {
            return parse(file.toString(), Files.readString(file, StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("Scenario file " + file.toAbsolutePath() + " does not exist", e);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read scenario file " + file, e);
        }
    }

    /**
     * Parses a scenario.
     *
     * @param source a name for error messages
     * @param text YAML or JSON
     * @return the scenario
     * @throws IllegalArgumentException naming the source and line of the first problem
     */
    public static Scenario parse(String source, String text) {
        try (JsonParser parser = new YAMLFactory().createParser(text)) {
            JsonToken first = parser.nextToken();
            if (first != JsonToken.START_OBJECT) {
                throw problem(source, parser, "a scenario is a mapping with schema_version and states");
            }
            Map<String, List<List<StageOutcome>>> states = new LinkedHashMap<>();
            boolean versioned = false;
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                if (field.equals("schema_version")) {
                    if (value != JsonToken.VALUE_NUMBER_INT || parser.getIntValue() != 1) {
                        throw problem(source, parser, "schema_version must be 1");
                    }
                    versioned = true;
                } else if (field.equals("states")) {
                    readStates(source, parser, value, states);
                } else {
                    throw problem(source, parser, "unknown field '" + field + "'; expected schema_version, states");
                }
            }
            if (!versioned) {
                throw new IllegalArgumentException(source + ": a scenario needs 'schema_version: 1'");
            }
            return new Scenario(Collections.unmodifiableMap(states));
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            throw new IllegalArgumentException(source + ":" + (at == null ? 0 : at.getLineNr()) + ": not valid YAML: "
                    + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void readStates(String source, JsonParser parser, JsonToken token,
                                   Map<String, List<List<StageOutcome>>> states) throws IOException {
        if (token != JsonToken.START_OBJECT) {
            throw problem(source, parser, "'states' maps state ids to lists of outcomes");
        }
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String state = parser.currentName();
            if (parser.nextToken() != JsonToken.START_ARRAY) {
                throw problem(source, parser, "state " + state + " needs a list of outcomes, one per visit");
            }
            List<List<StageOutcome>> visits = new ArrayList<>();
            for (JsonToken t = parser.nextToken(); t != JsonToken.END_ARRAY; t = parser.nextToken()) {
                visits.add(readVisit(source, parser, t, state));
            }
            if (visits.isEmpty()) {
                throw problem(source, parser, "state " + state + " has no outcomes");
            }
            states.put(state, List.copyOf(visits));
        }
    }

    private static List<StageOutcome> readVisit(String source, JsonParser parser, JsonToken token, String state)
            throws IOException {
        int line = parser.currentTokenLocation().getLineNr();
        Object value = Values.read(parser, token);
        if (!(value instanceof Map<?, ?> entry)) {
            throw new IllegalArgumentException(source + ":" + line + ": an outcome of " + state + " must be a mapping");
        }
        if (entry.get("attempts") instanceof List<?> attempts) {
            if (entry.size() != 1) {
                throw new IllegalArgumentException(source + ":" + line + ": an entry with 'attempts' has no other"
                        + " fields");
            }
            List<StageOutcome> outcomes = new ArrayList<>();
            for (Object attempt : attempts) {
                outcomes.add(outcome(source, line, state, attempt));
            }
            if (outcomes.isEmpty()) {
                throw new IllegalArgumentException(source + ":" + line + ": 'attempts' is empty");
            }
            return List.copyOf(outcomes);
        }
        return List.of(outcome(source, line, state, entry));
    }

    private static StageOutcome outcome(String source, int line, String state, Object value) {
        String where = source + ":" + line + ": " + state + ": ";
        if (!(value instanceof Map<?, ?> entry)) {
            throw new IllegalArgumentException(where + "an outcome must be a mapping");
        }
        for (Object key : entry.keySet()) {
            if (!ENTRY_FIELDS.contains(key) || key.equals("attempts")) {
                throw new IllegalArgumentException(where + "unknown field '" + key + "'; expected status, verdict,"
                        + " scores, metrics, attributes, notes, warnings, progress, failure_class, message");
            }
        }
        try {
            String statusName = entry.get("status") == null ? "completed" : entry.get("status").toString();
            OutcomeStatus status = statusName.equals("failed") ? OutcomeStatus.FAILED
                    : OutcomeStatus.fromWireName(statusName);
            StageOutcome.Builder builder;
            if (status == OutcomeStatus.FAILED) {
                Object failureClass = entry.get("failure_class");
                builder = StageOutcome.failed(failureClass == null ? FailureClass.AGENT_ERROR
                        : FailureClass.fromWireName(failureClass.toString()),
                        entry.get("message") == null ? "" : entry.get("message").toString());
            } else if (status == OutcomeStatus.SKIPPED) {
                builder = StageOutcome.skipped(entry.get("notes") == null ? "" : entry.get("notes").toString());
            } else {
                builder = StageOutcome.completed();
            }
            if (entry.get("verdict") != null) {
                builder.verdict(entry.get("verdict").toString());
            }
            numbers(where, "scores", entry.get("scores")).forEach(builder::score);
            numbers(where, "metrics", entry.get("metrics")).forEach(builder::metric);
            if (entry.get("attributes") instanceof Map<?, ?> attributes) {
                attributes.forEach((k, v) -> builder.attribute(k.toString(), v));
            } else if (entry.get("attributes") != null) {
                throw new IllegalArgumentException("'attributes' must be a mapping");
            }
            if (entry.get("notes") != null && status != OutcomeStatus.SKIPPED) {
                builder.notes(entry.get("notes").toString());
            }
            if (entry.get("warnings") instanceof List<?> warnings) {
                warnings.forEach(w -> builder.warning(String.valueOf(w)));
            }
            if (entry.get("progress") instanceof List<?> progress) {
                progress.forEach(p -> builder.progress(ProgressSignal.fromWireName(String.valueOf(p))));
            }
            return builder.build();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + e.getMessage(), e);
        }
    }

    private static Map<String, Double> numbers(String where, String field, Object value) {
        if (value == null) {
            return Map.of();
        }
        if (!(value instanceof Map<?, ?> map)) {
            throw new IllegalArgumentException("'" + field + "' must be a mapping of names to numbers");
        }
        Map<String, Double> numbers = new LinkedHashMap<>();
        map.forEach((k, v) -> {
            if (!(v instanceof Number n)) {
                throw new IllegalArgumentException("'" + field + "." + k + "' must be a number, got " + v);
            }
            numbers.put(k.toString(), n.doubleValue());
        });
        return numbers;
    }

    private static IllegalArgumentException problem(String source, JsonParser parser, String message) {
        return new IllegalArgumentException(source + ":" + parser.currentTokenLocation().getLineNr() + ": " + message);
    }

    /** @return the states the scenario scripts */
    public Set<String> states() {
        return states.keySet();
    }

    /**
     * The outcome for an attempt: the entry of the visit (the last entry repeats), then of the attempt within it
     * (the last attempt repeats).
     *
     * @param state the state
     * @param visit the visit number, from 1
     * @param attempt the attempt number within the visit, from 1
     * @return the outcome, if the scenario scripts the state
     */
    public Optional<StageOutcome> outcome(String state, int visit, int attempt) {
        List<List<StageOutcome>> visits = states.get(state);
        if (visits == null) {
            return Optional.empty();
        }
        List<StageOutcome> attempts = visits.get(Math.min(Math.max(visit, 1), visits.size()) - 1);
        return Optional.of(attempts.get(Math.min(Math.max(attempt, 1), attempts.size()) - 1));
    }

    /** Reads YAML/JSON values into plain Java values. */
    static final class Values {
        private Values() {
        }

        static Object read(JsonParser parser, JsonToken token) throws IOException {
            switch (token) {
                case START_OBJECT: {
                    Map<String, Object> map = new LinkedHashMap<>();
                    for (JsonToken t = parser.nextToken(); t != JsonToken.END_OBJECT; t = parser.nextToken()) {
                        String name = parser.currentName();
                        map.put(name, read(parser, parser.nextToken()));
                    }
                    return map;
                }
                case START_ARRAY: {
                    List<Object> list = new ArrayList<>();
                    for (JsonToken t = parser.nextToken(); t != JsonToken.END_ARRAY; t = parser.nextToken()) {
                        list.add(read(parser, t));
                    }
                    return list;
                }
                case VALUE_NUMBER_INT:
                    return parser.getLongValue();
                case VALUE_NUMBER_FLOAT:
                    return parser.getDoubleValue();
                case VALUE_TRUE:
                    return Boolean.TRUE;
                case VALUE_FALSE:
                    return Boolean.FALSE;
                case VALUE_NULL:
                    return null;
                default:
                    return parser.getText();
            }
        }
    }
}
