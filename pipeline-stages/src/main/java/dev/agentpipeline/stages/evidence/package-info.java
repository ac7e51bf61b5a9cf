/**
 * The library's evidence collectors: {@link dev.agentpipeline.stages.evidence.JUnitReportCollector} ({@code junit}:
 * Surefire, Failsafe and Gradle JUnit XML reports to test counts) and
 * {@link dev.agentpipeline.stages.evidence.JacocoReportCollector} ({@code jacoco}: JaCoCo XML reports to line,
 * branch and instruction coverage). Both parse XML with the JDK's SAX parser, never loading external DTDs or
 * resolving external entities.
 *
 * @since 0.1
 */
package dev.agentpipeline.stages.evidence;
