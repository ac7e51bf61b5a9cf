/**
 * Built-in stage plugins, registered in {@code META-INF/services/dev.agentpipeline.spi.Stage}. They depend on
 * {@code pipeline-spi} only (and Jackson's parsers to read files), so each one is also an example of a plugin.
 *
 * @since 0.1
 */
package dev.agentpipeline.stages;
