/**
 * The kanban board of the ln-1000 skill ({@code docs/tasks/kanban_board.md}):
 * {@link dev.agentpipeline.core.board.KanbanBoard} reads it (status sections, epics, stories, tasks) and routes each
 * story to the stage it should start at; {@link dev.agentpipeline.core.board.BoardFile} moves a story between status
 * sections on disk, under a lock and atomically; {@link dev.agentpipeline.core.board.BoardUpdater} does so as a run's
 * stages report the story's new status, so the board follows the runs as the ln-1000 skill keeps it.
 *
 * @since 0.1
 */
package dev.agentpipeline.core.board;
