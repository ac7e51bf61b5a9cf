/**
 * Programs the demo's example agents (the sample project's scripts) run as child processes: today
 * {@link dev.agentpipeline.examples.demo.agents.CoverageReport}, which turns JaCoCo's execution data into the XML
 * report the {@code jacoco} evidence collector reads.
 *
 * @since 0.1
 */
package dev.agentpipeline.examples.demo.agents;
