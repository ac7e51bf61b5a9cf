/**
 * The story pipeline's report and quality trend: {@link dev.agentpipeline.core.story.report.StoryReport} renders a
 * run as the ln-1000 skill's {@code docs/tasks/reports/pipeline-{date}.md},
 * {@link dev.agentpipeline.core.story.report.QualityTrend} reads and renders {@code quality-trend.md} (one row per run,
 * improving/stable/declining), and {@link dev.agentpipeline.core.story.report.StoryReports} writes both, atomically
 * and under a lock.
 *
 * @since 0.1
 */
package dev.agentpipeline.core.story.report;
