package dev.agentpipeline.spi.workspace;

import org.apiguardian.api.API;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * An isolated working copy a run's stages work in. Immutable: a snapshot of what it was when returned.
 *
 * @param name its name ({@code story-US001})
 * @param directory its working directory (absolute)
 * @param branch the branch checked out in it
 * @param baseCommit the commit its branch started from (the base its diff stats are computed against)
 * @param kind how it was made
 * @param warnings what went wrong without stopping its creation (a carried patch that did not apply...)
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public record Workspace(String name, Path directory, String branch, String baseCommit, Kind kind,
                        List<String> warnings) {

    /** How a workspace was made. */
    public enum Kind {
        /** A linked worktree of the repository (made with the git command line). */
        LINKED_WORKTREE,
        /** A local clone of the repository (where no git command line is installed). */
        CLONE,
        /** The repository's own working tree: it already was on a feature branch. */
        IN_PLACE
    }

    /** Validates and copies. */
    public Workspace {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(branch, "branch");
        Objects.requireNonNull(baseCommit, "baseCommit");
        Objects.requireNonNull(kind, "kind");
        warnings = List.copyOf(warnings);
    }
}
