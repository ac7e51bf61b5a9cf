package dev.agentpipeline.core.signal;

import dev.agentpipeline.core.definition.PipelineDefinitions;
import dev.agentpipeline.core.engine.Orchestrator;
import dev.agentpipeline.core.engine.PipelineRuntime;
import dev.agentpipeline.core.engine.Signal;
import dev.agentpipeline.core.engine.SignalReceipt;
import dev.agentpipeline.core.engine.StartRequest;
import dev.agentpipeline.core.guard.GuardRegistry;
import dev.agentpipeline.core.internal.Json;
import dev.agentpipeline.core.store.FileRunStore;
import dev.agentpipeline.core.worker.Worker;
import dev.agentpipeline.spi.Stage;
import dev.agentpipeline.spi.StageContext;
import dev.agentpipeline.spi.StageOutcome;
import dev.agentpipeline.spi.StageRegistry;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** A signal watcher as a worker's companion: a published signal, or an agent's file, moves a waiting run on. */
class SignalWatcherWorkerTest {

    private static final String DEFINITION = """
            schema_version: 1
            id: phases
            initial: QUEUED
            states:
              QUEUED: {}
              PHASE_7:
                stage: agent
                signal: {file: phase7-complete.json, format: phase}
              DONE: {terminal: true}
            transitions:
              - from: QUEUED
                to: PHASE_7
              - from: PHASE_7
                to: DONE
                guards:
                  - require: {signal.PHASE_7.status: {eq: success}}
                    reject: {code: no_success, error: "Phase 7 has not succeeded", recovery: "Wait for its signal"}
            """;

    @TempDir
    Path project;

    /** Starts the agent; the agent signals when it is done. */
    private static final Stage AGENT = new Stage() {
        @Override
        public String id() {
            return "agent";
        }

        @Override
        public StageOutcome run(StageContext context) {
            return StageOutcome.completed().build();
        }
    };

    @Test
    void aPublishedSignalAndAnAgentsFileMoveTheirRunsToTheEnd() throws Exception {
        FileRunStore store = FileRunStore.open(project.resolve(".pipeline"));
        PipelineRuntime runtime = PipelineRuntime.builder().store(store)
                .definition(PipelineDefinitions.fromYaml("phases.yaml", DEFINITION, GuardRegistry.empty())).build();
        String published = runtime.start(StartRequest.builder("phases", "P1").build()).run().state().runId();
        Path signals = project.resolve(".taskmaster/.signals");
        Map<String, String> woken = new java.util.concurrent.ConcurrentHashMap<>();
        try (Worker worker = Worker.builder(runtime, () -> Orchestrator.builder(runtime, StageRegistry.of(AGENT)))
                .rescanEvery(Duration.ofMinutes(30))
                .companion(w -> SignalWatcher.builder(w.runtime(), SignalInbox.of(store))
                        .signalDirectory(signals)
                        .settleTime(Duration.ZERO)
                        .listener(new SignalWatcher.Listener() {
                            @Override
                            public void consumed(Path file, SignalReceipt receipt) {
                                String runId = receipt.run().state().runId();
                                woken.put(runId, receipt.status().wireName());
                                w.wake(runId);
                            }
                        })
                        .build()
                        .start())
                .build()
                .start()) {
            assertThat(worker.awaitIdle(Duration.ofSeconds(20))).isTrue();
            assertThat(runtime.load(published).state().phase()).isEqualTo("PHASE_7");

            SignalInbox.of(store).publish(published, Signal.of("PHASE_7", success(), "test"));
            awaitPhase(runtime, published, "DONE");

            String byFile = runtime.start(StartRequest.builder("phases", "P2").build()).run().state().runId();
            worker.wake(byFile);
            assertThat(worker.awaitIdle(Duration.ofSeconds(20))).isTrue();
            Files.createDirectories(signals);
            Path temp = Files.writeString(signals.resolve(".phase7.tmp"), Json.compact(success()));
            Files.move(temp, signals.resolve("phase7-complete.json"));
            awaitPhase(runtime, byFile, "DONE");

            assertThat(woken).containsEntry(published, "accepted").containsEntry(byFile, "accepted");
        }
    }

    private static void awaitPhase(PipelineRuntime runtime, String runId, String phase) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!runtime.load(runId).state().phase().equals(phase) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(runtime.load(runId).state().phase()).isEqualTo(phase);
    }

    private static Map<String, Object> success() {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("phase", 7);
        payload.put("status", "success");
        payload.put("completed_at", "2026-03-02T09:59:00Z");
        payload.put("summary", Map.of("tests_written", 3, "tests_passing", 3));
        payload.put("trigger_next", true);
        payload.put("next_phase", 8);
        return payload;
    }
}
