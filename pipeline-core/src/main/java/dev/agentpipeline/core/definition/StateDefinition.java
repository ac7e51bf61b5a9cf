package dev.agentpipeline.core.definition;

import dev.agentpipeline.spi.JsonValues;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A state of a pipeline: a waiting state, a working state carried out by a stage plugin, or a terminal state.
 * Immutable.
 *
 * @param id the state's id ({@code STAGE_2})
 * @param description what happens in it, never null
 * @param stage the id of the stage plugin that works in it, or null
 * @param terminal whether the run ends when it enters this state
 * @param properties free-form JSON-compatible properties (the skill a state stands for, a label...)
 * @param location where it was defined
 * @since 0.1
 */
public record StateDefinition(String id, String description, String stage, boolean terminal,
                              Map<String, Object> properties, SourceLocation location) {

    /** Validates and copies. */
    public StateDefinition {
        Objects.requireNonNull(id, "id");
        description = description == null ? "" : description;
        properties = JsonValues.copyOfMap(properties);
        Objects.requireNonNull(location, "location");
    }

    /** @return the stage plugin id, if a plugin works in this state */
    public Optional<String> stagePlugin() {
        return Optional.ofNullable(stage);
    }

    /**
     * @param pluginId the plugin id
     * @return this state worked by another plugin
     */
    public StateDefinition withStage(String pluginId) {
        return new StateDefinition(id, description, pluginId, terminal, properties, location);
    }
}
