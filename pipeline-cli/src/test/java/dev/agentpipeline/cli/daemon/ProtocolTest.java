package dev.agentpipeline.cli.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentpipeline.core.internal.Json;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;
import java.util.Map;

/** The frames of {@link Protocol}, encoded and decoded, and what a reader refuses. */
class ProtocolTest {

    private static final String[] ARGS = {"start", "--story", "US 001", "--title", "Connexion – écran ✓ 🚀", "",
        "--notes", "line one\nline \"two\"\t\\", "--empty", ""};
    private static final String[] ENV = {"PIPELINE_STATE_DIR", "state dir é", "PIPELINE_LOCK_TIMEOUT_MS", "5000"};

    @TempDir
    Path temp;

    /** Writes a frame into a pipe and reads it back as a daemon or a client does. */
    private static ByteBuffer throughPipe(ByteBuffer frame, int limit) throws IOException {
        Pipe pipe = Pipe.open();
        Thread writer = new Thread(() -> {
            try (Pipe.SinkChannel sink = pipe.sink()) {
                Protocol.writeFully(sink, frame);
            } catch (IOException e) {
                // the reader stopped early: what the test checks
            }
        });
        writer.start();
        try (Pipe.SourceChannel source = pipe.source()) {
            return Protocol.readFrame(source, limit);
        }
    }

    private static ByteBuffer raw(int length, int magic, int version, int type, byte[] payload) {
        ByteBuffer frame = ByteBuffer.allocate(4 + Protocol.HEADER + payload.length);
        frame.putInt(length).putInt(magic).putShort((short) version).put((byte) type).put(payload);
        return frame.flip();
    }

    @Test
    void aRunRequestRoundTripsArgumentsWithSpacesUnicodeAndEmptyStrings() throws IOException {
        ByteBuffer body = throughPipe(Protocol.runRequest("key ✓", "/work/my project/é", ARGS, ENV),
                Protocol.MAX_REQUEST);

        assertThat(Protocol.version(body)).isEqualTo(Protocol.VERSION);
        assertThat(Protocol.type(body)).isEqualTo(Protocol.RUN);
        PipelineDaemon.RunRequest request = PipelineDaemon.readRun(body);
        assertThat(request.buildKey()).isEqualTo("key ✓");
        assertThat(request.workingDir()).isEqualTo(Path.of("/work/my project/é"));
        assertThat(request.args()).containsExactly(ARGS);
        assertThat(request.env()).containsExactlyInAnyOrderEntriesOf(Map.of("PIPELINE_STATE_DIR", "state dir é",
                "PIPELINE_LOCK_TIMEOUT_MS", "5000"));
    }

    @Test
    void aRequestWithoutArgumentsOrVariablesRoundTrips() throws IOException {
        ByteBuffer body = throughPipe(Protocol.runRequest("", "/", new String[0], new String[0]),
                Protocol.MAX_REQUEST);

        PipelineDaemon.RunRequest request = PipelineDaemon.readRun(body);
        assertThat(request.args()).isEmpty();
        assertThat(request.env()).isEmpty();
        assertThat(request.buildKey()).isEmpty();
    }

