package dev.agentpipeline.core.worker;

import dev.agentpipeline.core.definition.PipelineDefinition;
import dev.agentpipeline.core.definition.PipelineDefinitions;
import dev.agentpipeline.core.engine.Orchestrator;
import dev.agentpipeline.core.engine.PipelineRuntime;
import dev.agentpipeline.core.engine.Signal;
import dev.agentpipeline.core.engine.StartRequest;
import dev.agentpipeline.core.engine.Wait;
import dev.agentpipeline.core.guard.GuardRegistry;
import dev.agentpipeline.core.run.RunState;
import dev.agentpipeline.core.store.FileRunStore;
import dev.agentpipeline.core.testing.MutableClock;
import dev.agentpipeline.spi.Stage;
import dev.agentpipeline.spi.StageContext;
import dev.agentpipeline.spi.StageOutcome;
import dev.agentpipeline.spi.StageRegistry;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** The worker over a real file store: what it drives, what it leaves waiting, and how it stops. */
class WorkerTest {

    private static final String WAITS = """
            schema_version: 1
            id: waits
            initial: QUEUED
            counters:
              retries: {limit: 3}
            states:
              QUEUED: {}
              WORK:
                stage: work
                signal: {}
              DONE: {terminal: true}
            transitions:
              - from: QUEUED
                to: WORK
                backoff: [10m]
              - from: WORK
                to: DONE
                guards:
                  - require: {signal.WORK.status: {eq: success}}
                    reject: {code: not_done, error: "WORK is not done", recovery: "Send its signal"}
            """;

    private static final String PARENT = """
            schema_version: 1
            id: parent
            initial: START
            states:
              START: {}
              FAN_OUT:
                children: {pipeline: child, count: 10, class: small}
              DONE: {terminal: true}
            transitions:
              - from: START
                to: FAN_OUT
              - from: FAN_OUT
                to: DONE
            """;

    private static final String CHILD = """
            schema_version: 1
            id: child
            initial: QUEUED
            states:
              QUEUED: {}
              BUILD: {stage: count}
              DONE: {terminal: true}
            transitions:
              - from: QUEUED
                to: BUILD
              - from: BUILD
                to: DONE
            """;

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock();
    private final List<Worker> workers = new ArrayList<>();

    @AfterEach
    void closeWorkers() {
        workers.forEach(Worker::close);
    }

    private PipelineRuntime runtime(String... yamls) {
        PipelineRuntime.Builder builder = PipelineRuntime.builder().store(FileRunStore.open(dir.resolve(".pipeline")))
                .clock(clock);
        int i = 0;
        for (String yaml : yamls) {
            PipelineDefinition definition = PipelineDefinitions.fromYaml("d" + i++ + ".yaml", yaml,
                    GuardRegistry.empty());
            builder.definition(definition);
        }
        return builder.build();
    }

    private Worker worker(PipelineRuntime runtime, Stage stage, int threads) {
        Worker worker = Worker.builder(runtime, () -> Orchestrator.builder(runtime, StageRegistry.of(stage)))
                .threads(threads).rescanEvery(Duration.ofMinutes(30)).shutdownGrace(Duration.ofSeconds(10)).build();
        workers.add(worker);
        return worker;
    }

    /** Counts how many of its runs are in it at once, and how often each run is in it at once (never twice). */
    private static final class CountingStage implements Stage {
        final String id;
        final AtomicInteger now = new AtomicInteger();
        final AtomicInteger most = new AtomicInteger();
        final AtomicInteger runs = new AtomicInteger();
        final Set<String> inside = ConcurrentHashMap.newKeySet();
        final List<String> overlaps = Collections.synchronizedList(new ArrayList<>());
        final long sleepMillis;

        CountingStage(String id, long sleepMillis) {
            this.id = id;
            this.sleepMillis = sleepMillis;
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public StageOutcome run(StageContext context) throws InterruptedException {
            String runId = context.runId();
            if (!inside.add(runId)) {
                overlaps.add(runId);
            }
            int n = now.incrementAndGet();
            most.accumulateAndGet(n, Math::max);
            runs.incrementAndGet();
            try {
                Thread.sleep(sleepMillis); // a real stage takes real time; the counts need overlap to mean anything
            } finally {
                now.decrementAndGet();
                inside.remove(runId);
            }
            return StageOutcome.completed().build();
        }
    }

