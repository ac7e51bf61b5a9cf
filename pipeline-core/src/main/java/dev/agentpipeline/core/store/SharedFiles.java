package dev.agentpipeline.core.store;

import org.apiguardian.api.API;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * The store's locks and atomic writes, for other files that several threads and processes update (the kanban
 * board): an exclusive lock on a lock file (the same fair in-JVM lock plus OS file lock as a run's), and a
 * replacement that readers see whole or not at all and that is on disk when it returns.
 *
 * <pre>{@code
 * try (RunLock lock = SharedFiles.lock(stateDir.resolve("board.lock"), Duration.ofSeconds(30), "the board")) {
 *     String text = Files.readString(board);
 *     SharedFiles.replace(board, edit(text).getBytes(StandardCharsets.UTF_8));
 * }
 * }</pre>
 *
 * <p>Thread-safe.
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class SharedFiles {

    private SharedFiles() {
    }

    /**
     * Takes the exclusive lock of a lock file, waiting at most {@code timeout}. The file and its directory are
     * created if missing; the file is never written.
     *
     * @param lockFile the lock file
     * @param timeout how long to wait
     * @param what what the lock guards, for the timeout's message ("the board docs/tasks/kanban_board.md")
     * @return the lock, to close from the same thread
     * @throws LockTimeoutException if another holder kept it longer than {@code timeout}
     * @throws StoreException if the lock file cannot be created or locked
     */
    public static RunLock lock(Path lockFile, Duration timeout, String what) {
        Objects.requireNonNull(lockFile, "lockFile");
        Objects.requireNonNull(timeout, "timeout");
        return FileLocks.acquire(lockFile.toAbsolutePath(), timeout, Objects.requireNonNull(what, "what"));
    }

    /**
     * Replaces a file's content atomically and durably: a temporary file beside it, forced, renamed over it, and
     * the directory forced.
     *
     * @param file the file; its directory must exist
     * @param bytes the new content
     * @throws IOException if it cannot be written; the old content is then unchanged
     */
    public static void replace(Path file, byte[] bytes) throws IOException {
        AtomicFiles.write(Objects.requireNonNull(file, "file").toAbsolutePath(), Objects.requireNonNull(bytes, "bytes"),
                true);
    }

    /**
     * Replaces a file's content atomically and durably as {@link #replace(Path, byte[])} does, through a temporary
     * file of the given name: for directories whose readers skip files by name (the signal inbox skips names that
     * start with {@code .}), or whose files' names are too long to carry a suffix.
     *
     * @param file the file; its directory must exist
     * @param temporaryName the temporary file's name in the same directory, unique to this write (a nonce)
     * @param bytes the new content
     * @throws IOException if it cannot be written (or the temporary file exists); the old content is then unchanged
     * @throws IllegalArgumentException if the temporary name is not a plain file name or is the file's own
     */
    public static void replace(Path file, String temporaryName, byte[] bytes) throws IOException {
        Path target = Objects.requireNonNull(file, "file").toAbsolutePath();
        Objects.requireNonNull(temporaryName, "temporaryName");
        if (temporaryName.isEmpty() || temporaryName.contains("/") || temporaryName.contains("\\")
                || temporaryName.equals(".") || temporaryName.equals("..")
                || temporaryName.equals(target.getFileName().toString())) {
            throw new IllegalArgumentException("temporary name '" + temporaryName + "' must be a plain file name"
                    + " other than the file's own");
        }
        AtomicFiles.write(target, temporaryName, Objects.requireNonNull(bytes, "bytes"), true);
    }
}
