package dev.agentpipeline.examples.phasedemo;

import dev.agentpipeline.core.phase.Phase;
import dev.agentpipeline.core.phase.PhaseSettings;
import dev.agentpipeline.core.phase.PhaseWorkspaces;
import dev.agentpipeline.core.run.GateOption;
import dev.agentpipeline.core.run.RunEvent;
import dev.agentpipeline.core.run.Timer;
import dev.agentpipeline.core.store.JournalEntry;
import dev.agentpipeline.core.store.RunStore;
import dev.agentpipeline.spi.OutcomeStatus;
import dev.agentpipeline.spi.StageOutcome;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Follows the journals of a run and of the child runs it starts, and prints a line for people per event that matters:
 * a phase's agent started and finished, a signal arrived, a transition, a backoff set and over, a gate asked (with its
 * options) and answered, a child run started and ended, the run's end. It reads the journals as any other process
 * could ({@link RunStore#journal(String)}), so it shows what is durable, in the order it was recorded. Not
 * thread-safe: one thread polls.
 */
final class JournalProgress {

    /** What the phase signal format adds to a summary (SignalFormats). */
    private static final java.util.Set<String> DERIVED = java.util.Set.of("coverage_line", "coverage_branch",
            "integration_coverage", "all_tests_passing");

    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss.SSS", Locale.ROOT)
            .withZone(ZoneId.systemDefault());

    private final RunStore store;
    private final PrintStream out;
    private final Instant start;
    private final Map<String, String> agents;
    private final PhaseSettings settings;
    private final java.nio.file.Path project;
    private final String baseBranch;
    /** Per followed run: how many of its entries are handled, and what it learnt on the way. */
    private final Map<String, Followed> runs = new LinkedHashMap<>();

    private static final class Followed {
        final String label;
        int handled;
        int shown;
        final Map<String, String> attemptStates = new HashMap<>();
        final Map<String, Integer> visits = new HashMap<>();
        final Map<String, String> gateStates = new HashMap<>();
        final Map<String, String> timerStates = new HashMap<>();
        final Map<String, String> childStates = new HashMap<>();
        final Map<String, Instant> attemptStarts = new HashMap<>();
        final Map<String, Instant> signalAt = new HashMap<>();
        final Map<String, Map<?, ?>> summaries = new HashMap<>();
        final Map<String, Integer> counters = new HashMap<>();
        final Map<String, Map<?, ?>> worktrees = new HashMap<>();

        Followed(String label, int shown) {
            this.label = label;
            this.shown = shown;
        }
    }

    /**
     * @param store where the runs are
     * @param out where the lines go
     * @param start the instant elapsed times count from
     * @param agents the script each state's stage runs, for the lines
     * @param settings the thresholds the lines compare the signals' numbers with
     * @param project the project, which the lines name paths relative to
     * @param baseBranch the branch the phases' worktrees merge back into
     */
    JournalProgress(RunStore store, PrintStream out, Instant start, Map<String, String> agents,
                    PhaseSettings settings, java.nio.file.Path project, String baseBranch) {
        this.store = store;
        this.out = out;
        this.start = start;
        this.agents = Map.copyOf(agents);
        this.settings = settings;
        this.project = project;
        this.baseBranch = baseBranch;
    }

    private String relative(Object directory) {
        java.nio.file.Path path = java.nio.file.Path.of(String.valueOf(directory));
        return path.startsWith(project) ? project.relativize(path).toString() : path.toString();
    }

    private static String shortCommit(Object commit) {
        String text = String.valueOf(commit);
        return text.matches("[0-9a-f]{40}") ? text.substring(0, 10) : text;
    }

    /**
     * Follows a run from now on.
     *
     * @param runId the run
     * @param label how its lines start (empty for the parent)
     * @param quietEntries how many of its first entries happened before and are not shown (they are read, so a child
     *     they started is followed too)
     */
    void follow(String runId, String label, int quietEntries) {
        runs.putIfAbsent(runId, new Followed(label, quietEntries));
    }

    /** A line to print, and when its event happened. */
    private record Line(Instant at, List<String> text) {
    }

    /**
     * Prints what was recorded since the last poll, in every followed run, in the order it happened (a child run's
     * events between its parent's).
     */
    void poll() {
        List<Line> lines = new ArrayList<>();
        for (int i = 0; i < runs.size(); i++) { // children are added while we go
            String runId = new ArrayList<>(runs.keySet()).get(i);
            Followed run = runs.get(runId);
            List<JournalEntry> entries = store.journal(runId);
            while (run.handled < entries.size()) {
                RunEvent event = entries.get(run.handled).event();
                run.handled++;
                List<String> text = describe(run, event);
                if (run.handled > run.shown && !text.isEmpty()) {
                    lines.add(new Line(event.at(), text));
                }
            }
        }
        lines.sort(java.util.Comparator.comparing(Line::at)); // stable: a run's own lines keep their order
        for (Line line : lines) {
            line.text().forEach(out::println);
        }
        out.flush();
    }

    private String at(Followed run, Instant when, String state, String text) {
        double seconds = Duration.between(start, when).toMillis() / 1000.0;
        return String.format(Locale.ROOT, "[%7.2fs] %s%-13s %s", seconds, run.label, state, text);
    }

    private static String more(Followed run) {
        return " ".repeat(11 + run.label.length() + 14);
    }

    private List<String> describe(Followed run, RunEvent event) {
        List<String> lines = new ArrayList<>();
        if (event instanceof RunEvent.Transitioned t) {
            run.visits.merge(t.to(), 1, Integer::sum);
            String counter = t.counterIncremented() == null ? "" : "  (" + t.counterIncremented() + " "
                    + run.counters.merge(t.counterIncremented(), 1, Integer::sum) + ")";
            lines.add(at(run, t.at(), t.from(), "-> " + t.to() + counter + enters(t.to())
                    + thresholds(run, t.from(), t.to())));
            if (t.terminal()) {
                lines.add(at(run, t.at(), t.to(), "run ended DONE"));
            }
        } else if (event instanceof RunEvent.AttemptStarted a) {
            run.attemptStates.put(a.attemptId(), a.stateId());
            run.attemptStarts.put(a.stateId(), a.at());
            String agent = agents.getOrDefault(a.stateId(), a.stageId());
            lines.add(at(run, a.at(), a.stateId(), name(a.stateId()) + "agent " + agent + " started (visit "
                    + run.visits.getOrDefault(a.stateId(), 1) + ", attempt " + a.number() + ")"));
        } else if (event instanceof RunEvent.AttemptFinished f) {
            String state = run.attemptStates.getOrDefault(f.attemptId(), "");
            StageOutcome outcome = f.outcome();
            String took = outcome.attributes().get("command") instanceof Map<?, ?> command
                    && command.get("duration_ms") instanceof Number ms
                    ? String.format(Locale.ROOT, " in %.2fs", ms.doubleValue() / 1000) : "";
            lines.add(at(run, f.at(), state, outcome.status() == OutcomeStatus.FAILED
                    ? "agent failed (" + outcome.failureClass().wireName() + ")" + took + ": "
                    + outcome.failure().map(x -> x.message()).orElse("")
                    : "agent exited 0" + took + (!isPhase(state) ? "" : signalCameIn(run, state)
                    ? " (its signal came in while it ran)" : "; the phase waits for its signal")));
        } else if (event instanceof RunEvent.SignalReceived r) {
            run.signalAt.put(r.stateId(), r.at());
            if (r.payload().get("summary") instanceof Map<?, ?> summary) {
                run.summaries.put(r.stateId(), summary);
            }
            lines.add(at(run, r.at(), r.stateId(), "signal " + fileName(r.source()) + ": " + signal(r.payload())));
        } else if (event instanceof RunEvent.TimerSet t) {
            run.timerStates.put(t.timerId(), t.stateId());
            if (Timer.BACKOFF.equals(t.purpose()) || Timer.RETRY.equals(t.purpose())) {
                lines.add(at(run, t.at(), t.stateId(), t.purpose() + " until " + CLOCK.format(t.due()) + " ("
                        + seconds(Duration.between(t.at(), t.due())) + "): a durable timer in the journal, no"
                        + " thread waits"));
            } else {
                lines.add(at(run, t.at(), t.stateId(), t.purpose() + " at " + CLOCK.format(t.due())));
            }
        } else if (event instanceof RunEvent.TimerFired f) {
            lines.add(at(run, f.at(), run.timerStates.getOrDefault(f.timerId(), ""), "timer " + f.timerId()
                    + " fired: the wait is over"));
        } else if (event instanceof RunEvent.DecisionRequested d) {
            run.gateStates.put(d.gateId(), d.stateId());
            lines.add(at(run, d.at(), d.stateId(), "asks a person: " + d.request().question()));
            for (GateOption option : d.request().options()) {
                StringBuilder line = new StringBuilder(more(run)).append(String.format(Locale.ROOT, "%-8s %s",
                        option.id(), option.label()));
                if (!option.pros().isEmpty()) {
                    line.append("  + ").append(String.join("; ", option.pros()));
                }
                if (!option.cons().isEmpty()) {
                    line.append("  - ").append(String.join("; ", option.cons()));
                }
                lines.add(line.toString());
            }
        } else if (event instanceof RunEvent.DecisionRecorded d) {
            lines.add(at(run, d.at(), run.gateStates.getOrDefault(d.gateId(), ""), "answered " + d.option() + " by "
                    + d.by() + (d.reason() == null || d.reason().isBlank() ? "" : " (" + d.reason() + ")")));
        } else if (event instanceof RunEvent.ChildStarted c) {
            run.childStates.put(c.childRunId(), c.stateId());
            lines.add(at(run, c.at(), c.stateId(), "child run " + c.childRunId() + " started (pipeline "
                    + c.pipelineId() + (c.pipelineId().equals(dev.agentpipeline.core.phase.PhasePipeline
                    .DEPLOYMENT_STUB_ID) ? ", the stub until the deployment pipeline exists" : "") + ")"));
            follow(c.childRunId(), "  " + c.pipelineId() + " ", 0);
        } else if (event instanceof RunEvent.ChildEnded c) {
            lines.add(at(run, c.at(), run.childStates.getOrDefault(c.childRunId(), ""), "child run "
                    + c.childRunId() + " ended " + c.result() + " ("
                    + c.terminalState() + ")"));
        } else if (event instanceof RunEvent.Paused p) {
            lines.add(at(run, p.at(), "", "PAUSED: " + p.pause().reason()));
        } else if (event instanceof RunEvent.AttributesUpdated u
                && u.attributes().get(PhaseWorkspaces.ATTRIBUTE) instanceof Map<?, ?> worktrees) {
            worktrees.forEach((name, value) -> {
                if (value instanceof Map<?, ?> now && !now.equals(run.worktrees.get(String.valueOf(name)))) {
                    Map<?, ?> before = run.worktrees.put(String.valueOf(name), now);
                    String state = "PHASE_" + now.get("phase");
                    if (before == null && now.get("directory") != null) {
                        lines.add(at(run, u.at(), state, "works in its worktree " + relative(now.get("directory"))
                                + " on branch " + now.get("branch")));
                    } else if (now.get("merged") != null && (before == null || before.get("merged") == null)) {
                        lines.add(at(run, u.at(), state, "branch " + now.get("branch") + " merged back into "
                                + baseBranch + " (" + shortCommit(now.get("merged")) + "); its worktree removed"));
                    } else if (now.get("conflicts") != null) {
                        lines.add(at(run, u.at(), state, "branch " + now.get("branch") + " conflicts with "
                                + baseBranch + " in " + now.get("conflicts")));
                    }
                }
            });
        } else if (event instanceof RunEvent.Ended e) {
            lines.add(at(run, e.at(), "", "run ended " + e.result() + " in " + e.terminalState()));
        }
        return lines;
    }

    private static boolean signalCameIn(Followed run, String state) {
        Instant signal = run.signalAt.get(state);
        Instant attempt = run.attemptStarts.get(state);
        return signal != null && attempt != null && !signal.isBefore(attempt);
    }

    /** For a phase that moved on: the numbers its thresholds were judged on. */
    private String thresholds(Followed run, String from, String to) {
        Map<?, ?> summary = run.summaries.get(from);
        if (summary == null || from.equals(to) || !to.startsWith("PHASE_")) {
            return "";
        }
        return switch (from) {
            case "PHASE_7" -> "  (thresholds met: tests passing " + number(summary.get("tests_passing")) + "/"
                    + number(summary.get("tests_written")) + ", line coverage " + number(summary.get("coverage_line"))
                    + "% >= " + number(settings.lineCoverage()) + "%, branch coverage "
                    + number(summary.get("coverage_branch")) + "% >= " + number(settings.branchCoverage()) + "%)";
            case "PHASE_9" -> "  (threshold met: integration points tested "
                    + number(summary.get("integration_coverage")) + "% >= " + number(settings.integrationCoverage())
                    + "%)";
            case "PHASE_10" -> "  (threshold met: production readiness "
                    + number(summary.get("production_readiness_score")) + " >= " + number(settings.readiness()) + ")";
            default -> "";
        };
    }

    private static String number(Object value) {
        return value instanceof Number n ? compact(n.doubleValue()) : String.valueOf(value);
    }

    private static String enters(String state) {
        if (state.startsWith("DECIDE_") || state.equals("APPROVE_TASKS") || state.startsWith("ESCALATE_")) {
            return ": a gate";
        }
        return "";
    }

    private static boolean isPhase(String state) {
        return state.startsWith("PHASE_");
    }

    private static String name(String state) {
        if (!isPhase(state)) {
            return "";
        }
        return Phase.of(state).map(p -> p.name() + ": ").orElse("");
    }

    private static String fileName(String source) {
        if (source == null || source.isBlank()) {
            return "";
        }
        int slash = Math.max(source.lastIndexOf('/'), source.lastIndexOf('\\'));
        return source.substring(slash + 1);
    }

    static String seconds(Duration duration) {
        return String.format(Locale.ROOT, "%.1fs", duration.toMillis() / 1000.0);
    }

    /** A signal in one line: its status and error, or the numbers of its summary as the agent wrote them. */
    static String signal(Map<String, Object> payload) {
        if ("error".equals(payload.get("status")) && payload.get("error") instanceof Map<?, ?> error) {
            return "error " + error.get("type") + " - " + error.get("message");
        }
        StringBuilder text = new StringBuilder(String.valueOf(payload.get("status")));
        if (payload.get("summary") instanceof Map<?, ?> summary) {
            String sep = " - ";
            for (Map.Entry<?, ?> entry : summary.entrySet()) {
                Object value = entry.getValue();
                if (DERIVED.contains(String.valueOf(entry.getKey()))) {
                    continue; // added by the phase format, shown where the thresholds judge them
                }
                if (value instanceof Number || value instanceof Boolean || value instanceof Map<?, ?>
                        || value instanceof List<?> || value instanceof String shortText && shortText.length() <= 40) {
                    text.append(sep).append(entry.getKey()).append(' ').append(compact(value));
                    sep = ", ";
                }
            }
        }
        return text.toString();
    }

    private static String compact(Object value) {
        if (value instanceof Map<?, ?> map) {
            List<String> parts = new ArrayList<>();
            map.forEach((k, v) -> parts.add(k + " " + compact(v)));
            return "{" + String.join(", ", parts) + "}";
        }
        if (value instanceof List<?> list) {
            List<String> parts = new ArrayList<>();
            list.forEach(v -> parts.add(compact(v)));
            return "[" + String.join(", ", parts) + "]";
        }
        if (value instanceof Double d && d == Math.rint(d)) {
            return Long.toString(d.longValue());
        }
        return String.valueOf(value);
    }
}
