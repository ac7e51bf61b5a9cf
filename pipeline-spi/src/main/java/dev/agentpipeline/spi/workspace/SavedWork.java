package dev.agentpipeline.spi.workspace;

import org.apiguardian.api.API;

import java.util.Objects;
import java.util.Optional;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * Where a workspace's partial work was saved when its run paused. Immutable.
 *
 * @param branch the branch that holds the work
 * @param commit the commit that saved it (a {@code WIP: ...} commit, possibly empty)
 * @param remote the remote the branch was pushed to, if any
 * @param pushWarning why a push to an existing remote did not happen (rejected, offline...), if it did not
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public record SavedWork(String branch, String commit, Optional<String> remote, Optional<String> pushWarning) {

    /** Validates. */
    public SavedWork {
        Objects.requireNonNull(branch, "branch");
        Objects.requireNonNull(commit, "commit");
        Objects.requireNonNull(remote, "remote");
        Objects.requireNonNull(pushWarning, "pushWarning");
    }
}
