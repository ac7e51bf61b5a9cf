package dev.agentpipeline.core.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.PrettyPrinter;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.io.SerializedString;

import dev.agentpipeline.spi.JsonValues;

import org.apiguardian.api.API;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.apiguardian.api.API.Status.INTERNAL;

/**
 * JSON as plain Java values ({@code Map<String, Object>}, {@code List<Object>}, {@code String}, {@code Long},
 * {@code Double}, {@code BigInteger}, {@code BigDecimal}, {@code Boolean}, {@code null}), read and written with
 * Jackson's streaming API only: no data binding, so a command-line call loads few classes.
 *
 * <p>Pretty output matches {@code JSON.stringify(value, null, 2)} of Node.js byte for byte for the values the
 * runtime writes, so tools written against the older ln-1000 runtime see the same text. Thread-safe.
 */
@API(status = INTERNAL, since = "0.1")
public final class Json {

    private static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(200).build())
            .build();

    private Json() {
    }

    /** @return the shared factory (thread-safe) */
    public static JsonFactory factory() {
        return FACTORY;
    }

    /**
     * Parses one JSON document.
     *
     * @param text the text
     * @return the value
     * @throws JsonSyntaxException with line and column if the text is not one well-formed JSON value
     */
    public static Object parse(String text) {
        try (JsonParser parser = FACTORY.createParser(text)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                throw new JsonSyntaxException("empty input; expected a JSON value", 1, 1);
            }
            Object value = read(parser, first);
            JsonToken trailing = parser.nextToken();
            if (trailing != null) {
                JsonLocation at = parser.currentTokenLocation();
                throw new JsonSyntaxException("unexpected text after the JSON value", at.getLineNr(), at.getColumnNr());
            }
            return value;
        } catch (JsonParseException e) {
            JsonLocation at = e.getLocation();
            throw new JsonSyntaxException(e.getOriginalMessage(), at == null ? 0 : at.getLineNr(),
                    at == null ? 0 : at.getColumnNr());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Parses a JSON object.
     *
     * @param text the text
     * @return the object
     * @throws JsonSyntaxException if the text is not a JSON object
     */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> parseObject(String text) {
        Object value = parse(text);
        if (!(value instanceof Map)) {
            throw new JsonSyntaxException("expected a JSON object, got " + typeName(value), 1, 1);
        }
        return (Map<String, Object>) value;
    }

    /**
     * Reads the value starting at the current token.
     *
     * @param parser the parser
     * @param token its current token
     * @return the value
     * @throws IOException on malformed input
     */
    public static Object read(JsonParser parser, JsonToken token) throws IOException {
        switch (token) {
            case START_OBJECT: {
                Map<String, Object> map = new LinkedHashMap<>();
                for (JsonToken t = parser.nextToken(); t != JsonToken.END_OBJECT; t = parser.nextToken()) {
                    String name = parser.currentName();
                    map.put(name, read(parser, parser.nextToken()));
                }
                return map;
            }
            case START_ARRAY: {
                List<Object> list = new ArrayList<>();
                for (JsonToken t = parser.nextToken(); t != JsonToken.END_ARRAY; t = parser.nextToken()) {
                    list.add(read(parser, t));
                }
                return list;
            }
            case VALUE_STRING:
                return parser.getText();
            case VALUE_NUMBER_INT:
                switch (parser.getNumberType()) {
                    case INT:
                    case LONG:
                        return parser.getLongValue();
                    default:
                        return parser.getBigIntegerValue();
                }
            case VALUE_NUMBER_FLOAT:
                return parser.getDoubleValue();
            case VALUE_TRUE:
                return Boolean.TRUE;
            case VALUE_FALSE:
                return Boolean.FALSE;
            case VALUE_NULL:
                return null;
            default:
                JsonLocation at = parser.currentTokenLocation();
                throw new JsonSyntaxException("unexpected token " + token, at.getLineNr(), at.getColumnNr());
        }
    }

    /**
     * Writes a value as compact JSON (one line).
     *
     * @param value a JSON-compatible value
     * @return the text
     */
    public static String compact(Object value) {
        return write(value, false);
    }

    /**
     * Writes a value as pretty JSON, two-space indented, as {@code JSON.stringify(value, null, 2)} does.
     *
     * @param value a JSON-compatible value
     * @return the text, without a trailing newline
     */
    public static String pretty(Object value) {
        return write(value, true);
    }

    private static String write(Object value, boolean pretty) {
        StringWriter out = new StringWriter(256);
        try (JsonGenerator generator = FACTORY.createGenerator(out)) {
            if (pretty) {
                generator.setPrettyPrinter(new NodeStylePrettyPrinter());
            }
            write(generator, value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /**
     * Writes a value to a generator.
     *
     * @param generator where to write
     * @param value a JSON-compatible value
     * @throws IOException if writing fails
     * @throws IllegalArgumentException if the value is not JSON-compatible
     */
    public static void write(JsonGenerator generator, Object value) throws IOException {
        if (value == null) {
            generator.writeNull();
        } else if (value instanceof String s) {
            generator.writeString(s);
        } else if (value instanceof Boolean b) {
            generator.writeBoolean(b);
        } else if (value instanceof Integer || value instanceof Long || value instanceof Short
                || value instanceof Byte) {
            generator.writeNumber(((Number) value).longValue());
        } else if (value instanceof BigInteger big) {
            generator.writeNumber(big);
        } else if (value instanceof BigDecimal dec) {
            generator.writeNumber(dec);
        } else if (value instanceof Double || value instanceof Float) {
            writeDouble(generator, ((Number) value).doubleValue());
        } else if (value instanceof Map<?, ?> map) {
            generator.writeStartObject();
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                generator.writeFieldName(String.valueOf(entry.getKey()));
                write(generator, entry.getValue());
            }
            generator.writeEndObject();
        } else if (value instanceof List<?> list) {
            generator.writeStartArray();
            for (Object item : list) {
                write(generator, item);
            }
            generator.writeEndArray();
        } else {
            throw new IllegalArgumentException("Not a JSON value: " + value.getClass().getName());
        }
    }

    private static void writeDouble(JsonGenerator generator, double d) throws IOException {
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            generator.writeNull(); // as JSON.stringify does
        } else if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            generator.writeNumber((long) d);
        } else {
            generator.writeNumber(d);
        }
    }

    /**
     * Names the JSON type of a value, for error messages.
     *
     * @param value the value
     * @return {@code object}, {@code array}, {@code string}, {@code number}, {@code boolean} or {@code null}
     */
    public static String typeName(Object value) {
        return JsonValues.typeName(value);
    }

    /**
     * Reads a nested value by a dotted path ({@code "payload.verdict"}).
     *
     * @param root where to start
     * @param path dot-separated keys
     * @return the value, or {@link #ABSENT} if a key on the way is missing
     */
    public static Object at(Object root, String path) {
        Object current = root;
        int start = 0;
        while (start <= path.length()) {
            int dot = path.indexOf('.', start);
            String key = dot < 0 ? path.substring(start) : path.substring(start, dot);
            if (!(current instanceof Map<?, ?> map) || !map.containsKey(key)) {
                return ABSENT;
            }
            current = map.get(key);
            if (dot < 0) {
                return current;
            }
            start = dot + 1;
        }
        return current;
    }

    /** Marks a value that is not there at all (as opposed to a JSON {@code null}). */
    public static final Object ABSENT = new Object() {
        @Override
        public String toString() {
            return "<absent>";
        }
    };

    /**
     * An unmodifiable empty map with insertion order, to start building output objects.
     *
     * @return a new mutable ordered map
     */
    public static Map<String, Object> object() {
        return new LinkedHashMap<>();
    }

    /**
     * Wraps a map as unmodifiable.
     *
     * @param map the map
     * @return an unmodifiable view
     */
    public static Map<String, Object> frozen(Map<String, Object> map) {
        return Collections.unmodifiableMap(map);
    }

    /** Indents like {@code JSON.stringify(value, null, 2)}: "key": value, arrays one item a line, {} and []. */
    static final class NodeStylePrettyPrinter implements PrettyPrinter {
        private static final SerializedString COLON = new SerializedString(": ");
        private int depth;

        @Override
        public void writeRootValueSeparator(JsonGenerator gen) throws IOException {
            gen.writeRaw('\n');
        }

        @Override
        public void writeStartObject(JsonGenerator gen) throws IOException {
            gen.writeRaw('{');
            depth++;
        }

        @Override
        public void writeEndObject(JsonGenerator gen, int nrOfEntries) throws IOException {
            depth--;
            if (nrOfEntries > 0) {
                newline(gen);
            }
            gen.writeRaw('}');
        }

        @Override
        public void writeObjectEntrySeparator(JsonGenerator gen) throws IOException {
            gen.writeRaw(',');
            newline(gen);
        }

        @Override
        public void writeObjectFieldValueSeparator(JsonGenerator gen) throws IOException {
            gen.writeRaw(COLON);
        }

        @Override
        public void writeStartArray(JsonGenerator gen) throws IOException {
            gen.writeRaw('[');
            depth++;
        }

        @Override
        public void writeEndArray(JsonGenerator gen, int nrOfValues) throws IOException {
            depth--;
            if (nrOfValues > 0) {
                newline(gen);
            }
            gen.writeRaw(']');
        }

        @Override
        public void writeArrayValueSeparator(JsonGenerator gen) throws IOException {
            gen.writeRaw(',');
            newline(gen);
        }

        @Override
        public void beforeArrayValues(JsonGenerator gen) throws IOException {
            newline(gen);
        }

        @Override
        public void beforeObjectEntries(JsonGenerator gen) throws IOException {
            newline(gen);
        }

        private void newline(JsonGenerator gen) throws IOException {
            gen.writeRaw('\n');
            for (int i = 0; i < depth; i++) {
                gen.writeRaw("  ");
            }
        }
    }
}
