package dev.agentpipeline.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.agentpipeline.core.internal.Json;
import dev.agentpipeline.spi.Stage;

import org.apiguardian.api.API;
import dev.agentpipeline.cli.LauncherProcess.Run;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

/**
 * Runs {@code bin/pipeline} with a plugin jar of its own, built here: {@code --plugin-path}, the variable and the
 * project's {@code .pipeline/plugins/} folder, as a plugin author does. Failsafe runs it after {@code package};
 * without the jar it is skipped.
 */
class PluginLauncherIT {

    private static final String SCENARIO = """
            schema_version: 1
            states:
              STAGE_0:
                - {scores: {plan_score: 4}, attributes: {tasks_remaining: [T-001]}}
              STAGE_1:
                - {verdict: GO, scores: {readiness: 8}}
              STAGE_2:
                - {attributes: {story_status: To Review}}
              STAGE_3:
                - {verdict: FAIL, scores: {quality_score: 10}}
            """;

    private static Path launcher;

    @TempDir
    Path project;

    @TempDir
    Path scratch;

    @BeforeAll
    static void findTheLauncher() {
        Path repository = LauncherProcess.repositoryOrSkip();
        assumeTrue(ToolProvider.getSystemJavaCompiler() != null, "building a plugin needs a JDK");
        launcher = repository.resolve("bin/pipeline");
    }

    private Run run(Map<String, String> extraEnv, String... args) throws IOException, InterruptedException {
        return LauncherProcess.run(scratch, launcher, project, extraEnv, args);
    }

    /** A jar with one stage, {@code acme-hello}, that writes acme-hello.ran into its workspace and passes. */
    private Path helloJar(Path jar) throws IOException {
        Path src = Files.createDirectories(scratch.resolve("src/acme"));
        Path classes = Files.createDirectories(scratch.resolve("classes"));
        Path source = src.resolve("HelloStage.java");
        Files.writeString(source, """
                package acme;
                public final class HelloStage implements dev.agentpipeline.spi.Stage {
                  public String id() { return "acme-hello"; }
                  public dev.agentpipeline.spi.StageOutcome run(dev.agentpipeline.spi.StageContext context)
                      throws Exception {
                    java.nio.file.Files.writeString(context.workspace().resolve("acme-hello.ran"), "ran");
                    return dev.agentpipeline.spi.StageOutcome.completed().verdict("PASS")
                        .score("quality_score", 90).build();
                  }
                }
                """);
        String classPath;
        try {
            classPath = Path.of(Stage.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                    + File.pathSeparator
                    + Path.of(API.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        ByteArrayOutputStream errors = new ByteArrayOutputStream();
        int exit = ToolProvider.getSystemJavaCompiler().run(null, errors, errors, "-d", classes.toString(),
                "-classpath", classPath, "-proc:none", "--release", "17", source.toString());
        assertThat(exit).as(errors.toString(StandardCharsets.UTF_8)).isZero();
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file)) {
            out.putNextEntry(new JarEntry("acme/HelloStage.class"));
            out.write(Files.readAllBytes(classes.resolve("acme/HelloStage.class")));
            out.closeEntry();
            out.putNextEntry(new JarEntry("META-INF/services/" + Stage.class.getName()));
            out.write("acme.HelloStage\n".getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
        }
        return jar;
    }

    @Test
    void drivesAStoryWithAStageOfAPluginJar() throws Exception {
        Path jar = helloJar(scratch.resolve("acme-hello.jar"));
        Files.writeString(project.resolve("dry-run.yaml"), SCENARIO);

        Run run = run(Map.of(), "--plugin-path", jar.toString(), "run", "--story", "US001", "--title", "Hello",
                "--scenario", "dry-run.yaml", "--plugins", "{\"STAGE_3\":\"acme-hello\"}", "--progress", "lines");

        assertThat(run.exitCode()).as("exit code (stderr %s)", run.stderr()).isZero();
        assertThat(Json.parseObject(run.stdout())).containsEntry("ok", true).containsEntry("status", "completed")
                .containsEntry("final_phase", "DONE");
        assertThat(run.stderr()).contains("STAGE_3 attempt 1 (acme-hello)", "STAGE_3 completed: PASS");
        assertThat(project.resolve("acme-hello.ran")).hasContent("ran");
    }

    @Test
    void theProjectsFolderLoadsPluginsAndKeepsTheCallFromTheDaemon() throws Exception {
        Path folder = Files.createDirectories(project.resolve(".pipeline/plugins"));
        helloJar(folder.resolve("acme-hello.jar"));
        Files.writeString(project.resolve("dry-run.yaml"), SCENARIO);
        Path daemon = scratch.resolve("daemon");
        Map<String, String> daemonOn = Map.of("PIPELINE_DAEMON", "on", "PIPELINE_DAEMON_DIR", daemon.toString(),
                "PIPELINE_DAEMON_IDLE_SECONDS", "5");

        Run status = run(daemonOn, "status");
        Run driven = run(Map.of(), "run", "--story", "US002", "--scenario", "dry-run.yaml", "--plugins",
                "{\"STAGE_3\":\"acme-hello\"}", "--progress", "lines");

        assertThat(status.exitCode()).as(status.stderr()).isZero();
        assertThat(Json.parseObject(status.stdout())).containsEntry("ok", true);
        assertThat(daemon).as("no daemon started for a call with plugins").doesNotExist();
        assertThat(driven.exitCode()).as(driven.stderr()).isZero();
        assertThat(project.resolve("acme-hello.ran")).hasContent("ran");
    }

    @Test
    void aMissingJarOfTheVariableIsAJsonError() throws Exception {
        Run run = run(Map.of("PIPELINE_PLUGIN_PATH", "build/libs/missing.jar"), "status");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.stdout()).isEmpty();
        Map<String, Object> error = Json.parseObject(run.stderr());
        assertThat(error).containsEntry("ok", false).containsEntry("code", "invalid_plugin_path");
        assertThat((String) error.get("error")).contains("'build/libs/missing.jar'", "PIPELINE_PLUGIN_PATH",
                "does not exist");
    }
}
