package dev.agentpipeline.cli.progress;

import dev.agentpipeline.core.engine.RunListener;
import dev.agentpipeline.core.run.RunEvent;
import dev.agentpipeline.core.run.RunState;
import dev.agentpipeline.spi.OutcomeStatus;
import dev.agentpipeline.spi.StageOutcome;

import org.apiguardian.api.API;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

import static org.apiguardian.api.API.Status.INTERNAL;

/**
 * Prints one line per step of a run as it happens: transitions, attempts with their verdicts and scores,
 * retries, pauses and the end. A {@link RunListener}, so it sees only what is already durable.
 *
 * <pre>
 * [  0.01s] US-DEMO-1  QUEUED -&gt; STAGE_0
 * [  0.02s] US-DEMO-1  STAGE_0 attempt 1 (pipeline-command) ...
 * [  0.03s] US-DEMO-1  STAGE_0 completed: plan_score 4
 * </pre>
 *
 * @since 0.1
 */
@API(status = INTERNAL, since = "0.1")
public final class ProgressPrinter implements RunListener {

    private final PrintStream out;
    private final Map<String, Instant> started = new HashMap<>();
    private Instant first;

    /**
     * @param out where to print
     */
    public ProgressPrinter(PrintStream out) {
        this.out = Objects.requireNonNull(out, "out");
    }

    @Override
    public synchronized void onEvent(RunEvent event, RunState state) {
        if (first == null) {
            first = event.at();
        }
        String line = describe(event, state);
        if (line != null) {
            double seconds = Duration.between(first, event.at()).toMillis() / 1000.0;
            out.printf("[%7.2fs] %-10s %s%n", seconds, state.subjectId(), line);
            out.flush();
        }
    }

    private String describe(RunEvent event, RunState state) {
        if (event instanceof RunEvent.Started s) {
            return "run " + s.runId() + " started (" + s.pipelineId() + " pipeline)";
        }
        if (event instanceof RunEvent.Transitioned t) {
            String counter = t.counterIncremented() == null ? "" : "  (" + t.counterIncremented() + " "
                    + state.counter(t.counterIncremented()) + ")";
            String override = t.override() == null ? "" : "  (override: " + t.override() + ")";
            return t.from() + " -> " + t.to() + counter + override;
        }
        if (event instanceof RunEvent.AttemptStarted a) {
            started.put(a.attemptId(), a.at());
            return a.stateId() + " attempt " + a.number() + " (" + a.stageId() + ") ...";
        }
        if (event instanceof RunEvent.AttemptFinished f) {
            Instant begin = started.getOrDefault(f.attemptId(), f.at());
            long millis = Duration.between(begin, f.at()).toMillis();
            return state.attempt(f.attemptId()).map(a -> a.stateId()).orElse("?") + " " + outcome(f.outcome())
                    + " in " + millis + " ms";
        }
        if (event instanceof RunEvent.RetryScheduled r) {
            return "retry after " + r.delay().toMillis() + " ms (" + r.failureClass().wireName() + ")";
        }
        if (event instanceof RunEvent.AttemptCrashed c) {
            return "attempt " + c.attemptId() + " never finished: counted as a crash";
        }
        if (event instanceof RunEvent.Paused p) {
            return "PAUSED in " + p.pause().pausedFrom() + ": " + p.pause().reason()
                    + (p.pause().nextAction().isEmpty() ? "" : "  -> next: " + p.pause().nextAction());
        }
        if (event instanceof RunEvent.Ended e) {
            return "ended: " + e.result() + (e.reason() == null ? "" : " (" + e.reason() + ")");
        }
        if (event instanceof RunEvent.CheckpointRecorded c && c.payload().get("git_stats") instanceof Map<?, ?> stats) {
            return c.stateId() + " checkpoint: " + stats.get("files_changed") + " files changed, +"
                    + stats.get("lines_added") + " -" + stats.get("lines_deleted") + " against the base";
        }
        if (event instanceof RunEvent.AttributesUpdated u && u.attributes().get("workspace") instanceof Map<?, ?> ws) {
            return workspace(ws);
        }
        return null;
    }

    /** A line for a change of the run's workspace (see {@code StoryWorkspaces}). */
    private static String workspace(Map<?, ?> ws) {
        Object state = ws.get("state");
        if ("active".equals(state) && ws.get("saved_work") == null && ws.get("final_commit") == null) {
            return "workspace " + ws.get("name") + ": " + ws.get("directory") + " ("
                    + String.valueOf(ws.get("kind")).toLowerCase(Locale.ROOT).replace('_', ' ') + " on "
                    + ws.get("branch") + ")";
        }
        if ("saved".equals(state) && ws.get("saved_work") instanceof Map<?, ?> saved) {
            return "work saved on " + saved.get("branch") + " at " + shortCommit(saved.get("commit"))
                    + (saved.get("remote") == null ? "" : ", pushed to " + saved.get("remote"))
                    + "; the worktree is removed until the run goes on";
        }
        if (ws.get("final_commit") != null) {
            String removed = "removed".equals(state) ? "; worktree removed, branch kept" : "";
            if (ws.get("final_commit").equals(ws.get("base_commit"))) {
                return "no changes to commit on " + ws.get("branch") + removed;
            }
            return "work committed on " + ws.get("branch") + " at " + shortCommit(ws.get("final_commit")) + removed;
        }
        return null;
    }

    private static String shortCommit(Object commit) {
        String text = String.valueOf(commit);
        return text.length() > 10 ? text.substring(0, 10) : text;
    }

    private static String outcome(StageOutcome outcome) {
        StringBuilder text = new StringBuilder(outcome.status() == OutcomeStatus.FAILED ? "failed" : outcome.status()
                .wireName());
        outcome.verdict().ifPresent(v -> text.append(": ").append(v));
        outcome.scores().forEach((name, value) -> text.append(", ").append(name).append(' ')
                .append(value == Math.rint(value) ? String.valueOf(value.longValue()) : String.valueOf(value)));
        outcome.metrics().forEach((name, value) -> text.append(", ").append(name).append(' ')
                .append(value == Math.rint(value) ? String.valueOf(value.longValue()) : String.valueOf(value)));
        outcome.failure().ifPresent(f -> text.append(" (").append(f.failureClass().wireName()).append(": ")
                .append(f.message()).append(')'));
        if (outcome.attributes().get("reason") instanceof String reason) {
            text.append(" - ").append(reason);
        } else if (outcome.attributes().get("issues") instanceof String issues) {
            text.append(" - ").append(issues);
        }
        return text.toString();
    }
}
