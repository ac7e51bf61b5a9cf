package dev.agentpipeline.core.engine;

import dev.agentpipeline.core.definition.PipelineDefinition;
import dev.agentpipeline.core.store.FileRunStore;
import dev.agentpipeline.core.testing.MutableClock;
import dev.agentpipeline.spi.Stage;
import dev.agentpipeline.spi.StageContext;
import dev.agentpipeline.spi.StageOutcome;
import dev.agentpipeline.spi.StageRegistry;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** What the orchestrator hands a stage besides the run: the state's settings and a directory of the attempt's own. */
class OrchestratorStageSettingsTest {

    @TempDir
    Path storeDir;

    private final MutableClock clock = new MutableClock();

    /** Remembers what each attempt saw, and writes a file into its attempt directory. */
    private static final class Probe implements Stage {
        final List<Map<String, Object>> settings = new ArrayList<>();
        final List<Optional<Path>> directories = new ArrayList<>();

        @Override
        public String id() {
            return "test-probe";
        }

        @Override
        public StageOutcome run(StageContext context) throws Exception {
            settings.add(context.settings());
            directories.add(context.attemptDirectory());
            if (context.attemptDirectory().isPresent()) {
                Files.writeString(context.attemptDirectory().get().resolve("stdout.log"), "hello");
            }
            return StageOutcome.completed().verdict("PASS").build();
        }
    }

    private static PipelineDefinition definition() {
        return PipelineDefinition.builder("mini").initial("QUEUED").state("QUEUED")
                .stage("WORK", "test-probe", "", Map.of("command", List.of("make", "test"), "timeout_seconds", 60))
                .terminal("DONE", "").transition("QUEUED", "WORK").transition("WORK", "DONE").build();
    }

    @Test
    void givesTheStageItsSettingsAndACreatedAttemptDirectoryInTheRun() {
        // Given
        FileRunStore store = FileRunStore.builder(storeDir).clock(clock).build();
        PipelineRuntime runtime = PipelineRuntime.builder().store(store).definition(definition()).clock(clock).build();
        String runId = runtime.start(StartRequest.builder("mini", "S1").build()).run().state().runId();
        Probe probe = new Probe();

        // When
        DriveResult result = Orchestrator.builder(runtime, StageRegistry.of(probe)).build().drive(runId);

        // Then
        assertThat(result.status()).isEqualTo(DriveResult.Status.COMPLETED);
        assertThat(probe.settings).singleElement().isEqualTo(Map.of("command", List.of("make", "test"),
                "timeout_seconds", 60));
        String attemptId = runtime.load(runId).state().attempts().get(0).attemptId();
        Path expected = store.runDirectory(runId).resolve("attempts").resolve(attemptId);
        assertThat(probe.directories).singleElement().isEqualTo(Optional.of(expected));
        assertThat(expected.resolve("stdout.log")).hasContent("hello");
    }

    @Test
    void letsTheApplicationChooseTheAttemptDirectoryOrNone() {
        // Given
        FileRunStore store = FileRunStore.builder(storeDir.resolve("store")).clock(clock).build();
        PipelineRuntime runtime = PipelineRuntime.builder().store(store).definition(definition()).clock(clock).build();
        String first = runtime.start(StartRequest.builder("mini", "S1").build()).run().state().runId();
        String second = runtime.start(StartRequest.builder("mini", "S2").build()).run().state().runId();
        Probe probe = new Probe();

        // When
        Orchestrator.builder(runtime, StageRegistry.of(probe))
                .attemptDirectories((run, attempt) -> storeDir.resolve("logs").resolve(run + "--" + attempt))
                .build().drive(first);
        Orchestrator.builder(runtime, StageRegistry.of(probe))
                .attemptDirectories((run, attempt) -> null)
                .build().drive(second);

        // Then
        assertThat(probe.directories.get(0)).hasValueSatisfying(dir -> {
            assertThat(dir.getParent()).isEqualTo(storeDir.resolve("logs"));
            assertThat(dir).isDirectory();
        });
        assertThat(probe.directories.get(1)).isEmpty();
    }
}
