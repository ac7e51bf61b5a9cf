package dev.agentpipeline.cli;

import static dev.agentpipeline.cli.Cli.at;
import static dev.agentpipeline.cli.Cli.object;
import static dev.agentpipeline.cli.Cli.objects;
import static dev.agentpipeline.cli.Cli.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentpipeline.core.story.CommandResult;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The command line's own contract, beside the older ln-1000 runtime's protocol: usage and version as JSON, parse errors as JSON,
 * settings from the environment, read-only calls that create nothing, and no stack trace ever.
 */
class CommandLineContractTest {

    @TempDir
    Path project;

    private Cli cli;

    @BeforeEach
    void setUp() {
        cli = new Cli(project);
    }

    private static List<String> optionNames(Map<String, Object> command) {
        return objects(command, "options").stream().map(o -> (String) o.get("name")).toList();
    }

    @Test
    void helpAnswersTheUsageOfEveryCommandWithTheOlderRuntimesFlagsAndOurs() {
        Map<String, Object> help = cli.run("--help", "--format", "json").ok();

        assertThat(cli.run("help", "--format", "json").ok()).isEqualTo(help);
        assertThat(cli.run("-h", "--format", "json").ok()).isEqualTo(help);
        assertThat(help).containsEntry("usage", "pipeline [--project-dir <dir>] <command> [options]")
                .containsKeys("description", "global_options", "environment", "exit_codes");
        Map<String, List<String>> flags = new LinkedHashMap<>();
        for (Map<String, Object> command : objects(help, "commands")) {
            flags.put((String) command.get("name"), optionNames(command));
        }
        assertThat(flags).containsExactly(
                Map.entry("start", List.of("--story", "--title", "--storage", "--project-brief", "--story-briefs",
                        "--business-answers", "--status-cache", "--skill-repo-path", "--worktree-dir",
                        "--branch-name", "--max-validation-retries", "--max-quality-cycles", "--max-crashes",
                        "--summaries")),
                Map.entry("status", List.of("--story", "--watch", "--interval-ms", "--progress")),
                Map.entry("advance", List.of("--to", "--story", "--resolve", "--force", "--reason")),
                Map.entry("checkpoint", List.of("--stage", "--story", "--plan-score", "--readiness", "--verdict",
                        "--reason", "--quality-score", "--issues", "--last-action", "--tasks-completed",
                        "--tasks-remaining", "--agents-info", "--git-stats")),
                Map.entry("record-stage-summary", List.of("--story", "--payload")),
                Map.entry("record-loop-health", List.of("--story", "--stage", "--payload")),
                Map.entry("pause", List.of("--reason", "--story")),
                Map.entry("resume", List.of("--story", "--to", "--force", "--reason", "--run")),
                Map.entry("decide", List.of("--answers", "--story", "--run", "--option", "--gate", "--by", "--reason")),
                Map.entry("signal", List.of("--run", "--name", "--file", "--json", "--definition")),
                Map.entry("launch", List.of("--pipeline", "--subject", "--title", "--no-drive", "--base-branch")),
                Map.entry("worker", List.of("--threads", "--signals-dir", "--rescan", "--concurrency", "--lines",
                        "--stop-when-idle", "--base-branch")),
                Map.entry("runs", List.of("--all", "--pipeline", "--format")),
                Map.entry("progress", List.of("--run", "--file", "--json")),
                Map.entry("cancel", List.of("--story", "--reason", "--run")),
                Map.entry("complete", List.of("--story")),
                Map.entry("repair", List.of("--story", "--run")),
                Map.entry("run", List.of("--story", "--title", "--from-stage", "--board-status", "--has-tasks",
                        "--from-board", "--plugins", "--scenario", "--stages", "--base-branch", "--business-answers", "--questions",
                        "--max-validation-retries", "--max-quality-cycles", "--max-crashes", "--retry-delay-ms",
                        "--progress")),
                Map.entry("graph", List.of("--format", "--story", "--run", "--definition")),
                Map.entry("report", List.of("--story", "--run")),
                Map.entry("workspaces list", List.of("--base-branch")),
                Map.entry("workspaces prune", List.of("--force", "--base-branch")),
                Map.entry("board list", List.of("--all", "--format")),
                Map.entry("board move", List.of("--story", "--to")));
        assertThat(objects(help, "environment")).extracting(e -> e.get("name"))
                .containsExactly("PIPELINE_STATE_DIR", "PIPELINE_LOCK_TIMEOUT_MS", "PIPELINE_LOG",
                        "PIPELINE_PLUGIN_PATH");
        assertThat(project).isEmptyDirectory();
    }

