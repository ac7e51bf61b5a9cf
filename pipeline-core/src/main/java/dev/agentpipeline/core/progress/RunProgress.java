package dev.agentpipeline.core.progress;

import dev.agentpipeline.core.definition.CounterDefinition;
import dev.agentpipeline.core.definition.PipelineDefinition;
import dev.agentpipeline.core.definition.StateDefinition;
import dev.agentpipeline.core.run.Attempt;
import dev.agentpipeline.core.run.RunState;
import dev.agentpipeline.spi.FailureClass;
import dev.agentpipeline.spi.OutcomeStatus;
import dev.agentpipeline.spi.StageOutcome;

import org.apiguardian.api.API;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * Where a run stands at one moment, for people watching it: every working state of the definition with its status,
 * time spent, attempts and latest result, the running stage's sub-progress (its newest intra-stage progress
 * snapshot), the counters against their limits, the elapsed time and an estimate of the time left. Immutable;
 * computed, never stored.
 *
 * <pre>{@code
 * RunProgress progress = RunProgress.of(definition, run, clock.instant(), DurationEstimates.from(earlierRuns));
 * for (RunProgress.StageLine stage : progress.stages()) {
 *     System.out.println(stage.stateId() + " " + stage.status() + " " + stage.result());
 * }
 * }</pre>
 *
 * <p><b>The estimate</b> is the sum, over the working states not yet done in their current pass, of what earlier
 * runs spent there ({@link DurationEstimates}), minus what the running stage already spent (never below zero). It
 * assumes the rest of the pass goes through the states in definition order without retries; it is empty when a
 * state it needs was never finished by an earlier run, and while the run is paused (a person decides when it goes
 * on).
 *
 * @param runId the run
 * @param subjectId the subject, for example the story id
 * @param title the subject's title, possibly empty
 * @param phase the run's current state
 * @param status running, paused or ended
 * @param elapsed from the start of the run to now (to its last event, once it ended)
 * @param stages the working states, in definition order
 * @param counters the counters, in definition order
 * @param remaining the estimated time left; zero once ended; empty when it cannot be told
 * @param pauseReason why the run is paused, or empty
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public record RunProgress(String runId, String subjectId, String title, String phase, Status status,
                          Duration elapsed, List<StageLine> stages, List<CounterLine> counters,
                          Optional<Duration> remaining, Optional<String> pauseReason) {

    /** Where the run stands as a whole. */
    public enum Status {
        /** Working or waiting for its next stage. */
        RUNNING,
        /** Paused: it needs a person. */
        PAUSED,
        /** Ended: done, canceled or completed by hand. */
        ENDED
    }

    /** Where one working state stands in the run. */
    public enum StageStatus {
        /** Not entered in the current pass. */
        PENDING,
        /** An attempt is running. */
        RUNNING,
        /** Its newest attempt completed. */
        DONE,
        /** Its newest attempt failed (or crashed). */
        FAILED
    }

    /**
     * One working state.
     *
     * @param stateId the state
     * @param description the state's description from the definition
     * @param status where it stands
     * @param spent time spent in its attempts (all visits), the running one up to now
     * @param attempts how many attempts it had (all visits)
     * @param result the newest finished attempt's verdict and first score (else first metric), and the git stats
     *     of the state's newest checkpoint if it has them, for example {@code "GO, readiness 8"} or
     *     {@code "files_written 2, 4 files +42 -1"}; empty if none
     * @param subProgress the running attempt's newest progress snapshot, for example {@code {tasks_done=2,
     *     tasks_total=3}}; empty if none
     * @param estimate what earlier runs spent in this state, if known
     */
    public record StageLine(String stateId, String description, StageStatus status, Duration spent, int attempts,
                            String result, Map<String, Object> subProgress, Optional<Duration> estimate) {

        /** Validates and copies. */
        public StageLine {
            Objects.requireNonNull(stateId, "stateId");
            Objects.requireNonNull(description, "description");
            Objects.requireNonNull(status, "status");
            Objects.requireNonNull(spent, "spent");
            Objects.requireNonNull(result, "result");
            subProgress = Map.copyOf(subProgress);
            Objects.requireNonNull(estimate, "estimate");
        }
    }

    /**
     * One counter.
     *
     * @param counterId the counter
     * @param used how often its transitions happened
     * @param limit its limit in this run
     */
    public record CounterLine(String counterId, int used, int limit) {
    }

    /** Validates and copies. */
    public RunProgress {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(subjectId, "subjectId");
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(phase, "phase");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(elapsed, "elapsed");
        stages = List.copyOf(stages);
        counters = List.copyOf(counters);
        Objects.requireNonNull(remaining, "remaining");
        Objects.requireNonNull(pauseReason, "pauseReason");
    }

    /**
     * Computes where a run stands.
     *
     * @param definition the run's definition
     * @param run the run
     * @param now the current time
     * @param estimates what earlier runs spent per state
     * @return the progress
     */
    public static RunProgress of(PipelineDefinition definition, RunState run, Instant now,
                                 DurationEstimates estimates) {
        Objects.requireNonNull(definition, "definition");
        Objects.requireNonNull(run, "run");
        Objects.requireNonNull(now, "now");
        Objects.requireNonNull(estimates, "estimates");
        Status status = run.complete() ? Status.ENDED : run.isPaused() ? Status.PAUSED : Status.RUNNING;
        Instant end = status == Status.ENDED ? run.updatedAt() : now;
        String current = run.workingState();
        List<String> working = new ArrayList<>();
        for (StateDefinition state : definition.states().values()) {
            if (state.stagePlugin().isPresent()) {
                working.add(state.id());
            }
        }
        int currentIndex = working.indexOf(current);
        List<StageLine> stages = new ArrayList<>();
        Duration left = Duration.ZERO;
        boolean known = status == Status.RUNNING;
        for (int i = 0; i < working.size(); i++) {
            String stateId = working.get(i);
            StageLine line = line(definition, run, stateId, end, estimates, currentIndex >= 0 && i > currentIndex);
            stages.add(line);
            if (status == Status.RUNNING && (line.status() == StageStatus.PENDING || stateId.equals(current))) {
                if (line.estimate().isEmpty()) {
                    known = false;
                } else if (line.status() == StageStatus.PENDING) {
                    left = left.plus(line.estimate().get());
                } else {
                    Duration rest = line.estimate().get().minus(currentVisitSpent(run, stateId, end));
                    left = left.plus(rest.isNegative() ? Duration.ZERO : rest);
                }
            }
        }
        List<CounterLine> counters = new ArrayList<>();
        for (CounterDefinition counter : definition.counters().values()) {
            counters.add(new CounterLine(counter.id(), run.counter(counter.id()),
                    run.counterLimits().getOrDefault(counter.id(), counter.limit())));
        }
        Optional<Duration> remaining = status == Status.ENDED ? Optional.of(Duration.ZERO)
                : known ? Optional.of(left) : Optional.empty();
        return new RunProgress(run.runId(), run.subjectId(), run.title() == null ? "" : run.title(), run.phase(),
                status, nonNegative(Duration.between(run.createdAt(), end)), stages, counters, remaining,
                status == Status.PAUSED ? run.pausedReason() : Optional.empty());
    }

    /** @return the stage that is running, if one is */
    public Optional<StageLine> running() {
        return stages.stream().filter(stage -> stage.status() == StageStatus.RUNNING).findFirst();
    }

    private static StageLine line(PipelineDefinition definition, RunState run, String stateId, Instant now,
                                  DurationEstimates estimates, boolean afterCurrent) {
        Duration spent = Duration.ZERO;
        int attempts = 0;
        Attempt newest = null;
        Attempt newestFinished = null;
        for (Attempt attempt : run.attempts()) {
            if (!attempt.stateId().equals(stateId)) {
                continue;
            }
            attempts++;
            Instant until = attempt.finishedAt() != null ? attempt.finishedAt() : now;
            spent = spent.plus(nonNegative(Duration.between(attempt.startedAt(), until)));
            newest = attempt;
            if (attempt.status() != Attempt.Status.RUNNING) {
                newestFinished = attempt;
            }
        }
        StageStatus status;
        if (newest == null || afterCurrent && newest.visit() < run.visitStart(run.workingState())) {
            status = StageStatus.PENDING; // not entered in this pass (a rework sent the run back before it)
        } else if (newest.status() == Attempt.Status.RUNNING && stateId.equals(run.workingState())
                && !run.complete()) {
            status = StageStatus.RUNNING;
        } else if (newest.status() == Attempt.Status.FINISHED && newest.outcome() != null
                && newest.outcome().status() != OutcomeStatus.FAILED) {
            status = StageStatus.DONE;
        } else {
            status = StageStatus.FAILED;
        }
        String description = definition.state(stateId).map(StateDefinition::description).orElse("");
        Map<String, Object> sub = status == StageStatus.RUNNING ? run.freshProgress(stateId).orElse(Map.of())
                : Map.of();
        String result = newestFinished == null ? "" : result(newestFinished);
        Object stats = run.latestCheckpoint(stateId).map(c -> c.payload().get("git_stats")).orElse(null);
        if (newestFinished != null && stats instanceof Map<?, ?> git && git.get("files_changed") != null) {
            result = (result.isEmpty() ? "" : result + ", ") + git.get("files_changed") + " files +"
                    + git.get("lines_added") + " -" + git.get("lines_deleted");
        }
        return new StageLine(stateId, description == null ? "" : description, status, spent, attempts, result, sub,
                estimates.of(stateId));
    }

    private static Duration currentVisitSpent(RunState run, String stateId, Instant now) {
        Duration spent = Duration.ZERO;
        long visit = run.visitStart(stateId);
        for (Attempt attempt : run.attempts()) {
            if (attempt.stateId().equals(stateId) && attempt.visit() >= visit) {
                Instant until = attempt.finishedAt() != null ? attempt.finishedAt() : now;
                spent = spent.plus(nonNegative(Duration.between(attempt.startedAt(), until)));
            }
        }
        return spent;
    }

    private static String result(Attempt attempt) {
        if (attempt.status() == Attempt.Status.CRASHED) {
            return "crashed";
        }
        StageOutcome outcome = attempt.outcome();
        StringBuilder text = new StringBuilder();
        if (outcome.status() == OutcomeStatus.FAILED) {
            text.append("failed");
            if (outcome.failureClass() != null && outcome.failureClass() != FailureClass.NONE) {
                text.append(" (").append(outcome.failureClass().wireName()).append(')');
            }
            return text.toString();
        }
        outcome.verdict().ifPresent(text::append);
        Map<String, ? extends Number> numbers = outcome.scores().isEmpty() ? outcome.metrics() : outcome.scores();
        numbers.entrySet().stream().findFirst().ifPresent(number -> {
            if (text.length() > 0) {
                text.append(", ");
            }
            double value = number.getValue().doubleValue();
            text.append(number.getKey()).append(' ')
                    .append(value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value)
                            : Double.toString(value));
        });
        return text.toString();
    }

    private static Duration nonNegative(Duration duration) {
        return duration.isNegative() ? Duration.ZERO : duration;
    }
}
