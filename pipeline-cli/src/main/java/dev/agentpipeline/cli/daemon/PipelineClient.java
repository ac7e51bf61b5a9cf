package dev.agentpipeline.cli.daemon;

import dev.agentpipeline.cli.PipelineMain;
import dev.agentpipeline.cli.wiring.CliSettings;

import org.apiguardian.api.API;

import java.io.File;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import static org.apiguardian.api.API.Status.INTERNAL;

/**
 * The {@code pipeline} command as {@code bin/pipeline} starts it: a small JVM that hands quick commands to a
 * long-lived {@link PipelineDaemon} (which has the command line loaded and warm) and prints its answer, or runs the
 * command line in this JVM ({@link PipelineMain}) when no daemon can serve. Either way the answer, its bytes on
 * stdout and stderr and the exit code are the same; only the time differs (a warm daemon answers {@code status} in
 * a few milliseconds, where a JVM spends a few hundred loading Guice and the pipeline's definition).
 *
 * <h2>How a call goes</h2>
 * <ol>
 *   <li>Bypass: the command runs in this JVM, no daemon involved, when {@code PIPELINE_DAEMON=off}; when {@code CI}
 *       is set (to anything but {@code false} or {@code 0}: CI jobs leave no background processes behind) unless
 *       {@code PIPELINE_DAEMON=on}; when {@code PIPELINE_LOG} asks for logs (they are written by the process that
 *       runs the command); for commands that are long or stream progress ({@code run}, {@code demo}) and anything
 *       else outside the quick ones ({@code start status advance checkpoint record-stage-summary record-loop-health
 *       pause resume cancel complete repair help --help --version}); without a daemon directory (see below); on
 *       Windows; when the socket path would be too long for the platform; and when plugin jars are in play
 *       ({@code --plugin-path}, {@code PIPELINE_PLUGIN_PATH}, or a {@code *.jar} in the project's
 *       {@code .pipeline/plugins/}): the process that runs the command loads them, in a class loader of the call,
 *       so a jar rebuilt between two calls is always the one used and no plugin code stays in a daemon.</li>
 *   <li>Otherwise it checks the daemon directory and socket (owned by this user, no group or other access,
 *       see {@link DaemonFiles}), connects, and sends the arguments, the working directory, the {@code PIPELINE_*}
 *       variables the command line reads ({@code PIPELINE_STATE_DIR PIPELINE_LOCK_TIMEOUT_MS PIPELINE_LOG
 *       PIPELINE_PLUGIN_PATH}) and its
 *       build key (the daemon's class path entries with size and time, the JDK, and on Linux what confines the
 *       process): see {@link Protocol}.</li>
 *   <li>A daemon of the same build answers ACCEPTED, runs the command and answers its exit code and output, which
 *       this JVM writes out unchanged.</li>
 *   <li>When nothing answers (no socket, a socket left by a dead daemon, a refused connection) the command runs in
 *       this JVM, and then, once the answer is written, a daemon is started in the background - unless one is
 *       already starting (its lock file is locked). A daemon of another build answers RETIRED and exits: same.
 *       Any other failure before ACCEPTED (busy daemon, protocol error, an unsafe directory) runs the command here
 *       without starting anything, and says nothing on stdout or stderr.</li>
 *   <li>If the connection fails after ACCEPTED (the daemon died running the command), {@code status}, help and
 *       the version run again here; any other command answers a {@code daemon_failed} error, since it may or may
 *       not have taken effect.</li>
 * </ol>
 *
 * <h2>Settings</h2>
 * <table>
 *   <caption>Settings of the client</caption>
 *   <tr><th>setting</th><th>source</th><th>default</th></tr>
 *   <tr><td>use the daemon</td><td>{@value #DAEMON_ENV}: {@code auto}, {@code on} or {@code off}</td>
 *       <td>{@code auto}: on, except in CI</td></tr>
 *   <tr><td>daemon directory</td><td>{@value #DIR_ENV}, else system property {@value #HOME_PROPERTY} (set by
 *       {@code bin/pipeline} to {@code bin/.daemon}) plus a hash of the java executable</td>
 *       <td>none: no daemon</td></tr>
 *   <tr><td>idle timeout of a daemon it starts</td><td>{@value #IDLE_ENV}, whole seconds from 1 to 604800</td>
 *       <td>600</td></tr>
 *   <tr><td>java of the daemon</td><td>system property {@value #JAVA_PROPERTY}</td><td>this JVM's</td></tr>
 *   <tr><td>class path of the daemon</td><td>system property {@value #CLASS_PATH_PROPERTY}</td>
 *       <td>this JVM's</td></tr>
 *   <tr><td>class-data-sharing archive of the daemon</td><td>system property {@value #CDS_PROPERTY}</td>
 *       <td>none</td></tr>
 * </table>
 *
 * <p>{@code pipeline daemon status} answers whether a daemon runs and what it did; {@code pipeline daemon stop}
 * stops it (and waits for its process to end). Both answer JSON on stdout whatever the settings above.
 *
 * <p>To turn the daemon off: {@code PIPELINE_DAEMON=off} (every command then runs in this JVM, as before the
 * daemon existed), and {@code pipeline daemon stop} to end a running one.
 *
 * <h2>Security</h2>
 * A daemon serves the user who started it and nobody else: its directory must be owned by that user with no group
 * or other permissions (0700) and its socket must be that user's socket with mode 0600 - both checked by the client
 * before it connects and by the daemon before it listens, and refused (never repaired) otherwise; the daemon also
 * declines connections whose peer credentials name another user. A request carries the command line's arguments,
 * working directory and {@code PIPELINE_*} variables, nothing that runs: what a caller could do through the daemon
 * it can do by running the command itself - unless the caller is confined more than the daemon, so on Linux the
 * build key includes the mount namespace and the no_new_privs and seccomp modes, and a sandboxed client whose
 * sandbox lets it reach a daemon started outside runs its commands itself. No shell is involved anywhere (the
 * daemon is started from an argument list).
 *
 * <h2>Cost</h2>
 * Start-up is the whole point of this class, so its fast path (connect, send, print) is written with a tiny JDK
 * surface: no lambdas, streams, regular expressions or formatting, and none of picocli, Guice, Jackson, SLF4J or
 * the pipeline's core (tests check both). {@code bin/pipeline} runs it from a jar of its own classes with a
 * class-data-sharing archive of its own (which holds the command line's classes too, for the calls it runs
 * itself). Measured on a 2-core Linux machine with JDK 17: a hello world takes ~41 ms, {@code bin/pipeline status}
 * through a warm daemon ~70-78 ms, in-process ~195-200 ms. Of the ~30 ms over a hello world, ~17 ms initialise the
 * JDK's Unix domain sockets (the method handles of their lambdas, the SecureRandom of
 * {@code sun.nio.ch.UnixDomainSockets}), ~5 ms relocate the larger archive, ~2 ms are the daemon's work.
 *
 * @since 0.1
 */
