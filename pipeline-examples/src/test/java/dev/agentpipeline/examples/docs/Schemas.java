package dev.agentpipeline.examples.docs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.agentpipeline.core.internal.Json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The JSON Schemas of docs/schemas, loaded from the repository (draft 2020-12, formats asserted). */
final class Schemas {

    static final ObjectMapper JSON = new ObjectMapper();
    static final YAMLMapper YAML = new YAMLMapper();

    private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
    private static final SchemaValidatorsConfig CONFIG = SchemaValidatorsConfig.builder()
            .formatAssertionsEnabled(true)
            .build();
    private static final Map<String, JsonSchema> CACHE = new ConcurrentHashMap<>();

    private Schemas() {
    }

    /**
     * @param reference a schema file of docs/schemas, optionally with a fragment: {@code state.schema.json},
     *     {@code checkpoint-entry.schema.json#/$defs/story_payload}
     * @return the schema
     */
    static JsonSchema schema(String reference) {
        return CACHE.computeIfAbsent(reference, ref -> {
            String file = ref.contains("#") ? ref.substring(0, ref.indexOf('#')) : ref;
            if (!Files.isRegularFile(DocsDirectory.SCHEMAS.resolve(file))) {
                throw new AssertionError("No schema " + DocsDirectory.SCHEMAS.resolve(file));
            }
            String uri = DocsDirectory.SCHEMAS.resolve(file).toUri() + (ref.contains("#") ? ref.substring(ref.indexOf('#')) : "");
            JsonSchema schema = FACTORY.getSchema(SchemaLocation.of(uri), CONFIG);
            schema.initializeValidators();
            return schema;
        });
    }

    /** @return the problems of a JSON value (a node, JSON text or plain Java values) against a schema; empty if valid */
    static List<String> problems(String reference, Object value) {
        JsonNode node = node(value);
        return schema(reference).validate(node).stream().map(ValidationMessage::getMessage).sorted().toList();
    }

    static JsonNode node(Object value) {
        try {
            if (value instanceof JsonNode node) {
                return node;
            }
            if (value instanceof String text) {
                return JSON.readTree(text);
            }
            return JSON.readTree(Json.compact(value));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode yaml(String text) {
        try {
            return YAML.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
