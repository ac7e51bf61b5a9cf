package dev.agentpipeline.cli.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentpipeline.core.internal.Json;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A daemon and a client in this JVM, over a real socket, with a stand-in for the command line: what goes through
 * the wire comes back byte for byte, requests run concurrently, and every way of not serving is answered as the
 * client expects.
 */
class DaemonTest {

    @TempDir
    Path temp;

    private Path dir;
    private Path project;
    private Path marker;
    private String classPath;
    private final List<PipelineDaemon> daemons = new ArrayList<>();
    private final PrintStream log = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);

    @BeforeEach
    void setUp() throws IOException {
        dir = temp.resolve("d");
        project = Files.createDirectory(temp.resolve("project ✓"));
        marker = Files.writeString(temp.resolve("marker.jar"), "build 1");
        classPath = marker.toString();
    }

    @AfterEach
    void stopDaemons() {
        for (PipelineDaemon daemon : daemons) {
            daemon.shutdown("test over");
            assertThat(daemon.awaitStopped(Duration.ofSeconds(60))).isTrue();
        }
    }

    /** Echoes its call: each argument on stdout in brackets, the directory and variables on stderr. */
    private static int echo(String[] args, PrintStream out, PrintStream err, Path cwd, Map<String, String> env) {
        for (String arg : args) {
            out.print("[" + arg + "]\n");
        }
        err.print(cwd + " " + new java.util.TreeMap<>(env) + "\n");
        return args.length > 0 && args[0].matches("[0-2]") ? Integer.parseInt(args[0]) : 0;
    }

    private PipelineDaemon serve(long idleSeconds, PipelineDaemon.Commands commands) throws IOException {
        PipelineDaemon daemon = PipelineDaemon.open(dir, classPath, idleSeconds, commands, log);
        assertThat(daemon).isNotNull();
        daemons.add(daemon);
        daemon.serve();
        return daemon;
    }

    private PipelineClient client(Map<String, String> env) {
        Map<String, String> all = new java.util.HashMap<>(env);
        all.put(PipelineClient.DIR_ENV, dir.toString());
        all.put(PipelineClient.DAEMON_ENV, "on");
        return new PipelineClient(all, project.toString(), Processes.java(), classPath, null, null);
    }

    private record Answer(int code, String out, String err) {
    }

    private static Answer forward(PipelineClient client, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = client.forward(args, out, err);
        return new Answer(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void argumentsOutputsAndExitCodesGoThroughTheSocketUnchanged() throws IOException {
        serve(600, DaemonTest::echo);
        PipelineClient client = client(Map.of("PIPELINE_STATE_DIR", "state é", "PIPELINE_LOG", "off",
                "PIPELINE_DAEMON_IDLE_SECONDS", "30"));

        for (String code : new String[] {"0", "1", "2"}) {
            Answer answer = forward(client, code, "with space", "", "ünïcödé ✓ 🚀", "line\nbreak");

            assertThat(answer.code()).isEqualTo(Integer.parseInt(code));
            assertThat(answer.out()).isEqualTo("[" + code + "]\n[with space]\n[]\n[ünïcödé ✓ 🚀]\n[line\nbreak]\n");
            assertThat(answer.err()).isEqualTo(project + " {PIPELINE_LOG=off, PIPELINE_STATE_DIR=state é}\n");
        }
    }

    @Test
    void largeOutputsComeBackWhole() throws IOException {
        byte[] big = new byte[5 << 20];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) ('a' + i % 26);
        }
        serve(600, (args, out, err, cwd, env) -> {
            out.write(big, 0, big.length);
            err.print("e".repeat(1 << 20));
            return 1;
        });
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int code = client(Map.of()).forward(new String[] {"status"}, out, err);

        assertThat(code).isEqualTo(1);
        assertThat(out.toByteArray()).isEqualTo(big);
        assertThat(err.size()).isEqualTo(1 << 20);
    }

    @Test
    void requestsRunConcurrently() throws Exception {
        int clients = 20;
        CyclicBarrier allIn = new CyclicBarrier(clients);
        serve(600, (args, out, err, cwd, env) -> {
            try {
                allIn.await(Processes.WAIT_SECONDS, TimeUnit.SECONDS); // only if all twenty run at once
            } catch (InterruptedException | BrokenBarrierException | TimeoutException e) {
                err.print("not concurrent: " + e + "\n");
                return 2;
            }
            out.print(args[1] + "\n");
            return 0;
        });
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<Answer>> answers = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                String name = "client-" + i;
                answers.add(pool.submit(() -> forward(client(Map.of()), "status", name)));
            }
            for (int i = 0; i < clients; i++) {
                Answer answer = answers.get(i).get(Processes.WAIT_SECONDS, TimeUnit.SECONDS);
                assertThat(answer).isEqualTo(new Answer(0, "client-" + i + "\n", ""));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aDaemonWhoseJarChangedRetiresAndStops() throws IOException {
        PipelineDaemon daemon = serve(600, DaemonTest::echo);
        Files.writeString(marker, "build 2, rebuilt");

        Answer answer = forward(client(Map.of()), "status");

        assertThat(answer).isEqualTo(new Answer(PipelineClient.RETIRED, "", ""));
        assertThat(daemon.awaitStopped(Duration.ofSeconds(60))).isTrue();
        assertThat(dir.resolve(DaemonFiles.SOCKET)).doesNotExist();
        assertThat(dir.resolve(DaemonFiles.PID)).doesNotExist();
    }

    @Test
    void aClientOfAnotherBuildRunsItselfAndTheDaemonStays() throws IOException {
        PipelineDaemon daemon = serve(600, DaemonTest::echo);
        PipelineClient otherBuild = new PipelineClient(Map.of(PipelineClient.DIR_ENV, dir.toString()),
                project.toString(), Processes.java(), classPath + java.io.File.pathSeparator + temp, null, null);

        assertThat(forward(otherBuild, "status")).isEqualTo(new Answer(PipelineClient.NOT_SERVED, "", ""));
        assertThat(forward(client(Map.of()), "status").code()).isZero();
        assertThat(daemon.requests()).isEqualTo(1);
    }

    @Test
    void anAnswerLostAfterAcceptanceIsReportedNotRepeated() throws IOException {
        serve(600, (args, out, err, cwd, env) -> {
            throw new IllegalStateException("the command line broke");
        });
        PipelineClient client = client(Map.of());

        assertThat(forward(client, "status").code()).isEqualTo(PipelineClient.LOST);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = client.run(new String[] {"checkpoint", "--story", "US001", "--stage", "0"}, out, err);
        assertThat(code).isEqualTo(2);
        assertThat(out.size()).isZero();
        Map<String, Object> error = Json.parseObject(err.toString(StandardCharsets.UTF_8));
        assertThat(error).containsEntry("ok", false).containsEntry("code", "daemon_failed");
        assertThat((String) error.get("error")).contains("may or may not have taken effect");
        assertThat((String) error.get("fix")).contains("pipeline status").contains("PIPELINE_DAEMON=off");
    }

    @Test
    void malformedRequestsAreDeclinedAndTheDaemonServesOn() throws IOException {
        PipelineDaemon daemon = serve(600, DaemonTest::echo);

        ByteBuffer otherVersion = ByteBuffer.allocate(4 + Protocol.HEADER + 4).putInt(Protocol.HEADER + 4)
                .putInt(Protocol.MAGIC).putShort((short) 2).put(Protocol.RUN).putInt(0).flip();
        assertThat(exchange(otherVersion)).isEqualTo("DECLINED protocol version 2; this daemon speaks version 1");
        ByteBuffer oversized = ByteBuffer.allocate(8).putInt(Protocol.MAX_REQUEST + 1).putInt(Protocol.MAGIC).flip();
        assertThat(exchange(oversized)).isEqualTo("DECLINED bad request: frame of " + (Protocol.MAX_REQUEST + 1)
                + " bytes (accepted: 7 to " + Protocol.MAX_REQUEST + ")");
        ByteBuffer unknownType = Protocol.textFrame((byte) 99, "x");
        assertThat(exchange(unknownType)).isEqualTo("DECLINED unknown request type 99");
        ByteBuffer badRun = Protocol.runRequest(Protocol.buildKey(classPath), "relative", new String[0],
                new String[0]);
        assertThat(exchange(badRun)).isEqualTo(
                "DECLINED bad request: malformed request: working directory relative is not absolute");

        assertThat(forward(client(Map.of()), "0", "still here").out()).isEqualTo("[0]\n[still here]\n");
        assertThat(daemon.requests()).isEqualTo(1);
    }

    /** Sends raw bytes; answers the reply's type name and text. */
    private String exchange(ByteBuffer request) throws IOException {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(dir.resolve(DaemonFiles.SOCKET)));
            Protocol.writeFully(channel, request);
            ByteBuffer reply = Protocol.readFrame(channel, Protocol.MAX_REPLY);
            String type = switch (Protocol.type(reply)) {
                case Protocol.DECLINED -> "DECLINED";
                case Protocol.RETIRED -> "RETIRED";
                case Protocol.INFO -> "INFO";
                default -> "type " + Protocol.type(reply);
            };
            return type + " " + Protocol.string(reply);
        }
    }

    @Test
    void statusAnswersWhatTheDaemonDid() throws IOException {
        serve(600, DaemonTest::echo);
        forward(client(Map.of()), "0");

        // The daemon counts a request as active until its reply is written, which the client may read first: ask
        // until the count is down (a round trip each time, bounded).
        String info = exchange(Protocol.textFrame(Protocol.STATUS, Protocol.buildKey(classPath)));
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(Processes.WAIT_SECONDS);
        while (info.contains("\"active_requests\": 1") && System.nanoTime() < deadline) {
            Thread.onSpinWait();
            info = exchange(Protocol.textFrame(Protocol.STATUS, Protocol.buildKey(classPath)));
        }

        assertThat(info).startsWith("INFO ");
        Map<String, Object> status = Json.parseObject(info.substring(5));
        assertThat(status).containsEntry("ok", true).containsEntry("running", true).containsEntry("current", true)
                .containsEntry("requests", 1L).containsEntry("active_requests", 0L)
                .containsEntry("idle_timeout_seconds", 600L).containsEntry("directory", dir.toString())
                .containsEntry("pid", ProcessHandle.current().pid());
        Map<String, Object> otherBuild = Json.parseObject(exchange(Protocol.textFrame(Protocol.STATUS, "other"))
                .substring(5));
        assertThat(otherBuild).containsEntry("current", false);
    }

    @Test
    void aDaemonStopsAfterItsIdleTimeout() throws IOException {
        PipelineDaemon daemon = serve(1, DaemonTest::echo);

        assertThat(daemon.awaitStopped(Duration.ofSeconds(Processes.WAIT_SECONDS))).isTrue();
        assertThat(dir.resolve(DaemonFiles.SOCKET)).doesNotExist();
        assertThat(forward(client(Map.of()), "status").code()).isEqualTo(PipelineClient.NO_DAEMON);
    }

    @Test
    void aSecondDaemonOnTheSameDirectoryGivesUp() throws IOException {
        serve(600, DaemonTest::echo);

        assertThat(PipelineDaemon.open(dir, classPath, 600, DaemonTest::echo, log)).isNull();
    }

    @Test
    void aDirectoryOpenToItsGroupIsRefusedAndLeftAlone() throws IOException {
        Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(
                "rwxr-x---")));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-x---"));
        FileTime modified = Files.getLastModifiedTime(dir);

        assertThatThrownBy(() -> PipelineDaemon.open(dir, classPath, 600, DaemonTest::echo, log))
                .isInstanceOf(IOException.class).hasMessageContaining("open to its group or to others (mode 750)");
        assertThat(forward(client(Map.of()), "status").code()).isEqualTo(PipelineClient.NOT_SERVED);
        client(Map.of()).startDaemon(true);
        assertThat(Files.getPosixFilePermissions(dir)).isEqualTo(PosixFilePermissions.fromString("rwxr-x---"));
        assertThat(dir).isEmptyDirectory();
        assertThat(Files.getLastModifiedTime(dir)).isEqualTo(modified);
    }

    @Test
    void aSocketOpenToOthersIsRefused() throws IOException {
        serve(600, DaemonTest::echo);
        Files.setPosixFilePermissions(dir.resolve(DaemonFiles.SOCKET), PosixFilePermissions.fromString("rw-rw-rw-"));

        assertThat(forward(client(Map.of()), "status").code()).isEqualTo(PipelineClient.NOT_SERVED);
    }

    @Test
    void aSymbolicLinkIsNotADaemonDirectory() throws IOException {
        Path real = Files.createDirectory(temp.resolve("real"), PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwx------")));
        Files.createSymbolicLink(dir, real);

        assertThat(DaemonFiles.directoryProblem(dir)).isEqualTo(dir + " is not a directory");
        assertThat(forward(client(Map.of()), "status").code()).isEqualTo(PipelineClient.NOT_SERVED);
    }

    @Test
    void aDirectoryIsCreatedPrivate() throws IOException {
        Path nested = temp.resolve("a/b/daemon");

        assertThat(DaemonFiles.createPrivateDirectory(nested)).isNull();

        assertThat(Files.getPosixFilePermissions(nested)).isEqualTo(PosixFilePermissions.fromString("rwx------"));
        assertThat(Files.getPosixFilePermissions(nested.getParent())).isEqualTo(
                PosixFilePermissions.fromString("rwx------"));
    }
}
