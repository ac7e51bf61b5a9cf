/**
 * Guice wiring of one command-line call: {@link dev.agentpipeline.cli.wiring.CliModule} binds the call's validated
 * {@link dev.agentpipeline.cli.wiring.CliSettings} and the {@link dev.agentpipeline.guice.PipelineSettings} that the
 * application modules of {@code pipeline-guice} need.
 */
package dev.agentpipeline.cli.wiring;
