package dev.agentpipeline.core.worker;

import dev.agentpipeline.core.definition.PipelineDefinitions;
import dev.agentpipeline.core.engine.PipelineRuntime;
import dev.agentpipeline.core.engine.StartRequest;
import dev.agentpipeline.core.guard.GuardRegistry;
import dev.agentpipeline.core.run.RunEvent;
import dev.agentpipeline.core.run.RunState;
import dev.agentpipeline.core.store.FileRunStore;
import dev.agentpipeline.core.store.JournalEntry;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A worker in a real child process, killed with SIGKILL while its runs wait for their timers; a second worker
 * process goes on. The runs' timers are real (a few seconds); the test asserts what the journals and the stage log
 * say, not how long anything took.
 */
class WorkerRestartTest {

    private static final String DEFINITION = """
            schema_version: 1
            id: timed
            initial: QUEUED
            states:
              QUEUED: {}
              FIRST: {stage: work}
              SECOND: {stage: work}
              DONE: {terminal: true}
            transitions:
              - from: QUEUED
                to: FIRST
              - from: FIRST
                to: SECOND
                backoff: [3s]
              - from: SECOND
                to: DONE
            """;

    @TempDir
    Path dir;

    @Test
    void timersFireOnceAcrossASigkillOfTheWorkerAndNoRunIsDrivenTwiceAtOnce() throws Exception {
        Path state = dir.resolve(".pipeline");
        Path definition = Files.writeString(dir.resolve("timed.yaml"), DEFINITION);
        Path log = dir.resolve("stages.log");
        PipelineRuntime runtime = PipelineRuntime.builder().store(FileRunStore.open(state))
                .definition(PipelineDefinitions.fromYaml(definition, GuardRegistry.empty())).build();
        List<String> runs = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            runs.add(runtime.start(StartRequest.builder("timed", "T-" + i).build()).run().state().runId());
        }

        Process first = startWorker(state, definition, log);
        try {
            // Every run did its first stage and now waits for its 3 s backoff.
            awaitTrue(() -> runs.stream().allMatch(id -> has(runtime, id, "TIMER_SET")), 60);
        } finally {
            first.destroyForcibly(); // SIGKILL: no shutdown hook, no cleanup
            first.waitFor(20, TimeUnit.SECONDS);
        }
        Map<String, Instant> due = new HashMap<>();
        for (String id : runs) {
            RunState run = runtime.load(id).state();
            assertThat(run.phase()).isIn("SECOND", "FIRST");
            due.put(id, run.timers().values().iterator().next().due());
        }

        Process second = startWorker(state, definition, log);
        try {
            awaitTrue(() -> runs.stream().allMatch(id -> runtime.load(id).state().complete()), 60);
        } finally {
            second.destroyForcibly();
            second.waitFor(20, TimeUnit.SECONDS);
        }

        for (String id : runs) {
            List<JournalEntry> journal = runtime.store().journal(id);
            assertThat(journal.stream().filter(e -> e.event() instanceof RunEvent.TimerSet)).hasSize(1);
            List<RunEvent.TimerFired> fired = journal.stream().map(JournalEntry::event)
                    .filter(RunEvent.TimerFired.class::isInstance).map(RunEvent.TimerFired.class::cast).toList();
            assertThat(fired).as("run %s fires its timer once", id).hasSize(1);
            assertThat(fired.get(0).at()).as("the wait did not start again").isAfterOrEqualTo(due.get(id));
            assertThat(runtime.load(id).state().timers().values().iterator().next().due()).isEqualTo(due.get(id));
            assertThat(runtime.load(id).state().phase()).isEqualTo("DONE");
        }
        assertNoOverlaps(Files.readAllLines(log));
    }

    /** Each run's stage start is followed by its end before the run's next start. */
    private static void assertNoOverlaps(List<String> lines) {
        Map<String, Integer> open = new HashMap<>();
        for (String line : lines) {
            String[] parts = line.split(" ");
            if (parts[0].equals("start")) {
                assertThat(open.getOrDefault(parts[1], 0)).as("run %s is in a stage twice at once: %s", parts[1],
                        lines).isZero();
                open.merge(parts[1], 1, Integer::sum);
            } else {
                open.merge(parts[1], -1, Integer::sum);
            }
        }
    }

    private static boolean has(PipelineRuntime runtime, String runId, String type) {
        return runtime.store().journal(runId).stream().anyMatch(e -> e.event().type().equals(type));
    }

    private Process startWorker(Path state, Path definition, Path log) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                WorkerMain.class.getName(), state.toString(), definition.toString(), log.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("worker-" + System.nanoTime() + ".out").toFile());
        return builder.start();
    }

    private static void awaitTrue(BooleanSupplier condition, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not true within " + seconds + " s");
            }
            Thread.sleep(50);
        }
    }
}