@API(status = INTERNAL, since = "0.1")
public final class PipelineClient {

    /** Environment variable: {@code auto} (default), {@code on} or {@code off}. */
    public static final String DAEMON_ENV = "PIPELINE_DAEMON";
    /** Environment variable: the daemon directory, instead of the launcher's. */
    public static final String DIR_ENV = "PIPELINE_DAEMON_DIR";
    /** Environment variable: seconds without a request after which a daemon this client starts exits. */
    public static final String IDLE_ENV = "PIPELINE_DAEMON_IDLE_SECONDS";
    /** System property: the directory under which the launcher keeps one daemon directory per java executable. */
    public static final String HOME_PROPERTY = "pipeline.daemon.home";
    /** System property: the java executable a daemon runs on. */
    public static final String JAVA_PROPERTY = "pipeline.daemon.java";
    /** System property: the class path a daemon runs with. */
    public static final String CLASS_PATH_PROPERTY = "pipeline.daemon.classpath";
    /** System property: the class-data-sharing archive a daemon starts with. */
    public static final String CDS_PROPERTY = "pipeline.daemon.cds";

    /** The idle timeout of a daemon when {@value #IDLE_ENV} is not set: ten minutes. */
    public static final long DEFAULT_IDLE_SECONDS = 600;
    static final long MAX_IDLE_SECONDS = 604_800;

