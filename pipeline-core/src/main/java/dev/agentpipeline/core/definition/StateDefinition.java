package dev.agentpipeline.core.definition;

import dev.agentpipeline.spi.JsonValues;

import java.util.List;
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
 * @param collect the evidence collectors run after each completed attempt of its stage, in order; empty for none
 * @since 0.1
 */
public record StateDefinition(String id, String description, String stage, boolean terminal,
                              Map<String, Object> properties, SourceLocation location,
                              List<CollectorDefinition> collect) {

    /** Validates and copies. */
    public StateDefinition {
        Objects.requireNonNull(id, "id");
        description = description == null ? "" : description;
        properties = JsonValues.copyOfMap(properties);
        Objects.requireNonNull(location, "location");
        collect = List.copyOf(collect);
    }

    /**
     * A state without evidence collectors.
     *
     * @param id the state's id
     * @param description what happens in it
     * @param stage the stage plugin's id, or null
     * @param terminal whether runs end in it
     * @param properties free-form JSON-compatible properties
     * @param location where it was defined
     */
    public StateDefinition(String id, String description, String stage, boolean terminal,
                           Map<String, Object> properties, SourceLocation location) {
        this(id, description, stage, terminal, properties, location, List.of());
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
        return new StateDefinition(id, description, pluginId, terminal, properties, location, collect);
    }

    /**
     * @param collectors the evidence collectors to run after each completed attempt
     * @return this state with those collectors instead of its own
     */
    public StateDefinition withCollect(List<CollectorDefinition> collectors) {
        return new StateDefinition(id, description, stage, terminal, properties, location, collectors);
    }
}
