package dev.agentpipeline.spi.workspace;

import org.apiguardian.api.API;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * Makes and manages the isolated workspaces of one repository: what the runtime needs to give every run its own
 * working copy on its own branch. Implementations must be thread-safe and safe to use from several processes on
 * the same repository (git's own locks guard its files).
 *
 * <p>Safety rules every implementation keeps: workspace names and branch names are checked before they touch the
 * file system or git (a name never leaves the workspace root, a branch is a valid ref name); nothing that holds
 * work not merged anywhere else is deleted unless the caller says {@code force}; nothing is ever force-pushed.
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public interface WorkspaceProvider {

    /**
     * Creates a workspace, or returns the repository itself when it already is on a branch of an in-place pattern
     * ({@code feature/*}, {@code optimize/*}, {@code upgrade/*}, {@code modernize/*}). When the spec's branch exists,
     * the workspace checks it out as it is (a resumed run); else the branch is created from the start point or the
     * base. Uncommitted changes of the repository are carried over as a patch when asked; a patch that does not
     * apply is reported in {@link Workspace#warnings()} and creation goes on without it.
     *
     * @param spec what to create
     * @return the workspace
     * @throws WorkspaceException if the name or branch is unsafe, the workspace exists already, or git fails
     */
    Workspace create(WorkspaceSpec spec);

    /**
     * @param name a workspace name
     * @return the workspace of that name, if it exists
     */
    Optional<Workspace> find(String name);

    /** @return every workspace this provider manages, in name order */
    List<Workspace> list();

    /**
     * @param workspace a workspace
     * @return the commit its branch points to now
     */
    String head(Workspace workspace);

    /**
     * Commits everything in the workspace (new, changed and deleted files).
     *
     * @param workspace the workspace
     * @param message the commit message
     * @param allowEmpty whether to commit when nothing changed
     * @return the new commit, or the current head when nothing changed and {@code allowEmpty} is false
     */
    String commitAll(Workspace workspace, String message, boolean allowEmpty);

    /**
     * How much the workspace's branch changed against its base commit, committed and uncommitted work together.
     *
     * @param workspace the workspace
     * @return the counts
     */
    DiffStats diffStats(Workspace workspace);

    /**
     * Saves partial work when a run pauses: commits everything ({@code message}, allowing an empty commit), pushes
     * the branch to its remote when the repository has one (never forced), and removes the workspace (the branch
     * stays). An in-place workspace is committed but neither pushed nor removed.
     *
     * @param workspace the workspace
     * @param message the commit message ({@code WIP: US001 pipeline paused at stage 2})
     * @return where the work is
     */
    SavedWork savePartialWork(Workspace workspace, String message);

    /**
     * Removes a workspace; its branch stays.
     *
     * @param workspace the workspace
     * @param force whether to remove it even when it has uncommitted changes
     * @throws WorkspaceException with code {@code uncommitted_work} when it has uncommitted changes and {@code force}
     *     is false
     */
    void remove(Workspace workspace, boolean force);

    /**
     * Merges a branch into another without fast-forward. Conflicts are found with an in-memory dry run first: on a
     * conflict nothing is touched and the conflicting paths are reported.
     *
     * @param branch the branch to merge
     * @param into the branch to merge into (it must not be checked out with uncommitted changes)
     * @param message the merge commit's message
     * @return the result
     */
    MergeResult merge(String branch, String into, String message);

    /**
     * Whether a branch's commits are all reachable from another branch (merged, so deleting it loses nothing).
     *
     * @param branch a branch
     * @param into another branch
     * @return true if every commit of {@code branch} is in {@code into}
     */
    boolean isMerged(String branch, String into);

    /** @return the base branch new workspaces start from when their spec names none */
    String baseBranch();

    /**
     * The top of the repository's working tree: a workspace holds the whole repository, so a project in a
     * subdirectory of it works in the same subdirectory of its workspace.
     *
     * @return the directory (absolute, with symbolic links resolved), never null
     */
    Path repository();
}
