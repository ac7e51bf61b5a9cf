package dev.agentpipeline.core.internal;

import org.apiguardian.api.API;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;

import static org.apiguardian.api.API.Status.INTERNAL;

/** Timestamps as the older ln-1000 runtime writes them: UTC, milliseconds, {@code 2026-11-21T23:28:52.123Z}. */
@API(status = INTERNAL, since = "0.1")
public final class Times {

    private static final DateTimeFormatter FORMAT =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private Times() {
    }

    /**
     * @param instant the instant
     * @return the ISO-8601 text with exactly three fraction digits
     */
    public static String format(Instant instant) {
        return FORMAT.format(instant.truncatedTo(ChronoUnit.MILLIS));
    }

    /**
     * @param text ISO-8601 instant text
     * @return the instant
     * @throws IllegalArgumentException if the text is not an ISO-8601 instant
     */
    public static Instant parse(String text) {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("'" + text + "' is not an ISO-8601 timestamp such as "
                    + "2026-11-21T23:28:52.123Z", e);
        }
    }
}