    private static Map<String, Object> success() {
        Map<String, Object> signal = new LinkedHashMap<>();
        signal.put("status", "success");
        return signal;
    }

    @Test
    void itDrivesEveryRunToItsWaitAndLeavesTheRunsThatWaitWithoutAThread() throws Exception {
        PipelineRuntime runtime = runtime(WAITS);
        List<String> runs = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            runs.add(runtime.start(StartRequest.builder("waits", "S-" + i).build()).run().state().runId());
        }
        CountingStage work = new CountingStage("work", 0);
        Worker worker = worker(runtime, work, 4).start();

        assertThat(worker.awaitIdle(Duration.ofSeconds(20))).isTrue();

        // QUEUED -> WORK has a 10 minute backoff: every run waits for its timer, none ran its stage.
        assertThat(work.runs.get()).isZero();
        assertThat(worker.index().values()).hasSize(20).allMatch(s -> s.status() == RunStatus.Status.WAITING
                && s.waitingFor().kind() == Wait.Kind.TIMER);
        assertThat(worker.driving()).isZero();

        clock.advance(Duration.ofMinutes(10));
        worker.poke();
        assertThat(worker.awaitIdle(Duration.ofSeconds(20))).isTrue();

        assertThat(work.runs.get()).isEqualTo(20);
        assertThat(worker.index().values()).allMatch(s -> s.waitingFor() != null
                && s.waitingFor().kind() == Wait.Kind.SIGNAL);
        for (String runId : runs) {
            assertThat(runtime.store().journal(runId).stream().filter(e -> e.event().type().equals("TIMER_FIRED")))
                    .hasSize(1);
        }

        for (String runId : runs) {
            runtime.receiveSignal(runId, Signal.of("WORK", success(), "test"));
        }
        assertThat(worker.awaitIdle(Duration.ofSeconds(20))).isTrue();
        for (String runId : runs) {
            assertThat(runtime.load(runId).state().phase()).isEqualTo("DONE");
        }
        assertThat(worker.index()).isEmpty();
        assertThat(work.overlaps).isEmpty();
    }

