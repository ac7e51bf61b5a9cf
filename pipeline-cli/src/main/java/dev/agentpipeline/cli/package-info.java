/**
 * The {@code pipeline} command line: the seeds' story runtime commands over
 * {@link dev.agentpipeline.core.story.StoryCommands}, answering every call with one JSON object.
 *
 * <p>{@link dev.agentpipeline.cli.PipelineMain} is the entry point ({@code main} for processes,
 * {@code run} for tests and embedders); {@link dev.agentpipeline.cli.PipelineMain#commands()} lists the
 * subcommands, each a {@link dev.agentpipeline.cli.CliCommand} whose options picocli parses. Nothing here
 * writes to {@code System.out} or {@code System.err} directly.
 */
package dev.agentpipeline.cli;
