package dev.agentpipeline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentpipeline.core.internal.Json;

import dev.agentpipeline.cli.LauncherProcess.Run;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Runs {@code bin/pipeline} as a user (or the ln-1000 skill) does: a real bash process, in a project directory far
 * from the repository, without a terminal and with {@code CI=true}, on the jar this build packaged. Failsafe runs
 * it after {@code package}; without the jar it is skipped.
 */
class LauncherIT {

    private static final String EMPTY_STATUS = "{\n  \"ok\": true,\n  \"active\": false\n}\n";

    private static Path repository;
    private static Path launcher;

    @TempDir
    Path project;

    @TempDir
    Path scratch;

    @BeforeAll
    static void findTheLauncher() {
        repository = LauncherProcess.repositoryOrSkip();
        launcher = repository.resolve("bin/pipeline");
    }

    private Run run(Path script, Path directory, Map<String, String> extraEnv, String... args)
            throws IOException, InterruptedException {
        return LauncherProcess.run(scratch, script, directory, extraEnv, args);
    }

    @Test
    void statusInAnEmptyProjectAnswersInactiveAndCreatesNothing() throws Exception {
        Run first = run(launcher, project, Map.of(), "status");
        Run second = run(launcher, project, Map.of(), "status");

        for (Run run : List.of(first, second)) {
            assertThat(run.exitCode()).as("exit code (stderr %s)", run.stderr()).isZero();
            assertThat(run.stdout()).isEqualTo(EMPTY_STATUS);
            assertThat(run.stderr()).isEmpty();
        }
        assertThat(project).isEmptyDirectory();
        if (Files.exists(Path.of(System.getProperty("java.home"), "lib", "server", "classes.jsa"))) {
            // a JDK with a default CDS archive can dump the launcher's dynamic archive on top of it
            assertThat(repository.resolve("bin/.cds")).as("the class-data-sharing archive")
                    .isDirectoryContaining(path -> path.getFileName().toString().endsWith(".jsa"));
        }
    }

    @Test
    void answersErrorsAsJsonOnStderrOnly() throws Exception {
        Run run = run(launcher, project, Map.of(), "chekpoint", "--stage", "0");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.stdout()).isEmpty();
        assertThat(Json.parseObject(run.stderr())).containsEntry("ok", false)
                .containsEntry("code", "unknown_command");
    }

    @Test
    void drivesAStoryWithNonAsciiTextUnderTheCLocale() throws Exception {
        String title = "Connexion – écran ✓";
        Map<String, String> cLocale = Map.of("LC_ALL", "C", "LANG", "C");

        Run started = run(launcher, project, cLocale, "start", "--story", "US001", "--title", title);
        Run advanced = run(launcher, project, cLocale, "advance", "--story", "US001", "--to", "STAGE_0");
        Run rejected = run(launcher, project, cLocale, "advance", "--story", "US001", "--to", "STAGE_1");

        assertThat(started.exitCode()).as(started.stderr()).isZero();
        Map<String, Object> state = Cli.object(Json.parseObject(started.stdout()), "state");
        assertThat(state).containsEntry("story_title", title);
        assertThat(advanced.exitCode()).isZero();
        assertThat(rejected.exitCode()).isEqualTo(1);
        assertThat(Json.parseObject(rejected.stdout())).containsEntry("error", "Stage 0 checkpoint missing")
                .containsEntry("recovery", "Run ln-300 (the task-decomposition skill) first and record its checkpoint");
        assertThat(rejected.stderr()).isEmpty();
    }

    @Test
    void runsThePhaseDemoToDoneWithoutATerminal() throws Exception {
        // The README's command (with --dir, so the user's own phase demo project is left alone), as CI runs it:
        // launch, the worker and decide in the launcher's JVM, the agents as its child processes
        Run run = run(launcher, project, Map.of(), "phase-demo", "--dir", "sample");

        assertThat(run.exitCode()).as(run.stderr()).isZero();
        Map<String, Object> answer = Json.parseObject(run.stdout());
        assertThat(answer).containsEntry("ok", true).containsEntry("final_phase", "DONE");
        assertThat(Cli.object(answer, "child_run")).containsEntry("result", "DONE");
        assertThat(Cli.object(answer, "transient_retry")).containsEntry("error_type", "network_timeout");
        assertThat(run.stderr()).contains("$ pipeline launch --pipeline phase", "$ pipeline decide --run ",
                "backoff until", "DONE          run ended DONE", "Next: ");
        assertThat(project.resolve("sample/.pipeline/phase-demo/worker.log")).isNotEmptyFile();
    }

    @Test
    void logsToStderrOnlyWhenPipelineLogAsks() throws Exception {
        Run quiet = run(launcher, project, Map.of(), "start", "--story", "US001");
        Run logged = run(launcher, project, Map.of("PIPELINE_LOG", "debug"), "advance", "--story", "US001",
                "--to", "STAGE_0");

        assertThat(quiet.stderr()).isEmpty();
        assertThat(logged.exitCode()).as(logged.stderr()).isZero();
        assertThat(Json.parseObject(logged.stdout())).containsEntry("current_phase", "STAGE_0");
        assertThat(logged.stderr()).contains("INFO").contains("QUEUED -> STAGE_0");
        assertThat(project.resolve(".pipeline")).isDirectory();
        try (var files = Files.walk(project)) {
            assertThat(files.map(Path::toString)).as("no log files").noneMatch(name -> name.endsWith(".log"));
        }
    }

    @Test
    void worksThroughASymlinkAndWithoutClassDataSharing() throws Exception {
        Path link = Files.createSymbolicLink(scratch.resolve("pipeline"), launcher);

        Run run;
        try {
            run = run(link, project, Map.of("PIPELINE_CDS", "off"), "status");
        } finally {
            Files.delete(link);
        }

        assertThat(run.exitCode()).as(run.stderr()).isZero();
        assertThat(run.stdout()).isEqualTo(EMPTY_STATUS);
        assertThat(run.stderr()).isEmpty();
    }

    @Test
    void explainsAJavaOlderThan17() throws Exception {
        Path bin = Files.createDirectories(scratch.resolve("jdk11/bin"));
        Path java = bin.resolve("java");
        Files.writeString(java, "#!/usr/bin/env bash\n"
                + "if [ \"$1\" = -version ]; then echo 'openjdk version \"11.0.2\" 2019-01-15' >&2; exit 0; fi\n"
                + "echo 'Error: LinkageError occurred while loading main class' >&2; exit 1\n");
        assertThat(java.toFile().setExecutable(true)).isTrue();

        Run run = run(launcher, project, Map.of("JAVA_HOME", scratch.resolve("jdk11").toString()), "status");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.stdout()).isEmpty();
        assertThat(Json.parseObject(run.stderr())).containsEntry("code", "java_too_old")
                .containsEntry("error", java + " is Java 11; the pipeline command line needs Java 17 or newer");
    }

    @Test
    void explainsAJavaHomeWithoutJava() throws Exception {
        Path noJdk = Files.createDirectory(scratch.resolve("no-jdk"));

        Run run = run(launcher, project, Map.of("JAVA_HOME", noJdk.toString()), "status");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.stdout()).isEmpty();
        Map<String, Object> error = Json.parseObject(run.stderr());
        assertThat(error).containsEntry("ok", false).containsEntry("code", "java_not_found")
                .containsEntry("error", "JAVA_HOME is " + noJdk + ", but " + noJdk + "/bin/java is not an executable");
    }
}
