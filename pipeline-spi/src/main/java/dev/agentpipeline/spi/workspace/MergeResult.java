package dev.agentpipeline.spi.workspace;

import org.apiguardian.api.API;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * The result of merging a branch into another. Immutable.
 *
 * @param status what happened
 * @param commit the merge commit, when one was made
 * @param conflicts the paths that conflict, when the merge was refused (nothing was touched)
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public record MergeResult(Status status, Optional<String> commit, List<String> conflicts) {

    /** What a merge did. */
    public enum Status {
        /** A merge commit was made. */
        MERGED,
        /** The branch was already merged; nothing was done. */
        UP_TO_DATE,
        /** The branches conflict; nothing was touched. */
        CONFLICTS
    }

    /** Validates and copies. */
    public MergeResult {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(commit, "commit");
        conflicts = List.copyOf(conflicts);
    }
}
