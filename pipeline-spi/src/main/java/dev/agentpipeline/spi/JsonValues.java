package dev.agentpipeline.spi;

import org.apiguardian.api.API;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.apiguardian.api.API.Status.STABLE;

/**
 * Checks and copies JSON-compatible values: the only values the runtime stores on a plugin's behalf.
 *
 * <p>A JSON-compatible value is {@code null}, a {@link String}, a {@link Boolean}, a {@link Number}
 * ({@code Integer}, {@code Long}, {@code Double}, {@code BigDecimal}...), a {@link List} of such values or a
 * {@link Map} from {@code String} to such values. {@link #copyOf(Object)} returns a deep, unmodifiable copy so
 * that an outcome cannot change after it was recorded.
 *
 * @since 0.1
 */
@API(status = STABLE, since = "0.1")
public final class JsonValues {

    private JsonValues() {
    }

    /**
     * Returns a deep, unmodifiable copy of a JSON-compatible value.
     *
     * @param value the value, may be null
     * @return the copy (maps keep their iteration order), or null
     * @throws IllegalArgumentException if the value, or anything inside it, is not JSON-compatible; the message
     *     names the path of the offending value, for example {@code $.tasks[2]}
     */
    public static Object copyOf(Object value) {
        return copy(value, "$");
    }

    /**
     * Returns a deep, unmodifiable copy of a map of JSON-compatible values.
     *
     * @param map the map, may be null (treated as empty)
     * @return the copy, never null
     * @throws IllegalArgumentException if a key is null or a value is not JSON-compatible
     */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> copyOfMap(Map<String, ?> map) {
        if (map == null) {
            return Map.of();
        }
        return (Map<String, Object>) copy(map, "$");
    }

    private static Object copy(Object value, String path) {
        if (value == null || value instanceof String || value instanceof Boolean) {
            return value;
        }
        if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte
                || value instanceof BigInteger || value instanceof BigDecimal) {
            return value;
        }
        if (value instanceof Double || value instanceof Float) {
            double d = ((Number) value).doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                throw new IllegalArgumentException(path + " is " + d + ", which JSON cannot represent");
            }
            return value;
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> copy = new LinkedHashMap<>();
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                if (!(entry.getKey() instanceof String key)) {
                    throw new IllegalArgumentException(path + " has a key that is not a string: " + entry.getKey());
                }
                copy.put(key, copy(entry.getValue(), path + "." + key));
            }
            return Collections.unmodifiableMap(copy);
        }
        if (value instanceof List<?> list) {
            List<Object> copy = new ArrayList<>(list.size());
            for (int i = 0; i < list.size(); i++) {
                copy.add(copy(list.get(i), path + "[" + i + "]"));
            }
            return Collections.unmodifiableList(copy);
        }
        throw new IllegalArgumentException(path + " is a " + value.getClass().getName()
                + "; use null, String, Boolean, Number, List or Map<String, ?>");
    }

    /**
     * Names the JSON type of a value, for error messages.
     *
     * @param value the value
     * @return {@code object}, {@code array}, {@code string}, {@code number}, {@code boolean} or {@code null}; the
     *     class's simple name for a value that is not JSON-compatible
     */
    public static String typeName(Object value) {
        if (value == null) {
            return "null";
        }
        if (value instanceof Map) {
            return "object";
        }
        if (value instanceof List) {
            return "array";
        }
        if (value instanceof String) {
            return "string";
        }
        if (value instanceof Number) {
            return "number";
        }
        if (value instanceof Boolean) {
            return "boolean";
        }
        return value.getClass().getSimpleName();
    }
}
