package dev.agentpipeline.core.definition;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A YAML document as a tree whose every node knows its line and column. */
final class YamlTree {

    private YamlTree() {
    }

    abstract static class Node {
        final SourceLocation location;

        Node(SourceLocation location) {
            this.location = location;
        }

        abstract String kind();
    }

    static final class MapNode extends Node {
        final Map<String, Node> entries = new LinkedHashMap<>();
        final Map<String, SourceLocation> keys = new LinkedHashMap<>();

        MapNode(SourceLocation location) {
            super(location);
        }

        @Override
        String kind() {
            return "a mapping";
        }
    }

    static final class ListNode extends Node {
        final List<Node> items = new ArrayList<>();

        ListNode(SourceLocation location) {
            super(location);
        }

        @Override
        String kind() {
            return "a list";
        }
    }

    static final class ScalarNode extends Node {
        final Object value;

        ScalarNode(SourceLocation location, Object value) {
            super(location);
            this.value = value;
        }

        @Override
        String kind() {
            if (value == null) {
                return "null";
            }
            if (value instanceof String) {
                return "the text '" + value + "'";
            }
            return (value instanceof Boolean ? "the boolean " : "the number ") + value;
        }
    }

    private static final YAMLFactory FACTORY = YAMLFactory.builder().build();

    /**
     * Parses a YAML document, stopping at the first problem.
     *
     * @throws DefinitionException with the location of a syntax error or a duplicate key
     */
    static Node parse(String source, String text) {
        List<DefinitionProblem> duplicates = new ArrayList<>();
        Node root = parse(source, text, duplicates);
        if (!duplicates.isEmpty()) {
            throw new DefinitionException(duplicates.subList(0, 1));
        }
        return root;
    }

    /**
     * Parses a YAML document, adding each duplicate key to {@code problems} and keeping the key's first value, so
     * that the rest of the document can still be checked.
     *
     * @throws DefinitionException with the location of a syntax error: nothing after it can be read
     */
    static Node parse(String source, String text, List<DefinitionProblem> problems) {
        try (JsonParser parser = FACTORY.createParser(text)) {
            JsonToken token = parser.nextToken();
            if (token == null) {
                throw problem(new SourceLocation(source, 1, 1), "the file is empty; expected a pipeline definition");
            }
            return read(source, parser, token, problems);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            throw problem(new SourceLocation(source, at == null ? 0 : at.getLineNr(), at == null ? 0 : at.getColumnNr()),
                    "not valid YAML: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Node read(String source, JsonParser parser, JsonToken token, List<DefinitionProblem> problems)
            throws IOException {
        SourceLocation location = where(source, parser);
        switch (token) {
            case START_OBJECT: {
                MapNode map = new MapNode(location);
                for (JsonToken t = parser.nextToken(); t != JsonToken.END_OBJECT; t = parser.nextToken()) {
                    String key = parser.currentName();
                    SourceLocation keyLocation = where(source, parser);
                    Node value = read(source, parser, parser.nextToken(), problems);
                    if (map.entries.containsKey(key)) {
                        problems.add(new DefinitionProblem(keyLocation, "duplicate key '" + key + "' (first at line "
                                + map.keys.get(key).line() + ")"));
                        continue;
                    }
                    map.entries.put(key, value);
                    map.keys.put(key, keyLocation);
                }
                return map;
            }
            case START_ARRAY: {
                ListNode list = new ListNode(location);
                for (JsonToken t = parser.nextToken(); t != JsonToken.END_ARRAY; t = parser.nextToken()) {
                    list.items.add(read(source, parser, t, problems));
                }
                return list;
            }
            case VALUE_STRING:
                return new ScalarNode(location, parser.getText());
            case VALUE_NUMBER_INT:
                return new ScalarNode(location, parser.getLongValue());
            case VALUE_NUMBER_FLOAT:
                return new ScalarNode(location, parser.getDoubleValue());
            case VALUE_TRUE:
                return new ScalarNode(location, Boolean.TRUE);
            case VALUE_FALSE:
                return new ScalarNode(location, Boolean.FALSE);
            case VALUE_NULL:
                return new ScalarNode(location, null);
            default:
                throw problem(location, "unexpected YAML token " + token);
        }
    }

    private static SourceLocation where(String source, JsonParser parser) {
        JsonLocation at = parser.currentTokenLocation();
        return new SourceLocation(source, at.getLineNr(), at.getColumnNr());
    }

    static DefinitionException problem(SourceLocation location, String message) {
        return new DefinitionException(List.of(new DefinitionProblem(location, message)));
    }

    /** Converts a node to plain JSON-compatible Java values. */
    static Object toValue(Node node) {
        if (node instanceof ScalarNode scalar) {
            return scalar.value;
        }
        if (node instanceof ListNode list) {
            List<Object> values = new ArrayList<>();
            for (Node item : list.items) {
                values.add(toValue(item));
            }
            return values;
        }
        Map<String, Object> values = new LinkedHashMap<>();
        ((MapNode) node).entries.forEach((key, value) -> values.put(key, toValue(value)));
        return values;
    }
}
