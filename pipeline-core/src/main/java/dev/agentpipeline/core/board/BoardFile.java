package dev.agentpipeline.core.board;

import dev.agentpipeline.core.store.RunLock;
import dev.agentpipeline.core.store.SharedFiles;
import dev.agentpipeline.core.store.StoreException;

import org.apiguardian.api.API;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * The board on disk, for reading, moving stories between status sections and adding tasks. A change holds a lock (a lock file,
 * across threads and processes, so two runs finishing stages at once never lose each other's move), reads the
 * board, and replaces it atomically and durably. Editors that do not take the lock (a person, an agent) can still
 * race a move; the move checks just before its rename that the file is the one it read and otherwise fails with
 * {@code board_changed} rather than overwrite the edit (a window of microseconds remains).
 *
 * <pre>{@code
 * BoardFile board = BoardFile.of(project.resolve(KanbanBoard.DEFAULT_PATH), stateDir.resolve("board.lock"),
 *         Duration.ofSeconds(30));
 * BoardFile.Move move = board.move("US001", BoardStatus.TO_REVIEW);
 * }</pre>
 *
 * <p>Thread-safe.
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class BoardFile {

    private final Path file;
    private final Path lockFile;
    private final Duration lockTimeout;

    private BoardFile(Path file, Path lockFile, Duration lockTimeout) {
        this.file = file;
        this.lockFile = lockFile;
        this.lockTimeout = lockTimeout;
    }

    /**
     * @param file the board file ({@code <project>/docs/tasks/kanban_board.md})
     * @param lockFile the lock file moves take (created when first needed; keep it out of the project's git, in the
     *     state directory)
     * @param lockTimeout how long a move waits for another to finish
     * @return the board file
     * @throws IllegalArgumentException if the timeout is negative
     */
    public static BoardFile of(Path file, Path lockFile, Duration lockTimeout) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(lockFile, "lockFile");
        if (Objects.requireNonNull(lockTimeout, "lockTimeout").isNegative()) {
            throw new IllegalArgumentException("lockTimeout must not be negative, got " + lockTimeout);
        }
        return new BoardFile(file, lockFile, lockTimeout);
    }

    /** @return the board file, never null */
    public Path file() {
        return file;
    }

    /**
     * Reads the board as it is now. Needs no lock: moves replace the file whole.
     *
     * @return the board
     * @throws BoardException as {@link KanbanBoard#read} does
     */
    public KanbanBoard read() {
        return KanbanBoard.read(file);
    }

    /**
     * Moves a story to a status section, if it is not there already.
     *
     * @param storyId the story
     * @param to its new status
     * @return what happened, never null
     * @throws BoardException as {@link KanbanBoard#read} and {@link KanbanBoard#move} do, {@code board_changed} if
     *     the file changed between the read and the write, {@code io_error} if it cannot be written (it is then
     *     unchanged)
     * @throws StoreException if the lock cannot be taken in time ({@code lock_timeout})
     */
    public Move move(String storyId, BoardStatus to) {
        Objects.requireNonNull(storyId, "storyId");
        Objects.requireNonNull(to, "to");
        BoardStatus[] from = new BoardStatus[1];
        boolean changed = edit(board -> {
            from[0] = board.require(storyId).status();
            return board.move(storyId, to);
        }, storyId + " was being moved to " + to.label(), () -> storyId + " is still in " + from[0].label());
        return new Move(storyId, from[0], to, changed);
    }

    /**
     * Adds tasks under a story as {@link KanbanBoard#withTasks} does (in place of its
     * {@code _(tasks not created yet)_} marker, or after its last task), leaving out those already there; under the
     * same lock and with the same atomic replace as {@link #move}.
     *
     * @param storyId the story
     * @param tasks the tasks, never null
     * @return the ids of the tasks added (empty, and the file untouched, when all were there), never null
     * @throws BoardException as {@link #move} does, except {@code no_section}
     * @throws StoreException if the lock cannot be taken in time ({@code lock_timeout})
     */
    public List<String> addTasks(String storyId, List<NewTask> tasks) {
        Objects.requireNonNull(storyId, "storyId");
        List<NewTask> copy = List.copyOf(tasks);
        List<String> added = new ArrayList<>();
        edit(board -> {
            added.clear();
            Set<String> before = new HashSet<>();
            board.require(storyId).tasks().forEach(task -> before.add(task.id()));
            copy.stream().map(NewTask::id).filter(before::add).forEach(added::add);
            return board.withTasks(storyId, copy);
        }, "tasks were being added under " + storyId, () -> "no task was added");
        return List.copyOf(added);
    }

    /** Under the lock: reads, edits, checks the file is still what was read, replaces it. */
    private boolean edit(UnaryOperator<KanbanBoard> change, String doing, Supplier<String> unchanged) {
        try (RunLock lock = SharedFiles.lock(lockFile, lockTimeout, "The board " + file)) {
            byte[] before = readBytes();
            KanbanBoard board = KanbanBoard.read(file);
            KanbanBoard edited = change.apply(board);
            if (edited == board) {
                return false;
            }
            if (!Arrays.equals(before, readBytes())) {
                throw new BoardException("board_changed", "The board " + file + " changed while " + doing,
                        "Try again; " + unchanged.get() + ".", null);
            }
            try {
                SharedFiles.replace(file, edited.text().getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new BoardException("io_error", "Cannot write the board " + file + ": " + e.getMessage(),
                        "Check that the directory is writable; the board is unchanged.", e);
            }
            return true;
        }
    }

    private byte[] readBytes() {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            return new byte[0]; // KanbanBoard.read says what is wrong
        }
    }

    /**
     * A story's move on the board.
     *
     * @param storyId the story, never null
     * @param from the status it had, never null
     * @param to the status it has, never null
     * @param changed whether the board was written (false when the story already had that status)
     * @since 0.1
     */
    public record Move(String storyId, BoardStatus from, BoardStatus to, boolean changed) {

        /** Validates. */
        public Move {
            Objects.requireNonNull(storyId, "storyId");
            Objects.requireNonNull(from, "from");
            Objects.requireNonNull(to, "to");
        }
    }
}
