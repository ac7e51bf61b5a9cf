package dev.agentpipeline.cli.daemon;

import java.io.EOFException;
import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The wire format between {@link PipelineClient} and {@link PipelineDaemon}: length-prefixed binary frames over a
 * Unix domain socket, big-endian.
 *
 * <pre>
 * frame   := u32 length, body[length]             (length from 7 to the reader's limit)
 * body    := u32 magic "APDP", u16 version, u8 type, payload
 * string  := u32 length, UTF-8 bytes[length]
 * bytes   := u32 length, bytes[length]
 *
 * requests (client to daemon), one per connection:
 *   RUN     string build key, string working directory, u32 n, string[n] arguments,
 *           u32 m, (string name, string value)[m] environment
 *   STATUS  string build key
 *   STOP    string build key
 * replies (daemon to client):
 *   ACCEPTED  (empty)              the daemon runs the command now; RESULT follows
 *   RESULT    i32 exit code, bytes stdout, bytes stderr
 *   RETIRED   string reason        not served, and this daemon is exiting: run in-process, start another
 *   DECLINED  string reason        not served (busy, client of another build, malformed request): run in-process
 *   INFO      string JSON          the answer of STATUS and STOP
 * </pre>
 *
 * <p>The header ({@code magic, version, type}) and the payloads of {@code RETIRED} and {@code DECLINED} are the
 * same in every protocol version, so a client and a daemon of different versions still understand "not served".
 * A reader rejects a frame longer than its limit before allocating it, a wrong magic, a truncated body and trailing
 * bytes.
 *
 * <p>This class is on the client's fast path: JDK only, no lambdas, no regular expressions, no formatting.
 */
final class Protocol {

    /** "APDP": Agent Pipeline Daemon Protocol. */
    static final int MAGIC = 0x41504450;
    /** The protocol version this build speaks. */
    static final int VERSION = 1;
    /** The largest request body a daemon reads: arguments of a command line are far smaller. */
    static final int MAX_REQUEST = 16 << 20;
    /** The largest reply body a client reads; also bounds what a daemon captures of one command's output. */
    static final int MAX_REPLY = 256 << 20;
    /** Bytes of a body before its payload: magic, version, type. */
    static final int HEADER = 7;

    static final byte RUN = 1;
    static final byte STATUS = 2;
    static final byte STOP = 3;

    static final byte ACCEPTED = 16;
    static final byte RESULT = 17;
    static final byte RETIRED = 18;
    static final byte DECLINED = 19;
    static final byte INFO = 20;

    private Protocol() {
    }

    // ------------------------------------------------------------------------------------------------ writing

    /**
     * A RUN request.
     *
     * @param buildKey the client's {@linkplain #buildKey build key}
     * @param workingDir the directory the command runs in
     * @param args the arguments
     * @param env names and values, alternating
     * @return the frame, ready to write
     */
    static ByteBuffer runRequest(String buildKey, String workingDir, String[] args, String[] env) {
        byte[] key = utf8(buildKey);
        byte[] cwd = utf8(workingDir);
        byte[][] argBytes = new byte[args.length][];
        long size = HEADER + 4L + key.length + 4 + cwd.length + 4 + 4;
        for (int i = 0; i < args.length; i++) {
            argBytes[i] = utf8(args[i]);
            size += 4 + argBytes[i].length;
        }
        byte[][] envBytes = new byte[env.length][];
        for (int i = 0; i < env.length; i++) {
            envBytes[i] = utf8(env[i]);
            size += 4 + envBytes[i].length;
        }
        ByteBuffer frame = start(RUN, size);
        putBytes(frame, key);
        putBytes(frame, cwd);
        frame.putInt(args.length);
        for (byte[] arg : argBytes) {
            putBytes(frame, arg);
        }
        frame.putInt(env.length / 2);
        for (byte[] part : envBytes) {
            putBytes(frame, part);
        }
        return frame.flip();
    }

    /**
     * A request of one string: STATUS or STOP (the build key), or a reply of one string: RETIRED, DECLINED, INFO.
     *
     * @param type the type
     * @param text the string
     * @return the frame, ready to write
     */
    static ByteBuffer textFrame(byte type, String text) {
        byte[] bytes = utf8(text);
        ByteBuffer frame = start(type, HEADER + 4L + bytes.length);
        putBytes(frame, bytes);
        return frame.flip();
    }

    /** @return an ACCEPTED reply, ready to write */
    static ByteBuffer accepted() {
        return start(ACCEPTED, HEADER).flip();
    }

    /**
     * A RESULT reply.
     *
     * @param exitCode the command's exit code
     * @param out the command's stdout, in {@code out[0..outLength)}
     * @param outLength how many bytes of {@code out}
     * @param err the command's stderr, in {@code err[0..errLength)}
     * @param errLength how many bytes of {@code err}
     * @return the frame, ready to write
     */
    static ByteBuffer result(int exitCode, byte[] out, int outLength, byte[] err, int errLength) {
        ByteBuffer frame = start(RESULT, HEADER + 4L + 4 + outLength + 4 + errLength);
        frame.putInt(exitCode);
        frame.putInt(outLength).put(out, 0, outLength);
        frame.putInt(errLength).put(err, 0, errLength);
        return frame.flip();
    }

    private static ByteBuffer start(byte type, long bodySize) {
        if (bodySize > Integer.MAX_VALUE - 4) {
            throw new IllegalArgumentException("a frame of " + bodySize + " bytes is too large");
        }
        ByteBuffer frame = ByteBuffer.allocate(4 + (int) bodySize);
        frame.putInt((int) bodySize).putInt(MAGIC).putShort((short) VERSION).put(type);
        return frame;
    }

    private static void putBytes(ByteBuffer frame, byte[] bytes) {
        frame.putInt(bytes.length).put(bytes);
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Writes a whole buffer.
     *
     * @param channel where to
     * @param buffer what
     * @throws IOException if the channel fails or is closed
     */
    static void writeFully(WritableByteChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    // ------------------------------------------------------------------------------------------------ reading

    /**
     * Reads one frame and checks its header.
     *
     * @param channel where from
     * @param limit the largest body accepted
     * @return the body, positioned after the header (at the payload); its version is {@link #version}, its type
     *     {@link #type}
     * @throws EOFException if the channel ends before the frame does (at once, when nothing was sent)
     * @throws IOException if the frame is longer than the limit, shorter than a header, or not of this protocol
     */
    static ByteBuffer readFrame(ReadableByteChannel channel, int limit) throws IOException {
        ByteBuffer length = ByteBuffer.allocate(4);
        readFully(channel, length);
        int size = length.flip().getInt();
        if (size < HEADER || size > limit) {
            throw new IOException("frame of " + Integer.toUnsignedString(size) + " bytes (accepted: " + HEADER
                    + " to " + limit + ")");
        }
        ByteBuffer body = ByteBuffer.allocate(size);
        readFully(channel, body);
        body.flip();
        if (body.getInt() != MAGIC) {
            throw new IOException("not a pipeline daemon frame (wrong magic number)");
        }
        body.getShort();
        body.get();
        return body;
    }

    /** @return the protocol version of a body {@link #readFrame} returned */
    static int version(ByteBuffer body) {
        return body.getShort(4) & 0xffff;
    }

    /** @return the type of a body {@link #readFrame} returned */
    static byte type(ByteBuffer body) {
        return body.get(6);
    }

    private static void readFully(ReadableByteChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            if (channel.read(buffer) < 0) {
                throw new EOFException(buffer.position() == 0 && buffer.capacity() == 4 ? "connection closed"
                        : "connection closed in the middle of a frame");
            }
        }
    }

    /**
     * @return the next string of a body
     * @throws IOException if the body ends before it
     */
    static String string(ByteBuffer body) throws IOException {
        return new String(bytes(body), StandardCharsets.UTF_8);
    }

    /**
     * @return the next byte string of a body
     * @throws IOException if the body ends before it
     */
    static byte[] bytes(ByteBuffer body) throws IOException {
        int length = int32(body);
        if (length < 0 || length > body.remaining()) {
            throw new IOException("truncated frame: a field of " + Integer.toUnsignedString(length)
                    + " bytes, " + body.remaining() + " left");
        }
        byte[] bytes = new byte[length];
        body.get(bytes);
        return bytes;
    }

    /**
     * @return the next 32-bit integer of a body
     * @throws IOException if the body ends before it
     */
    static int int32(ByteBuffer body) throws IOException {
        if (body.remaining() < 4) {
            throw new IOException("truncated frame: " + body.remaining() + " bytes left, 4 needed");
        }
        return body.getInt();
    }

    /**
     * @param body a body read to its end
     * @throws IOException if bytes are left
     */
    static void end(ByteBuffer body) throws IOException {
        if (body.hasRemaining()) {
            throw new IOException("malformed frame: " + body.remaining() + " unexpected trailing bytes");
        }
    }

    // ---------------------------------------------------------------------------------------------- build key

    /**
     * What a daemon must have been started from to serve a client: the JDK (home and exact version), each entry
     * of the daemon's class path with its size and modification time, and the process's {@linkplain #confinement
     * confinement}. A rebuilt jar or an updated JDK changes it, and so does a sandbox around the client. A directory
     * entry (in tests) changes when files are added to or removed from it, not when one is rewritten.
     *
     * @param classPath the daemon's class path
     * @return the key
     */
    static String buildKey(String classPath) {
        StringBuilder key = new StringBuilder(192 + classPath.length());
        key.append(System.getProperty("java.home")).append('|').append(System.getProperty("java.vm.version"))
                .append('|').append(confinement());
        int start = 0;
        while (start <= classPath.length()) {
            int end = classPath.indexOf(File.pathSeparatorChar, start);
            if (end < 0) {
                end = classPath.length();
            }
            if (end > start) {
                File entry = new File(classPath.substring(start, end));
                key.append('|').append(entry.getPath()).append('|').append(entry.length()).append('|')
                        .append(entry.lastModified());
            }
            start = end + 1;
        }
        return key.toString();
    }

    /**
     * On Linux, what confines this process: its mount namespace and its {@code NoNewPrivs} and {@code Seccomp}
     * modes ({@code /proc/self/status}), as in {@code mnt:[4026531840] NoNewPrivs:0 Seccomp:0}; empty elsewhere. A
     * daemon inherits them from the client that starts it; a client in a sandbox (another mount namespace, a
     * seccomp filter, Landlock's no_new_privs) that can still reach the socket of a daemon outside it has another
     * key, so that the daemon does not run its commands with more than the sandbox allows.
     *
     * @return the confinement, never null
     */
    static String confinement() {
        File status = new File("/proc/self/status");
        if (!status.isFile()) {
            return "";
        }
        StringBuilder out = new StringBuilder(64);
        try {
            out.append(Files.readSymbolicLink(Path.of("/proc/self/ns/mnt")));
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            out.append("mnt:?");
        }
        String text;
        try (FileInputStream in = new FileInputStream(status)) {
            text = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return out.append(" status:?").toString();
        }
        field(out, text, "NoNewPrivs:");
        field(out, text, "Seccomp:");
        return out.toString();
    }

    private static void field(StringBuilder out, String status, String name) {
        int start = status.startsWith(name) ? 0 : status.indexOf("\n" + name);
        if (start < 0) {
            return;
        }
        start = status.indexOf(name, start) + name.length();
        int end = status.indexOf('\n', start);
        out.append(' ').append(name).append(status, start, end < 0 ? status.length() : end);
    }

    // --------------------------------------------------------------------------------------------------- JSON

    /**
     * A flat JSON object, two-space indented like the command line's answers, with a trailing newline.
     *
     * @param keysAndValues keys and values, alternating; a value is a String, Boolean, Number or null
     * @return the text
     */
    static String json(Object... keysAndValues) {
        StringBuilder out = new StringBuilder(256).append('{');
        for (int i = 0; i < keysAndValues.length; i += 2) {
            out.append(i == 0 ? "\n  " : ",\n  ");
            quote(out, (String) keysAndValues[i]);
            out.append(": ");
            Object value = keysAndValues[i + 1];
            if (value instanceof String) {
                quote(out, (String) value);
            } else {
                out.append(value);
            }
        }
        return out.append(keysAndValues.length == 0 ? "}\n" : "\n}\n").toString();
    }

    private static void quote(StringBuilder out, String text) {
        out.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c == '\n') {
                out.append("\\n");
            } else if (c == '\r') {
                out.append("\\r");
            } else if (c == '\t') {
                out.append("\\t");
            } else if (c < 0x20) {
                String hex = Integer.toHexString(c);
                out.append("\\u00").append(hex.length() == 1 ? "0" : "").append(hex);
            } else {
                out.append(c);
            }
        }
        out.append('"');
    }
}
