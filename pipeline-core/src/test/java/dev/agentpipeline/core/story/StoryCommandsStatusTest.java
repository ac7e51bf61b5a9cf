package dev.agentpipeline.core.story;

import dev.agentpipeline.core.engine.PipelineRuntime;
import dev.agentpipeline.core.store.FileRunStore;
import dev.agentpipeline.core.testing.InMemoryRunStore;
import dev.agentpipeline.core.testing.MutableClock;
import dev.agentpipeline.core.testing.StoryRuns;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code status} tells a story that was never started from one whose last run ended, and names each story's own
 * current-run pointer ({@code paths.active}), as the older ln-1000 runtime's isolation test expects.
 */
class StoryCommandsStatusTest {

    @TempDir
    Path project;

    private final MutableClock clock = new MutableClock();
    private FileRunStore store;
    private PipelineRuntime runtime;
    private StoryCommands commands;

    @BeforeEach
    void setUp() {
        store = FileRunStore.builder(project.resolve(".pipeline")).clock(clock).build();
        runtime = PipelineRuntime.builder().store(store).definition(StoryPipeline.definition()).clock(clock).build();
        commands = new StoryCommands(runtime, project);
    }

    private Map<String, Object> ok(CommandResult result) {
        assertThat(result.exitCode()).as("%s", result.json()).isEqualTo(CommandResult.OK);
        assertThat(result.json()).containsEntry("ok", true);
        return result.json();
    }

    private static Map<?, ?> paths(Map<String, Object> json) {
        return (Map<?, ?>) json.get("paths");
    }

    @Test
    void aStoryThatWasNeverStartedIsNotFoundAndSaysSo() {
        Map<String, Object> json = ok(commands.status("US404"));

        assertThat(json).containsEntry("active", false).containsEntry("found", false)
                .containsEntry("story_id", "US404").doesNotContainKeys("state", "run_id", "resume_action");
        assertThat((String) json.get("message")).contains("US404 was never started")
                .contains("pipeline start --story US404");
        assertThat((String) paths(json).get("active"))
                .isEqualTo(project.resolve(".pipeline/active/story/US404.json").toAbsolutePath().toString());
        assertThat(store.runIds()).as("status writes nothing").isEmpty();
    }

    @Test
    void aCanceledStoryIsFoundWithItsLastRunsResultTimeAndId() {
        String runId = (String) ok(commands.start(StoryCommands.StartArgs.builder("US001").build())).get("run_id");
        clock.advance(Duration.ofMinutes(5));
        ok(commands.cancel("US001", "Story withdrawn"));
        clock.advance(Duration.ofMinutes(5));

        Map<String, Object> json = ok(commands.status("US001"));

        assertThat(json).containsEntry("active", false).containsEntry("found", true)
                .containsEntry("run_id", runId).containsEntry("final_phase", "DONE")
                .containsEntry("final_result", "CANCELED")
                .containsEntry("ended_at", "2026-01-05T09:05:00.000Z")
                .containsEntry("resume_action", "Pipeline complete")
                .containsKeys("manifest", "state", "checkpoints");
        assertThat((String) json.get("message")).isEqualTo("Story US001 is not active: its last run " + runId
                + " ended CANCELED at 2026-01-05T09:05:00.000Z (Story withdrawn).");
        assertThat(store.activeRun(StoryPipeline.ID, "US001")).as("the run was closed").isEmpty();
        assertThat(paths(json).get("active")).isEqualTo(store.pointerLocation(StoryPipeline.ID, "US001")
                .orElseThrow());
    }

    @Test
    void aFinishedStoryIsFoundWithTheTimeItReachedDoneNotTheTimeItWasClosed() {
        StoryRuns run = new StoryRuns(runtime, "US001").atQualityGate().gated("PASS").to("DONE");
        clock.advance(Duration.ofMinutes(1));
        runtime.complete(run.runId());

        Map<String, Object> json = ok(commands.status("US001"));

        assertThat(json).containsEntry("active", false).containsEntry("found", true)
                .containsEntry("run_id", run.runId()).containsEntry("final_phase", "DONE")
                .containsEntry("final_result", "DONE").containsEntry("ended_at", "2026-01-05T09:00:00.000Z");
    }

