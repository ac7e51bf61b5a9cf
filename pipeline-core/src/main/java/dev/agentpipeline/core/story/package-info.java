/**
 * The story pipeline of the ln-1000 story pipeline skill: its definition, its resume actions and board routing, the
 * stage summary envelope, and {@link dev.agentpipeline.core.story.StoryCommands}, the older ln-1000 runtime's protocol
 * (start, status, advance, checkpoint, record-stage-summary, record-loop-health, pause, cancel, complete) as a
 * library, so a command line or a server can speak it.
 *
 * @since 0.1
 */
package dev.agentpipeline.core.story;