    @Test
    void helpOfOneCommandAnswersItsUsage() {
        Map<String, Object> usage = cli.run("help", "advance", "--format", "json").ok();

        assertThat(cli.run("advance", "--help", "--format", "json").ok()).isEqualTo(usage);
        assertThat(usage).containsEntry("name", "advance")
                .containsEntry("usage", "pipeline advance [--to <state>] [--story <id>] [--resolve] [--force]"
                        + " [--reason <text>]");
        assertThat(object(objects(usage, "options").get(2))).containsEntry("name", "--resolve")
                .doesNotContainKey("value");
        assertThat(cli.run("help", "nope").error()).containsEntry("code", "unknown_command");
    }

    @Test
    void commandsOfTwoWordsParseLikeTheOthers() {
        Map<String, Object> usage = cli.run("help", "workspaces", "prune", "--format", "json").ok();

        assertThat(cli.run("workspaces", "prune", "--help", "--format", "json").ok()).isEqualTo(usage);
        assertThat(usage).containsEntry("name", "workspaces prune")
                .containsEntry("usage", "pipeline workspaces prune [--force] [--base-branch <branch>]");
        Map<String, Object> all = cli.run("help", "--format", "json").ok();
        assertThat(cli.run("help", "workspaces", "--format", "json").ok()).isEqualTo(all);
        assertThat(cli.run("workspaces", "--help", "--format", "json").ok()).isEqualTo(all);
        assertThat(cli.run("workspaces").error()).containsEntry("code", "missing_command")
                .containsEntry("error", "`pipeline workspaces` needs one of list, prune");
        assertThat(cli.run("workspaces", "prune", "--forse").error()).containsEntry("code", "unknown_option")
                .containsEntry("error", "Unknown option '--forse' for `pipeline workspaces prune`")
                .hasEntrySatisfying("fix", fix -> assertThat((String) fix).startsWith(
                        "Options of `pipeline workspaces prune`: --force, --base-branch, --project-dir, --plugin-path,"
                                + " --help"));
        assertThat(cli.run("workspaces", "purge").error()).containsEntry("code", "unknown_command");
        assertThat(cli.run("board").error()).as("`pipeline board` alone is `board list`")
                .isEqualTo(cli.run("board", "list").error());
        assertThat(project).isEmptyDirectory();
    }

    @Test
    void versionAnswersJson() {
        Map<String, Object> version = cli.run("--version").ok();

        assertThat(version).containsEntry("name", "pipeline").containsKeys("version", "java");
        assertThat(text(version, "version")).matches("\\d+\\.\\d+\\.\\d+(-SNAPSHOT)?");
    }

    @Test
    void answersAJsonErrorForEveryArgumentPicocliCannotTake() {
        assertThat(cli.run().error()).containsEntry("code", "missing_command")
                .containsEntry("error", "No command given");
        assertThat(cli.run("start", "--story").error()).containsEntry("code", "missing_value")
                .containsEntry("error", "Option '--story' of `pipeline start` needs a value");
        assertThat(cli.run("advance", "--story", "--to", "STAGE_1").error()).containsEntry("code", "missing_value")
                .containsEntry("error", "Option '--story' of `pipeline advance` needs a value");
        assertThat(cli.run("status", "--story", "A", "--story", "B").error()).containsEntry("code",
                "duplicate_option").containsEntry("error", "Option '--story' of `pipeline status` was given twice");
        assertThat(cli.run("status", "US001").error()).containsEntry("code", "unexpected_argument")
                .containsEntry("error", "Unexpected argument 'US001' for `pipeline status`");
        assertThat(cli.run("advance", "--to", "STAGE_1", "--force", "true").error())
                .containsEntry("code", "unexpected_argument");
        // global options
        assertThat(cli.run("--bogus", "status").error()).containsEntry("code", "unknown_option")
                .containsEntry("error", "Unknown option '--bogus' for `pipeline`");
        assertThat(cli.run("--project-dir").error()).containsEntry("code", "missing_value")
                .containsEntry("error", "Option '--project-dir' of `pipeline` needs a value");
        assertThat(cli.run("--project-dir", project.toString(), "status", "--project-dir", project.toString())
                .error()).containsEntry("code", "duplicate_option");
        assertThat(cli.run("--project-dir", "", "status").error()).containsEntry("code", "invalid_option")
                .containsEntry("error", "--project-dir is empty");
        assertThat(cli.run("--project-dir", "bad\u0000path", "status").error()).containsEntry("code",
                "invalid_path");
        assertThat(project).isEmptyDirectory();
    }

