package dev.agentpipeline.examples.evidence;

import dev.agentpipeline.core.definition.PipelineDefinition;
import dev.agentpipeline.core.definition.PipelineDefinitions;
import dev.agentpipeline.core.engine.DriveResult;
import dev.agentpipeline.core.engine.Orchestrator;
import dev.agentpipeline.core.engine.PipelineRuntime;
import dev.agentpipeline.core.engine.StartRequest;
import dev.agentpipeline.core.guard.GuardRegistry;
import dev.agentpipeline.core.run.RunState;
import dev.agentpipeline.core.store.FileRunStore;
import dev.agentpipeline.spi.Stage;
import dev.agentpipeline.spi.StageContext;
import dev.agentpipeline.spi.StageOutcome;
import dev.agentpipeline.spi.StageRegistry;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * End to end: a definition whose gate requires {@code evidence.TEST.coverage.line >= 80} and no failed test, the
 * library's {@code junit} and {@code jacoco} collectors found with ServiceLoader, a stage that leaves real Surefire and
 * JaCoCo reports (of this repository's pipeline-spi build) in its workspace, and the orchestrator over a file store.
 */
class CoverageGateTest {

    private static final String RESOURCES = "/dev/agentpipeline/examples/evidence/";

    @TempDir
    Path project;

    /** A build that leaves the given JaCoCo report and a real Surefire report where Maven would. */
    private static Stage build(String jacocoReport) {
        return new Stage() {
            @Override
            public String id() {
                return "acme-build";
            }

            @Override
            public StageOutcome run(StageContext context) throws IOException {
                copy(jacocoReport, context.workspace().resolve("target/site/jacoco/jacoco.xml"));
                copy("TEST-dev.agentpipeline.spi.JsonValuesTest.xml", context.workspace()
                        .resolve("target/surefire-reports/TEST-dev.agentpipeline.spi.JsonValuesTest.xml"));
                return StageOutcome.completed().build();
            }
        };
    }

    private static void copy(String resource, Path target) throws IOException {
        try (InputStream in = CoverageGateTest.class.getResourceAsStream(RESOURCES + resource)) {
            Files.createDirectories(target.getParent());
            Files.copy(in, target);
        }
    }

    private DriveResult drive(String jacocoReport) throws IOException {
        Path definitionFile = project.resolve("coverage-gate.yaml");
        copy("coverage-gate.yaml", definitionFile);
        PipelineDefinition definition = PipelineDefinitions.fromYaml(definitionFile, GuardRegistry.empty());
        PipelineRuntime runtime = PipelineRuntime.builder().store(FileRunStore.open(project.resolve(".pipeline")))
                .definition(definition).build();
        String runId = runtime.start(StartRequest.builder("coverage-gate", "S1").build()).run().state().runId();
        Path workspace = Files.createDirectories(project.resolve("work"));
        return Orchestrator.builder(runtime, StageRegistry.of(build(jacocoReport))).workspace(run -> workspace)
                .build().drive(runId);
    }

    @Test
    void passesTheGateOnARealReportWithEnoughLineCoverage() throws IOException {
        // When the build leaves pipeline-spi's real report: 326 of 393 lines covered
        DriveResult result = drive("jacoco-pipeline-spi.xml");

        // Then
        assertThat(result.status()).isEqualTo(DriveResult.Status.COMPLETED);
        RunState run = result.run().state();
        assertThat(run.phase()).isEqualTo("DONE");
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Object>> evidence = (Map<String, Map<String, Object>>) run.latestCheckpoint("TEST")
                .orElseThrow().payload().get("evidence");
        assertThat(evidence.get("coverage")).containsEntry("line", 82.95).containsEntry("line_missed", 67L);
        assertThat(evidence.get("tests")).containsEntry("run", 10).containsEntry("failed", 0);
    }

    @Test
    void rejectsTheGateWithTheGuardsErrorAndRecoveryOnAReportWithTooLittle() throws IOException {
        // When the build leaves a report with 28 of 40 lines covered
        DriveResult result = drive("jacoco-low.xml");

        // Then the run pauses in TEST with the guard's texts, filled from the evidence
        assertThat(result.status()).isEqualTo(DriveResult.Status.PAUSED);
        RunState run = result.run().state();
        assertThat(run.pausedFrom()).contains("TEST");
        assertThat(run.pause().orElseThrow().reason()).isEqualTo("Line coverage 70% < 80%");
        assertThat(run.pause().orElseThrow().nextAction()).isEqualTo("Cover 12 more lines with tests, then resume");
        assertThat(run.pause().orElseThrow().evidence().toString()).contains("coverage_too_low");
    }
}
