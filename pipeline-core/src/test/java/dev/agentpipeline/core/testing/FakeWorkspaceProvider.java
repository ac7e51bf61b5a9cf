package dev.agentpipeline.core.testing;

import dev.agentpipeline.spi.workspace.DiffStats;
import dev.agentpipeline.spi.workspace.MergeResult;
import dev.agentpipeline.spi.workspace.SavedWork;
import dev.agentpipeline.spi.workspace.Workspace;
import dev.agentpipeline.spi.workspace.WorkspaceException;
import dev.agentpipeline.spi.workspace.WorkspaceProvider;
import dev.agentpipeline.spi.workspace.WorkspaceSpec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A {@link WorkspaceProvider} of plain directories that records what it was asked to do: for testing what the
 * runtime does with workspaces without git. Commits are counters ({@code c1}, {@code c2}...). Thread-safe.
 */
public final class FakeWorkspaceProvider implements WorkspaceProvider {

    private final Path root;
    private final Map<String, Workspace> workspaces = new TreeMap<>();
    private final Map<String, String> branches = new LinkedHashMap<>();
    private final List<String> calls = Collections.synchronizedList(new ArrayList<>());
    private int commits;
    private List<String> createWarnings = List.of();
    private boolean inPlace;
    private String remote;
    private DiffStats stats = new DiffStats(2, 30, 4);
    private WorkspaceException createFailure;

    /**
     * @param root where workspace directories are made
     */
    public FakeWorkspaceProvider(Path root) {
        this.root = root;
        branches.put("main", "c0");
    }

    /** @param warnings warnings the next creations report (a patch that did not apply) @return this */
    public FakeWorkspaceProvider warnOnCreate(List<String> warnings) {
        this.createWarnings = List.copyOf(warnings);
        return this;
    }

    /** @param failure what creations throw from now on @return this */
    public FakeWorkspaceProvider failOnCreate(WorkspaceException failure) {
        this.createFailure = failure;
        return this;
    }

    /** @param value whether creations are in place @return this */
    public FakeWorkspaceProvider inPlace(boolean value) {
        this.inPlace = value;
        return this;
    }

    /** @param name a remote saved work is pushed to @return this */
    public FakeWorkspaceProvider remote(String name) {
        this.remote = name;
        return this;
    }

    /** @param value the diff stats to answer @return this */
    public FakeWorkspaceProvider stats(DiffStats value) {
        this.stats = value;
        return this;
    }

    /** @return every call, as {@code "create story-US001 feature/... start=c3"}, oldest first */
    public List<String> calls() {
        synchronized (calls) {
            return List.copyOf(calls);
        }
    }

    /**
     * @param branch a branch
     * @return the commit it points to
     */
    public synchronized Optional<String> branch(String branch) {
        return Optional.ofNullable(branches.get(branch));
    }

    /** Makes the next head change, as a stage's commit would. */
    public synchronized void commitOnBranch(String branch) {
        branches.put(branch, "c" + (++commits));
    }

    @Override
    public synchronized Workspace create(WorkspaceSpec spec) {
        calls.add("create " + spec.name() + " " + spec.branch() + spec.startPoint().map(s -> " start=" + s).orElse("")
                + (spec.carryUncommittedChanges() ? " carry" : ""));
        if (createFailure != null) {
            throw createFailure;
        }
        if (workspaces.containsKey(spec.name())) {
            throw new WorkspaceException("workspace_exists", "Workspace " + spec.name() + " exists", "", null);
        }
        Path directory = inPlace ? root.getParent() : root.resolve(spec.name());
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String start = spec.startPoint().orElse(branches.getOrDefault(spec.branch(), branches.get("main")));
        branches.put(spec.branch(), start);
        Workspace workspace = new Workspace(spec.name(), directory, spec.branch(), branches.get("main"),
                inPlace ? Workspace.Kind.IN_PLACE : Workspace.Kind.LINKED_WORKTREE, createWarnings);
        if (!inPlace) {
            workspaces.put(spec.name(), workspace);
        }
        return workspace;
    }

    @Override
    public synchronized Optional<Workspace> find(String name) {
        return Optional.ofNullable(workspaces.get(name));
    }

    @Override
    public synchronized List<Workspace> list() {
        return List.copyOf(workspaces.values());
    }

    @Override
    public synchronized String head(Workspace workspace) {
        return branches.get(workspace.branch());
    }

    @Override
    public synchronized String commitAll(Workspace workspace, String message, boolean allowEmpty) {
        calls.add("commit " + workspace.name() + " " + message);
        commitOnBranch(workspace.branch());
        return branches.get(workspace.branch());
    }

    @Override
    public synchronized DiffStats diffStats(Workspace workspace) {
        return stats;
    }

    @Override
    public synchronized SavedWork savePartialWork(Workspace workspace, String message) {
        calls.add("save " + workspace.name() + " " + message);
        commitOnBranch(workspace.branch());
        if (workspace.kind() != Workspace.Kind.IN_PLACE) {
            workspaces.remove(workspace.name());
        }
        return new SavedWork(workspace.branch(), branches.get(workspace.branch()), Optional.ofNullable(remote),
                Optional.empty());
    }

    @Override
    public synchronized void remove(Workspace workspace, boolean force) {
        calls.add("remove " + workspace.name() + (force ? " force" : ""));
        workspaces.remove(workspace.name());
    }

    @Override
    public synchronized MergeResult merge(String branch, String into, String message) {
        calls.add("merge " + branch + " " + into);
        branches.put(into, "c" + (++commits));
        return new MergeResult(MergeResult.Status.MERGED, Optional.of(branches.get(into)), List.of());
    }

    @Override
    public synchronized boolean isMerged(String branch, String into) {
        return branches.getOrDefault(branch, "").equals(branches.get(into));
    }

    @Override
    public String baseBranch() {
        return "main";
    }

    @Override
    public Path repository() {
        return root.toAbsolutePath().getParent().getParent(); // <project>/.pipeline/worktrees
    }
}