    @Test
    void takesOptionValuesLiterally() {
        Map<String, Object> started = cli.run("start", "--story", "US001", "--title", "@notes.md",
                "--worktree-dir", "--not-an-option").ok();
        assertThat(at(started, "state", "story_title")).as("no @file expansion").isEqualTo("@notes.md");
        assertThat(at(started, "state", "worktree_dir")).isEqualTo("--not-an-option");
        cli.run("advance", "--to", "STAGE_1").ok();

        Map<String, Object> negative = cli.run("checkpoint", "--stage", "1", "--readiness", "-1").error();

        assertThat(negative).containsEntry("error", "--readiness must be from 1 to 10 (got -1)");
    }

    @Test
    void keepsUnicodeIntact() {
        String title = "Connexion – écran d’accueil ✓ 登录";

        Map<String, Object> started = cli.run("start", "--story", "US-7", "--title", title).ok();

        assertThat(at(started, "state", "story_title")).isEqualTo(title);
        assertThat(at(cli.run("status").ok(), "state", "story_title")).isEqualTo(title);
    }

    @Test
    void readsTheProjectDirectoryFromTheOptionRelativeToTheWorkingDirectory() throws IOException {
        Path app = Files.createDirectory(project.resolve("app"));

        cli.run("--project-dir", "app", "start", "--story", "US001").ok();
        Map<String, Object> status = new Cli(app).run("status").ok();

        assertThat(at(status, "manifest", "project_root")).isEqualTo(app.toString());
        assertThat(text(status, "paths", "root")).isEqualTo(app.resolve(".pipeline").toString());
        assertThat(project.resolve(".pipeline")).doesNotExist();
        assertThat(cli.run("--project-dir", "app/../app", "status", "--story", "US001").ok())
                .containsEntry("active", true);
    }

    @Test
    void readsTheStateDirectoryAndLockTimeoutFromTheEnvironment() throws IOException {
        Cli withEnv = new Cli(project, Map.of("PIPELINE_STATE_DIR", "state/runs", "PIPELINE_LOCK_TIMEOUT_MS",
                "1500"));

        withEnv.run("start", "--story", "US001").ok();

        assertThat(text(withEnv.run("status").ok(), "paths", "root"))
                .isEqualTo(project.resolve("state/runs").toString());
        assertThat(project.resolve(".pipeline")).doesNotExist();
        assertThat(cli.run("status").ok()).as("the default state directory has no run")
                .containsEntry("active", false);
        Path absolute = project.resolve("elsewhere");
        Cli absoluteEnv = new Cli(project, Map.of("PIPELINE_STATE_DIR", absolute.toString()));
        absoluteEnv.run("start", "--story", "US002").ok();
        assertThat(absolute.resolve("runs")).isDirectory();
    }

    @Test
    void rejectsInvalidEnvironmentValuesBeforeTouchingAnything() throws IOException {
        Files.writeString(project.resolve("a-file"), "x");
        Map<String, Map<String, String>> cases = Map.of(
                "PIPELINE_LOCK_TIMEOUT_MS must be a whole number of milliseconds from 1 to 86400000 (got 'abc')",
                Map.of("PIPELINE_LOCK_TIMEOUT_MS", "abc"),
                "PIPELINE_LOCK_TIMEOUT_MS must be a whole number of milliseconds from 1 to 86400000 (got '0')",
                Map.of("PIPELINE_LOCK_TIMEOUT_MS", "0"),
                "PIPELINE_LOG must be one of off, error, warn, info, debug, trace (got 'loud')",
                Map.of("PIPELINE_LOG", "loud"),
                "PIPELINE_STATE_DIR names " + project.resolve("a-file") + ", which is a file, not a directory",
                Map.of("PIPELINE_STATE_DIR", "a-file"));
        ProjectSnapshot before = ProjectSnapshot.of(project);

        cases.forEach((message, env) -> {
            Map<String, Object> error = new Cli(project, env).run("start", "--story", "US001").error();
            assertThat(error).as("env %s", env).containsEntry("code", "invalid_env").containsEntry("error", message);
            assertThat(text(error, "fix")).isNotBlank();
        });
        assertThat(ProjectSnapshot.of(project)).isEqualTo(before);
        assertThat(new Cli(project, Map.of("PIPELINE_LOG", "DEBUG", "PIPELINE_LOCK_TIMEOUT_MS", " 250 "))
                .run("status").ok()).containsEntry("active", false);
    }

