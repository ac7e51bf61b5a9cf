package dev.agentpipeline.core.board;

import dev.agentpipeline.core.store.FileRunStore;
import dev.agentpipeline.spi.tracker.Tracker;
import dev.agentpipeline.spi.tracker.TrackerException;
import dev.agentpipeline.spi.tracker.TrackerFactory;

import org.apiguardian.api.API;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * Opens {@link FileTracker}s through {@link java.util.ServiceLoader}: the tracker with id {@value #ID}. Settings (all
 * optional): {@code board}, the board file relative to the project (default {@value KanbanBoard#DEFAULT_PATH});
 * {@code lock_file}, the lock every change takes (default {@code .pipeline/board.lock} of the project, as the
 * command line's); {@code lock_timeout_ms}, how long a change waits for it (default 30000).
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class FileTrackerFactory implements TrackerFactory {

    /** The id of this implementation. */
    public static final String ID = "file";

    private static final Set<String> SETTINGS = Set.of("board", "lock_file", "lock_timeout_ms");

    /** For {@link java.util.ServiceLoader}. */
    public FileTrackerFactory() {
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public Tracker open(Path projectDir, Map<String, String> settings) {
        for (String key : settings.keySet()) {
            if (!SETTINGS.contains(key)) {
                throw new TrackerException("invalid_setting", "The file tracker has no setting '" + key + "'",
                        "Use board, lock_file or lock_timeout_ms.", null);
            }
        }
        Path board;
        Path lock;
        try {
            board = projectDir.resolve(settings.getOrDefault("board", KanbanBoard.DEFAULT_PATH));
            lock = settings.containsKey("lock_file") ? projectDir.resolve(settings.get("lock_file"))
                    : null; // the state directory's, made with its .gitignore when first needed
        } catch (InvalidPathException e) {
            throw new TrackerException("invalid_setting", "A path setting of the file tracker is not a path: "
                    + e.getMessage(), "Give board and lock_file as paths relative to the project.", e);
        }
        String timeout = settings.getOrDefault("lock_timeout_ms", "30000").trim();
        if (!timeout.matches("[0-9]{1,9}")) {
            throw new TrackerException("invalid_setting", "lock_timeout_ms must be a whole number of milliseconds"
                    + " (got '" + timeout + "')", "Pass for example 30000.", null);
        }
        if (lock == null) {
            lock = FileRunStore.builder(projectDir.resolve(".pipeline")).build().sharedLockFile("board");
        }
        return new FileTracker(BoardFile.of(board, lock, Duration.ofMillis(Long.parseLong(timeout))));
    }
}
