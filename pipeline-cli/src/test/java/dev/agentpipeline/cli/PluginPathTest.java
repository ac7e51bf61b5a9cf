package dev.agentpipeline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentpipeline.cli.wiring.CliSettings;
import dev.agentpipeline.cli.wiring.InvalidSettingsException;
import dev.agentpipeline.cli.wiring.PluginPath;
import dev.agentpipeline.spi.Stage;
import dev.agentpipeline.spi.StageRegistry;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Plugin jars of {@code --plugin-path}, {@code PIPELINE_PLUGIN_PATH} and {@code .pipeline/plugins/}: loaded in one
 * class loader of the call, and every problem answered with the jar's name and where it was named.
 */
class PluginPathTest {

    private static final String DRY_RUN = """
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

    @TempDir
    Path project;

    @TempDir
    Path build;

    @Test
    void aStageOfAPluginJarWorksTheStageItIsBoundTo() throws Exception {
        Path jar = PluginJars.stageJar(build, "acme-hello.jar", "acme", "HelloStage", "acme-hello");
        Files.writeString(project.resolve("dry-run.yaml"), DRY_RUN);

        Cli.Result result = new Cli(project).run("--plugin-path", jar.toString(), "run", "--story", "US001",
                "--scenario", "dry-run.yaml", "--plugins", "{\"STAGE_3\":\"acme-hello\"}");

        assertThat(result.exitCode()).as(result.stderr()).isZero();
        assertThat(dev.agentpipeline.core.internal.Json.parseObject(result.stdout()))
                .containsEntry("status", "completed").containsEntry("final_phase", "DONE");
        assertThat(result.stderr()).contains("STAGE_3 attempt 1 (acme-hello)");
        assertThat(project.resolve("acme-hello.ran")).hasContent("HelloStage");
    }

    @Test
    void theVariableAndTheProjectsFolderAddJarsToo() throws Exception {
        Path fromVariable = PluginJars.stageJar(build, "one.jar", "acme", "OneStage", "acme-one");
        Path folder = Files.createDirectories(project.resolve(".pipeline/plugins"));
        PluginJars.stageJar(folder, "two.jar", "acme", "TwoStage", "acme-two");

        try (PluginPath plugins = PluginPath.resolve(project, project, null, fromVariable.toString())) {
            assertThat(plugins.jars()).extracting(PluginPath.Jar::origin)
                    .containsExactly(CliSettings.PLUGIN_PATH_ENV, ".pipeline/plugins/");
            assertThat(plugins.classLoader().getParent()).isSameAs(PluginPath.class.getClassLoader());
            assertThat(StageRegistry.load(plugins.classLoader()).ids()).contains("acme-one", "acme-two",
                    "pipeline-scripted");
        }
    }

    @Test
    void withoutPluginsTheLoaderIsTheCommandLinesOwn() throws Exception {
        try (PluginPath plugins = PluginPath.resolve(project, project, null, "")) {
            assertThat(plugins.isEmpty()).isTrue();
            assertThat(plugins.classLoader()).isSameAs(PluginPath.class.getClassLoader());
        }
    }

    @Test
    void aPathThatDoesNotExistNamesTheEntryAndTheOption() {
        Map<String, Object> error = new Cli(project).run("status", "--plugin-path", "build/missing.jar").error();

        assertThat(error).containsEntry("code", "invalid_plugin_path");
        assertThat((String) error.get("error")).contains("'build/missing.jar'", "--plugin-path", "does not exist",
                project.resolve("build/missing.jar").toString());
        assertThat((String) error.get("fix")).contains("--plugin-path");
    }

    @Test
    void aFileThatIsNotAJarNamesTheEntryAndTheVariable() throws Exception {
        Files.writeString(project.resolve("notes.txt"), "not a jar");

        Map<String, Object> error = new Cli(project, Map.of(CliSettings.PLUGIN_PATH_ENV, "notes.txt"))
                .run("status").error();

        assertThat(error).containsEntry("code", "invalid_plugin_path");
        assertThat((String) error.get("error")).contains("'notes.txt'", CliSettings.PLUGIN_PATH_ENV,
                "is not a jar");
        assertThat((String) error.get("fix")).contains(CliSettings.PLUGIN_PATH_ENV + "=");
    }

    @Test
    void aBrokenJarInTheFolderNamesTheJarAndTheFolder() throws Exception {
        Path folder = Files.createDirectories(project.resolve(".pipeline/plugins"));
        Files.writeString(folder.resolve("broken.jar"), "truncated");
        Files.writeString(folder.resolve("README.txt"), "other files are not loaded");

        Map<String, Object> error = new Cli(project).run("status").error();

        assertThat(error).containsEntry("code", "invalid_plugin_path");
        assertThat((String) error.get("error")).contains("broken.jar", ".pipeline/plugins", "is not a jar");
        assertThat((String) error.get("fix")).contains(".pipeline/plugins/");
    }

    @Test
    void aServiceClassThatCannotBeLoadedNamesTheJarAndTheClass() throws Exception {
        Path jar = PluginJars.build(build, build.resolve("acme-broken.jar"), Map.of(),
                Map.of(Stage.class.getName(), "# the stages\nacme.MissingStage"));

        Map<String, Object> error = new Cli(project).run("--plugin-path", jar.toString(), "status").error();

        assertThat(error).containsEntry("code", "invalid_plugin");
        assertThat((String) error.get("error")).contains("acme-broken.jar", "--plugin-path", "acme.MissingStage",
                "META-INF/services/" + Stage.class.getName(), "cannot be loaded");
        InvalidSettingsException thrown = org.assertj.core.api.Assertions.catchThrowableOfType(
                () -> PluginPath.resolve(project, project, jar.toString(), null), InvalidSettingsException.class);
        assertThat(thrown.code()).isEqualTo("invalid_plugin");
    }

    @Test
    void aServiceClassOfAnotherTypeIsRefused() throws Exception {
        Path jar = PluginJars.build(build, build.resolve("acme-wrong.jar"),
                Map.of("acme.NotAStage", "package acme; public class NotAStage {}"),
                Map.of(Stage.class.getName(), "acme.NotAStage"));

        Map<String, Object> error = new Cli(project).run("status", "--plugin-path", jar.toString()).error();

        assertThat(error).containsEntry("code", "invalid_plugin");
        assertThat((String) error.get("error")).contains("acme-wrong.jar", "acme.NotAStage",
                "does not implement " + Stage.class.getName());
    }

    @Test
    void twoStagesWithOneIdNameBothClassesAndTheirJars() throws Exception {
        Path first = PluginJars.stageJar(build, "acme-a.jar", "acme", "LintStage", "acme-lint");
        Path second = PluginJars.stageJar(build, "other-b.jar", "other", "LintStage", "acme-lint");
        Files.writeString(project.resolve("dry-run.yaml"), DRY_RUN);

        Map<String, Object> error = new Cli(project).run("--plugin-path", first + java.io.File.pathSeparator + second,
                "run", "--story", "US001", "--scenario", "dry-run.yaml", "--plugins",
                "{\"STAGE_3\":\"acme-lint\"}").error();

        assertThat(error).containsEntry("code", "invalid_plugin");
        assertThat((String) error.get("error")).contains("'acme-lint'", "acme.LintStage", "acme-a.jar",
                "other.LintStage", "other-b.jar");
        assertThat(project.resolve(".pipeline/runs")).doesNotExist();
    }

    @Test
    void aStageOfAJarThatTakesAnIdOfTheCommandLineNamesBoth() throws Exception {
        // a class of the library's package may use the reserved prefix: only the clash stops it
        Path jar = PluginJars.stageJar(build, "copy.jar", "dev.agentpipeline.copy", "ScriptedCopy",
                "pipeline-scripted");
        Files.writeString(project.resolve("dry-run.yaml"), DRY_RUN);

        Map<String, Object> error = new Cli(project).run("run", "--plugin-path", jar.toString(), "--story", "US001",
                "--scenario", "dry-run.yaml").error();

        assertThat((String) error.get("error")).contains("'pipeline-scripted'",
                "dev.agentpipeline.stages.ScriptedStage", "dev.agentpipeline.copy.ScriptedCopy", "copy.jar");
    }

    @Test
    void theOptionIsGivenOnce() throws Exception {
        Path jar = PluginJars.stageJar(build, "acme-hello.jar", "acme", "HelloStage", "acme-hello");

        Map<String, Object> error = new Cli(project).run("--plugin-path", jar.toString(), "status",
                "--plugin-path", jar.toString()).error();

        assertThat(error).containsEntry("code", "duplicate_option");
        assertThat((String) error.get("error")).contains("--plugin-path");
    }

    @Test
    void theUsageListsTheOptionAndTheVariable() {
        Map<String, Object> usage = new Cli(project).run("help", "--format", "json").ok();

        assertThat((List<?>) usage.get("global_options")).anySatisfy(option -> assertThat(((Map<?, ?>) option)
                .get("name")).isEqualTo("--plugin-path"));
        assertThat((List<?>) usage.get("environment")).anySatisfy(variable -> assertThat(((Map<?, ?>) variable)
                .get("name")).isEqualTo(CliSettings.PLUGIN_PATH_ENV));
    }
}
