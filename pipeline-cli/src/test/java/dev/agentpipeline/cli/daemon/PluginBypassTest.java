package dev.agentpipeline.cli.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentpipeline.cli.wiring.CliSettings;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Plugin jars are loaded by the process that runs the command: a call that names any (option, variable, or a jar
 * in the project's {@code .pipeline/plugins/}) never goes to the daemon, whatever the command.
 */
class PluginBypassTest {

    @TempDir
    Path temp;

    private PipelineClient client(Path workingDir, Map<String, String> env) {
        Map<String, String> all = new HashMap<>(env);
        all.put(PipelineClient.DIR_ENV, temp.resolve("daemon").toString());
        all.put(PipelineClient.DAEMON_ENV, "on");
        return new PipelineClient(all, workingDir.toString(), "java", "cli.jar", null, null);
    }

    @Test
    void aQuickCommandWithoutPluginsGoesToTheDaemon() throws Exception {
        Path project = Files.createDirectories(temp.resolve("project/.pipeline/plugins"));

        assertThat(client(project.getParent().getParent(), Map.of()).bypassReason(new String[] {"status"}))
                .isNull();
    }

    @Test
    void theOptionBeforeOrAfterTheCommandKeepsTheCallHere() {
        PipelineClient client = client(temp, Map.of());

        assertThat(client.bypassReason(new String[] {"--plugin-path", "a.jar", "status"})).contains("--plugin-path");
        assertThat(client.bypassReason(new String[] {"status", "--plugin-path=a.jar"})).contains("--plugin-path");
        assertThat(PipelineClient.command(new String[] {"--plugin-path", "a.jar", "--project-dir", "x", "status"}))
                .isEqualTo("status");
    }

    @Test
    void theVariableKeepsTheCallHere() {
        assertThat(client(temp, Map.of(CliSettings.PLUGIN_PATH_ENV, "a.jar")).bypassReason(new String[] {"status"}))
                .contains(CliSettings.PLUGIN_PATH_ENV);
        assertThat(client(temp, Map.of(CliSettings.PLUGIN_PATH_ENV, " ")).bypassReason(new String[] {"status"}))
                .isNull();
    }

    @Test
    void aJarInTheProjectsFolderKeepsTheCallHereWithOrWithoutProjectDir() throws Exception {
        Path project = temp.resolve("project");
        Path folder = Files.createDirectories(project.resolve(".pipeline/plugins"));
        Files.writeString(folder.resolve("notes.txt"), "not a jar");
        assertThat(client(project, Map.of()).bypassReason(new String[] {"status"})).isNull();

        Files.write(folder.resolve("acme.jar"), new byte[0]);

        assertThat(client(project, Map.of()).bypassReason(new String[] {"status"})).contains("plugin jars");
        assertThat(client(temp, Map.of()).bypassReason(new String[] {"--project-dir", "project", "status"}))
                .contains("plugin jars");
        assertThat(client(temp, Map.of()).bypassReason(new String[] {"status", "--project-dir=" + project}))
                .contains("plugin jars");
        assertThat(client(temp, Map.of()).bypassReason(new String[] {"status"})).isNull();
    }
}
