package dev.agentpipeline.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileStore;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Locale;
import java.util.Set;

/** Temporary directories for benchmarks that write files: on a real disk, and removed afterwards. */
final class BenchFiles {

    /** System property naming the directory under which benchmarks create their temporary directories. */
    static final String DIR_PROPERTY = "bench.dir";

    /**
     * System property that lets a benchmark write to a memory file system anyway: only to break a result down into
     * what the code costs and what the disk costs.
     */
    static final String ALLOW_MEMORY_PROPERTY = "bench.allowMemoryFs";

    private static final Set<String> MEMORY_FILE_SYSTEMS = Set.of("tmpfs", "ramfs", "devtmpfs", "overlay-tmpfs");

    private BenchFiles() {
    }

    /**
     * Creates a temporary directory under {@code -Dbench.dir} (default {@code java.io.tmpdir}) and checks that it
     * lives on a disk: a force on tmpfs costs nothing and would measure nothing.
     *
     * @param prefix the directory name's prefix
     * @return the new directory
     * @throws IllegalStateException if the directory is on a memory file system
     */
    static Path createDiskDirectory(String prefix) {
        Path base = Path.of(System.getProperty(DIR_PROPERTY, System.getProperty("java.io.tmpdir")));
        try {
            Files.createDirectories(base);
            Path dir = Files.createTempDirectory(base, prefix);
            FileStore store = Files.getFileStore(dir);
            String type = store.type().toLowerCase(Locale.ROOT);
            if (MEMORY_FILE_SYSTEMS.contains(type) && !Boolean.getBoolean(ALLOW_MEMORY_PROPERTY)) {
                delete(dir);
                throw new IllegalStateException(base + " is on " + type + " (memory), where a force costs nothing."
                        + " Point the benchmark at a directory on a disk with -jvmArgsAppend -D" + DIR_PROPERTY
                        + "=<dir>, for example pipeline-bench/target (or set -D" + ALLOW_MEMORY_PROPERTY + "=true to"
                        + " measure the code's share alone).");
            }
            System.out.println("# Files under " + dir + " (" + store.type() + " " + store.name() + ")");
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create a directory under " + base, e);
        }
    }

    /**
     * Deletes a directory tree; quietly does nothing if it is gone.
     *
     * @param dir the directory
     */
    static void delete(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                    Files.delete(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            System.err.println("# Could not delete " + dir + ": " + e);
        }
    }
}
