package dev.agentpipeline.examples.plugin;

import dev.agentpipeline.core.definition.PipelineDefinition;
import dev.agentpipeline.core.engine.DriveResult;
import dev.agentpipeline.core.engine.PipelineRuntime;
import dev.agentpipeline.core.engine.StartRequest;
import dev.agentpipeline.core.run.RunState;
import dev.agentpipeline.core.store.FileRunStore;
import dev.agentpipeline.core.story.StoryPipeline;
import dev.agentpipeline.core.testing.MutableClock;
import dev.agentpipeline.spi.Stage;
import dev.agentpipeline.spi.StageContext;
import dev.agentpipeline.spi.StageOutcome;
import dev.agentpipeline.spi.StageRegistry;
import dev.agentpipeline.stages.Scenario;
import dev.agentpipeline.stages.ScriptedStage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** What docs/plugin-guide.md says the example does as the story pipeline's quality gate. */
class TodoGateInTheStoryTest {

    @TempDir
    Path project;

    /** Stage 2: records the rework focus each attempt is given, changes nothing, and is ready for review. */
    static final class RecordingExecution implements Stage {
        final List<Object> focus = new ArrayList<>();

        @Override
        public String id() {
            return "test-execute";
        }

        @Override
        public StageOutcome run(StageContext context) {
            focus.add(context.input("rework_focus").orElse(null));
            return StageOutcome.completed().attribute("story_status", "To Review").build();
        }
    }

    @Test
    void aCleanWorkspacePassesTheGateAndTheStoryIsDone() throws IOException {
        write("src/App.java", "class App {}\n");

        RunState state = drive(new RecordingExecution()).run().state();

        assertThat(state.phase()).isEqualTo("DONE");
        assertThat(payload(state)).containsEntry("story_status", "Done").containsEntry("verdict", "PASS");
    }

    @Test
    void markersFailTheGateAndTheHintReachesEveryRework() throws IOException {
        // Given
        write("src/App.java", "class App {\n    // TODO escape commas\n}\n");
        RecordingExecution execution = new RecordingExecution();

        // When
        DriveResult result = drive(execution);

        // Then
        RunState state = result.run().state();
        assertThat(result.reason()).isEqualTo("Quality cycle limit reached (2)");
        assertThat(payload(state)).containsEntry("story_status", "To Rework").containsEntry("verdict", "FAIL");
        Object hint = ((Map<?, ?>) payload(state).get("metadata")).get("rework_hint");
        assertThat(((Map<?, ?>) hint).get("suggested_focus")).isEqualTo("Resolve or remove the 1 TODO/FIXME markers");
        assertThat(execution.focus).containsExactly(null, "Resolve or remove the 1 TODO/FIXME markers",
                "Resolve or remove the 1 TODO/FIXME markers");
    }

    private DriveResult drive(RecordingExecution execution) {
        PipelineDefinition story = StoryPipeline.definition()
                .withStagePlugin("STAGE_0", ScriptedStage.ID).withStagePlugin("STAGE_1", ScriptedStage.ID)
                .withStagePlugin("STAGE_2", execution.id()).withStagePlugin("STAGE_3", TodoGateStage.ID);
        Scenario scenario = Scenario.parse("inline", "schema_version: 1\nstates:\n"
                + "  STAGE_0: [{scores: {plan_score: 4}}]\n  STAGE_1: [{verdict: GO, scores: {readiness: 8}}]\n");
        PipelineRuntime runtime = PipelineRuntime.builder().store(FileRunStore.open(project.resolve(".pipeline")))
                .definition(story).clock(new MutableClock()).build();
        String runId = runtime.start(StartRequest.builder("story", "US001").build()).run().state().runId();
        return StoryPipeline.orchestrator(runtime, StageRegistry.of(new ScriptedStage(scenario), execution,
                new TodoGateStage()), run -> project, Optional.of("STAGE_0")).build().drive(runId);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> payload(RunState state) {
        return (Map<String, Object>) state.summary("STAGE_3").orElseThrow().get("payload");
    }

    private void write(String relative, String content) throws IOException {
        Path file = project.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
    }
}
