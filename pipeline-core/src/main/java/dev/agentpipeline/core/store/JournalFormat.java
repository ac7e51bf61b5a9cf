package dev.agentpipeline.core.store;

import dev.agentpipeline.core.internal.EventCodec;
import dev.agentpipeline.core.internal.Json;
import dev.agentpipeline.core.internal.Times;
import dev.agentpipeline.core.run.RunEvent;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * The journal's line format: one JSON object a line,
 * {@code {"schema_version":1,"seq":7,"type":"TRANSITIONED","at":"...","data":{...},"crc32c":"1a2b3c4d"}}, where
 * the checksum is CRC-32C of the line's bytes without the {@code crc32c} field (the object closed right after
 * {@code data}).
 */
final class JournalFormat {

    static final int SCHEMA_VERSION = 1;
    private static final byte[] CRC_FIELD = ",\"crc32c\":\"".getBytes(StandardCharsets.US_ASCII);
    /** {@code ,"crc32c":"} + 8 hex digits + {@code "}} */
    private static final int CRC_SUFFIX = CRC_FIELD.length + 8 + 2;

    private JournalFormat() {
    }

    /**
     * Encodes the line of an append of one event (which is therefore its commit line).
     *
     * @param sequence the event's sequence
     * @param event the event
     * @return the line's bytes, with its end of line
     */
    static byte[] encode(long sequence, RunEvent event) {
        return encode(sequence, event, true);
    }

    /**
     * Encodes one line.
     *
     * @param sequence the event's sequence
     * @param event the event
     * @param commit whether this is the last line of its append: a load keeps an append's lines only when its last
     *     line, which carries {@code "commit":true}, is there too
     */
    static byte[] encode(long sequence, RunEvent event, boolean commit) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("schema_version", SCHEMA_VERSION);
        entry.put("seq", sequence);
        entry.put("type", event.type());
        entry.put("at", Times.format(event.at()));
        entry.put("data", EventCodec.toData(event));
        if (commit) {
            entry.put("commit", true);
        }
        byte[] body = Json.compact(entry).getBytes(StandardCharsets.UTF_8);
        CRC32C crc = new CRC32C();
        crc.update(body, 0, body.length);
        String hex = String.format("%08x", crc.getValue());
        byte[] line = new byte[body.length - 1 + CRC_SUFFIX + 1];
        System.arraycopy(body, 0, line, 0, body.length - 1);
        int at = body.length - 1;
        System.arraycopy(CRC_FIELD, 0, line, at, CRC_FIELD.length);
        at += CRC_FIELD.length;
        for (int i = 0; i < 8; i++) {
            line[at++] = (byte) hex.charAt(i);
        }
        line[at++] = '"';
        line[at++] = '}';
        line[at] = '\n';
        return line;
    }

    /** The result of reading a journal's bytes. */
    record Parsed(List<RunEvent> events, long goodLength, String tornTail, String corruption) {
    }

    /**
     * Reads a journal. Valid lines become events; invalid bytes at the end (an append a crash interrupted) are
     * reported as a torn tail; an invalid line followed by valid ones, or a line whose checksum holds but whose
     * content cannot be accepted, is corruption.
     */
    static Parsed parse(byte[] bytes) {
        List<RunEvent> events = new ArrayList<>();
        List<Boolean> commits = new ArrayList<>();
        long good = 0;
        long committed = 0;
        int committedEvents = 0;
        int start = 0;
        int line = 0;
        String problem = null;
        int problemLine = 0;
        while (start < bytes.length) {
            int end = indexOf(bytes, (byte) '\n', start);
            boolean complete = end >= 0;
            line++;
            if (problem == null) {
                String error = complete ? check(bytes, start, end, events.size() + 1L, events, commits)
                        : "is incomplete (" + (bytes.length - start) + " bytes without an end of line)";
                if (error == null) {
                    good = end + 1L;
                    if (commits.get(commits.size() - 1)) {
                        committed = good;
                        committedEvents = events.size();
                    }
                } else if (complete && check(bytes, start, end, -1, null, null) == null) {
                    // Its checksum holds, so it was written whole: a crash did not do this, and cutting it as a
                    // torn tail would destroy an entry that may have been acknowledged (or a newer version's).
                    return new Parsed(events, good, null, "line " + line + " " + error
                            + ", although its checksum is valid");
                } else {
                    problem = error;
                    problemLine = line;
                }
            } else if (complete && check(bytes, start, end, -1, null, null) == null) {
                return new Parsed(events, good, null, corruption(problemLine, problem));
            }
            if (!complete) {
                break;
            }
            start = end + 1;
        }
        String torn = problem == null ? null : "line " + problemLine + " " + problem;
        if (committed < good) {
            // Whole lines of an append whose last line never reached the disk: the append never completed.
            int uncommitted = events.size() - committedEvents;
            torn = (torn == null ? "" : torn + "; ") + uncommitted + " entr" + (uncommitted == 1 ? "y" : "ies")
                    + " of an append whose commit line is missing";
            events = new ArrayList<>(events.subList(0, committedEvents));
            good = committed;
        }
        return new Parsed(events, good, torn, null);
    }

    private static String corruption(int line, String problem) {
        return "line " + line + " " + problem + ", and valid entries follow it";
    }

    /**
     * Checks one line; adds its event when {@code events} is not null.
     *
     * @return null if valid, else what is wrong
     */
    private static String check(byte[] bytes, int start, int end, long expectedSeq, List<RunEvent> events,
                                List<Boolean> commits) {
        int length = end - start;
        if (length < CRC_SUFFIX + 2 || bytes[end - 1] != '}' || bytes[end - 2] != '"') {
            return "is not a complete journal entry";
        }
        int crcAt = end - CRC_SUFFIX;
        for (int i = 0; i < CRC_FIELD.length; i++) {
            if (bytes[crcAt + i] != CRC_FIELD[i]) {
                return "has no checksum";
            }
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes, start, crcAt - start);
        crc.update('}');
        String hex = new String(bytes, crcAt + CRC_FIELD.length, 8, StandardCharsets.US_ASCII);
        if (!String.format("%08x", crc.getValue()).equals(hex)) {
            return "fails its checksum";
        }
        if (events == null) {
            return null;
        }
        try {
            Map<String, Object> entry = Json.parseObject(new String(bytes, start, length, StandardCharsets.UTF_8));
            Object version = entry.get("schema_version");
            if (!(version instanceof Number n) || n.intValue() != SCHEMA_VERSION) {
                return "has schema_version " + version + "; this library reads " + SCHEMA_VERSION;
            }
            Object seq = entry.get("seq");
            if (!(seq instanceof Number s) || s.longValue() != expectedSeq) {
                return "has sequence " + seq + " where " + expectedSeq + " was expected";
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> data = (Map<String, Object>) entry.get("data");
            events.add(EventCodec.fromData(String.valueOf(entry.get("type")), Times.parse(String.valueOf(entry.get("at"))),
                    data == null ? Map.of() : data));
            commits.add(Boolean.TRUE.equals(entry.get("commit")));
            return null;
        } catch (RuntimeException e) {
            return "cannot be read: " + e.getMessage();
        }
    }

    private static int indexOf(byte[] bytes, byte value, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == value) {
                return i;
            }
        }
        return -1;
    }
}
