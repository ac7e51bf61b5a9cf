package dev.agentpipeline.core.run;

import dev.agentpipeline.spi.FailureClass;
import dev.agentpipeline.spi.JsonValues;
import dev.agentpipeline.spi.StageOutcome;

import org.apiguardian.api.API;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * One change to a run, as recorded in its journal. Immutable.
 *
 * <p>Events are facts: they are appended after the guards of the runtime allowed them, and folding them in
 * order with {@link RunState#apply(long, RunEvent)} gives the run's state. Every event carries the time it
 * happened ({@link #at()}), taken from the runtime's clock.
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public sealed interface RunEvent {

    /** @return when the event happened, never null */
    Instant at();

    /** @return the journal's name for this kind of event, for example {@code "TRANSITIONED"} */
    String type();

    /**
     * A run was created.
     *
     * @param at when
     * @param runId the run's id
     * @param pipelineId the definition it follows
     * @param subjectId what it is about (a story id)
     * @param title the subject's title
     * @param initialState the state it starts in
     * @param counters the counters it tracks, with their start values
     * @param manifest the run's immutable inputs (JSON-compatible)
     * @param attributes the run's initial attributes (JSON-compatible)
     * @param limits the counters' limits when the run started; they stay the run's limits even if the definition
     *     changes later
     */
    record Started(Instant at, String runId, String pipelineId, String subjectId, String title, String initialState,
                   Map<String, Integer> counters, Map<String, Object> manifest, Map<String, Object> attributes,
                   Map<String, Integer> limits)
            implements RunEvent {

        /**
         * A start event without recorded limits (the definition's limits apply).
         *
         * @param at when
         * @param runId the run's id
         * @param pipelineId the definition it follows
         * @param subjectId what it is about
         * @param title the subject's title
         * @param initialState the state it starts in
         * @param counters the counters with their start values
         * @param manifest the immutable inputs
         * @param attributes the initial attributes
         */
        public Started(Instant at, String runId, String pipelineId, String subjectId, String title,
                       String initialState, Map<String, Integer> counters, Map<String, Object> manifest,
                       Map<String, Object> attributes) {
            this(at, runId, pipelineId, subjectId, title, initialState, counters, manifest, attributes, Map.of());
        }

        /** Validates and copies. */
        public Started {
            limits = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(limits));
            Objects.requireNonNull(at, "at");
            Objects.requireNonNull(runId, "runId");
            Objects.requireNonNull(pipelineId, "pipelineId");
            Objects.requireNonNull(subjectId, "subjectId");
            title = title == null ? "" : title;
            Objects.requireNonNull(initialState, "initialState");
            counters = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(counters));
            manifest = JsonValues.copyOfMap(manifest);
            attributes = JsonValues.copyOfMap(attributes);
        }

        @Override
        public String type() {
            return "RUN_STARTED";
        }
    }

    /**
     * The run moved from one state to another, its guards having allowed it (or a person having overridden them).
     *
     * @param at when
     * @param from the state it left ({@code PAUSED} when resuming)
     * @param to the state it entered
     * @param counterIncremented the counter the transition incremented, or null
     * @param override why the guards were overridden, or null when they were checked
     * @param terminal whether {@code to} is a terminal state: entering it ends the run with result {@code DONE}
     */
    record Transitioned(Instant at, String from, String to, String counterIncremented, String override,
                        boolean terminal) implements RunEvent {
        /** Validates. */
        public Transitioned {
            Objects.requireNonNull(at, "at");
            Objects.requireNonNull(from, "from");
            Objects.requireNonNull(to, "to");
        }

        @Override
        public String type() {
            return "TRANSITIONED";
        }
    }

    /**
     * A stage checkpoint was written.
     *
     * @param at when
     * @param stateId the stage it belongs to
     * @param sequence its checkpoint sequence number (1, 2, ... per run, never repeated)
     * @param payload what it records (JSON-compatible)
     */
    record CheckpointRecorded(Instant at, String stateId, int sequence, Map<String, Object> payload)
            implements RunEvent {
        /** Validates and copies. */
        public CheckpointRecorded {
            Objects.requireNonNull(at, "at");
            Objects.requireNonNull(stateId, "stateId");
            if (sequence < 1) {
                throw new IllegalArgumentException("checkpoint sequence must be at least 1, got " + sequence);
            }
            payload = JsonValues.copyOfMap(payload);
        }

        @Override
        public String type() {
            return "CHECKPOINT_RECORDED";
        }
    }

    /**
     * A stage summary (the envelope a stage's agent or plugin writes) was recorded.
     *
     * @param at when
     * @param stateId the stage it belongs to
     * @param summary the envelope (JSON-compatible)
     */
    record SummaryRecorded(Instant at, String stateId, Map<String, Object> summary) implements RunEvent {
        /** Validates and copies. */
        public SummaryRecorded {
            Objects.requireNonNull(at, "at");
            Objects.requireNonNull(stateId, "stateId");
            summary = JsonValues.copyOfMap(summary);
        }

        @Override
        public String type() {
            return "STAGE_SUMMARY_RECORDED";
        }
    }

    /**
     * A loop-health signal was judged; the entry is the result for its scope.
     *
     * @param at when
     * @param scope the scope ({@code stage_2}, a task id...)
     * @param entry the updated loop-health entry of that scope
     */
    record LoopHealthRecorded(Instant at, String scope, LoopHealthEntry entry) implements RunEvent {
        /** Validates. */
        public LoopHealthRecorded {
            Objects.requireNonNull(at, "at");
            Objects.requireNonNull(scope, "scope");
            Objects.requireNonNull(entry, "entry");
        }

        @Override
        public String type() {
            return "LOOP_HEALTH_RECORDED";
        }
    }

    /**
     * The run paused and waits for a person.
     *
     * @param at when
     * @param pause why, with the evidence and the next action
     */
    record Paused(Instant at, Pause pause) implements RunEvent {
        /** Validates. */
        public Paused {
            Objects.requireNonNull(at, "at");
            Objects.requireNonNull(pause, "pause");
        }

        @Override
        public String type() {
            return "RUN_PAUSED";
        }
    }

    /**
     * The run ended: it reached its terminal state, was completed or canceled.
     *
     * @param at when
     * @param result {@code DONE} or {@code CANCELED}
     * @param terminalState the state it ends in
     * @param reason why (the cancel reason), or null
     * @param closed whether the run was closed (it no longer shows as the subject's current run)
     */
    record Ended(Instant at, String result, String terminalState, String reason, boolean closed) implements RunEvent {
        /** Validates. */
        public Ended {
            Objects.requireNonNull(at, "at");
            Objects.requireNonNull(result, "result");
            Objects.requireNonNull(terminalState, "terminalState");
        }

        @Override
        public String type() {
            return "RUN_ENDED";
        }
    }

    /**
     * The run's attributes changed (merged key by key; a null value removes a key).
     *
     * @param at when
     * @param attributes the keys to set (JSON-compatible)
     */
    record AttributesUpdated(Instant at, Map<String, Object> attributes) implements RunEvent {
        /** Validates and copies. */
        public AttributesUpdated {
            Objects.requireNonNull(at, "at");
            attributes = JsonValues.copyOfMap(attributes);
        }

        @Override
        public String type() {
            return "ATTRIBUTES_UPDATED";
        }
    }

    /**
     * A stage plugin started an attempt.
     *
     * @param at when
     * @param attemptId the attempt's unique id
     * @param stateId the state it works for
     * @param number its number within the visit (1, 2...)
     * @param stageId the plugin's id
     * @param stageVersion the plugin's version
     */
    record AttemptStarted(Instant at, String attemptId, String stateId, int number, String stageId,
                          String stageVersion) implements RunEvent {
        /** Validates. */
        public AttemptStarted {
            Objects.requireNonNull(at, "at");
            Objects.requireNonNull(attemptId, "attemptId");
            Objects.requireNonNull(stateId, "stateId");
            Objects.requireNonNull(stageId, "stageId");
            stageVersion = stageVersion == null ? "" : stageVersion;
        }

        @Override
        public String type() {
            return "ATTEMPT_STARTED";
        }
    }

    /**
     * An attempt produced its outcome. Recorded at most once per attempt.
     *
     * @param at when
     * @param attemptId the attempt
     * @param outcome what it produced
     */
    record AttemptFinished(Instant at, String attemptId, StageOutcome outcome) implements RunEvent {
        /** Validates. */
        public AttemptFinished {
            Objects.requireNonNull(at, "at");
            Objects.requireNonNull(attemptId, "attemptId");
            Objects.requireNonNull(outcome, "outcome");
        }

        @Override
        public String type() {
            return "ATTEMPT_FINISHED";
        }
    }

    /**
     * An attempt was found started but never finished: its worker crashed.
     *
     * @param at when the crash was detected
     * @param attemptId the attempt
     * @param counter the counter that counts crashes ({@code crash_count}), or null
     */
    record AttemptCrashed(Instant at, String attemptId, String counter) implements RunEvent {
        /** Validates. */
        public AttemptCrashed {
            Objects.requireNonNull(at, "at");
            Objects.requireNonNull(attemptId, "attemptId");
        }

        @Override
        public String type() {
            return "ATTEMPT_CRASHED";
        }
    }

    /**
     * A failed attempt will be retried after a wait.
     *
     * @param at when the retry was scheduled
     * @param attemptId the failed attempt
     * @param failureClass why it failed
     * @param delay how long the runtime waits before the next attempt
     */
    record RetryScheduled(Instant at, String attemptId, FailureClass failureClass, Duration delay)
            implements RunEvent {
        /** Validates. */
        public RetryScheduled {
            Objects.requireNonNull(at, "at");
            Objects.requireNonNull(attemptId, "attemptId");
            Objects.requireNonNull(failureClass, "failureClass");
            Objects.requireNonNull(delay, "delay");
        }

        @Override
        public String type() {
            return "RETRY_SCHEDULED";
        }
    }

    /**
     * A stage saved intra-stage progress.
     *
     * @param at when
     * @param stateId the state
     * @param attemptId the attempt that saved it
     * @param snapshot the progress (JSON-compatible)
     */
    record ProgressSaved(Instant at, String stateId, String attemptId, Map<String, Object> snapshot)
            implements RunEvent {
        /** Validates and copies. */
        public ProgressSaved {
            Objects.requireNonNull(at, "at");
            Objects.requireNonNull(stateId, "stateId");
            Objects.requireNonNull(attemptId, "attemptId");
            snapshot = JsonValues.copyOfMap(snapshot);
        }

        @Override
        public String type() {
            return "PROGRESS_SAVED";
        }
    }

    /**
     * A durable timer was set: the run waits until {@code due} (a backoff, a gate's timeout, a monitoring window).
     *
     * @param at when it was set
     * @param timerId its id, unique within the run
     * @param stateId the state whose visit it belongs to
     * @param purpose what it is for ({@link Timer#BACKOFF}...)
     * @param due when it fires
     */
    record TimerSet(Instant at, String timerId, String stateId, String purpose, Instant due) implements RunEvent {
        /** Validates. */
        public TimerSet {
            Objects.requireNonNull(at, "at");
            Objects.requireNonNull(timerId, "timerId");
            Objects.requireNonNull(stateId, "stateId");
            Objects.requireNonNull(purpose, "purpose");
            Objects.requireNonNull(due, "due");
        }

        @Override
        public String type() {
            return "TIMER_SET";
        }
    }

    /**
     * A timer fired. Recorded at most once per timer, in the same append as what its firing does.
     *
     * @param at when
     * @param timerId the timer
     */
    record TimerFired(Instant at, String timerId) implements RunEvent {
        /** Validates. */
        public TimerFired {
            Objects.requireNonNull(at, "at");
            Objects.requireNonNull(timerId, "timerId");
        }

        @Override
        public String type() {
            return "TIMER_FIRED";
        }
    }

    /**
     * A signal from outside was consumed from the run's inbox. Recorded at most once per signal id.
     *
     * @param at when
     * @param signalId the signal's id (its {@code signal_id} field or the SHA-256 of its bytes)
     * @param name the signal's name
     * @param stateId the state that received it
     * @param payload the signal's JSON object
     * @param source where it came from (a file name, {@code api})
     */
    record SignalReceived(Instant at, String signalId, String name, String stateId, Map<String, Object> payload,
                          String source) implements RunEvent {
        /** Validates and copies. */
        public SignalReceived {
            Objects.requireNonNull(at, "at");
            Objects.requireNonNull(signalId, "signalId");
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(stateId, "stateId");
            payload = JsonValues.copyOfMap(payload);
            source = source == null ? "" : source;
        }

        @Override
        public String type() {
            return "SIGNAL_RECEIVED";
        }
    }

    /**
     * A decision gate opened: the run waits for a person's answer.
     *
     * @param at when
     * @param gateId the gate's id ({@code STATE-visit})
     * @param stateId the state that asks
     * @param request what it asks, its options, who may answer and its timeout
     */
    record DecisionRequested(Instant at, String gateId, String stateId, GateRequest request) implements RunEvent {
        /** Validates. */
        public DecisionRequested {
            Objects.requireNonNull(at, "at");
            Objects.requireNonNull(gateId, "gateId");
            Objects.requireNonNull(stateId, "stateId");
            Objects.requireNonNull(request, "request");
        }

        @Override
        public String type() {
            return "DECISION_REQUESTED";
        }
    }

    /**
     * A decision gate was answered, by a person or by its timeout's default. Recorded at most once per gate.
     *
     * @param at when
     * @param gateId the gate
     * @param option the chosen option
     * @param by who answered ({@link Decision#BY_TIMEOUT} for a default taken on expiry)
     * @param reason why, possibly empty
     */
    record DecisionRecorded(Instant at, String gateId, String option, String by, String reason) implements RunEvent {
        /** Validates. */
        public DecisionRecorded {
            Objects.requireNonNull(at, "at");
            Objects.requireNonNull(gateId, "gateId");
            Objects.requireNonNull(option, "option");
            Objects.requireNonNull(by, "by");
            reason = reason == null ? "" : reason;
        }

        @Override
        public String type() {
            return "DECISION_RECORDED";
        }
    }

    /**
     * A decision gate's timeout passed and it was escalated: it stays open, and {@code to} may answer it too.
     *
     * @param at when
     * @param gateId the gate
     * @param to who it was escalated to (empty: anyone may answer now)
     */
    record GateEscalated(Instant at, String gateId, java.util.List<String> to) implements RunEvent {
        /** Validates and copies. */
        public GateEscalated {
            Objects.requireNonNull(at, "at");
            Objects.requireNonNull(gateId, "gateId");
            to = java.util.List.copyOf(to);
        }

        @Override
        public String type() {
            return "GATE_ESCALATED";
        }
    }

    /**
     * The run started a child run (recorded after the child exists) and waits for it.
     *
     * @param at when
     * @param childRunId the child's run id
     * @param pipelineId the child's definition
     * @param stateId the state that started it
     * @param index its position among that state's children
     * @param concurrencyClass the class whose limit it counts against
     */
    record ChildStarted(Instant at, String childRunId, String pipelineId, String stateId, int index,
                        String concurrencyClass) implements RunEvent {
        /** Validates. */
        public ChildStarted {
            Objects.requireNonNull(at, "at");
            Objects.requireNonNull(childRunId, "childRunId");
            Objects.requireNonNull(pipelineId, "pipelineId");
            Objects.requireNonNull(stateId, "stateId");
            concurrencyClass = concurrencyClass == null ? "default" : concurrencyClass;
        }

        @Override
        public String type() {
            return "CHILD_STARTED";
        }
    }

    /**
     * A child run's end reached its parent. Recorded at most once per child.
     *
     * @param at when
     * @param childRunId the child
     * @param result how it ended ({@code DONE}, {@code CANCELED})
     * @param terminalState the state it ended in
     */
    record ChildEnded(Instant at, String childRunId, String result, String terminalState) implements RunEvent {
        /** Validates. */
        public ChildEnded {
            Objects.requireNonNull(at, "at");
            Objects.requireNonNull(childRunId, "childRunId");
            Objects.requireNonNull(result, "result");
            Objects.requireNonNull(terminalState, "terminalState");
        }

        @Override
        public String type() {
            return "CHILD_ENDED";
        }
    }
}
