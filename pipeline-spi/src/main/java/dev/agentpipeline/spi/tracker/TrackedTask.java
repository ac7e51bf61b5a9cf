package dev.agentpipeline.spi.tracker;

import org.apiguardian.api.API;

import java.util.Objects;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * A task to add under a story. Immutable.
 *
 * @param id the task's id ({@code T-001}), never null
 * @param title its title, never null
 * @param url its link, empty for none
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public record TrackedTask(String id, String title, String url) {

    /** Validates. */
    public TrackedTask {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(title, "title");
        url = url == null ? "" : url;
    }
}
