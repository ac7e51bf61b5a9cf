/**
 * An example stage plugin written against {@code pipeline-spi} alone:
 * {@link dev.agentpipeline.examples.plugin.TodoGateStage}, the plugin {@code docs/plugin-guide.md} walks through.
 * Registered in this module's {@code META-INF/services/dev.agentpipeline.spi.Stage}.
 *
 * @since 0.1
 */
package dev.agentpipeline.examples.plugin;
