package dev.agentpipeline.cli;

import static dev.agentpipeline.cli.Cli.text;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Bad input of every kind: each call answers one clear JSON error (naming the flag or the problem) with a non-zero
 * exit code, and changes nothing on disk - not a byte, not a timestamp, not a new file.
 */
class BadInputTest {

    private static final String US = "US001";

    @TempDir
    Path project;

    private Cli cli;

    @BeforeEach
    void setUp() {
        cli = new Cli(project);
    }

    /** A run in STAGE_0 with one checkpoint, so there is something on disk to damage. */
    private void runInStage0() {
        cli.run("start", "--story", US, "--title", "Login form").ok();
        cli.run("advance", "--story", US, "--to", "STAGE_0").ok();
        cli.run("checkpoint", "--story", US, "--stage", "0", "--plan-score", "3").ok();
    }

    /** Runs a call that must fail and asserts that the project is byte-for-byte unchanged. */
    private Cli.Result unchanged(String... args) {
        ProjectSnapshot before = ProjectSnapshot.of(project);
        Cli.Result result = cli.run(args);
        assertThat(ProjectSnapshot.of(project)).as("the project after %s", List.of(args)).isEqualTo(before);
        return result;
    }

    private Path stateFile() throws IOException {
        try (Stream<Path> files = Files.walk(project.resolve(".pipeline/runs"))) {
            return files.filter(p -> p.getFileName().toString().equals("state.json")).findFirst().orElseThrow();
        }
    }

    @Test
    void rejectsAMalformedJsonFlag() {
        runInStage0();

        Map<String, Object> error = unchanged("checkpoint", "--story", US, "--stage", "0", "--tasks-remaining",
                "[oops").error();

        assertThat(error).containsEntry("code", "invalid_json");
        assertThat(text(error, "error")).startsWith("--tasks-remaining is not valid JSON").contains("[oops");
        assertThat(text(error, "fix")).contains("--tasks-remaining '");
    }

    @Test
    void rejectsAnUnknownStage() {
        runInStage0();

        Map<String, Object> error = unchanged("checkpoint", "--story", US, "--stage", "7").error();

        assertThat(error).containsEntry("code", "invalid_flag")
                .containsEntry("error", "--stage must be 0, 1, 2 or 3 (got '7')");
    }

    @Test
    void rejectsAnUnknownCommand() {
        runInStage0();

        Map<String, Object> error = unchanged("chekpoint", "--story", US, "--stage", "0").error();

        assertThat(error).containsEntry("code", "unknown_command")
                .containsEntry("error", "Unknown command 'chekpoint'");
        assertThat(text(error, "fix")).contains("did you mean checkpoint").contains("record-stage-summary");
    }

    @Test
    void rejectsAnUnknownOption() {
        runInStage0();

        Map<String, Object> error = unchanged("advance", "--story", US, "--to", "STAGE_1", "--frce").error();

        assertThat(error).containsEntry("code", "unknown_option")
                .containsEntry("error", "Unknown option '--frce' for `pipeline advance`");
        assertThat(text(error, "fix")).contains("--force").contains("--resolve");
    }

    @Test
    void rejectsAnInvalidTransitionWithTheOlderRuntimesRejection() {
        runInStage0();

        Map<String, Object> rejection = unchanged("advance", "--story", US, "--to", "STAGE_3").rejected();

        assertThat(rejection).containsEntry("error", "Invalid transition: STAGE_0->STAGE_3")
                .containsEntry("recovery", "Check pipeline state graph").containsEntry("code", "invalid_transition");
    }

    @ParameterizedTest
    @ValueSource(strings = {"../x", "a/b", "a b", "x;rm -rf", "$(id)"})
    void rejectsAStoryIdThatIsNotASafeName(String id) {
        runInStage0();

        for (List<String> args : List.of(
                List.of("start", "--story", id, "--title", "Evil"),
                List.of("status", "--story", id),
                List.of("advance", "--story", id, "--to", "STAGE_1"),
                List.of("checkpoint", "--story", id, "--stage", "0"),
                List.of("pause", "--story", id, "--reason", "x"),
                List.of("cancel", "--story", id))) {
            Map<String, Object> error = unchanged(args.toArray(String[]::new)).error();
            assertThat(error).as("answer to %s", args).containsEntry("code", "invalid_id");
            assertThat(text(error, "error")).as("answer to %s", args).startsWith("Invalid story id '")
                    .contains("Use 1 to 128 letters, digits");
        }
        assertThat(project.resolve("x")).doesNotExist();
        assertThat(project.getParent().resolve("x")).doesNotExist();
    }

    @Test
    void rejectsATruncatedStateJson() throws IOException {
        runInStage0();
        Path state = stateFile();
        byte[] bytes = Files.readAllBytes(state);
        Files.write(state, java.util.Arrays.copyOf(bytes, bytes.length / 2));

        Map<String, Object> status = unchanged("status", "--story", US).error();
        Map<String, Object> advance = unchanged("advance", "--story", US, "--to", "STAGE_1").error();

        assertThat(status).containsEntry("code", "projection_unreadable");
        assertThat(text(status, "error")).startsWith("state.json of run ").contains("is not valid JSON")
                .contains(state.toString());
        assertThat(text(status, "fix")).contains("pipeline repair --run ");
        assertThat(advance).isEqualTo(status);
    }

    @Test
    void rejectsAHandEditedStateJson() throws IOException {
        runInStage0();
        Path state = stateFile();
        String edited = Files.readString(state).replace("\"phase\": \"STAGE_0\"", "\"phase\": \"STAGE_3\"");
        assertThat(edited).contains("\"phase\": \"STAGE_3\"");
        Files.writeString(state, edited, StandardCharsets.UTF_8);

        Map<String, Object> error = unchanged("advance", "--story", US, "--to", "STAGE_1").error();

        assertThat(error).containsEntry("code", "projection_edited");
        assertThat(text(error, "error")).contains("state.json of run ").contains("was changed outside the runtime")
                .contains("field 'phase' is \"STAGE_3\" but the journal says \"STAGE_0\"");
        assertThat(text(error, "fix")).contains("pipeline repair --run ");
    }

    @Test
    void rejectsAMissingProjectDirectory() {
        Path missing = project.resolve("no-such-project");

        for (List<String> args : List.of(List.of("--project-dir", missing.toString(), "status"),
                List.of("start", "--project-dir", missing.toString(), "--story", US))) {
            Map<String, Object> error = unchanged(args.toArray(String[]::new)).error();
            assertThat(error).containsEntry("code", "project_dir_missing");
            assertThat(text(error, "error")).isEqualTo("Project directory " + missing + " does not exist"
                    + " (--project-dir)");
            assertThat(text(error, "fix")).contains("--project-dir");
        }
        Map<String, Object> fromMissingDirectory = new Cli(missing).run("status").error();
        assertThat(fromMissingDirectory).containsEntry("code", "project_dir_missing")
                .containsEntry("error", "Project directory " + missing + " does not exist (the current directory)");
        assertThat(missing).doesNotExist();
    }
}
