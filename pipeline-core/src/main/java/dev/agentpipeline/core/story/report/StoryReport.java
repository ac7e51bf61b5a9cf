package dev.agentpipeline.core.story.report;

import dev.agentpipeline.core.run.Attempt;
import dev.agentpipeline.core.run.Checkpoint;
import dev.agentpipeline.core.run.RunState;
import dev.agentpipeline.core.story.StoryWorkspaces;
import dev.agentpipeline.spi.StageOutcome;

import org.apiguardian.api.API;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * The pipeline report of one story run, in the ln-1000 skill's layout ({@code docs/tasks/reports/pipeline-{date}.md}):
 * a header (story, branch, final state, duration), one table per stage followed by that stage's notes, and the
 * pipeline's metrics. Immutable and thread-safe.
 *
 * <p>Rendering is pure: every value comes from the run ({@link RunState}: stage timestamps, attempts and their
 * outcomes, checkpoints, stage summaries, counters and the attributes {@code workspace}, {@code branch_name},
 * {@code git_stats} and {@code infra_issues}); a value the run does not have renders as {@code -}. The clock only
 * gives the time zone of the date and, for a run still working, the end of its duration.
 *
 * <pre>{@code
 * StoryReport report = StoryReport.render(runtime.load(runId).state(), Clock.systemDefaultZone());
 * Files.writeString(reports.resolve(report.fileName()), report.markdown());
 * }</pre>
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class StoryReport {

    /** The prefix of the comment that names the run in a report, so a second report of the run finds its file. */
    public static final String RUN_MARKER = "<!-- agent-pipeline report; run_id: ";

    private static final String NONE = "-";
    private static final String NO_NOTES = "_(no notes captured)_";

    private final String runId;
    private final String storyId;
    private final LocalDate date;
    private final String markdown;
    private final TrendRow trendRow;

    private StoryReport(String runId, String storyId, LocalDate date, String markdown, TrendRow trendRow) {
        this.runId = runId;
        this.storyId = storyId;
        this.date = date;
        this.markdown = markdown;
        this.trendRow = trendRow;
    }

    /**
     * Renders the report of a story run.
     *
     * @param run the run (of the story pipeline, or any pipeline with states {@code STAGE_0..STAGE_3})
     * @param clock gives the zone of the report's date, and "now" for a run that has not ended or paused
     * @return the report, never null
     */
    public static StoryReport render(RunState run, Clock clock) {
        Objects.requireNonNull(run, "run");
        Objects.requireNonNull(clock, "clock");
        Instant end = end(run, clock);
        LocalDate date = LocalDate.ofInstant(end, clock.getZone());
        Duration wallClock = between(run.createdAt(), end);

        StringBuilder md = new StringBuilder();
        md.append("# Pipeline Report \u2014 ").append(date).append("\n\n");
        md.append(RUN_MARKER).append(run.runId()).append(" -->\n\n");
        md.append("**Story:** ").append(inline(run.subjectId())).append(run.title().isEmpty() ? ""
                : " \u2014 " + inline(run.title())).append("\n\n");
        md.append("**Branch:** ").append(inline(branch(run))).append("\n\n");
        md.append("**Final State:** ").append(inline(finalState(run))).append("\n\n");
        md.append("**Duration:** ").append(formatDuration(wallClock)).append("\n\n");

        Optional<Checkpoint> c0 = run.latestCheckpoint("STAGE_0");
        section(md, "Task Planning (Stage 0)", List.of("Tasks", "Plan Score", "Duration"), List.of(
                tasks(run, c0), c0.map(c -> outOf(c.payload().get("plan_score"), 4)).orElse(NONE),
                stageDuration(run, "STAGE_0")), notes(run, "STAGE_0"));

        Optional<Checkpoint> c1 = run.latestCheckpoint("STAGE_1");
        section(md, "Validation (Stage 1)", List.of("Verdict", "Readiness", "Agent Review", "Duration"), List.of(
                verdict(run, "STAGE_1", c1), outOf(c1.map(c -> c.payload().get("readiness"))
                        .orElse(summaryValue(run, "STAGE_1", "readiness_score")), 10),
                text(c1.map(c -> c.payload().get("agents_info")).orElse(null)),
                stageDuration(run, "STAGE_1")), notes(run, "STAGE_1"));

        Optional<Checkpoint> c2 = run.latestCheckpoint("STAGE_2");
        Map<?, ?> gitStats = gitStats(run, c2);
        section(md, "Implementation (Stage 2)", List.of("Status", "Files", "Lines", "Duration"), List.of(
                implementationStatus(run), text(gitStats.get("files_changed")), lines(gitStats),
                stageDuration(run, "STAGE_2")), notes(run, "STAGE_2"));

        Optional<Checkpoint> c3 = run.latestCheckpoint("STAGE_3");
        Object qualityScore = c3.map(c -> c.payload().get("quality_score"))
                .orElse(summaryValue(run, "STAGE_3", "quality_score"));
        int rework = run.counter("quality_cycles");
        section(md, "Quality Gate (Stage 3)", List.of("Verdict", "Score", "Agent Review", "Rework", "Duration"),
                List.of(verdict(run, "STAGE_3", c3), outOf(qualityScore, 100),
                        text(c3.map(c -> c.payload().get("agents_info")).orElse(null)), String.valueOf(rework),
                        stageDuration(run, "STAGE_3")), notes(run, "STAGE_3"));

        List<Map<?, ?>> infraIssues = infraIssues(run);
        md.append("## Pipeline Metrics\n\n");
        table(md, List.of("Wall-clock", "Rework cycles", "Validation retries", "Crashes", "Infra issues"),
                List.of(formatDuration(wallClock), String.valueOf(rework),
                        String.valueOf(run.counter("validation_retries")), String.valueOf(run.counter("crash_count")),
                        String.valueOf(infraIssues.size())));
        if (!infraIssues.isEmpty()) {
            md.append('\n');
            for (Map<?, ?> issue : infraIssues) {
                md.append("- ").append(inline(text(issue.get("phase")))).append(' ')
                        .append(inline(text(issue.get("type")))).append(": ")
                        .append(inline(text(issue.get("message")))).append('\n');
            }
        }

        TrendRow row = new TrendRow(date, run.subjectId(), run.runId(), number(qualityScore), rework,
                infraIssues.size());
        return new StoryReport(run.runId(), run.subjectId(), date, md.toString(), row);
    }

    /** @return the run the report is about, never null */
    public String runId() {
        return runId;
    }

    /** @return the story, never null */
    public String storyId() {
        return storyId;
    }

    /** @return the report's date: the day the run ended or paused (today for a run still working), never null */
    public LocalDate date() {
        return date;
    }

    /** @return the ln-1000 skill's file name, {@code pipeline-{date}.md}, never null */
    public String fileName() {
        return "pipeline-" + date + ".md";
    }

    /** @return the whole report, Markdown, ending with a newline, never null */
    public String markdown() {
        return markdown;
    }

    /** @return the run's row of the quality trend, never null */
    public TrendRow trendRow() {
        return trendRow;
    }

    @Override
    public String toString() {
        return "StoryReport[" + runId + " " + storyId + " " + date + "]";
    }

    // ------------------------------------------------------------------------------------------------ values

    /** A run that ended or paused ended at its last event; one still working ends now. */
    private static Instant end(RunState run, Clock clock) {
        if (run.complete() || run.isPaused()) {
            return run.updatedAt();
        }
        Instant now = clock.instant();
        return now.isBefore(run.updatedAt()) ? run.updatedAt() : now;
    }

    private static String branch(RunState run) {
        if (run.attributes().get(StoryWorkspaces.ATTRIBUTE) instanceof Map<?, ?> workspace
                && workspace.get("branch") instanceof String branch && !branch.isEmpty()) {
            return branch;
        }
        return text(run.attributes().get("branch_name"));
    }

    private static String finalState(RunState run) {
        StringBuilder state = new StringBuilder(run.phase());
        run.finalResult().filter(result -> !result.equals(run.phase())).ifPresent(result ->
                state.append(" (").append(result).append(')'));
        if (run.isPaused()) {
            run.pausedFrom().ifPresent(from -> state.append(" at ").append(from));
            run.pausedReason().ifPresent(reason -> state.append(" \u2014 ").append(reason));
        } else if (run.complete()) {
            run.pausedReason().ifPresent(reason -> state.append(" \u2014 ").append(reason));
        }
        return state.toString();
    }

    /**
     * The tasks the decomposition created: its outcome's {@code tasks_completed} and {@code tasks_remaining} when a
     * plugin ran it (the recorder writes empty lists into the checkpoint when the plugin gave none), else the
     * checkpoint's.
     */
    private static String tasks(RunState run, Optional<Checkpoint> checkpoint) {
        Map<String, Object> payload;
        Optional<StageOutcome> outcome = run.latestOutcome("STAGE_0");
        if (outcome.isPresent()) {
            payload = outcome.get().attributes();
        } else if (checkpoint.isPresent()) {
            payload = checkpoint.get().payload();
        } else {
            return NONE;
        }
        Object completed = payload.get("tasks_completed");
        Object remaining = payload.get("tasks_remaining");
        if (!(completed instanceof List) && !(remaining instanceof List)) {
            return NONE;
        }
        int count = (completed instanceof List<?> c ? c.size() : 0) + (remaining instanceof List<?> r ? r.size() : 0);
        return count + " created";
    }

    private static String verdict(RunState run, String stateId, Optional<Checkpoint> checkpoint) {
        Object verdict = checkpoint.map(c -> c.payload().get("verdict")).orElse(null);
        if (verdict == null) {
            verdict = summaryValue(run, stateId, "verdict");
        }
        return text(verdict);
    }

    private static String implementationStatus(RunState run) {
        Optional<Map<String, Object>> payload = summaryPayload(run, "STAGE_2");
        if (payload.isPresent()) {
            String status = text(payload.get().get("status"));
            Object storyStatus = payload.get().get("story_status");
            return storyStatus instanceof String s && !s.isEmpty() ? status + ", " + s : status;
        }
        return run.latestOutcome("STAGE_2").map(o -> o.status().wireName()).orElse(NONE);
    }

    private static Map<?, ?> gitStats(RunState run, Optional<Checkpoint> stage2) {
        if (stage2.isPresent() && stage2.get().payload().get("git_stats") instanceof Map<?, ?> stats && !stats.isEmpty()) {
            return stats;
        }
        return run.attributes().get("git_stats") instanceof Map<?, ?> stats ? stats : Map.of();
    }

    private static String lines(Map<?, ?> gitStats) {
        Object added = gitStats.get("lines_added");
        Object deleted = gitStats.get("lines_deleted");
        if (added == null && deleted == null) {
            return NONE;
        }
        return "+" + text(added) + "/-" + text(deleted);
    }

    @SuppressWarnings("unchecked")
    private static List<Map<?, ?>> infraIssues(RunState run) {
        List<Map<?, ?>> issues = new ArrayList<>();
        if (run.attributes().get("infra_issues") instanceof List<?> list) {
            for (Object issue : list) {
                issues.add(issue instanceof Map<?, ?> map ? map : Map.of("message", String.valueOf(issue)));
            }
        }
        return issues;
    }

    @SuppressWarnings("unchecked")
    private static Optional<Map<String, Object>> summaryPayload(RunState run, String stateId) {
        return run.summary(stateId).map(envelope -> envelope.get("payload"))
                .filter(Map.class::isInstance).map(payload -> (Map<String, Object>) payload);
    }

    private static Object summaryValue(RunState run, String stateId, String key) {
        return summaryPayload(run, stateId).map(payload -> payload.get(key)).orElse(null);
    }

    /**
     * How long a stage worked: the sum of its attempts' times when plugins ran it (every visit: a reworked stage
     * counts each time), else the older ln-1000 runtime's {@code stage_N_end - stage_N_start} (the latest visit, from
     * its entry to its checkpoint).
     */
    private static String stageDuration(RunState run, String stateId) {
        Duration total = Duration.ZERO;
        boolean any = false;
        for (Attempt attempt : run.attempts()) {
            if (attempt.stateId().equals(stateId) && attempt.finishedAt() != null) {
                total = total.plus(between(attempt.startedAt(), attempt.finishedAt()));
                any = true;
            }
        }
        if (any) {
            return formatDuration(total);
        }
        Instant start = run.stageTimestamps().get(RunState.timestampKey(stateId, "start"));
        Instant end = run.stageTimestamps().get(RunState.timestampKey(stateId, "end"));
        if (start == null || end == null || end.isBefore(start)) {
            return NONE;
        }
        return formatDuration(between(start, end));
    }

    // ------------------------------------------------------------------------------------------------ notes

    /**
     * A stage's notes: for each finished attempt (oldest first) its verdict, notes, reason, issues and warnings;
     * for a stage driven through the command protocol (no attempts), its summary's notes and warnings and its
     * checkpoint's reason, issues and last action.
     */
    private static List<String> notes(RunState run, String stateId) {
        List<String> notes = new ArrayList<>();
        int number = 0;
        for (Attempt attempt : run.attempts()) {
            if (!attempt.stateId().equals(stateId)) {
                continue;
            }
            number++;
            if (attempt.status() == Attempt.Status.CRASHED) {
                notes.add("Attempt " + number + ": crashed (no outcome; re-run from its saved progress)");
                continue;
            }
            StageOutcome outcome = attempt.outcome();
            if (outcome == null) {
                notes.add("Attempt " + number + ": still running");
                continue;
            }
            StringBuilder line = new StringBuilder("Attempt ").append(number).append(": ")
                    .append(outcome.status().wireName());
            outcome.verdict().ifPresent(v -> line.append(' ').append(v));
            outcome.failure().ifPresent(f -> line.append(" (").append(f.failureClass().wireName()).append(": ")
                    .append(f.message()).append(')'));
            if (!outcome.notes().isBlank()) {
                line.append(" \u2014 ").append(outcome.notes().strip());
            }
            notes.add(line.toString());
            for (String key : List.of("reason", "issues")) {
                Object value = outcome.attributes().get(key);
                if (value != null) {
                    notes.add("  " + capitalize(key) + ": " + text(value));
                }
            }
            for (String warning : outcome.warnings()) {
                notes.add("  Warning: " + warning);
            }
        }
        if (number == 0) {
            summaryPayload(run, stateId).ifPresent(payload -> {
                if (payload.get("metadata") instanceof Map<?, ?> metadata && metadata.get("notes") != null) {
                    notes.add(text(metadata.get("notes")));
                }
                if (payload.get("warnings") instanceof List<?> warnings) {
                    warnings.forEach(w -> notes.add("Warning: " + text(w)));
                }
            });
            run.latestCheckpoint(stateId).ifPresent(checkpoint -> {
                for (String key : List.of("notes", "reason", "issues", "last_action")) {
                    Object value = checkpoint.payload().get(key);
                    if (value != null && !(key.equals("notes") && notes.contains(text(value)))) {
                        notes.add(capitalize(key.replace('_', ' ')) + ": " + text(value));
                    }
                }
            });
        }
        return notes;
    }

    // ------------------------------------------------------------------------------------------------ markdown

    private static void section(StringBuilder md, String title, List<String> headers, List<String> cells,
                                List<String> notes) {
        md.append("## ").append(title).append("\n\n");
        table(md, headers, cells);
        md.append('\n');
        if (notes.isEmpty()) {
            md.append(NO_NOTES).append('\n');
        } else {
            for (String note : notes) {
                boolean nested = note.startsWith("  ");
                String indent = nested ? "  " : "";
                String body = nested ? note.substring(2) : note;
                // Continuation lines stay inside their list item.
                md.append(indent).append("- ").append(body.strip().replace("\r\n", "\n").replace('\r', '\n')
                        .replace("\n", "\n" + indent + "  ")).append('\n');
            }
        }
        md.append('\n');
    }

    private static void table(StringBuilder md, List<String> headers, List<String> cells) {
        md.append('|');
        headers.forEach(h -> md.append(' ').append(h).append(" |"));
        md.append("\n|");
        headers.forEach(h -> md.append(' ').append("-".repeat(Math.max(3, h.length()))).append(" |"));
        md.append("\n|");
        cells.forEach(c -> md.append(' ').append(cell(c)).append(" |"));
        md.append('\n');
    }

    /**
     * Escapes a value for a Markdown table cell: pipes and backslashes are escaped, line breaks become
     * {@code <br>}, and an empty value is {@code -}.
     *
     * @param value the value, may be null
     * @return the cell's text, never null
     */
    public static String cell(String value) {
        if (value == null || value.isBlank()) {
            return NONE;
        }
        return value.strip().replace("\\", "\\\\").replace("|", "\\|").replace("\r\n", "\n").replace('\r', '\n')
                .replace("\n", "<br>");
    }

    /** One line of text: line breaks become spaces. */
    private static String inline(String value) {
        return value == null || value.isBlank() ? NONE : value.strip().replaceAll("\\s*[\\r\\n]+\\s*", " ");
    }

    private static String capitalize(String text) {
        return text.isEmpty() ? text : Character.toUpperCase(text.charAt(0)) + text.substring(1);
    }

    /** A JSON value as text: lists joined with commas, numbers without a needless {@code .0}; null is {@code -}. */
    static String text(Object value) {
        if (value == null) {
            return NONE;
        }
        if (value instanceof List<?> list) {
            List<String> parts = new ArrayList<>();
            list.forEach(item -> parts.add(text(item)));
            return parts.isEmpty() ? NONE : String.join(", ", parts);
        }
        if (value instanceof Number n) {
            return formatNumber(n.doubleValue());
        }
        String text = value.toString();
        return text.isBlank() ? NONE : text;
    }

    private static String outOf(Object score, int max) {
        OptionalDouble number = number(score);
        return number.isPresent() ? formatNumber(number.getAsDouble()) + "/" + max : NONE;
    }

    private static OptionalDouble number(Object value) {
        if (value instanceof Number n && Double.isFinite(n.doubleValue())) {
            return OptionalDouble.of(n.doubleValue());
        }
        return OptionalDouble.empty();
    }

    static String formatNumber(double value) {
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            return Long.toString((long) value);
        }
        return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
    }

    /**
     * The time between two instants as the journal keeps them (milliseconds), so a run rendered in the process that
     * drove it and a run loaded from its journal give the same report; never negative.
     */
    private static Duration between(Instant from, Instant to) {
        Duration duration = Duration.between(from.truncatedTo(ChronoUnit.MILLIS), to.truncatedTo(ChronoUnit.MILLIS));
        return duration.isNegative() ? Duration.ZERO : duration;
    }

    /**
     * Formats a duration for people: {@code 420 ms}, {@code 4.2s} under ten seconds, {@code 42s}, {@code 5m 03s}, {@code 1h 02m 05s}.
     *
     * @param duration the duration, not negative
     * @return the text, never null
     */
    public static String formatDuration(Duration duration) {
        long millis = duration.toMillis();
        if (millis < 1000) {
            return millis + " ms";
        }
        if (millis < 10_000) {
            return BigDecimal.valueOf(millis / 100, 1).toPlainString() + "s";
        }
        long seconds = duration.getSeconds();
        if (seconds < 60) {
            return seconds + "s";
        }
        if (seconds < 3600) {
            return String.format(java.util.Locale.ROOT, "%dm %02ds", seconds / 60, seconds % 60);
        }
        return String.format(java.util.Locale.ROOT, "%dh %02dm %02ds", seconds / 3600, (seconds % 3600) / 60,
                seconds % 60);
    }
}
