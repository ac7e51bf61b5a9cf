/**
 * Signals from outside processes, delivered through files: {@link dev.agentpipeline.core.signal.SignalInbox} is the
 * state directory's inbox ({@code <state dir>/inbox/}), where {@code pipeline signal} and applications publish a
 * signal for a run with an atomic rename; {@link dev.agentpipeline.core.signal.SignalWatcher} consumes the inbox and
 * the signal directories of the phase pipeline orchestrator ({@code .taskmaster/.signals/}) exactly once, recording
 * each signal in its run's journal through
 * {@link dev.agentpipeline.core.engine.PipelineRuntime#receiveSignal(String, dev.agentpipeline.core.engine.Signal)}
 * before its file goes. The engine never depends on this package.
 *
 * @since 0.1
 */
package dev.agentpipeline.core.signal;
