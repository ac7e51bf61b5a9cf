package dev.agentpipeline.git;

import dev.agentpipeline.spi.workspace.DiffStats;
import dev.agentpipeline.spi.workspace.MergeResult;
import dev.agentpipeline.spi.workspace.SavedWork;
import dev.agentpipeline.spi.workspace.Workspace;
import dev.agentpipeline.spi.workspace.WorkspaceException;
import dev.agentpipeline.spi.workspace.WorkspaceProvider;
import dev.agentpipeline.spi.workspace.WorkspaceSpec;

import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.ResetCommand;
import org.eclipse.jgit.api.Status;
import org.eclipse.jgit.api.errors.AbortedByHookException;
import org.eclipse.jgit.api.errors.EmptyCommitException;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.api.errors.UnmergedPathsException;
import org.eclipse.jgit.diff.DiffEntry;
import org.eclipse.jgit.diff.DiffFormatter;
import org.eclipse.jgit.diff.Edit;
import org.eclipse.jgit.diff.RawTextComparator;
import org.eclipse.jgit.errors.AmbiguousObjectException;
import org.eclipse.jgit.errors.IncorrectObjectTypeException;
import org.eclipse.jgit.errors.MissingObjectException;
import org.eclipse.jgit.errors.RevisionSyntaxException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.StoredConfig;
import org.eclipse.jgit.patch.FileHeader;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.revwalk.filter.RevFilter;
import org.eclipse.jgit.submodule.SubmoduleWalk;
import org.eclipse.jgit.treewalk.CanonicalTreeParser;
import org.eclipse.jgit.treewalk.FileTreeIterator;
import org.eclipse.jgit.util.io.DisabledOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.apiguardian.api.API;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.stream.Stream;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * The git implementation of {@link WorkspaceProvider}: every run works in its own linked worktree on its own branch,
 * under one workspace root.
 *
 * <pre>{@code
 * WorkspaceProvider workspaces = GitWorkspaceProvider.builder(projectDir, projectDir.resolve(".pipeline/worktrees"))
 *         .build();
 * Workspace ws = workspaces.create(WorkspaceSpec.builder("story-US001",
 *         GitBranches.featureBranch("US001", "Login form")).build());
 * // ... stages work in ws.directory() ...
 * workspaces.commitAll(ws, "US001: login form", false);
 * workspaces.merge(ws.branch(), workspaces.baseBranch(), "Merge US001: login form");
 * workspaces.remove(ws, false);
 * }</pre>
 *
 * <p><b>How the work is split.</b> JGit does everything it can: opening the repository, finding the base branch,
 * reading and carrying uncommitted changes, committing, diff stats, merging and pushing. JGit cannot create a linked
 * worktree, so {@code git worktree add}, {@code worktree remove} and {@code worktree prune} run on the git command
 * line (an argument list, never a shell; no prompts; a time limit). After creation, JGit opens the worktree through
 * its {@code .git} file like any repository.
 *
 * <p><b>Without a git command line</b> ({@code git --version} fails, or {@link Builder#gitCommandLine(boolean)
 * gitCommandLine(false)}, or the system property {@value #COMMAND_LINE_PROPERTY}{@code =false}) each workspace is a
 * local JGit clone of the repository, at the same place ({@code <root>/<name>}). The workspace's branch is created
 * in the original repository first and the clone checks out only that branch; every commit made through this
 * provider ({@link #commitAll}, {@link #savePartialWork}) is pushed back to the original (a local path, never
 * forced), and {@link #remove} pushes once more before it deletes the clone, so the branch and its commits outlive
 * the clone. Merges, pushes to the real {@code origin} and {@link #isMerged} work on the original repository.
 * A clone is marked with {@code agentpipeline.workspace=<name>} in its config.
 *
 * <p><b>Repository housekeeping.</b> Before it creates a workspace the provider sets {@code gc.auto=0} in the
 * repository's config (and in clones): JGit's garbage collector has deleted a blob that was staged only in
 * another worktree's index, so no automatic collection may run on a repository with workspaces. The provider never
 * runs {@code gc}. When the workspace root lies inside the repository's working tree it is added to
 * {@code .git/info/exclude}, so workspaces never show up as untracked files of the repository.
 *
 * <p><b>Safety.</b> Workspace names are 1 to 100 letters, digits, '.', '_' and '-', not starting with '.' or '-',
 * without '..'; a workspace's real path must be a direct child of the workspace root's real path (a symbolic link
 * there is refused); branch names must be valid ref names ({@code git check-ref-format}); nothing is force-pushed;
 * merges are computed in memory first and touch nothing on a conflict; a workspace with uncommitted changes is
 * removed only with {@code force}; branches are never deleted (except one this provider created a moment before
 * in a creation that then failed).
 *
 * <p>Thread-safe: the provider is immutable and opens the repository afresh for each operation; operations on
 * different workspaces may run at the same time, from several threads or processes, and git's lock files guard
 * what they share.
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class GitWorkspaceProvider implements WorkspaceProvider {

    /** System property that, set to {@code false}, makes providers work with clones even where git is installed. */
    public static final String COMMAND_LINE_PROPERTY = "agentpipeline.git.commandLine";

    /** How long one git command or push may take unless the builder says otherwise. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(2);

    /** The config section that marks clones made by this provider. */
    static final String CONFIG_SECTION = "agentpipeline";
    static final String CONFIG_WORKSPACE = "workspace";

    private static final Logger LOG = LoggerFactory.getLogger(GitWorkspaceProvider.class);

    private final Layout layout;
    private final Path root;
    private final GitCli cli;
    private final String configuredBase;
    private final Duration timeout;

    private GitWorkspaceProvider(Layout layout, Path root, GitCli cli, String configuredBase, Duration timeout) {
        this.layout = layout;
        this.root = root;
        this.cli = cli;
        this.configuredBase = configuredBase;
        this.timeout = timeout;
    }

    /**
     * Starts building a provider.
     *
     * @param repository a directory inside the repository's working tree, not null
     * @param workspaceRoot the directory workspaces are made in (created when the first one is), not null
     * @return a builder
     */
    public static Builder builder(Path repository, Path workspaceRoot) {
        return new Builder(repository, workspaceRoot);
    }

    /**
     * A provider with the defaults: the git command line if it is installed, the detected base branch.
     *
     * @param repository a directory inside the repository's working tree, not null
     * @param workspaceRoot the directory workspaces are made in, not null
     * @return the provider, never null
     * @throws WorkspaceException ({@code not_a_repository}) if the directory is not inside a git working tree, or
     *     ({@code unsafe_path}) if the workspace root is inside the repository's git directory
     */
    public static GitWorkspaceProvider open(Path repository, Path workspaceRoot) {
        return builder(repository, workspaceRoot).build();
    }

    /** @return the top directory of the repository's working tree (a real path), never null */
    @Override
    public Path repository() {
        return layout.workTree();
    }

    /** @return the directory workspaces are made in (absolute), never null */
    public Path workspaceRoot() {
        return root;
    }

    /** @return true when workspaces are linked worktrees made with the git command line, false for clones */
    public boolean usesCommandLine() {
        return cli != null;
    }

    // ------------------------------------------------------------------------------------------------ create

    @Override
    public Workspace create(WorkspaceSpec spec) {
        Objects.requireNonNull(spec, "spec");
        String name = Names.requireWorkspaceName(spec.name());
        String branch = Names.requireBranch(spec.branch());
        try (Repository repo = layout.open(); RevWalk walk = new RevWalk(repo)) {
            requireCommits(repo);
            String current = currentBranch(repo);
            if (current != null && GitBranches.isInPlace(current)) {
                return inPlace(repo, walk, name, current, spec);
            }
            Path dir = workspaceDirectory(name);
            if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
                throw new WorkspaceException("workspace_exists", "Workspace '" + name + "' exists already: " + dir
                        + " is there.", "Use find(\"" + name + "\") to work in it, remove it first, or choose"
                        + " another name.", null);
            }
            Start start = resolveStart(repo, walk, spec, branch);
            manage(repo);
            Files.createDirectories(root);
            dir = workspaceDirectory(name); // the root's real path exists now
            if (cli == null) {
                Carry carry = spec.carryUncommittedChanges() ? Carry.capture(repo) : Carry.NONE;
                return createClone(repo, name, dir, branch, start, carry);
            }
            // scanning the working tree for changes to carry overlaps with git checking out the new worktree
            FutureTask<Carry> carry = spec.carryUncommittedChanges() ? captureInBackground() : null;
            return createLinked(name, dir, branch, start, carry);
        } catch (IOException e) {
            throw gitError("Creating workspace '" + name + "' on " + branch, e);
        }
    }

    private Workspace inPlace(Repository repo, RevWalk walk, String name, String current, WorkspaceSpec spec)
            throws IOException {
        ObjectId head = repo.resolve(Constants.HEAD);
        ObjectId baseTip = resolveBase(repo, walk, spec.base().orElseGet(() -> detectBase(repo)));
        List<String> warnings = new ArrayList<>();
        if (!current.equals(spec.branch())) {
            warnings.add("The repository is already on " + current + " (an in-place branch), so the run works there"
                    + " in " + layout.workTree() + "; branch " + spec.branch() + " was not created.");
        }
        return new Workspace(name, layout.workTree(), current, mergeBase(walk, head, baseTip).name(),
                Workspace.Kind.IN_PLACE, warnings);
    }

    /**
     * Where a new workspace starts.
     *
     * @param commit the commit the branch starts at (a new branch), or its current head (an existing one)
     * @param branchExists whether the branch exists already (a resumed run)
     * @param resetTo the start point an existing branch is reset to, or null
     * @param baseCommit the commit diff stats are counted from
     */
    private record Start(ObjectId commit, boolean branchExists, ObjectId resetTo, ObjectId baseCommit) {
    }

    private Start resolveStart(Repository repo, RevWalk walk, WorkspaceSpec spec, String branch) throws IOException {
        ObjectId baseTip = resolveBase(repo, walk, spec.base().orElseGet(() -> detectBase(repo)));
        ObjectId startPoint = spec.startPoint().isPresent()
                ? resolveCommit(repo, walk, spec.startPoint().get(), "start point") : null;
        Ref local = repo.exactRef(Constants.R_HEADS + branch);
        if (local != null && local.getObjectId() != null) {
            ObjectId head = startPoint != null ? startPoint : local.getObjectId();
            return new Start(local.getObjectId(), true, startPoint, mergeBase(walk, head, baseTip));
        }
        // a run resumed on another machine: its branch was pushed by savePartialWork
        Ref remote = repo.exactRef(Constants.R_REMOTES + Pushes.ORIGIN + "/" + branch);
        ObjectId start = startPoint != null ? startPoint
                : remote != null && remote.getObjectId() != null ? remote.getObjectId() : baseTip;
        return new Start(start, false, null, mergeBase(walk, start, baseTip));
    }

    private Workspace createLinked(String name, Path dir, String branch, Start start, FutureTask<Carry> capture) {
        List<String> args = start.branchExists()
                ? List.of("worktree", "add", "--", dir.toString(), branch)
                : List.of("worktree", "add", "-b", branch, "--", dir.toString(), start.commit().name());
        try {
            addWorktree(args, name, dir, branch, start);
        } catch (RuntimeException e) {
            awaitQuietly(capture);
            throw e;
        }
        try {
            Carry carry = capture == null ? Carry.NONE : await(capture);
            List<String> warnings = new ArrayList<>();
            if (start.resetTo() != null || !carry.isEmpty()) {
                try (Repository ws = Layout.build(dir, Layout.gitDirOf(dir))) {
                    if (start.resetTo() != null) {
                        warnings.addAll(resetBranch(ws, branch, start.commit(), start.resetTo()));
                    }
                    warnings.addAll(carry.applyTo(ws));
                }
            }
            return new Workspace(name, dir, branch, start.baseCommit().name(), Workspace.Kind.LINKED_WORKTREE,
                    warnings);
        } catch (IOException | GitAPIException | RuntimeException e) {
            undoLinked(dir, branch, start);
            if (e instanceof WorkspaceException w) {
                throw w;
            }
            throw gitError("Preparing the new worktree " + dir, e);
        }
    }

    /** Captures the repository's uncommitted changes on a thread of its own, with a repository of its own. */
    private FutureTask<Carry> captureInBackground() {
        FutureTask<Carry> task = new FutureTask<>(() -> {
            try (Repository repo = layout.open()) {
                return Carry.capture(repo);
            }
        });
        Thread thread = new Thread(task, "pipeline-git-carry");
        thread.setDaemon(true);
        thread.start();
        return task;
    }

    private static Carry await(FutureTask<Carry> task) throws IOException {
        try {
            return task.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IOException("Reading the uncommitted changes failed: " + cause, cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WorkspaceException("interrupted", "Interrupted while reading the uncommitted changes to carry.",
                    "Retry the creation.", e);
        }
    }

    private static void awaitQuietly(FutureTask<Carry> task) {
        if (task == null) {
            return;
        }
        try {
            task.get();
        } catch (ExecutionException e) {
            LOG.debug("Reading the uncommitted changes failed too: {}", e.getCause().toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void addWorktree(List<String> args, String name, Path dir, String branch, Start start) {
        GitCli.Result result = cli.run(layout.workTree(), args);
        if (!result.ok()) {
            forgetNewBranch(branch, start);
            // a worktree whose directory was deleted by hand still holds its branch and name until pruned
            GitCli.Result prune = cli.run(layout.workTree(), List.of("worktree", "prune", "-v"));
            if (prune.ok() && !prune.message().isEmpty() && !Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
                LOG.info("Pruned stale worktrees of {} before retrying: {}", layout.workTree(), prune.message());
                result = cli.run(layout.workTree(), args);
                if (!result.ok()) {
                    forgetNewBranch(branch, start);
                }
            }
        }
        if (!result.ok()) {
            String message = result.message();
            boolean checkedOut = message.contains("already checked out") || message.contains("already used by");
            throw new WorkspaceException(checkedOut ? "branch_checked_out" : "git_failed", "Creating workspace '"
                    + name + "' failed: `" + String.join(" ", result.command()) + "` in " + layout.workTree()
                    + " exited with " + result.exitCode() + ": " + message,
                    checkedOut ? "Branch " + branch + " is checked out in another working tree (see `git worktree"
                            + " list`): work there, or remove that worktree first."
                            : "Run the command by hand in " + layout.workTree() + " to see what git needs.", null);
        }
    }

    /** Deletes a branch this creation made, if {@code git worktree add -b} made it before failing. */
    private void forgetNewBranch(String branch, Start start) {
        if (start.branchExists()) {
            return;
        }
        try (Repository repo = layout.open()) {
            deleteBranchIfAt(repo, branch, start.commit());
        } catch (IOException e) {
            LOG.warn("Could not delete branch {} after a failed creation: {}", branch, e.getMessage());
        }
    }

    private void undoLinked(Path dir, String branch, Start start) {
        try {
            GitCli.Result removed = cli.run(layout.workTree(), List.of("worktree", "remove", "--force", "--",
                    dir.toString()));
            if (!removed.ok()) {
                LOG.warn("Could not remove {} after a failed creation: {}", dir, removed.message());
            }
            cli.run(layout.workTree(), List.of("worktree", "prune"));
            forgetNewBranch(branch, start);
        } catch (WorkspaceException e) {
            LOG.warn("Could not clean up {} after a failed creation: {}", dir, e.getMessage());
        }
    }

    private static void deleteBranchIfAt(Repository repo, String branch, ObjectId expected) throws IOException {
        Ref ref = repo.exactRef(Constants.R_HEADS + branch);
        if (ref == null || !expected.equals(ref.getObjectId())) {
            return;
        }
        RefUpdate delete = repo.updateRef(ref.getName());
        delete.setExpectedOldObjectId(expected);
        delete.setForceUpdate(true);
        delete.delete();
    }

    /** Resets an existing branch, checked out in a workspace, to a start point; warns about commits it leaves. */
    private List<String> resetBranch(Repository ws, String branch, ObjectId head, ObjectId target)
            throws IOException, GitAPIException {
        List<String> warnings = droppedCommits(ws, branch, head, target);
        Git.wrap(ws).reset().setMode(ResetCommand.ResetType.HARD).setRef(target.name()).call();
        return warnings;
    }

    private static List<String> droppedCommits(Repository repo, String branch, ObjectId head, ObjectId target)
            throws IOException {
        if (head.equals(target)) {
            return List.of();
        }
        int dropped = 0;
        try (RevWalk walk = new RevWalk(repo)) {
            walk.markStart(walk.parseCommit(head));
            walk.markUninteresting(walk.parseCommit(target));
            while (walk.next() != null) {
                dropped++;
            }
        }
        if (dropped == 0) {
            return List.of();
        }
        return List.of("Reset " + branch + " from " + head.abbreviate(7).name() + " to the start point "
                + target.abbreviate(7).name() + ": " + dropped + " commit(s) are no longer on the branch (the reflog"
                + " keeps them: git reflog " + branch + ").");
    }

    private Workspace createClone(Repository repo, String name, Path dir, String branch, Start start, Carry carry)
            throws IOException {
        List<String> warnings = new ArrayList<>();
        boolean created = false;
        ObjectId head = start.commit();
        if (!start.branchExists()) {
            RefUpdate create = repo.updateRef(Constants.R_HEADS + branch);
            create.setExpectedOldObjectId(ObjectId.zeroId());
            create.setNewObjectId(start.commit());
            create.setRefLogMessage("branch: Created by Agent Pipeline for workspace " + name, false);
            RefUpdate.Result result = create.update();
            if (result != RefUpdate.Result.NEW) {
                throw new WorkspaceException("git_failed", "Could not create branch " + branch + " in "
                        + layout.commonDir() + ": " + result + ".", "Retry; if it persists, check for a stale lock"
                        + " file refs/heads/" + branch + ".lock there.", null);
            }
            created = true;
        } else if (start.resetTo() != null) {
            requireNotCheckedOut(branch);
            warnings.addAll(droppedCommits(repo, branch, start.commit(), start.resetTo()));
            RefUpdate reset = repo.updateRef(Constants.R_HEADS + branch);
            reset.setExpectedOldObjectId(start.commit());
            reset.setNewObjectId(start.resetTo());
            reset.setForceUpdate(true);
            reset.setRefLogMessage("reset: moving to the start point of workspace " + name, false);
            RefUpdate.Result result = reset.update();
            if (result != RefUpdate.Result.FORCED && result != RefUpdate.Result.FAST_FORWARD
                    && result != RefUpdate.Result.NO_CHANGE) {
                throw new WorkspaceException("concurrent_update", "Could not reset branch " + branch + " to "
                        + start.resetTo().name() + ": " + result + ".", "Retry the creation.", null);
            }
            head = start.resetTo();
        }
        try (Git clone = Git.cloneRepository()
                .setURI(layout.commonDir().toString())
                .setDirectory(dir.toFile())
                .setBranchesToClone(List.of(Constants.R_HEADS + branch))
                .setBranch(Constants.R_HEADS + branch)
                .setNoTags()
                .setCloneSubmodules(false)
                .setTimeout((int) Math.max(1, timeout.toSeconds()))
                .call()) {
            StoredConfig config = clone.getRepository().getConfig();
            config.setInt("gc", null, "auto", 0);
            config.setString(CONFIG_SECTION, null, CONFIG_WORKSPACE, name);
            config.save();
            warnings.addAll(carry.applyTo(clone.getRepository()));
            return new Workspace(name, dir, branch, start.baseCommit().name(), Workspace.Kind.CLONE, warnings);
        } catch (GitAPIException | IOException | RuntimeException e) {
            deleteTree(dir);
            if (created) {
                deleteBranchIfAt(repo, branch, head);
            }
            if (e instanceof WorkspaceException w) {
                throw w;
            }
            throw gitError("Cloning " + layout.commonDir() + " into " + dir, e);
        }
    }

    private void requireNotCheckedOut(String branch) throws IOException {
        for (Layout.Checkout checkout : layout.checkouts()) {
            if (checkout.ref().equals(Constants.R_HEADS + branch)) {
                throw new WorkspaceException("branch_checked_out", "Branch " + branch + " is checked out in "
                        + checkout.workTree() + ", so it cannot be moved for a workspace.",
                        "Check out another branch there first, or work in that working tree.", null);
            }
        }
    }

    // ------------------------------------------------------------------------------------------- find, list

    @Override
    public Optional<Workspace> find(String name) {
        Names.requireWorkspaceName(name);
        Path dir = workspaceDirectory(name);
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        Workspace.Kind kind = kindOf(dir);
        if (kind == null) {
            return Optional.empty();
        }
        try (Repository repo = layout.open(); RevWalk walk = new RevWalk(repo)) {
            return Optional.of(describe(repo, walk, name, dir, kind, null));
        } catch (IOException e) {
            throw gitError("Reading workspace " + dir, e);
        }
    }

    @Override
    public List<Workspace> list() {
        Path rootDir = rootDirectory();
        if (!Files.isDirectory(rootDir)) {
            return List.of();
        }
        TreeMap<String, Workspace.Kind> found = new TreeMap<>();
        try {
            if (cli != null) {
                for (Path path : linkedWorktreePaths()) {
                    Path parent = path.getParent();
                    if (parent != null && Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)
                            && parent.toRealPath().equals(rootDir) && isSafeName(path.getFileName().toString())
                            && kindOf(path) == Workspace.Kind.LINKED_WORKTREE) {
                        found.put(path.getFileName().toString(), Workspace.Kind.LINKED_WORKTREE);
                    }
                }
            }
            try (Stream<Path> children = Files.list(rootDir)) {
                for (Path child : (Iterable<Path>) children::iterator) {
                    String name = child.getFileName().toString();
                    if (!isSafeName(name) || found.containsKey(name)
                            || !Files.isDirectory(child, LinkOption.NOFOLLOW_LINKS)) {
                        continue;
                    }
                    Workspace.Kind kind = kindOf(child);
                    if (kind == Workspace.Kind.CLONE || (cli == null && kind == Workspace.Kind.LINKED_WORKTREE)) {
                        found.put(name, kind);
                    }
                }
            }
            if (found.isEmpty()) {
                return List.of();
            }
            List<Workspace> workspaces = new ArrayList<>();
            try (Repository repo = layout.open(); RevWalk walk = new RevWalk(repo)) {
                ObjectId baseTip = resolveBase(repo, walk, detectBase(repo));
                for (var entry : found.entrySet()) {
                    workspaces.add(describe(repo, walk, entry.getKey(), rootDir.resolve(entry.getKey()),
                            entry.getValue(), baseTip));
                }
            }
            return List.copyOf(workspaces);
        } catch (IOException e) {
            throw gitError("Listing the workspaces in " + rootDir, e);
        }
    }

    /** The paths {@code git worktree list --porcelain} names. */
    private List<Path> linkedWorktreePaths() {
        GitCli.Result result = cli.require(layout.workTree(), List.of("worktree", "list", "--porcelain"),
                "git_failed", "Listing the worktrees of " + layout.workTree(),
                "Run `git worktree list` there to see what git reports.");
        List<Path> paths = new ArrayList<>();
        for (String line : result.stdout().split("\n")) {
            if (line.startsWith("worktree ")) {
                paths.add(Path.of(line.substring("worktree ".length())));
            }
        }
        return paths;
    }

    private static boolean isSafeName(String name) {
        try {
            Names.requireWorkspaceName(name);
            return true;
        } catch (WorkspaceException e) {
            return false;
        }
    }

    /** What a directory under the root is: a linked worktree or a clone of this repository, or null. */
    private Workspace.Kind kindOf(Path dir) {
        Path dotGit = dir.resolve(Constants.DOT_GIT);
        try {
            if (Files.isRegularFile(dotGit, LinkOption.NOFOLLOW_LINKS)) {
                Path admin = Layout.gitDirOf(dir);
                Path parent = admin.getParent();
                return Files.isDirectory(admin) && parent != null
                        && parent.toRealPath().equals(layout.commonDir().resolve("worktrees"))
                        ? Workspace.Kind.LINKED_WORKTREE : null;
            }
            if (Files.isDirectory(dotGit, LinkOption.NOFOLLOW_LINKS)) {
                try (Repository clone = Layout.build(dir, dotGit)) {
                    String url = clone.getConfig().getString("remote", Pushes.ORIGIN, "url");
                    boolean marked = clone.getConfig().getString(CONFIG_SECTION, null, CONFIG_WORKSPACE) != null;
                    return marked && url != null && Files.isDirectory(Path.of(url))
                            && Path.of(url).toRealPath().equals(layout.commonDir()) ? Workspace.Kind.CLONE : null;
                }
            }
            return null;
        } catch (IOException | RuntimeException e) {
            LOG.debug("{} is not a workspace of {}: {}", dir, layout.workTree(), e.toString());
            return null;
        }
    }

    private Workspace describe(Repository repo, RevWalk walk, String name, Path dir, Workspace.Kind kind,
                               ObjectId knownBaseTip) throws IOException {
        ObjectId baseTip = knownBaseTip != null ? knownBaseTip : resolveBase(repo, walk, detectBase(repo));
        try (Repository ws = Layout.build(dir, Layout.gitDirOf(dir))) {
            String branch = currentBranch(ws);
            ObjectId head = ws.resolve(Constants.HEAD);
            if (kind == Workspace.Kind.CLONE) { // the clone's newest commits may not be in the repository yet
                Ref original = branch == null ? null : repo.exactRef(Constants.R_HEADS + branch);
                head = original != null ? original.getObjectId() : null;
            }
            ObjectId base = head == null ? baseTip : mergeBase(walk, head, baseTip);
            return new Workspace(name, dir, branch == null ? Constants.HEAD : branch, base.name(), kind, List.of());
        }
    }

    // ------------------------------------------------------------------------------------ work in a workspace

    @Override
    public String head(Workspace workspace) {
        Located at = locate(workspace);
        try (Repository ws = at.open()) {
            ObjectId head = ws.resolve(Constants.HEAD);
            if (head == null) {
                throw new WorkspaceException("no_commits", "Workspace " + at.dir() + " has no commit checked out.",
                        "Check it with `git status` there.", null);
            }
            return head.name();
        } catch (IOException e) {
            throw gitError("Reading the head of " + at.dir(), e);
        }
    }

    @Override
    public String commitAll(Workspace workspace, String message, boolean allowEmpty) {
        requireMessage(message);
        Located at = locate(workspace);
        try (Repository ws = at.open()) {
            String commit = commit(ws, message, allowEmpty);
            if (at.kind() == Workspace.Kind.CLONE) {
                String failure = pushBack(ws);
                if (failure != null) {
                    LOG.warn("Committed {} in clone {}, but could not push it back to {}: {}", commit, at.dir(),
                            layout.commonDir(), failure);
                }
            }
            return commit;
        } catch (IOException e) {
            throw gitError("Committing in " + at.dir(), e);
        }
    }

    private String commit(Repository ws, String message, boolean allowEmpty) throws IOException {
        ByteArrayOutputStream hookOutput = new ByteArrayOutputStream();
        try (Git git = Git.wrap(ws);
             PrintStream hookOut = new PrintStream(hookOutput, true, StandardCharsets.UTF_8)) {
            git.add().addFilepattern(".").setAll(true).call();
            try {
                RevCommit commit = git.commit()
                        .setMessage(message)
                        .setAllowEmpty(allowEmpty)
                        .setSign(Boolean.FALSE)
                        .setHookOutputStream(hookOut)
                        .setHookErrorStream(hookOut)
                        .call();
                return commit.name();
            } catch (EmptyCommitException e) {
                return ws.resolve(Constants.HEAD).name();
            }
        } catch (AbortedByHookException e) {
            throw new WorkspaceException("commit_rejected", "A " + e.getHookName() + " hook rejected the commit in "
                    + ws.getWorkTree() + ": " + e.getMessage() + " " + hookOutput.toString(StandardCharsets.UTF_8)
                    .strip(), "Fix what the hook reports, then commit again.", e);
        } catch (UnmergedPathsException e) {
            throw new WorkspaceException("unmerged_paths", "Cannot commit in " + ws.getWorkTree() + ": it has"
                    + " unresolved merge conflicts.", "Resolve the conflicts there (or `git merge --abort`), then"
                    + " commit again.", e);
        } catch (GitAPIException e) {
            throw gitError("Committing in " + ws.getWorkTree(), e);
        }
    }

    @Override
    public DiffStats diffStats(Workspace workspace) {
        Located at = locate(workspace);
        try (Repository ws = at.open();
             RevWalk walk = new RevWalk(ws);
             DiffFormatter formatter = new DiffFormatter(DisabledOutputStream.INSTANCE)) {
            RevCommit base = walk.parseCommit(requireCommitId(workspace.baseCommit(), "base commit"));
            formatter.setRepository(ws);
            formatter.setDiffComparator(RawTextComparator.DEFAULT);
            formatter.setDetectRenames(true);
            CanonicalTreeParser baseTree = new CanonicalTreeParser(null, walk.getObjectReader(), base.getTree());
            List<DiffEntry> entries = formatter.scan(baseTree, new FileTreeIterator(ws));
            int added = 0;
            int deleted = 0;
            for (DiffEntry entry : entries) {
                FileHeader header = formatter.toFileHeader(entry);
                if (header.getPatchType() != FileHeader.PatchType.UNIFIED) {
                    continue; // a binary file: changed, with no lines
                }
                for (Edit edit : header.toEditList()) {
                    added += edit.getLengthB();
                    deleted += edit.getLengthA();
                }
            }
            return new DiffStats(entries.size(), added, deleted);
        } catch (MissingObjectException | IncorrectObjectTypeException e) {
            throw new WorkspaceException("unknown_commit", "The base commit " + workspace.baseCommit() + " of"
                    + " workspace '" + workspace.name() + "' is not a commit of " + at.dir() + ".",
                    "Pass the Workspace this provider returned (create, find or list).", e);
        } catch (IOException e) {
            throw gitError("Counting the changes of " + at.dir(), e);
        }
    }

    // ------------------------------------------------------------------------------------- save and remove

    @Override
    public SavedWork savePartialWork(Workspace workspace, String message) {
        requireMessage(message);
        Located at = locate(workspace);
        try {
            String branch;
            String commit;
            try (Repository ws = at.open()) {
                branch = currentBranch(ws);
                if (branch == null) {
                    throw new WorkspaceException("detached_head", "Workspace " + at.dir() + " has no branch checked"
                            + " out (a detached HEAD), so its work cannot be saved on a branch.", "Check out the"
                            + " workspace's branch there (git switch <branch>), then save again.", null);
                }
                commit = commit(ws, message, true);
                if (at.kind() == Workspace.Kind.CLONE) {
                    String failure = pushBack(ws);
                    if (failure != null) {
                        throw new WorkspaceException("push_back_failed", "Saved " + commit + " in clone " + at.dir()
                                + ", but could not push " + branch + " back to " + layout.commonDir() + ": "
                                + failure + ". The clone is kept.", "Bring the branches together by hand (in the"
                                + " clone: git pull, then git push origin " + branch + "), then save again.", null);
                    }
                }
            }
            if (at.kind() == Workspace.Kind.IN_PLACE) {
                return new SavedWork(branch, commit, Optional.empty(), Optional.empty());
            }
            Pushes.Outcome pushed;
            try (Repository repo = layout.open()) {
                pushed = Pushes.toOrigin(repo, branch, cli, timeout);
            }
            delete(at, true);
            return new SavedWork(branch, commit, pushed.remote(), pushed.warning());
        } catch (IOException e) {
            throw gitError("Saving the work of " + at.dir(), e);
        }
    }

    @Override
    public void remove(Workspace workspace, boolean force) {
        Located at = locate(workspace);
        if (at.kind() == Workspace.Kind.IN_PLACE) {
            LOG.debug("Workspace {} is the repository itself ({}); nothing to remove", workspace.name(), at.dir());
            return;
        }
        try {
            if (!force) {
                Set<String> uncommitted;
                try (Repository ws = at.open()) {
                    uncommitted = uncommitted(ws);
                }
                if (!uncommitted.isEmpty()) {
                    throw new WorkspaceException("uncommitted_work", "Workspace '" + workspace.name() + "' ("
                            + at.dir() + ") has uncommitted changes: " + Merges.summarize(uncommitted) + ".",
                            "Commit them (commitAll or savePartialWork), or remove with force to discard them.",
                            null);
                }
            }
            if (at.kind() == Workspace.Kind.CLONE) {
                String failure;
                try (Repository ws = at.open()) {
                    failure = currentBranch(ws) == null ? null : pushBack(ws);
                }
                if (failure != null && !force) {
                    throw new WorkspaceException("unmerged_work", "Clone " + at.dir() + " has commits that could not"
                            + " be pushed back to " + layout.commonDir() + ": " + failure + ".",
                            "Bring the branches together by hand (in the clone: git pull, then git push), or remove"
                                    + " with force to discard the clone's commits.", null);
                }
            }
            delete(at, force);
        } catch (IOException e) {
            throw gitError("Removing " + at.dir(), e);
        }
    }

    private static Set<String> uncommitted(Repository ws) throws IOException {
        try {
            Status status = Git.wrap(ws).status().setIgnoreSubmodules(SubmoduleWalk.IgnoreSubmoduleMode.ALL).call();
            Set<String> paths = new TreeSet<>(status.getUncommittedChanges());
            paths.addAll(status.getUntracked());
            return paths;
        } catch (GitAPIException e) {
            throw new IOException("Cannot read the status of " + ws.getWorkTree() + ": " + e.getMessage(), e);
        }
    }

    /** Deletes a linked worktree (with the git command line when there is one) or a clone; the branch stays. */
    private void delete(Located at, boolean force) throws IOException {
        if (at.kind() == Workspace.Kind.CLONE) {
            deleteTree(at.dir());
            return;
        }
        if (cli != null) {
            List<String> args = new ArrayList<>(List.of("worktree", "remove"));
            if (force) {
                args.add("--force");
            }
            args.addAll(List.of("--", at.dir().toString()));
            cli.require(layout.workTree(), args, "git_failed", "Removing worktree " + at.dir(),
                    "Run `git worktree remove` there by hand to see what git needs (a locked worktree needs"
                            + " `git worktree unlock` first).");
            GitCli.Result prune = cli.run(layout.workTree(), List.of("worktree", "prune"));
            if (!prune.ok()) {
                LOG.warn("`git worktree prune` in {} failed: {}", layout.workTree(), prune.message());
            }
        } else { // made with the command line earlier, removed without it: what `worktree remove` does
            Path admin = Layout.gitDirOf(at.dir());
            deleteTree(at.dir());
            deleteTree(admin);
        }
    }

    /** Pushes a clone's branch back to the repository; null when done, else why not. */
    private String pushBack(Repository clone) throws IOException {
        String branch = currentBranch(clone);
        if (branch == null) {
            return "the clone has no branch checked out";
        }
        for (Layout.Checkout checkout : layout.checkouts()) {
            if (checkout.ref().equals(Constants.R_HEADS + branch)) {
                return "branch " + branch + " is checked out in " + checkout.workTree() + ", and pushing into it"
                        + " would leave that working tree behind its branch";
            }
        }
        try {
            return Pushes.push(clone, Pushes.ORIGIN, Constants.R_HEADS + branch, timeout);
        } catch (GitAPIException e) {
            return e.getMessage();
        }
    }

    // ------------------------------------------------------------------------------------------------ merge

    @Override
    public MergeResult merge(String branch, String into, String message) {
        Names.requireBranch(branch);
        Names.requireBranch(into);
        requireMessage(message);
        try {
            return Merges.merge(layout, branch, into, message);
        } catch (IOException e) {
            throw gitError("Merging " + branch + " into " + into, e);
        }
    }

    @Override
    public boolean isMerged(String branch, String into) {
        Names.requireBranch(branch);
        Names.requireBranch(into);
        try {
            return Merges.isMerged(layout, branch, into);
        } catch (IOException e) {
            throw gitError("Checking whether " + branch + " is merged into " + into, e);
        }
    }

    @Override
    public String baseBranch() {
        try (Repository repo = layout.open()) {
            return detectBase(repo);
        } catch (IOException e) {
            throw gitError("Detecting the base branch of " + layout.workTree(), e);
        }
    }

    // -------------------------------------------------------------------------------------------- internals

    /** The base branch: the configured one, else origin/HEAD's target, else main, else master. */
    private String detectBase(Repository repo) {
        if (configuredBase != null) {
            return configuredBase;
        }
        try {
            Ref originHead = repo.exactRef(Constants.R_REMOTES + Pushes.ORIGIN + "/" + Constants.HEAD);
            String prefix = Constants.R_REMOTES + Pushes.ORIGIN + "/";
            if (originHead != null && originHead.isSymbolic() && originHead.getObjectId() != null
                    && originHead.getTarget().getName().startsWith(prefix)) {
                return originHead.getTarget().getName().substring(prefix.length());
            }
            for (String candidate : List.of("main", "master")) {
                if (repo.exactRef(Constants.R_HEADS + candidate) != null
                        || repo.exactRef(prefix + candidate) != null) {
                    return candidate;
                }
            }
            requireCommits(repo);
            List<String> branches = new ArrayList<>();
            for (Ref ref : repo.getRefDatabase().getRefsByPrefix(Constants.R_HEADS)) {
                branches.add(Repository.shortenRefName(ref.getName()));
            }
            throw new WorkspaceException("no_base_branch", "Cannot tell the base branch of " + layout.workTree()
                    + ": origin/HEAD is not set and there is no main or master branch (branches: "
                    + (branches.isEmpty() ? "none" : String.join(", ", branches)) + ").",
                    "Name it: WorkspaceSpec.builder(...).base(\"develop\") for one workspace, or"
                            + " GitWorkspaceProvider.builder(...).baseBranch(\"develop\") for all; or set origin/HEAD"
                            + " (git remote set-head origin --auto).", null);
        } catch (IOException e) {
            throw gitError("Detecting the base branch of " + layout.workTree(), e);
        }
    }

    private void requireCommits(Repository repo) throws IOException {
        if (repo.resolve(Constants.HEAD) == null && repo.getRefDatabase().getRefsByPrefix(Constants.R_HEADS)
                .isEmpty()) {
            throw new WorkspaceException("no_commits", "Repository " + layout.workTree() + " has no commits yet, so"
                    + " there is nothing to start a workspace from.", "Commit once first: git add -A && git commit"
                    + " -m 'Initial commit'.", null);
        }
    }

    /** The commit of a base: a local branch, else origin's branch of that name, else any ref or commit. */
    private ObjectId resolveBase(Repository repo, RevWalk walk, String base) throws IOException {
        requireCommits(repo);
        Ref ref = repo.exactRef(Constants.R_HEADS + base);
        if (ref == null) {
            ref = repo.exactRef(Constants.R_REMOTES + Pushes.ORIGIN + "/" + base);
        }
        if (ref == null && base.startsWith("refs/")) {
            ref = repo.exactRef(base);
        }
        if (ref == null) {
            ref = repo.findRef(base);
        }
        if (ref != null && ref.getObjectId() != null) {
            return peel(walk, ref.getObjectId(), base, "base");
        }
        return resolveCommit(repo, walk, base, "base");
    }

    private static ObjectId resolveCommit(Repository repo, RevWalk walk, String revision, String what)
            throws IOException {
        ObjectId id;
        try {
            id = repo.resolve(revision);
        } catch (RevisionSyntaxException | AmbiguousObjectException e) {
            id = null;
        }
        if (id == null) {
            throw new WorkspaceException("unknown_" + what.replace(' ', '_'), "The " + what + " '" + revision
                    + "' is neither a branch nor a commit of " + repo.getCommonDirectory() + ".",
                    "Name an existing branch (git branch -a) or a full commit id.", null);
        }
        return peel(walk, id, revision, what);
    }

    private static ObjectId peel(RevWalk walk, ObjectId id, String revision, String what) throws IOException {
        try {
            return walk.parseCommit(id).copy();
        } catch (IncorrectObjectTypeException | MissingObjectException e) {
            throw new WorkspaceException("unknown_" + what.replace(' ', '_'), "The " + what + " '" + revision
                    + "' is not a commit.", "Name a branch or a commit.", e);
        }
    }

    private static ObjectId mergeBase(RevWalk walk, ObjectId a, ObjectId b) throws IOException {
        if (a.equals(b)) {
            return a;
        }
        walk.reset();
        walk.setRevFilter(RevFilter.MERGE_BASE);
        try {
            walk.markStart(walk.parseCommit(a));
            walk.markStart(walk.parseCommit(b));
            RevCommit base = walk.next();
            return base == null ? b : base.copy();
        } finally {
            walk.reset();
            walk.setRevFilter(RevFilter.ALL);
        }
    }

    private static ObjectId requireCommitId(String id, String what) {
        try {
            return ObjectId.fromString(id);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new WorkspaceException("unknown_commit", "The " + what + " '" + id + "' is not a commit id.",
                    "Pass the Workspace this provider returned (create, find or list).", e);
        }
    }

    /** The short name of the branch checked out, or null for a detached HEAD. */
    private static String currentBranch(Repository repo) throws IOException {
        String full = repo.getFullBranch();
        return full != null && full.startsWith(Constants.R_HEADS) ? full.substring(Constants.R_HEADS.length())
                : null;
    }

    /** Sets gc.auto=0 and keeps the workspace root out of the repository's untracked files. */
    private void manage(Repository repo) throws IOException {
        StoredConfig config = repo.getConfig();
        if (config.getString("gc", null, "auto") == null || config.getInt("gc", null, "auto", -1) != 0) {
            config.setInt("gc", null, "auto", 0);
            config.save();
        }
        Path rootDir = rootDirectory();
        if (rootDir.startsWith(layout.workTree()) && !rootDir.equals(layout.workTree())) {
            String relative = layout.workTree().relativize(rootDir).toString().replace(File.separatorChar, '/');
            String pattern = "/" + relative.replaceAll("([\\\\*?\\[!# ])", "\\\\$1") + "/";
            Path exclude = layout.commonDir().resolve("info").resolve("exclude");
            List<String> lines = Files.exists(exclude) ? Files.readAllLines(exclude, StandardCharsets.UTF_8)
                    : List.of();
            if (!lines.contains(pattern)) {
                Files.createDirectories(exclude.getParent());
                String before = lines.isEmpty() || Files.size(exclude) == 0
                        || Files.readString(exclude, StandardCharsets.UTF_8).endsWith("\n") ? "" : "\n";
                Files.writeString(exclude, before + "# workspaces of Agent Pipeline (pipeline-git)\n" + pattern + "\n",
                        StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            }
        }
    }

    /** The workspace root's real path when it exists, else its absolute path. */
    private Path rootDirectory() {
        try {
            return Files.exists(root) ? root.toRealPath() : root;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot resolve the workspace root " + root, e);
        }
    }

    /**
     * The directory of a workspace: {@code <root>/<name>}, checked to be a real directory right under the root.
     *
     * @throws WorkspaceException ({@code unsafe_name}, {@code unsafe_path})
     */
    private Path workspaceDirectory(String name) {
        Names.requireWorkspaceName(name);
        Path rootDir = rootDirectory();
        Path dir = rootDir.resolve(name);
        if (Files.isSymbolicLink(dir)) {
            String target;
            try {
                target = Files.readSymbolicLink(dir).toString();
            } catch (IOException e) {
                target = "?";
            }
            throw new WorkspaceException("unsafe_path", dir + " is a symbolic link (to " + target + "); a workspace"
                    + " must be a directory right under the workspace root " + rootDir + ".",
                    "Delete the link (it is not a workspace), or choose another name.", null);
        }
        if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            try {
                Path real = dir.toRealPath();
                if (!rootDir.equals(real.getParent())) {
                    throw new WorkspaceException("unsafe_path", dir + " resolves to " + real + ", outside the"
                            + " workspace root " + rootDir + ".", "Choose another name.", null);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return dir;
    }

    /** A workspace checked to belong to this provider: where it is and what it really is. */
    private record Located(Workspace.Kind kind, Path dir) {

        Repository open() throws IOException {
            return Layout.build(dir, Layout.gitDirOf(dir));
        }
    }

    private Located locate(Workspace workspace) {
        Objects.requireNonNull(workspace, "workspace");
        if (workspace.kind() == Workspace.Kind.IN_PLACE) {
            if (!samePath(workspace.directory(), layout.workTree())) {
                throw foreign(workspace, layout.workTree());
            }
            return new Located(Workspace.Kind.IN_PLACE, layout.workTree());
        }
        Path dir = workspaceDirectory(workspace.name());
        if (!samePath(workspace.directory(), dir)) {
            throw foreign(workspace, dir);
        }
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw new WorkspaceException("workspace_missing", "Workspace '" + workspace.name() + "' is gone: " + dir
                    + " does not exist.", "Create it again; its branch " + workspace.branch() + " is kept.", null);
        }
        Workspace.Kind kind = kindOf(dir);
        if (kind == null) {
            throw foreign(workspace, dir);
        }
        return new Located(kind, dir);
    }

    private WorkspaceException foreign(Workspace workspace, Path expected) {
        return new WorkspaceException("foreign_workspace", "Workspace '" + workspace.name() + "' at "
                + workspace.directory() + " is not a workspace of " + layout.workTree() + " under " + root
                + " (expected " + expected + ").", "Pass a Workspace this provider returned (create, find or list).",
                null);
    }

    private static boolean samePath(Path a, Path b) {
        Path left = a.toAbsolutePath().normalize();
        if (left.equals(b)) {
            return true;
        }
        try {
            return Files.exists(left) && Files.exists(b) && Files.isSameFile(left, b);
        } catch (IOException e) {
            return false;
        }
    }

    private static void requireMessage(String message) {
        if (message == null || message.isBlank()) {
            throw new IllegalArgumentException("A commit message is required (not null, not blank)");
        }
    }

    /** Deletes a directory tree, never following symbolic links out of it. */
    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private WorkspaceException gitError(String what, Exception e) {
        if (e instanceof WorkspaceException w) {
            return w;
        }
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return new WorkspaceException("git_error", what + " failed: " + message,
                "Check the repository with `git status` and `git worktree list` in " + layout.workTree()
                        + "; fix what git reports, then retry.", e);
    }

    /**
     * Builds a {@link GitWorkspaceProvider}. Not thread-safe; {@link #build()} copies what was set.
     *
     * @since 0.1
     */
    public static final class Builder {
        private final Path repository;
        private final Path workspaceRoot;
        private Boolean commandLine;
        private String gitExecutable = "git";
        private Duration commandTimeout = DEFAULT_TIMEOUT;
        private String baseBranch;

        private Builder(Path repository, Path workspaceRoot) {
            this.repository = Objects.requireNonNull(repository, "repository");
            this.workspaceRoot = Objects.requireNonNull(workspaceRoot, "workspaceRoot");
        }

        /**
         * Whether to make linked worktrees with the git command line ({@code true}, the default when
         * {@code git --version} runs) or local clones with JGit ({@code false}). {@code true} where git is not
         * installed fails at {@link #build()}.
         *
         * @param use true for linked worktrees, false for clones
         * @return this builder
         */
        public Builder gitCommandLine(boolean use) {
            this.commandLine = use;
            return this;
        }

        /**
         * @param executable the git executable, a name looked up on the PATH or a path (default {@code git})
         * @return this builder
         * @throws IllegalArgumentException if it is blank
         */
        public Builder gitExecutable(String executable) {
            if (executable == null || executable.isBlank()) {
                throw new IllegalArgumentException("gitExecutable must not be blank");
            }
            this.gitExecutable = executable;
            return this;
        }

        /**
         * @param timeout how long one git command or push may take (default 2 minutes)
         * @return this builder
         * @throws IllegalArgumentException if it is not positive
         */
        public Builder commandTimeout(Duration timeout) {
            if (timeout == null || timeout.isZero() || timeout.isNegative()) {
                throw new IllegalArgumentException("commandTimeout must be positive, was " + timeout);
            }
            this.commandTimeout = timeout;
            return this;
        }

        /**
         * @param branch the base branch for workspaces whose spec names none, instead of the detected one
         *     ({@code origin/HEAD}, {@code main}, {@code master})
         * @return this builder
         * @throws WorkspaceException ({@code unsafe_branch}) if it is not a valid branch name
         */
        public Builder baseBranch(String branch) {
            this.baseBranch = Names.requireBranch(branch);
            return this;
        }

        /**
         * Opens the repository and checks the workspace root.
         *
         * @return the provider
         * @throws WorkspaceException ({@code not_a_repository}) if the directory is not inside a git working tree,
         *     ({@code unsafe_path}) if the workspace root is inside the repository's git directory,
         *     ({@code git_not_found}) if the command line was asked for and git does not run
         */
        public GitWorkspaceProvider build() {
            Layout layout = Layout.locate(repository);
            Path root = workspaceRoot.toAbsolutePath().normalize();
            try {
                Path realRoot = Files.exists(root) ? root.toRealPath() : root;
                if (realRoot.startsWith(layout.commonDir()) || realRoot.startsWith(layout.gitDir())) {
                    throw new WorkspaceException("unsafe_path", "The workspace root " + root + " is inside the"
                            + " git directory " + layout.commonDir() + ".", "Choose a root outside .git, e.g. "
                            + layout.workTree().resolve(".pipeline/worktrees") + ".", null);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot resolve the workspace root " + root, e);
            }
            boolean wanted = commandLine != null ? commandLine
                    : !"false".equalsIgnoreCase(System.getProperty(COMMAND_LINE_PROPERTY, "true"));
            GitCli cli = null;
            if (wanted) {
                GitCli candidate = new GitCli(gitExecutable, commandTimeout);
                if (candidate.available()) {
                    cli = candidate;
                } else if (commandLine != null) {
                    throw new WorkspaceException("git_not_found", "`" + gitExecutable + " --version` does not run,"
                            + " but the git command line was asked for.", "Install git, point gitExecutable(...) at"
                            + " it, or use gitCommandLine(false) to work with local clones.", null);
                } else {
                    LOG.info("No git command line ({} --version failed): workspaces of {} will be local clones",
                            gitExecutable, layout.workTree());
                }
            }
            return new GitWorkspaceProvider(layout, root, cli, baseBranch, commandTimeout);
        }
    }
}