    @Test
    void readOnlyAndFailingCallsOnAProjectWithoutRunsCreateNothing() {
        for (List<String> args : List.of(List.of("status"), List.of("status", "--story", "US001"), List.of("help"),
                List.of("help", "--format", "json"), List.of("--version"))) {
            if (args.equals(List.of("help"))) {
                assertThat(cli.run("help").exitCode()).isZero(); // text, not JSON
                continue;
            }
            cli.run(args.toArray(String[]::new)).ok();
        }
        for (List<String> args : List.of(List.of("advance", "--to", "STAGE_0"),
                List.of("advance", "--story", "US001", "--to", "STAGE_0"), List.of("pause", "--reason", "x"),
                List.of("checkpoint", "--stage", "0"), List.of("record-stage-summary", "--story", "US001",
                        "--payload", Envelopes.summary("US001", 0).json()), List.of("record-loop-health", "--story",
                        "US001", "--stage", "0", "--payload", "{}"), List.of("resume"), List.of("cancel"),
                List.of("complete", "--story", "US001"))) {
            Map<String, Object> error = cli.run(args.toArray(String[]::new)).error();
            assertThat(error).as("answer to %s", args).containsEntry("code", "no_active_run");
            assertThat(text(error, "fix")).contains("pipeline start --story");
        }
        Map<String, Object> repair = cli.run("repair").error();
        assertThat(repair).containsEntry("code", "run_not_found").containsEntry("error", "No active pipeline run found");
        assertThat(project).isEmptyDirectory();
    }

    @Test
    void repairDiscardsAHandEditOfStateJson() throws IOException {
        cli.run("start", "--story", "US001").ok();
        Path state;
        try (Stream<Path> files = Files.walk(project.resolve(".pipeline"))) {
            state = files.filter(p -> p.endsWith("state.json")).findFirst().orElseThrow();
        }
        Files.writeString(state, Files.readString(state).replace("QUEUED", "DONE"));
        assertThat(cli.run("status").error()).containsEntry("code", "projection_edited");

        Map<String, Object> repaired = cli.run("repair", "--story", "US001").ok();

        assertThat(text(repaired, "run_id")).startsWith("story-us001-");
        assertThat(at(repaired, "state", "phase")).isEqualTo("QUEUED");
        assertThat(Files.readString(state)).contains("\"phase\": \"QUEUED\"");
        assertThat(cli.run("status").ok()).containsEntry("active", true);
        assertThat(cli.run("repair", "--run", "../etc").error()).containsEntry("code", "invalid_id");
    }

    @Test
    void answersAnInternalErrorAsJsonWithoutAStackTrace() {
        CliCommand boom = CliCommand.of("boom", "Fails.", List.of(), call -> {
            throw new IllegalStateException("kaput");
        });
        CliCommand silent = CliCommand.of("silent", "Answers nothing.", List.of(), call -> null);
        CliCommand deep = CliCommand.of("deep", "Overflows.", List.of(), call -> recurse(0));
        PipelineMain main = new PipelineMain(List.of(boom, silent, deep));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        for (String command : List.of("boom", "silent", "deep")) {
            out.reset();
            err.reset();
            int exitCode = main.run(new String[] {command}, new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8), project, Map.of());
            assertThat(exitCode).isEqualTo(2);
            assertThat(out.size()).isZero();
            String text = err.toString(StandardCharsets.UTF_8);
            assertThat(text).doesNotContain("\tat ").doesNotContain("Exception in thread");
            Map<String, Object> json = dev.agentpipeline.core.internal.Json.parseObject(text);
            assertThat(json).containsEntry("ok", false).containsEntry("code", "internal_error");
            assertThat(text(json, "error")).startsWith("Internal error: ");
            assertThat(text(json, "fix")).contains("PIPELINE_LOG=debug");
        }
        out.reset();
        err.reset();
        main.run(new String[] {"boom"}, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), project, Map.of());
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("\"error\": \"Internal error: java.lang.IllegalStateException: kaput\"");
    }

    private static CommandResult recurse(int depth) {
        return depth < 0 ? null : recurse(depth + 1);
    }

    @Test
    void refusesCommandsThatClashWithBuiltInNames() {
        CliCommand status = StoryCliCommands.status();
        assertThatThrownBy(() -> new PipelineMain(List.of(status, status)))
                .hasMessage("command name 'status' is taken");
        assertThatThrownBy(() -> new PipelineMain(List.of(CliCommand.of("help", "x", List.of(), c -> null))))
                .hasMessage("command name 'help' is taken");
        assertThatThrownBy(() -> CliCommand.of("x", "x", List.of(CliOption.value("--project-dir", "<d>", "d")),
                c -> null)).hasMessage("command x cannot declare --project-dir: every command has it");
        assertThatThrownBy(() -> CliOption.flag("-f", "force")).hasMessage("option name must look like --story,"
                + " got '-f'");
    }
}