    /** The environment variables of the command line that a daemon's command gets from the client. */
    static final String[] FORWARDED_ENV = {
        CliSettings.STATE_DIR_ENV, CliSettings.LOCK_TIMEOUT_ENV, CliSettings.LOG_ENV, CliSettings.PLUGIN_PATH_ENV,
    };

    private static final String[] QUICK_COMMANDS = {
        "status", "start", "advance", "checkpoint", "record-stage-summary", "record-loop-health", "pause",
        "resume", "decide", "cancel", "complete", "repair", "help", "-h", "--help", "-V", "--version",
    };
    private static final String[] READ_ONLY_COMMANDS = {"status", "help", "-h", "--help", "-V", "--version"};
    private static final String PROJECT_DIR = "--project-dir";
    private static final String PLUGIN_PATH = "--plugin-path";
    /** The project's folder of plugin jars (PluginPath.FOLDER, not referenced: the client loads no CLI class). */
    private static final String PLUGIN_FOLDER = ".pipeline" + File.separator + "plugins";
    private static final String DAEMON_MAIN = "dev.agentpipeline.cli.daemon.PipelineDaemon";
    private static final long MAX_LOG_BYTES = 1 << 20;
    private static final long STOP_WAIT_MILLIS = 40_000;

    // outcomes of forward() that are not exit codes
    static final int NO_DAEMON = -1;
    static final int NOT_SERVED = -2;
    static final int RETIRED = -3;
    static final int LOST = -4;

    private final Map<String, String> env;
    private final String workingDir;
    private final String java;
    private final String classPath;
    private final String cdsArchive;
    private final Path dir;
    private final String mode;
    private final long idleSeconds;
    private final String settingsError;
    private String lostReason;

    PipelineClient(Map<String, String> env, String workingDir, String java, String classPath, String cdsArchive,
                   String home) {
        this.env = env;
        this.workingDir = workingDir;
        this.java = java;
        this.classPath = classPath;
        this.cdsArchive = cdsArchive == null || cdsArchive.isEmpty() ? null : cdsArchive;
        String error = null;
        String value = trimmed(env.get(DAEMON_ENV));
        if (value.isEmpty() || value.equalsIgnoreCase("auto")) {
            value = "auto";
        } else if (value.equalsIgnoreCase("on") || value.equalsIgnoreCase("off")) {
            value = value.toLowerCase(Locale.ROOT);
        } else {
            error = Protocol.json("ok", Boolean.FALSE,
                    "error", DAEMON_ENV + " must be auto, on or off (got '" + printable(value) + "')",
                    "code", "invalid_env",
                    "fix", "Unset " + DAEMON_ENV + " (or set it to auto) to use the daemon outside CI, set it to"
                            + " off to run every command in its own JVM, or on to use the daemon in CI too.");
        }
        this.mode = value;
        long idle = DEFAULT_IDLE_SECONDS;
        String idleValue = trimmed(env.get(IDLE_ENV));
        if (!idleValue.isEmpty() && error == null) {
            idle = wholeNumber(idleValue);
            if (idle < 1 || idle > MAX_IDLE_SECONDS) {
                error = Protocol.json("ok", Boolean.FALSE,
                        "error", IDLE_ENV + " must be a whole number of seconds from 1 to " + MAX_IDLE_SECONDS
                                + " (got '" + printable(idleValue) + "')",
                        "code", "invalid_env",
                        "fix", "Set for example " + IDLE_ENV + "=600, or unset it for the default of "
                                + DEFAULT_IDLE_SECONDS + " seconds.");
            }
        }
        this.idleSeconds = idle;
        Path daemonDir = null;
        String dirValue = env.get(DIR_ENV);
        try {
            if (dirValue != null && !dirValue.isEmpty()) {
                daemonDir = Path.of(workingDir).resolve(dirValue).normalize();
            } else if (home != null && !home.isEmpty()) {
                daemonDir = Path.of(home, Long.toHexString(fnv1a(java)));
            }
        } catch (RuntimeException e) { // an invalid path
            if (error == null) {
                error = Protocol.json("ok", Boolean.FALSE,
                        "error", DIR_ENV + " is not a valid path ('" + printable(dirValue) + "')",
                        "code", "invalid_env",
                        "fix", "Set " + DIR_ENV + " to a directory path, or unset it to use bin/.daemon/.");
            }
        }
        this.dir = daemonDir;
        this.settingsError = error;
    }

