/**
 * Guards: pure functions that allow a transition or reject it with a stable code, an error and a recovery hint.
 *
 * <p>Most guards are declarative {@link dev.agentpipeline.core.guard.Condition}s over the run's evidence, written in
 * YAML ({@code summary.STAGE_1.verdict: {eq: GO}}) or with {@link dev.agentpipeline.core.guard.Guards} in Java,
 * and type-checked when the definition loads. Anything else is a Java {@link dev.agentpipeline.core.guard.Guard}.
 * Guards read a {@link dev.agentpipeline.core.guard.GuardContext} and never change the run: counter increments
 * belong to the transition.
 *
 * @since 0.1
 */
package dev.agentpipeline.core.guard;
