package dev.agentpipeline.cli.progress;

import dev.agentpipeline.core.progress.RunProgress;
import dev.agentpipeline.core.progress.RunProgress.CounterLine;
import dev.agentpipeline.core.progress.RunProgress.StageLine;

import org.apiguardian.api.API;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

import static org.apiguardian.api.API.Status.INTERNAL;

/**
 * Renders a run's progress as the lines of a dashboard: a header with the subject, the run's status, the elapsed
 * and the estimated remaining time; one line per working stage with its status, time, attempts and result (the
 * running one with its sub-progress); the counters. With colour, statuses are coloured with ANSI escapes.
 *
 * <pre>
 * US001  Login form                                   running  1:20 elapsed, ~0:30 left
 *   ✓ STAGE_0  Task decomposition    0:05             plan_score 4
 *   ✓ STAGE_1  Validation            0:20  2 attempts GO, readiness 8
 *   ▶ STAGE_2  Execution             1:20             tasks 2/3
 *   · STAGE_3  Quality gate                ~0:30
 *   validation_retries 1/1 · quality_cycles 0/2 · crash_count 0/1
 * </pre>
 *
 * @since 0.1
 */
@API(status = INTERNAL, since = "0.1")
public final class DashboardView {

    private static final String RESET = "\u001b[0m";
    private static final String GREEN = "\u001b[32m";
    private static final String YELLOW = "\u001b[33m";
    private static final String RED = "\u001b[31m";
    private static final String DIM = "\u001b[2m";
    private static final String BOLD = "\u001b[1m";

    private final boolean colour;

    /** @param colour whether to colour statuses with ANSI escapes */
    public DashboardView(boolean colour) {
        this.colour = colour;
    }

    /**
     * @param progress where the run stands
     * @return the dashboard's lines, without line breaks
     */
    public List<String> render(RunProgress progress) {
        Objects.requireNonNull(progress, "progress");
        List<String> lines = new ArrayList<>();
        String status = switch (progress.status()) {
            case RUNNING -> paint(YELLOW, "running");
            case PAUSED -> paint(RED, "paused");
            case ENDED -> paint(GREEN, "ended: " + progress.phase());
        };
        String time = clock(progress.elapsed()) + " elapsed"
                + progress.remaining().filter(left -> progress.status() != RunProgress.Status.ENDED)
                        .map(left -> ", ~" + clock(left) + " left").orElse("");
        lines.add(paint(BOLD, fit(progress.subjectId(), 10)) + " " + fit(progress.title(), 36) + " " + status + "  "
                + time);
        for (StageLine stage : progress.stages()) {
            lines.add(stageLine(stage));
        }
        List<String> counters = new ArrayList<>();
        for (CounterLine counter : progress.counters()) {
            counters.add(counter.counterId() + " " + counter.used() + "/" + counter.limit());
        }
        if (!counters.isEmpty()) {
            lines.add("  " + paint(DIM, String.join(" · ", counters)));
        }
        progress.pauseReason().ifPresent(reason -> lines.add("  " + paint(RED, "paused: ") + firstLine(reason)));
        return lines;
    }

    private String stageLine(StageLine stage) {
        String mark = switch (stage.status()) {
            case DONE -> paint(GREEN, "✓");
            case RUNNING -> paint(YELLOW, "▶");
            case FAILED -> paint(RED, "✗");
            case PENDING -> paint(DIM, "·");
        };
        String time = stage.status() == RunProgress.StageStatus.PENDING
                ? stage.estimate().map(e -> "~" + clock(e)).orElse("")
                : clock(stage.spent());
        String attempts = stage.attempts() > 1 ? stage.attempts() + " attempts" : "";
        String detail = stage.status() == RunProgress.StageStatus.RUNNING && !stage.subProgress().isEmpty()
                ? subProgress(stage.subProgress()) : stage.result();
        return ("  " + mark + " " + fit(stage.stateId(), 8) + " " + fit(stage.description(), 20) + " "
                + String.format(Locale.ROOT, "%6s", time) + "  " + fit(attempts, 10) + " " + detail).stripTrailing();
    }

    /**
     * A progress snapshot in a few words: {@code x_done}/{@code x_total} pairs as {@code x 2/3}, other numbers and
     * short texts as {@code key value}.
     *
     * @param snapshot a stage's progress snapshot
     * @return the words
     */
    static String subProgress(Map<String, Object> snapshot) {
        Map<String, Object> sorted = new TreeMap<>(snapshot);
        List<String> parts = new ArrayList<>();
        for (Map.Entry<String, Object> entry : sorted.entrySet()) {
            String key = entry.getKey();
            if (key.endsWith("_total") && sorted.containsKey(key.substring(0, key.length() - 6) + "_done")) {
                continue;
            }
            if (key.endsWith("_done") && sorted.get(key.substring(0, key.length() - 5) + "_total") != null) {
                String name = key.substring(0, key.length() - 5);
                parts.add(name + " " + entry.getValue() + "/" + sorted.get(name + "_total"));
            } else if (entry.getValue() instanceof Number || entry.getValue() instanceof String s && s.length() <= 30
                    || entry.getValue() instanceof Boolean) {
                parts.add(key + " " + entry.getValue());
            }
        }
        return String.join(", ", parts);
    }

    /**
     * @param duration a duration
     * @return {@code 4.2s} under a minute, {@code m:ss} from a minute on, {@code h:mm:ss} from an hour on
     */
    static String clock(Duration duration) {
        long seconds = Math.max(0, duration.toSeconds());
        if (seconds < 60) {
            return String.format(Locale.ROOT, "%.1fs", Math.max(0, duration.toMillis()) / 1000.0);
        }
        return seconds >= 3600
                ? String.format(Locale.ROOT, "%d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60)
                : String.format(Locale.ROOT, "%d:%02d", seconds / 60, seconds % 60);
    }

    private String paint(String code, String text) {
        return colour ? code + text + RESET : text;
    }

    private static String fit(String text, int width) {
        String line = firstLine(text);
        if (line.length() > width) {
            return line.substring(0, width - 1) + "…";
        }
        return line + " ".repeat(width - line.length());
    }

    private static String firstLine(String text) {
        int end = text.indexOf('\n');
        return end < 0 ? text : text.substring(0, end);
    }
}
