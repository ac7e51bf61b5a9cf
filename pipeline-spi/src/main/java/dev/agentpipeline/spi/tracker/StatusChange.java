package dev.agentpipeline.spi.tracker;

import org.apiguardian.api.API;

import java.util.Objects;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * What moving a story did. Immutable.
 *
 * @param storyId the story
 * @param from its status before
 * @param to its status after
 * @param changed false when it already had that status (nothing was written)
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public record StatusChange(String storyId, String from, String to, boolean changed) {

    /** Validates. */
    public StatusChange {
        Objects.requireNonNull(storyId, "storyId");
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
    }
}
