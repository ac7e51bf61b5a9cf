/**
 * Loop health: whether retrying a stage is still useful, separate from the pipeline's domain counters.
 *
 * <p>Each attempt that ends without finishing the work produces a {@link dev.agentpipeline.core.loop.LoopSignal}.
 * {@link dev.agentpipeline.core.loop.LoopHealth#update} folds it into the scope's
 * {@link dev.agentpipeline.core.run.LoopHealthEntry} under a {@link dev.agentpipeline.core.loop.LoopHealthPolicy}:
 * blockers (missing permission, tool or credentials) pause at once, rate limits defer, and repeated failures
 * without progress pause after a limit. Objective progress resets the counts; repeated prose does not.
 *
 * @since 0.1
 */
package dev.agentpipeline.core.loop;
