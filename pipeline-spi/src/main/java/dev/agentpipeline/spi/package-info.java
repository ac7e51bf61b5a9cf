/**
 * The stage plugin API: what a plugin author compiles against.
 *
 * <p>A pipeline is a state machine; each working state is carried out by a {@link dev.agentpipeline.spi.Stage}
 * plugin. The runtime hands the plugin a {@link dev.agentpipeline.spi.StageContext} and records the
 * {@link dev.agentpipeline.spi.StageOutcome} it returns exactly once per attempt. Guards of the pipeline
 * definition then judge that outcome (verdicts, scores, metrics) before the run may move on.
 *
 * <p>Plugins are found with {@link java.util.ServiceLoader}: list the implementation class in
 * {@code META-INF/services/dev.agentpipeline.spi.Stage}. {@link dev.agentpipeline.spi.StageRegistry} loads
 * them, rejects duplicate, malformed and reserved ids, and names what it found when an id is missing.
 *
 * <p>This package depends on the JDK only, so a plugin compiled against {@code pipeline-spi} alone runs in
 * any application that embeds the runtime.
 *
 * @since 0.1
 */
package dev.agentpipeline.spi;
