package dev.agentpipeline.core.board;

import dev.agentpipeline.core.store.RunLock;
import dev.agentpipeline.core.store.SharedFiles;
import dev.agentpipeline.core.store.StoreException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;

/**
 * The board on disk, for reading and for moving stories between status sections. A move holds a lock (a lock file,
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
        try (RunLock lock = SharedFiles.lock(lockFile, lockTimeout, "The board " + file)) {
            byte[] before = readBytes();
            KanbanBoard board = KanbanBoard.read(file);
            BoardStory story = board.require(storyId);
            KanbanBoard moved = board.move(storyId, to);
            if (moved == board) {
                return new Move(storyId, story.status(), to, false);
            }
            if (!Arrays.equals(before, readBytes())) {
                throw new BoardException("board_changed", "The board " + file + " changed while " + storyId
                        + " was being moved to " + to.label(), "Try again; " + storyId + " is still in "
                        + story.status().label() + ".", null);
            }
            try {
                SharedFiles.replace(file, moved.text().getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new BoardException("io_error", "Cannot write the board " + file + ": " + e.getMessage(),
                        "Check that the directory is writable; the board is unchanged.", e);
            }
            return new Move(storyId, story.status(), to, true);
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
