package dev.agentpipeline.bench;

import dev.agentpipeline.git.GitWorkspaceProvider;
import dev.agentpipeline.spi.workspace.WorkspaceSpec;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Creating a workspace with {@link GitWorkspaceProvider#create} versus {@code git worktree add} on the same
 * repository, in the same run.
 *
 * <p><b>What it compares.</b> At setup, a repository of {@code files} text files (5,000 by default: 50 directories
 * of 100 files of about 1 KB) is generated on a real disk (see {@link BenchFiles}; tmpfs is refused), committed once
 * on {@code main} with the git command line and packed ({@code git repack -a -d}), as a cloned repository is. Each
 * operation then creates one workspace on a new branch from {@code main}, in a directory next to the repository:
 * <ul>
 *   <li>{@code AGENT_PIPELINE}: {@code GitWorkspaceProvider.create(WorkspaceSpec.builder(name, branch).build())}:
 *       open the repository with JGit, detect the base branch, look for uncommitted changes to carry (none here:
 *       the default spec asks to carry them, so the working tree is scanned), then
 *       {@code git worktree add -b <branch> -- <dir> <commit>};</li>
 *   <li>{@code AGENT_PIPELINE_NO_CARRY}: the same with {@code carryUncommittedChanges(false)}: what the scan costs;</li>
 *   <li>{@code GIT_WORKTREE_ADD}: {@code git worktree add -b <branch> <dir> main} started with {@link ProcessBuilder}
 *       (an argument list, as the provider does), waited for, its exit code checked.</li>
 * </ul>
 * Each operation is one iteration ({@link Mode#SingleShotTime}); removing the workspace
 * ({@code git worktree remove --force}, {@code git branch -D}) and a {@code sync} happen in the iteration's
 * tear-down, outside the measured time, the same way for all three: each measurement starts with nothing left to
 * write back.
 *
 * <p><b>Target.</b> {@code AGENT_PIPELINE} at most 1.2x {@code GIT_WORKTREE_ADD} (median of the iterations).
 * Results: {@code docs/benchmarks.md}.
 *
 * <p><b>Run it</b> (from the repository root; about 4 minutes on a disk where a 5,000-file checkout takes 1.6 s, then
 * about 4 for the rounds):
 * <pre>
 * mvn -B -q -pl pipeline-bench -am package -DskipTests
 * java -jar pipeline-bench/target/benchmarks.jar WorkspaceCreate -f 1 -wi 5 -i 20
 * # the ratio in short alternating rounds (see Rounds):
 * java -cp pipeline-bench/target/benchmarks.jar dev.agentpipeline.bench.Rounds 4 AGENT_PIPELINE GIT_WORKTREE_ADD \
 *     WorkspaceCreate -p tool=AGENT_PIPELINE,GIT_WORKTREE_ADD -f 1 -wi 2 -i 6
 * # the provider's own cost, where git's checkout no longer hides it, add:  -p files=100
 * # on another disk, add:  -jvmArgsAppend -Dbench.dir=/path/on/that/disk
 * </pre>
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5)
@Measurement(iterations = 20)
@Fork(1)
@State(Scope.Benchmark)
public class WorkspaceCreateBenchmark {

    /** How a workspace is created. */
    public enum Tool {
        /** {@link GitWorkspaceProvider#create} with the default spec (carrying uncommitted changes). */
        AGENT_PIPELINE,
        /** {@link GitWorkspaceProvider#create} without carrying uncommitted changes. */
        AGENT_PIPELINE_NO_CARRY,
        /** {@code git worktree add -b <branch> <dir> main}. */
        GIT_WORKTREE_ADD
    }

    @Param
    Tool tool;

    /** How many files the repository has. */
    @Param("5000")
    int files;

    private Path base;
    private Path repository;
    private Path root;
    private GitWorkspaceProvider provider;
    private int counter;
    private String name;
    private String branch;

    @Setup(Level.Trial)
    public void createRepository() throws IOException {
        base = BenchFiles.createDiskDirectory("workspace-create-bench-");
        repository = Files.createDirectories(base.resolve("repo"));
        root = Files.createDirectories(base.resolve("worktrees"));
        int perDirectory = 100;
        StringBuilder content = new StringBuilder();
        for (int i = 0; i < files; i++) {
            content.setLength(0);
            for (int line = 0; line < 25; line++) {
                content.append("file ").append(i).append(" line ").append(line).append(": some source text\n");
            }
            Path file = repository.resolve(String.format("module-%02d/src/File%04d.txt", i / perDirectory, i));
            Files.createDirectories(file.getParent());
            Files.writeString(file, content, StandardCharsets.UTF_8);
        }
        git("init", "-q", "-b", "main");
        git("add", "-A");
        git("-c", "user.name=Bench", "-c", "user.email=bench@example.com", "commit", "-q", "-m", "Generated");
        git("repack", "-a", "-d", "-q");
        git("prune");
        sync();
        provider = GitWorkspaceProvider.builder(repository, root).gitCommandLine(true).build();
        System.out.println("# " + files + " files committed and packed in " + repository);
    }

    @Setup(Level.Iteration)
    public void nextName() {
        counter++;
        name = "ws-" + counter;
        branch = "bench/" + tool.name().toLowerCase() + "-" + counter;
    }

    @Benchmark
    public Object create() {
        switch (tool) {
            case AGENT_PIPELINE:
                return provider.create(WorkspaceSpec.builder(name, branch).build());
            case AGENT_PIPELINE_NO_CARRY:
                return provider.create(WorkspaceSpec.builder(name, branch).carryUncommittedChanges(false).build());
            case GIT_WORKTREE_ADD:
                return git("worktree", "add", "-b", branch, root.resolve(name).toString(), "main");
            default:
                throw new IllegalStateException(String.valueOf(tool));
        }
    }

    @TearDown(Level.Iteration)
    public void removeWorkspace() {
        Path dir = root.resolve(name);
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException("The workspace " + dir + " was not created");
        }
        git("worktree", "remove", "--force", dir.toString());
        git("branch", "-q", "-D", branch);
        sync();
    }

    /**
     * Writes the page cache back to the disk, so that an iteration does not pay for the files the previous one
     * wrote or deleted (5 MB of new files per workspace; the kernel would write them back seconds later, in the
     * middle of the next measurement).
     */
    private void sync() {
        try {
            Process process = new ProcessBuilder("sync").redirectErrorStream(true).start();
            process.getInputStream().transferTo(OutputStream.nullOutputStream());
            if (process.waitFor() != 0) {
                throw new IllegalStateException("sync exited with " + process.exitValue());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot run sync", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @TearDown(Level.Trial)
    public void deleteRepository() {
        BenchFiles.delete(base);
    }

    /** Runs git in the repository and returns its output; fails on a non-zero exit. */
    private String git(String... args) {
        List<String> command = new ArrayList<>();
        command.add("git");
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(repository.toFile())
                .redirectErrorStream(true);
        builder.environment().put("GIT_TERMINAL_PROMPT", "0");
        builder.environment().put("LC_ALL", "C");
        try {
            Process process = builder.start();
            process.getOutputStream().close();
            ByteArrayOutputStream output = new ByteArrayOutputStream();
            try (InputStream in = process.getInputStream()) {
                in.transferTo(output);
            }
            int exit = process.waitFor();
            if (exit != 0) {
                throw new IllegalStateException(command + " in " + repository + " exited with " + exit + ": "
                        + output.toString(StandardCharsets.UTF_8));
            }
            return output.toString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
