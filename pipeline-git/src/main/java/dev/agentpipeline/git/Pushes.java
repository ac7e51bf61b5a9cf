package dev.agentpipeline.git;

import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.api.errors.TransportException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.transport.PushResult;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.RemoteRefUpdate;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Pushes a branch, never forced: to the repository's {@code origin}, and from a clone back to the repository it was
 * cloned from. Stateless.
 */
final class Pushes {

    static final String ORIGIN = "origin";

    private Pushes() {
    }

    /**
     * What a push to {@code origin} did.
     *
     * @param remote the remote the branch is on now, if it was pushed
     * @param warning why it was not pushed to a remote that exists, if it was not
     */
    record Outcome(Optional<String> remote, Optional<String> warning) {
        static final Outcome NO_REMOTE = new Outcome(Optional.empty(), Optional.empty());
    }

    /**
     * Pushes a branch to {@code origin} if the repository has that remote, with JGit; where JGit cannot reach the
     * remote (an ssh or https remote that needs the user's ssh agent or credential helper, which JGit does not use)
     * and the git command line is there, with {@code git push} (no prompts). Never forced.
     *
     * @param repo the repository that holds the branch
     * @param branch the branch
     * @param cli the git command line, or null
     * @param timeout how long the push may take
     * @return what happened; a rejected or failed push is a warning, not an error
     */
    static Outcome toOrigin(Repository repo, String branch, GitCli cli, Duration timeout) {
        if (!repo.getRemoteNames().contains(ORIGIN)) {
            return Outcome.NO_REMOTE;
        }
        String url = repo.getConfig().getString("remote", ORIGIN, "url");
        String where = "origin (" + url + ")";
        String ref = Constants.R_HEADS + branch;
        String failure;
        try {
            failure = push(repo, ORIGIN, ref, timeout);
        } catch (TransportException e) {
            if (cli == null) {
                failure = "cannot reach it: " + e.getMessage();
            } else {
                GitCli.Result result = cli.run(repo.getWorkTree().toPath(),
                        List.of("push", "--porcelain", ORIGIN, ref + ":" + ref));
                failure = result.ok() ? null : "`git push` failed after JGit could not reach it (" + e.getMessage()
                        + "): " + result.message();
            }
        } catch (GitAPIException e) {
            failure = e.getMessage();
        }
        if (failure == null) {
            return new Outcome(Optional.of(ORIGIN), Optional.empty());
        }
        return new Outcome(Optional.empty(), Optional.of("Could not push " + branch + " to " + where + ": " + failure
                + ". The work is committed on " + branch + " in " + repo.getCommonDirectory() + "; push it by hand"
                + " (fetch and merge first if the remote branch moved on): git push " + ORIGIN + " " + branch));
    }

    /**
     * Pushes a branch to a remote, never forced.
     *
     * @return null when the remote has the branch at the pushed commit now, else why not
     * @throws GitAPIException if the push could not be made at all ({@link TransportException}: not reachable)
     */
    static String push(Repository repo, String remote, String ref, Duration timeout) throws GitAPIException {
        Iterable<PushResult> results = Git.wrap(repo).push()
                .setRemote(remote)
                .setRefSpecs(new RefSpec(ref + ":" + ref))
                .setForce(false)
                .setTimeout((int) Math.max(1, timeout.toSeconds()))
                .call();
        for (PushResult result : results) {
            RemoteRefUpdate update = result.getRemoteUpdate(ref);
            if (update == null) {
                return "the remote did not report on " + ref;
            }
            switch (update.getStatus()) {
                case OK:
                case UP_TO_DATE:
                    continue;
                case REJECTED_NONFASTFORWARD:
                    return "rejected as non-fast-forward: the remote branch has commits this one does not have";
                default:
                    return update.getStatus() + (update.getMessage() == null ? "" : " (" + update.getMessage() + ")");
            }
        }
        return null;
    }
}
