package dev.agentpipeline.core.board;

import dev.agentpipeline.core.engine.RunListener;
import dev.agentpipeline.core.run.Ids;
import dev.agentpipeline.core.run.RunEvent;
import dev.agentpipeline.core.run.RunState;

import dev.agentpipeline.spi.tracker.StatusChange;
import dev.agentpipeline.spi.tracker.TrackedStory;
import dev.agentpipeline.spi.tracker.TrackedTask;
import dev.agentpipeline.spi.tracker.Tracker;
import dev.agentpipeline.spi.tracker.TrackerException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.apiguardian.api.API;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * Keeps the board in step with a run, as the ln-1000 skill does: whenever a stage summary is recorded, the story moves
 * to the summary's {@code story_status} (Backlog after decomposition, Todo after a GO, To Review after execution,
 * Done or To Rework after the quality gate), and when task decomposition (stage 0) records its checkpoint, the tasks
 * of its {@code tasks_remaining} are added under the story ({@link BoardFile#addTasks}; titles from the stage's
 * outcome attribute {@value #TITLES}, an object of task id to title, else the id; links from the story's link with
 * its id replaced by the task's, else none). Register it on the runtime that drives the run.
 *
 * <pre>{@code
 * BoardUpdater board = new BoardUpdater(BoardFile.of(boardPath, stateDir.resolve("board.lock"), timeout));
 * runtime.addListener(board);
 * orchestrator.drive(runId);
 * board.moves();      // what moved
 * board.problems();   // what could not: the run goes on either way
 * }</pre>
 *
 * <p>A board that cannot be updated (missing, the story not on it, no section for the status, the lock busy) never
 * stops or pauses the run: the board is a view for people, the journal is the truth. Each such problem is logged
 * and kept in {@link #problems()}. Thread-safe.
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class BoardUpdater implements RunListener {

    private static final Logger LOG = LoggerFactory.getLogger(BoardUpdater.class);

    /** The stage whose checkpoint names the story's tasks ({@code tasks_remaining}). */
    static final String TASKS_STAGE = "STAGE_0";

    /** The outcome attribute of stage 0 that may give the tasks' titles: an object of task id to title. */
    public static final String TITLES = "task_titles";

    private final Tracker board;
    private final List<StatusChange> moves = new CopyOnWriteArrayList<>();
    private final List<TasksAdded> taskAdditions = new CopyOnWriteArrayList<>();
    private final List<String> problems = new CopyOnWriteArrayList<>();

    /** @param board the board file to keep up to date */
    public BoardUpdater(BoardFile board) {
        this(new FileTracker(board));
    }

    /** @param tracker the tracker to keep up to date: the board file's, or any other implementation's */
    public BoardUpdater(Tracker tracker) {
        this.board = Objects.requireNonNull(tracker, "tracker");
    }

    @Override
    public void onEvent(RunEvent event, RunState state) {
        if (event instanceof RunEvent.CheckpointRecorded checkpoint && TASKS_STAGE.equals(checkpoint.stateId())) {
            addTasks(checkpoint, state);
            return;
        }
        if (!(event instanceof RunEvent.SummaryRecorded summary)) {
            return;
        }
        Object payload = summary.summary().get("payload");
        Object storyStatus = payload instanceof Map<?, ?> map ? map.get("story_status") : null;
        if (storyStatus == null) {
            return; // a stage that said nothing of the story's status
        }
        String story = state.subjectId();
        BoardStatus status = BoardStatus.of(storyStatus.toString()).orElse(null);
        if (status == null) {
            problem(summary.stateId() + " reported story_status '" + storyStatus + "', which is no board section;"
                    + " " + story + " stays where it is on " + board.location());
            return;
        }
        try {
            StatusChange move = board.move(story, status.label());
            if (move.changed()) {
                moves.add(move);
                LOG.info("Board: {} moved from {} to {}", story, move.from(), move.to());
            }
        } catch (TrackerException e) {
            problem("Cannot move " + story + " to " + status.label() + " on the board: " + e.getMessage());
        }
    }

    /** Adds the tasks of a stage-0 checkpoint's {@code tasks_remaining} under the story. */
    private void addTasks(RunEvent.CheckpointRecorded checkpoint, RunState state) {
        String story = state.subjectId();
        Object remaining = checkpoint.payload().get("tasks_remaining");
        if (!(remaining instanceof List<?> ids) || ids.isEmpty()) {
            return; // no tasks named
        }
        Map<?, ?> titles = state.freshOutcome(TASKS_STAGE)
                .map(outcome -> outcome.attributes().get(TITLES) instanceof Map<?, ?> map ? map : null)
                .orElse(Map.of());
        List<NewTask> tasks = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            Object id = ids.get(i);
            if (!(id instanceof String text) || !Ids.isSafe(text)) {
                problem(TASKS_STAGE + " checkpoint tasks_remaining[" + i + "] " + (id instanceof String ? "'" + id
                        + "'" : String.valueOf(id)) + " is not a task id (1 to 128 letters, digits, '.', '_' or '-',"
                        + " starting with a letter or digit); it is not added under " + story + " on "
                        + board.location());
                continue;
            }
            Object title = titles.get(text);
            String name = title instanceof String given && !given.isBlank() ? given.trim() : text;
            try {
                tasks.add(NewTask.of(text, name, ""));
            } catch (IllegalArgumentException e) {
                problem(TASKS_STAGE + " outcome attribute " + TITLES + "." + text + ": " + e.getMessage()
                        + "; the task is added with its id as title");
                tasks.add(NewTask.of(text, text, ""));
            }
        }
        if (tasks.isEmpty()) {
            return;
        }
        String storyUrl;
        try {
            storyUrl = board.story(story).map(TrackedStory::url).orElseThrow(() -> new TrackerException(
                    "story_not_on_board", story + " is not on " + board.location(), "Add it to the board.", null));
        } catch (TrackerException e) {
            problem("Cannot add tasks under " + story + " on the board: " + e.getMessage());
            return;
        }
        List<TrackedTask> linked = new ArrayList<>();
        for (NewTask task : tasks) {
            linked.add(new TrackedTask(task.id(), task.title(), taskUrl(storyUrl, story, task.id())));
        }
        try {
            List<String> added = board.addTasks(story, linked);
            if (!added.isEmpty()) {
                taskAdditions.add(new TasksAdded(story, added));
                LOG.info("Board: added tasks {} under {}", added, story);
            }
        } catch (TrackerException e) {
            problem("Cannot add tasks under " + story + " on the board: " + e.getMessage());
        }
    }

    /**
     * A task's link, by the story's: the story's url with its id replaced by the task's
     * ({@code docs/tasks/US001.md} gives {@code docs/tasks/T-001.md}), or none when the url does not hold the id.
     */
    static String taskUrl(String storyUrl, String storyId, String taskId) {
        int at = storyUrl.lastIndexOf(storyId);
        return at < 0 ? "" : storyUrl.substring(0, at) + taskId + storyUrl.substring(at + storyId.length());
    }

    private void problem(String message) {
        problems.add(message);
        LOG.warn(message);
    }

    /** @return the moves made so far, in order; never null */
    public List<StatusChange> moves() {
        return List.copyOf(moves);
    }

    /** @return the tasks added under stories so far, in order; never null */
    public List<TasksAdded> tasksAdded() {
        return List.copyOf(taskAdditions);
    }

    /**
     * Tasks added under a story.
     *
     * @param storyId the story, never null
     * @param taskIds the ids of the tasks added, in order; never null
     * @since 0.1
     */
    public record TasksAdded(String storyId, List<String> taskIds) {

        /** Validates and copies. */
        public TasksAdded {
            Objects.requireNonNull(storyId, "storyId");
            taskIds = List.copyOf(taskIds);
        }
    }

    /** @return the updates that could not be made, in order, each saying why; never null */
    public List<String> problems() {
        return List.copyOf(problems);
    }
}