    /**
     * Runs one {@code pipeline} command line, through the daemon when it can, and exits with its exit code.
     *
     * @param args the arguments
     */
    public static void main(String[] args) {
        String javaHome = System.getProperty("java.home");
        PipelineClient client = new PipelineClient(System.getenv(), System.getProperty("user.dir"),
                System.getProperty(JAVA_PROPERTY, javaHome + File.separator + "bin" + File.separator + "java"),
                System.getProperty(CLASS_PATH_PROPERTY, System.getProperty("java.class.path")),
                System.getProperty(CDS_PROPERTY), System.getProperty(HOME_PROPERTY));
        System.exit(client.run(args, new FileOutputStream(FileDescriptor.out),
                new FileOutputStream(FileDescriptor.err)));
    }

    /**
     * Runs one command line: the daemon's answer, or this JVM's.
     *
     * @param args the arguments
     * @param out where a daemon's (and this client's) stdout goes
     * @param err where a daemon's (and this client's) stderr goes
     * @return the exit code
     */
    int run(String[] args, OutputStream out, OutputStream err) {
        if (settingsError != null) {
            write(err, settingsError);
            return 2;
        }
        if (args.length > 0 && "daemon".equals(args[0])) {
            return daemonCommand(args, out, err);
        }
        if (bypassReason(args) != null) {
            return inProcess(args, err);
        }
        int outcome = forward(args, out, err);
        if (outcome >= 0) {
            return outcome;
        }
        if (outcome == LOST) {
            note("the daemon's answer to `" + command(args) + "` was lost: " + lostReason);
        }
        if (outcome == LOST && !contains(READ_ONLY_COMMANDS, command(args))) {
            write(err, Protocol.json("ok", Boolean.FALSE,
                    "error", "The pipeline daemon took the command but its answer was lost (" + lostReason
                            + "): the command may or may not have taken effect",
                    "code", "daemon_failed",
                    "fix", "Run `pipeline status` to see what the run recorded and repeat the command if it is"
                            + " missing. " + DAEMON_ENV + "=off runs every command without the daemon; the daemon's"
                            + " log is " + dir.resolve(DaemonFiles.LOG) + "."));
            return 2;
        }
        int exitCode = inProcess(args, err);
        if (outcome == NO_DAEMON || outcome == RETIRED) {
            // a retired daemon still holds the lock while it finishes its commands: its successor waits for it
            startDaemon(outcome == RETIRED);
        }
        return exitCode;
    }

    /**
     * Why this command line runs in this JVM rather than in the daemon.
     *
     * @param args the arguments
     * @return null to use the daemon, else the reason
     */
    String bypassReason(String[] args) {
        String reason = daemonBypassReason();
        if (reason != null) {
            return reason;
        }
        String logLevel = trimmed(env.get(CliSettings.LOG_ENV));
        if (!logLevel.isEmpty() && !logLevel.equalsIgnoreCase("off")) {
            return CliSettings.LOG_ENV + " is set: logs come from the process that runs the command";
        }
        if (!contains(QUICK_COMMANDS, command(args))) {
            return "not a quick command";
        }
        if (contains(args, "--watch")) {
            return "--watch follows a run until it stops";
        }
        return pluginReason(args);
    }

