/**
 * The demo: a sample Java project with a kanban board and example agents (POSIX scripts that the built-in command
 * stage runs), the story pipeline with a quality gate on measured tests and coverage ({@link
 * dev.agentpipeline.examples.demo.DemoPipeline}), and a driver that picks the board's next story and runs it, showing
 * its progress ({@link dev.agentpipeline.examples.demo.Demo}).
 *
 * @since 0.1
 */
package dev.agentpipeline.examples.demo;
