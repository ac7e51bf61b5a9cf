/**
 * The story pipeline of the seeds (ln-1000): its definition, the seeds' resume actions and board routing, the
 * stage summary envelope, and {@link dev.agentpipeline.core.story.StoryCommands}, the seeds' runtime protocol
 * (start, status, advance, checkpoint, record-stage-summary, record-loop-health, pause, cancel, complete) as a
 * library, so a command line or a server can speak it.
 *
 * @since 0.1
 */
package dev.agentpipeline.core.story;
