package dev.agentpipeline.examples.plugin;

import dev.agentpipeline.core.definition.PipelineDefinition;
import dev.agentpipeline.core.definition.PipelineDefinitions;
import dev.agentpipeline.core.engine.DriveResult;
import dev.agentpipeline.core.engine.Orchestrator;
import dev.agentpipeline.core.engine.PipelineRuntime;
import dev.agentpipeline.core.engine.StartRequest;
import dev.agentpipeline.core.guard.GuardRegistry;
import dev.agentpipeline.core.store.FileRunStore;
import dev.agentpipeline.spi.Stage;
import dev.agentpipeline.spi.StageContext;
import dev.agentpipeline.spi.StageOutcome;
import dev.agentpipeline.spi.StageRegistry;
import dev.agentpipeline.spi.evidence.EvidenceCollectorRegistry;
import dev.agentpipeline.spi.evidence.EvidenceRequest;
import dev.agentpipeline.spi.evidence.EvidenceResult;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The example collector of the plugin guide: found with ServiceLoader, read by a guard. */
class TodoCountCollectorTest {

    @TempDir
    Path project;

    @Test
    void isFoundWithServiceLoaderAndCountsTheMarkersOfSourceFilesOnly() throws IOException {
        Path workspace = Files.createDirectories(project.resolve("work"));
        Files.createDirectories(workspace.resolve("src"));
        Files.writeString(workspace.resolve("src/A.java"), "class A {\n  // TODO one\n  // FIXME two\n}\n");
        Files.writeString(workspace.resolve("src/B.java"), "class B { /* TODOS is no marker */ }\n");
        Files.createDirectories(workspace.resolve("target"));
        Files.writeString(workspace.resolve("target/C.java"), "// TODO generated, not counted\n");

        EvidenceResult result = EvidenceCollectorRegistry.load().require("todo-count").collect(EvidenceRequest.of(workspace));

        assertThat(result.values()).containsEntry("count", 2L).containsEntry("files", 2L);
        assertThat(result.warnings()).isEmpty();
    }

    @Test
    void aGuardOnTheEvidencePausesTheRunWhileMarkersAreLeft() throws IOException {
        Path definitionFile = project.resolve("todo-free.yaml");
        try (InputStream in = TodoCountCollectorTest.class.getResourceAsStream("todo-free.yaml")) {
            Files.copy(in, definitionFile);
        }
        PipelineDefinition definition = PipelineDefinitions.fromYaml(definitionFile, GuardRegistry.empty());
        PipelineRuntime runtime = PipelineRuntime.builder().store(FileRunStore.open(project.resolve(".pipeline")))
                .definition(definition).build();
        Path workspace = Files.createDirectories(project.resolve("work"));
        Stage work = new Stage() {
            @Override
            public String id() {
                return "acme-work";
            }

            @Override
            public StageOutcome run(StageContext context) throws IOException {
                Files.writeString(context.workspace().resolve("Done.java"), "class Done { } // TODO tidy\n");
                return StageOutcome.completed().build(); // says nothing of markers: the collector looks
            }
        };
        String runId = runtime.start(StartRequest.builder("todo-free", "S1").build()).run().state().runId();

        DriveResult result = Orchestrator.builder(runtime, StageRegistry.of(work)).workspace(run -> workspace).build()
                .drive(runId);

        assertThat(result.status()).isEqualTo(DriveResult.Status.PAUSED);
        assertThat(result.run().state().pause().orElseThrow().reason()).isEqualTo("1 TODO or FIXME markers are left");
    }
}
