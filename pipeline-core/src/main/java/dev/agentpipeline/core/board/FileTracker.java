package dev.agentpipeline.core.board;

import dev.agentpipeline.core.store.StoreException;
import dev.agentpipeline.spi.tracker.StatusChange;
import dev.agentpipeline.spi.tracker.TrackedStory;
import dev.agentpipeline.spi.tracker.TrackedTask;
import dev.agentpipeline.spi.tracker.Tracker;
import dev.agentpipeline.spi.tracker.TrackerException;

import org.apiguardian.api.API;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * The {@link Tracker} of a kanban board file ({@code docs/tasks/kanban_board.md}): a {@link BoardFile} behind the
 * tracker extension point, so a run's {@link BoardUpdater} works the same with this board and with any other
 * tracker. Every change is a {@link BoardFile} change: locked, checked against what was read, atomic.
 *
 * <pre>{@code
 * Tracker board = new FileTracker(BoardFile.of(projectDir.resolve(KanbanBoard.DEFAULT_PATH),
 *         projectDir.resolve(".pipeline/board.lock"), Duration.ofSeconds(30)));
 * }</pre>
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class FileTracker implements Tracker {

    private final BoardFile board;

    /** @param board the board file */
    public FileTracker(BoardFile board) {
        this.board = Objects.requireNonNull(board, "board");
    }

    /** @return the board file behind this tracker */
    public BoardFile board() {
        return board;
    }

    @Override
    public String location() {
        return board.file().toString();
    }

    @Override
    public List<TrackedStory> stories() {
        KanbanBoard read = read();
        List<TrackedStory> stories = new ArrayList<>();
        read.available().forEach(story -> stories.add(tracked(story)));
        read.stories().stream().filter(story -> story.status().isClosed())
                .forEach(story -> stories.add(tracked(story)));
        return List.copyOf(stories);
    }

    @Override
    public StatusChange move(String storyId, String status) {
        BoardStatus to = BoardStatus.of(status).orElseThrow(() -> new TrackerException("unknown_status", "'" + status
                + "' is no section of the board " + board.file(), "Use one of Backlog, Todo, In Progress, To Review,"
                + " To Rework, Done, Postponed, Canceled.", null));
        try {
            BoardFile.Move move = board.move(storyId, to);
            return new StatusChange(move.storyId(), move.from().label(), move.to().label(), move.changed());
        } catch (BoardException e) {
            throw translate(e);
        } catch (StoreException e) {
            throw new TrackerException(e.code(), e.problem(), e.fix(), e);
        }
    }

    @Override
    public List<String> addTasks(String storyId, List<TrackedTask> tasks) {
        List<NewTask> added = new ArrayList<>();
        for (TrackedTask task : tasks) {
            try {
                added.add(NewTask.of(task.id(), task.title(), task.url()));
            } catch (IllegalArgumentException e) {
                throw new TrackerException("invalid_task", "Task " + task.id() + " cannot go on the board " + board.file()
                        + ": " + e.getMessage(), "Give tasks safe ids and one-line titles.", e);
            }
        }
        try {
            return board.addTasks(storyId, added);
        } catch (BoardException e) {
            throw translate(e);
        } catch (StoreException e) {
            throw new TrackerException(e.code(), e.problem(), e.fix(), e);
        }
    }

    private KanbanBoard read() {
        try {
            return board.read();
        } catch (BoardException e) {
            throw translate(e);
        }
    }

    private static TrackedStory tracked(BoardStory story) {
        List<String> tasks = new ArrayList<>();
        story.tasks().forEach(task -> tasks.add(task.id()));
        return new TrackedStory(story.id(), story.title(), story.status().label(), story.epic(), story.url(), tasks,
                story.tasksNotCreated());
    }

    private static TrackerException translate(BoardException e) {
        return new TrackerException(e.code(), e.getMessage(), e.fix(), e);
    }
}
