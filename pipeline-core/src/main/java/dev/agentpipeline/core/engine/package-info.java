/**
 * The engine: the pure {@link dev.agentpipeline.core.engine.StateMachine} that decides transitions, the
 * {@link dev.agentpipeline.core.engine.PipelineRuntime} that applies decisions to runs durably, and the
 * {@link dev.agentpipeline.core.engine.Orchestrator} that drives runs through their stages with plugins.
 *
 * @since 0.1
 */
package dev.agentpipeline.core.engine;
