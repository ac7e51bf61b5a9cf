package dev.agentpipeline.examples.demo;

import dev.agentpipeline.core.internal.Json;
import dev.agentpipeline.core.store.FileRunStore;
import dev.agentpipeline.core.store.JournalEntry;
import dev.agentpipeline.core.run.RunEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DemoTest {

    @Test
    void drivesTheSampleStoryToDoneThroughOneRetryAndOneRework(@TempDir Path dir) throws Exception {
        // Given
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        Path project = dir.resolve("demo");

        // When
        Map<String, Object> answer = Demo.run(project, new PrintStream(progress, true, StandardCharsets.UTF_8),
                Clock.systemUTC());

        // Then
        String printed = progress.toString(StandardCharsets.UTF_8);
        assertThat(answer).containsEntry("ok", true).containsEntry("final_phase", "DONE")
                .containsEntry("validation_retries", 1).containsEntry("quality_cycles", 1);
        assertThat(printed).contains("STAGE_1 completed: NO-GO", "STAGE_1 -> STAGE_1  (validation_retries 1)",
                "STAGE_3 completed: FAIL", "STAGE_3 -> STAGE_2  (quality_cycles 1)", "STAGE_3 -> DONE", "journal:");
        assertThat(project.resolve(DemoProject.SOURCE_FILE)).exists();
        assertThat(project.resolve(DemoProject.TEST_FILE)).exists();
        assertThat(Files.readString(project.resolve(DemoProject.STORY_FILE))).doesNotContain("quickly");

        String runId = (String) answer.get("run_id");
        List<JournalEntry> journal = FileRunStore.open(project.resolve(".pipeline")).journal(runId);
        assertThat(journal.stream().filter(e -> e.event() instanceof RunEvent.AttemptFinished).count())
                .as("decompose, validate twice, execute twice, gate twice").isEqualTo(7);
        Map<String, Object> state = Json.parseObject(Files.readString(Path.of(
                (String) ((Map<?, ?>) answer.get("paths")).get("state"))));
        assertThat(state).containsEntry("phase", "DONE").containsEntry("complete", true);
        @SuppressWarnings("unchecked")
        Map<String, Object> gitStats = (Map<String, Object>) state.get("git_stats");
        assertThat(gitStats).as("the rework wrote the test").containsEntry("files_changed", 1L).containsEntry("lines_added", DemoExecuteStage.TEST.lines().count());
    }

    @Test
    void refusesADirectoryThatIsNotEmpty(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("keep.txt"), "mine");

        assertThatThrownBy(() -> Demo.run(dir, new PrintStream(new ByteArrayOutputStream(), true,
                StandardCharsets.UTF_8), Clock.systemUTC()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is not empty");
        assertThat(dir.resolve(".pipeline")).doesNotExist();
    }
}
