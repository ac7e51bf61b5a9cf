package dev.agentpipeline.cli.daemon;

import static dev.agentpipeline.cli.daemon.Processes.daemonEnv;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentpipeline.core.internal.Json;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

/**
 * Real client and daemon processes, as {@code bin/pipeline} runs them (on the test class path): the daemon answers
 * what the command line answers in-process, byte for byte; concurrent clients share it; a rebuilt jar, a dead
 * daemon's socket and an unsafe directory make the client run the command itself; and daemons go away when idle,
 * stopped or signalled. Every daemon started here is stopped.
 */
class DaemonProcessTest {

    private static final String STORY = "US001";

    @TempDir
    Path temp;

    private Path dir;
    private Path project;
    private Processes processes;

    @BeforeEach
    void setUp() throws IOException {
        dir = temp.resolve("daemon");
        project = Files.createDirectory(temp.resolve("project"));
        processes = new Processes(Files.createDirectory(temp.resolve("scratch")));
    }

    @AfterEach
    void stopEveryDaemon() throws InterruptedException {
        processes.close();
        assertThat(Processes.daemonsOf(dir)).as("daemons left running").isEmpty();
    }

    private Processes.Result client(Map<String, String> env, String... args) throws Exception {
        return processes.client(project, env, args);
    }

    private Processes.Result viaDaemon(String... args) throws Exception {
        return client(daemonEnv(dir), args);
    }

    private Processes.Result inProcess(String... args) throws Exception {
        return client(Map.of(PipelineClient.DAEMON_ENV, "off"), args);
    }

    private long requests() throws Exception {
        Processes.Result status = viaDaemon("daemon", "status").expectOk();
        return (Long) status.json().get("requests");
    }

    private long startDaemon() throws Exception {
        processes.startDaemon(dir);
        return Processes.awaitListening(dir);
    }

    @Test
    void theDaemonAnswersTheSameBytesAsAnInProcessRun() throws Exception {
        startDaemon();
        Path twin = Files.createDirectory(temp.resolve("twin"));
        String[][] calls = {
            {"status"},
            {"start", "--story", STORY, "--title", "Connexion – écran ✓", "--project-brief", "{\"name\":\"x\"}"},
            {"status", "--story", STORY},
            {"advance", "--story", STORY, "--to", "STAGE_0"},
            {"advance", "--story", STORY, "--to", "STAGE_1"},                   // rejected: exit 1
            {"checkpoint", "--story", STORY, "--stage", "7"},                   // bad input: exit 2
            {"checkpoint", "--story", STORY, "--stage", "0", "--tasks-remaining", "[oops"},
            {"checkpoint", "--story", STORY, "--stage", "0", "--plan-score", "4"},
            {"start", "--story", STORY, "--no-such-option"},
            {"--project-dir", "missing", "status"},
            {"status", "--story", STORY},
            {"help"},
            {"advance", "--help"},
            {"--version"},
        };
        List<Integer> exitCodes = new ArrayList<>();
        for (String[] call : calls) {
            // the same call through the daemon in this project, in-process in its twin: same answers but for the
            // run's id, timestamps and the project's path
            Processes.Result daemon = viaDaemon(call);
            Processes.Result local = processes.client(twin, Map.of(PipelineClient.DAEMON_ENV, "off"), call);
            exitCodes.add(daemon.exitCode());
            assertThat(daemon.exitCode()).as("exit code of %s", List.of(call)).isEqualTo(local.exitCode());
            assertThat(masked(daemon.stdout(), project)).as("stdout of %s", List.of(call))
                    .isEqualTo(masked(local.stdout(), twin));
            assertThat(masked(daemon.stderr(), project)).as("stderr of %s", List.of(call))
                    .isEqualTo(masked(local.stderr(), twin));
            // and in-process in this project, byte for byte, for the calls that change nothing
            if (!call[0].matches("start|advance|checkpoint") || daemon.exitCode() != 0) {
                assertThat(inProcess(call)).as("%s in-process in the same project", List.of(call)).isEqualTo(daemon);
            }
        }
        assertThat(exitCodes).containsExactly(0, 0, 0, 0, 1, 2, 2, 0, 2, 2, 0, 0, 0, 0);
        assertThat(requests()).isEqualTo(calls.length);
    }

    /** Run ids, timestamps and the project's path differ between two projects; everything else is compared. */
    private static String masked(String answer, Path projectDir) {
        return answer.replace(projectDir.toString(), "<project>")
                .replaceAll("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z", "<time>")
                .replaceAll("story-us001-\\d+-[0-9a-f]+", "<run>");
    }

