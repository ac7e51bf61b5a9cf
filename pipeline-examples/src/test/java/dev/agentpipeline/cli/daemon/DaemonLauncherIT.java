package dev.agentpipeline.cli.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.agentpipeline.core.internal.Json;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * {@code bin/pipeline} with the daemon on, as a user runs it (in CI it is off unless {@code PIPELINE_DAEMON=on}, as
 * here): the first call answers in-process and starts a daemon, the next ones are answered by it with the same
 * bytes, and {@code pipeline daemon stop} ends it. Failsafe runs it after {@code package}; every daemon it starts is
 * stopped.
 */
class DaemonLauncherIT {

    private static final String EMPTY_STATUS = "{\n  \"ok\": true,\n  \"active\": false\n}\n";

    private static Path launcher;
    private static Path cliJar;
    private static Path clientJar;

    @TempDir
    Path project;

    @TempDir
    Path scratch;

    private Path dir;

    @BeforeAll
    static void findTheLauncher() {
        String root = System.getProperty("pipeline.repository.root");
        String jar = System.getProperty("pipeline.cli.jar");
        String client = System.getProperty("pipeline.client.jar");
        assumeTrue(root != null && jar != null && client != null, "set by the Failsafe configuration of"
                + " pipeline-examples/pom.xml; run this test with `mvn verify`");
        assumeTrue(Files.isRegularFile(Path.of(jar)) && Files.isRegularFile(Path.of(client)),
                "the jars were not built in this build; run `mvn verify`");
        assumeTrue(new File("/bin/bash").canExecute() || new File("/usr/bin/bash").canExecute(),
                "bin/pipeline is a bash script; this system has no bash");
        launcher = Path.of(root).toAbsolutePath().normalize().resolve("bin/pipeline");
        cliJar = Path.of(jar).toAbsolutePath().normalize();
        clientJar = Path.of(client);
    }

    @AfterEach
    void stopTheDaemon() throws Exception {
        if (dir == null) {
            return;
        }
        for (ProcessHandle daemon : Processes.daemonsOf(dir)) {
            daemon.destroy();
            daemon.onExit().get(Processes.WAIT_SECONDS, TimeUnit.SECONDS);
        }
        assertThat(Processes.daemonsOf(dir)).isEmpty();
    }

    private Processes.Result run(Map<String, String> extraEnv, String... args) throws IOException,
            InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(launcher.toString());
        command.addAll(List.of(args));
        Path out = Files.createTempFile(scratch, "out", ".txt");
        Path err = Files.createTempFile(scratch, "err", ".txt");
        ProcessBuilder builder = new ProcessBuilder(command).directory(project.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        Map<String, String> env = Processes.baseEnvironment(builder.environment());
        env.put("CI", "true");
        env.put(PipelineClient.DAEMON_ENV, "on");
        env.put(PipelineClient.DIR_ENV, dir.toString());
        env.putAll(extraEnv);
        Process process = builder.start();
        Processes.awaitExit(process, "bin/pipeline " + List.of(args));
        return new Processes.Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    @Test
    void quickCommandsGoThroughTheDaemonWithTheSameAnswers() throws Exception {
        dir = scratch.resolve("daemon");

        Processes.Result first = run(Map.of(), "status").expectOk();
        long pid = Processes.awaitListening(dir);
        Processes.Result second = run(Map.of(), "status").expectOk();

        assertThat(first.stdout()).isEqualTo(EMPTY_STATUS);
        assertThat(second.stdout()).isEqualTo(EMPTY_STATUS);
        assertThat(project).isEmptyDirectory();
        Map<String, Object> status = run(Map.of(), "daemon", "status").expectOk().json();
        assertThat(status).containsEntry("running", true).containsEntry("pid", pid).containsEntry("current", true)
                .containsEntry("requests", 1L);
        String commandLine = ProcessHandle.of(pid).map(Processes::commandLine).orElse("");
        assertThat(commandLine).contains(PipelineDaemon.class.getName()).contains("-cp " + cliJar);

        String title = "Connexion – écran ✓";
        Map<String, String> cLocale = Map.of("LC_ALL", "C", "LANG", "C");
        Processes.Result started = run(cLocale, "start", "--story", "US001", "--title", title).expectOk();
        Processes.Result advanced = run(cLocale, "advance", "--story", "US001", "--to", "STAGE_0").expectOk();
        Processes.Result rejected = run(cLocale, "advance", "--story", "US001", "--to", "STAGE_1");
        Processes.Result error = run(Map.of(), "checkpoint", "--story", "US001", "--stage", "7");

        @SuppressWarnings("unchecked")
        Map<String, Object> state = (Map<String, Object>) Json.parseObject(started.stdout()).get("state");
        assertThat(state).containsEntry("story_title", title);
        assertThat(advanced.json()).containsEntry("current_phase", "STAGE_0");
        assertThat(rejected.exitCode()).isEqualTo(1);
        assertThat(rejected.stderr()).isEmpty();
        assertThat(Json.parseObject(rejected.stdout())).containsEntry("error", "Stage 0 checkpoint missing");
        assertThat(error.exitCode()).isEqualTo(2);
        assertThat(error.stdout()).isEmpty();
        assertThat(error.json()).containsEntry("code", "invalid_flag");
        assertThat(run(Map.of(), "daemon", "status").json()).containsEntry("requests", 5L);

        Processes.Result stop = run(Map.of(), "daemon", "stop").expectOk();
        assertThat(stop.json()).containsEntry("stopped", true).containsEntry("pid", pid);
        assertThat(Processes.daemonsOf(dir)).isEmpty();
        assertThat(run(Map.of(), "daemon", "status").json()).containsEntry("running", false);
    }

    @Test
    void withTheDaemonOffNoDaemonStarts() throws Exception {
        dir = scratch.resolve("daemon");
        Map<String, String> off = new HashMap<>(Map.of(PipelineClient.DAEMON_ENV, "off"));

        Processes.Result answer = run(off, "status").expectOk();

        assertThat(answer.stdout()).isEqualTo(EMPTY_STATUS);
        assertThat(dir).doesNotExist();
        assertThat(Processes.daemonsOf(dir)).isEmpty();
    }

    @Test
    void theClientJarHoldsTheClientAlone() throws IOException {
        List<String> classes = new ArrayList<>();
        try (ZipFile jar = new ZipFile(clientJar.toFile())) {
            jar.stream().map(ZipEntry::getName).filter(name -> name.endsWith(".class")).forEach(classes::add);
        }

        assertThat(classes).containsExactlyInAnyOrder("dev/agentpipeline/cli/daemon/PipelineClient.class",
                "dev/agentpipeline/cli/daemon/Protocol.class",
                "dev/agentpipeline/cli/daemon/DaemonFiles.class");
        assertThat(Files.size(clientJar)).isLessThan(Files.size(cliJar) / 100);
    }
}
