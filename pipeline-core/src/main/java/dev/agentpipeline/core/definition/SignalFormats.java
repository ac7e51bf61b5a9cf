package dev.agentpipeline.core.definition;

import org.apiguardian.api.API;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * The formats a signal's payload may be required to have ({@link SignalSpec#format()}), and what they add to it.
 *
 * <p>{@link SignalSpec#PHASE}: the completion and error signals of the phase pipeline orchestrator.
 * <ul>
 *   <li>every signal: {@code phase} (a whole number) and {@code status} ({@code success} or {@code error});</li>
 *   <li>success: {@code completed_at} (text), {@code summary} (an object), {@code trigger_next} (true or false) and
 *       {@code next_phase} (a whole number or null); {@code phase_name}, {@code duration_minutes} and
 *       {@code pipeline_complete} are optional;</li>
 *   <li>error: {@code failed_at} (text) and {@code error} with {@code type} and {@code message} (texts);
 *       {@code error.recovery_attempted}, {@code error.recovery_successful}, {@code error.requires_human}
 *       (true or false), {@code checkpoint} and {@code next_action} (texts) are optional.</li>
 * </ul>
 * A success signal's {@code summary} gets numbers guards can compare, where it does not have them already:
 * {@code coverage_line} and {@code coverage_branch} (from {@code code_coverage.line} and {@code .branch}),
 * {@code integration_coverage} (from {@code coverage: "100%"}, else {@code integration_points_tested} out of
 * {@code integration_points_total}, in percent) and {@code all_tests_passing} ({@code tests_passing} equals
 * {@code tests_written}, or {@code e2e_tests_passing} equals {@code e2e_workflows_tested}).
 *
 * <p>{@link SignalSpec#JSON}: any JSON object, unchanged.
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class SignalFormats {

    private static final Pattern PERCENT = Pattern.compile("\\s*(\\d+(?:\\.\\d+)?)\\s*%?\\s*");

    private SignalFormats() {
    }

    /**
     * @param format a format name
     * @param payload a signal's JSON object
     * @return what is wrong with it, each with its JSON path; empty when it has the format
     */
    public static List<String> problems(String format, Map<String, Object> payload) {
        List<String> problems = new ArrayList<>();
        if (!SignalSpec.PHASE.equals(format)) {
            return problems;
        }
        Object phase = payload.get("phase");
        if (!isWhole(phase)) {
            problems.add("$.phase must be a whole number, got " + describe(phase));
        }
        Object status = payload.get("status");
        if ("success".equals(status)) {
            text(payload, "completed_at", "$.completed_at", problems);
            if (!(payload.get("summary") instanceof Map<?, ?>)) {
                problems.add("$.summary must be an object, got " + describe(payload.get("summary")));
            }
            if (!(payload.get("trigger_next") instanceof Boolean)) {
                problems.add("$.trigger_next must be true or false, got " + describe(payload.get("trigger_next")));
            }
            if (!payload.containsKey("next_phase")) {
                problems.add("$.next_phase is missing (a whole number, or null after the last phase)");
            } else if (payload.get("next_phase") != null && !isWhole(payload.get("next_phase"))) {
                problems.add("$.next_phase must be a whole number or null, got " + describe(payload.get("next_phase")));
            }
            optionalText(payload, "phase_name", "$.phase_name", problems);
            if (payload.get("duration_minutes") != null && !(payload.get("duration_minutes") instanceof Number)) {
                problems.add("$.duration_minutes must be a number, got " + describe(payload.get("duration_minutes")));
            }
            if (payload.get("pipeline_complete") != null && !(payload.get("pipeline_complete") instanceof Boolean)) {
                problems.add("$.pipeline_complete must be true or false, got "
                        + describe(payload.get("pipeline_complete")));
            }
        } else if ("error".equals(status)) {
            text(payload, "failed_at", "$.failed_at", problems);
            if (payload.get("error") instanceof Map<?, ?> error) {
                @SuppressWarnings("unchecked")
                Map<String, Object> e = (Map<String, Object>) error;
                text(e, "type", "$.error.type", problems);
                text(e, "message", "$.error.message", problems);
                for (String flag : List.of("recovery_attempted", "recovery_successful", "requires_human")) {
                    if (e.get(flag) != null && !(e.get(flag) instanceof Boolean)) {
                        problems.add("$.error." + flag + " must be true or false, got " + describe(e.get(flag)));
                    }
                }
            } else {
                problems.add("$.error must be an object with type and message, got " + describe(payload.get("error")));
            }
            optionalText(payload, "checkpoint", "$.checkpoint", problems);
            optionalText(payload, "next_action", "$.next_action", problems);
        } else {
            problems.add("$.status must be \"success\" or \"error\", got " + describe(status));
        }
        return problems;
    }

    /**
     * @param format a format name
     * @param payload a signal's JSON object that has the format
     * @return the payload with what the format adds (see the class comment)
     */
    public static Map<String, Object> normalize(String format, Map<String, Object> payload) {
        if (!SignalSpec.PHASE.equals(format) || !"success".equals(payload.get("status"))
                || !(payload.get("summary") instanceof Map<?, ?> given)) {
            return payload;
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> summary = new LinkedHashMap<>((Map<String, Object>) given);
        if (summary.get("code_coverage") instanceof Map<?, ?> coverage) {
            putNumber(summary, "coverage_line", coverage.get("line"));
            putNumber(summary, "coverage_branch", coverage.get("branch"));
        }
        if (!summary.containsKey("integration_coverage")) {
            Double percent = percent(summary.get("coverage"));
            if (percent == null && summary.get("integration_points_total") instanceof Number total
                    && summary.get("integration_points_tested") instanceof Number tested
                    && total.doubleValue() > 0) {
                percent = Math.floor(tested.doubleValue() * 10000 / total.doubleValue()) / 100;
            }
            if (percent != null) {
                summary.put("integration_coverage", percent);
            }
        }
        if (!summary.containsKey("all_tests_passing")) {
            Boolean passing = equalNumbers(summary.get("tests_passing"), summary.get("tests_written"));
            if (passing == null) {
                passing = equalNumbers(summary.get("e2e_tests_passing"), summary.get("e2e_workflows_tested"));
            }
            if (passing != null) {
                summary.put("all_tests_passing", passing);
            }
        }
        Map<String, Object> result = new LinkedHashMap<>(payload);
        result.put("summary", summary);
        return result;
    }

    private static void putNumber(Map<String, Object> summary, String key, Object value) {
        if (!summary.containsKey(key)) {
            Double number = value instanceof Number n ? Double.valueOf(n.doubleValue()) : percent(value);
            if (number != null) {
                summary.put(key, number);
            }
        }
    }

    private static Double percent(Object value) {
        if (value instanceof String text) {
            Matcher m = PERCENT.matcher(text);
            if (m.matches()) {
                return Double.parseDouble(m.group(1));
            }
        }
        return null;
    }

    private static Boolean equalNumbers(Object a, Object b) {
        return a instanceof Number x && b instanceof Number y ? x.doubleValue() == y.doubleValue() : null;
    }

    private static boolean isWhole(Object value) {
        return value instanceof Long || value instanceof Integer
                || value instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())
                && !(value instanceof Float) && !Double.isInfinite(n.doubleValue());
    }

    private static void text(Map<String, Object> map, String key, String path, List<String> problems) {
        if (!(map.get(key) instanceof String s) || s.isBlank()) {
            problems.add(path + " must be a non-empty text, got " + describe(map.get(key)));
        }
    }

    private static void optionalText(Map<String, Object> map, String key, String path, List<String> problems) {
        if (map.get(key) != null && !(map.get(key) instanceof String)) {
            problems.add(path + " must be a text, got " + describe(map.get(key)));
        }
    }

    private static String describe(Object value) {
        if (value == null) {
            return "nothing";
        }
        if (value instanceof String s) {
            return "\"" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "\"";
        }
        if (value instanceof Map<?, ?>) {
            return "an object";
        }
        if (value instanceof List<?>) {
            return "a list";
        }
        return String.valueOf(value);
    }
}
