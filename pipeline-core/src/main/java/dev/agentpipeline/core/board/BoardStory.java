package dev.agentpipeline.core.board;

import dev.agentpipeline.core.story.StoryPipeline;

import org.apiguardian.api.API;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * A story on the kanban board: the line {@code   - [ID: US001 Login form](docs/tasks/US001.md)} (or
 * {@code   - [PROJ-42: Login form](url)}) at two spaces, in a status section, under an epic, with its tasks.
 *
 * @param id the story's id, a {@linkplain dev.agentpipeline.core.run.Ids#isSafe safe id}; never null
 * @param title its title, never null
 * @param url the link's target, never null (may be empty)
 * @param status the section it is in, never null
 * @param epic the epic it is under ({@code "Epic 1: Greetings"}), or null when none is above it in its section
 * @param tasks its task lines, never null
 * @param tasksNotCreated whether it is marked {@code _(tasks not created yet)_}
 * @param markers what follows the link on the line ({@code "APPROVED"}), trimmed; never null
 * @param line the story line's number in the board file, from 1
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public record BoardStory(String id, String title, String url, BoardStatus status, String epic, List<BoardTask> tasks,
                         boolean tasksNotCreated, String markers, int line) {

    /** Validates and copies. */
    public BoardStory {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(status, "status");
        tasks = List.copyOf(tasks);
        Objects.requireNonNull(markers, "markers");
    }

    /** @return whether the story has task lines (a marker {@code _(tasks not created yet)_} alone is none) */
    public boolean hasTasks() {
        return !tasks.isEmpty();
    }

    /**
     * The stage the story starts at, by the ln-1000 skill's routing ({@link StoryPipeline#targetStage}).
     *
     * @return {@code STAGE_0} to {@code STAGE_3}, or empty for a Done, Postponed or Canceled story
     */
    public Optional<String> targetStage() {
        return StoryPipeline.targetStage(status.label(), hasTasks());
    }

    /**
     * The ln-1000 skill's selection priority: 1 To Review, 2 To Rework, 3 In Progress, 4 Todo, 5 Backlog with tasks,
     * 6 Backlog without; 7 for Done, Postponed and Canceled, which are not selected.
     *
     * @return the priority, 1 first
     */
    public int priority() {
        switch (status) {
            case TO_REVIEW:
                return 1;
            case TO_REWORK:
                return 2;
            case IN_PROGRESS:
                return 3;
            case TODO:
                return 4;
            case BACKLOG:
                return hasTasks() ? 5 : 6;
            default:
                return 7;
        }
    }
}
