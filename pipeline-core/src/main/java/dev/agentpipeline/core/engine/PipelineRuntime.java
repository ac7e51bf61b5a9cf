package dev.agentpipeline.core.engine;

import dev.agentpipeline.core.definition.ChildrenSpec;
import dev.agentpipeline.core.definition.Durations;
import dev.agentpipeline.core.definition.PipelineDefinition;
import dev.agentpipeline.core.definition.StateDefinition;
import dev.agentpipeline.core.internal.Mdc;
import dev.agentpipeline.core.internal.Times;
import dev.agentpipeline.core.loop.LoopHealth;
import dev.agentpipeline.core.loop.LoopHealthPolicy;
import dev.agentpipeline.core.loop.LoopSignal;
import dev.agentpipeline.core.run.Attempt;
import dev.agentpipeline.core.run.Checkpoint;
import dev.agentpipeline.core.run.ChildRun;
import dev.agentpipeline.core.run.Decision;
import dev.agentpipeline.core.run.Gate;
import dev.agentpipeline.core.run.GateOption;
import dev.agentpipeline.core.run.GateRequest;
import dev.agentpipeline.core.run.Ids;
import dev.agentpipeline.core.run.LoopHealthEntry;
import dev.agentpipeline.core.run.Pause;
import dev.agentpipeline.core.run.RunEvent;
import dev.agentpipeline.core.run.RunState;
import dev.agentpipeline.core.run.SummaryPolicy;
import dev.agentpipeline.core.run.Timer;
import dev.agentpipeline.core.store.RunLock;
import dev.agentpipeline.core.store.RunSnapshot;
import dev.agentpipeline.core.store.RunStore;
import dev.agentpipeline.spi.FailureClass;
import dev.agentpipeline.spi.StageOutcome;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.apiguardian.api.API;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * Applies decisions to runs durably: the one place where runs change. Every operation takes the run's lock,
 * loads it, decides with the {@link StateMachine} and the definition, appends the resulting events to the
 * {@link RunStore} (durable when the call returns) and tells the listeners. Thread-safe.
 *
 * <pre>{@code
 * PipelineRuntime runtime = PipelineRuntime.builder()
 *         .store(FileRunStore.open(project.resolve(".pipeline")))
 *         .definition(StoryPipeline.definition())
 *         .build();
 *
 * String runId = runtime.start(StartRequest.builder("story", "US001").title("Login form").build()).run().state().runId();
 * runtime.advance(runId, "STAGE_0");
 * runtime.checkpoint(runId, "STAGE_0", Map.of("plan_score", 4));
 * TransitionResult next = runtime.advance(runId, "STAGE_1");   // rejected: the stage 0 summary is missing
 * }</pre>
 *
 * <p>Guard rejections are results ({@link TransitionResult#allowed()} is false), never exceptions; requests that
 * make no sense for the run (it does not exist, it has ended...) throw {@link PipelineException}. The MDC key
 * {@code run_id} is set while a run starts, moves or resumes (the {@link Orchestrator} sets it, with
 * {@code pipeline}, {@code stage} and {@code attempt}, for the whole drive).
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class PipelineRuntime {

    private static final Logger LOG = LoggerFactory.getLogger(PipelineRuntime.class);

    /** The counter that counts crashed attempts, when a definition has it. */
    public static final String CRASH_COUNTER = "crash_count";

    private final RunStore store;
    private final Map<String, PipelineDefinition> definitions;
    private final java.util.function.Function<String, Optional<PipelineDefinition>> source;
    private final Map<String, PipelineDefinition> found = new java.util.concurrent.ConcurrentHashMap<>();
    private final Clock clock;
    private final Duration lockTimeout;
    private final LoopHealthPolicy loopHealthPolicy;
    private final List<RunListener> listeners;
    private final SecureRandom random = new SecureRandom();

    private PipelineRuntime(Builder b) {
        this.store = Objects.requireNonNull(b.store, "store");
        this.definitions = Map.copyOf(b.definitions);
        this.source = b.source;
        this.clock = b.clock;
        this.lockTimeout = b.lockTimeout;
        this.loopHealthPolicy = b.loopHealthPolicy;
        this.listeners = new CopyOnWriteArrayList<>(b.listeners);
    }

    /** @return a builder */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the store */
    public RunStore store() {
        return store;
    }

    /** @return the clock */
    public Clock clock() {
        return clock;
    }

    /** @return the loop-health policy */
    public LoopHealthPolicy loopHealthPolicy() {
        return loopHealthPolicy;
    }

    /**
     * @param pipelineId a pipeline id
     * @return its definition
     * @throws PipelineException if this runtime does not know the pipeline
     */
    public PipelineDefinition definition(String pipelineId) {
        PipelineDefinition definition = definitions.get(pipelineId);
        if (definition == null) {
            definition = found.computeIfAbsent(pipelineId, id -> source.apply(id).orElse(null));
        }
        if (definition == null) {
            throw new PipelineException("unknown_pipeline", "No pipeline '" + pipelineId + "' in this runtime (known: "
                    + String.join(", ", definitions.keySet()) + ").", "Register its definition with the builder.");
        }
        if (!definition.id().equals(pipelineId)) {
            throw new PipelineException("definition_mismatch", "The definition found for pipeline '" + pipelineId
                    + "' has the id '" + definition.id() + "'.", "Give the definition the id it is found by.");
        }
        return definition;
    }

    /**
     * Adds a listener.
     *
     * @param listener the listener
     */
    public void addListener(RunListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /**
     * Removes a listener.
     *
     * @param listener the listener
     */
    public void removeListener(RunListener listener) {
        listeners.remove(listener);
    }

    // ------------------------------------------------------------------------------------------- queries

    /**
     * Loads a run.
     *
     * @param runId the run
     * @return the run
     * @throws PipelineException if it does not exist
     */
    public RunSnapshot load(String runId) {
        Ids.requireSafe("run id", runId);
        return store.load(runId).orElseThrow(() -> notFound(runId));
    }

    /**
     * @param pipelineId a pipeline
     * @param subjectId a subject
     * @return the subject's current run, if any
     */
    public Optional<RunSnapshot> current(String pipelineId, String subjectId) {
        Ids.requireSafe("subject id", subjectId);
        return store.activeRun(pipelineId, subjectId).flatMap(store::load);
    }

    /**
     * The subject's latest run: its current run if it has one, else the newest of its runs (by start time), which
     * has ended. Tells a subject that was never started (empty) from one whose runs all ended.
     *
     * @param pipelineId a pipeline
     * @param subjectId a subject
     * @return the run, empty if the subject never had a run of this pipeline
     * @throws dev.agentpipeline.core.store.CorruptRunException if one of the subject's runs cannot be read (it names
     *     the fix)
     * @since 0.1
     */
    public Optional<RunSnapshot> latest(String pipelineId, String subjectId) {
        Ids.requireSafe("subject id", subjectId);
        Optional<RunSnapshot> current = current(pipelineId, subjectId);
        if (current.isPresent()) {
            return current;
        }
        String prefix = pipelineId + "-" + Ids.slug(subjectId, 40) + "-";
        return store.runIds().stream()
                .filter(id -> id.startsWith(prefix))
                .map(store::load)
                .flatMap(Optional::stream)
                .filter(run -> run.state().pipelineId().equals(pipelineId)
                        && run.state().subjectId().equals(subjectId))
                .max(Comparator.comparing((RunSnapshot run) -> run.state().createdAt())
                        .thenComparing(run -> run.state().runId()));
    }

    /**
     * Decides a transition without making it.
     *
     * @param runId the run
     * @param to the target
     * @return the decision
     */
    public TransitionDecision evaluate(String runId, String to) {
        RunState state = load(runId).state();
        return StateMachine.decide(definition(state.pipelineId()), state, to, null);
    }

    // ------------------------------------------------------------------------------------------- start

    /**
     * Starts a run, or returns the subject's unfinished run instead ({@link StartResult#recovered()}).
     *
     * @param request what to start
     * @return the new or unfinished run
     * @throws PipelineException if the pipeline is unknown or an attribute name is reserved
     * @throws dev.agentpipeline.core.run.Ids.InvalidIdException if the subject id is not safe
     */
    public StartResult start(StartRequest request) {
        PipelineDefinition definition = definition(request.pipelineId());
        String subject = Ids.requireSafe("subject id", request.subjectId());
        checkAttributeNames(definition, request.attributes().keySet());
        for (String key : List.of("schema_version", "run_id", "pipeline")) {
            if (request.manifest().containsKey(key)) {
                throw new PipelineException("reserved_manifest_key", "Manifest key '" + key + "' is a field of"
                        + " manifest.json that the runtime writes itself.", "Rename the key.");
            }
        }
        Object summaries = request.manifest().get(SummaryPolicy.MANIFEST_KEY);
        if (summaries != null && !(summaries instanceof String text && SummaryPolicy.parse(text).isPresent())) {
            throw new PipelineException("invalid_manifest", "Manifest key '" + SummaryPolicy.MANIFEST_KEY
                    + "' must be required or optional, got " + summaries + ".", "Set it with"
                    + " StartRequest.Builder.summaries(SummaryPolicy.OPTIONAL), or leave it out for required.");
        }
        for (String counter : request.limits().keySet()) {
            if (!definition.counters().containsKey(counter)) {
                throw new PipelineException("unknown_counter", "Pipeline " + definition.id() + " has no counter '"
                        + counter + "' to set a limit for.", "Counters are "
                        + String.join(", ", definition.counters().keySet()) + ".");
            }
        }
        try (RunLock ignored = store.lockSubject(definition.id(), subject, lockTimeout)) {
            Optional<RunSnapshot> unfinished = findUnfinished(definition.id(), subject);
            if (unfinished.isPresent()) {
                return new StartResult(unfinished.get(), true);
            }
            return new StartResult(create(definition, request, newRunId(definition.id(), subject), true), false);
        }
    }

    /** Appends a new run's RUN_STARTED; the caller holds the subject's lock. */
    private RunSnapshot create(PipelineDefinition definition, StartRequest request, String runId, boolean active) {
        String subject = request.subjectId();
        {
            Map<String, Integer> counters = new LinkedHashMap<>();
            Map<String, Integer> limits = new LinkedHashMap<>();
            definition.counters().forEach((counter, spec) -> {
                counters.put(counter, 0);
                limits.put(counter, request.limits().getOrDefault(counter, spec.limit()));
            });
            RunEvent started = new RunEvent.Started(now(), runId, definition.id(), subject, request.title(),
                    definition.initialState(), counters, request.manifest(), request.attributes(), limits);
            RunSnapshot run;
            try (Mdc.Scope a = Mdc.put("run_id", runId)) {
                run = store.append(runId, 0, List.of(started));
                if (active) {
                    store.setActive(definition.id(), subject, runId);
                }
                LOG.info("Started run {} of pipeline {} for {}", runId, definition.id(), subject);
            }
            notifyListeners(List.of(started), run.state());
            return run;
        }
    }

    // ------------------------------------------------------------------------------------------- child runs

    /** The manifest key of a child run that names its parent run. */
    public static final String PARENT_RUN = "parent_run_id";

    /**
     * The id of a child run: derived from the parent's id, the state that starts it, the state's visit and the
     * child's index, so that starting it again after a crash finds the first.
     *
     * @param parent the parent run
     * @param stateId the state that starts it
     * @param index its index among the state's children
     * @return the child's run id (at most 128 characters; a digest of the derivation when it would be longer)
     */
    public static String childRunId(RunState parent, String stateId, int index) {
        String id = parent.runId() + "." + stateId.toLowerCase(Locale.ROOT) + "-" + parent.visitCount(stateId) + "-"
                + index;
        if (id.length() <= 128) {
            return id;
        }
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(id.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return "child-" + java.util.HexFormat.of().formatHex(digest, 0, 16);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    /**
     * Starts child {@code index} of the state the parent works in (its {@code children:}), or finds it if it
     * exists, and records its start in the parent (once).
     *
     * @param parentRunId the parent run
     * @param index the child's index
     * @return the parent afterwards
     * @throws PipelineException if the parent's state starts no children or the child's pipeline is unknown
     */
    public RunSnapshot startChild(String parentRunId, int index) {
        RunState parent = load(parentRunId).state();
        requireOpen(parent);
        String stateId = parent.workingState();
        StateDefinition state = definition(parent.pipelineId()).state(stateId).orElseThrow();
        ChildrenSpec spec = state.children();
        if (spec == null || index < 0 || index >= spec.count()) {
            throw new PipelineException("no_such_child", "State " + stateId + " of run " + parentRunId
                    + " starts no child " + index + ".", "");
        }
        PipelineDefinition childDefinition;
        try {
            childDefinition = definition(spec.pipeline());
        } catch (PipelineException e) {
            throw new PipelineException("unknown_pipeline", "State " + stateId + " starts runs of pipeline '"
                    + spec.pipeline() + "', which this runtime does not know.", "Register it with"
                    + " PipelineRuntime.Builder.definition(...); known: " + String.join(", ", definitions.keySet())
                    + ".");
        }
        String childId = childRunId(parent, stateId, index);
        if (store.load(childId).isEmpty()) {
            StartRequest request = StartRequest.builder(childDefinition.id(), childId)
                    .title(parent.title() + " (" + stateId + " " + (index + 1) + "/" + spec.count() + ")")
                    .manifest(PARENT_RUN, parentRunId)
                    .manifest("parent_state", stateId)
                    .manifest("child_index", index)
                    .manifest("concurrency_class", spec.concurrencyClass())
                    .build();
            try (RunLock ignored = store.lockSubject(childDefinition.id(), childId, lockTimeout)) {
                if (store.load(childId).isEmpty()) {
                    create(childDefinition, request, childId, false);
                }
            }
        }
        try (RunLock ignored = store.lock(parentRunId, lockTimeout)) {
            RunSnapshot run = load(parentRunId);
            if (run.state().children().containsKey(childId) || run.state().complete()) {
                return run;
            }
            return append(run, List.of(new RunEvent.ChildStarted(now(), childId, childDefinition.id(), stateId, index,
                    spec.concurrencyClass())));
        }
    }

    /**
     * Records in a parent that a child ended, once; does nothing while the child runs or when the parent already
     * recorded its end.
     *
     * @param parentRunId the parent
     * @param childRunId the child
     * @return the parent afterwards, if this call recorded the end
     */
    public Optional<RunSnapshot> recordChildEnded(String parentRunId, String childRunId) {
        Optional<RunSnapshot> child = store.load(childRunId);
        if (child.isEmpty() || !child.get().state().complete()) {
            return Optional.empty();
        }
        RunState ended = child.get().state();
        try (RunLock ignored = store.lock(parentRunId, lockTimeout)) {
            RunSnapshot run = load(parentRunId);
            ChildRun known = run.state().children().get(childRunId);
            if (known == null || known.ended() || run.state().complete()) {
                return Optional.empty();
            }
            LOG.info("Run {}: child {} ended {}", parentRunId, childRunId, ended.finalResult().orElse("DONE"));
            return Optional.of(append(run, List.of(new RunEvent.ChildEnded(now(), childRunId,
                    ended.finalResult().orElse("DONE"), ended.phase()))));
        }
    }

    private Optional<RunSnapshot> findUnfinished(String pipelineId, String subject) {
        Optional<String> active = store.activeRun(pipelineId, subject);
        if (active.isPresent()) {
            Optional<RunSnapshot> run = store.load(active.get());
            if (run.isPresent() && !run.get().state().complete()) {
                return run;
            }
        }
        // No pointer to an unfinished run. A crash between creating a run and pointing at it leaves the pointer
        // missing, or still on the previous run if a crash also kept it from being cleared when that run ended:
        // find the newest unfinished run.
        String prefix = pipelineId + "-" + Ids.slug(subject, 40) + "-";
        Optional<RunSnapshot> newest = store.runIds().stream()
                .filter(id -> id.startsWith(prefix))
                .map(store::load)
                .flatMap(Optional::stream)
                .filter(run -> run.state().subjectId().equals(subject) && !run.state().complete())
                .max(Comparator.comparing(run -> run.state().createdAt()));
        newest.ifPresent(run -> store.setActive(pipelineId, subject, run.state().runId()));
        return newest;
    }

    private String newRunId(String pipelineId, String subject) {
        return pipelineId + "-" + Ids.slug(subject, 40) + "-" + clock.millis() + "-"
                + String.format("%08x", random.nextInt());
    }

    private void checkAttributeNames(PipelineDefinition definition, Set<String> names) {
        for (String name : names) {
            if (RESERVED.contains(name) || definition.counters().containsKey(name)) {
                throw new PipelineException("reserved_attribute", "Attribute '" + name + "' is a field of the run"
                        + " state and cannot be set.", "Rename the attribute.");
            }
        }
    }

    private static final Set<String> RESERVED = Set.of("schema_version", "run_id", "pipeline", "identifier", "phase",
            "paused_from", "complete", "closed", "paused_reason", "pause", "pending_decision", "decisions",
            "pipeline_start_time", "counter_limits", "stage_timestamps", "stage_summaries", "loop_health", "attempts", "final_result",
            "created_at", "updated_at", "journal_sequence");

    // ------------------------------------------------------------------------------------------- moving

    /**
     * Moves a run to a state through its guards. From {@code PAUSED} this resumes: into the paused-from state
     * freely, elsewhere through the paused-from state's transitions.
     *
     * @param runId the run
     * @param to the target state
     * @return the decision and the run afterwards
     * @throws PipelineException if the run does not exist
     */
    public TransitionResult advance(String runId, String to) {
        return move(runId, to, null);
    }

    /**
     * Resumes a paused run, through the guards.
     *
     * @param runId the run
     * @param to the state to resume into; null for the state it paused in
     * @return the decision and the run afterwards
     * @throws PipelineException if the run does not exist or is not paused
     */
    public TransitionResult resume(String runId, String to) {
        return resume(runId, to, null);
    }

    /**
     * Resumes a paused run; with an override reason, the guards and limits are skipped and the reason is recorded.
     *
     * @param runId the run
     * @param to the state to resume into; null for the state it paused in
     * @param overrideReason why a person overrides the guards, or null to check them
     * @return the decision and the run afterwards
     * @throws PipelineException if the run does not exist or is not paused
     */
    public TransitionResult resume(String runId, String to, String overrideReason) {
        try (RunLock ignored = store.lock(runId, lockTimeout)) {
            RunState state = load(runId).state();
            if (!state.isPaused()) {
                throw new PipelineException("not_paused", "Run " + runId + " is not paused (it is in " + state.phase()
                        + ").", "Use advance to move a run that is not paused.");
            }
            return move(runId, to == null ? state.pausedFrom().orElseThrow() : to, overrideReason);
        }
    }

    private TransitionResult move(String runId, String to, String override) {
        try (RunLock ignored = store.lock(runId, lockTimeout); Mdc.Scope a = Mdc.put("run_id", runId)) {
            RunSnapshot run = load(runId);
            RunState state = run.state();
            PipelineDefinition definition = definition(state.pipelineId());
            if (RunState.PAUSED.equals(to)) {
                RunSnapshot paused = pauseLocked(run, PauseRequest.of("Paused by request"));
                TransitionDecision decision = new TransitionDecision(state.phase(), state.phase(), to,
                        dev.agentpipeline.core.guard.GuardResult.allow(), null, false, null, List.of());
                return new TransitionResult(decision, paused);
            }
            Optional<Attempt> open = state.openAttempt();
            if (open.isPresent() && !state.isPaused()) {
                throw new PipelineException("attempt_open", "Run " + runId + " has a running attempt ("
                        + open.get().attemptId() + " of " + open.get().stateId() + ") and cannot move before it"
                        + " ends.", "Wait for the stage to finish, or pause the run; if the process running the stage"
                        + " died, pause the run and drive it again: the attempt is then counted as a crash.");
            }
            TransitionDecision decision = StateMachine.decide(definition, state, to, override);
            if (!decision.allowed()) {
                LOG.info("Run {}: {} -> {} rejected: {}", runId, decision.source(), to, decision.guardResult().error());
                return new TransitionResult(decision, run);
            }
            List<RunEvent> events = new ArrayList<>();
            if (open.isPresent()) {
                // Resuming a run paused while a stage ran: that worker is gone, its attempt crashed.
                events.add(new RunEvent.AttemptCrashed(now(), open.get().attemptId(),
                        state.counters().containsKey(CRASH_COUNTER) ? CRASH_COUNTER : null));
            }
            events.add(new RunEvent.Transitioned(now(), state.phase(), to, decision.counter(), override,
                    decision.terminal()));
            if (!state.isPaused() && !decision.terminal()) {
                definition.transition(decision.source(), to).ifPresent(transition -> {
                    int reached = decision.counter() == null ? 0 : state.counter(decision.counter()) + 1;
                    Duration wait = transition.backoffAfter(reached);
                    if (!wait.isZero()) {
                        events.add(new RunEvent.TimerSet(now(), "backoff-" + to + "-" + (state.visitCount(to) + 1),
                                to, Timer.BACKOFF, now().plus(wait)));
                    }
                });
            }
            RunSnapshot after = append(run, events);
            LOG.info("Run {}: {} -> {}{}", runId, state.phase(), to,
                    decision.counter() == null ? "" : " (" + decision.counter() + " +1)");
            return new TransitionResult(decision, after);
        }
    }

    /**
     * Ends a run at its terminal state through the guards (from the last stage), or closes a run that already
     * reached it. Closing clears the subject's current run.
     *
     * @param runId the run
     * @return the decision and the run afterwards
     * @throws PipelineException if the run does not exist
     */
    public TransitionResult complete(String runId) {
        try (RunLock ignored = store.lock(runId, lockTimeout)) {
            RunSnapshot run = load(runId);
            RunState state = run.state();
            PipelineDefinition definition = definition(state.pipelineId());
            String terminal = terminalState(definition, state);
            TransitionDecision decision;
            List<RunEvent> events = new ArrayList<>();
            if (state.complete()) {
                decision = new TransitionDecision(state.phase(), state.phase(), state.phase(),
                        dev.agentpipeline.core.guard.GuardResult.allow(), null, true, null, List.of());
            } else {
                decision = StateMachine.decide(definition, state, terminal, null);
                if (!decision.allowed()) {
                    return new TransitionResult(decision, run);
                }
                events.add(new RunEvent.Transitioned(now(), state.phase(), terminal, decision.counter(), null, true));
            }
            if (!state.closed()) {
                events.add(new RunEvent.Ended(now(), state.finalResult().orElse("DONE"), decision.to(), null, true));
            }
            RunSnapshot after = events.isEmpty() ? run : append(run, events);
            store.clearActive(state.pipelineId(), state.subjectId(), runId);
            return new TransitionResult(decision, after);
        }
    }

    private static String terminalState(PipelineDefinition definition, RunState state) {
        String source = state.workingState();
        for (var transition : definition.transitionsFrom(source)) {
            if (definition.isTerminal(transition.to())) {
                return transition.to();
            }
        }
        for (StateDefinition candidate : definition.states().values()) {
            if (candidate.terminal()) {
                return candidate.id();
            }
        }
        throw new IllegalStateException("validated definitions have a terminal state");
    }

    /**
     * Cancels an unfinished run: it ends at its terminal state with result {@code CANCELED}, and the subject has no
     * current run any more.
     *
     * @param runId the run
     * @param reason why
     * @return the run afterwards
     * @throws PipelineException if the run does not exist or already ended
     */
    public RunSnapshot cancel(String runId, String reason) {
        RunState before = load(runId).state();
        if (!before.complete()) {
            // Children first: a crash part way leaves the parent open, and canceling it again goes on from there.
            for (ChildRun child : before.children().values()) {
                if (!child.ended()) {
                    store.load(child.runId()).filter(c -> !c.state().complete()).ifPresent(c -> {
                        try {
                            cancel(child.runId(), "Parent run " + runId + " was canceled");
                        } catch (PipelineException e) {
                            LOG.debug("Child {} ended meanwhile: {}", child.runId(), e.getMessage());
                        }
                    });
                }
            }
        }
        try (RunLock ignored = store.lock(runId, lockTimeout)) {
            RunSnapshot run = load(runId);
            RunState state = run.state();
            if (state.complete()) {
                throw new PipelineException("run_ended", "Run " + runId + " already ended ("
                        + state.finalResult().orElse("DONE") + "); there is nothing to cancel.", "");
            }
            PipelineDefinition definition = definition(state.pipelineId());
            String terminal = definition.states().values().stream().filter(StateDefinition::terminal)
                    .map(StateDefinition::id).findFirst().orElseThrow();
            List<RunEvent> events = new ArrayList<>();
            for (ChildRun child : state.children().values()) {
                if (!child.ended()) {
                    store.load(child.runId()).filter(c -> c.state().complete()).ifPresent(c -> events.add(
                            new RunEvent.ChildEnded(now(), child.runId(), c.state().finalResult().orElse("DONE"),
                                    c.state().phase())));
                }
            }
            events.add(new RunEvent.Ended(now(), "CANCELED", terminal,
                    reason == null || reason.isBlank() ? "Canceled by user" : reason, true));
            RunSnapshot after = append(run, events);
            store.clearActive(state.pipelineId(), state.subjectId(), runId);
            LOG.info("Run {} canceled: {}", runId, reason);
            return after;
        }
    }

    /**
     * Pauses a run; pausing a paused run replaces the reason.
     *
     * @param runId the run
     * @param request why
     * @return the run afterwards
     * @throws PipelineException if the run does not exist or has ended
     */
    public RunSnapshot pause(String runId, PauseRequest request) {
        try (RunLock ignored = store.lock(runId, lockTimeout)) {
            return pauseLocked(load(runId), request);
        }
    }

    private RunSnapshot pauseLocked(RunSnapshot run, PauseRequest request) {
        RunState state = run.state();
        requireOpen(state);
        Pause pause = new Pause(request.reason(), request.category(), request.scope(), request.evidence(),
                request.nextAction(), state.workingState());
        RunSnapshot after = append(run, List.of(new RunEvent.Paused(now(), pause)));
        LOG.info("Run {} paused in {}: {}", state.runId(), state.workingState(), request.reason());
        return after;
    }

    // ------------------------------------------------------------------------------------------- evidence

    /**
     * Records a stage checkpoint. The run must be working in that state (or be paused in it).
     *
     * @param runId the run
     * @param stateId the stage
     * @param payload what it records (JSON-compatible)
     * @return the checkpoint and the run afterwards
     * @throws PipelineException if the run does not exist, has ended or works in another state
     */
    public CheckpointResult checkpoint(String runId, String stateId, Map<String, ?> payload) {
        return checkpoint(runId, stateId, payload, Map.of());
    }

    /**
     * Records a stage checkpoint and, in the same atomic append, merges attributes into the run (the git stats a
     * checkpoint reports, for example).
     *
     * @param runId the run
     * @param stateId the stage
     * @param payload what it records (JSON-compatible)
     * @param attributes attributes to merge (JSON-compatible), may be empty
     * @return the checkpoint and the run afterwards
     * @throws PipelineException if the run does not exist, has ended or works in another state
     */
    public CheckpointResult checkpoint(String runId, String stateId, Map<String, ?> payload,
                                       Map<String, ?> attributes) {
        try (RunLock ignored = store.lock(runId, lockTimeout)) {
            RunSnapshot run = load(runId);
            RunState state = run.state();
            requireWorkingIn(state, stateId, "checkpoint");
            List<RunEvent> events = new ArrayList<>();
            events.add(new RunEvent.CheckpointRecorded(now(), stateId,
                    state.nextCheckpointSequence(), dev.agentpipeline.spi.JsonValues.copyOfMap(payload)));
            if (!attributes.isEmpty()) {
                checkAttributeNames(definition(state.pipelineId()), attributes.keySet());
                events.add(new RunEvent.AttributesUpdated(now(), new HashMap<>(attributes)));
            }
            RunSnapshot after = append(run, events);
            Checkpoint checkpoint = after.state().latestCheckpoint(stateId).orElseThrow();
            return new CheckpointResult(after, checkpoint);
        }
    }

    /**
     * Records a stage summary (the envelope the stage's agent or plugin wrote). The run must be working in that state.
     *
     * @param runId the run
     * @param stateId the stage
     * @param summary the envelope (JSON-compatible)
     * @return the run afterwards
     * @throws PipelineException if the run does not exist, has ended or works in another state
     */
    public RunSnapshot recordSummary(String runId, String stateId, Map<String, ?> summary) {
        try (RunLock ignored = store.lock(runId, lockTimeout)) {
            RunSnapshot run = load(runId);
            requireWorkingIn(run.state(), stateId, "stage summary");
            return append(run, List.of(new RunEvent.SummaryRecorded(now(), stateId,
                    dev.agentpipeline.spi.JsonValues.copyOfMap(summary))));
        }
    }

    /**
     * Merges attributes into the run (a null value removes a key).
     *
     * @param runId the run
     * @param attributes the attributes (JSON-compatible)
     * @return the run afterwards
     * @throws PipelineException if the run does not exist or a name is reserved
     */
    public RunSnapshot updateAttributes(String runId, Map<String, ?> attributes) {
        try (RunLock ignored = store.lock(runId, lockTimeout)) {
            RunSnapshot run = load(runId);
            checkAttributeNames(definition(run.state().pipelineId()), attributes.keySet());
            Map<String, Object> copy = new HashMap<>(attributes);
            return append(run, List.of(new RunEvent.AttributesUpdated(now(), copy)));
        }
    }

    /**
     * Records a loop-health signal for a scope; pauses the run when the policy recommends it (with
     * {@code paused_reason} "SCOPE loop health pause - REASON").
     *
     * @param runId the run
     * @param scope the scope ({@code stage_2}, a task id...)
     * @param signal the signal
     * @return the scope's entry and whether the run paused
     * @throws PipelineException if the run does not exist or has ended
     */
    public LoopHealthResult recordLoopHealth(String runId, String scope, LoopSignal signal) {
        try (RunLock ignored = store.lock(runId, lockTimeout)) {
            RunSnapshot run = load(runId);
            RunState state = run.state();
            requireOpen(state);
            LoopHealthEntry previous = state.loopHealth().getOrDefault(scope, LoopHealthEntry.EMPTY);
            LoopHealthEntry entry = LoopHealth.update(previous, signal, loopHealthPolicy);
            List<RunEvent> events = new ArrayList<>();
            events.add(new RunEvent.LoopHealthRecorded(now(), scope, entry));
            boolean pausing = entry.pauseRecommended() && !state.isPaused();
            if (pausing) {
                Map<String, Object> evidence = new LinkedHashMap<>();
                evidence.put("failure_class", entry.lastFailureClass());
                evidence.put("error_signature", entry.lastErrorSignature());
                evidence.put("attempts", entry.attempts());
                evidence.put("no_progress_count", entry.noProgressCount());
                evidence.put("same_error_count", entry.sameErrorCount());
                events.add(new RunEvent.Paused(now(), new Pause(scope + " loop health pause - " + entry.pauseReason(),
                        "loop_health:" + entry.pauseCategory(), scope, evidence, nextAction(entry.pauseCategory()),
                        state.workingState())));
            }
            RunSnapshot after = append(run, events);
            return new LoopHealthResult(after, scope, entry, pausing);
        }
    }

    private static String nextAction(String category) {
        switch (category == null ? "" : category) {
            case "permission_denial":
                return "Grant the permission the stage was denied, then resume the run";
            case "tool_missing":
                return "Install the missing tool (see the error signature), then resume the run";
            case "auth_missing":
                return "Provide the missing credentials, then resume the run";
            case "rate_limited":
                return "Wait until the rate limit resets, then resume the run";
            default:
                return "Read the stage's output, fix what keeps failing, then resume the run";
        }
    }

    // ------------------------------------------------------------------------------------------- attempts

    /**
     * Records that a stage plugin starts an attempt at the run's current state.
     *
     * @param runId the run
     * @param stageId the plugin's id
     * @param stageVersion the plugin's version
     * @return the attempt and the run afterwards
     * @throws PipelineException if the run is not working, or an attempt is already open
     */
    public AttemptResult startAttempt(String runId, String stageId, String stageVersion) {
        try (RunLock ignored = store.lock(runId, lockTimeout)) {
            RunSnapshot run = load(runId);
            RunState state = run.state();
            requireOpen(state);
            if (state.isPaused()) {
                throw new PipelineException("run_paused", "Run " + runId + " is paused: "
                        + state.pausedReason().orElse("") + ".", "Resume it first.");
            }
            Optional<Attempt> open = state.openAttempt();
            if (open.isPresent()) {
                throw new PipelineException("attempt_open", "Run " + runId + " has an attempt that neither finished"
                        + " nor was declared crashed: " + open.get().attemptId() + ".", "Record its outcome or its"
                        + " crash first.");
            }
            String stateId = state.phase();
            int number = state.attemptsInVisit(stateId) + 1;
            String attemptId = stateId.toLowerCase(Locale.ROOT) + "-" + (state.sequence() + 1);
            RunSnapshot after = append(run, List.of(new RunEvent.AttemptStarted(now(), attemptId, stateId, number,
                    stageId, stageVersion)));
            return new AttemptResult(after, after.state().attempt(attemptId).orElseThrow());
        }
    }

    /**
     * Records an attempt's outcome, exactly once: an outcome for an attempt that already has one is ignored with a
     * warning.
     *
     * @param runId the run
     * @param attemptId the attempt
     * @param outcome its outcome
     * @return the attempt and the run afterwards
     * @throws PipelineException if the run or the attempt does not exist
     */
    public AttemptResult finishAttempt(String runId, String attemptId, StageOutcome outcome) {
        try (RunLock ignored = store.lock(runId, lockTimeout)) {
            RunSnapshot run = load(runId);
            Attempt attempt = run.state().attempt(attemptId).orElseThrow(() -> new PipelineException(
                    "attempt_not_found", "Run " + runId + " has no attempt " + attemptId + ".", ""));
            if (attempt.status() != Attempt.Status.RUNNING) {
                LOG.warn("Run {}: ignored a second outcome for attempt {} (it is {})", runId, attemptId,
                        attempt.status().name().toLowerCase(Locale.ROOT));
                RunSnapshot unchanged = new RunSnapshot(run.state(), List.of("attempt " + attemptId + " already "
                        + attempt.status().name().toLowerCase(Locale.ROOT) + "; its outcome is recorded once, the"
                        + " new one was ignored"));
                return new AttemptResult(unchanged, attempt);
            }
            RunSnapshot after = append(run, List.of(new RunEvent.AttemptFinished(now(), attemptId, outcome)));
            return new AttemptResult(after, after.state().attempt(attemptId).orElseThrow());
        }
    }

    /**
     * Declares an attempt that started and never finished as crashed, and counts it.
     *
     * @param runId the run
     * @param attemptId the attempt
     * @param counter the counter that counts crashes, or null
     * @return the run afterwards
     */
    public RunSnapshot crashAttempt(String runId, String attemptId, String counter) {
        try (RunLock ignored = store.lock(runId, lockTimeout)) {
            RunSnapshot run = load(runId);
            String counted = counter != null && run.state().counters().containsKey(counter) ? counter : null;
            return append(run, List.of(new RunEvent.AttemptCrashed(now(), attemptId, counted)));
        }
    }

    /**
     * Records that a failed attempt will be retried after a delay.
     *
     * @param runId the run
     * @param attemptId the failed attempt
     * @param failureClass why it failed
     * @param delay the wait before the next attempt
     * @return the run afterwards
     */
    public RunSnapshot scheduleRetry(String runId, String attemptId, FailureClass failureClass, Duration delay) {
        try (RunLock ignored = store.lock(runId, lockTimeout)) {
            return append(load(runId), List.of(new RunEvent.RetryScheduled(now(), attemptId, failureClass, delay)));
        }
    }

    /**
     * Saves a stage's intra-stage progress, durably.
     *
     * @param runId the run
     * @param attemptId the attempt saving it
     * @param snapshot the progress (JSON-compatible)
     * @return the run afterwards
     */
    public RunSnapshot saveProgress(String runId, String attemptId, Map<String, ?> snapshot) {
        try (RunLock ignored = store.lock(runId, lockTimeout)) {
            RunSnapshot run = load(runId);
            Attempt attempt = run.state().attempt(attemptId).orElseThrow(() -> new PipelineException(
                    "attempt_not_found", "Run " + runId + " has no attempt " + attemptId + ".", ""));
            return append(run, List.of(new RunEvent.ProgressSaved(now(), attempt.stateId(), attemptId,
                    dev.agentpipeline.spi.JsonValues.copyOfMap(snapshot))));
        }
    }

    // ------------------------------------------------------------------------------------------- waits

    /**
     * Hands a signal to a run: recorded at most once per signal id, validated against the format its state asks
     * for, and counted as evidence ({@code signal.STATE...}) during the visit of its state it came in.
     *
     * @param runId the run
     * @param signal the signal
     * @return what became of it; nothing is recorded unless {@link SignalReceipt.Status#consumed()} and it is new
     */
    public SignalReceipt receiveSignal(String runId, Signal signal) {
        if (!Ids.isSafe(runId) || store.load(runId).isEmpty()) {
            return new SignalReceipt(SignalReceipt.Status.UNKNOWN_RUN, signal.id(), null, "Run " + runId
                    + " does not exist.", List.of(), null);
        }
        try (RunLock ignored = store.lock(runId, lockTimeout); Mdc.Scope a = Mdc.put("run_id", runId)) {
            RunSnapshot run = load(runId);
            RunState state = run.state();
            if (state.hasSignal(signal.id())) { // first: a copy left by a crash after its append is no rejection
                return new SignalReceipt(SignalReceipt.Status.DUPLICATE, signal.id(), null, "Run " + runId
                        + " already recorded signal " + signal.id() + ".", List.of(), run);
            }
            if (state.complete()) {
                return new SignalReceipt(SignalReceipt.Status.RUN_ENDED, signal.id(), null, "Run " + runId
                        + " already ended (" + state.finalResult().orElse("DONE") + ").", List.of(), run);
            }
            PipelineDefinition definition = definition(state.pipelineId());
            Optional<StateDefinition> target = definition.signalState(signal.name());
            if (target.isEmpty()) {
                List<String> names = definition.states().values().stream().filter(s -> s.signal() != null)
                        .map(s -> s.signal().name()).toList();
                return new SignalReceipt(SignalReceipt.Status.UNKNOWN_SIGNAL, signal.id(), null, "Pipeline "
                        + definition.id() + " waits for no signal named '" + signal.name() + "'; its signals are "
                        + (names.isEmpty() ? "none" : String.join(", ", names)) + ".", List.of(), run);
            }
            StateDefinition waiting = target.get();
            String format = waiting.signal().format();
            List<String> problems = dev.agentpipeline.core.definition.SignalFormats.problems(format,
                    signal.payload());
            if (!problems.isEmpty()) {
                return new SignalReceipt(SignalReceipt.Status.INVALID, signal.id(), waiting.id(), "Signal '"
                        + signal.name() + "' does not have the " + format + " format: "
                        + String.join("; ", problems) + ".", problems, run);
            }
            Map<String, Object> payload = dev.agentpipeline.core.definition.SignalFormats.normalize(format,
                    signal.payload());
            RunSnapshot after = append(run, List.of(new RunEvent.SignalReceived(now(), signal.id(), signal.name(),
                    waiting.id(), payload, signal.source())));
            boolean current = state.workingState().equals(waiting.id());
            LOG.info("Run {}: signal {} ({}) recorded{}", runId, signal.name(), signal.id(),
                    current ? "" : " while the run is in " + state.phase());
            return new SignalReceipt(current ? SignalReceipt.Status.ACCEPTED
                    : SignalReceipt.Status.RECORDED_OUT_OF_STATE, signal.id(), waiting.id(), current
                    ? "Recorded for " + waiting.id() + "." : "Recorded, but run " + runId + " is in "
                    + state.phase() + ", not " + waiting.id() + ": it counts only during a visit of "
                    + waiting.id() + " that it came in.", List.of(), after);
        }
    }

    /**
     * Opens a decision gate in the state the run works in, with its timeout as a durable timer.
     *
     * @param runId the run
     * @param request what it asks
     * @return the gate and the run afterwards
     * @throws PipelineException if the run ended, or the state's gate of this visit is already open or answered
     */
    public RunSnapshot openGate(String runId, GateRequest request) {
        try (RunLock ignored = store.lock(runId, lockTimeout)) {
            RunSnapshot run = load(runId);
            RunState state = run.state();
            requireOpen(state);
            String stateId = state.workingState();
            Optional<Gate> existing = state.freshGate(stateId);
            if (existing.isPresent()) {
                throw new PipelineException("gate_exists", "Run " + runId + " already opened gate "
                        + existing.get().id() + " in this visit of " + stateId + ".", "Answer it with decide.");
            }
            String gateId = stateId + "-" + state.visitCount(stateId);
            List<RunEvent> events = new ArrayList<>();
            events.add(new RunEvent.DecisionRequested(now(), gateId, stateId, request));
            request.timeoutIfAny().ifPresent(timeout -> events.add(new RunEvent.TimerSet(now(),
                    gateTimerId(gateId), stateId, Timer.GATE_TIMEOUT, now().plus(timeout))));
            RunSnapshot after = append(run, events);
            LOG.info("Run {}: gate {} asks '{}'", runId, gateId, request.question());
            return after;
        }
    }

    /**
     * Answers a decision gate. A gate is answered once: of two answers (or an answer and the gate's timeout) the
     * first recorded wins and the second is refused with {@code already_decided}. A run paused because nobody
     * answered in time resumes in the same append.
     *
     * @param runId the run
     * @param gateId the gate, or null for the open gate of the state the run works in
     * @param option the chosen option (case is ignored), or the answer of a gate without options
     * @param by who answers; checked against who may answer when the gate names them
     * @param reason why, may be null
     * @return the run afterwards
     * @throws PipelineException {@code no_pending_decision}, {@code already_decided}, {@code not_allowed},
     *     {@code invalid_option}, {@code run_ended}
     */
    public RunSnapshot decide(String runId, String gateId, String option, String by, String reason) {
        if (by == null || by.isBlank()) {
            throw new PipelineException("answerer_required", "A decision needs who takes it.",
                    "Pass --by NAME (or the user name of the caller).");
        }
        try (RunLock ignored = store.lock(runId, lockTimeout); Mdc.Scope a = Mdc.put("run_id", runId)) {
            RunSnapshot run = load(runId);
            RunState state = run.state();
            requireOpen(state);
            Gate gate = gateId != null ? state.gates().get(gateId)
                    : state.freshGate(state.workingState()).orElse(null);
            if (gate == null) {
                throw new PipelineException("no_pending_decision", "Run " + runId + " waits for no decision"
                        + (gateId == null ? "" : " named " + gateId) + (state.openGates().isEmpty() ? ""
                        : " (open: " + String.join(", ", state.openGates().stream().map(Gate::id).toList()) + ")")
                        + ".", "`pipeline status` shows what the run waits for.");
            }
            if (!gate.open()) {
                Decision taken = gate.decision();
                throw new PipelineException("already_decided", "Gate " + gate.id() + " was already answered: "
                        + taken.option() + " by " + taken.by() + " at " + Times.format(taken.at()) + ".",
                        "Nothing to do; a gate is answered once.");
            }
            List<String> allowed = gate.mayAnswer();
            if (!allowed.isEmpty() && !allowed.contains(by)) {
                throw new PipelineException("not_allowed", by + " may not answer gate " + gate.id() + "; "
                        + String.join(", ", allowed) + " may.", "Ask one of them, or pass --by with their name.");
            }
            String chosen;
            if (gate.request().options().isEmpty()) {
                if (option == null || option.isBlank()) {
                    throw new PipelineException("invalid_option", "Gate " + gate.id() + " needs a non-blank answer.",
                            "Pass --option TEXT.");
                }
                chosen = option.trim();
            } else {
                chosen = gate.request().option(option == null ? "" : option.trim()).map(GateOption::id)
                        .orElseThrow(() -> new PipelineException("invalid_option", "'" + option + "' is not an"
                                + " option of gate " + gate.id() + "; the options are " + String.join(", ",
                                gate.request().options().stream().map(GateOption::id).toList()) + ".",
                                "Pass --option with one of them."));
            }
            List<RunEvent> events = new ArrayList<>();
            events.add(new RunEvent.DecisionRecorded(now(), gate.id(), chosen, by, reason));
            if (state.isPaused() && gate.stateId().equals(state.pausedFrom().orElse(null))
                    && state.pause().map(p -> GATE_EXPIRED.equals(p.category())).orElse(false)) {
                events.add(new RunEvent.Transitioned(now(), RunState.PAUSED, gate.stateId(), null, null, false));
            }
            RunSnapshot after = append(run, events);
            LOG.info("Run {}: gate {} answered {} by {}", runId, gate.id(), chosen, by);
            return after;
        }
    }

    /** The pause category of a run whose gate expired with {@link GateRequest.Expiry#PAUSE}. */
    public static final String GATE_EXPIRED = "gate_expired";
    /** The pause category of a run whose signal did not come within its state's timeout. */
    public static final String SIGNAL_TIMEOUT = "signal_timeout";

    /**
     * @param gateId a gate
     * @return the id of its timeout's timer
     */
    public static String gateTimerId(String gateId) {
        return Gate.timerId(gateId);
    }

    /**
     * Sets a durable timer in the state the run works in.
     *
     * @param runId the run
     * @param timerId its id, unique within the run
     * @param purpose what it is for
     * @param due when it fires
     * @return the run afterwards
     */
    public RunSnapshot setTimer(String runId, String timerId, String purpose, Instant due) {
        try (RunLock ignored = store.lock(runId, lockTimeout)) {
            RunSnapshot run = load(runId);
            requireOpen(run.state());
            if (run.state().timers().containsKey(timerId)) {
                throw new PipelineException("timer_exists", "Run " + runId + " already has timer " + timerId + ".",
                        "Choose another id.");
            }
            return append(run, List.of(new RunEvent.TimerSet(now(), timerId, run.state().workingState(), purpose,
                    due)));
        }
    }

    /**
     * Fires a timer once, with what its firing does: a gate's expiry action, a signal wait's pause, or nothing more
     * (a backoff or a retry, after which the state works again).
     *
     * @param runId the run
     * @param timerId the timer
     * @param ignoreDue fire even if its instant has not come (a caller that waited for it itself)
     * @return the run afterwards, or empty when the timer is not open or not due (fired or canceled before)
     */
    public Optional<RunSnapshot> fireTimer(String runId, String timerId, boolean ignoreDue) {
        try (RunLock ignored = store.lock(runId, lockTimeout); Mdc.Scope a = Mdc.put("run_id", runId)) {
            RunSnapshot run = load(runId);
            RunState state = run.state();
            Timer timer = state.timers().get(timerId);
            if (timer == null || !timer.open() || state.complete() || (!ignoreDue && !timer.dueAt(now()))) {
                return Optional.empty();
            }
            List<RunEvent> events = new ArrayList<>();
            events.add(new RunEvent.TimerFired(now(), timerId));
            if (Timer.GATE_TIMEOUT.equals(timer.purpose())) {
                Gate gate = state.gates().values().stream().filter(g -> gateTimerId(g.id()).equals(timerId))
                        .findFirst().orElse(null);
                if (gate != null && gate.open()) {
                    events.addAll(expire(state, gate));
                }
            } else if (Timer.SIGNAL_TIMEOUT.equals(timer.purpose()) && !state.isPaused()
                    && state.freshSignal(timer.stateId()).isEmpty()) {
                StateDefinition waiting = definition(state.pipelineId()).state(timer.stateId()).orElseThrow();
                String name = waiting.signal() == null ? timer.stateId() : waiting.signal().name();
                String within = waiting.signal() == null || waiting.signal().timeout() == null ? ""
                        : " within " + Durations.format(waiting.signal().timeout());
                events.add(new RunEvent.Paused(now(), new Pause("No signal '" + name + "' came" + within,
                        SIGNAL_TIMEOUT, timer.stateId().toLowerCase(Locale.ROOT), Map.of("signal", name),
                        "Check the agent of " + timer.stateId() + "; publish its signal with `pipeline signal`"
                                + " and resume the run", state.workingState())));
            }
            RunSnapshot after = append(run, events);
            LOG.info("Run {}: timer {} ({}) fired", runId, timerId, timer.purpose());
            return Optional.of(after);
        }
    }

    private List<RunEvent> expire(RunState state, Gate gate) {
        GateRequest request = gate.request();
        String timeout = request.timeout() == null ? "" : " within " + Durations.format(request.timeout());
        return switch (request.onExpiry()) {
            case DEFAULT -> List.of(new RunEvent.DecisionRecorded(now(), gate.id(), request.defaultOption(),
                    Decision.BY_TIMEOUT, "no answer" + timeout + "; the default option was taken"));
            case ESCALATE -> List.of(new RunEvent.GateEscalated(now(), gate.id(), request.escalateTo()));
            case PAUSE -> state.isPaused() ? List.of() : List.of(new RunEvent.Paused(now(), new Pause(
                    "No answer to gate " + gate.id() + timeout + ": " + request.question(), GATE_EXPIRED,
                    gate.stateId().toLowerCase(Locale.ROOT), Map.of("gate", gate.id()),
                    "Answer it: pipeline decide --run " + state.runId() + " --option "
                            + (request.options().isEmpty() ? "TEXT" : request.options().get(0).id()),
                    state.workingState())));
        };
    }

    // ------------------------------------------------------------------------------------------- helpers

    private RunSnapshot append(RunSnapshot run, List<RunEvent> events) {
        RunSnapshot after = store.append(run.state().runId(), run.sequence(), events);
        if (!run.warnings().isEmpty()) {
            List<String> warnings = new ArrayList<>(run.warnings());
            warnings.addAll(after.warnings());
            after = new RunSnapshot(after.state(), warnings);
        }
        notifyListeners(events, after.state());
        return after;
    }

    private void notifyListeners(List<RunEvent> events, RunState state) {
        for (RunEvent event : events) {
            for (RunListener listener : listeners) {
                try {
                    listener.onEvent(event, state);
                } catch (RuntimeException e) {
                    LOG.warn("Run listener {} failed on {}: {}", listener, event.type(), e.toString());
                }
            }
        }
    }

    private static void requireOpen(RunState state) {
        if (state.complete()) {
            throw new PipelineException("run_ended", "Run " + state.runId() + " already ended ("
                    + state.finalResult().orElse("DONE") + ").", "Start a new run for " + state.subjectId() + ".");
        }
    }

    private void requireWorkingIn(RunState state, String stateId, String what) {
        requireOpen(state);
        PipelineDefinition definition = definition(state.pipelineId());
        if (!definition.states().containsKey(stateId)) {
            throw new PipelineException("unknown_state", "Pipeline " + definition.id() + " has no state '" + stateId
                    + "'.", "States are " + String.join(", ", definition.states().keySet()) + ".");
        }
        if (!state.workingState().equals(stateId)) {
            throw new PipelineException("wrong_stage", "Cannot record a " + what + " for " + stateId + ": run "
                    + state.runId() + " is in " + state.phase() + (state.isPaused() ? " (from "
                    + state.workingState() + ")" : "") + ".", "Advance to " + stateId + " first, or record the "
                    + what + " of " + state.workingState() + ".");
        }
    }

    private Instant now() {
        return clock.instant();
    }

    private static PipelineException notFound(String runId) {
        return new PipelineException("run_not_found", "Run " + runId + " does not exist.",
                "List runs with `pipeline status`.");
    }

    /** @return an ISO timestamp of the runtime's clock, for callers that stamp payloads */
    public String timestamp() {
        return Times.format(now());
    }

    /**
     * Builds a {@link PipelineRuntime}.
     *
     * @since 0.1
     */
    public static final class Builder {
        private RunStore store;
        private final Map<String, PipelineDefinition> definitions = new LinkedHashMap<>();
        private java.util.function.Function<String, Optional<PipelineDefinition>> source = id -> Optional.empty();
        private boolean sourceSet;
        private Clock clock = Clock.systemUTC();
        private Duration lockTimeout = Duration.ofSeconds(30);
        private LoopHealthPolicy loopHealthPolicy = LoopHealthPolicy.defaults();
        private final List<RunListener> listeners = new ArrayList<>();

        private Builder() {
        }

        /**
         * @param runStore where runs live
         * @return this builder
         */
        public Builder store(RunStore runStore) {
            this.store = Objects.requireNonNull(runStore, "runStore");
            return this;
        }

        /**
         * @param definition a pipeline the runtime runs
         * @return this builder
         * @throws IllegalArgumentException if a definition with the same id was added
         */
        public Builder definition(PipelineDefinition definition) {
            if (definitions.putIfAbsent(definition.id(), definition) != null) {
                throw new IllegalArgumentException("Two definitions with id '" + definition.id() + "'");
            }
            return this;
        }

        /**
         * Where definitions not registered with {@link #definition(PipelineDefinition)} are found, on first use
         * (a project's YAML files, definitions shipped with a module): read only when a run of them is touched, so a
         * runtime that knows many pipelines starts as fast as one that knows one. What it finds is kept.
         *
         * @param value gives the definition of a pipeline id, or empty
         * @return this builder
         * @since 0.1
         */
        public Builder definitions(java.util.function.Function<String, Optional<PipelineDefinition>> value) {
            this.source = Objects.requireNonNull(value, "value");
            this.sourceSet = true;
            return this;
        }

        /**
         * @param value the clock (inject a fixed or fake one in tests)
         * @return this builder
         */
        public Builder clock(Clock value) {
            this.clock = Objects.requireNonNull(value, "value");
            return this;
        }

        /**
         * @param timeout how long an operation waits for a run's lock
         * @return this builder
         * @throws IllegalArgumentException if not positive
         */
        public Builder lockTimeout(Duration timeout) {
            if (timeout.isZero() || timeout.isNegative()) {
                throw new IllegalArgumentException("lockTimeout must be positive, got " + timeout);
            }
            this.lockTimeout = timeout;
            return this;
        }

        /**
         * @param policy the loop-health policy
         * @return this builder
         */
        public Builder loopHealthPolicy(LoopHealthPolicy policy) {
            this.loopHealthPolicy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /**
         * @param listener a listener
         * @return this builder
         */
        public Builder listener(RunListener listener) {
            listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /**
         * @return the runtime
         * @throws IllegalStateException if no store was given, or neither a definition nor a source of them
         */
        public PipelineRuntime build() {
            if (store == null) {
                throw new IllegalStateException("PipelineRuntime needs a store: call store(...)");
            }
            if (definitions.isEmpty() && !sourceSet) {
                throw new IllegalStateException("PipelineRuntime needs at least one definition: call definition(...)"
                        + " or definitions(...)");
            }
            return new PipelineRuntime(this);
        }
    }
}
