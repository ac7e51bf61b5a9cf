package dev.agentpipeline.cli.daemon;

import dev.agentpipeline.cli.CdsTraining;
import dev.agentpipeline.cli.PipelineMain;

import org.apiguardian.api.API;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;

import static org.apiguardian.api.API.Status.INTERNAL;

/**
 * A long-lived JVM that runs the quick {@code pipeline} commands for {@link PipelineClient}s: it has the command
 * line loaded and warm, so a {@code status} costs the client's start-up plus a few milliseconds instead of a whole
 * JVM wiring Guice and parsing the pipeline's definition.
 *
 * <pre>
 * java -cp pipeline-cli.jar dev.agentpipeline.cli.daemon.PipelineDaemon --dir bin/.daemon/&lt;key&gt; --idle-seconds 600
 * </pre>
 *
 * <p>Nobody starts it by hand: a client starts one in the background when none answers. It
 * <ol>
 *   <li>checks (or creates) its directory: private to this user (0700), see {@link DaemonFiles};</li>
 *   <li>takes the directory's lock file for its whole life - of two daemons started at once, the second exits
 *       quietly (exit code 0) once the first listens;</li>
 *   <li>warms up: runs the common commands in a throw-away project ({@link CdsTraining#runCommonCommands()});</li>
 *   <li>deletes a socket left by a dead daemon, listens on {@code sock} (mode 0600) and writes {@code pid};</li>
 *   <li>serves each connection on its own thread: one request, see {@link Protocol}. A RUN request of the same
 *       build key is answered ACCEPTED, then run with {@code new PipelineMain().run(args, out, err, workingDir,
 *       env)} - a fresh command line, injector and stores each time, so the daemon keeps nothing of a project
 *       between requests and files edited by hand are seen - and answered with its exit code and the bytes it
 *       wrote. Concurrent requests run concurrently (the stores lock each run across threads and processes); past
 *       {@value #MAX_CONCURRENT} at once a request is declined (its client runs the command itself).</li>
 * </ol>
 *
 * <p>It exits, removing its socket and pid file and finishing the commands it is running (for up to
 * {@value #DRAIN_SECONDS} seconds): after {@code --idle-seconds} without a request; when a request comes with
 * another build key and its own jar (or JDK) changed on disk since it started - the jar was rebuilt, it answers
 * RETIRED so that the client starts a daemon of the new build; on {@code pipeline daemon stop}; and on SIGTERM or
 * SIGINT. Requests from another user are declined (besides the directory's permissions, the peer's credentials
 * are checked where the platform gives them), and so are those of a client in a sandbox the daemon is not in: the
 * build key holds the process's confinement on Linux ({@link Protocol#confinement()}). Its stdout and stderr are its
 * log, {@code daemon.log} in its directory; it never logs through SLF4J.
 *
 * <p>To do without it: {@code PIPELINE_DAEMON=off} (see {@link PipelineClient}).
 *
 * @since 0.1
 */
@API(status = INTERNAL, since = "0.1")
public final class PipelineDaemon {

    static final String DIR_OPTION = "--dir";
    static final String IDLE_OPTION = "--idle-seconds";
    /** Requests served at once; past them a request is declined. */
    static final int MAX_CONCURRENT = 64;
    /** How long a daemon stopping waits for the commands it runs. */
    static final int DRAIN_SECONDS = 30;
    private static final long REQUEST_TIMEOUT_MILLIS = 10_000;
    /** How long a daemon waits for the lock: longer than a stopping daemon takes to finish its commands. */
    private static final long LOCK_WAIT_MILLIS = (DRAIN_SECONDS + 10) * 1000L;
    private static final int WARM_UP_ROUNDS = 3;

    /** What runs one command line: {@link PipelineMain#run}, or a stand-in in tests. */
    @FunctionalInterface
    interface Commands {
        int run(String[] args, PrintStream out, PrintStream err, Path workingDir, Map<String, String> env);
    }

    private final Path dir;
    private final Path socket;
    private final String classPath;
    private final String buildKey;
    private final long idleNanos;
    private final Commands commands;
    private final PrintStream log;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final Instant startedAt = Instant.now();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong threads = new AtomicLong();
    private final AtomicInteger connections = new AtomicInteger();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final ScheduledExecutorService timer;
    private final Object state = new Object();
    private boolean closing;
    private int active;
    private volatile long lastActivity = System.nanoTime();
    private ServerSocketChannel server;
    private UserPrincipal owner;

