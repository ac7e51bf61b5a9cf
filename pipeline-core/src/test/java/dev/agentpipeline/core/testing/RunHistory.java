package dev.agentpipeline.core.testing;

import dev.agentpipeline.core.run.LoopHealthEntry;
import dev.agentpipeline.core.run.Pause;
import dev.agentpipeline.core.run.RunEvent;
import dev.agentpipeline.core.run.RunState;
import dev.agentpipeline.spi.StageOutcome;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes a run's journal by hand, event by event, and folds it into a {@link RunState}: for tests of guards and of
 * the state fold that need a run in a precise situation without a runtime or a store. Each event happens one second
 * after the previous one. Not thread-safe.
 *
 * <pre>{@code
 * RunState run = RunHistory.story("US001").to("STAGE_0").checkpoint("STAGE_0", Map.of("plan_score", 4)).state();
 * }</pre>
 */
public final class RunHistory {

    private final List<RunEvent> events = new ArrayList<>();
    private Instant now = MutableClock.START;
    private RunState state;
    private int attempts;

    private RunHistory(RunEvent.Started started) {
        add(started);
    }

    /**
     * A run of the story pipeline, in QUEUED, with its three counters at zero.
     *
     * @param subject the story id
     * @return the history
     */
    public static RunHistory story(String subject) {
        Map<String, Integer> counters = new LinkedHashMap<>();
        counters.put("validation_retries", 0);
        counters.put("quality_cycles", 0);
        counters.put("crash_count", 0);
        return new RunHistory(new RunEvent.Started(MutableClock.START, "story-" + subject.toLowerCase(Locale.ROOT)
                + "-1", "story", subject, "Title of " + subject, "QUEUED", counters, Map.of(), Map.of()));
    }

    /**
     * A run of any pipeline.
     *
     * @param pipeline the pipeline id
     * @param initial its initial state
     * @param counters the counters at start
     * @param attributes the run's attributes
     * @return the history
     */
    public static RunHistory of(String pipeline, String initial, Map<String, Integer> counters,
                                Map<String, Object> attributes) {
        return new RunHistory(new RunEvent.Started(MutableClock.START, pipeline + "-run-1", pipeline, "S-1",
                "Subject", initial, counters, Map.of(), attributes));
    }

    private Instant tick() {
        now = now.plus(Duration.ofSeconds(1));
        return now;
    }

    /** Appends any event. */
    public RunHistory add(RunEvent event) {
        events.add(event);
        state = state == null ? RunState.start(events.size(), event) : state.apply(events.size(), event);
        return this;
    }

    /** The run moves from where it is to {@code to}, unguarded. */
    public RunHistory to(String to) {
        return add(new RunEvent.Transitioned(tick(), state.phase(), to, null, null, false));
    }

    /** The run moves to {@code to}, incrementing a counter. */
    public RunHistory to(String to, String counter) {
        return add(new RunEvent.Transitioned(tick(), state.phase(), to, counter, null, false));
    }

    /** The run enters its terminal state {@code to}. */
    public RunHistory finish(String to) {
        return add(new RunEvent.Transitioned(tick(), state.phase(), to, null, null, true));
    }

    public RunHistory checkpoint(String stateId, Map<String, ?> payload) {
        return add(new RunEvent.CheckpointRecorded(tick(), stateId, state.nextCheckpointSequence(),
                new LinkedHashMap<>(payload)));
    }

    /** Records a summary envelope whose {@code payload} is the given map. */
    public RunHistory summary(String stateId, Map<String, ?> payload) {
        Map<String, Object> envelope = new LinkedHashMap<>();
        envelope.put("schema_version", "1");
        envelope.put("summary_kind", "pipeline-stage");
        envelope.put("payload", new LinkedHashMap<>(payload));
        return add(new RunEvent.SummaryRecorded(tick(), stateId, envelope));
    }

    /** Records a summary as it is, without wrapping it in an envelope. */
    public RunHistory rawSummary(String stateId, Map<String, ?> summary) {
        return add(new RunEvent.SummaryRecorded(tick(), stateId, new LinkedHashMap<>(summary)));
    }

    /** An attempt of the current state starts; returns its id through {@link #lastAttemptId()}. */
    public RunHistory startAttempt(String stageId) {
        String attemptId = "attempt-" + (++attempts);
        int number = state.attemptsInVisit(state.phase()) + 1;
        return add(new RunEvent.AttemptStarted(tick(), attemptId, state.phase(), number, stageId, "1.0"));
    }

    public RunHistory finishAttempt(StageOutcome outcome) {
        return add(new RunEvent.AttemptFinished(tick(), lastAttemptId(), outcome));
    }

    /** An attempt of the current state starts and finishes with the outcome. */
    public RunHistory outcome(StageOutcome outcome) {
        return startAttempt("acme-stage").finishAttempt(outcome);
    }

    public RunHistory crash(String counter) {
        return add(new RunEvent.AttemptCrashed(tick(), lastAttemptId(), counter));
    }

    public RunHistory progress(Map<String, ?> snapshot) {
        return add(new RunEvent.ProgressSaved(tick(), state.phase().equals(RunState.PAUSED)
                ? state.workingState() : state.phase(), lastAttemptId(), new LinkedHashMap<>(snapshot)));
    }

    public RunHistory pause(String reason) {
        return add(new RunEvent.Paused(tick(), new Pause(reason, "manual", null, Map.of(), "Resume it",
                state.workingState())));
    }

    /** Resumes a paused run into {@code to} (the paused-from state continues its visit). */
    public RunHistory resume(String to) {
        return add(new RunEvent.Transitioned(tick(), RunState.PAUSED, to, null, null, false));
    }

    public RunHistory loopHealth(String scope, LoopHealthEntry entry) {
        return add(new RunEvent.LoopHealthRecorded(tick(), scope, entry));
    }

    public RunHistory attributes(Map<String, ?> attributes) {
        return add(new RunEvent.AttributesUpdated(tick(), new LinkedHashMap<>(attributes)));
    }

    public RunHistory ended(String result, String terminalState, String reason) {
        return add(new RunEvent.Ended(tick(), result, terminalState, reason, true));
    }

    /** @return the id of the newest attempt */
    public String lastAttemptId() {
        return "attempt-" + attempts;
    }

    /** @return the state after every event so far */
    public RunState state() {
        return state;
    }

    /** @return the events so far */
    public List<RunEvent> events() {
        return List.copyOf(events);
    }
}