    @Test
    void twentyConcurrentCheckpointClientsShareOneDaemon() throws Exception {
        startDaemon();
        viaDaemon("start", "--story", STORY, "--title", "Concurrency").expectOk();
        viaDaemon("advance", "--story", STORY, "--to", "STAGE_0").expectOk();
        long before = requests();

        int count = 20;
        List<Process> clients = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            clients.add(processes.startClient(project, daemonEnv(dir, "PIPELINE_LOCK_TIMEOUT_MS", "120000"),
                    "checkpoint-" + i, "checkpoint", "--story", STORY, "--stage", "0", "--last-action",
                    "worker " + i));
        }
        List<Long> sequences = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Processes.Result result = processes.resultOf(clients.get(i), "checkpoint-" + i).expectOk();
            Map<String, Object> answer = result.json();
            @SuppressWarnings("unchecked")
            Map<String, Object> checkpoint = (Map<String, Object>) answer.get("checkpoint");
            sequences.add((Long) checkpoint.get("sequence"));
        }

        Set<Long> expected = LongStream.rangeClosed(1, count).boxed().collect(Collectors.toCollection(TreeSet::new));
        assertThat(new TreeSet<>(sequences)).isEqualTo(expected);
        assertThat(requests() - before).as("checkpoints served by the daemon").isEqualTo(count);
    }

    @Test
    void aRebuiltJarRetiresTheDaemonAndTheClientStartsANewOne() throws Exception {
        Path extra = Files.createDirectory(temp.resolve("extra-classes"));
        String classPath = Processes.classPath() + File.pathSeparator + extra;
        List<String> options = List.of("-D" + PipelineClient.CLASS_PATH_PROPERTY + "=" + classPath);
        processes.startDaemon(dir, 600, classPath);
        long first = Processes.awaitListening(dir);
        processes.client(project, daemonEnv(dir), options, "status").expectOk();

        Files.setLastModifiedTime(extra, FileTime.fromMillis(Files.getLastModifiedTime(extra).toMillis() + 60_000));
        Processes.Result answer = processes.client(project, daemonEnv(dir), options, "status").expectOk();

        assertThat(answer.stdout()).isEqualTo("{\n  \"ok\": true,\n  \"active\": false\n}\n");
        Processes.awaitExit(first);
        long second = Processes.awaitListening(dir);
        assertThat(second).isNotEqualTo(first);
        Processes.Result status = processes.client(project, daemonEnv(dir), options, "daemon", "status")
                .expectOk();
        assertThat(status.json()).containsEntry("pid", second).containsEntry("current", true)
                .containsEntry("requests", 0L);
        processes.client(project, daemonEnv(dir), options, "status").expectOk();
        assertThat(processes.client(project, daemonEnv(dir), options, "daemon", "status").json())
                .containsEntry("requests", 1L);
    }

    @Test
    void aSocketLeftByADeadDaemonMakesTheClientRunItselfAndStartADaemon() throws Exception {
        DaemonFiles.createPrivateDirectory(dir);
        try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            dead.bind(UnixDomainSocketAddress.of(dir.resolve(DaemonFiles.SOCKET)));
        } // closed, not deleted: nobody listens on it any more
        Files.setPosixFilePermissions(dir.resolve(DaemonFiles.SOCKET), PosixFilePermissions.fromString("rw-------"));
        assertThat(dir.resolve(DaemonFiles.SOCKET)).exists();

        Processes.Result first = viaDaemon("status").expectOk();

        assertThat(first.stdout()).isEqualTo("{\n  \"ok\": true,\n  \"active\": false\n}\n");
        long pid = Processes.awaitListening(dir);
        viaDaemon("status").expectOk();
        assertThat(viaDaemon("daemon", "status").json()).containsEntry("pid", pid).containsEntry("requests", 1L);
    }

    @Test
    void aDaemonAClientStartedExitsAfterItsIdleTimeout() throws Exception {
        Processes.Result first = client(daemonEnv(dir, PipelineClient.IDLE_ENV, "2"), "status").expectOk();
        long pid = Processes.awaitListening(dir); // started by the client, which answered in-process

        Processes.awaitExit(pid);

        assertThat(first.stdout()).isEqualTo("{\n  \"ok\": true,\n  \"active\": false\n}\n");
        assertThat(dir.resolve(DaemonFiles.SOCKET)).doesNotExist();
        assertThat(dir.resolve(DaemonFiles.PID)).doesNotExist();
        assertThat(Files.readString(dir.resolve(DaemonFiles.LOG), StandardCharsets.UTF_8))
                .contains("daemon " + pid + ": stopping: idle for 2 s");
        assertThat(Files.getPosixFilePermissions(dir)).isEqualTo(PosixFilePermissions.fromString("rwx------"));
    }

    @Test
    void offCiLogsAndLongCommandsBypassTheDaemon() throws Exception {
        startDaemon();
        long before = requests();

        Processes.Result off = client(daemonEnv(dir, PipelineClient.DAEMON_ENV, "off"), "status").expectOk();
        Processes.Result ci = client(daemonEnv(dir, PipelineClient.DAEMON_ENV, "auto", "CI", "true"), "status")
                .expectOk();
        Processes.Result unknown = client(daemonEnv(dir), "no-such-command");
        Processes.Result logged = client(daemonEnv(dir, "PIPELINE_LOG", "info"), "start", "--story", STORY);
        assertThat(requests()).as("requests the daemon served").isEqualTo(before);

        Processes.Result ciOn = client(daemonEnv(dir, "CI", "true"), "status", "--story", STORY).expectOk();
        assertThat(requests()).isEqualTo(before + 1);
        assertThat(off.stdout()).isEqualTo(ci.stdout()).isEqualTo("{\n  \"ok\": true,\n  \"active\": false\n}\n");
        assertThat(ciOn.json()).containsEntry("active", true);
        assertThat(logged.exitCode()).isZero();
        assertThat(logged.stderr()).contains(" INFO ");
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.json()).containsEntry("code", "unknown_command");
    }

    @Test
    void bypassedCallsStartNoDaemon() throws Exception {
        client(daemonEnv(dir, PipelineClient.DAEMON_ENV, "off"), "status").expectOk();
        client(daemonEnv(dir, PipelineClient.DAEMON_ENV, "auto", "CI", "1"), "status").expectOk();

        assertThat(dir).doesNotExist();
        assertThat(Processes.daemonsOf(dir)).isEmpty();
    }

    @Test
    void aGroupReadableDirectoryIsRefused() throws Exception {
        Files.createDirectory(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-x---"));

        Processes.Result answer = viaDaemon("status").expectOk();
        Processes.Result status = viaDaemon("daemon", "status").expectOk();
        Process daemon = processes.startDaemon(dir);
        Processes.awaitExit(daemon, "daemon on an unsafe directory");

        assertThat(answer.stdout()).isEqualTo("{\n  \"ok\": true,\n  \"active\": false\n}\n");
        assertThat(status.json()).containsEntry("running", false);
        assertThat((String) status.json().get("problem")).contains("open to its group or to others (mode 750)");
        assertThat(daemon.exitValue()).isEqualTo(2);
        assertThat(dir).isEmptyDirectory();
        assertThat(Files.getPosixFilePermissions(dir)).isEqualTo(PosixFilePermissions.fromString("rwxr-x---"));
    }

    @Test
    void ofTwoDaemonsStartedAtOnceOneServesAndTheOtherExitsQuietly() throws Exception {
        Process one = processes.startDaemon(dir);
        Process two = processes.startDaemon(dir);

        long pid = Processes.awaitListening(dir);
        Process loser = pid == one.pid() ? two : one;
        Processes.awaitExit(loser, "the second daemon");

        assertThat(loser.exitValue()).isZero();
        assertThat(pid).isIn(one.pid(), two.pid());
        assertThat(Processes.daemonsOf(dir)).extracting(ProcessHandle::pid).containsExactly(pid);
        viaDaemon("status").expectOk();
        assertThat(requests()).isEqualTo(1);
    }

    @Test
    void daemonStopStopsItAndSigtermToo() throws Exception {
        long pid = startDaemon();

        Processes.Result stop = viaDaemon("daemon", "stop").expectOk();

        assertThat(stop.json()).containsEntry("stopped", true).containsEntry("pid", pid);
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).isNotEqualTo(java.util.Optional.of(true));
        assertThat(dir.resolve(DaemonFiles.SOCKET)).doesNotExist();
        assertThat(viaDaemon("daemon", "status").json()).containsEntry("running", false);
        assertThat(viaDaemon("daemon", "stop").json()).containsEntry("stopped", false);

        Process signalled = processes.startDaemon(dir);
        Processes.awaitListening(dir);
        signalled.destroy();
        Processes.awaitExit(signalled, "a daemon sent SIGTERM");
        assertThat(dir.resolve(DaemonFiles.SOCKET)).doesNotExist();
        assertThat(dir.resolve(DaemonFiles.PID)).doesNotExist();
    }

    @Test
    void badDaemonSettingsAndCommandsAnswerJsonErrors() throws Exception {
        Processes.Result badMode = client(Map.of(PipelineClient.DAEMON_ENV, "sometimes"), "status");
        Processes.Result badIdle = client(daemonEnv(dir, PipelineClient.IDLE_ENV, "0"), "status");
        Processes.Result badCommand = viaDaemon("daemon", "restart");
        Processes.Result noCommand = viaDaemon("daemon");

        for (Processes.Result result : List.of(badMode, badIdle, badCommand, noCommand)) {
            assertThat(result.exitCode()).isEqualTo(2);
            assertThat(result.stdout()).isEmpty();
            assertThat(result.json()).containsEntry("ok", false).containsKeys("error", "code", "fix");
        }
        assertThat(badMode.json()).containsEntry("code", "invalid_env").containsEntry("error",
                "PIPELINE_DAEMON must be auto, on or off (got 'sometimes')");
        assertThat(badIdle.json()).containsEntry("code", "invalid_env");
        assertThat(badCommand.json()).containsEntry("code", "unknown_command")
                .containsEntry("error", "Unknown daemon command 'restart'");
        assertThat(noCommand.json()).containsEntry("error", "No daemon command given");
        assertThat(dir).doesNotExist();
    }
}
