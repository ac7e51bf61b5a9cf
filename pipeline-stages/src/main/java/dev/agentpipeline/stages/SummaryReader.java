package dev.agentpipeline.stages;

import dev.agentpipeline.spi.FailureClass;
import dev.agentpipeline.spi.StageContext;
import dev.agentpipeline.spi.StageOutcome;
import dev.agentpipeline.spi.SummaryEnvelope;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads the stage summary envelope a program wrote, checks it ({@link SummaryEnvelope}, then that it is about
 * this story and stage) and maps it to an outcome:
 * <table>
 *   <caption>envelope to outcome</caption>
 *   <tr><th>payload</th><th>outcome</th></tr>
 *   <tr><td>status completed / skipped / error</td><td>completed / skipped / failed ({@code agent_error}, or the
 *       class its text reveals)</td></tr>
 *   <tr><td>verdict</td><td>verdict</td></tr>
 *   <tr><td>readiness_score, quality_score</td><td>scores {@code readiness}, {@code quality_score}</td></tr>
 *   <tr><td>story_status, final_result, artifact_path</td><td>attributes of the same names</td></tr>
 *   <tr><td>warnings</td><td>warnings</td></tr>
 *   <tr><td>metadata.notes, metadata.metrics{}, metadata.plan_score</td><td>notes, metrics, score
 *       {@code plan_score}</td></tr>
 *   <tr><td>other metadata (rework_hint, git_stats, tasks_completed...)</td><td>attributes of the same
 *       names</td></tr>
 * </table>
 */
final class SummaryReader {

    private SummaryReader() {
    }

    static StageOutcome.Builder read(Path file, CommandSettings.Summary mode, StageContext context, String program)
            throws IOException {
        if (!Files.exists(file)) {
            if (mode == CommandSettings.Summary.OPTIONAL) {
                return StageOutcome.completed().notes(program + " exited with status 0");
            }
            return StageOutcome.failed(FailureClass.AGENT_ERROR, program + " exited with status 0 but wrote no"
                    + " stage summary to " + file + ". Make it write the envelope there (the path is the template"
                    + " variable {summary_file} and the variable PIPELINE_SUMMARY_FILE; see docs/formats.md), or"
                    + " set 'summary: optional'.");
        }
        Object value;
        try {
            value = JsonText.parse(file.toString(), Files.readString(file, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            return StageOutcome.failed(FailureClass.AGENT_ERROR, "Invalid stage summary: " + e.getMessage());
        }
        List<String> problems = new ArrayList<>(SummaryEnvelope.validate(value));
        if (problems.isEmpty()) {
            Map<?, ?> payload = (Map<?, ?>) ((Map<?, ?>) value).get("payload");
            if (!context.subjectId().equals(payload.get("story_id"))) {
                problems.add("$.payload.story_id must be \"" + context.subjectId() + "\", the story of the run, got \""
                        + payload.get("story_id") + "\"");
            }
            String number = CommandStage.stageNumber(context.stateId());
            if (!number.isEmpty() && !number.equals(String.valueOf(payload.get("stage")))) {
                problems.add("$.payload.stage must be " + number + " for state " + context.stateId() + ", got "
                        + payload.get("stage"));
            }
        }
        if (!problems.isEmpty()) {
            return StageOutcome.failed(FailureClass.AGENT_ERROR, "Invalid stage summary in " + file + ": "
                    + problems.get(0) + (problems.size() > 1 ? " (and " + (problems.size() - 1) + " more)" : "")
                    + ". See docs/formats.md for the envelope's schema.")
                    .attribute("summary_problems", problems);
        }
        return outcome((Map<?, ?>) ((Map<?, ?>) value).get("payload"));
    }

    private static StageOutcome.Builder outcome(Map<?, ?> payload) {
        Map<?, ?> metadata = payload.get("metadata") instanceof Map<?, ?> map ? map : Map.of();
        String notes = metadata.get("notes") instanceof String text ? text : "";
        String status = (String) payload.get("status");
        StageOutcome.Builder builder;
        if (status.equals("error")) {
            String message = "The program's summary says status error: " + payload.get("final_result")
                    + (notes.isEmpty() ? "" : " - " + notes);
            FailureClass failureClass = FailureClass.classify(notes.isEmpty() ? null : notes);
            builder = StageOutcome.failed(failureClass == FailureClass.NONE || failureClass == FailureClass.UNKNOWN
                    ? FailureClass.AGENT_ERROR : failureClass, message);
        } else if (status.equals("skipped")) {
            builder = StageOutcome.skipped(notes);
        } else {
            builder = StageOutcome.completed().notes(notes);
        }
        if (payload.get("verdict") instanceof String verdict && !verdict.isBlank()) {
            builder.verdict(verdict);
        }
        if (payload.get("readiness_score") instanceof Number readiness) {
            builder.score("readiness", readiness.doubleValue());
        }
        if (payload.get("quality_score") instanceof Number quality) {
            builder.score("quality_score", quality.doubleValue());
        }
        for (String name : List.of("story_status", "final_result", "artifact_path")) {
            if (payload.get(name) != null) {
                builder.attribute(name, payload.get(name));
            }
        }
        for (Object warning : (List<?>) payload.get("warnings")) {
            builder.warning((String) warning);
        }
        metadata.forEach((key, item) -> {
            String name = String.valueOf(key);
            if (name.equals("notes")) {
                return;
            }
            if (name.equals("plan_score") && item instanceof Number score) {
                builder.score("plan_score", score.doubleValue());
            } else if (name.equals("metrics") && item instanceof Map<?, ?> metrics) {
                metrics.forEach((metric, number) -> {
                    if (number instanceof Number n) {
                        builder.metric(String.valueOf(metric), n.doubleValue());
                    } else {
                        builder.warning("metadata.metrics." + metric + " is not a number and was left out");
                    }
                });
            } else {
                builder.attribute(name, item);
            }
        });
        return builder;
    }
}
