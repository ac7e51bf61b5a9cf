package dev.agentpipeline.git;

import dev.agentpipeline.spi.workspace.WorkspaceException;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the git command line: an argument list, never a shell; no terminal prompts ({@code GIT_TERMINAL_PROMPT=0}),
 * messages in English ({@code LC_ALL=C}), the caller's repository variables ({@code GIT_DIR}...) removed so that
 * a JVM started from a git hook cannot redirect a command to another repository, and a time limit after which the
 * process and its children are killed. Immutable and thread-safe.
 */
final class GitCli {

    /** Variables that would make git work on another repository than the one in the working directory. */
    private static final List<String> REPOSITORY_VARIABLES = List.of("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE",
            "GIT_COMMON_DIR", "GIT_OBJECT_DIRECTORY", "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_NAMESPACE",
            "GIT_PREFIX");

    private final String executable;
    private final Duration timeout;

    /**
     * @param executable the git executable ({@code git}, looked up on the PATH, or a path)
     * @param timeout how long one command may take
     */
    GitCli(String executable, Duration timeout) {
        this.executable = executable;
        this.timeout = timeout;
    }

    /** What a command did. */
    record Result(List<String> command, int exitCode, String stdout, String stderr) {

        boolean ok() {
            return exitCode == 0;
        }

        /** Stderr, else stdout, stripped: what to show a person when the command failed. */
        String message() {
            String err = stderr.strip();
            return err.isEmpty() ? stdout.strip() : err;
        }
    }

    String executable() {
        return executable;
    }

    /** @return whether {@code git --version} runs and answers like git */
    boolean available() {
        try {
            Result result = run(null, List.of("--version"));
            return result.ok() && result.stdout().startsWith("git version");
        } catch (WorkspaceException e) {
            return false;
        }
    }

    /**
     * Runs a git command and fails unless it exits with 0.
     *
     * @param dir the working directory
     * @param args the arguments after {@code git}
     * @param code the error code if it fails
     * @param what what was being done, for the message ("Creating workspace story-1")
     * @param fix what to do if it fails
     * @return what it printed
     * @throws WorkspaceException if it cannot start, times out or exits with another code
     */
    Result require(Path dir, List<String> args, String code, String what, String fix) {
        Result result = run(dir, args);
        if (!result.ok()) {
            throw new WorkspaceException(code, what + " failed: `" + String.join(" ", result.command()) + "` in "
                    + dir + " exited with " + result.exitCode() + ": " + result.message(), fix, null);
        }
        return result;
    }

    /**
     * Runs a git command.
     *
     * @param dir the working directory, or null for the current one
     * @param args the arguments after {@code git}
     * @return what it did
     * @throws WorkspaceException ({@code git_not_found}) if it cannot start, ({@code git_timeout}) if it runs past
     *     the time limit, ({@code interrupted}) if the calling thread is interrupted while waiting
     */
    Result run(Path dir, List<String> args) {
        List<String> command = new ArrayList<>(args.size() + 1);
        command.add(executable);
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command);
        if (dir != null) {
            builder.directory(dir.toFile());
        }
        Map<String, String> environment = builder.environment();
        REPOSITORY_VARIABLES.forEach(environment::remove);
        environment.put("GIT_TERMINAL_PROMPT", "0");
        environment.put("LC_ALL", "C");
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new WorkspaceException("git_not_found", "Cannot run `" + String.join(" ", command) + "`"
                    + (dir == null ? "" : " in " + dir) + ": " + e.getMessage(),
                    "Install git (2.17 or newer) and put it on the PATH, or build the provider with "
                            + "GitWorkspaceProvider.builder(...).gitCommandLine(false) to work with local clones.", e);
        }
        Drain out = new Drain(process.getInputStream(), "git-stdout");
        Drain err = new Drain(process.getErrorStream(), "git-stderr");
        try {
            process.getOutputStream().close(); // git reads nothing from us: end of input at once
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                kill(process);
                throw new WorkspaceException("git_timeout", "`" + String.join(" ", command) + "`"
                        + (dir == null ? "" : " in " + dir) + " ran longer than " + timeout.toSeconds()
                        + " s and was stopped. Output so far: " + err.text(Duration.ofSeconds(1)).strip(),
                        "Check what git waits for (a lock held by another git process, a hook, a network remote), "
                                + "or allow more time with GitWorkspaceProvider.builder(...).commandTimeout(...).",
                        null);
            }
            return new Result(command, process.exitValue(), out.text(timeout), err.text(timeout));
        } catch (InterruptedException e) {
            kill(process);
            Thread.currentThread().interrupt();
            throw new WorkspaceException("interrupted", "Interrupted while waiting for `" + String.join(" ", command)
                    + "`" + (dir == null ? "" : " in " + dir) + "; the command was stopped.",
                    "Retry the operation; the workspace may need `git worktree prune` if it was being created.", e);
        } catch (IOException e) {
            kill(process);
            throw new UncheckedIOException(e);
        }
    }

    private static void kill(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    /** Reads a stream to its end on a thread of its own, so that neither stream can fill up and block git. */
    private static final class Drain {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final Thread thread;

        Drain(InputStream in, String name) {
            thread = new Thread(() -> {
                try (in) {
                    in.transferTo(bytes);
                } catch (IOException ignored) {
                    // the process was killed or closed the stream; what was read is kept
                }
            }, name);
            thread.setDaemon(true);
            thread.start();
        }

        String text(Duration wait) throws InterruptedException {
            thread.join(Math.max(1, wait.toMillis()));
            synchronized (bytes) {
                return bytes.toString(StandardCharsets.UTF_8);
            }
        }
    }
}
