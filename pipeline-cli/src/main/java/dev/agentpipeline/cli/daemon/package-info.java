/**
 * The {@code pipeline} command line's daemon: {@link dev.agentpipeline.cli.daemon.PipelineClient}, the small
 * JVM {@code bin/pipeline} starts, hands quick commands over a Unix domain socket to a long-lived
 * {@link dev.agentpipeline.cli.daemon.PipelineDaemon} that has the command line loaded and warm, or runs them
 * itself when no daemon can serve. {@code PIPELINE_DAEMON=off} turns it off.
 */
package dev.agentpipeline.cli.daemon;
