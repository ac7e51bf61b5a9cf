/**
 * Pipeline definitions: states, the stage plugin of each working state, transitions with their guards, and
 * counters with limits. Immutable, written in YAML ({@link dev.agentpipeline.core.definition.PipelineDefinitions})
 * or with {@link dev.agentpipeline.core.definition.PipelineDefinition#builder(String)}; both give the same model
 * and the same validation, whose errors name the file, line and column.
 *
 * @since 0.1
 */
package dev.agentpipeline.core.definition;
