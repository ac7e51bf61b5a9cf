/**
 * Where a run stands, for people watching it: {@link dev.agentpipeline.core.progress.RunProgress} (each stage with
 * its status, time and result, the running stage's sub-progress, counters, elapsed and estimated remaining time)
 * computed from a run and {@link dev.agentpipeline.core.progress.DurationEstimates} learned from earlier runs.
 * Pure values: rendering them (a terminal dashboard, a web page) is the application's business.
 *
 * @since 0.1
 */
package dev.agentpipeline.core.progress;
