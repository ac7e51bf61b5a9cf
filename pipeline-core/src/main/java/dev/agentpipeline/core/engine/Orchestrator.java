package dev.agentpipeline.core.engine;

import dev.agentpipeline.core.definition.ChildrenSpec;
import dev.agentpipeline.core.definition.CollectorDefinition;
import dev.agentpipeline.core.definition.GateSpec;
import dev.agentpipeline.core.definition.SignalSpec;
import dev.agentpipeline.core.definition.PipelineDefinition;
import dev.agentpipeline.core.definition.StateDefinition;
import dev.agentpipeline.core.definition.TransitionDefinition;
import dev.agentpipeline.core.guard.GuardContext;
import dev.agentpipeline.core.internal.Mdc;
import dev.agentpipeline.core.loop.FailureClassifier;
import dev.agentpipeline.core.loop.LoopSignal;
import dev.agentpipeline.core.run.Attempt;
import dev.agentpipeline.core.run.Checkpoint;
import dev.agentpipeline.core.run.ChildRun;
import dev.agentpipeline.core.run.Gate;
import dev.agentpipeline.core.run.GateOption;
import dev.agentpipeline.core.run.GateRequest;
import dev.agentpipeline.core.run.LoopHealthEntry;
import dev.agentpipeline.core.run.RunState;
import dev.agentpipeline.core.run.Timer;
import dev.agentpipeline.core.run.Ids;
import dev.agentpipeline.core.store.FileRunStore;
import dev.agentpipeline.core.store.RunClaim;
import dev.agentpipeline.core.store.RunSnapshot;
import dev.agentpipeline.spi.FailureClass;
import dev.agentpipeline.spi.OutcomeStatus;
import dev.agentpipeline.spi.Stage;
import dev.agentpipeline.spi.StageOutcome;
import dev.agentpipeline.spi.StageRegistry;
import dev.agentpipeline.spi.evidence.EvidenceCollector;
import dev.agentpipeline.spi.evidence.EvidenceCollectorRegistry;
import dev.agentpipeline.spi.evidence.EvidenceRequest;
import dev.agentpipeline.spi.evidence.EvidenceResult;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.apiguardian.api.API;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiFunction;
import java.util.function.DoubleSupplier;
import java.util.function.Function;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * Drives runs through their stages with plugins, until they end or need a person.
 *
 * <pre>{@code
 * Orchestrator orchestrator = Orchestrator.builder(runtime, StageRegistry.load())
 *         .recorder(StoryPipeline.recorder())
 *         .inputs(StoryPipeline::inputs)
 *         .build();
 * DriveResult result = orchestrator.drive(runId);     // COMPLETED, PAUSED (with the reason) or STOPPED
 * }</pre>
 *
 * <p>What one {@link #drive(String)} does, step by step, each step durable before the next:
 * <ol>
 *   <li>An attempt that started and never finished (its worker crashed) is declared crashed and counted in
 *       {@code crash_count}; past the counter's limit the run pauses, otherwise the stage runs again from its
 *       last saved progress.</li>
 *   <li>In a state with a stage plugin and no fresh outcome, the plugin runs one attempt; its outcome is recorded
 *       exactly once. An exception is a failed outcome.</li>
 *   <li>A transient failure (timeout, rate limit) is retried with exponential backoff and jitter
 *       ({@link RetryPolicy}); other failures go to loop health, which pauses blockers at once and repeated
 *       failures without progress after its limits; up to {@link RetryPolicy#maxAttemptsPerVisit()} attempts.</li>
 *   <li>A completed outcome becomes evidence (a stage summary and a checkpoint, by the {@link OutcomeRecorder});
 *       the state's evidence collectors ({@code collect:}) add what they find in its workspace to the checkpoint.</li>
 *   <li>The transitions out of the state are tried in definition order; the first the guards allow is taken. If
 *       none is allowed, the run pauses with the rejection as the reason and its recovery as the next action.</li>
 * </ol>
 * A run paused by a person or by a guard is driven again after it is resumed; a resumed state whose last
 * outcome was already judged runs its stage again. Not thread-safe for the same run: drive a run from one thread.
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class Orchestrator {

    private static final Logger LOG = LoggerFactory.getLogger(Orchestrator.class);

    /** The outcome attribute that marks an attempt a stop request interrupted (it is run again, not judged). */
    public static final String INTERRUPTED = "interrupted";

    /** The directory of a file store's run that holds one directory per attempt. */
    public static final String ATTEMPTS = "attempts";

    private final PipelineRuntime runtime;
    private final StageRegistry stages;
    private final RetryPolicy retryPolicy;
    private final Sleeper sleeper;
    private final OutcomeRecorder recorder;
    private final Function<RunState, Map<String, Object>> inputs;
    private final RunWorkspaces workspaces;
    private final Function<RunState, Optional<String>> entry;
    private final String crashCounter;
    private final DoubleSupplier random;
    private final BiFunction<String, String, Path> attemptDirectories;
    private EvidenceCollectorRegistry collectors;
    private final boolean foreground;
    private final Map<String, Integer> concurrency;
    private final int defaultConcurrency;
    private final AtomicBoolean stop = new AtomicBoolean();
    /** Set when a wait or a stage was interrupted; the thread's interrupt is restored when drive returns. */
    private final AtomicBoolean interrupted = new AtomicBoolean();

    private Orchestrator(Builder b) {
        this.runtime = b.runtime;
        this.stages = b.stages;
        this.retryPolicy = b.retryPolicy;
        this.sleeper = b.sleeper;
        this.recorder = b.recorder;
        this.inputs = b.inputs;
        this.workspaces = b.workspaces;
        this.entry = b.entry;
        this.crashCounter = b.crashCounter;
        this.random = b.random;
        this.attemptDirectories = b.attemptDirectories != null ? b.attemptDirectories
                : b.runtime.store() instanceof FileRunStore files
                ? (run, attempt) -> files.runDirectory(run).resolve(ATTEMPTS).resolve(attempt)
                : (run, attempt) -> null;
        this.collectors = b.collectors;
        this.foreground = b.foreground;
        this.concurrency = Map.copyOf(b.concurrency);
        this.defaultConcurrency = b.defaultConcurrency;
    }

    /** The evidence collectors, found with ServiceLoader on first use unless the builder named them. */
    private synchronized EvidenceCollectorRegistry collectors() {
        if (collectors == null) {
            collectors = EvidenceCollectorRegistry.load();
        }
        return collectors;
    }

    /**
     * @param runtime the runtime whose runs to drive
     * @param stages the stage plugins
     * @return a builder
     */
    public static Builder builder(PipelineRuntime runtime, StageRegistry stages) {
        return new Builder(runtime, stages);
    }

    /**
     * Asks the drive in progress to stop after its current step; the running stage sees it as cancellation. The
     * next {@link #drive(String)} starts afresh. Safe to call from any thread.
     */
    public void requestStop() {
        stop.set(true);
    }

    /**
     * What a running stage sees as cancellation: a stop request, or the run paused or ended by someone else (a
     * person, another command). The run is looked at no more than every 200 ms of the runtime's clock.
     */
    private final class Cancellation implements java.util.function.BooleanSupplier {
        private static final Duration CHECK_EVERY = Duration.ofMillis(200);
        private final String runId;
        private Instant checkedAt;
        private boolean halted;

        Cancellation(String runId) {
            this.runId = runId;
        }

        @Override
        public synchronized boolean getAsBoolean() {
            if (stop.get() || halted) {
                return true;
            }
            Instant now = runtime.clock().instant();
            if (checkedAt == null || !now.isBefore(checkedAt.plus(CHECK_EVERY))) {
                checkedAt = now;
                RunState state = runtime.load(runId).state();
                halted = state.complete() || state.isPaused();
            }
            return halted;
        }
    }

    /**
     * Drives a run until it ends, pauses or is stopped.
     *
     * @param runId the run
     * @return where the run was left
     * @throws PipelineException if the run does not exist
     * @throws dev.agentpipeline.core.definition.DefinitionException if a stage plugin the run needs is missing
     */
    public DriveResult drive(String runId) {
        stop.set(false);
        interrupted.set(false);
        RunSnapshot first = runtime.load(runId);
        PipelineDefinition pipeline = runtime.definition(first.state().pipelineId());
        pipeline.checkPlugins(stages);
        if (pipeline.collectsEvidence()) {
            pipeline.checkCollectors(collectors());
        }
        Optional<RunClaim> claim = runtime.store().tryClaim(runId);
        if (claim.isEmpty()) {
            LOG.info("Run {} is driven by another driver now; leaving it", runId);
            return new DriveResult(first, DriveResult.Status.BUSY, "another driver drives run " + runId);
        }
        try (RunClaim held = claim.get();
             Mdc.Scope a = Mdc.put("run_id", runId);
             Mdc.Scope b = Mdc.put("pipeline", first.state().pipelineId())) {
            while (true) {
                RunSnapshot run = runtime.load(runId);
                RunState state = run.state();
                if (state.complete()) {
                    return settle(new DriveResult(run, DriveResult.Status.COMPLETED,
                            state.finalResult().orElse("DONE")));
                }
                if (state.isPaused()) {
                    return settle(new DriveResult(run, DriveResult.Status.PAUSED, state.pausedReason().orElse("")));
                }
                if (stop.get()) {
                    return new DriveResult(run, DriveResult.Status.STOPPED,
                            interrupted.get() ? "interrupted" : "stop requested");
                }
                Optional<DriveResult> done = step(runId, state);
                if (done.isPresent()) {
                    return done.get().status() == DriveResult.Status.WAITING ? done.get() : settle(done.get());
                }
            }
        } finally {
            // Restored only now: with the flag set, the store's interruptible locks would refuse to record anything.
            if (interrupted.get()) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Tells the workspaces that the run paused or ended, and answers with the run as it is then. */
    private DriveResult settle(DriveResult result) {
        RunState state = result.run().state();
        if (result.status() == DriveResult.Status.PAUSED) {
            workspaces.paused(runtime, state);
        } else if (result.status() == DriveResult.Status.COMPLETED) {
            workspaces.ended(runtime, state);
        } else {
            return result;
        }
        return new DriveResult(runtime.load(state.runId()), result.status(), result.reason());
    }

    /** One step; empty to keep going. */
    private Optional<DriveResult> step(String runId, RunState state) {
        PipelineDefinition definition = runtime.definition(state.pipelineId());
        String phase = state.phase();
        try (Mdc.Scope s = Mdc.put("stage", phase)) {
            Optional<Attempt> open = state.openAttempt();
            if (open.isPresent()) {
                return recoverCrash(runId, definition, open.get());
            }
            StateDefinition stateDefinition = definition.state(phase).orElseThrow();
            Optional<DriveResult> timers = timers(runId, state);
            if (timers == null || timers.isPresent()) {
                return timers == null ? Optional.empty() : timers;
            }
            if (stateDefinition.gate() != null) {
                Optional<Gate> gate = state.freshGate(phase);
                if (gate.isEmpty()) {
                    runtime.openGate(runId, gateRequest(stateDefinition, state, definition));
                    return Optional.empty();
                }
                if (gate.get().open()) {
                    return waiting(runId, new Wait(Wait.Kind.DECISION, phase, gate.get().id(),
                            gate.get().escalated() ? null : gate.get().due().orElse(null)));
                }
            }
            if (phase.equals(definition.initialState())) {
                Optional<String> target = entry.apply(state);
                if (target.isPresent()) {
                    return moveTo(runId, List.of(target.get()), definition);
                }
            }
            if (stateDefinition.stagePlugin().isPresent()) {
                StageWork work = stageWork(state, phase);
                if (work == StageWork.RECORD_EVIDENCE) {
                    // An outcome whose evidence a crash or a pause kept from being recorded.
                    recordEvidence(runId, definition, state.freshFinishedAttempt(phase).orElseThrow(), null);
                    return Optional.empty();
                }
                if (work == StageWork.RUN) {
                    return runAttempt(runId, state, definition, stages.require(stateDefinition.stage()));
                }
            }
            if (stateDefinition.signal() != null && state.freshSignal(phase).isEmpty()) {
                return awaitSignal(runId, state, stateDefinition);
            }
            if (stateDefinition.children() != null) {
                Optional<DriveResult> children = driveChildren(runId, state, stateDefinition);
                if (children == null || children.isPresent()) {
                    return children == null ? Optional.empty() : children;
                }
            }
            List<String> targets = new ArrayList<>();
            for (TransitionDefinition transition : definition.transitionsFrom(phase)) {
                targets.add(transition.to());
            }
            return moveTo(runId, targets, definition);
        }
    }

    private Optional<DriveResult> moveTo(String runId, List<String> targets, PipelineDefinition definition) {
        List<Map<String, Object>> rejections = new ArrayList<>();
        TransitionResult last = null;
        for (String target : targets) {
            TransitionResult result = runtime.advance(runId, target);
            if (result.allowed()) {
                LOG.info("{} -> {}", result.decision().from(), target);
                return Optional.empty();
            }
            last = result;
            Map<String, Object> rejection = new LinkedHashMap<>();
            rejection.put("to", target);
            rejection.put("code", result.guardResult().code());
            rejection.put("error", result.guardResult().error());
            rejection.put("recovery", result.guardResult().recovery());
            rejections.add(rejection);
        }
        if (last == null) {
            throw new IllegalStateException("validated definitions give every non-terminal state a way out");
        }
        String phase = last.run().state().phase();
        RunSnapshot paused = runtime.pause(runId, new PauseRequest(last.guardResult().error(), "guard",
                phase.toLowerCase(Locale.ROOT), Map.of("rejections", rejections), last.guardResult().recovery()));
        LOG.warn("Paused in {}: {} ({})", phase, last.guardResult().error(), last.guardResult().recovery());
        return Optional.of(new DriveResult(paused, DriveResult.Status.PAUSED, last.guardResult().error()));
    }

    private Optional<DriveResult> recoverCrash(String runId, PipelineDefinition definition, Attempt open) {
        RunSnapshot after = runtime.crashAttempt(runId, open.attemptId(), crashCounter);
        RunState state = after.state();
        int crashes = state.counter(crashCounter);
        LOG.warn("Attempt {} of {} started and never finished: counted as crash {}", open.attemptId(),
                open.stateId(), crashes);
        Optional<Integer> limit = definition.counter(crashCounter)
                .map(c -> state.counterLimits().getOrDefault(crashCounter, c.limit()));
        if (limit.isPresent() && crashes > limit.get()) {
            Map<String, Object> variables = Map.of("limit", limit.get(), "value", crashes, "counter", crashCounter);
            var counter = definition.counter(crashCounter).orElseThrow();
            String reason = counter.error().render(null, variables);
            RunSnapshot paused = runtime.pause(runId, new PauseRequest(reason, "crash",
                    open.stateId().toLowerCase(Locale.ROOT), Map.of("attempt_id", open.attemptId(), "crashes", crashes),
                    counter.recovery().render(null, variables)));
            return Optional.of(new DriveResult(paused, DriveResult.Status.PAUSED, reason));
        }
        return Optional.empty();
    }

    private Optional<DriveResult> runAttempt(String runId, RunState state, PipelineDefinition definition,
                                             Stage stage) {
        String phase = state.phase();
        int attempts = attemptsSinceResume(state, phase);
        if (attempts >= retryPolicy.maxAttemptsPerVisit()) {
            String reason = phase + " made " + attempts + " attempts in this visit without finishing";
            RunSnapshot paused = runtime.pause(runId, new PauseRequest(reason, "attempt_limit",
                    phase.toLowerCase(Locale.ROOT), Map.of("attempts", attempts),
                    "Read the attempts' outcomes, fix the cause, then resume the run"));
            return Optional.of(new DriveResult(paused, DriveResult.Status.PAUSED, reason));
        }
        Path directory;
        try {
            directory = workspaces.prepare(runtime, state);
        } catch (RuntimeException e) {
            String reason = "Cannot prepare the workspace of " + phase + ": " + e.getMessage();
            LOG.warn(reason, e);
            String fix = e instanceof dev.agentpipeline.spi.workspace.WorkspaceException w && !w.fix().isBlank()
                    ? w.fix() : "Fix the repository (see the error), then resume the run";
            RunSnapshot paused = runtime.pause(runId, new PauseRequest(reason, "workspace",
                    phase.toLowerCase(Locale.ROOT), Map.of("error", String.valueOf(e.getMessage())), fix));
            return Optional.of(new DriveResult(paused, DriveResult.Status.PAUSED, reason));
        }
        AttemptResult started = runtime.startAttempt(runId, stage.id(), stage.version());
        Attempt attempt = started.attempt();
        RunState current = started.run().state();
        StageOutcome outcome;
        try (Mdc.Scope a = Mdc.put("attempt", attempt.attemptId())) {
            LOG.info("Running {} ({}) attempt {}", phase, stage.id(), attempt.number());
            StateDefinition working = definition.states().get(phase);
            RuntimeStageContext context = new RuntimeStageContext(runtime, current, attempt,
                    directory, inputs.apply(current), new Cancellation(runId),
                    working == null ? Map.of() : working.settings(), attemptDirectory(runId, attempt));
            outcome = invoke(stage, context);
        }
        if (stop.get() && outcome.status() == OutcomeStatus.FAILED) {
            // Stopped from outside (a worker shutting down): the stage saw cancellation. Its failure says nothing
            // about the work, so it is recorded as interrupted and not judged; the next drive runs the stage again.
            outcome = StageOutcome.failed(outcome.failureClass(), outcome.failure().map(f -> f.message())
                    .orElse("interrupted")).attribute(INTERRUPTED, true).build();
            runtime.finishAttempt(runId, attempt.attemptId(), outcome);
            LOG.info("{} attempt {} interrupted by a stop request", phase, attempt.number());
            return Optional.empty();
        }
        AttemptResult finished = runtime.finishAttempt(runId, attempt.attemptId(), outcome);
        RunState after = finished.run().state();
        if (after.complete() || after.isPaused()) {
            // Paused or canceled by someone else while the stage ran: its outcome is recorded, nothing more.
            LOG.info("{} attempt {} ended after the run {}: {}", phase, attempt.number(),
                    after.complete() ? "ended" : "paused", outcome);
            return Optional.empty();
        }
        if (outcome.status() != OutcomeStatus.FAILED) {
            LOG.info("{} attempt {}: {}", phase, attempt.number(), outcome);
            recordEvidence(runId, definition, finished.attempt(), directory);
            LoopHealthEntry health = after.loopHealth().get(phase.toLowerCase(Locale.ROOT));
            if (health != null && (health.noProgressCount() > 0 || health.sameErrorCount() > 0)) {
                // A completed stage is progress: the next failure starts counting afresh.
                runtime.recordLoopHealth(runId, phase.toLowerCase(Locale.ROOT), new LoopSignal(FailureClass.NONE,
                        true, "", "stage completed", null, true, false, false, runtime.clock().instant()));
            }
            return Optional.empty();
        }
        FailureClass failureClass = outcome.failureClass();
        String message = outcome.failure().map(f -> f.message()).orElse("");
        LOG.warn("{} attempt {} failed ({}): {}", phase, attempt.number(), failureClass.wireName(), message);
        boolean retriesExhausted = false;
        if (failureClass.isTransient()) {
            long resumed = after.lastResumeSequence();
            long transientRetries = after.attempts().stream()
                    .filter(a -> a.stateId().equals(phase) && a.visit() == attempt.visit() && a.outcome() != null
                            && a.outcome().failureClass().isTransient() && a.finishedSequence() > resumed)
                    .count();
            if (transientRetries <= retryPolicy.maxTransientRetries()) {
                Duration delay = retryPolicy.transientDelay((int) transientRetries, random);
                runtime.scheduleRetry(runId, attempt.attemptId(), failureClass, delay);
                LOG.info("Retrying {} after {} ms ({} retry {} of {})", phase, delay.toMillis(),
                        failureClass.wireName(), transientRetries, retryPolicy.maxTransientRetries());
                return Optional.empty(); // the retry's timer holds the next attempt back
            }
            retriesExhausted = true;
        }
        LoopHealthResult health = runtime.recordLoopHealth(runId, phase.toLowerCase(Locale.ROOT),
                LoopSignal.fromOutcome(outcome, runtime.clock().instant()));
        if (health.paused()) {
            RunState paused = health.run().state();
            return Optional.of(new DriveResult(health.run(), DriveResult.Status.PAUSED,
                    paused.pausedReason().orElse("")));
        }
        if (retriesExhausted) {
            // Waiting did not help; more attempts without a wait would not either.
            String reason = phase + " still failed with " + failureClass.wireName() + " after "
                    + retryPolicy.maxTransientRetries() + " retries";
            RunSnapshot paused = runtime.pause(runId, new PauseRequest(reason, "retries_exhausted",
                    phase.toLowerCase(Locale.ROOT), Map.of("failure_class", failureClass.wireName(),
                    "message", message), "Check the service or the stage's time limits, then resume the run"));
            return Optional.of(new DriveResult(paused, DriveResult.Status.PAUSED, reason));
        }
        if (!retryPolicy.failureDelay().isZero()) {
            runtime.scheduleRetry(runId, attempt.attemptId(), failureClass, retryPolicy.failureDelay());
            return Optional.empty();
        }
        return Optional.empty();
    }

    /**
     * The attempts of the state's current visit made since the run was last resumed: resuming a run that paused at
     * its attempt limit grants it new attempts (otherwise it would pause again before running anything).
     */
    private static int attemptsSinceResume(RunState state, String phase) {
        long visit = state.visitStart(phase);
        long resumed = state.lastResumeSequence();
        int count = 0;
        for (Attempt attempt : state.attempts()) {
            if (attempt.stateId().equals(phase) && attempt.visit() == visit
                    && (attempt.finishedSequence() == 0 || attempt.finishedSequence() > resumed)
                    && !(attempt.outcome() != null
                    && Boolean.TRUE.equals(attempt.outcome().attributes().get(INTERRUPTED)))) {
                count++;
            }
        }
        return count;
    }

    /** What a state's stage plugin has left to do in the current visit. */
    enum StageWork { RUN, RECORD_EVIDENCE, DONE }

    /**
     * Whether the state's stage must run (no fresh success, or its evidence was judged before a person resumed the
     * run), only has its evidence to record (a crash or a pause came between), or is done.
     */
    static StageWork stageWork(RunState state, String phase) {
        Optional<Attempt> finished = state.freshFinishedAttempt(phase);
        boolean succeeded = finished.isPresent() && finished.get().outcome().status() != OutcomeStatus.FAILED;
        Optional<Checkpoint> evidence = state.freshCheckpoint(phase);
        boolean recorded = succeeded && evidence.isPresent()
                && finished.get().attemptId().equals(evidence.get().payload().get("attempt_id"));
        if (succeeded && !recorded) {
            return StageWork.RECORD_EVIDENCE;
        }
        boolean judged = recorded && state.lastResumeSequence() > evidence.get().journalSequence();
        return !succeeded || judged ? StageWork.RUN : StageWork.DONE;
    }

    /**
     * Fires the timers that are due (each once), and holds the state back while a backoff or another timer that
     * blocks it is open: by sleeping until it is due (then firing it), or by answering that the run waits.
     *
     * @return null to take another step, a result to return, or empty to go on with this step
     */
    private Optional<DriveResult> timers(String runId, RunState state) {
        Instant now = runtime.clock().instant();
        Timer blocking = null;
        for (Timer timer : state.openTimers()) {
            if (timer.dueAt(now)) {
                runtime.fireTimer(runId, timer.id(), false);
                return null;
            }
            if (blocks(timer) && blocking == null) {
                blocking = timer;
            }
        }
        if (blocking == null) {
            return Optional.empty();
        }
        if (!foreground) {
            return waiting(runId, new Wait(Wait.Kind.TIMER, blocking.stateId(), blocking.purpose(), blocking.due()));
        }
        try {
            sleeper.sleep(Duration.between(now, blocking.due()));
        } catch (InterruptedException e) {
            interrupted.set(true);
            stop.set(true);
            return null;
        }
        // The wait is over even if a test's clock did not move while it slept.
        runtime.fireTimer(runId, blocking.id(), true);
        return null;
    }

    /**
     * A state with {@code children:}: records the ends of its children (each once), starts the next ones while their
     * class has room, and, in the foreground, drives a running child itself; the state's transitions are tried once
     * every child ended.
     *
     * @return null to take another step, a result to return, or empty when every child ended
     */
    private Optional<DriveResult> driveChildren(String runId, RunState state, StateDefinition stateDefinition) {
        ChildrenSpec spec = stateDefinition.children();
        String phase = stateDefinition.id();
        List<ChildRun> children = state.freshChildren(phase);
        int running = 0;
        for (ChildRun child : children) {
            if (!child.ended()) {
                if (runtime.recordChildEnded(runId, child.runId()).isPresent()) {
                    return null;
                }
                running++;
            }
        }
        int limit = concurrency.getOrDefault(spec.concurrencyClass(), defaultConcurrency);
        if (children.isEmpty()) {
            try { // a workspace policy gets the state ready before its children start (merges finished work back)
                workspaces.prepare(runtime, state);
            } catch (RuntimeException e) {
                String reason = "Cannot prepare the workspace of " + phase + ": " + e.getMessage();
                String fix = e instanceof dev.agentpipeline.spi.workspace.WorkspaceException w && !w.fix().isBlank()
                        ? w.fix() : "Fix the repository (see the error), then resume the run";
                RunSnapshot paused = runtime.pause(runId, new PauseRequest(reason, "workspace",
                        phase.toLowerCase(Locale.ROOT), Map.of("error", String.valueOf(e.getMessage())), fix));
                return Optional.of(new DriveResult(paused, DriveResult.Status.PAUSED, reason));
            }
        }
        if (children.size() < spec.count() && running < limit) {
            runtime.startChild(runId, children.size());
            return null;
        }
        if (running == 0) {
            return Optional.empty();
        }
        if (foreground) {
            for (ChildRun child : children) {
                if (!child.ended()) {
                    DriveResult result;
                    try (Mdc.Scope c = Mdc.put("child_run_id", child.runId())) {
                        result = drive(child.runId());
                    }
                    if (result.status() == DriveResult.Status.COMPLETED) {
                        return null;
                    }
                    return waiting(runId, new Wait(Wait.Kind.CHILDREN, phase, "child " + child.runId() + " "
                            + result.status().name().toLowerCase(Locale.ROOT) + (result.reason().isEmpty() ? ""
                            : ": " + result.reason()), result.waitingFor() == null ? null : result.waitingFor().until()));
                }
            }
        }
        int ended = children.size() - running;
        return waiting(runId, new Wait(Wait.Kind.CHILDREN, phase, ended + "/" + spec.count() + " ended, " + running
                + " running (" + spec.concurrencyClass() + " limit " + limit + ")", null));
    }

    /** Deadlines (a gate's or a signal's timeout) fire when due but do not hold the state back. */
    static boolean blocks(Timer timer) {
        return !Timer.GATE_TIMEOUT.equals(timer.purpose()) && !Timer.SIGNAL_TIMEOUT.equals(timer.purpose());
    }

    private Optional<DriveResult> waiting(String runId, Wait wait) {
        LOG.debug("Run {} waits for {}", runId, wait.describe());
        return Optional.of(new DriveResult(runtime.load(runId), DriveResult.Status.WAITING, "waits for "
                + wait.describe(), wait));
    }

    /** A state whose stage is done (or that has none) and whose signal has not come: set its timeout, and wait. */
    private Optional<DriveResult> awaitSignal(String runId, RunState state, StateDefinition stateDefinition) {
        SignalSpec spec = stateDefinition.signal();
        String phase = stateDefinition.id();
        Instant until = null;
        if (spec.timeout() != null) {
            String timerId = signalTimerId(state, phase);
            Timer timer = state.timers().get(timerId);
            if (timer == null) {
                runtime.setTimer(runId, timerId, Timer.SIGNAL_TIMEOUT, runtime.clock().instant().plus(spec.timeout()));
                return Optional.empty();
            }
            until = timer.due();
        }
        return waiting(runId, new Wait(Wait.Kind.SIGNAL, phase, spec.name(), until));
    }

    /** The id of the timer that limits how long a visit of a state waits for its signal. */
    static String signalTimerId(RunState state, String phase) {
        return "signal-" + phase + "-" + state.visitCount(phase);
    }

    /** The gate's question and options, with the evidence they name filled in. */
    static GateRequest gateRequest(StateDefinition state, RunState run, PipelineDefinition definition) {
        GateSpec spec = state.gate();
        GuardContext context = GuardContext.of(run, state.id(), state.id(), definition.summaryStandIns());
        String question = spec.question().render(context, Map.of());
        List<GateOption> options = spec.options();
        if (spec.optionsFrom() != null) {
            Optional<Object> given = context.value(spec.optionsFrom());
            List<GateOption> read = given.isPresent() ? optionsOf(given.get()) : List.of();
            if (!read.isEmpty()) {
                options = read;
            } else if (given.isPresent()) {
                LOG.warn("Gate {}: {} holds no options of the form [{{id, label, pros, cons}}]; offering the"
                        + " definition's", state.id(), spec.optionsFrom());
            }
        }
        String defaultOption = spec.defaultOption();
        if (defaultOption != null && !options.isEmpty() && options.stream().noneMatch(o -> o.id().equals(
                spec.defaultOption()))) {
            options = spec.options(); // the default must stay one of the options
        }
        return new GateRequest(question.isBlank() ? "Decide how " + state.id() + " goes on" : question, options,
                spec.answerers(), spec.timeout(), spec.onExpiry(), defaultOption, spec.escalateTo());
    }

    private static List<GateOption> optionsOf(Object value) {
        if (!(value instanceof List<?> list)) {
            return List.of();
        }
        List<GateOption> options = new ArrayList<>();
        for (Object item : list) {
            if (!(item instanceof Map<?, ?> map) || !(map.get("id") instanceof String id)) {
                return List.of();
            }
            try {
                options.add(new GateOption(id, map.get("label") instanceof String l ? l : "",
                        texts(map.get("pros")), texts(map.get("cons"))));
            } catch (IllegalArgumentException e) {
                return List.of();
            }
        }
        return options;
    }

    private static List<String> texts(Object value) {
        List<String> texts = new ArrayList<>();
        if (value instanceof List<?> list) {
            for (Object item : list) {
                texts.add(String.valueOf(item));
            }
        }
        return texts;
    }

    /**
     * The attempt's own directory, created: {@code <run dir>/attempts/<attempt id>} of a file store, or what the
     * builder's {@link Builder#attemptDirectories} names; null (none) when there is no place or it cannot be made.
     */
    private Path attemptDirectory(String runId, Attempt attempt) {
        Path directory;
        try {
            directory = attemptDirectories.apply(Ids.requireSafe("run id", runId),
                    Ids.requireSafe("attempt id", attempt.attemptId()));
            if (directory != null) {
                Files.createDirectories(directory);
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("Cannot create the directory of attempt {}; the stage runs without one: {}",
                    attempt.attemptId(), e.toString());
            return null;
        }
        return directory;
    }

    private StageOutcome invoke(Stage stage, RuntimeStageContext context) {
        try {
            StageOutcome outcome = stage.run(context);
            if (outcome == null) {
                return StageOutcome.failed(FailureClass.AGENT_ERROR, "stage " + stage.id() + " returned no outcome")
                        .build();
            }
            return outcome;
        } catch (InterruptedException e) {
            interrupted.set(true);
            stop.set(true);
            return StageOutcome.failed(FailureClass.AGENT_ERROR, "interrupted").build();
        } catch (Exception | LinkageError e) {
            String message = e.getClass().getSimpleName() + ": " + e.getMessage();
            FailureClass failureClass = FailureClassifier.classify(e.getMessage());
            if (failureClass == FailureClass.NONE || failureClass == FailureClass.UNKNOWN) {
                failureClass = FailureClass.AGENT_ERROR;
            }
            LOG.warn("Stage {} threw {}", stage.id(), e.toString(), e);
            return StageOutcome.failed(failureClass, message).build();
        }
    }

    /**
     * Records a completed outcome as evidence: its summary, and its checkpoint with the workspace's evidence and
     * what the state's collectors found there.
     *
     * @param directory where the attempt worked, or null when it is not known (an outcome recorded after a crash)
     */
    private void recordEvidence(String runId, PipelineDefinition definition, Attempt attempt, Path directory) {
        RunState state = runtime.load(runId).state();
        runtime.recordSummary(runId, attempt.stateId(), recorder.summary(definition, state, attempt));
        Map<String, Object> payload = new LinkedHashMap<>(recorder.checkpoint(definition, state, attempt));
        payload.putIfAbsent("attempt_id", attempt.attemptId());
        Map<String, Object> attributes = new LinkedHashMap<>(recorder.attributes(definition, state, attempt));
        RunWorkspaces.Evidence workspace = workspaces.evidence(state, attempt.stateId());
        payload.putAll(workspace.checkpoint());
        attributes.putAll(workspace.attributes());
        StateDefinition stateDefinition = definition.state(attempt.stateId()).orElseThrow();
        if (!stateDefinition.collect().isEmpty()) {
            payload.put(GuardContext.EVIDENCE_FIELD, collect(stateDefinition, state, directory));
        }
        runtime.checkpoint(runId, attempt.stateId(), payload, attributes);
    }

    /**
     * Runs a state's evidence collectors over its workspace. A collector that fails, or finds nothing, leaves a
     * warning in what it records, never an exception: the guards that need its values then reject.
     */
    private Map<String, Object> collect(StateDefinition stateDefinition, RunState state, Path directory) {
        List<String> workspaceProblem = new ArrayList<>();
        if (directory == null) {
            try {
                directory = workspaces.prepare(runtime, state);
            } catch (RuntimeException e) {
                workspaceProblem.add("the workspace of " + stateDefinition.id() + " cannot be prepared: "
                        + e.getMessage());
            }
        }
        Map<String, Object> evidence = new LinkedHashMap<>();
        for (CollectorDefinition definition : stateDefinition.collect()) {
            EvidenceCollector collector = collectors().require(definition.id());
            EvidenceResult result;
            if (directory == null) {
                result = new EvidenceResult(Map.of(), List.of(), workspaceProblem);
            } else {
                try {
                    result = collector.collect(new EvidenceRequest(directory, definition.reports()));
                    if (result == null) {
                        result = EvidenceResult.none("collector " + collector.id() + " returned no result");
                    }
                } catch (RuntimeException | LinkageError e) {
                    LOG.warn("Evidence collector {} failed", collector.id(), e);
                    result = EvidenceResult.none("collector " + collector.id() + " failed: " + e);
                }
            }
            Map<String, Object> entry = new LinkedHashMap<>(result.values());
            entry.put("reports", result.reports());
            if (!result.warnings().isEmpty()) {
                entry.put("warnings", result.warnings());
                LOG.warn("{} evidence of {}: {}", collector.id(), stateDefinition.id(), result.warnings());
            }
            evidence.put(collector.key(), entry);
        }
        return evidence;
    }

    /**
     * Builds an {@link Orchestrator}.
     *
     * @since 0.1
     */
    public static final class Builder {
        private final PipelineRuntime runtime;
        private final StageRegistry stages;
        private RetryPolicy retryPolicy = RetryPolicy.defaults();
        private Sleeper sleeper = Sleeper.system();
        private OutcomeRecorder recorder = OutcomeRecorder.generic();
        private Function<RunState, Map<String, Object>> inputs = RunState::attributes;
        private RunWorkspaces workspaces = RunWorkspaces.fixed(run -> Path.of("").toAbsolutePath());
        private Function<RunState, Optional<String>> entry = run -> Optional.empty();
        private String crashCounter = PipelineRuntime.CRASH_COUNTER;
        private DoubleSupplier random = new SecureRandom()::nextDouble;
        private BiFunction<String, String, Path> attemptDirectories;
        private EvidenceCollectorRegistry collectors;
        private boolean foreground = true;
        private final Map<String, Integer> concurrency = new LinkedHashMap<>();
        private int defaultConcurrency = 4;

        private Builder(PipelineRuntime runtime, StageRegistry stages) {
            this.runtime = Objects.requireNonNull(runtime, "runtime");
            this.stages = Objects.requireNonNull(stages, "stages");
        }

        /**
         * @param policy how to retry
         * @return this builder
         */
        public Builder retryPolicy(RetryPolicy policy) {
            this.retryPolicy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /**
         * @param value how to wait (a fake in tests)
         * @return this builder
         */
        public Builder sleeper(Sleeper value) {
            this.sleeper = Objects.requireNonNull(value, "value");
            return this;
        }

        /**
         * @param value turns outcomes into summaries and checkpoints
         * @return this builder
         */
        public Builder recorder(OutcomeRecorder value) {
            this.recorder = Objects.requireNonNull(value, "value");
            return this;
        }

        /**
         * @param value gives each attempt its inputs; the run's attributes by default
         * @return this builder
         */
        public Builder inputs(Function<RunState, Map<String, Object>> value) {
            this.inputs = Objects.requireNonNull(value, "value");
            return this;
        }

        /**
         * @param value gives each attempt its working directory; the current one by default
         * @return this builder
         */
        public Builder workspace(Function<RunState, Path> value) {
            this.workspaces = RunWorkspaces.fixed(value);
            return this;
        }

        /**
         * @param value where runs work and what happens to their workspaces when they pause and end (a git worktree
         *     per story: {@code StoryWorkspaces}); replaces {@link #workspace(Function)}
         * @return this builder
         */
        public Builder workspaces(RunWorkspaces value) {
            this.workspaces = Objects.requireNonNull(value, "value");
            return this;
        }

        /**
         * @param value chooses the first state out of the initial one (the story's board status decides it);
         *     empty to try the initial state's transitions in order
         * @return this builder
         */
        public Builder entry(Function<RunState, Optional<String>> value) {
            this.entry = Objects.requireNonNull(value, "value");
            return this;
        }

        /**
         * @param counter the counter that counts crashed attempts ({@code crash_count})
         * @return this builder
         */
        public Builder crashCounter(String counter) {
            this.crashCounter = Objects.requireNonNull(counter, "counter");
            return this;
        }

        /**
         * @param value numbers in [0, 1) for backoff jitter (fixed in tests)
         * @return this builder
         */
        public Builder random(DoubleSupplier value) {
            this.random = Objects.requireNonNull(value, "value");
            return this;
        }

        /**
         * Where each attempt's own directory is ({@code StageContext.attemptDirectory()}: its logs, the files it
         * hands to programs). By default {@code <run dir>/attempts/<attempt id>/} of a {@link FileRunStore}, and
         * none with other stores. The orchestrator creates the directory before the attempt.
         *
         * @param value gives the directory of a run id and an attempt id (both checked with {@link Ids}); returns
         *     null for none
         * @return this builder
         * @since 0.1
         */
        public Builder attemptDirectories(BiFunction<String, String, Path> value) {
            this.attemptDirectories = Objects.requireNonNull(value, "value");
            return this;
        }

        /**
         * @param value the evidence collectors that states' {@code collect:} may name; by default those found with
         *     {@link java.util.ServiceLoader} when a definition first needs them
         * @return this builder
         */
        public Builder collectors(EvidenceCollectorRegistry value) {
            this.collectors = Objects.requireNonNull(value, "value");
            return this;
        }

        /**
         * Whether a drive works in the foreground: it sleeps through a backoff (with the {@link #sleeper(Sleeper)})
         * and drives a state's child runs itself, one at a time; or it returns {@link DriveResult.Status#WAITING}
         * so that no thread is held while the run waits, and a {@code Worker} drives what can move. Either way a
         * wait is a durable timer: a drive after a restart waits only for what is left of it. The foreground is the
         * default, for callers that drive one run; a worker turns it off.
         *
         * @param value true to sleep through timers and drive children in this drive
         * @return this builder
         * @since 0.1
         */
        public Builder foreground(boolean value) {
            this.foreground = value;
            return this;
        }

        /**
         * How many child runs of a concurrency class a state keeps running at once (the build pipeline's
         * {@code opus: 4, sonnet: 8, haiku: 12}); classes not named get {@link #defaultConcurrency(int)}.
         *
         * @param concurrencyClass the class ({@code children.class} of a state)
         * @param limit at least 1
         * @return this builder
         * @since 0.1
         */
        public Builder concurrency(String concurrencyClass, int limit) {
            if (limit < 1) {
                throw new IllegalArgumentException("a concurrency limit is at least 1, got " + limit
                        + " for class " + concurrencyClass);
            }
            concurrency.put(Objects.requireNonNull(concurrencyClass, "concurrencyClass"), limit);
            return this;
        }

        /**
         * @param limit how many child runs of a class not named with {@link #concurrency(String, int)} run at once
         *     (4 unless set); at least 1
         * @return this builder
         * @since 0.1
         */
        public Builder defaultConcurrency(int limit) {
            if (limit < 1) {
                throw new IllegalArgumentException("a concurrency limit is at least 1, got " + limit);
            }
            this.defaultConcurrency = limit;
            return this;
        }

        /** @return the orchestrator */
        public Orchestrator build() {
            return new Orchestrator(this);
        }
    }
}
