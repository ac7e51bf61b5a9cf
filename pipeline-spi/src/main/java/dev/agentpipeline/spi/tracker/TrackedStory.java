package dev.agentpipeline.spi.tracker;

import org.apiguardian.api.API;

import java.util.List;
import java.util.Objects;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * A story as a tracker shows it. Immutable.
 *
 * @param id the story's id ({@code US001}, {@code PROJ-42}), never null
 * @param title its title, never null (possibly empty)
 * @param status its status, one of the board's sections: {@code Backlog}, {@code Todo}, {@code In Progress},
 *     {@code To Review}, {@code To Rework}, {@code Done}, {@code Postponed}, {@code Canceled}
 * @param epic the epic it belongs to, empty for none
 * @param url its link, empty for none
 * @param taskIds the ids of its tasks, in order
 * @param tasksNotCreated whether the tracker says its tasks were not created yet
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public record TrackedStory(String id, String title, String status, String epic, String url, List<String> taskIds,
                           boolean tasksNotCreated) {

    /** Validates and copies. */
    public TrackedStory {
        Objects.requireNonNull(id, "id");
        title = title == null ? "" : title;
        Objects.requireNonNull(status, "status");
        epic = epic == null ? "" : epic;
        url = url == null ? "" : url;
        taskIds = List.copyOf(taskIds);
    }
}
