package com.example.app;

import com.example.plugin.WordCountStage;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.util.Modules;

import dev.agentpipeline.core.definition.PipelineDefinition;
import dev.agentpipeline.core.definition.PipelineDefinitions;
import dev.agentpipeline.core.engine.DriveResult;
import dev.agentpipeline.core.engine.Orchestrator;
import dev.agentpipeline.core.engine.PipelineRuntime;
import dev.agentpipeline.core.engine.StartRequest;
import dev.agentpipeline.core.guard.GuardRegistry;
import dev.agentpipeline.core.store.FileRunStore;
import dev.agentpipeline.guice.PipelineModule;
import dev.agentpipeline.guice.PipelineSettings;
import dev.agentpipeline.guice.StagesModule;
import dev.agentpipeline.spi.StageOutcome;
import dev.agentpipeline.spi.StageRegistry;
import dev.agentpipeline.testkit.TestStageContext;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What a user of the published artifacts does: plugin, YAML pipeline, plain Java, Guice. */
class ConsumerTest {

    @TempDir
    Path project;

    private PipelineDefinition definition() throws Exception {
        return PipelineDefinitions.fromResource(ConsumerTest.class, "/readme-check.yaml", GuardRegistry.empty());
    }

    @Test
    void thePluginIsFoundAndNothingOfTheCommandLineOrTheExamplesIsOnTheClassPath() {
        assertThat(StageRegistry.load().ids()).contains(WordCountStage.ID).doesNotContain("example-todo-gate");
        for (String absent : new String[] {"ch.qos.logback.classic.Logger", "picocli.CommandLine",
                "dev.agentpipeline.cli.PipelineMain", "dev.agentpipeline.examples.plugin.TodoGateStage",
                "dev.agentpipeline.stages.CommandStage", "com.fasterxml.jackson.databind.ObjectMapper"}) {
            assertThatThrownBy(() -> Class.forName(absent)).as(absent).isInstanceOf(ClassNotFoundException.class);
        }
    }

    @Test
    void thePluginRunsInTheTestKit() throws Exception {
        Files.writeString(project.resolve("README.md"), "one two three");

        StageOutcome outcome = new WordCountStage().run(TestStageContext.builder().workspace(project).build());

        assertThat(outcome.verdict()).contains("FAIL");
        assertThat(outcome.metrics()).containsEntry("words", 3.0);
    }

    /** Plain Java: a file store, the runtime, the plugins on the class path, one run of the README check. */
    private DriveResult driveWithPlainJava(String readme) throws Exception {
        Files.writeString(project.resolve("README.md"), readme);
        PipelineRuntime runtime = PipelineRuntime.builder()
                .store(FileRunStore.open(project.resolve(".pipeline")))
                .definition(definition())
                .build();
        Orchestrator orchestrator = Orchestrator.builder(runtime, StageRegistry.load())
                .workspace(run -> project)
                .build();
        String runId = runtime.start(StartRequest.builder("readme-check", "docs").build()).run().state().runId();
        return orchestrator.drive(runId);
    }

    @Test
    void aYamlPipelineWithAGuardRunsToDoneWithPlainJava() throws Exception {
        DriveResult result = driveWithPlainJava("This README has more than five words.");

        assertThat(result.status()).isEqualTo(DriveResult.Status.COMPLETED);
        assertThat(result.run().state().phase()).isEqualTo("DONE");
    }

    @Test
    void theGuardStopsAShortReadmeWithPlainJava() throws Exception {
        DriveResult result = driveWithPlainJava("Too short.");

        assertThat(result.status()).isEqualTo(DriveResult.Status.PAUSED);
        assertThat(result.run().state().phase()).isEqualTo("PAUSED");
        assertThat(result.run().state().pause()).hasValueSatisfying(pause -> {
            assertThat(pause.pausedFrom()).isEqualTo("COUNT");
            assertThat(pause.reason() + " " + pause.nextAction()).contains("README");
        });
    }

    @Test
    void theSamePipelineRunsToDoneThroughTheGuiceModules() throws Exception {
        Files.writeString(project.resolve("README.md"), "This README has more than five words.");
        PipelineDefinition definition = definition();
        Injector injector = Guice.createInjector(Modules.override(new PipelineModule(), new StagesModule())
                .with(binder -> {
                    binder.bind(PipelineSettings.class).toInstance(PipelineSettings.forProject(project));
                    binder.bind(PipelineDefinition.class).toInstance(definition);
                }));
        PipelineRuntime runtime = injector.getInstance(PipelineRuntime.class);
        Orchestrator orchestrator = Orchestrator.builder(runtime, injector.getInstance(StageRegistry.class))
                .workspace(run -> project)
                .build();
        String runId = runtime.start(StartRequest.builder("readme-check", "docs").build()).run().state().runId();

        DriveResult result = orchestrator.drive(runId);

        assertThat(result.status()).isEqualTo(DriveResult.Status.COMPLETED);
        assertThat(result.run().state().phase()).isEqualTo("DONE");
        assertThat(project.resolve(".pipeline")).isDirectory();
    }
}
