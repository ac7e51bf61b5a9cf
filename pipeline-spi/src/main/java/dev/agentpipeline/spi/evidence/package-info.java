/**
 * The evidence collector extension point: plugins that read what a stage left in its workspace (test reports,
 * coverage reports) and turn it into evidence that guards can judge ({@code evidence.STAGE_3.coverage.line}).
 *
 * <p>A definition names the collectors of a state ({@code collect: [junit, jacoco]}); after every completed attempt
 * of that state the orchestrator runs them over the stage's workspace and records what they found in the state's
 * checkpoint. {@link dev.agentpipeline.spi.evidence.EvidenceCollector} is the plugin interface,
 * {@link dev.agentpipeline.spi.evidence.EvidenceCollectorRegistry} finds implementations with
 * {@link java.util.ServiceLoader} ({@code META-INF/services/dev.agentpipeline.spi.evidence.EvidenceCollector}). The
 * library's collectors ({@code junit}, {@code jacoco}) are in {@code pipeline-stages}.
 *
 * @since 0.1
 */
package dev.agentpipeline.spi.evidence;