    @Test
    void aResultRoundTripsLargeOutputsBytesForBytes() throws IOException {
        byte[] out = new byte[3 << 20];
        byte[] err = new byte[700_001];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) (i * 31);
        }
        Arrays.fill(err, (byte) '{');
        ByteBuffer body = throughPipe(Protocol.result(2, out, out.length, err, err.length), Protocol.MAX_REPLY);

        assertThat(Protocol.type(body)).isEqualTo(Protocol.RESULT);
        assertThat(Protocol.int32(body)).isEqualTo(2);
        assertThat(Protocol.bytes(body)).isEqualTo(out);
        assertThat(Protocol.bytes(body)).isEqualTo(err);
        Protocol.end(body);
    }

    @Test
    void aResultCarriesOnlyTheWrittenPartOfItsBuffers() throws IOException {
        byte[] out = "{}\nunused".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        ByteBuffer body = throughPipe(Protocol.result(0, out, 3, new byte[8], 0), Protocol.MAX_REPLY);

        Protocol.int32(body);
        assertThat(new String(Protocol.bytes(body), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("{}\n");
        assertThat(Protocol.bytes(body)).isEmpty();
    }

    @Test
    void textFramesRoundTrip() throws IOException {
        for (byte type : new byte[] {Protocol.STATUS, Protocol.STOP, Protocol.RETIRED, Protocol.DECLINED,
            Protocol.INFO}) {
            ByteBuffer body = throughPipe(Protocol.textFrame(type, "why ✓"), Protocol.MAX_REPLY);
            assertThat(Protocol.type(body)).isEqualTo(type);
            assertThat(Protocol.string(body)).isEqualTo("why ✓");
            Protocol.end(body);
        }
        assertThat(Protocol.type(throughPipe(Protocol.accepted(), Protocol.MAX_REPLY))).isEqualTo(Protocol.ACCEPTED);
    }

    @Test
    void aFrameLongerThanTheLimitIsRefusedBeforeItIsRead() {
        ByteBuffer huge = raw(Integer.MAX_VALUE, Protocol.MAGIC, Protocol.VERSION, Protocol.RUN, new byte[0]);

        assertThatThrownBy(() -> throughPipe(huge, Protocol.MAX_REQUEST)).isInstanceOf(IOException.class)
                .hasMessage("frame of 2147483647 bytes (accepted: 7 to " + Protocol.MAX_REQUEST + ")");
        ByteBuffer negative = raw(-1, Protocol.MAGIC, Protocol.VERSION, Protocol.RUN, new byte[0]);
        assertThatThrownBy(() -> throughPipe(negative, Protocol.MAX_REQUEST)).hasMessageStartingWith(
                "frame of 4294967295 bytes");
    }

    @Test
    void aFrameShorterThanAHeaderIsRefused() {
        assertThatThrownBy(() -> throughPipe(raw(3, 0, 0, 0, new byte[0]), 100)).isInstanceOf(IOException.class)
                .hasMessageStartingWith("frame of 3 bytes");
    }

    @Test
    void aFrameOfAnotherProtocolIsRefused() {
        ByteBuffer http = raw(Protocol.HEADER, 0x47455420, Protocol.VERSION, Protocol.RUN, new byte[0]);

        assertThatThrownBy(() -> throughPipe(http, 100)).hasMessage(
                "not a pipeline daemon frame (wrong magic number)");
    }

    @Test
    void anUnknownVersionIsReadSoThatItCanBeAnswered() throws IOException {
        ByteBuffer body = throughPipe(raw(Protocol.HEADER, Protocol.MAGIC, 99, Protocol.RUN, new byte[0]), 100);

        assertThat(Protocol.version(body)).isEqualTo(99);
    }

    @Test
    void aConnectionClosedBeforeOrInsideAFrameIsAnEndOfFile() {
        ByteBuffer nothing = ByteBuffer.allocate(0);
        assertThatThrownBy(() -> throughPipe(nothing, 100)).isInstanceOf(EOFException.class)
                .hasMessage("connection closed");
        ByteBuffer cut = raw(50, Protocol.MAGIC, Protocol.VERSION, Protocol.RUN, new byte[3]);
        assertThatThrownBy(() -> throughPipe(cut, 100)).isInstanceOf(EOFException.class)
                .hasMessage("connection closed in the middle of a frame");
    }

    @Test
    void malformedRunRequestsAreRefused() throws IOException {
        ByteBuffer truncated = throughPipe(raw(Protocol.HEADER + 6, Protocol.MAGIC, Protocol.VERSION, Protocol.RUN,
                new byte[] {0, 0, 0, 9, 'a', 'b'}), 100);
        assertThatThrownBy(() -> PipelineDaemon.readRun(truncated)).hasMessage(
                "truncated frame: a field of 9 bytes, 2 left");

        ByteBuffer manyArgs = ByteBuffer.allocate(21).putInt(0).putInt(1).put((byte) '/').putInt(1_000_000)
                .putInt(0).putInt(0).flip();
        assertThatThrownBy(() -> PipelineDaemon.readRun(manyArgs)).hasMessage("malformed request: 1000000 arguments");

        ByteBuffer trailing = ByteBuffer.allocate(18).putInt(0).putInt(1).put((byte) '/').putInt(0).putInt(0)
                .put((byte) 7).flip();
        assertThatThrownBy(() -> PipelineDaemon.readRun(trailing)).hasMessage(
                "malformed frame: 1 unexpected trailing bytes");

        ByteBuffer relative = Protocol.runRequest("k", "relative/dir", new String[0], new String[0]).position(
                4 + Protocol.HEADER);
        assertThatThrownBy(() -> PipelineDaemon.readRun(relative)).hasMessage(
                "malformed request: working directory relative/dir is not absolute");

        ByteBuffer path = Protocol.runRequest("k", "/", new String[0], new String[] {"PATH", "/bin"}).position(
                4 + Protocol.HEADER);
        assertThatThrownBy(() -> PipelineDaemon.readRun(path)).hasMessage(
                "malformed request: environment variable PATH is not PIPELINE_*");
    }

    @Test
    void theBuildKeyChangesWhenAClassPathEntryChanges() throws IOException {
        Path jar = Files.writeString(temp.resolve("cli.jar"), "one");
        Path dir = Files.createDirectory(temp.resolve("classes"));
        String classPath = jar + java.io.File.pathSeparator + dir + java.io.File.pathSeparator;
        String before = Protocol.buildKey(classPath);

        assertThat(Protocol.buildKey(classPath)).isEqualTo(before);
        assertThat(before).contains(System.getProperty("java.vm.version")).contains(jar.toString());
        Files.writeString(jar, "two!");
        String resized = Protocol.buildKey(classPath);
        assertThat(resized).isNotEqualTo(before);
        Files.setLastModifiedTime(dir, FileTime.fromMillis(Files.getLastModifiedTime(dir).toMillis() + 10_000));
        assertThat(Protocol.buildKey(classPath)).isNotEqualTo(resized);
    }

    @Test
    void onLinuxTheBuildKeyNamesWhatConfinesTheProcess() throws IOException {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isRegularFile(Path.of("/proc/self/status")),
                "a Linux /proc");
        String status = Files.readString(Path.of("/proc/self/status"));
        String seccomp = status.lines().filter(line -> line.startsWith("Seccomp:")).findFirst().orElseThrow();
        String noNewPrivs = status.lines().filter(line -> line.startsWith("NoNewPrivs:")).findFirst().orElseThrow();

        String confinement = Protocol.confinement();

        assertThat(confinement).isEqualTo(Files.readSymbolicLink(Path.of("/proc/self/ns/mnt")) + " " + noNewPrivs
                + " " + seccomp);
        assertThat(Protocol.buildKey("")).contains(confinement);
    }

    @Test
    void jsonIsPrettyLikeTheCommandLinesAnswers() {
        String json = Protocol.json("ok", Boolean.TRUE, "pid", 42L, "text", "a \"quoted\"\\ line\n\u0001é", "none",
                null);

        assertThat(json).isEqualTo("{\n  \"ok\": true,\n  \"pid\": 42,\n  \"text\": \"a \\\"quoted\\\"\\\\ line\\n"
                + "\\u0001é\",\n  \"none\": null\n}\n");
        assertThat(Json.parseObject(json)).containsEntry("text", "a \"quoted\"\\ line\n\u0001é");
        assertThat(json).isEqualTo(Json.pretty(Json.parseObject(json)) + "\n");
    }
}