    @Test
    void theNewestRunOfAStoryStartedTwiceIsTheOneShown() {
        ok(commands.start(StoryCommands.StartArgs.builder("US001").build()));
        ok(commands.cancel("US001", null));
        clock.advance(Duration.ofSeconds(1));
        String second = (String) ok(commands.start(StoryCommands.StartArgs.builder("US001").build())).get("run_id");
        clock.advance(Duration.ofSeconds(1));
        ok(commands.cancel("US001", "again"));

        assertThat(ok(commands.status("US001"))).containsEntry("run_id", second).containsEntry("found", true);
    }

    @Test
    void anActiveRunIsFoundAndActive() {
        String runId = (String) ok(commands.start(StoryCommands.StartArgs.builder("US001").build())).get("run_id");

        Map<String, Object> json = ok(commands.status("US001"));

        assertThat(json).containsEntry("active", true).containsEntry("found", true).containsEntry("run_id", runId)
                .doesNotContainKeys("final_result", "ended_at", "message");
        assertThat(Path.of((String) paths(json).get("active"))).exists();
    }

    @Test
    void twoStoriesHaveTheirOwnActivePointerPaths() {
        ok(commands.start(StoryCommands.StartArgs.builder("ALPHA-1").title("Alpha").build()));
        ok(commands.start(StoryCommands.StartArgs.builder("BETA-2").title("Beta").build()));

        CommandResult ambiguous = commands.status(null);
        Map<String, Object> alpha = ok(commands.status("ALPHA-1"));
        Map<String, Object> beta = ok(commands.status("BETA-2"));

        assertThat(ambiguous.exitCode()).isEqualTo(CommandResult.REJECTED);
        assertThat((String) ambiguous.json().get("error")).contains("Multiple active pipeline runs");
        assertThat(((Map<?, ?>) alpha.get("state")).get("story_id")).isEqualTo("ALPHA-1");
        assertThat(((Map<?, ?>) beta.get("state")).get("story_id")).isEqualTo("BETA-2");
        String alphaPointer = (String) paths(alpha).get("active");
        String betaPointer = (String) paths(beta).get("active");
        assertThat(alphaPointer).isNotEqualTo(betaPointer).endsWith("ALPHA-1.json");
        assertThat(betaPointer).endsWith("BETA-2.json");
        assertThat(Files.exists(Path.of(alphaPointer))).isTrue();
        assertThat(Files.exists(Path.of(betaPointer))).isTrue();
    }

    @Test
    void withoutAStoryAndWithoutAnActiveRunTheAnswerIsTheOlderRuntimesExactly() {
        ok(commands.start(StoryCommands.StartArgs.builder("US001").build()));
        ok(commands.cancel("US001", null));

        assertThat(ok(commands.status(null))).isEqualTo(Map.of("ok", true, "active", false));
    }

    @Test
    void theOnlyActiveRunIsShownWithoutAStory() {
        ok(commands.start(StoryCommands.StartArgs.builder("US001").build()));

        Map<String, Object> json = ok(commands.status(null));

        assertThat(json).containsEntry("active", true).containsEntry("found", true);
        assertThat((String) paths(json).get("active")).endsWith("US001.json");
    }

    @Test
    void aStoreWithoutFilesHasNoPointerPath() {
        PipelineRuntime memory = PipelineRuntime.builder().store(new InMemoryRunStore())
                .definition(StoryPipeline.definition()).clock(clock).build();
        StoryCommands inMemory = new StoryCommands(memory, project);
        ok(inMemory.start(StoryCommands.StartArgs.builder("US001").build()));

        assertThat(paths(ok(inMemory.status("US001"))).containsKey("active")).isFalse();
        assertThat(paths(ok(inMemory.status("US002")))).isEmpty();
    }
}