    @Test
    void aDecisionOrSignalRecordedByAnotherProcessWakesTheRunThroughTheWakeDirectory() throws Exception {
        PipelineRuntime runtime = runtime(WAITS);
        String runId = runtime.start(StartRequest.builder("waits", "S-1").build()).run().state().runId();
        Path wake = dir.resolve(".pipeline").resolve(WakeUps.DIRECTORY);
        Worker worker = Worker.builder(runtime, () -> Orchestrator.builder(runtime,
                        StageRegistry.of(new CountingStage("work", 0))))
                .wakeDirectory(wake).rescanEvery(Duration.ofHours(1)).build();
        workers.add(worker);
        worker.start();
        assertThat(worker.awaitIdle(Duration.ofSeconds(20))).isTrue();
        clock.advance(Duration.ofMinutes(10));
        worker.poke();
        assertThat(worker.awaitIdle(Duration.ofSeconds(20))).isTrue();
        // The worker's first look happened; a first look before the run waited for its signal is no proof.
        assertThat(worker.index().get(runId).waitingFor().kind()).isEqualTo(Wait.Kind.SIGNAL);

        // "Another process": a runtime of its own on the same files, with the command line's wake-ups.
        PipelineRuntime other = PipelineRuntime.builder().store(FileRunStore.open(dir.resolve(".pipeline")))
                .clock(clock).definition(runtime.definition("waits")).listener(WakeUps.in(wake).listener()).build();
        other.receiveSignal(runId, Signal.of("WORK", success(), "cli"));

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!runtime.load(runId).state().complete() && System.nanoTime() < deadline) {
            worker.awaitIdle(Duration.ofMillis(100));
        }
        assertThat(runtime.load(runId).state().phase()).isEqualTo("DONE");
    }

    @Test
    void childRunsNeverExceedTheirClassLimitAndTheParentResumesOncePerChild() throws Exception {
        PipelineRuntime runtime = runtime(PARENT, CHILD);
        String parent = runtime.start(StartRequest.builder("parent", "P-1").build()).run().state().runId();
        CountingStage count = new CountingStage("count", 30);
        Worker worker = Worker.builder(runtime, () -> Orchestrator.builder(runtime, StageRegistry.of(count))
                        .concurrency("small", 3))
                .threads(8).rescanEvery(Duration.ofMinutes(30)).build();
        workers.add(worker);
        worker.start();

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!runtime.load(parent).state().complete() && System.nanoTime() < deadline) {
            worker.awaitIdle(Duration.ofMillis(200));
        }

        RunState state = runtime.load(parent).state();
        assertThat(state.phase()).isEqualTo("DONE");
        assertThat(count.runs.get()).isEqualTo(10);
        assertThat(count.most.get()).isBetween(1, 3);
        assertThat(count.overlaps).isEmpty();
        assertThat(runtime.store().journal(parent).stream().filter(e -> e.event().type().equals("CHILD_ENDED")))
                .hasSize(10);
        assertThat(state.children().values()).allMatch(c -> "DONE".equals(c.result()));
    }

    @Test
    void closingStopsRunningStagesAndTheNextWorkerGoesOnWithoutCountingAFailure() throws Exception {
        PipelineRuntime runtime = runtime(WAITS.replace("backoff: [10m]", "description: at once"));
        String runId = runtime.start(StartRequest.builder("waits", "S-1").build()).run().state().runId();
        CountDownLatch inside = new CountDownLatch(1);
        AtomicInteger cancellations = new AtomicInteger();
        Stage patient = new Stage() {
            @Override
            public String id() {
                return "work";
            }

            @Override
            public StageOutcome run(StageContext context) throws InterruptedException {
                inside.countDown();
                while (!context.isCancelled()) {
                    Thread.sleep(5);
                    clock.advance(Duration.ofMillis(250)); // cancellation is looked at every 200 ms of the clock
                }
                cancellations.incrementAndGet();
                return StageOutcome.failed(dev.agentpipeline.spi.FailureClass.AGENT_ERROR, "canceled").build();
            }
        };
        Worker first = worker(runtime, patient, 2).start();
        assertThat(inside.await(20, TimeUnit.SECONDS)).isTrue();

        first.close();

        assertThat(cancellations.get()).isEqualTo(1);
        RunState afterStop = runtime.load(runId).state();
        assertThat(afterStop.openAttempt()).isEmpty();
        assertThat(afterStop.attempts()).hasSize(1);
        assertThat(afterStop.attempts().get(0).outcome().attributes()).containsEntry(Orchestrator.INTERRUPTED, true);
        assertThat(afterStop.loopHealth()).isEmpty();

        CountingStage work = new CountingStage("work", 0);
        Worker second = worker(runtime, work, 2).start();
        assertThat(second.awaitIdle(Duration.ofSeconds(20))).isTrue();
        assertThat(work.runs.get()).isEqualTo(1);
        assertThat(second.index().get(runId).waitingFor().kind()).isEqualTo(Wait.Kind.SIGNAL);
    }

    @Test
    void twoWorkersOnOneStoreNeverDriveARunTwiceAtOnce() throws Exception {
        PipelineRuntime one = runtime(WAITS.replace("backoff: [10m]", "description: at once"));
        PipelineRuntime two = runtime(WAITS.replace("backoff: [10m]", "description: at once"));
        for (int i = 0; i < 12; i++) {
            one.start(StartRequest.builder("waits", "S-" + i).build());
        }
        CountingStage work = new CountingStage("work", 20);
        Worker a = worker(one, work, 4);
        Worker b = Worker.builder(two, () -> Orchestrator.builder(two, StageRegistry.of(work))).threads(4)
                .rescanEvery(Duration.ofMillis(50)).build();
        workers.add(b);
        a.start();
        b.start();

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (work.runs.get() < 12 && System.nanoTime() < deadline) {
            a.awaitIdle(Duration.ofMillis(100));
        }

        assertThat(work.runs.get()).isEqualTo(12);
        assertThat(work.overlaps).isEmpty();
    }
}
