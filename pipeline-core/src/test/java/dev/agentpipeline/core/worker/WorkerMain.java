package dev.agentpipeline.core.worker;

import dev.agentpipeline.core.definition.PipelineDefinitions;
import dev.agentpipeline.core.engine.Orchestrator;
import dev.agentpipeline.core.engine.PipelineRuntime;
import dev.agentpipeline.core.guard.GuardRegistry;
import dev.agentpipeline.core.store.FileRunStore;
import dev.agentpipeline.spi.Stage;
import dev.agentpipeline.spi.StageContext;
import dev.agentpipeline.spi.StageOutcome;
import dev.agentpipeline.spi.StageRegistry;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;

/**
 * A worker in a process of its own, for {@link WorkerRestartTest}: drives the runs of a store with a stage that
 * writes a line when it starts and when it ends each run (to a log shared by every process), until it is killed.
 * Arguments: the state directory, the definition's YAML file, the stage log.
 */
public final class WorkerMain {

    private WorkerMain() {
    }

    public static void main(String[] args) throws Exception {
        Path state = Path.of(args[0]);
        PipelineRuntime runtime = PipelineRuntime.builder().store(FileRunStore.open(state))
                .definition(PipelineDefinitions.fromYaml(Path.of(args[1]), GuardRegistry.empty())).build();
        Path log = Path.of(args[2]);
        Stage work = new Stage() {
            @Override
            public String id() {
                return "work";
            }

            @Override
            public StageOutcome run(StageContext context) throws IOException, InterruptedException {
                write(log, "start " + context.runId() + " " + context.stateId());
                Thread.sleep(50);
                write(log, "end " + context.runId() + " " + context.stateId());
                return StageOutcome.completed().build();
            }
        };
        Worker worker = Worker.builder(runtime, () -> Orchestrator.builder(runtime, StageRegistry.of(work)))
                .threads(4).rescanEvery(Duration.ofMillis(500))
                .listener(status -> {
                    try {
                        write(state.resolve("worker-" + ProcessHandle.current().pid() + ".log"), status.line());
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                })
                .build();
        worker.start();
        System.out.println("started");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }

    private static synchronized void write(Path file, String line) throws IOException {
        Files.writeString(file, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND, StandardOpenOption.SYNC);
    }
}
