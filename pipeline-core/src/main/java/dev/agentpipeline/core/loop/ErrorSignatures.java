package dev.agentpipeline.core.loop;

import org.apiguardian.api.API;

import java.util.Locale;
import java.util.regex.Pattern;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * Normalizes error text into a signature, so that the same failure with a different path, id, time or number
 * counts as the same error.
 *
 * <p>Lower-cases, replaces Windows and Unix paths with {@code <path>}, UUIDs with {@code <uuid>}, ISO timestamps
 * with {@code <timestamp>}, numbers with {@code <num>}, collapses white space and cuts at 240 characters: the
 * rules of the ln-1000 skill's loop-health contract.
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class ErrorSignatures {

    /** The longest signature kept. */
    public static final int MAX_LENGTH = 240;

    private static final Pattern WINDOWS_PATH = Pattern.compile("[a-z]:[\\\\/][^\\s)'\"`]+", Pattern.CASE_INSENSITIVE);
    private static final Pattern UNIX_PATH = Pattern.compile("/(?:[^/\\s)'\"`]+/)+[^/\\s)'\"`]+");
    private static final Pattern UUID = Pattern.compile(
            "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", Pattern.CASE_INSENSITIVE);
    private static final Pattern TIMESTAMP = Pattern.compile("\\b\\d{4}-\\d{2}-\\d{2}t\\d{2}:\\d{2}:\\d{2}(?:\\.\\d+)?z\\b");
    private static final Pattern NUMBER = Pattern.compile("\\b\\d+\\b");
    private static final Pattern SPACE = Pattern.compile("\\s+");

    private ErrorSignatures() {
    }

    /**
     * @param text error text, may be null
     * @return its signature, empty for null or blank text
     */
    public static String normalize(String text) {
        if (text == null || text.isEmpty()) {
            return "";
        }
        String s = text.toLowerCase(Locale.ROOT).replace("\r\n", "\n");
        s = WINDOWS_PATH.matcher(s).replaceAll("<path>");
        s = UNIX_PATH.matcher(s).replaceAll("<path>");
        s = UUID.matcher(s).replaceAll("<uuid>");
        s = TIMESTAMP.matcher(s).replaceAll("<timestamp>");
        s = NUMBER.matcher(s).replaceAll("<num>");
        s = SPACE.matcher(s).replaceAll(" ").trim();
        return s.length() > MAX_LENGTH ? s.substring(0, MAX_LENGTH) : s;
    }
}