    private PipelineDaemon(Path dir, String classPath, long idleSeconds, Commands commands, PrintStream log,
                           FileChannel lockChannel, FileLock lock) {
        this.dir = dir;
        this.socket = dir.resolve(DaemonFiles.SOCKET);
        this.classPath = classPath;
        this.buildKey = Protocol.buildKey(classPath);
        this.idleNanos = TimeUnit.SECONDS.toNanos(idleSeconds);
        this.commands = commands;
        this.log = log;
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "pipeline-daemon-timer");
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Takes a daemon directory: checks (or creates) it, then waits for its lock.
     *
     * @param dir the daemon directory
     * @param classPath the class path this daemon was started with (its build key is made of it)
     * @param idleSeconds seconds without a request after which it stops
     * @param commands what runs a command line
     * @param log where it reports
     * @return the daemon, not serving yet; null when another daemon has the directory
     * @throws IOException if the directory is not private to this user or cannot be created
     */
    static PipelineDaemon open(Path dir, String classPath, long idleSeconds, Commands commands, PrintStream log)
            throws IOException {
        String problem = DaemonFiles.createPrivateDirectory(dir);
        if (problem != null) {
            throw new IOException("refusing the daemon directory: " + problem);
        }
        Path socket = dir.resolve(DaemonFiles.SOCKET);
        FileChannel channel = FileChannel.open(dir.resolve(DaemonFiles.LOCK), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LOCK_WAIT_MILLIS);
        try {
            while (true) {
                FileLock lock;
                try {
                    lock = channel.tryLock();
                } catch (OverlappingFileLockException e) {
                    lock = null; // a daemon of this JVM has it
                }
                if (lock != null) {
                    return new PipelineDaemon(dir, classPath, idleSeconds, commands, log, channel, lock);
                }
                // another daemon has the lock: it serves (or will), or it is stopping and lets go soon
                if (answers(socket) || System.nanoTime() > deadline) {
                    channel.close();
                    return null;
                }
                Thread.sleep(50);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            channel.close();
            return null;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    private static boolean answers(Path socket) {
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            probe.connect(UnixDomainSocketAddress.of(socket));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Listens: deletes a socket left by a dead daemon (nobody else can listen on it: this daemon has the lock),
     * binds, makes the socket private, writes the pid file and starts accepting.
     *
     * @throws IOException if it cannot listen
     */
    void serve() throws IOException {
        synchronized (state) {
            if (closing) {
                return;
            }
            Files.deleteIfExists(socket);
            server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(socket), MAX_CONCURRENT);
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
            owner = Files.getOwner(socket, LinkOption.NOFOLLOW_LINKS);
            Path pidTemp = dir.resolve(DaemonFiles.PID + ".tmp");
            Files.writeString(pidTemp, ProcessHandle.current().pid() + "\n", StandardCharsets.UTF_8);
            Files.move(pidTemp, dir.resolve(DaemonFiles.PID), StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
            lastActivity = System.nanoTime();
        }
        report("listening on " + socket + " (idle timeout " + TimeUnit.NANOSECONDS.toSeconds(idleNanos) + " s)");
        start("pipeline-daemon-accept", this::acceptLoop);
        start("pipeline-daemon-idle", this::idleLoop);
    }

    private void start(String name, Runnable body) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        thread.start();
    }

    private void acceptLoop() {
        while (true) {
            SocketChannel channel;
            try {
                channel = server.accept();
            } catch (ClosedChannelException e) {
                return; // stopping
            } catch (IOException e) {
                if (isClosing()) {
                    return;
                }
                report("accept failed: " + e);
                pause(100); // out of file descriptors, say: do not spin
                continue;
            }
            lastActivity = System.nanoTime();
            if (connections.incrementAndGet() > 2 * MAX_CONCURRENT) { // a flood: its clients run their commands
                connections.decrementAndGet();
                closeQuietly(channel);
                continue;
            }
            start("pipeline-daemon-request-" + threads.incrementAndGet(), () -> {
                try {
                    handle(channel);
                } finally {
                    connections.decrementAndGet();
                }
            });
        }
    }

    private void idleLoop() {
        while (!isClosing()) {
            long idleFor = System.nanoTime() - lastActivity;
            boolean busy;
            synchronized (state) {
                busy = active > 0;
            }
            if (!busy && idleFor >= idleNanos) {
                shutdown("idle for " + TimeUnit.NANOSECONDS.toSeconds(idleNanos) + " s");
                return;
            }
            pause(TimeUnit.NANOSECONDS.toMillis(busy ? idleNanos : idleNanos - idleFor) + 1);
        }
    }

    // ------------------------------------------------------------------------------------------------ requests

    private void handle(SocketChannel channel) {
        try {
            answer(channel);
        } catch (IOException e) {
            // a malformed request (answered, so that its client runs the command itself), or a client gone
            decline(channel, "bad request: " + e.getMessage());
        } catch (RuntimeException | Error e) {
            report("request failed: " + e); // the client sees the connection close without an answer
        } finally {
            closeQuietly(channel);
            lastActivity = System.nanoTime();
        }
    }

    private void answer(SocketChannel channel) throws IOException {
        ByteBuffer body;
        ScheduledFuture<?> timeout = timer.schedule(() -> closeQuietly(channel), REQUEST_TIMEOUT_MILLIS,
                TimeUnit.MILLISECONDS);
        try {
            body = Protocol.readFrame(channel, Protocol.MAX_REQUEST);
        } catch (EOFException e) {
            return; // a daemon checking that this one answers, or a client gone
        } finally {
            timeout.cancel(false);
        }
        String peer = peerProblem(channel);
        if (peer != null) {
            report(peer);
            decline(channel, peer);
            return;
        }
        int version = Protocol.version(body);
        if (version != Protocol.VERSION) {
            notServed(channel, "protocol version " + version + "; this daemon speaks version " + Protocol.VERSION);
            return;
        }
        byte type = Protocol.type(body);
        if (type == Protocol.RUN) {
            run(channel, body);
        } else if (type == Protocol.STATUS || type == Protocol.STOP) {
            String clientKey = Protocol.string(body);
            Protocol.end(body);
            if (type == Protocol.STATUS) {
                Protocol.writeFully(channel, Protocol.textFrame(Protocol.INFO, status(clientKey)));
            } else {
                Protocol.writeFully(channel, Protocol.textFrame(Protocol.INFO, Protocol.json("ok", Boolean.TRUE,
                        "stopped", Boolean.TRUE, "pid", ProcessHandle.current().pid(), "directory",
                        dir.toString())));
                shutdown("stopped by `pipeline daemon stop`");
            }
        } else {
            decline(channel, "unknown request type " + type);
        }
    }

    /**
     * A decoded RUN request.
     *
     * @param buildKey the client's build key
     * @param workingDir the directory the command runs in, absolute
     * @param args the arguments
     * @param env the command line's environment variables, all {@code PIPELINE_*}
     */
    record RunRequest(String buildKey, Path workingDir, String[] args, Map<String, String> env) {
    }

    /**
     * Decodes the payload of a RUN request.
     *
     * @param body the body, positioned at the payload
     * @return the request
     * @throws IOException if it is malformed: truncated, trailing bytes, counts beyond the body, a relative working
     *     directory, a variable that is not {@code PIPELINE_*}
     */
    static RunRequest readRun(ByteBuffer body) throws IOException {
        String clientKey = Protocol.string(body);
        String workingDir = Protocol.string(body);
        int argCount = Protocol.int32(body);
        if (argCount < 0 || argCount > body.remaining() / 4) {
            throw new IOException("malformed request: " + Integer.toUnsignedString(argCount) + " arguments");
        }
        String[] args = new String[argCount];
        for (int i = 0; i < argCount; i++) {
            args[i] = Protocol.string(body);
        }
        int envCount = Protocol.int32(body);
        if (envCount < 0 || envCount > body.remaining() / 8) {
            throw new IOException("malformed request: " + Integer.toUnsignedString(envCount)
                    + " environment variables");
        }
        Map<String, String> env = new HashMap<>();
        for (int i = 0; i < envCount; i++) {
            String name = Protocol.string(body);
            String value = Protocol.string(body);
            if (!name.startsWith("PIPELINE_")) {
                throw new IOException("malformed request: environment variable " + name + " is not PIPELINE_*");
            }
            env.put(name, value);
        }
        Protocol.end(body);
        Path cwd;
        try {
            cwd = Path.of(workingDir);
        } catch (InvalidPathException e) {
            throw new IOException("malformed request: working directory " + workingDir + ": " + e.getMessage());
        }
        if (!cwd.isAbsolute()) {
            throw new IOException("malformed request: working directory " + workingDir + " is not absolute");
        }
        return new RunRequest(clientKey, cwd, args, env);
    }

    private void run(SocketChannel channel, ByteBuffer body) throws IOException {
        RunRequest request = readRun(body);
        String clientKey = request.buildKey();
        Path cwd = request.workingDir();
        String[] args = request.args();
        Map<String, String> env = request.env();
        if (!clientKey.equals(buildKey)) {
            notServed(channel, "the client is of another build or in a sandbox");
            return;
        }
        synchronized (state) {
            if (closing) {
                Protocol.writeFully(channel, Protocol.textFrame(Protocol.RETIRED, "the daemon is stopping"));
                return;
            }
            if (active >= MAX_CONCURRENT) {
                decline(channel, "busy: " + active + " commands running");
                return;
            }
            active++;
        }
        try {
            Protocol.writeFully(channel, Protocol.accepted());
            requests.incrementAndGet();
            Capture out = new Capture();
            Capture err = new Capture();
            int exitCode;
            try (PrintStream o = new PrintStream(out, false, StandardCharsets.UTF_8);
                 PrintStream e = new PrintStream(err, false, StandardCharsets.UTF_8)) {
                exitCode = commands.run(args, o, e, cwd, env);
            }
            if (out.overflowed || err.overflowed || out.size() + (long) err.size() > Protocol.MAX_REPLY - 64) {
                report("the answer of " + String.join(" ", args) + " is larger than " + Protocol.MAX_REPLY
                        + " bytes; dropped");
                return; // the client sees the connection close after ACCEPTED
            }
            Protocol.writeFully(channel, Protocol.result(exitCode, out.bytes(), out.size(), err.bytes(),
                    err.size()));
        } finally {
            synchronized (state) {
                active--;
                state.notifyAll();
            }
        }
    }

    /**
     * Answers a request this daemon will not serve because the client's build (key or protocol) differs: if this
     * daemon's own jar or JDK changed since it started, it is the stale one - it stops, and the client starts a
     * daemon of the new build; otherwise the client is the stale one, and just runs its command itself.
     */
    private void notServed(SocketChannel channel, String why) throws IOException {
        String now = Protocol.buildKey(classPath);
        if (!now.equals(buildKey)) {
            shutdown("its class path or JDK changed on disk (" + why + ")");
            Protocol.writeFully(channel, Protocol.textFrame(Protocol.RETIRED, "the daemon is of an older build: "
                    + why));
        } else {
            decline(channel, why);
        }
    }

    private void decline(SocketChannel channel, String why) {
        try {
            Protocol.writeFully(channel, Protocol.textFrame(Protocol.DECLINED, why));
        } catch (IOException | RuntimeException e) {
            // the client is gone: nothing to tell
        }
    }

    /** @return null when the peer is this user (or the platform does not say), else why it is refused */
    private String peerProblem(SocketChannel channel) {
        UnixDomainPrincipal peer;
        try {
            peer = channel.getOption(ExtendedSocketOptions.SO_PEERCRED);
        } catch (IOException | UnsupportedOperationException e) {
            return null; // the directory's permissions are the guard
        }
        if (peer == null || owner == null || peer.user().getName().equals(owner.getName())) {
            return null;
        }
        return "a connection from user " + peer.user().getName() + " refused: this daemon serves "
                + owner.getName() + " only";
    }

    private String status(String clientKey) {
        long requestCount = requests.get();
        int running;
        synchronized (state) {
            running = active;
        }
        long now = System.nanoTime();
        return Protocol.json("ok", Boolean.TRUE,
                "running", Boolean.TRUE,
                "pid", ProcessHandle.current().pid(),
                "directory", dir.toString(),
                "current", Boolean.valueOf(clientKey.equals(buildKey)),
                "started_at", startedAt.toString(),
                "requests", requestCount,
                "active_requests", running,
                "idle_seconds", TimeUnit.NANOSECONDS.toSeconds(now - lastActivity),
                "idle_timeout_seconds", TimeUnit.NANOSECONDS.toSeconds(idleNanos),
                "java", System.getProperty("java.home") + " " + System.getProperty("java.vm.version"));
    }

    // --------------------------------------------------------------------------------------------- stopping

    /**
     * Stops: no more connections, socket and pid file removed at once, then - on a thread of its own - the running
     * commands finished (up to {@value #DRAIN_SECONDS} seconds) and the lock released. Idempotent.
     *
     * @param reason for the log
     */
    void shutdown(String reason) {
        synchronized (state) {
            if (closing) {
                return;
            }
            closing = true;
        }
        report("stopping: " + reason);
        if (server != null) {
            closeQuietly(server);
            try {
                Files.deleteIfExists(socket);
                Files.deleteIfExists(dir.resolve(DaemonFiles.PID));
            } catch (IOException e) {
                report("could not remove the socket or pid file: " + e);
            }
        }
        Thread drain = new Thread(this::drain, "pipeline-daemon-stop");
        drain.setDaemon(true);
        drain.start();
    }

    private void drain() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DRAIN_SECONDS);
        synchronized (state) {
            while (active > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    report("stopping with " + active + " commands still running");
                    break;
                }
                try {
                    state.wait(TimeUnit.NANOSECONDS.toMillis(left) + 1);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        try {
            lock.release();
        } catch (IOException e) {
            // closing the channel releases it too
        }
        closeQuietly(lockChannel);
        timer.shutdownNow();
        report("stopped after " + requests.get() + " requests");
        stopped.countDown();
    }

    /**
     * Waits for {@link #shutdown} to finish.
     *
     * @param timeout how long at most
     * @return whether it finished
     */
    boolean awaitStopped(Duration timeout) {
        try {
            return stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private boolean isClosing() {
        synchronized (state) {
            return closing;
        }
    }

    /** @return the requests this daemon ran */
    long requests() {
        return requests.get();
    }

    private void report(String message) {
        log.println(Instant.now() + " daemon " + ProcessHandle.current().pid() + ": " + message);
        log.flush();
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(java.io.Closeable closeable) {
        try {
            closeable.close();
        } catch (IOException ignored) {
            // closing is all that is left to do
        }
    }

    // ------------------------------------------------------------------------------------------------ main

    /**
     * Runs a daemon until it stops, then exits 0; exits 0 at once when another daemon has the directory, 2 on bad
     * arguments or an unsafe directory (reported on stderr, the daemon's log).
     *
     * @param args {@code --dir <daemon directory> --idle-seconds <seconds>}
     */
    public static void main(String[] args) {
        PrintStream log = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
        Path dir = null;
        long idleSeconds = PipelineClient.DEFAULT_IDLE_SECONDS;
        for (int i = 0; i + 1 < args.length && args.length % 2 == 0; i += 2) {
            if (args[i].equals(DIR_OPTION)) {
                dir = Path.of(args[i + 1]).toAbsolutePath().normalize();
            } else if (args[i].equals(IDLE_OPTION)) {
                try {
                    idleSeconds = Long.parseLong(args[i + 1]);
                } catch (NumberFormatException e) {
                    idleSeconds = -1;
                }
            } else {
                dir = null;
                break;
            }
        }
        if (dir == null || idleSeconds < 1 || idleSeconds > PipelineClient.MAX_IDLE_SECONDS) {
            log.println("usage: PipelineDaemon " + DIR_OPTION + " <daemon directory> [" + IDLE_OPTION
                    + " <1.." + PipelineClient.MAX_IDLE_SECONDS + ">]");
            System.exit(2);
            return;
        }
        PipelineMain.prepareProcess(Map.of());
        PipelineDaemon daemon;
        try {
            daemon = open(dir, System.getProperty("java.class.path"), idleSeconds,
                    (a, out, err, cwd, env) -> new PipelineMain().run(a, out, err, cwd, env), log);
        } catch (IOException e) {
            log.println(Instant.now() + " daemon " + ProcessHandle.current().pid() + ": " + e.getMessage());
            System.exit(2);
            return;
        }
        if (daemon == null) {
            log.println(Instant.now() + " daemon " + ProcessHandle.current().pid() + ": another daemon has " + dir
                    + "; exiting");
            System.exit(0);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            daemon.shutdown("signalled");
            daemon.awaitStopped(Duration.ofSeconds(DRAIN_SECONDS + 5));
        }, "pipeline-daemon-shutdown"));
        daemon.report("started, warming up");
        try {
            for (int round = 0; round < WARM_UP_ROUNDS && !daemon.isClosing(); round++) {
                CdsTraining.runCommonCommands();
            }
            daemon.serve();
        } catch (IOException | RuntimeException e) {
            daemon.report("cannot serve: " + e);
            daemon.shutdown("cannot serve");
        }
        daemon.awaitStopped(Duration.ofDays(3650));
        System.exit(0);
    }

    /** A command's output, kept up to what a reply can carry. */
    private static final class Capture extends ByteArrayOutputStream {

        boolean overflowed;

        Capture() {
            super(1024);
        }

        @Override
        public synchronized void write(int b) {
            if (count + 1 > Protocol.MAX_REPLY) {
                overflowed = true;
                return;
            }
            super.write(b);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            if ((long) count + len > Protocol.MAX_REPLY) {
                overflowed = true;
                return;
            }
            super.write(b, off, len);
        }

        byte[] bytes() {
            return buf;
        }
    }
}
