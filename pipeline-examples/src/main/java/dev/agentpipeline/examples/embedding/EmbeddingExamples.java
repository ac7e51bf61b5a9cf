package dev.agentpipeline.examples.embedding;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.multibindings.Multibinder;
import dev.agentpipeline.core.definition.CounterDefinition;
import dev.agentpipeline.core.definition.PipelineDefinition;
import dev.agentpipeline.core.definition.PipelineDefinitions;
import dev.agentpipeline.core.definition.TransitionDefinition;
import dev.agentpipeline.core.engine.DriveResult;
import dev.agentpipeline.core.engine.Orchestrator;
import dev.agentpipeline.core.engine.PipelineException;
import dev.agentpipeline.core.engine.PipelineRuntime;
import dev.agentpipeline.core.engine.RetryPolicy;
import dev.agentpipeline.core.engine.RunListener;
import dev.agentpipeline.core.engine.Sleeper;
import dev.agentpipeline.core.engine.StartRequest;
import dev.agentpipeline.core.engine.TransitionResult;
import dev.agentpipeline.core.guard.Condition;
import dev.agentpipeline.core.guard.Guard;
import dev.agentpipeline.core.guard.GuardContext;
import dev.agentpipeline.core.guard.GuardRegistry;
import dev.agentpipeline.core.guard.GuardResult;
import dev.agentpipeline.core.guard.Guards;
import dev.agentpipeline.core.guard.Operator;
import dev.agentpipeline.core.run.Ids;
import dev.agentpipeline.core.run.RunEvent;
import dev.agentpipeline.core.run.RunState;
import dev.agentpipeline.core.store.CorruptRunException;
import dev.agentpipeline.core.store.FileRunStore;
import dev.agentpipeline.core.store.RunStore;
import dev.agentpipeline.core.store.StoreException;
import dev.agentpipeline.core.story.CommandResult;
import dev.agentpipeline.core.story.StoryCommands;
import dev.agentpipeline.core.story.StoryPipeline;
import dev.agentpipeline.examples.plugin.TodoGateStage;
import dev.agentpipeline.guice.PipelineModule;
import dev.agentpipeline.guice.PipelineSettings;
import dev.agentpipeline.guice.StagesModule;
import dev.agentpipeline.spi.StageRegistry;
import dev.agentpipeline.stages.Scenario;
import dev.agentpipeline.stages.ScriptedStage;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * The examples of {@code docs/embedding.md}: each method is one thing an application does with the library, and the
 * page shows its body (checked by {@code DocSnippetsTest}, run by {@code EmbeddingExamplesTest}). Plain Java except
 * {@link #withGuice(Path, RunListener)}.
 *
 * @since 0.1
 */
public final class EmbeddingExamples {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddingExamples.class);

    private EmbeddingExamples() {
    }

    /**
     * A runtime for the story pipeline whose runs live under {@code <project>/.pipeline}.
     *
     * @param projectDir the project
     * @param clock the clock every event is stamped with
     * @return the runtime
     */
    public static PipelineRuntime storyRuntime(Path projectDir, Clock clock) {
        // snippet:runtime
        RunStore store = FileRunStore.builder(projectDir.resolve(".pipeline"))
                .lockTimeout(Duration.ofSeconds(10))   // how long a call waits for a run another caller holds
                .clock(clock)
                .build();
        PipelineRuntime runtime = PipelineRuntime.builder()
                .store(store)
                .definition(StoryPipeline.definition())   // the default limits; definition(new StoryLimits(1, 1, 1)) for others
                .clock(clock)
                .listener(new TransitionLogger())
                .build();
        // end:runtime
        return runtime;
    }

    /**
     * Starts a story and tries to skip its decomposition: the guard says no.
     *
     * @param runtime a runtime that knows the story pipeline
     * @return the rejected transition
     */
    public static TransitionResult firstMoves(PipelineRuntime runtime) {
        // snippet:moves
        String runId = runtime.start(StartRequest.builder("story", "US001").title("Login form").build())
                .run().state().runId();                 // or the unfinished run of US001 (recovered() is true)
        runtime.advance(runId, "STAGE_0");
        TransitionResult next = runtime.advance(runId, "STAGE_1");
        if (!next.allowed()) {
            GuardResult rejection = next.guardResult();   // nothing was written; the run is still in STAGE_0
            LOG.info("{}: {} ({})", rejection.code(), rejection.error(), rejection.recovery());
        }
        // end:moves
        return next;
    }

    /**
     * The older ln-1000 runtime's command protocol in process: the same answers as the command line, without a process.
     *
     * @param runtime a runtime that knows the story pipeline
     * @param projectDir the project the runs belong to
     * @return the answer of an {@code advance} the guards reject
     */
    public static CommandResult storyCommands(PipelineRuntime runtime, Path projectDir) {
        // snippet:story-commands
        StoryCommands commands = new StoryCommands(runtime, projectDir);
        commands.start(StoryCommands.StartArgs.builder("US002").title("Password reset")
                .businessAnswers("{\"channel\":\"email\"}").build());
        commands.advance("US002", "STAGE_0", false, false, null);
        commands.checkpoint(StoryCommands.CheckpointArgs.builder("0").story("US002")
                .planScore("4").tasksRemaining("[\"T-001\",\"T-002\"]").lastAction("Tasks created").build());
        CommandResult blocked = commands.advance("US002", "STAGE_1", false, false, null);
        // blocked.exitCode() == CommandResult.REJECTED (1); blocked.json():
        // {ok: false, error: "Stage 0 summary missing or not completed", recovery: "Record the stage summary of ln-300 (the task-decomposition skill)",
        //  code: "stage_0_summary_missing", valid_targets: ["STAGE_1"]}
        // end:story-commands
        return blocked;
    }

    // snippet:custom-guard
    /**
     * Lets a release happen only if the check found no more markers than the run's {@code todo_baseline} attribute
     * allows (0 when it is not set): a comparison of two pieces of evidence, which a YAML condition cannot make.
     * Pure and thread-safe, as every guard must be.
     */
    public static final class WithinBaselineGuard implements Guard {
        @Override
        public GuardResult check(GuardContext context) {
            Optional<Object> found = context.value("outcome.CHECK.metrics.todo.count");
            if (found.isEmpty()) {
                return GuardResult.reject("todo_count_missing", "The check reported no todo.count",
                        "Run the CHECK stage first");
            }
            double count = ((Number) found.get()).doubleValue();
            double baseline = context.value("run.todo_baseline").map(v -> ((Number) v).doubleValue()).orElse(0.0);
            return count <= baseline ? GuardResult.allow()
                    : GuardResult.reject("todo_above_baseline", "The check found " + (long) count
                            + " markers; the baseline allows " + (long) baseline,
                            "Remove markers, or start the run with a higher todo_baseline");
        }

        @Override
        public String describe() {
            return "todo.count <= run.todo_baseline";
        }
    }
    // end:custom-guard

    /**
     * The release pipeline, from YAML, with its custom guard.
     *
     * @return the definition
     */
    public static PipelineDefinition releaseDefinition() {
        // snippet:yaml-definition
        GuardRegistry guards = GuardRegistry.empty().with("within-todo-baseline", new WithinBaselineGuard());
        PipelineDefinition release = PipelineDefinitions.fromResource(EmbeddingExamples.class,
                "release-pipeline.yaml", guards);   // or PipelineDefinitions.fromYaml(Path.of("release.yaml"), guards)
        // end:yaml-definition
        return release;
    }

    /**
     * The same release pipeline, built in Java.
     *
     * @return the definition
     */
    public static PipelineDefinition releaseDefinitionInJava() {
        // snippet:java-definition
        PipelineDefinition release = PipelineDefinition.builder("release")
                .title("Release")
                .initial("QUEUED")
                .counter(CounterDefinition.of("check_reruns", 1,
                        "Check still fails after ${value} rerun (limit ${limit})",
                        "Remove the markers the check lists, then resume the run"))
                .state("QUEUED", "Waiting to be driven.")
                .stage("CHECK", TodoGateStage.ID, "Look for TODO and FIXME markers.")
                .terminal("RELEASED", "Released.")
                .transition("QUEUED", "CHECK")
                .transition(TransitionDefinition.builder("CHECK", "RELEASED")
                        .guard(Guards.require(Condition.of("outcome.CHECK.status", Operator.EQ, "completed"))
                                .orReject("check_not_completed", "The check ended ${outcome.CHECK.status}",
                                        "Read the check's failure, fix its cause, then resume"))
                        .guard(new WithinBaselineGuard())
                        .build())
                .transition(TransitionDefinition.builder("CHECK", "CHECK")
                        .increments("check_reruns")
                        .guard(Guards.require(Condition.of("outcome.CHECK.verdict", Operator.EQ, "FAIL"))
                                .orReject("check_fail_missing", "No failed check to rerun", "Run the check first"))
                        .build())
                .build();
        // end:java-definition
        return release;
    }

    /**
     * Starts a release of a workspace and drives it with the plugins on the class path until it is released or
     * needs a person.
     *
     * @param runtime a runtime that knows the release pipeline
     * @param workspace the directory the check scans
     * @param subject what is released, for example {@code "v1.4.0"}
     * @param baseline how many markers the release tolerates
     * @return where the run was left
     */
    public static DriveResult driveRelease(PipelineRuntime runtime, Path workspace, String subject, int baseline) {
        // snippet:orchestrator
        Orchestrator orchestrator = Orchestrator.builder(runtime, StageRegistry.load())
                .workspace(run -> workspace)
                .build();
        String runId = runtime.start(StartRequest.builder("release", subject)
                        .attribute("todo_baseline", baseline)
                        .build())
                .run().state().runId();
        DriveResult result = orchestrator.drive(runId);
        switch (result.status()) {
            case COMPLETED -> LOG.info("{} released", subject);
            case PAUSED -> LOG.warn("{} needs a person: {} - next: {}", subject, result.reason(),
                    result.run().state().pause().map(pause -> pause.nextAction()).orElse(""));
            case STOPPED -> LOG.info("{} stopped; drive it again to continue", subject);
        }
        // end:orchestrator
        return result;
    }

    /**
     * A dry run of the story pipeline: stages 0 to 2 replay a scenario file, the quality gate is the TODO gate.
     *
     * @param projectDir the project (the gate's workspace)
     * @param scenarioFile the scenario of stages 0 to 2
     * @param clock the clock
     * @param sleeper how retry waits are spent
     * @return where the run was left
     */
    public static DriveResult driveStory(Path projectDir, Path scenarioFile, Clock clock, Sleeper sleeper) {
        // snippet:story-orchestrator
        PipelineDefinition story = StoryPipeline.definition()
                .withStagePlugin("STAGE_0", ScriptedStage.ID)
                .withStagePlugin("STAGE_1", ScriptedStage.ID)
                .withStagePlugin("STAGE_2", ScriptedStage.ID)
                .withStagePlugin("STAGE_3", TodoGateStage.ID);
        StageRegistry stages = StageRegistry.of(new ScriptedStage(Scenario.load(scenarioFile)), new TodoGateStage());
        PipelineRuntime runtime = PipelineRuntime.builder()
                .store(FileRunStore.open(projectDir.resolve(".pipeline")))
                .definition(story)
                .clock(clock)
                .listener(new TransitionLogger())
                .build();
        Orchestrator orchestrator = StoryPipeline.orchestrator(runtime, stages, run -> projectDir,
                        StoryPipeline.targetStage("Backlog", false))   // the board status picks the first stage
                .retryPolicy(RetryPolicy.custom().baseDelay(Duration.ofSeconds(10)).maxDelay(Duration.ofMinutes(2))
                        .build())
                .sleeper(sleeper)                                      // Sleeper.system() by default
                .build();
        String runId = runtime.start(StartRequest.builder(StoryPipeline.ID, "US003").title("Export as CSV").build())
                .run().state().runId();
        DriveResult result = orchestrator.drive(runId);
        // end:story-orchestrator
        return result;
    }

    /**
     * The Guice wiring the demo and the command line use, for an application.
     *
     * @param projectDir the project
     * @param listener a listener to contribute to the runtime
     * @return the injector
     */
    public static Injector withGuice(Path projectDir, RunListener listener) {
        // snippet:guice
        Injector injector = Guice.createInjector(
                new PipelineModule(),                        // clock, file store, story definition, runtime, commands
                new StagesModule(),                          // StageRegistry: the plugins on the class path
                binder -> {
                    binder.bind(PipelineSettings.class).toInstance(PipelineSettings.forProject(projectDir));
                    Multibinder.newSetBinder(binder, RunListener.class).addBinding().toInstance(listener);
                });
        StoryCommands commands = injector.getInstance(StoryCommands.class);
        Orchestrator orchestrator = StoryPipeline.orchestrator(injector.getInstance(PipelineRuntime.class),
                injector.getInstance(StageRegistry.class), run -> projectDir, Optional.empty()).build();
        // end:guice
        LOG.debug("Wired {} and {}", commands, orchestrator);
        return injector;
    }

    /**
     * Moves a run and says what happened, telling the kinds of failure apart.
     *
     * @param runtime the runtime
     * @param runId the run
     * @param to the state to move to
     * @return what happened, in one line
     */
    public static String advanceAndExplain(PipelineRuntime runtime, String runId, String to) {
        // snippet:errors
        try {
            TransitionResult result = runtime.advance(runId, to);
            if (result.allowed()) {
                return "moved to " + result.run().state().phase();
            }
            GuardResult rejection = result.guardResult();   // an answer, not an exception: nothing was written
            return "rejected " + rejection.code() + ": " + rejection.error() + " / " + rejection.recovery();
        } catch (PipelineException e) {                     // the request makes no sense for this run
            return "refused " + e.code() + ": " + e.problem() + " / " + e.fix();
        } catch (CorruptRunException e) {                   // the run's files disagree with its journal
            return "corrupt " + e.code() + ": " + e.fix();
        } catch (StoreException e) {                        // I/O, lock timeout, concurrent append
            return "store " + e.code() + ": " + e.problem();
        } catch (Ids.InvalidIdException e) {                // an unsafe id, refused before any file is touched
            return "invalid id: " + e.getMessage();
        }
        // end:errors
    }

    // snippet:listener
    /**
     * Logs transitions and pauses. Listeners hear each event after it is on disk, on the thread that made the change,
     * while it holds the run's lock: keep them quick. An exception from a listener is logged and otherwise ignored.
     */
    public static final class TransitionLogger implements RunListener {
        private static final Logger LOG = LoggerFactory.getLogger(TransitionLogger.class);

        @Override
        public void onEvent(RunEvent event, RunState state) {
            if (event instanceof RunEvent.Transitioned t) {
                LOG.info("{}: {} -> {}", state.subjectId(), t.from(), t.to());   // MDC: run_id, and more when driven
            } else if (event instanceof RunEvent.Paused p) {
                LOG.warn("{} paused: {} (next: {})", state.subjectId(), p.pause().reason(), p.pause().nextAction());
            }
        }
    }
    // end:listener
}
