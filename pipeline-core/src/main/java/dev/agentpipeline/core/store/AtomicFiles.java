package dev.agentpipeline.core.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicLong;

/** Atomic replacement of small files: temp file, optional force, rename, optional directory force. */
final class AtomicFiles {

    private static final AtomicLong COUNTER = new AtomicLong();

    private AtomicFiles() {
    }

    /**
     * Replaces a file's content atomically: readers see the old or the new content, never a mix.
     *
     * @param file the file
     * @param bytes the new content
     * @param durable whether to force the data and the directory entry to disk before returning
     */
    static void write(Path file, byte[] bytes, boolean durable) throws IOException {
        write(file, "." + file.getFileName() + ".tmp-" + ProcessHandle.current().pid() + "-"
                + COUNTER.incrementAndGet(), bytes, durable);
    }

    /**
     * Replaces a file's content atomically, through a temporary file of the given name beside it.
     *
     * @param file the file
     * @param temporaryName the temporary file's name in the same directory; it must not exist
     * @param bytes the new content
     * @param durable whether to force the data and the directory entry to disk before returning
     */
    static void write(Path file, String temporaryName, byte[] bytes, boolean durable) throws IOException {
        Path dir = file.getParent();
        Path temp = dir.resolve(temporaryName);
        boolean moved = false;
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                if (durable) {
                    channel.force(true);
                }
            }
            try {
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                moved = true;
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("The file system of " + dir + " cannot rename atomically; keep the pipeline"
                        + " state on a local file system", e);
            }
        } finally {
            if (!moved) {
                Files.deleteIfExists(temp); // after a move there is nothing to delete: skip the lstat
            }
        }
        if (durable) {
            forceDirectory(dir);
        }
    }

    /** Forces a directory's entries to disk, where the platform supports it. */
    static void forceDirectory(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // Windows cannot open directories; its rename is durable with the file's metadata.
            if (!System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("win")) {
                throw e;
            }
        }
    }
}
