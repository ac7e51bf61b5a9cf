package dev.agentpipeline.stages;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * One run of a program: started as an argument list (no shell) with exactly the given environment, its output
 * written straight to two files, watched for its time limit, for silence (neither file grows) and for
 * cancellation, and stopped with all its descendants when one of them comes.
 */
final class ProgramRun {

    /** How a run ended. */
    enum End {
        /** The program exited by itself. */
        EXITED,
        /** It could not be started. */
        START_FAILED,
        /** It ran past the time limit. */
        TIMEOUT,
        /** It wrote nothing for the idle limit. */
        IDLE,
        /** The attempt was canceled. */
        CANCELLED
    }

    /** What happened: how it ended, its exit status (-1 when it did not exit by itself), the start error. */
    record Result(End end, int exitCode, Duration elapsed, String error) {
    }

    private final List<String> command;
    private final Path directory;
    private final Map<String, String> environment;
    private final Path stdin;
    private final Path stdout;
    private final Path stderr;
    private final Duration timeout;
    private final Duration idleTimeout;
    private final Duration poll;
    private final Duration killGrace;
    private final LongSupplier nanoTime;

    ProgramRun(List<String> command, Path directory, Map<String, String> environment, Path stdin, Path stdout,
               Path stderr, Duration timeout, Duration idleTimeout, Duration poll, Duration killGrace,
               LongSupplier nanoTime) {
        this.command = List.copyOf(command);
        this.directory = directory;
        this.environment = Map.copyOf(environment);
        this.stdin = stdin;
        this.stdout = stdout;
        this.stderr = stderr;
        this.timeout = timeout;
        this.idleTimeout = idleTimeout;
        this.poll = poll;
        this.killGrace = killGrace;
        this.nanoTime = nanoTime;
    }

    /**
     * Runs the program to its end.
     *
     * @param cancelled polled while it runs
     * @throws InterruptedException if the thread is interrupted; the program and its descendants are stopped first
     */
    Result run(BooleanSupplier cancelled) throws InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(directory.toFile())
                .redirectOutput(stdout.toFile())
                .redirectError(stderr.toFile())
                .redirectInput(stdin != null ? ProcessBuilder.Redirect.from(stdin.toFile())
                        : ProcessBuilder.Redirect.PIPE);
        builder.environment().clear();
        builder.environment().putAll(environment);
        long started = nanoTime.getAsLong();
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            return new Result(End.START_FAILED, -1, Duration.ZERO, e.getMessage());
        }
        if (stdin == null) {
            try {
                process.getOutputStream().close(); // the program reads an empty input
            } catch (IOException ignored) {
                // it exited already or closed its input: nothing to feed anyway
            }
        }
        long lastOutput = started;
        long size = sizes();
        try {
            while (true) {
                if (process.waitFor(poll.toMillis(), TimeUnit.MILLISECONDS)) {
                    return new Result(End.EXITED, process.exitValue(), since(started), null);
                }
                long now = nanoTime.getAsLong();
                long newSize = sizes();
                if (newSize != size) {
                    size = newSize;
                    lastOutput = now;
                }
                End end = null;
                if (cancelled.getAsBoolean()) {
                    end = End.CANCELLED;
                } else if (now - started >= timeout.toNanos()) {
                    end = End.TIMEOUT;
                } else if (now - lastOutput >= idleTimeout.toNanos()) {
                    end = End.IDLE;
                }
                if (end != null) {
                    stopTree(process);
                    return new Result(end, -1, since(started), null);
                }
            }
        } catch (InterruptedException e) {
            stopTree(process);
            throw e;
        }
    }

    private Duration since(long started) {
        return Duration.ofNanos(nanoTime.getAsLong() - started);
    }

    private long sizes() {
        return size(stdout) + size(stderr);
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0;
        }
    }

    /**
     * Stops a process and every descendant: politely (SIGTERM) first, then, after the grace period, forcibly. The
     * descendants are listed before the parent is stopped, since orphans no longer count as its descendants.
     */
    private void stopTree(Process process) {
        List<ProcessHandle> tree = new ArrayList<>();
        tree.add(process.toHandle());
        process.descendants().forEach(tree::add);
        tree.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + killGrace.toNanos();
        for (ProcessHandle handle : tree) {
            long left = deadline - System.nanoTime();
            if (left > 0) {
                try {
                    handle.onExit().get(left, TimeUnit.NANOSECONDS);
                } catch (Exception e) {
                    // still alive, or we were interrupted: forced below
                }
            }
        }
        process.descendants().forEach(tree::add);
        tree.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
        try {
            process.waitFor(killGrace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Where a program is: a name with a '/' is a path relative to the workspace; a bare name is looked up on the
     * {@code PATH} the program gets.
     *
     * @return the file, or null when there is none
     */
    static Path locate(String program, Path workspace, String path) {
        if (program.contains("/")) {
            Path file = workspace.resolve(program).normalize();
            return Files.isRegularFile(file) ? file : null;
        }
        Path notExecutable = null;
        for (String dir : path == null ? new String[0] : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path file = Path.of(dir).resolve(program);
            if (Files.isRegularFile(file)) {
                if (Files.isExecutable(file)) {
                    return file;
                }
                notExecutable = notExecutable == null ? file : notExecutable;
            }
        }
        return notExecutable;
    }

    /** Says where {@link #locate} looked, for the message of a missing program. */
    static String whereLooked(String program, Path workspace, String path) {
        if (program.contains("/")) {
            return "no file " + workspace.resolve(program).normalize();
        }
        return path == null || path.isEmpty() ? "the program's environment has no PATH (add PATH to env_allow)"
                : "not on the PATH " + path;
    }

    /** The last characters of a file (for classifying and quoting output), empty when it does not exist. */
    static String tail(Path file, int chars) throws IOException {
        if (!Files.exists(file)) {
            return "";
        }
        try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
            long length = in.length();
            long from = Math.max(0, length - chars);
            byte[] bytes = new byte[(int) (length - from)];
            in.seek(from);
            in.readFully(bytes);
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }
}
