package dev.agentpipeline.core.run;

import dev.agentpipeline.spi.StageOutcome;

import org.apiguardian.api.API;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * The state of a run: the fold of its journal's events. Immutable and thread-safe.
 *
 * <p>Nothing sets a state directly; {@link #apply(long, RunEvent)} derives the next state from an event, and
 * {@link #replay(List)} folds a whole journal. Guards read a state and never change it.
 *
 * <p><b>Fresh evidence.</b> Every entry into a state starts a new <em>visit</em>. Checkpoints, summaries,
 * outcomes and saved progress recorded during the current visit of a state are its <em>fresh</em> evidence
 * ({@link #freshCheckpoint(String)}...). Guards judge fresh evidence only, so a rework cannot pass on the
 * checkpoint of the attempt it is reworking. Pausing and resuming into the same state continues the visit.
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class RunState {

    /** The state every run enters when it pauses; the transition into it is always allowed. */
    public static final String PAUSED = "PAUSED";

    private final String runId;
    private final String pipelineId;
    private final String subjectId;
    private final String title;
    private final String initialState;
    private final String phase;
    private final String pausedFrom;
    private final boolean complete;
    private final boolean closed;
    private final String finalResult;
    private final String pausedReason;
    private final Pause pause;
    private final Map<String, Integer> counters;
    private final Map<String, Integer> limits;
    private final Map<String, Object> manifest;
    private final Map<String, Object> attributes;
    private final Map<String, Instant> stageTimestamps;
    private final Map<String, Recorded<Map<String, Object>>> summaries;
    private final Map<String, LoopHealthEntry> loopHealth;
    private final List<Checkpoint> checkpoints;
    private final Map<String, Long> visits;
    private final Map<String, Integer> visitCounts;
    private final List<Attempt> attempts;
    private final Map<String, Recorded<Map<String, Object>>> progress;
    private final Instant createdAt;
    private final Instant updatedAt;
    private final Instant endedAt;
    private final long sequence;
    private final long lastResumeSequence;
    private final Map<String, Timer> timers;
    private final List<ReceivedSignal> signals;
    private final Map<String, Gate> gates;
    private final Map<String, ChildRun> children;
    private final Map<String, Integer> progressCounts;

    /** A value with the journal sequence that recorded it. */
    private record Recorded<T>(T value, long sequence) {
    }

    private RunState(Builder b) {
        this.runId = b.runId;
        this.pipelineId = b.pipelineId;
        this.subjectId = b.subjectId;
        this.title = b.title;
        this.initialState = b.initialState;
        this.phase = b.phase;
        this.pausedFrom = b.pausedFrom;
        this.complete = b.complete;
        this.closed = b.closed;
        this.finalResult = b.finalResult;
        this.pausedReason = b.pausedReason;
        this.pause = b.pause;
        this.counters = b.counters;
        this.limits = b.limits;
        this.manifest = b.manifest;
        this.attributes = b.attributes;
        this.stageTimestamps = b.stageTimestamps;
        this.summaries = b.summaries;
        this.loopHealth = b.loopHealth;
        this.checkpoints = b.checkpoints;
        this.visits = b.visits;
        this.visitCounts = b.visitCounts;
        this.attempts = b.attempts;
        this.progress = b.progress;
        this.createdAt = b.createdAt;
        this.updatedAt = b.updatedAt;
        this.endedAt = b.endedAt;
        this.sequence = b.sequence;
        this.lastResumeSequence = b.lastResumeSequence;
        this.timers = b.timers;
        this.signals = b.signals;
        this.gates = b.gates;
        this.children = b.children;
        this.progressCounts = b.progressCounts;
    }

    /**
     * Folds a journal into a state.
     *
     * @param events the journal's events in order; the first must be {@link RunEvent.Started}
     * @return the state after the last event
     * @throws IllegalArgumentException if the list is empty or does not start with {@link RunEvent.Started}
     */
    public static RunState replay(List<? extends RunEvent> events) {
        if (events.isEmpty()) {
            throw new IllegalArgumentException("A journal needs at least its RUN_STARTED event");
        }
        RunState state = null;
        long sequence = 0;
        for (RunEvent event : events) {
            sequence++;
            state = state == null ? start(sequence, event) : state.apply(sequence, event);
        }
        return state;
    }

    /**
     * The state of a new run.
     *
     * @param sequence the journal sequence of the event (1)
     * @param event the {@link RunEvent.Started} event
     * @return the initial state
     * @throws IllegalArgumentException if the event is not {@link RunEvent.Started}
     */
    public static RunState start(long sequence, RunEvent event) {
        if (!(event instanceof RunEvent.Started started)) {
            throw new IllegalArgumentException("A journal must start with RUN_STARTED, found " + event.type());
        }
        Builder b = new Builder();
        b.runId = started.runId();
        b.pipelineId = started.pipelineId();
        b.subjectId = started.subjectId();
        b.title = started.title();
        b.initialState = started.initialState();
        b.phase = started.initialState();
        b.counters = Collections.unmodifiableMap(new LinkedHashMap<>(started.counters()));
        b.limits = started.limits();
        b.manifest = started.manifest();
        b.attributes = started.attributes();
        b.stageTimestamps = Map.of();
        b.summaries = Map.of();
        b.loopHealth = Map.of();
        b.checkpoints = List.of();
        b.visits = Map.of(started.initialState(), sequence);
        b.visitCounts = Map.of(started.initialState(), 1);
        b.attempts = List.of();
        b.progress = Map.of();
        b.timers = Map.of();
        b.signals = List.of();
        b.gates = Map.of();
        b.children = Map.of();
        b.progressCounts = Map.of();
        b.createdAt = started.at();
        b.updatedAt = started.at();
        b.sequence = sequence;
        return new RunState(b);
    }

    /**
     * The state after an event.
     *
     * @param sequence the journal sequence of the event
     * @param event the event
     * @return the next state (this state is unchanged)
     * @throws IllegalArgumentException if the event is a second {@link RunEvent.Started}
     */
    public RunState apply(long sequence, RunEvent event) {
        Builder b = new Builder(this);
        b.sequence = sequence;
        b.updatedAt = event.at();
        if (event instanceof RunEvent.Transitioned t) {
            applyTransition(b, sequence, t);
        } else if (event instanceof RunEvent.CheckpointRecorded c) {
            List<Checkpoint> list = new ArrayList<>(checkpoints);
            list.add(new Checkpoint(c.sequence(), c.stateId(), c.at(), c.payload(), sequence));
            b.checkpoints = Collections.unmodifiableList(list);
            b.stageTimestamps = with(stageTimestamps, timestampKey(c.stateId(), "end"), c.at());
        } else if (event instanceof RunEvent.SummaryRecorded s) {
            b.summaries = with(summaries, s.stateId(), new Recorded<>(s.summary(), sequence));
        } else if (event instanceof RunEvent.LoopHealthRecorded l) {
            b.loopHealth = with(loopHealth, l.scope(), l.entry());
        } else if (event instanceof RunEvent.Paused p) {
            if (!PAUSED.equals(phase)) {
                b.pausedFrom = phase;
            }
            b.phase = PAUSED;
            b.pausedReason = p.pause().reason();
            b.pause = p.pause();
        } else if (event instanceof RunEvent.Ended e) {
            if (!complete) {
                b.endedAt = e.at();
            }
            b.phase = e.terminalState();
            b.pausedFrom = null;
            b.pause = null;
            b.pausedReason = e.reason();
            b.complete = true;
            b.closed = b.closed || e.closed();
            b.finalResult = e.result();
        } else if (event instanceof RunEvent.AttributesUpdated a) {
            Map<String, Object> merged = new LinkedHashMap<>(attributes);
            a.attributes().forEach((key, value) -> {
                if (value == null) {
                    merged.remove(key);
                } else {
                    merged.put(key, value);
                }
            });
            b.attributes = Collections.unmodifiableMap(merged);
        } else if (event instanceof RunEvent.AttemptStarted s) {
            List<Attempt> list = new ArrayList<>(attempts);
            list.add(new Attempt(s.attemptId(), s.stateId(), s.number(), s.stageId(), s.at(), null,
                    Attempt.Status.RUNNING, null, visitStart(s.stateId()), 0));
            b.attempts = Collections.unmodifiableList(list);
        } else if (event instanceof RunEvent.AttemptFinished f) {
            b.attempts = replaceAttempt(f.attemptId(), a -> a.finish(f.at(), f.outcome(), sequence));
        } else if (event instanceof RunEvent.AttemptCrashed c) {
            b.attempts = replaceAttempt(c.attemptId(), a -> a.crash(c.at(), sequence));
            if (c.counter() != null) {
                b.counters = with(counters, c.counter(), counter(c.counter()) + 1);
            }
        } else if (event instanceof RunEvent.ProgressSaved p) {
            b.progress = with(progress, p.stateId(), new Recorded<>(p.snapshot(), sequence));
            b.progressCounts = with(progressCounts, p.stateId(), progressCounts.getOrDefault(p.stateId(), 0) + 1);
        } else if (event instanceof RunEvent.RetryScheduled r) {
            attempt(r.attemptId()).ifPresent(a -> b.timers = with(timers, retryTimerId(r.attemptId()),
                    new Timer(retryTimerId(r.attemptId()), a.stateId(), Timer.RETRY, r.at().plus(r.delay()),
                            a.visit(), sequence, 0, false)));
        } else if (event instanceof RunEvent.TimerSet t) {
            b.timers = with(timers, t.timerId(), new Timer(t.timerId(), t.stateId(), t.purpose(), t.due(),
                    visitStart(t.stateId()), sequence, 0, false));
        } else if (event instanceof RunEvent.TimerFired f) {
            Timer timer = timers.get(f.timerId());
            if (timer != null && timer.open()) {
                b.timers = with(timers, f.timerId(), timer.fired(sequence));
            }
        } else if (event instanceof RunEvent.SignalReceived r) {
            List<ReceivedSignal> list = new ArrayList<>(signals);
            list.add(new ReceivedSignal(r.signalId(), r.name(), r.stateId(), r.payload(), r.source(), r.at(),
                    sequence));
            b.signals = Collections.unmodifiableList(list);
        } else if (event instanceof RunEvent.DecisionRequested r) {
            b.gates = with(gates, r.gateId(), new Gate(r.gateId(), r.stateId(), r.request(), r.at(),
                    visitStart(r.stateId()), List.of(), null));
        } else if (event instanceof RunEvent.DecisionRecorded r) {
            Gate gate = gates.get(r.gateId());
            if (gate != null && gate.open()) {
                b.gates = with(gates, r.gateId(), gate.decide(new Decision(r.option(), r.by(), r.reason(), r.at(),
                        sequence)));
                String timer = Gate.timerId(r.gateId());
                b.timers = cancelTimers(b.timers, t -> t.id().equals(timer));
            }
        } else if (event instanceof RunEvent.GateEscalated r) {
            Gate gate = gates.get(r.gateId());
            if (gate != null) {
                b.gates = with(gates, r.gateId(), gate.escalate(r.to()));
            }
        } else if (event instanceof RunEvent.ChildStarted c) {
            if (!children.containsKey(c.childRunId())) {
                b.children = with(children, c.childRunId(), new ChildRun(c.childRunId(), c.pipelineId(),
                        c.stateId(), c.index(), c.concurrencyClass(), c.at(), null, null, null,
                        visitStart(c.stateId())));
            }
        } else if (event instanceof RunEvent.ChildEnded c) {
            ChildRun child = children.get(c.childRunId());
            if (child != null && !child.ended()) {
                b.children = with(children, c.childRunId(), child.end(c.at(), c.result(), c.terminalState()));
            }
        } else if (event instanceof RunEvent.Started) {
            throw new IllegalArgumentException("RUN_STARTED can only be the first event of a journal");
        }
        if (event instanceof RunEvent.AttemptStarted s) {
            // Journals written before retry timers fired explicitly: the next attempt ends the wait.
            b.timers = cancelTimers(b.timers, t -> t.stateId().equals(s.stateId()) && Timer.RETRY.equals(t.purpose()));
        } else if (event instanceof RunEvent.Ended) {
            b.timers = cancelTimers(b.timers, t -> true);
        }
        return new RunState(b);
    }

    private void applyTransition(Builder b, long sequence, RunEvent.Transitioned t) {
        boolean resuming = PAUSED.equals(t.from());
        boolean continuesVisit = resuming && t.to().equals(pausedFrom);
        b.phase = t.to();
        b.pausedFrom = null;
        b.pause = null;
        b.pausedReason = null;
        if (t.counterIncremented() != null) {
            b.counters = with(counters, t.counterIncremented(), counter(t.counterIncremented()) + 1);
        }
        if (resuming) {
            b.lastResumeSequence = sequence;
            Map<String, LoopHealthEntry> resolved = new LinkedHashMap<>();
            loopHealth.forEach((scope, entry) -> resolved.put(scope, entry.pauseRecommended() ? entry.resolved() : entry));
            b.loopHealth = Collections.unmodifiableMap(resolved);
        }
        if (t.terminal()) {
            if (!complete) {
                b.endedAt = t.at();
            }
            b.complete = true;
            b.finalResult = "DONE";
        }
        if (continuesVisit) {
            // A person resumed the run: it goes on now rather than after a backoff.
            b.timers = cancelTimers(b.timers, timer -> Timer.RETRY.equals(timer.purpose())
                    || Timer.BACKOFF.equals(timer.purpose()));
        } else {
            // A new visit: the waits of the one before end with it.
            b.timers = cancelTimers(b.timers, timer -> true);
            b.visits = with(visits, t.to(), sequence);
            b.visitCounts = with(visitCounts, t.to(), visitCount(t.to()) + 1);
            if (!t.terminal() && !t.to().equals(initialState)) {
                b.stageTimestamps = with(stageTimestamps, timestampKey(t.to(), "start"), t.at());
            }
        }
    }

    private static Map<String, Timer> cancelTimers(Map<String, Timer> map,
                                                   java.util.function.Predicate<Timer> which) {
        Map<String, Timer> copy = null;
        for (Timer timer : map.values()) {
            if (timer.open() && which.test(timer)) {
                if (copy == null) {
                    copy = new LinkedHashMap<>(map);
                }
                copy.put(timer.id(), timer.cancel());
            }
        }
        return copy == null ? map : Collections.unmodifiableMap(copy);
    }

    /**
     * @param attemptId a failed attempt
     * @return the id of the timer of its retry's backoff
     */
    public static String retryTimerId(String attemptId) {
        return "retry-" + attemptId;
    }

    private List<Attempt> replaceAttempt(String attemptId, java.util.function.UnaryOperator<Attempt> change) {
        List<Attempt> list = new ArrayList<>(attempts);
        for (int i = list.size() - 1; i >= 0; i--) {
            Attempt attempt = list.get(i);
            if (attempt.attemptId().equals(attemptId)) {
                if (attempt.status() == Attempt.Status.RUNNING) {
                    list.set(i, change.apply(attempt));
                }
                return Collections.unmodifiableList(list);
            }
        }
        return attempts;
    }

    private static <K, V> Map<K, V> with(Map<K, V> map, K key, V value) {
        Map<K, V> copy = new LinkedHashMap<>(map);
        copy.put(key, value);
        return Collections.unmodifiableMap(copy);
    }

    /**
     * The key under which a state's start or end time is kept: {@code STAGE_2} and {@code start} give
     * {@code stage_2_start}.
     *
     * @param stateId the state
     * @param which {@code start} or {@code end}
     * @return the key
     */
    public static String timestampKey(String stateId, String which) {
        return stateId.toLowerCase(Locale.ROOT) + "_" + which;
    }

    // ----------------------------------------------------------------------------------------------- accessors

    /** @return the run's id, never null */
    public String runId() {
        return runId;
    }

    /** @return the id of the pipeline definition the run follows, never null */
    public String pipelineId() {
        return pipelineId;
    }

    /** @return what the run is about (a story id), never null */
    public String subjectId() {
        return subjectId;
    }

    /** @return the subject's title, never null */
    public String title() {
        return title;
    }

    /** @return the state the run started in, never null */
    public String initialState() {
        return initialState;
    }

    /** @return the current state ({@code "STAGE_2"}, {@link #PAUSED}...), never null */
    public String phase() {
        return phase;
    }

    /** @return whether the run is paused */
    public boolean isPaused() {
        return PAUSED.equals(phase);
    }

    /** @return the state the run paused in, if it is paused */
    public Optional<String> pausedFrom() {
        return Optional.ofNullable(pausedFrom);
    }

    /** @return the state the run works in: the paused-from state when paused, else the current one */
    public String workingState() {
        return pausedFrom != null ? pausedFrom : phase;
    }

    /** @return whether the run ended (reached its terminal state, completed or was canceled) */
    public boolean complete() {
        return complete;
    }

    /** @return whether the run was closed: it no longer shows as its subject's current run */
    public boolean closed() {
        return closed;
    }

    /** @return {@code DONE} or {@code CANCELED} once ended */
    public Optional<String> finalResult() {
        return Optional.ofNullable(finalResult);
    }

    /** @return why the run is paused (or why it was canceled) */
    public Optional<String> pausedReason() {
        return Optional.ofNullable(pausedReason);
    }

    /** @return the details of the pause, while paused */
    public Optional<Pause> pause() {
        return Optional.ofNullable(pause);
    }

    /** @return the counters and their values, unmodifiable, never null */
    public Map<String, Integer> counters() {
        return counters;
    }

    /**
     * @param counterId a counter
     * @return its value, 0 if the run does not track it
     */
    public int counter(String counterId) {
        return counters.getOrDefault(counterId, 0);
    }

    /**
     * The counter limits recorded when the run started: the run keeps them even if its definition changes later.
     *
     * @return limits by counter, unmodifiable, never null (empty for runs started without recorded limits)
     */
    public Map<String, Integer> counterLimits() {
        return limits;
    }

    /** @return the run's immutable inputs, unmodifiable, never null */
    public Map<String, Object> manifest() {
        return manifest;
    }

    /** @return the run's attributes, unmodifiable, never null */
    public Map<String, Object> attributes() {
        return attributes;
    }

    /** @return start and end times of stage visits ({@code stage_2_start}...), unmodifiable, never null */
    public Map<String, Instant> stageTimestamps() {
        return stageTimestamps;
    }

    /** @return the newest summary of each state that has one, unmodifiable, never null */
    public Map<String, Map<String, Object>> summaries() {
        Map<String, Map<String, Object>> map = new LinkedHashMap<>();
        summaries.forEach((state, recorded) -> map.put(state, recorded.value()));
        return Collections.unmodifiableMap(map);
    }

    /**
     * @param stateId a state
     * @return its newest summary, from any visit
     */
    public Optional<Map<String, Object>> summary(String stateId) {
        Recorded<Map<String, Object>> recorded = summaries.get(stateId);
        return recorded == null ? Optional.empty() : Optional.of(recorded.value());
    }

    /**
     * @param stateId a state
     * @return its newest summary recorded during its current (or latest) visit
     */
    public Optional<Map<String, Object>> freshSummary(String stateId) {
        Recorded<Map<String, Object>> recorded = summaries.get(stateId);
        return recorded != null && recorded.sequence() >= visitStart(stateId)
                ? Optional.of(recorded.value()) : Optional.empty();
    }

    /** @return the loop health of each scope, unmodifiable, never null */
    public Map<String, LoopHealthEntry> loopHealth() {
        return loopHealth;
    }

    /** @return every checkpoint, oldest first, unmodifiable, never null */
    public List<Checkpoint> checkpoints() {
        return checkpoints;
    }

    /** @return the sequence number the next checkpoint gets */
    public int nextCheckpointSequence() {
        return checkpoints.isEmpty() ? 1 : checkpoints.get(checkpoints.size() - 1).sequence() + 1;
    }

    /**
     * @param stateId a state
     * @return its newest checkpoint, from any visit
     */
    public Optional<Checkpoint> latestCheckpoint(String stateId) {
        for (int i = checkpoints.size() - 1; i >= 0; i--) {
            if (checkpoints.get(i).stateId().equals(stateId)) {
                return Optional.of(checkpoints.get(i));
            }
        }
        return Optional.empty();
    }

    /**
     * @param stateId a state
     * @return its newest checkpoint written during its current (or latest) visit
     */
    public Optional<Checkpoint> freshCheckpoint(String stateId) {
        return latestCheckpoint(stateId).filter(c -> c.journalSequence() >= visitStart(stateId));
    }

    /**
     * @param stateId a state
     * @return the journal sequence at which its current (or latest) visit began; {@code Long.MAX_VALUE} if the run
     *     never entered it
     */
    public long visitStart(String stateId) {
        return visits.getOrDefault(stateId, Long.MAX_VALUE);
    }

    /**
     * @param stateId a state
     * @return how many times the run entered it (1 on the first visit); 0 if never
     */
    public int visitCount(String stateId) {
        return visitCounts.getOrDefault(stateId, 0);
    }

    /** @return every attempt, oldest first, unmodifiable, never null */
    public List<Attempt> attempts() {
        return attempts;
    }

    /** @return the attempt that started and has neither finished nor been declared crashed, if any */
    public Optional<Attempt> openAttempt() {
        for (int i = attempts.size() - 1; i >= 0; i--) {
            if (attempts.get(i).status() == Attempt.Status.RUNNING) {
                return Optional.of(attempts.get(i));
            }
        }
        return Optional.empty();
    }

    /**
     * @param attemptId an attempt id
     * @return the attempt, if the run has it
     */
    public Optional<Attempt> attempt(String attemptId) {
        for (Attempt attempt : attempts) {
            if (attempt.attemptId().equals(attemptId)) {
                return Optional.of(attempt);
            }
        }
        return Optional.empty();
    }

    /**
     * @param stateId a state
     * @return the number of attempts made during its current (or latest) visit
     */
    public int attemptsInVisit(String stateId) {
        long visit = visitStart(stateId);
        int count = 0;
        for (Attempt attempt : attempts) {
            if (attempt.stateId().equals(stateId) && attempt.visit() == visit) {
                count++;
            }
        }
        return count;
    }

    /**
     * @param stateId a state
     * @return the outcome of its newest finished attempt, from any visit
     */
    public Optional<StageOutcome> latestOutcome(String stateId) {
        for (int i = attempts.size() - 1; i >= 0; i--) {
            Attempt attempt = attempts.get(i);
            if (attempt.stateId().equals(stateId) && attempt.outcome() != null) {
                return Optional.of(attempt.outcome());
            }
        }
        return Optional.empty();
    }

    /**
     * @param stateId a state
     * @return the outcome of its newest attempt finished during its current (or latest) visit
     */
    public Optional<StageOutcome> freshOutcome(String stateId) {
        long visit = visitStart(stateId);
        for (int i = attempts.size() - 1; i >= 0; i--) {
            Attempt attempt = attempts.get(i);
            if (attempt.stateId().equals(stateId) && attempt.outcome() != null) {
                return attempt.visit() == visit ? Optional.of(attempt.outcome()) : Optional.empty();
            }
        }
        return Optional.empty();
    }

    /**
     * @param stateId a state
     * @return the newest attempt that finished with an outcome during the state's current (or latest) visit
     */
    public Optional<Attempt> freshFinishedAttempt(String stateId) {
        long visit = visitStart(stateId);
        for (int i = attempts.size() - 1; i >= 0; i--) {
            Attempt attempt = attempts.get(i);
            if (attempt.stateId().equals(stateId) && attempt.outcome() != null) {
                return attempt.visit() == visit ? Optional.of(attempt) : Optional.empty();
            }
        }
        return Optional.empty();
    }

    /**
     * @param stateId a state
     * @return the newest progress a stage saved during the state's current (or latest) visit
     */
    public Optional<Map<String, Object>> freshProgress(String stateId) {
        Recorded<Map<String, Object>> recorded = progress.get(stateId);
        return recorded != null && recorded.sequence() >= visitStart(stateId)
                ? Optional.of(recorded.value()) : Optional.empty();
    }

    /** @return when the run started, never null */
    public Instant createdAt() {
        return createdAt;
    }

    /** @return when the newest event happened, never null */
    public Instant updatedAt() {
        return updatedAt;
    }

    /**
     * When the run ended: the time of the transition into a terminal state, or of the cancel. Closing a run that had
     * already ended does not change it.
     *
     * @return the time, empty while the run is not {@linkplain #complete() complete}
     */
    public Optional<Instant> endedAt() {
        return Optional.ofNullable(endedAt);
    }

    /**
     * @param stateId a state
     * @return how many progress snapshots its stages saved in the whole run (every visit)
     */
    public int progressCount(String stateId) {
        return progressCounts.getOrDefault(stateId, 0);
    }

    /** @return every durable timer the run has set, by id, in the order they were set */
    public Map<String, Timer> timers() {
        return timers;
    }

    /** @return the timers that neither fired nor were canceled, soonest first */
    public List<Timer> openTimers() {
        List<Timer> open = new ArrayList<>();
        for (Timer timer : timers.values()) {
            if (timer.open()) {
                open.add(timer);
            }
        }
        open.sort(java.util.Comparator.comparing(Timer::due));
        return List.copyOf(open);
    }

    /** @return the open timer that fires first, if any */
    public Optional<Timer> nextTimer() {
        Timer next = null;
        for (Timer timer : timers.values()) {
            if (timer.open() && (next == null || timer.due().isBefore(next.due()))) {
                next = timer;
            }
        }
        return Optional.ofNullable(next);
    }

    /** @return the signals the run received, in the order its journal recorded them */
    public List<ReceivedSignal> signals() {
        return signals;
    }

    /**
     * @param signalId a signal id
     * @return whether the journal already recorded a signal of this id
     */
    public boolean hasSignal(String signalId) {
        for (ReceivedSignal signal : signals) {
            if (signal.signalId().equals(signalId)) {
                return true;
            }
        }
        return false;
    }

    /**
     * @param stateId a state
     * @return the newest signal the state received during its current visit
     */
    public Optional<ReceivedSignal> freshSignal(String stateId) {
        long visit = visitStart(stateId);
        for (int i = signals.size() - 1; i >= 0; i--) {
            ReceivedSignal signal = signals.get(i);
            if (signal.stateId().equals(stateId)) {
                return signal.journalSequence() > visit ? Optional.of(signal) : Optional.empty();
            }
        }
        return Optional.empty();
    }

    /** @return every decision gate the run opened, by id, in the order they were opened */
    public Map<String, Gate> gates() {
        return gates;
    }

    /**
     * @param stateId a state
     * @return the gate the state opened during its current visit
     */
    public Optional<Gate> freshGate(String stateId) {
        long visit = visitStart(stateId);
        Gate found = null;
        for (Gate gate : gates.values()) {
            if (gate.stateId().equals(stateId) && gate.visit() == visit) {
                found = gate;
            }
        }
        return Optional.ofNullable(found);
    }

    /** @return the gates that wait for an answer */
    public List<Gate> openGates() {
        List<Gate> open = new ArrayList<>();
        for (Gate gate : gates.values()) {
            if (gate.open()) {
                open.add(gate);
            }
        }
        return List.copyOf(open);
    }

    /** @return the runs this run started, by run id, in the order they were started */
    public Map<String, ChildRun> children() {
        return children;
    }

    /**
     * @param stateId a state
     * @return the children the state started during its current visit, in order
     */
    public List<ChildRun> freshChildren(String stateId) {
        long visit = visitStart(stateId);
        List<ChildRun> list = new ArrayList<>();
        for (ChildRun child : children.values()) {
            if (child.stateId().equals(stateId) && child.visit() == visit) {
                list.add(child);
            }
        }
        return List.copyOf(list);
    }

    /** @return the journal sequence of the newest resume out of {@code PAUSED}; 0 if the run never resumed */
    public long lastResumeSequence() {
        return lastResumeSequence;
    }

    /** @return the journal sequence of the newest event folded into this state */
    public long sequence() {
        return sequence;
    }

    @Override
    public String toString() {
        return "RunState[" + runId + " " + subjectId + " " + phase + " seq=" + sequence + "]";
    }

    private static final class Builder {
        String runId;
        String pipelineId;
        String subjectId;
        String title;
        String initialState;
        String phase;
        String pausedFrom;
        boolean complete;
        boolean closed;
        String finalResult;
        String pausedReason;
        Pause pause;
        Map<String, Integer> counters;
        Map<String, Integer> limits;
        Map<String, Object> manifest;
        Map<String, Object> attributes;
        Map<String, Instant> stageTimestamps;
        Map<String, Recorded<Map<String, Object>>> summaries;
        Map<String, LoopHealthEntry> loopHealth;
        List<Checkpoint> checkpoints;
        Map<String, Long> visits;
        Map<String, Integer> visitCounts;
        List<Attempt> attempts;
        Map<String, Recorded<Map<String, Object>>> progress;
        Instant createdAt;
        Instant updatedAt;
        Instant endedAt;
        long sequence;
        long lastResumeSequence;
        Map<String, Timer> timers;
        List<ReceivedSignal> signals;
        Map<String, Gate> gates;
        Map<String, ChildRun> children;
        Map<String, Integer> progressCounts;

        Builder() {
        }

        Builder(RunState s) {
            runId = s.runId;
            pipelineId = s.pipelineId;
            subjectId = s.subjectId;
            title = s.title;
            initialState = s.initialState;
            phase = s.phase;
            pausedFrom = s.pausedFrom;
            complete = s.complete;
            closed = s.closed;
            finalResult = s.finalResult;
            pausedReason = s.pausedReason;
            pause = s.pause;
            counters = s.counters;
            limits = s.limits;
            manifest = s.manifest;
            attributes = s.attributes;
            stageTimestamps = s.stageTimestamps;
            summaries = s.summaries;
            loopHealth = s.loopHealth;
            checkpoints = s.checkpoints;
            visits = s.visits;
            visitCounts = s.visitCounts;
            attempts = s.attempts;
            progress = s.progress;
            createdAt = s.createdAt;
            updatedAt = s.updatedAt;
            endedAt = s.endedAt;
            sequence = s.sequence;
            lastResumeSequence = s.lastResumeSequence;
            timers = s.timers;
            signals = s.signals;
            gates = s.gates;
            children = s.children;
            progressCounts = s.progressCounts;
            Objects.requireNonNull(runId);
        }
    }
}
