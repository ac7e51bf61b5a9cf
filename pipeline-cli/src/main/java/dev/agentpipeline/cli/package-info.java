/**
 * The {@code pipeline} command line: the story pipeline's step-by-step commands (those of the older ln-1000 runtime) over
 * {@link dev.agentpipeline.core.story.StoryCommands}, answering every call with one JSON object.
 *
 * <p>{@link dev.agentpipeline.cli.PipelineMain} is the entry point ({@code main} for processes,
 * {@code run} for tests and embedders); {@link dev.agentpipeline.cli.PipelineMain#commands()} lists the
 * subcommands, each a {@link dev.agentpipeline.cli.CliCommand} whose options picocli parses. Nothing here
 * writes to {@code System.out} or {@code System.err} directly.
 */
package dev.agentpipeline.cli;
