package dev.agentpipeline.cli;

import static dev.agentpipeline.cli.Cli.objects;
import static dev.agentpipeline.cli.Cli.text;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The command line for people beside agents: help as text unless JSON is asked for, {@code pipeline board} with
 * {@code board list}'s options, and {@code start --storage linear} refused until a Linear tracker exists.
 */
class CommandLineHelpTest {

    @TempDir
    Path project;

    private Cli cli;

    @BeforeEach
    void setUp() {
        cli = new Cli(project);
    }

    /** @return the text on stdout of a call that exits 0 with nothing on stderr */
    private String textOf(String... args) {
        Cli.Result result = cli.run(args);
        assertThat(result.exitCode()).as("exit code of %s (stderr %s)", List.of(args), result.stderr()).isZero();
        assertThat(result.stderr()).as("stderr of %s", List.of(args)).isEmpty();
        return result.stdout();
    }

    @Test
    void helpOfEveryCommandIsTextForPeople() {
        String help = textOf("--help");

        assertThat(textOf("help")).isEqualTo(help);
        assertThat(textOf("-h")).isEqualTo(help);
        assertThat(textOf("help", "--format", "text")).isEqualTo(help);
        assertThat(help).startsWith("Usage: pipeline [--project-dir <dir>] <command> [options]\n")
                .doesNotContain("\"ok\"")
                .contains("Commands:", "  start ", "  run ", "  board list ", "  workspaces prune ",
                        "Global options:", "--project-dir <dir>", "--plugin-path <jar-or-dir>", "Environment:", "PIPELINE_STATE_DIR",
                        "PIPELINE_PLUGIN_PATH",
                        "PIPELINE_LOCK_TIMEOUT_MS", "PIPELINE_LOG", "Exit codes:", "Examples:");
        assertThat(help.trim()).doesNotStartWith("{");
        assertThat(help.lines()).allSatisfy(line -> assertThat(line.length()).as(line).isLessThanOrEqualTo(100));
        assertThat(project).isEmptyDirectory();
    }

    @Test
    void helpOfOneCommandIsTextWithItsUsageOptionsAndExamples() {
        String help = textOf("help", "run");

        assertThat(textOf("run", "--help")).isEqualTo(help);
        assertThat(textOf("run", "-h")).isEqualTo(help);
        assertThat(help).startsWith("Usage: pipeline run [--story <id>] [--title <text>]")
                .doesNotContain("\"ok\"")
                .contains("Options:", "  --story <id> ", "  --scenario <file> ", "  --stages <file> ",
                        "  --plugins <json> ", "  --has-tasks ", "  --progress <auto|live|lines>",
                        "Examples:", "pipeline run --story US001 --scenario examples/stages/dry-run.yaml");
        assertThat(help.lines()).allSatisfy(line -> assertThat(line.length()).as(line).isLessThanOrEqualTo(100));
        assertThat(textOf("board", "move", "--help")).startsWith("Usage: pipeline board move [--story <id>]"
                + " [--to <status>]\n");
        assertThat(textOf("help", "workspaces")).as("a group alone helps with every command").isEqualTo(
                textOf("help"));
    }

    @Test
    void helpAsJsonWhenAskedForWithFormatJson() {
        Map<String, Object> all = cli.run("help", "--format", "json").ok();

        assertThat(cli.run("--help", "--format", "json").ok()).isEqualTo(all);
        assertThat(cli.run("--format", "json", "--help").ok()).isEqualTo(all);
        assertThat(cli.run("help", "--format", "JSON").ok()).isEqualTo(all);
        assertThat(all).containsEntry("usage", "pipeline [--project-dir <dir>] <command> [options]")
                .containsKeys("description", "commands", "global_options", "environment", "exit_codes");
        Map<String, Object> run = cli.run("help", "run", "--format", "json").ok();
        assertThat(cli.run("run", "--help", "--format", "json").ok()).isEqualTo(run);
        assertThat(run).containsEntry("name", "run").containsKeys("usage", "description", "options");
        assertThat(objects(run, "options")).extracting(option -> option.get("name")).contains("--story",
                "--scenario", "--stages", "--plugins");
        // board list's own --format is its output's; with --help it is the help's
        assertThat(cli.run("board", "list", "--help", "--format", "json").ok()).containsEntry("name", "board list");
    }

