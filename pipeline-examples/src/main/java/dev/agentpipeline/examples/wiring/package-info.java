/**
 * Guice wiring of the runtime: {@link dev.agentpipeline.examples.wiring.PipelineModule} (store, definition, runtime,
 * story commands) for any application, and {@link dev.agentpipeline.examples.wiring.CliModule} with
 * {@link dev.agentpipeline.examples.wiring.CliSettings} for the command line. Independent of the command line
 * itself, so an application can copy it.
 */
package dev.agentpipeline.examples.wiring;
