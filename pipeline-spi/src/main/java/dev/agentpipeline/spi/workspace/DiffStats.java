package dev.agentpipeline.spi.workspace;

import org.apiguardian.api.API;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * How much a workspace changed against its base: the {@code git_stats} of a story checkpoint. Immutable.
 *
 * @param filesChanged files added, changed, deleted or renamed
 * @param linesAdded lines added
 * @param linesDeleted lines deleted
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public record DiffStats(int filesChanged, int linesAdded, int linesDeleted) {

    /** No change. */
    public static final DiffStats NONE = new DiffStats(0, 0, 0);

    /**
     * Validates.
     *
     * @throws IllegalArgumentException if a count is negative
     */
    public DiffStats {
        if (filesChanged < 0 || linesAdded < 0 || linesDeleted < 0) {
            throw new IllegalArgumentException("diff counts must be 0 or more");
        }
    }
}
