package dev.agentpipeline.spi.tracker;

import org.apiguardian.api.API;

import java.util.List;
import java.util.Optional;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * Where a team's stories live: read to pick the next story, written to move it as its run goes and to add the tasks
 * its decomposition names. Implementations must be safe to use from several threads and processes at once (the file
 * tracker takes a lock around every change) and must never lose what a person edits at the same time.
 *
 * <pre>{@code
 * Tracker board = ServiceLoader.load(TrackerFactory.class).stream().map(ServiceLoader.Provider::get)
 *         .filter(f -> f.id().equals("file")).findFirst().orElseThrow()
 *         .open(projectDir, Map.of());
 * TrackedStory next = board.stories().stream().filter(s -> !s.status().equals("Done")).findFirst().orElseThrow();
 * board.move(next.id(), "In Progress");
 * }</pre>
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public interface Tracker {

    /** @return where the stories are, for messages (a file, a URL), never null */
    String location();

    /**
     * @return every story, open ones first in the order they should be picked (the ln-1000 skill's priority: To Review,
     *     To Rework, In Progress, Todo, Backlog with tasks, Backlog without), then closed ones
     * @throws TrackerException if the tracker cannot be read
     */
    List<TrackedStory> stories();

    /**
     * @param id a story id
     * @return the story, if the tracker has it
     * @throws TrackerException if the tracker cannot be read
     */
    default Optional<TrackedStory> story(String id) {
        return stories().stream().filter(story -> story.id().equals(id)).findFirst();
    }

    /**
     * Moves a story to another status.
     *
     * @param storyId the story
     * @param status the status: one of {@link TrackedStory#status()}'s values
     * @return what changed
     * @throws TrackerException if the story or the status is unknown, or the tracker cannot be written
     */
    StatusChange move(String storyId, String status);

    /**
     * Adds tasks under a story; a task it already has is not added again.
     *
     * @param storyId the story
     * @param tasks the tasks
     * @return the ids of the tasks added, in order
     * @throws TrackerException if the story is unknown, or the tracker cannot be written
     */
    List<String> addTasks(String storyId, List<TrackedTask> tasks);
}
