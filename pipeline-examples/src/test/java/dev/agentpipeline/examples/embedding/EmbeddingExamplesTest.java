package dev.agentpipeline.examples.embedding;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.google.inject.Injector;
import dev.agentpipeline.core.definition.PipelineDefinition;
import dev.agentpipeline.core.definition.StateDefinition;
import dev.agentpipeline.core.definition.TransitionDefinition;
import dev.agentpipeline.core.engine.DriveResult;
import dev.agentpipeline.core.engine.Orchestrator;
import dev.agentpipeline.core.engine.PipelineRuntime;
import dev.agentpipeline.core.engine.RunListener;
import dev.agentpipeline.core.engine.TransitionResult;
import dev.agentpipeline.core.run.RunEvent;
import dev.agentpipeline.core.run.RunState;
import dev.agentpipeline.core.store.FileRunStore;
import dev.agentpipeline.core.story.CommandResult;
import dev.agentpipeline.core.story.StoryCommands;
import dev.agentpipeline.core.testing.FakeSleeper;
import dev.agentpipeline.core.testing.MutableClock;
import dev.agentpipeline.examples.plugin.TodoGateStage;
import dev.agentpipeline.spi.StageRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** Runs every example of docs/embedding.md and checks that it does what the page says. */
class EmbeddingExamplesTest {

    @TempDir
    Path project;

    private final MutableClock clock = new MutableClock();
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private Logger listenerLogger;
    private Level previousLevel;

    @BeforeEach
    void captureTheListenersLog() {
        listenerLogger = (Logger) LoggerFactory.getLogger(EmbeddingExamples.TransitionLogger.class);
        previousLevel = listenerLogger.getLevel();
        listenerLogger.setLevel(Level.INFO);
        logged.start();
        listenerLogger.addAppender(logged);
    }

    @AfterEach
    void restoreTheLog() {
        listenerLogger.detachAppender(logged);
        listenerLogger.setLevel(previousLevel);
    }

    @Test
    void theStoryRuntimeRejectsSkippingTheDecomposition() {
        PipelineRuntime runtime = EmbeddingExamples.storyRuntime(project, clock);

        TransitionResult next = EmbeddingExamples.firstMoves(runtime);

        assertThat(next.allowed()).isFalse();
        assertThat(next.guardResult().code()).isEqualTo("stage_0_checkpoint_missing");
        assertThat(next.guardResult().error()).isEqualTo("Stage 0 checkpoint missing");
        assertThat(next.guardResult().recovery()).isEqualTo("Run ln-300 (the task-decomposition skill) first and record its checkpoint");
        assertThat(next.run().state().phase()).isEqualTo("STAGE_0");
        assertThat(project.resolve(".pipeline/active/story/US001.json")).exists();
        assertThat(messages()).contains("US001: QUEUED -> STAGE_0");
    }

    @Test
    void theCommandProtocolAnswersAsTheCommandLineDoes() {
        CommandResult blocked = EmbeddingExamples.storyCommands(EmbeddingExamples.storyRuntime(project, clock), project);

        assertThat(blocked.exitCode()).isEqualTo(CommandResult.REJECTED);
        assertThat(blocked.json()).isEqualTo(Map.of("ok", false, "error", "Stage 0 summary missing or not completed",
                "recovery", "Record the stage summary of ln-300 (the task-decomposition skill)", "code", "stage_0_summary_missing",
                "valid_targets", List.of("STAGE_1")));
    }

    @Test
    void theYamlAndTheJavaReleaseDefinitionsAreTheSame() {
        PipelineDefinition yaml = EmbeddingExamples.releaseDefinition();
        PipelineDefinition java = EmbeddingExamples.releaseDefinitionInJava();

        assertThat(describe(java)).isEqualTo(describe(yaml));
        assertThat(yaml.transitions().get(1).guards().get(1).guard())
                .isInstanceOf(EmbeddingExamples.WithinBaselineGuard.class);
    }

