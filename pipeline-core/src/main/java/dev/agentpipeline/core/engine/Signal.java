package dev.agentpipeline.core.engine;

import dev.agentpipeline.core.internal.Json;
import dev.agentpipeline.spi.JsonValues;

import org.apiguardian.api.API;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * A signal for a run from outside: an agent's completion or error signal, an application's message. Immutable.
 *
 * <pre>{@code
 * Signal done = Signal.of("PHASE_7", Map.of("phase", 7, "status", "success", ...), "api");
 * runtime.receiveSignal(runId, done);
 * }</pre>
 *
 * @param id the signal's id: a run records each id once, so two copies of the same signal count once
 * @param name the signal's name (the state that waits for it names it)
 * @param payload its JSON object
 * @param source where it came from, for people ({@code api}, a file name)
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public record Signal(String id, String name, Map<String, Object> payload, String source) {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,99}");
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}");

    /** The payload field that, when it is a text, is the signal's id. */
    public static final String ID_FIELD = "signal_id";

    /** Validates and copies. */
    public Signal {
        Objects.requireNonNull(id, "id");
        if (!ID.matcher(id).matches()) {
            throw new IllegalArgumentException("signal id '" + id + "' must be 1 to 128 letters, digits, '_', '.',"
                    + " ':' or '-', starting with a letter or digit");
        }
        requireName(name);
        payload = JsonValues.copyOfMap(payload);
        source = source == null ? "" : source;
    }

    /**
     * A signal whose id is its payload's {@code signal_id} when that is a text, else the SHA-256 of its payload's
     * canonical JSON: the same content is the same signal.
     *
     * @param name the signal's name
     * @param payload its JSON object
     * @param source where it came from
     * @return the signal
     * @throws IllegalArgumentException if the name, the payload or its {@code signal_id} is not valid
     */
    public static Signal of(String name, Map<String, ?> payload, String source) {
        Map<String, Object> copy = JsonValues.copyOfMap(payload);
        Object given = copy.get(ID_FIELD);
        String id = given instanceof String text && !text.isBlank() ? text : "sha256:" + sha256(Json.compact(copy));
        return new Signal(id, name, copy, source);
    }

    /**
     * @param name a signal name
     * @return the name
     * @throws IllegalArgumentException if it is not 1 to 100 letters, digits, '_', '.' or '-'
     */
    public static String requireName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("signal name '" + name + "' must be 1 to 100 letters, digits, '_',"
                    + " '.' or '-', starting with a letter or digit");
        }
        return name;
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
