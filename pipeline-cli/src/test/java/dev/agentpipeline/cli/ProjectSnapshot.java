package dev.agentpipeline.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Everything under a directory: each relative path with its bytes (files) and last-modified time, so that a test
 * can assert that a command changed nothing on disk.
 */
record ProjectSnapshot(Map<String, String> entries) {

    static ProjectSnapshot of(Path root) {
        Map<String, String> entries = new TreeMap<>();
        if (!Files.exists(root)) {
            return new ProjectSnapshot(entries);
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : (Iterable<Path>) paths::iterator) {
                String name = root.relativize(path).toString();
                String modified = Files.getLastModifiedTime(path).toString();
                if (Files.isDirectory(path)) {
                    entries.put(name + "/", "dir modified " + modified);
                } else {
                    entries.put(name, Arrays.toString(Files.readAllBytes(path)) + " modified " + modified);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new ProjectSnapshot(entries);
    }
}