    @Test
    void aFormatThatIsNotTextOrJsonAndAFormatWithoutHelpAreErrors() {
        Map<String, Object> bad = cli.run("help", "--format", "xml").error();
        assertThat(bad).containsEntry("code", "invalid_flag");
        assertThat(text(bad, "fix")).contains("--format json");
        Map<String, Object> withoutHelp = cli.run("status", "--format", "json").error();
        assertThat(withoutHelp).containsEntry("code", "unknown_option")
                .containsEntry("error", "Unknown option '--format' for `pipeline status`");
        assertThat(cli.run("--format", "json", "status").error()).containsEntry("code", "unknown_option");
        assertThat(project).isEmptyDirectory();
    }

    @Test
    void errorsStayJson() {
        assertThat(cli.run("help", "nope").error()).containsEntry("code", "unknown_command");
        assertThat(cli.run("help", "run", "--format").error()).containsEntry("code", "missing_value");
        assertThat(cli.run("run", "--nope").error()).containsEntry("code", "unknown_option");
    }

    @Test
    void boardAloneTakesTheOptionsOfBoardList() throws Exception {
        Files.createDirectories(project.resolve("docs/tasks"));
        Files.writeString(project.resolve("docs/tasks/kanban_board.md"), """
                # Kanban

                ### Backlog

                **Epic 1: Greetings**

                  - [ID: US001 Greet by name](https://example.com/US001)
                    _(tasks not created yet)_

                ### Done

                **Epic 1: Greetings**

                  - [ID: US002 Say hello](https://example.com/US002)
                """);

        assertThat(cli.run("board", "--format", "json").ok()).isEqualTo(cli.run("board", "list", "--format",
                "json").ok());
        assertThat(cli.run("board", "--all").ok()).isEqualTo(cli.run("board", "list", "--all").ok());
        assertThat(objects(cli.run("board", "--all", "--format", "json").ok(), "stories"))
                .extracting(story -> story.get("id")).containsExactly("US001", "US002");
        assertThat(textOf("board", "--format", "table")).isEqualTo(textOf("board", "list", "--format", "table"))
                .contains("US001", "Greet by name");
        assertThat(cli.run("board", "--project-dir", project.toString(), "--all").ok())
                .isEqualTo(cli.run("board", "list", "--all").ok());
        assertThat(cli.run("board", "--forse").error()).containsEntry("code", "unknown_option");
        Map<String, Object> misplaced = cli.run("board", "--all", "move", "--story", "US001", "--to", "Todo")
                .error();
        assertThat(misplaced).containsEntry("code", "unknown_option");
        assertThat(text(misplaced, "fix")).contains("--story, --to");
    }

    @Test
    void startRefusesLinearStorageAndKeepsFile() {
        Cli.Result linear = cli.run("start", "--story", "US001", "--storage", "linear");

        Map<String, Object> error = linear.error();
        assertThat(error).containsEntry("code", "storage_not_supported");
        assertThat(text(error, "error")).contains("Linear", "not supported yet", "--storage file");
        assertThat(text(error, "fix")).contains("--storage file");
        assertThat(cli.run("start", "--story", "US001", "--storage", "Linear").error())
                .containsEntry("code", "storage_not_supported");
        assertThat(project).isEmptyDirectory();
        assertThat(cli.run("start", "--story", "US001", "--storage", "jira").error())
                .containsEntry("code", "invalid_flag");
        assertThat(cli.run("start", "--story", "US001", "--storage", "file").ok()).containsKey("run_id");
    }
}
