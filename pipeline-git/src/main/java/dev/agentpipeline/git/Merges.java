package dev.agentpipeline.git;

import dev.agentpipeline.spi.workspace.MergeResult;
import dev.agentpipeline.spi.workspace.WorkspaceException;

import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.Status;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.dircache.DirCache;
import org.eclipse.jgit.dircache.DirCacheCheckout;
import org.eclipse.jgit.errors.CheckoutConflictException;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.merge.MergeStrategy;
import org.eclipse.jgit.merge.ResolveMerger;
import org.eclipse.jgit.merge.ThreeWayMerger;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.submodule.SubmoduleWalk;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Merges one branch into another without touching any working tree it should not.
 *
 * <p>The merge is computed in memory first (JGit's recursive merger, in-core): on a conflict nothing is written but
 * the list of paths. A clean result becomes a merge commit with two parents written as objects, and the target
 * branch is moved to it with a ref update that expects the branch's old commit, so a concurrent change of the
 * branch fails the merge instead of being overwritten. Where the target branch is checked out (the main working
 * tree or a linked worktree), that working tree must be free of uncommitted changes to tracked files; its index and
 * files are then moved to the merge's tree before the branch moves, refusing if an untracked file is in the way.
 * Stateless.
 */
final class Merges {

    private Merges() {
    }

    static MergeResult merge(Layout layout, String branch, String into, String message) throws IOException {
        if (branch.equals(into)) {
            throw new WorkspaceException("same_branch", "Cannot merge branch '" + branch + "' into itself.",
                    "Name two different branches.", null);
        }
        try (Repository repo = layout.open();
             RevWalk walk = new RevWalk(repo);
             ObjectInserter inserter = repo.newObjectInserter()) {
            Ref source = requireLocalBranch(repo, branch);
            Ref target = requireLocalBranch(repo, into);
            RevCommit sourceCommit = walk.parseCommit(source.getObjectId());
            RevCommit targetCommit = walk.parseCommit(target.getObjectId());
            if (walk.isMergedInto(sourceCommit, targetCommit)) {
                return new MergeResult(MergeResult.Status.UP_TO_DATE, Optional.empty(), List.of());
            }
            ThreeWayMerger merger = MergeStrategy.RECURSIVE.newMerger(repo, true);
            if (!merger.merge(targetCommit, sourceCommit)) {
                Set<String> conflicts = new TreeSet<>(((ResolveMerger) merger).getUnmergedPaths());
                return new MergeResult(MergeResult.Status.CONFLICTS, Optional.empty(), List.copyOf(conflicts));
            }
            ObjectId tree = merger.getResultTreeId();
            Optional<Layout.Checkout> checkout = layout.checkouts().stream()
                    .filter(c -> c.ref().equals(target.getName())).findFirst();
            Repository checkedOut = checkout.isPresent() ? checkout.get().open() : null;
            try {
                if (checkedOut != null) {
                    requireNoTrackedChanges(checkedOut, into);
                }
                PersonIdent ident = new PersonIdent(repo);
                CommitBuilder commit = new CommitBuilder();
                commit.setTreeId(tree);
                commit.setParentIds(targetCommit, sourceCommit);
                commit.setAuthor(ident);
                commit.setCommitter(ident);
                commit.setMessage(message.endsWith("\n") ? message : message + "\n");
                ObjectId mergeCommit = inserter.insert(commit);
                inserter.flush();
                if (checkedOut != null) {
                    moveWorkingTree(checkedOut, into, targetCommit.getTree(), tree);
                }
                RefUpdate update = repo.updateRef(target.getName());
                update.setExpectedOldObjectId(targetCommit);
                update.setNewObjectId(mergeCommit);
                update.setRefLogMessage("merge " + branch + ": Merge made by Agent Pipeline (in-core, no fast-forward)",
                        false);
                RefUpdate.Result result = update.update(walk);
                if (result != RefUpdate.Result.FAST_FORWARD && result != RefUpdate.Result.FORCED) {
                    if (checkedOut != null) {
                        moveWorkingTree(checkedOut, into, tree, targetCommit.getTree());
                    }
                    throw new WorkspaceException("concurrent_update", "Could not move branch '" + into + "' to the"
                            + " merge commit " + mergeCommit.name() + ": " + result + " (the branch changed while"
                            + " merging, or its ref is locked). Nothing was merged.",
                            "Retry the merge; if it keeps failing, look for a stale "
                                    + target.getName() + ".lock in " + layout.commonDir() + ".", null);
                }
                return new MergeResult(MergeResult.Status.MERGED, Optional.of(mergeCommit.name()), List.of());
            } finally {
                if (checkedOut != null) {
                    checkedOut.close();
                }
            }
        }
    }

    static boolean isMerged(Layout layout, String branch, String into) throws IOException {
        try (Repository repo = layout.open(); RevWalk walk = new RevWalk(repo)) {
            RevCommit source = walk.parseCommit(requireBranchOrRemote(repo, branch).getObjectId());
            RevCommit target = walk.parseCommit(requireBranchOrRemote(repo, into).getObjectId());
            return walk.isMergedInto(source, target);
        }
    }

    static Ref requireLocalBranch(Repository repo, String branch) throws IOException {
        Ref ref = repo.exactRef(Constants.R_HEADS + branch);
        if (ref == null || ref.getObjectId() == null) {
            throw unknownBranch(repo, branch);
        }
        return ref;
    }

    private static Ref requireBranchOrRemote(Repository repo, String name) throws IOException {
        Ref ref = repo.exactRef(Constants.R_HEADS + name);
        if (ref == null) {
            ref = repo.exactRef(Constants.R_REMOTES + name);
        }
        if (ref == null || ref.getObjectId() == null) {
            throw unknownBranch(repo, name);
        }
        return ref;
    }

    private static WorkspaceException unknownBranch(Repository repo, String branch) throws IOException {
        List<String> known = new ArrayList<>();
        for (Ref ref : repo.getRefDatabase().getRefsByPrefix(Constants.R_HEADS)) {
            known.add(Repository.shortenRefName(ref.getName()));
        }
        return new WorkspaceException("unknown_branch", "There is no branch '" + branch + "' in "
                + repo.getCommonDirectory() + " (branches: " + (known.isEmpty() ? "none" : String.join(", ", known))
                + ").", "Check the name; a workspace's branch exists once the workspace is created.", null);
    }

    private static void requireNoTrackedChanges(Repository checkedOut, String into) {
        Status status;
        try {
            status = Git.wrap(checkedOut).status().setIgnoreSubmodules(SubmoduleWalk.IgnoreSubmoduleMode.ALL)
                    .call();
        } catch (GitAPIException e) {
            throw new WorkspaceException("git_error", "Cannot read the status of " + checkedOut.getWorkTree()
                    + ": " + e.getMessage(), "Check it with `git status` there.", e);
        }
        Set<String> changed = new TreeSet<>(status.getUncommittedChanges());
        if (!changed.isEmpty()) {
            throw new WorkspaceException("into_has_uncommitted_changes", "Branch '" + into + "' is checked out in "
                    + checkedOut.getWorkTree() + " with uncommitted changes (" + summarize(changed) + "); merging"
                    + " into it would mix the merge with them. Nothing was merged.",
                    "Commit or stash the changes in " + checkedOut.getWorkTree() + ", then merge again.", null);
        }
    }

    private static void moveWorkingTree(Repository checkedOut, String into, ObjectId from, ObjectId to)
            throws IOException {
        DirCache index = checkedOut.lockDirCache();
        try {
            DirCacheCheckout checkout = new DirCacheCheckout(checkedOut, from, index, to);
            checkout.setFailOnConflict(true);
            checkout.checkout();
        } catch (CheckoutConflictException e) {
            throw new WorkspaceException("into_checkout_conflict", "Branch '" + into + "' is checked out in "
                    + checkedOut.getWorkTree() + ", and files there that git does not track would be overwritten by"
                    + " the merge: " + e.getMessage() + ". Nothing was merged.",
                    "Move or delete those untracked files in " + checkedOut.getWorkTree() + ", then merge again.", e);
        } finally {
            index.unlock();
        }
    }

    static String summarize(Set<String> paths) {
        List<String> first = new ArrayList<>(paths).subList(0, Math.min(10, paths.size()));
        return String.join(", ", first) + (paths.size() > first.size() ? " and " + (paths.size() - first.size())
                + " more" : "");
    }
}