    @Test
    void aCleanWorkspaceIsReleased() throws IOException {
        write("src/App.java", "class App {}\n");

        DriveResult result = EmbeddingExamples.driveRelease(releaseRuntime(), project, "v1.0.0", 0);

        assertThat(result.status()).isEqualTo(DriveResult.Status.COMPLETED);
        assertThat(result.run().state().phase()).isEqualTo("RELEASED");
    }

    @Test
    void markersWithinTheBaselineAreReleasedThoughTheCheckSaysFail() throws IOException {
        write("src/App.java", "// TODO one known marker\nclass App {}\n");

        DriveResult result = EmbeddingExamples.driveRelease(releaseRuntime(), project, "v1.0.1", 1);

        assertThat(result.status()).isEqualTo(DriveResult.Status.COMPLETED);
        assertThat(result.run().state().latestOutcome("CHECK").orElseThrow().verdict()).contains("FAIL");
    }

    @Test
    void markersAboveTheBaselinePauseAfterOneRerunAndAResumeAfterTheFixReleases() throws IOException {
        // Given
        write("src/App.java", "// TODO blank names\nclass App {}\n");
        PipelineRuntime runtime = releaseRuntime();

        // When
        DriveResult paused = EmbeddingExamples.driveRelease(runtime, project, "v1.1.0", 0);

        // Then
        RunState state = paused.run().state();
        assertThat(paused.status()).isEqualTo(DriveResult.Status.PAUSED);
        assertThat(paused.reason()).isEqualTo("Check still fails after 1 rerun (limit 1)");
        assertThat(state.pause().orElseThrow().nextAction())
                .isEqualTo("Remove the markers the check lists, then resume the run");
        assertThat(state.counter("check_reruns")).isEqualTo(1);
        assertThat(messages()).contains("v1.1.0 paused: Check still fails after 1 rerun (limit 1)"
                + " (next: Remove the markers the check lists, then resume the run)");

        // When the marker is gone and a person resumes the run, the check runs again
        write("src/App.java", "class App {}\n");
        runtime.resume(state.runId(), null);
        DriveResult released = Orchestrator.builder(runtime, StageRegistry.load()).workspace(run -> project).build()
                .drive(state.runId());

        // Then
        assertThat(released.status()).isEqualTo(DriveResult.Status.COMPLETED);
        assertThat(released.run().state().latestOutcome("CHECK").orElseThrow().verdict()).contains("PASS");
    }

    @Test
    void theStoryDryRunReachesDoneThroughARetryAndALoggedMdc() throws IOException {
        // Given
        Path scenario = project.resolve("story-dry-run.yaml");
        try (InputStream in = EmbeddingExamples.class.getResourceAsStream("story-dry-run.yaml")) {
            Files.write(scenario, in.readAllBytes());
        }
        write("src/main/java/Export.java", "class Export {}\n");
        FakeSleeper sleeper = new FakeSleeper(clock);

        // When
        DriveResult result = EmbeddingExamples.driveStory(project, scenario, clock, sleeper);

        // Then
        RunState state = result.run().state();
        assertThat(result.status()).isEqualTo(DriveResult.Status.COMPLETED);
        assertThat(state.phase()).isEqualTo("DONE");
        assertThat(state.counter("validation_retries")).as("the scenario's NO-GO was retried").isEqualTo(1);
        assertThat(sleeper.delays()).as("one rate-limit retry, 10 s with up to 20% jitter").hasSize(1);
        assertThat(sleeper.delays().get(0)).isBetween(Duration.ofSeconds(8), Duration.ofSeconds(12));
        assertThat(state.latestOutcome("STAGE_3").orElseThrow().verdict()).contains("PASS");
        ILoggingEvent gate = logged.list.stream()
                .filter(e -> e.getFormattedMessage().equals("US003: STAGE_3 -> DONE")).findFirst().orElseThrow();
        assertThat(gate.getMDCPropertyMap()).containsEntry("run_id", state.runId())
                .containsEntry("pipeline", "story").containsEntry("stage", "STAGE_3");
    }

