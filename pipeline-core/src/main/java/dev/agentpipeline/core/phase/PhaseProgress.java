package dev.agentpipeline.core.phase;

import dev.agentpipeline.core.run.ChildRun;
import dev.agentpipeline.core.run.ReceivedSignal;
import dev.agentpipeline.core.run.RunState;

import org.apiguardian.api.API;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * Where a run of the phase pipeline stands, phase by phase, as the phase pipeline orchestrator's dashboard shows it:
 * each phase with its status and duration, the running phase's sub-progress (tasks 15/18, tests 127/187, coverage),
 * the elapsed time and an estimate of the time left. Computed from the run's state, never stored. Immutable.
 *
 * <pre>{@code
 * PhaseProgress progress = PhaseProgress.of(run, clock.instant());
 * progress.render().forEach(System.out::println);
 * }</pre>
 *
 * @param runId the run
 * @param phases one line per phase, in order
 * @param elapsed the run's time so far
 * @param remaining the estimated time left (the mean of the finished phases times the phases left), if any phase
 *     finished
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public record PhaseProgress(String runId, List<Line> phases, Duration elapsed, Optional<Duration> remaining) {

    /**
     * What a phase is doing.
     *
     * @since 0.1
     */
    @API(status = EXPERIMENTAL, since = "0.1")
    public enum Status {
        /** Not started. */
        PENDING,
        /** Its agent works, or a recovery (install, fix) runs. */
        IN_PROGRESS,
        /** It waits for a person (an approval, a decision, an escalation). */
        WAITING_FOR_PERSON,
        /** It passed. */
        COMPLETE,
        /** The run ended before it passed. */
        STOPPED
    }

    /**
     * One phase.
     *
     * @param phase the phase
     * @param status what it is doing
     * @param duration how long it took (complete) or has taken so far (in progress), if started
     * @param detail its sub-progress or result: {@code Task 15/18 complete}, {@code 127/187 tests passing},
     *     {@code Coverage: 82% line, 74% branch}; possibly empty
     * @since 0.1
     */
    @API(status = EXPERIMENTAL, since = "0.1")
    public record Line(Phase phase, Status status, Optional<Duration> duration, List<String> detail) {
        /** Validates and copies. */
        public Line {
            Objects.requireNonNull(phase, "phase");
            Objects.requireNonNull(status, "status");
            Objects.requireNonNull(duration, "duration");
            detail = List.copyOf(detail);
        }
    }

    /** Validates and copies. */
    public PhaseProgress {
        Objects.requireNonNull(runId, "runId");
        phases = List.copyOf(phases);
        Objects.requireNonNull(elapsed, "elapsed");
        Objects.requireNonNull(remaining, "remaining");
    }

    /**
     * @param run a run of the phase pipeline
     * @param now the time
     * @return where it stands
     */
    public static PhaseProgress of(RunState run, Instant now) {
        Instant end = run.complete() ? run.updatedAt() : now;
        String working = run.workingState();
        int currentNumber = Phase.of(working).map(Phase::number).orElse(working.equals("APPROVE_TASKS") ? 5 : -1);
        List<Line> lines = new ArrayList<>();
        Duration finished = Duration.ZERO;
        int done = 0;
        for (Phase phase : Phase.ALL) {
            String start = RunState.timestampKey(phase.state(), "start");
            Instant started = run.stageTimestamps().get(start);
            Optional<ReceivedSignal> success = latestSuccess(run, phase);
            boolean current = phase.number() == currentNumber && !run.complete();
            boolean passed = !current && (success.isPresent() && currentNumber > phase.number()
                    || phase.number() == 11 && run.complete() && "DONE".equals(run.phase()));
            Status status;
            if (current) {
                status = working.startsWith("DECIDE_") || working.startsWith("ESCALATE_")
                        || working.equals("APPROVE_TASKS") || run.isPaused() ? Status.WAITING_FOR_PERSON
                        : Status.IN_PROGRESS;
            } else if (passed || run.complete() && "DONE".equals(run.phase())) {
                status = Status.COMPLETE;
            } else if (started != null && run.complete()) {
                status = Status.STOPPED;
            } else {
                status = Status.PENDING;
            }
            Optional<Duration> duration = Optional.empty();
            if (started != null && status != Status.PENDING) {
                Object minutes = success.map(s -> s.payload().get("duration_minutes")).orElse(null);
                Instant until = status == Status.COMPLETE && success.isPresent() ? success.get().receivedAt() : end;
                duration = Optional.of(status == Status.COMPLETE && minutes instanceof Number n
                        ? Duration.ofSeconds(Math.round(n.doubleValue() * 60))
                        : nonNegative(Duration.between(started, until)));
            }
            if (status == Status.COMPLETE && duration.isPresent()) {
                finished = finished.plus(duration.get());
                done++;
            }
            lines.add(new Line(phase, status, duration, detail(run, phase, status, success)));
        }
        Optional<Duration> remaining = Optional.empty();
        if (run.complete()) {
            remaining = Optional.of(Duration.ZERO);
        } else if (done > 0) {
            long left = lines.stream().filter(l -> l.status() != Status.COMPLETE).count();
            remaining = Optional.of(finished.dividedBy(done).multipliedBy(left));
        }
        return new PhaseProgress(run.runId(), lines, nonNegative(Duration.between(run.createdAt(), end)), remaining);
    }

    private static List<String> detail(RunState run, Phase phase, Status status, Optional<ReceivedSignal> success) {
        List<String> detail = new ArrayList<>();
        Map<String, Object> numbers = new LinkedHashMap<>();
        if (status == Status.IN_PROGRESS || status == Status.WAITING_FOR_PERSON) {
            run.freshProgress(phase.state()).ifPresent(numbers::putAll);
            if (run.workingState().startsWith("FIX_")) {
                detail.add("fix cycle " + run.counter("fix_cycles_" + phase.number()));
            } else if (run.workingState().startsWith("INSTALL_")) {
                detail.add("installing a missing dependency");
            } else if (!run.workingState().equals(phase.state())) {
                detail.add("waiting for a decision (" + run.workingState() + ")");
            }
        }
        if (numbers.isEmpty() && success.isPresent() && success.get().payload().get("summary") instanceof Map<?, ?> s) {
            s.forEach((k, v) -> numbers.put(String.valueOf(k), v));
        }
        Object tasksDone = first(numbers, "tasks_done", "subtasks_implemented", "tasks_processed");
        Object tasksTotal = first(numbers, "tasks_total", "tasks_analyzed");
        if (tasksDone != null && tasksTotal != null) {
            detail.add("Task " + number(tasksDone) + "/" + number(tasksTotal) + " complete");
        }
        Object passing = first(numbers, "tests_passing", "integration_tests_passing", "e2e_tests_passing");
        Object total = first(numbers, "tests_written", "tests_total", "integration_points_total",
                "e2e_workflows_tested");
        if (passing != null && total != null) {
            detail.add(number(passing) + "/" + number(total) + " tests passing");
        }
        Object line = first(numbers, "coverage_line");
        Object branch = first(numbers, "coverage_branch");
        if (line != null) {
            detail.add("Coverage: " + number(line) + "% line" + (branch == null ? "" : ", " + number(branch)
                    + "% branch"));
        }
        Object readiness = first(numbers, "production_readiness_score");
        if (readiness != null) {
            detail.add("Production readiness: " + number(readiness) + "%");
        }
        if (phase.number() == 11) {
            for (ChildRun child : run.children().values()) {
                detail.add("deployment run " + child.runId() + (child.ended() ? " ended " + child.result()
                        : " running"));
            }
        }
        return detail;
    }

    private static Optional<ReceivedSignal> latestSuccess(RunState run, Phase phase) {
        ReceivedSignal found = null;
        for (ReceivedSignal signal : run.signals()) {
            if (signal.stateId().equals(phase.state()) && "success".equals(signal.payload().get("status"))) {
                found = signal;
            }
        }
        return Optional.ofNullable(found);
    }

    private static Object first(Map<String, Object> numbers, String... keys) {
        for (String key : keys) {
            if (numbers.get(key) instanceof Number) {
                return numbers.get(key);
            }
        }
        return null;
    }

    private static String number(Object value) {
        double d = ((Number) value).doubleValue();
        return d == Math.rint(d) ? Long.toString((long) d) : String.format(Locale.ROOT, "%.1f", d);
    }

    private static Duration nonNegative(Duration d) {
        return d.isNegative() ? Duration.ZERO : d;
    }

    /**
     * The dashboard as text lines:
     * <pre>
     * Phase 7: Implementation                IN PROGRESS (87 min)
     *   - Task 15/18 complete
     *   - 127/187 tests passing
     * Elapsed time: 144 min; estimated remaining: 156 min
     * </pre>
     *
     * @return the lines
     */
    public List<String> render() {
        List<String> out = new ArrayList<>();
        for (Line line : phases) {
            String title = "Phase " + line.phase().number() + ": " + line.phase().name();
            String status = line.status().name().replace('_', ' ')
                    + line.duration().map(d -> " (" + minutes(d) + ")").orElse("");
            out.add(String.format(Locale.ROOT, "%-44s %s", title, status));
            line.detail().forEach(d -> out.add("  - " + d));
        }
        out.add("Elapsed time: " + minutes(elapsed) + remaining.map(r -> "; estimated remaining: " + minutes(r))
                .orElse("; estimated remaining: unknown until a phase completes"));
        return out;
    }

    private static String minutes(Duration duration) {
        long seconds = duration.toSeconds();
        return seconds < 120 ? seconds + " s" : (seconds + 30) / 60 + " min";
    }
}
