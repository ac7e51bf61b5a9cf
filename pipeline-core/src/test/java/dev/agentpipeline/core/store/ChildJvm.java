package dev.agentpipeline.core.store;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A JVM of its own running a main class of the test sources, on the test class path: a second process for the
 * tests whose behaviour depends on one (OS file locks, a kill). Started fast: C1 only, serial GC, no logging.
 * Its standard error goes to a file, read back when it fails.
 */
final class ChildJvm implements AutoCloseable {

    private final Process process;
    private final BufferedReader out;
    private final Path stderr;

    private ChildJvm(Process process, Path stderr) {
        this.process = process;
        this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        this.stderr = stderr;
    }

    /**
     * @param main the class whose {@code main} runs
     * @param stderr where the child's standard error goes
     * @param args its arguments
     * @return the running child
     */
    static ChildJvm start(Class<?> main, Path stderr, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-XX:+UseSerialGC");
        command.add("-Xshare:auto");
        command.add("-XX:-UsePerfData");
        command.add("-Dslf4j.provider=org.slf4j.helpers.NOP_FallbackServiceProvider");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(main.getName());
        command.addAll(List.of(args));
        try {
            Process process = new ProcessBuilder(command)
                    .redirectError(ProcessBuilder.Redirect.appendTo(stderr.toFile()))
                    .start();
            return new ChildJvm(process, stderr);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return the next line the child printed, or null once its output ended */
    String readLine() {
        try {
            return out.readLine();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Reads lines until one equals {@code expected}.
     *
     * @throws AssertionError if the output ends first
     */
    void expectLine(String expected) {
        for (String line = readLine(); ; line = readLine()) {
            if (line == null) {
                throw new AssertionError("child ended before printing " + expected + ": " + diagnostics());
            }
            if (line.equals(expected)) {
                return;
            }
        }
    }

    /** Sends a line to the child's standard input. */
    void send(String line) {
        try {
            process.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
            process.getOutputStream().flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Kills the child with SIGKILL (on Linux) and waits until it is gone. */
    void kill() {
        process.destroyForcibly();
        awaitExit();
    }

    /** @return the child's exit code, once it exited */
    int awaitExit() {
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("child did not exit: " + diagnostics());
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** @return the child's pid and what it wrote to standard error */
    String diagnostics() {
        String errors;
        try {
            errors = Files.exists(stderr) ? Files.readString(stderr) : "";
        } catch (IOException e) {
            errors = e.toString();
        }
        return "pid " + process.pid() + (process.isAlive() ? " (alive)" : " (exit " + process.exitValue() + ")")
                + ", stderr: " + errors;
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
        try {
            out.close();
        } catch (IOException ignored) {
            // the child is gone
        }
    }
}