    @Test
    void guiceWiresTheCommandsTheRegistryAndContributedListeners() {
        List<String> heard = new ArrayList<>();
        RunListener listener = (event, state) -> heard.add(event.type());

        Injector injector = EmbeddingExamples.withGuice(project, listener);
        CommandResult started = injector.getInstance(StoryCommands.class)
                .start(StoryCommands.StartArgs.builder("US004").build());

        assertThat(started.exitCode()).isEqualTo(CommandResult.OK);
        assertThat(heard).containsExactly("RUN_STARTED");
        assertThat(injector.getInstance(StageRegistry.class).ids()).contains(TodoGateStage.ID);
        assertThat(project.resolve(".pipeline/runs/" + started.json().get("run_id") + "/journal.jsonl")).exists();
    }

    @Test
    void advanceAndExplainTellsTheKindsOfFailureApart() throws IOException {
        PipelineRuntime runtime = EmbeddingExamples.storyRuntime(project, clock);
        String runId = EmbeddingExamples.firstMoves(runtime).run().state().runId();

        assertThat(EmbeddingExamples.advanceAndExplain(runtime, runId, "STAGE_3"))
                .isEqualTo("rejected invalid_transition: Invalid transition: STAGE_0->STAGE_3 / Check pipeline state graph");
        assertThat(EmbeddingExamples.advanceAndExplain(runtime, "story-nope-1", "STAGE_1"))
                .isEqualTo("refused run_not_found: Run story-nope-1 does not exist. / List runs with `pipeline status`.");
        assertThat(EmbeddingExamples.advanceAndExplain(runtime, "../etc", "STAGE_1"))
                .startsWith("invalid id: Invalid run id '../etc': it contains '..'.");

        // A hand edit of state.json is found by the next process that loads the run (a new store instance here)
        Path state = project.resolve(".pipeline/runs/" + runId + "/state.json");
        Files.writeString(state, Files.readString(state).replace("\"phase\": \"STAGE_0\"", "\"phase\": \"STAGE_2\""));
        PipelineRuntime fresh = EmbeddingExamples.storyRuntime(project, clock);
        assertThat(EmbeddingExamples.advanceAndExplain(fresh, runId, "STAGE_1"))
                .startsWith("corrupt projection_edited: Nothing was changed.")
                .contains("pipeline repair --run " + runId);

        ((FileRunStore) fresh.store()).repair(runId);
        assertThat(EmbeddingExamples.advanceAndExplain(fresh, runId, "STAGE_1"))
                .isEqualTo("rejected stage_0_checkpoint_missing: Stage 0 checkpoint missing / Run ln-300 (the task-decomposition skill) first and record its checkpoint");
    }

    private PipelineRuntime releaseRuntime() {
        return PipelineRuntime.builder()
                .store(FileRunStore.open(project.resolve(".pipeline")))
                .definition(EmbeddingExamples.releaseDefinition())
                .clock(clock)
                .listener(new EmbeddingExamples.TransitionLogger())
                .build();
    }

    private List<String> messages() {
        return logged.list.stream().map(ILoggingEvent::getFormattedMessage).collect(Collectors.toList());
    }

    private void write(String relative, String content) throws IOException {
        Path file = project.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
    }

    /** Everything that makes a definition behave: states, transitions, counters and their messages. */
    private static List<String> describe(PipelineDefinition definition) {
        List<String> lines = new ArrayList<>();
        lines.add(definition.id() + " " + definition.title() + " initial " + definition.initialState());
        for (StateDefinition state : definition.states().values()) {
            lines.add(state.id() + " " + state.stage() + " " + state.terminal() + " " + state.description());
        }
        for (TransitionDefinition t : definition.transitions()) {
            lines.add(t.from() + "->" + t.to() + " +" + t.increments() + " "
                    + t.guards().stream().map(g -> g.guard().describe()).collect(Collectors.joining(" ; ")));
        }
        definition.counters().values().forEach(c -> lines.add(c.id() + " " + c.limit() + " " + c.code() + " "
                + c.error().text() + " / " + c.recovery().text()));
        return lines;
    }
}
