package dev.agentpipeline.core.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * Reads a file store's files the way a person or another tool would, independently of the store's own parser:
 * the journal's lines with their checksums, and byte-exact snapshots of a directory.
 */
final class JournalFiles {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final String CRC_FIELD = ",\"crc32c\":\"";

    private JournalFiles() {
    }

    /** One journal line, checked. */
    record Line(long seq, int schemaVersion, String type, String crc32c, boolean checksumValid) {
    }

    /**
     * Reads every line of a journal and checks its checksum as the format describes it: CRC-32C of the line's
     * bytes without the {@code crc32c} field, the object closed right after {@code data}.
     *
     * @throws AssertionError if the file does not end with a complete line or a line is not a JSON object
     */
    static List<Line> lines(Path journal) {
        String text = new String(read(journal), StandardCharsets.UTF_8);
        if (!text.isEmpty() && !text.endsWith("\n")) {
            throw new AssertionError(journal + " ends with an incomplete line");
        }
        List<Line> lines = new ArrayList<>();
        for (String line : text.split("\n", -1)) {
            if (line.isEmpty()) {
                continue;
            }
            try {
                JsonNode node = JSON.readTree(line);
                int crcAt = line.lastIndexOf(CRC_FIELD);
                String checked = crcAt < 0 ? line : line.substring(0, crcAt) + "}";
                lines.add(new Line(node.path("seq").asLong(-1), node.path("schema_version").asInt(-1),
                        node.path("type").asText(null), node.path("crc32c").asText(null),
                        String.format("%08x", crc32c(checked)).equals(node.path("crc32c").asText())));
            } catch (IOException e) {
                throw new AssertionError(journal + " has a line that is not JSON: " + line, e);
            }
        }
        return lines;
    }

    /**
     * @return the line's text with a {@code crc32c} field computed for {@code body} (a JSON object without one)
     */
    static String withChecksum(String body) {
        String crc = String.format("%08x", crc32c(body));
        return body.substring(0, body.length() - 1) + CRC_FIELD + crc + "\"}\n";
    }

    static long crc32c(String text) {
        CRC32C crc = new CRC32C();
        crc.update(text.getBytes(StandardCharsets.UTF_8));
        return crc.getValue();
    }

    /**
     * @return every regular file under a directory with its exact bytes (as ISO-8859-1 text, one char a byte), by
     *     relative path
     */
    static Map<String, String> snapshot(Path dir) {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.filter(Files::isRegularFile).toList()) {
                files.put(dir.relativize(path).toString(), new String(read(path), StandardCharsets.ISO_8859_1));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return files;
    }

    static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode readJson(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