    /**
     * Plugin jars are loaded by the process that runs the command, in a class loader of the call: a daemon would
     * keep running code of jars that may be rebuilt at any time, so a call with plugins runs here.
     *
     * @return why plugins keep the call here, or null when it names none
     */
    String pluginReason(String[] args) {
        for (String arg : args) {
            if (arg.equals(PLUGIN_PATH) || arg.startsWith(PLUGIN_PATH + "=")) {
                return PLUGIN_PATH + " names plugin jars: they are loaded by the process that runs the command";
            }
        }
        if (!trimmed(env.get(CliSettings.PLUGIN_PATH_ENV)).isEmpty()) {
            return CliSettings.PLUGIN_PATH_ENV + " names plugin jars: they are loaded by the process that runs the"
                    + " command";
        }
        File folder = new File(projectDir(args), PLUGIN_FOLDER);
        String[] names = folder.list();
        if (names != null) {
            for (String name : names) {
                if (name.endsWith(".jar")) {
                    return "the project has plugin jars in " + folder + ": they are loaded by the process that runs"
                            + " the command";
                }
            }
        }
        return null;
    }

    /** @return the project directory: the {@code --project-dir} value (anywhere), else the working directory */
    private String projectDir(String[] args) {
        String value = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals(PROJECT_DIR) && i + 1 < args.length) {
                value = args[i + 1];
            } else if (args[i].startsWith(PROJECT_DIR + "=")) {
                value = args[i].substring(PROJECT_DIR.length() + 1);
            }
        }
        if (value == null || value.isEmpty()) {
            return workingDir;
        }
        File dir = new File(value);
        return dir.isAbsolute() ? value : new File(workingDir, value).getPath();
    }

    /** @return null when quick commands go to the daemon, else why not */
    String daemonBypassReason() {
        if (mode.equals("off")) {
            return DAEMON_ENV + "=off";
        }
        if (mode.equals("auto") && isCi()) {
            return "CI is set (" + DAEMON_ENV + "=on uses the daemon in CI too)";
        }
        if (dir == null) {
            return "no daemon directory: bin/pipeline sets one, or set " + DIR_ENV;
        }
        if (File.separatorChar != '/') {
            return "this platform has no Unix domain sockets with Unix permissions";
        }
        if (Protocol.utf8(socket().toString()).length > DaemonFiles.MAX_SOCKET_PATH) {
            return "the socket path " + socket() + " is longer than " + DaemonFiles.MAX_SOCKET_PATH + " bytes";
        }
        return null;
    }

    private boolean isCi() {
        String ci = trimmed(env.get("CI"));
        return !ci.isEmpty() && !ci.equalsIgnoreCase("false") && !ci.equals("0");
    }

    /**
     * @return the word that names the command: the first argument after the global {@code --project-dir} and
     *     {@code --plugin-path}
     */
    static String command(String[] args) {
        int i = 0;
        while (i < args.length) {
            if (args[i].equals(PROJECT_DIR) || args[i].equals(PLUGIN_PATH)) {
                i += 2;
            } else if (args[i].startsWith(PROJECT_DIR + "=") || args[i].startsWith(PLUGIN_PATH + "=")) {
                i++;
            } else {
                return args[i];
            }
        }
        return "";
    }

    // ------------------------------------------------------------------------------------------ the fast path

    /**
     * Hands a command line to the daemon and writes its answer.
     *
     * @param args the arguments
     * @param out where the answer's stdout goes
     * @param err where the answer's stderr goes
     * @return the command's exit code (0 to 255), or {@link #NO_DAEMON}, {@link #NOT_SERVED}, {@link #RETIRED} or
     *     {@link #LOST} when it did not answer (and nothing was written)
     */
    int forward(String[] args, OutputStream out, OutputStream err) {
        Path socket = socket();
        try {
            if (DaemonFiles.directoryProblem(dir) != null || DaemonFiles.socketProblem(socket) != null) {
                return NOT_SERVED; // refused, and left as it is: see `pipeline daemon status`
            }
        } catch (NoSuchFileException e) {
            return NO_DAEMON;
        } catch (IOException e) {
            return NOT_SERVED;
        }
        SocketChannel channel = null;
        try {
            channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            channel.connect(UnixDomainSocketAddress.of(socket));
            ByteBuffer reply;
            try {
                Protocol.writeFully(channel, Protocol.runRequest(Protocol.buildKey(classPath), workingDir, args,
                        forwardedEnv()));
                reply = Protocol.readFrame(channel, Protocol.MAX_REPLY);
            } catch (IOException e) { // refused, reset, closed: the command did not run
                return NO_DAEMON;
            }
            byte type = Protocol.type(reply);
            if (type == Protocol.RETIRED) {
                return RETIRED;
            }
            if (Protocol.version(reply) != Protocol.VERSION || type != Protocol.ACCEPTED) {
                return NOT_SERVED;
            }
            return result(channel, out, err);
        } catch (IOException e) { // no socket to connect to, or a socket nobody listens on
            return NO_DAEMON;
        } finally {
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // nothing to do: the answer, if any, is written
                }
            }
        }
    }

    private int result(SocketChannel channel, OutputStream out, OutputStream err) {
        byte[] stdout;
        byte[] stderr;
        int exitCode;
        try {
            ByteBuffer reply = Protocol.readFrame(channel, Protocol.MAX_REPLY);
            if (Protocol.version(reply) != Protocol.VERSION || Protocol.type(reply) != Protocol.RESULT) {
                lostReason = "the daemon answered a frame of type " + Protocol.type(reply) + " instead of a result";
                return LOST;
            }
            exitCode = Protocol.int32(reply);
            stdout = Protocol.bytes(reply);
            stderr = Protocol.bytes(reply);
            Protocol.end(reply);
        } catch (IOException e) {
            lostReason = e.getMessage();
            return LOST;
        }
        if (exitCode < 0 || exitCode > 255) {
            lostReason = "the daemon answered exit code " + exitCode;
            return LOST;
        }
        // as a PrintStream does, a closed stdout or stderr (a reader gone) is not an error of the command
        if (stdout.length > 0) {
            writeQuietly(out, stdout);
        }
        if (stderr.length > 0) {
            writeQuietly(err, stderr);
        }
        return exitCode;
    }

    private String[] forwardedEnv() {
        int count = 0;
        for (String name : FORWARDED_ENV) {
            if (env.get(name) != null) {
                count++;
            }
        }
        String[] pairs = new String[2 * count];
        int i = 0;
        for (String name : FORWARDED_ENV) {
            String value = env.get(name);
            if (value != null) {
                pairs[i++] = name;
                pairs[i++] = value;
            }
        }
        return pairs;
    }

    private Path socket() {
        return dir.resolve(DaemonFiles.SOCKET);
    }

    // --------------------------------------------------------------------------------- in this JVM, and after

    private int inProcess(String[] args, OutputStream err) {
        try {
            return PipelineMain.runProcess(args);
        } catch (LinkageError e) {
            write(err, Protocol.json("ok", Boolean.FALSE,
                    "error", "The pipeline command line is not on the class path of " + PipelineClient.class.getName()
                            + " (" + e + ")",
                    "code", "launcher_broken",
                    "fix", "Run pipeline through bin/pipeline, which puts pipeline-cli.jar on the class path."));
            return 2;
        }
    }

    /**
     * Starts a daemon in the background, unless the directory is not private or (unless told otherwise) a daemon
     * is starting or running already (it holds the lock). Its input is empty and its output goes to the log in its
     * directory, never to this process's streams (a caller reading them would wait for the daemon's end). Failures
     * are noted in the log, if any.
     *
     * @param evenIfLocked start one even if the lock is held: by a daemon that is stopping
     */
    void startDaemon(boolean evenIfLocked) {
        try {
            String problem = DaemonFiles.createPrivateDirectory(dir);
            if (problem != null || !evenIfLocked && lockHeld()) {
                return;
            }
            Path log = dir.resolve(DaemonFiles.LOG);
            if (Files.isRegularFile(log) && Files.size(log) > MAX_LOG_BYTES) {
                Files.move(log, dir.resolve(DaemonFiles.LOG + ".1"), StandardCopyOption.REPLACE_EXISTING);
            }
            ProcessBuilder builder = new ProcessBuilder(daemonCommandLine()).directory(dir.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            // the daemon's commands get their PIPELINE_* variables from each request, never from the first caller
            Iterator<String> names = builder.environment().keySet().iterator();
            while (names.hasNext()) {
                if (names.next().startsWith("PIPELINE_")) {
                    names.remove();
                }
            }
            builder.start();
        } catch (IOException | RuntimeException e) {
            note("could not start a daemon: " + e);
        }
    }

    /** @return the command line of a daemon process */
    List<String> daemonCommandLine() {
        List<String> command = new ArrayList<>();
        // its own session where setsid exists: no signal of this terminal (Ctrl-C, hang-up) reaches it
        for (String setsid : new String[] {"/usr/bin/setsid", "/bin/setsid"}) {
            if (new File(setsid).canExecute()) {
                command.add(setsid);
                break;
            }
        }
        command.add(java);
        // a background JVM: C1 only and the serial collector with a heap that shrinks back (~65 MB resident warm,
        // ~170 MB with the JVM's default heap sizing)
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-XX:+UseSerialGC");
        command.add("-Xms8m");
        command.add("-XX:MinHeapFreeRatio=10");
        command.add("-XX:MaxHeapFreeRatio=30");
        command.add("-XX:-UsePerfData");
        command.add("-Xshare:auto");
        if (cdsArchive != null) {
            command.add("-XX:SharedArchiveFile=" + cdsArchive);
        }
        command.add("-Xlog:disable");
        command.add("-Xlog:all=warning,cds*=off:stderr");
        command.add("-cp");
        command.add(classPath);
        command.add(DAEMON_MAIN);
        command.add(PipelineDaemon.DIR_OPTION);
        command.add(dir.toString());
        command.add(PipelineDaemon.IDLE_OPTION);
        command.add(Long.toString(idleSeconds));
        return command;
    }

    /** @return whether a process holds the daemon's lock: a daemon runs or is starting */
    private boolean lockHeld() {
        try (FileChannel channel = FileChannel.open(dir.resolve(DaemonFiles.LOCK), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE)) {
            FileLock lock = channel.tryLock();
            if (lock == null) {
                return true;
            }
            lock.release();
            return false;
        } catch (IOException e) {
            return false; // the daemon's own lock decides
        }
    }

    private void note(String message) {
        try {
            if (dir != null && DaemonFiles.directoryProblem(dir) == null) {
                Files.write(dir.resolve(DaemonFiles.LOG), Protocol.utf8(Instant.now() + " client "
                        + ProcessHandle.current().pid() + ": " + message + "\n"), StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND, StandardOpenOption.WRITE);
            }
        } catch (IOException | RuntimeException ignored) {
            // a note is best effort: nothing may reach the caller's streams
        }
    }

    // ---------------------------------------------------------------------------------------- pipeline daemon

    private int daemonCommand(String[] args, OutputStream out, OutputStream err) {
        String sub = args.length > 1 ? args[1] : "";
        if (args.length != 2 || !(sub.equals("status") || sub.equals("stop"))) {
            write(err, Protocol.json("ok", Boolean.FALSE,
                    "error", args.length < 2 ? "No daemon command given"
                            : args.length > 2 ? "Unexpected argument '" + printable(args[2]) + "' after 'daemon "
                            + printable(sub) + "'" : "Unknown daemon command '" + printable(sub) + "'",
                    "code", "unknown_command",
                    "fix", "Use `pipeline daemon status` or `pipeline daemon stop`."));
            return 2;
        }
        String directory = dir == null ? null : dir.toString();
        String bypass = daemonBypassReason();
        String problem = null;
        if (dir != null && File.separatorChar == '/') {
            try {
                problem = DaemonFiles.directoryProblem(dir);
                if (problem == null) {
                    problem = DaemonFiles.socketProblem(socket());
                }
            } catch (NoSuchFileException e) {
                problem = null; // nothing running
            } catch (IOException e) {
                problem = e.toString();
            }
        }
        String info = null;
        long pid = -1;
        if (dir != null && problem == null && File.separatorChar == '/') {
            pid = daemonPid();
            info = ask(sub.equals("stop") ? Protocol.STOP : Protocol.STATUS);
        }
        if (info == null && sub.equals("stop")) {
            write(out, Protocol.json("ok", Boolean.TRUE, "stopped", Boolean.FALSE, "running", Boolean.FALSE,
                    "directory", directory, "problem", problem));
            return 0;
        }
        if (info == null) {
            write(out, Protocol.json("ok", Boolean.TRUE, "running", Boolean.FALSE,
                    "enabled", Boolean.valueOf(bypass == null), "bypass", bypass, "directory", directory,
                    "problem", problem));
            return 0;
        }
        if (sub.equals("stop") && pid > 0 && !awaitExit(pid)) {
            write(err, Protocol.json("ok", Boolean.FALSE,
                    "error", "The pipeline daemon (process " + pid + ") did not stop within "
                            + STOP_WAIT_MILLIS / 1000 + " seconds",
                    "code", "daemon_stop_timeout",
                    "fix", "It may be finishing a long command; try again, or end it with `kill " + pid + "`."));
            return 2;
        }
        write(out, info);
        return 0;
    }

    /** @return the daemon's INFO answer to a STATUS or STOP request, or null when none answers */
    private String ask(byte type) {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket()));
            Protocol.writeFully(channel, Protocol.textFrame(type, Protocol.buildKey(classPath)));
            ByteBuffer reply = Protocol.readFrame(channel, Protocol.MAX_REPLY);
            if (Protocol.version(reply) != Protocol.VERSION || Protocol.type(reply) != Protocol.INFO) {
                return null;
            }
            String info = Protocol.string(reply);
            Protocol.end(reply);
            return info;
        } catch (IOException e) {
            return null;
        }
    }

    private long daemonPid() {
        try {
            return Long.parseLong(Files.readString(dir.resolve(DaemonFiles.PID), StandardCharsets.UTF_8).trim());
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static boolean awaitExit(long pid) {
        long deadline = System.nanoTime() + STOP_WAIT_MILLIS * 1_000_000;
        Optional<ProcessHandle> process = ProcessHandle.of(pid);
        while (process.isPresent() && process.get().isAlive()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    // ----------------------------------------------------------------------------------------------- helpers

    private static void write(OutputStream stream, String text) {
        writeQuietly(stream, Protocol.utf8(text));
    }

    private static void writeQuietly(OutputStream stream, byte[] bytes) {
        try {
            stream.write(bytes);
            stream.flush();
        } catch (IOException ignored) {
            // the reader is gone: nothing else to tell it
        }
    }

    private static boolean contains(String[] words, String word) {
        for (String candidate : words) {
            if (candidate.equals(word)) {
                return true;
            }
        }
        return false;
    }

    private static String trimmed(String value) {
        return value == null ? "" : value.trim();
    }

    private static long wholeNumber(String text) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static String printable(String value) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < value.length() && i < 80; i++) {
            char c = value.charAt(i);
            out.append(Character.isISOControl(c) ? '?' : c);
        }
        return value.length() > 80 ? out.append("...").toString() : out.toString();
    }

    /** FNV-1a, 64 bits: a short, stable directory name for a java executable's path. */
    static long fnv1a(String text) {
        long hash = 0xcbf29ce484222325L;
        for (int i = 0; i < text.length(); i++) {
            hash ^= text.charAt(i);
            hash *= 0x100000001b3L;
        }
        return hash;
    }
}
