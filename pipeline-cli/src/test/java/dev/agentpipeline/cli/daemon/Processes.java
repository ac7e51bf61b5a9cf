package dev.agentpipeline.cli.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentpipeline.core.internal.Json;

import java.io.File;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Real client and daemon processes on the test class path, for tests: every process it starts, and every daemon a
 * client started in its daemon directory, is ended by {@link #close()} (by process id), so no test leaves a daemon
 * behind. Waiting is bounded: for a process to end or a socket to answer.
 */
final class Processes implements AutoCloseable {

    static final long WAIT_SECONDS = 120;

    private final Path scratch;
    private final List<Process> started = new ArrayList<>();
    private final List<Path> daemonDirs = new ArrayList<>();
    private final AtomicInteger counter = new AtomicInteger();

    /** @param scratch where process output goes */
    Processes(Path scratch) {
        this.scratch = scratch;
    }

    /** What a process answered. */
    record Result(int exitCode, String stdout, String stderr) {

        Map<String, Object> json() {
            return Json.parseObject(exitCode == 2 ? stderr : stdout);
        }

        Result expectOk() {
            assertThat(exitCode).as("exit code (stdout %s, stderr %s)", stdout, stderr).isZero();
            assertThat(stderr).as("stderr").isEmpty();
            return this;
        }
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** The test's class path: Surefire's real one when it runs the tests through a manifest-only jar. */
    static String classPath() {
        String surefire = System.getProperty("surefire.test.class.path");
        return surefire != null && !surefire.isBlank() ? surefire : System.getProperty("java.class.path");
    }

    /** The environment of a child: this one's, without anything of the pipeline, CI or JVM options. */
    static Map<String, String> baseEnvironment(Map<String, String> env) {
        env.keySet().removeIf(key -> key.startsWith("PIPELINE_") || key.equals("CI") || key.equals("JAVA_TOOL_OPTIONS")
                || key.equals("JDK_JAVA_OPTIONS") || key.equals("_JAVA_OPTIONS"));
        return env;
    }

    /**
     * Runs a client process to its end.
     *
     * @param workingDir where it runs
     * @param env variables on top of the {@linkplain #baseEnvironment base environment}
     * @param jvmOptions options of its JVM (system properties, say)
     * @param args the command line
     * @return what it answered
     */
    Result client(Path workingDir, Map<String, String> env, List<String> jvmOptions, String... args)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(java(), "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData",
                "-Xshare:auto"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", classPath(), PipelineClient.class.getName()));
        command.addAll(List.of(args));
        int n = counter.incrementAndGet();
        Path out = scratch.resolve("client-" + n + ".out");
        Path err = scratch.resolve("client-" + n + ".err");
        ProcessBuilder builder = new ProcessBuilder(command).directory(workingDir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        baseEnvironment(builder.environment()).putAll(env);
        noteDaemonDir(env);
        Process process = builder.start();
        started.add(process);
        awaitExit(process, "client " + List.of(args));
        return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    Result client(Path workingDir, Map<String, String> env, String... args) throws IOException, InterruptedException {
        return client(workingDir, env, List.of(), args);
    }

    /** Starts a client process and returns at once; its output goes to {@code <name>.out} and {@code .err}. */
    Process startClient(Path workingDir, Map<String, String> env, String name, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(java(), "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData",
                "-Xshare:auto", "-cp", classPath(), PipelineClient.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(workingDir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(scratch.resolve(name + ".out").toFile())
                .redirectError(scratch.resolve(name + ".err").toFile());
        baseEnvironment(builder.environment()).putAll(env);
        noteDaemonDir(env);
        Process process = builder.start();
        started.add(process);
        return process;
    }

    Result resultOf(Process process, String name) throws IOException, InterruptedException {
        awaitExit(process, name);
        return new Result(process.exitValue(), Files.readString(scratch.resolve(name + ".out"), StandardCharsets.UTF_8),
                Files.readString(scratch.resolve(name + ".err"), StandardCharsets.UTF_8));
    }

    /**
     * Starts a daemon process.
     *
     * @param dir its directory
     * @param idleSeconds its idle timeout
     * @param classPath its class path (its build key)
     * @return the process; its output goes to {@code <dir>.daemon-<n>.log} in the scratch directory
     */
    Process startDaemon(Path dir, long idleSeconds, String classPath) throws IOException {
        daemonDirs.add(dir);
        List<String> command = List.of(java(), "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-XX:-UsePerfData",
                "-Xshare:auto", "-cp", classPath, PipelineDaemon.class.getName(), PipelineDaemon.DIR_OPTION,
                dir.toString(), PipelineDaemon.IDLE_OPTION, Long.toString(idleSeconds));
        ProcessBuilder builder = new ProcessBuilder(command).directory(scratch.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true)
                .redirectOutput(scratch.resolve("daemon-" + counter.incrementAndGet() + ".log").toFile());
        baseEnvironment(builder.environment());
        Process process = builder.start();
        started.add(process);
        return process;
    }

    Process startDaemon(Path dir) throws IOException {
        return startDaemon(dir, 600, classPath());
    }

    private void noteDaemonDir(Map<String, String> env) {
        String dir = env.get(PipelineClient.DIR_ENV);
        if (dir != null && !daemonDirs.contains(Path.of(dir))) {
            daemonDirs.add(Path.of(dir));
        }
    }

    /**
     * Waits until a daemon listens in a directory: its pid file is written and its socket accepts a connection.
     *
     * @return the daemon's process id
     */
    static long awaitListening(Path dir) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (System.nanoTime() < deadline) {
            Optional<Long> pid = pid(dir);
            if (pid.isPresent() && answers(dir)) {
                return pid.get();
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no daemon listened in " + dir + " within " + WAIT_SECONDS + " s");
    }

    static boolean answers(Path dir) {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(dir.resolve(DaemonFiles.SOCKET)));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static Optional<Long> pid(Path dir) {
        try {
            return Optional.of(Long.parseLong(Files.readString(dir.resolve(DaemonFiles.PID)).trim()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** Waits for a process to end. */
    static void awaitExit(Process process, String what) throws InterruptedException {
        if (!process.waitFor(WAIT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(what + " did not end within " + WAIT_SECONDS + " s");
        }
    }

    /** Waits for a process, known by its id, to end. */
    static void awaitExit(long pid) throws InterruptedException {
        Optional<ProcessHandle> handle = ProcessHandle.of(pid);
        if (handle.isEmpty()) {
            return;
        }
        try {
            handle.get().onExit().get(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new AssertionError("process " + pid + " did not end within " + WAIT_SECONDS + " s", e);
        }
    }

    /** The processes whose command line names a daemon directory: the daemons started in it, by anyone. */
    static List<ProcessHandle> daemonsOf(Path dir) {
        String needle = PipelineDaemon.DIR_OPTION + " " + dir;
        List<ProcessHandle> found = new ArrayList<>();
        ProcessHandle.allProcesses().forEach(handle -> {
            String commandLine = commandLine(handle);
            if (commandLine.contains(needle) && commandLine.contains(PipelineDaemon.class.getName())) {
                found.add(handle);
            }
        });
        return found;
    }

    /**
     * The whole command line of a process, arguments joined by spaces; empty if it has ended. Read from
     * {@code /proc/<pid>/cmdline} where there is one: the JDK's {@code ProcessHandle.Info.commandLine()} reads only
     * the first page of it, so a long class path hides the arguments that follow it.
     */
    static String commandLine(ProcessHandle handle) {
        Path proc = Path.of("/proc", Long.toString(handle.pid()), "cmdline");
        try {
            byte[] bytes = Files.readAllBytes(proc);
            int end = bytes.length > 0 && bytes[bytes.length - 1] == 0 ? bytes.length - 1 : bytes.length;
            return new String(bytes, 0, end, StandardCharsets.UTF_8).replace('\0', ' ');
        } catch (IOException e) {
            return handle.info().commandLine().orElse("");
        }
    }

    /** Ends every process started here, and every daemon of the directories used here. */
    @Override
    public void close() throws InterruptedException {
        for (Process process : started) {
            if (process.isAlive()) {
                process.destroy();
            }
        }
        for (Path dir : daemonDirs) {
            for (ProcessHandle daemon : daemonsOf(dir)) {
                daemon.destroy(); // SIGTERM: the daemon removes its socket and pid file
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        for (Process process : started) {
            long left = deadline - System.nanoTime();
            if (!process.waitFor(Math.max(left, 0), TimeUnit.NANOSECONDS)) {
                process.destroyForcibly();
            }
        }
        for (Path dir : daemonDirs) {
            for (ProcessHandle daemon : daemonsOf(dir)) {
                try {
                    daemon.onExit().get(Math.max(deadline - System.nanoTime(), 0), TimeUnit.NANOSECONDS);
                } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                    daemon.destroyForcibly();
                }
            }
        }
    }

    /** The environment of a client that uses a daemon directory. */
    static Map<String, String> daemonEnv(Path dir, String... more) {
        Map<String, String> env = new HashMap<>();
        env.put(PipelineClient.DIR_ENV, dir.toString());
        env.put(PipelineClient.DAEMON_ENV, "on");
        for (int i = 0; i < more.length; i += 2) {
            env.put(more[i], more[i + 1]);
        }
        return env;
    }
}
