/**
 * The tracker extension point: where a team's stories live (a kanban board file, an issue tracker), read to pick a
 * story and written to keep it in step with the story's run. Implementations are found with
 * {@link java.util.ServiceLoader} through {@link dev.agentpipeline.spi.tracker.TrackerFactory}; the built-in one
 * ({@code file}, in pipeline-core) reads and writes the kanban board file, {@code docs/tasks/kanban_board.md}.
 *
 * @since 0.1
 */
package dev.agentpipeline.spi.tracker;
