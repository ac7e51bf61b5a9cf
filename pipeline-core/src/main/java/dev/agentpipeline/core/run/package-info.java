/**
 * Runs: the events a run's journal holds, and the state they fold into.
 *
 * <p>A run is event-sourced. Every change is a {@link dev.agentpipeline.core.run.RunEvent} appended to the run's
 * journal; {@link dev.agentpipeline.core.run.RunState} is the left fold of those events
 * ({@link dev.agentpipeline.core.run.RunState#apply(long, RunEvent)}) and is never written except as a
 * projection for people and agents to read.
 *
 * @since 0.1
 */
package dev.agentpipeline.core.run;
