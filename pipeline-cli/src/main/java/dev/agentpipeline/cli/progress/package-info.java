/**
 * Showing a run's progress to a person: {@link dev.agentpipeline.cli.progress.DashboardView} renders a
 * {@link dev.agentpipeline.core.progress.RunProgress} as lines of text, {@link
 * dev.agentpipeline.cli.progress.LiveDashboard} repaints it in place on a terminal as the run moves.
 *
 * @since 0.1
 */
package dev.agentpipeline.cli.progress;
