package dev.agentpipeline.core.engine;

import dev.agentpipeline.core.definition.PipelineDefinition;
import dev.agentpipeline.core.definition.PipelineDefinitions;
import dev.agentpipeline.core.guard.GuardRegistry;
import dev.agentpipeline.core.run.Decision;
import dev.agentpipeline.core.run.Gate;
import dev.agentpipeline.core.run.RunEvent;
import dev.agentpipeline.core.run.RunState;
import dev.agentpipeline.core.run.Timer;
import dev.agentpipeline.core.store.FileRunStore;
import dev.agentpipeline.core.store.JournalEntry;
import dev.agentpipeline.core.store.RunClaim;
import dev.agentpipeline.core.testing.FakeSleeper;
import dev.agentpipeline.core.testing.MutableClock;
import dev.agentpipeline.core.testing.ScriptedStage;
import dev.agentpipeline.spi.FailureClass;
import dev.agentpipeline.spi.StageOutcome;
import dev.agentpipeline.spi.StageRegistry;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static dev.agentpipeline.core.testing.ScriptedStage.fail;
import static dev.agentpipeline.core.testing.ScriptedStage.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Runs that wait: for a signal, a person's decision, a timer or child runs. A real file store, a clock that moves
 * only when the test says so, and an orchestrator that does not sleep (a worker's), unless a test asks for the
 * foreground.
 */
class WaitingRunsTest {

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
                signal: {file: work-complete.json, format: phase, timeout: 1h}
              APPROVE:
                gate:
                  question: "Coverage is ${signal.WORK.summary.coverage_line}; ship it?"
                  options:
                    - {id: ship, label: Ship it, pros: [users get it today], cons: [no second look]}
                    - {id: hold, label: Hold it}
                  answerers: [lead]
                  timeout: 4h
                  on_expiry: default
                  default: hold
              DONE: {terminal: true}
              HELD: {terminal: true}
            transitions:
              - from: QUEUED
                to: WORK
              - from: WORK
                to: APPROVE
                guards:
                  - require: {signal.WORK.status: {eq: success}, signal.WORK.summary.coverage_line: {gte: 80}}
                    reject: {code: not_done, error: "WORK is not done: ${signal.WORK.status}", recovery: "Finish it"}
              - from: WORK
                to: WORK
                increments: retries
                backoff: [1m, 2m, 4m]
                guards:
                  - require: {signal.WORK.error.type: {eq: transient}}
                    reject: {code: not_transient, error: "Not a transient error", recovery: "Look at the signal"}
              - from: APPROVE
                to: DONE
                guards:
                  - require: {decision.APPROVE.option: {eq: ship}}
                    reject: {code: not_shipped, error: "Not shipped", recovery: "Answer the gate"}
              - from: APPROVE
                to: HELD
                guards:
                  - require: {decision.APPROVE.option: {eq: hold}}
                    reject: {code: not_held, error: "Not held", recovery: "Answer the gate"}
            """;

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock();
    private final FakeSleeper sleeper = new FakeSleeper(clock);
    private PipelineDefinition definition;
    private PipelineRuntime runtime;
    private ScriptedStage work;

    @BeforeEach
    void setUp() {
        definition = PipelineDefinitions.fromYaml("waits.yaml", WAITS, GuardRegistry.empty());
        runtime = runtime(definition);
        work = new ScriptedStage("work", ok(StageOutcome.completed().build()), ok(StageOutcome.completed().build()),
                ok(StageOutcome.completed().build()), ok(StageOutcome.completed().build()));
    }

    private PipelineRuntime runtime(PipelineDefinition... definitions) {
        PipelineRuntime.Builder builder = PipelineRuntime.builder().store(FileRunStore.open(dir.resolve(".pipeline")))
                .clock(clock);
        for (PipelineDefinition d : definitions) {
            builder.definition(d);
        }
        return builder.build();
    }

    private Orchestrator worker(PipelineRuntime r, ScriptedStage... stages) {
        return Orchestrator.builder(r, StageRegistry.of(List.of(stages))).sleeper(sleeper)
                .foreground(false).random(() -> 0.5).build();
    }

    private String start() {
        return runtime.start(StartRequest.builder("waits", "S-1").build()).run().state().runId();
    }

    private static Map<String, Object> success(double line) {
        Map<String, Object> signal = new LinkedHashMap<>();
        signal.put("phase", 7);
        signal.put("phase_name", "Implementation");
        signal.put("status", "success");
        signal.put("completed_at", "2026-01-05T10:00:00Z");
        signal.put("summary", Map.of("tests_written", 10, "tests_passing", 10,
                "code_coverage", Map.of("line", line, "branch", 75)));
        signal.put("next_phase", 9);
        signal.put("trigger_next", true);
        return signal;
    }

    private static Map<String, Object> error(String type) {
        return error(type, "2026-01-05T10:00:00Z");
    }

    private static Map<String, Object> error(String type, String failedAt) {
        Map<String, Object> signal = new LinkedHashMap<>();
        signal.put("phase", 7);
        signal.put("status", "error");
        signal.put("failed_at", failedAt);
        signal.put("error", Map.of("type", type, "message", "Network timeout", "requires_human", false));
        return signal;
    }

    private List<String> types(String runId) {
        return runtime.store().journal(runId).stream().map(e -> e.event().type()).toList();
    }

    private long count(String runId, String type) {
        return types(runId).stream().filter(type::equals).count();
    }

    @Nested
    class Signals {

        @Test
        void aRunWaitsForItsSignalHoldingNoThreadAndGoesOnWhenItComes() {
            String runId = start();
            Orchestrator orchestrator = worker(runtime, work);

            DriveResult waiting = orchestrator.drive(runId);

            assertThat(waiting.status()).isEqualTo(DriveResult.Status.WAITING);
            assertThat(waiting.waitingFor().kind()).isEqualTo(Wait.Kind.SIGNAL);
            assertThat(waiting.waitingFor().detail()).isEqualTo("WORK");
            assertThat(waiting.waitingFor().until()).isEqualTo(MutableClock.START.plus(Duration.ofHours(1)));
            assertThat(work.runs()).isEqualTo(1);

            SignalReceipt receipt = runtime.receiveSignal(runId, Signal.of("WORK", success(87), "test"));
            assertThat(receipt.status()).isEqualTo(SignalReceipt.Status.ACCEPTED);

            DriveResult gate = orchestrator.drive(runId);
            assertThat(gate.status()).isEqualTo(DriveResult.Status.WAITING);
            assertThat(gate.waitingFor().kind()).isEqualTo(Wait.Kind.DECISION);
            assertThat(work.runs()).isEqualTo(1);
            Gate open = gate.run().state().openGates().get(0);
            assertThat(open.request().question()).isEqualTo("Coverage is 87; ship it?");
            assertThat(open.request().options()).extracting(o -> o.id()).containsExactly("ship", "hold");
            assertThat(open.request().options().get(0).pros()).containsExactly("users get it today");
        }

        @ParameterizedTest(name = "coverage {0} -> {1}")
        @CsvSource({"79.9, PAUSED", "80, WAITING", "80.0, WAITING"})
        void theGuardReadsTheSignalsFieldsAsEvidence(double line, DriveResult.Status expected) {
            String runId = start();
            Orchestrator orchestrator = worker(runtime, work);
            orchestrator.drive(runId);
            runtime.receiveSignal(runId, Signal.of("WORK", success(line), "test"));

            DriveResult result = orchestrator.drive(runId);

            assertThat(result.status()).isEqualTo(expected);
            if (expected == DriveResult.Status.PAUSED) {
                assertThat(result.run().state().pause().orElseThrow().evidence().get("rejections").toString())
                        .contains("code=not_done, error=WORK is not done: success");
            }
        }

        @Test
        void theSameSignalTwiceIsRecordedOnce() {
            String runId = start();
            worker(runtime, work).drive(runId);

            SignalReceipt first = runtime.receiveSignal(runId, Signal.of("WORK", success(90), "writer-1"));
            SignalReceipt second = runtime.receiveSignal(runId, Signal.of("WORK", success(90), "writer-2"));

            assertThat(first.status()).isEqualTo(SignalReceipt.Status.ACCEPTED);
            assertThat(second.status()).isEqualTo(SignalReceipt.Status.DUPLICATE);
            assertThat(count(runId, "SIGNAL_RECEIVED")).isEqualTo(1);
        }

        @Test
        void aMalformedSignalIsRefusedWithEveryProblemAndChangesNothing() {
            String runId = start();
            long before = runtime.load(runId).sequence();
            Map<String, Object> payload = new LinkedHashMap<>(success(90));
            payload.put("status", "done");
            payload.remove("phase");

            SignalReceipt receipt = runtime.receiveSignal(runId, Signal.of("WORK", payload, "test"));

            assertThat(receipt.status()).isEqualTo(SignalReceipt.Status.INVALID);
            assertThat(receipt.problems()).containsExactly("$.phase must be a whole number, got nothing",
                    "$.status must be \"success\" or \"error\", got \"done\"");
            assertThat(runtime.load(runId).sequence()).isEqualTo(before);
        }

        @Test
        void aSignalOfAnUnknownNameOrForAnEndedRunIsRefused() {
            String runId = start();
            assertThat(runtime.receiveSignal(runId, Signal.of("DEPLOY", success(90), "t")).status())
                    .isEqualTo(SignalReceipt.Status.UNKNOWN_SIGNAL);
            assertThat(runtime.receiveSignal("waits-nobody", Signal.of("WORK", success(90), "t")).status())
                    .isEqualTo(SignalReceipt.Status.UNKNOWN_RUN);
            runtime.cancel(runId, "test");
            assertThat(runtime.receiveSignal(runId, Signal.of("WORK", success(90), "t")).status())
                    .isEqualTo(SignalReceipt.Status.RUN_ENDED);
            assertThat(count(runId, "SIGNAL_RECEIVED")).isZero();
        }

        @Test
        void aSignalThatCameBeforeItsStatesVisitDoesNotCountInThatVisit() {
            String runId = start(); // in QUEUED

            SignalReceipt early = runtime.receiveSignal(runId, Signal.of("WORK", success(90), "t"));
            DriveResult result = worker(runtime, work).drive(runId);

            assertThat(early.status()).isEqualTo(SignalReceipt.Status.RECORDED_OUT_OF_STATE);
            assertThat(result.status()).isEqualTo(DriveResult.Status.WAITING);
            assertThat(result.waitingFor().kind()).isEqualTo(Wait.Kind.SIGNAL);
        }

        @Test
        void noSignalWithinTheTimeoutPausesTheRunOnce() {
            String runId = start();
            Orchestrator orchestrator = worker(runtime, work);
            orchestrator.drive(runId);
            clock.advance(Duration.ofMinutes(59));
            assertThat(orchestrator.drive(runId).status()).isEqualTo(DriveResult.Status.WAITING);

            clock.advance(Duration.ofMinutes(1));
            DriveResult result = orchestrator.drive(runId);

            assertThat(result.status()).isEqualTo(DriveResult.Status.PAUSED);
            assertThat(result.run().state().pause().orElseThrow().category())
                    .isEqualTo(PipelineRuntime.SIGNAL_TIMEOUT);
            assertThat(result.reason()).isEqualTo("No signal 'WORK' came within 1h");
            assertThat(count(runId, "TIMER_FIRED")).isEqualTo(1);
            assertThat(orchestrator.drive(runId).status()).isEqualTo(DriveResult.Status.PAUSED);
            assertThat(count(runId, "TIMER_FIRED")).isEqualTo(1);
        }
    }

    @Nested
    class Timers {

        @Test
        void aTransitionsBackoffIsADurableTimerThatFiresOnceAndSurvivesARestart() {
            String runId = start();
            Orchestrator orchestrator = worker(runtime, work);
            orchestrator.drive(runId);
            runtime.receiveSignal(runId, Signal.of("WORK", error("transient"), "t"));

            DriveResult backoff = orchestrator.drive(runId);
            assertThat(backoff.status()).isEqualTo(DriveResult.Status.WAITING);
            assertThat(backoff.waitingFor()).isEqualTo(new Wait(Wait.Kind.TIMER, "WORK", Timer.BACKOFF,
                    MutableClock.START.plus(Duration.ofMinutes(1))));
            assertThat(work.runs()).isEqualTo(1);

            // A restart: a new runtime and orchestrator on the same files wait only for what is left.
            clock.advance(Duration.ofSeconds(59));
            PipelineRuntime restarted = runtime(definition);
            Orchestrator again = worker(restarted, work);
            DriveResult stillWaiting = again.drive(runId);
            assertThat(stillWaiting.waitingFor().until()).isEqualTo(MutableClock.START.plus(Duration.ofMinutes(1)));
            assertThat(work.runs()).isEqualTo(1);

            clock.advance(Duration.ofSeconds(1));
            DriveResult afterBackoff = again.drive(runId);
            assertThat(work.runs()).isEqualTo(2);
            assertThat(afterBackoff.waitingFor().kind()).isEqualTo(Wait.Kind.SIGNAL);
            assertThat(count(runId, "TIMER_FIRED")).isEqualTo(1);
            assertThat(sleeper.delays()).isEmpty();
        }

        @Test
        void theBackoffGrowsWithTheCounterAndTheCounterBoundsTheRetries() {
            String runId = start();
            Orchestrator orchestrator = worker(runtime, work);
            List<Duration> waits = new ArrayList<>();
            orchestrator.drive(runId);
            for (int i = 0; i < 3; i++) {
                runtime.receiveSignal(runId, Signal.of("WORK", error("transient", "2026-01-05T10:0" + i + ":00Z"),
                        "retry " + i));
                DriveResult result = orchestrator.drive(runId);
                waits.add(Duration.between(clock.instant(), result.waitingFor().until()));
                clock.set(result.waitingFor().until());
                orchestrator.drive(runId);
            }
            runtime.receiveSignal(runId, Signal.of("WORK", error("transient", "2026-01-05T11:00:00Z"), "retry 4"));
            DriveResult exhausted = orchestrator.drive(runId);

            assertThat(waits).containsExactly(Duration.ofMinutes(1), Duration.ofMinutes(2), Duration.ofMinutes(4));
            assertThat(exhausted.status()).isEqualTo(DriveResult.Status.PAUSED);
            assertThat(exhausted.run().state().counter("retries")).isEqualTo(3);
        }

        @Test
        void aForegroundDriveSleepsThroughTheBackoffWithTheSleeper() {
            String runId = start();
            Orchestrator foreground = Orchestrator.builder(runtime, StageRegistry.of(List.of(work)))
                    .sleeper(sleeper).build();
            foreground.drive(runId);
            runtime.receiveSignal(runId, Signal.of("WORK", error("transient"), "t"));

            DriveResult result = foreground.drive(runId);

            assertThat(sleeper.delays()).containsExactly(Duration.ofMinutes(1));
            assertThat(work.runs()).isEqualTo(2);
            assertThat(result.waitingFor().kind()).isEqualTo(Wait.Kind.SIGNAL);
            assertThat(count(runId, "TIMER_FIRED")).isEqualTo(1);
        }

        @Test
        void aTransientFailureIsRetriedAfterItsDurableTimer() {
            ScriptedStage flaky = new ScriptedStage("work", fail(FailureClass.RATE_LIMITED, "HTTP 429"),
                    ok(StageOutcome.completed().build()));
            String runId = start();
            Orchestrator orchestrator = Orchestrator.builder(runtime, StageRegistry.of(List.of(flaky)))
                    .foreground(false).random(() -> 0.5).build();

            DriveResult retry = orchestrator.drive(runId);
            assertThat(retry.waitingFor().detail()).isEqualTo(Timer.RETRY);
            assertThat(flaky.runs()).isEqualTo(1);
            clock.set(retry.waitingFor().until());

            DriveResult after = orchestrator.drive(runId);

            assertThat(flaky.runs()).isEqualTo(2);
            assertThat(after.waitingFor().kind()).isEqualTo(Wait.Kind.SIGNAL);
        }
    }

    @Nested
    class Gates {

        private String atTheGate() {
            String runId = start();
            Orchestrator orchestrator = worker(runtime, work);
            orchestrator.drive(runId);
            runtime.receiveSignal(runId, Signal.of("WORK", success(90), "t"));
            orchestrator.drive(runId);
            return runId;
        }

        @Test
        void anAnswerIsJournaledWithWhoAndWhenAndTheRunGoesOn() {
            String runId = atTheGate();
            List<RunEvent> heard = new ArrayList<>();
            runtime.addListener((event, state) -> heard.add(event));

            runtime.decide(runId, null, "SHIP", "lead", "looks good");
            DriveResult result = worker(runtime, work).drive(runId);

            assertThat(result.status()).isEqualTo(DriveResult.Status.COMPLETED);
            assertThat(result.run().state().phase()).isEqualTo("DONE");
            Decision decision = result.run().state().gates().get("APPROVE-1").decision();
            assertThat(decision.option()).isEqualTo("ship");
            assertThat(decision.by()).isEqualTo("lead");
            assertThat(decision.at()).isEqualTo(MutableClock.START);
            assertThat(heard).first().isInstanceOf(RunEvent.DecisionRecorded.class);
        }

        @Test
        void aListenerHearsThatADecisionIsWaiting() {
            String runId = start();
            List<String> asked = new ArrayList<>();
            runtime.addListener((event, state) -> {
                if (event instanceof RunEvent.DecisionRequested r) {
                    asked.add(r.gateId() + ": " + r.request().question());
                }
            });
            Orchestrator orchestrator = worker(runtime, work);
            orchestrator.drive(runId);
            runtime.receiveSignal(runId, Signal.of("WORK", success(90), "t"));
            orchestrator.drive(runId);

            assertThat(asked).containsExactly("APPROVE-1: Coverage is 90; ship it?");
        }

        @Test
        void onlyTheNamedAnswerersMayAnswerAndOnlyWithAnOption() {
            String runId = atTheGate();
            assertThatThrownBy(() -> runtime.decide(runId, null, "ship", "intern", null))
                    .hasFieldOrPropertyWithValue("code", "not_allowed").hasMessageContaining("lead may");
            assertThatThrownBy(() -> runtime.decide(runId, null, "maybe", "lead", null))
                    .hasFieldOrPropertyWithValue("code", "invalid_option").hasMessageContaining("ship, hold");
            assertThat(count(runId, "DECISION_RECORDED")).isZero();
        }

        @Test
        void expiryWithADefaultTakesTheDefaultByTimeout() {
            String runId = atTheGate();
            clock.advance(Duration.ofHours(4));

            DriveResult result = worker(runtime, work).drive(runId);

            assertThat(result.run().state().phase()).isEqualTo("HELD");
            Decision decision = result.run().state().gates().get("APPROVE-1").decision();
            assertThat(decision.by()).isEqualTo(Decision.BY_TIMEOUT);
            assertThat(decision.option()).isEqualTo("hold");
            assertThat(decision.reason()).isEqualTo("no answer within 4h; the default option was taken");
        }

        @Test
        void expiryWithEscalateKeepsTheGateOpenForThoseItWasEscalatedTo() {
            PipelineDefinition escalating = PipelineDefinitions.fromYaml("waits.yaml", WAITS
                    .replace("on_expiry: default\n      default: hold", "on_expiry: escalate\n"
                            + "      escalate_to: [cto]"), GuardRegistry.empty());
            runtime = runtime(escalating);
            String runId = atTheGate();
            clock.advance(Duration.ofHours(4));

            DriveResult result = worker(runtime, work).drive(runId);

            assertThat(result.status()).isEqualTo(DriveResult.Status.WAITING);
            Gate gate = result.run().state().gates().get("APPROVE-1");
            assertThat(gate.open()).isTrue();
            assertThat(gate.escalations()).containsExactly("cto");
            assertThat(gate.mayAnswer()).containsExactly("lead", "cto");
            assertThat(result.waitingFor().until()).isNull();
            runtime.decide(runId, null, "ship", "cto", "escalated");
            assertThat(worker(runtime, work).drive(runId).run().state().phase()).isEqualTo("DONE");
        }

        @Test
        void expiryWithPausePausesAndAnAnswerResumes() {
            PipelineDefinition pausing = PipelineDefinitions.fromYaml("waits.yaml", WAITS
                    .replace("on_expiry: default\n      default: hold", "on_expiry: pause"),
                    GuardRegistry.empty());
            runtime = runtime(pausing);
            String runId = atTheGate();
            clock.advance(Duration.ofHours(4));

            DriveResult paused = worker(runtime, work).drive(runId);

            assertThat(paused.status()).isEqualTo(DriveResult.Status.PAUSED);
            assertThat(paused.run().state().pause().orElseThrow().category())
                    .isEqualTo(PipelineRuntime.GATE_EXPIRED);
            assertThat(paused.run().state().pause().orElseThrow().nextAction())
                    .isEqualTo("Answer it: pipeline decide --run " + runId + " --option ship");
            RunState resumed = runtime.decide(runId, null, "ship", "lead", null).state();
            assertThat(resumed.phase()).isEqualTo("APPROVE");
            assertThat(worker(runtime, work).drive(runId).run().state().phase()).isEqualTo("DONE");
        }

        @Test
        void anAnswerThatRacesTheTimeoutIsTakenExactlyOnce() throws Exception {
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                for (int i = 0; i < 20; i++) {
                    runtime = runtime(definition);
                    String runId = runtime.start(StartRequest.builder("waits", "RACE-" + i).build()).run().state()
                            .runId();
                    Orchestrator orchestrator = worker(runtime, new ScriptedStage("work",
                            ok(StageOutcome.completed().build())));
                    orchestrator.drive(runId);
                    runtime.receiveSignal(runId, Signal.of("WORK", success(90), "t"));
                    orchestrator.drive(runId);
                    clock.advance(Duration.ofHours(4));
                    String timer = Gate.timerId("APPROVE-1");
                    CyclicBarrier barrier = new CyclicBarrier(2);
                    Future<Object> answer = pool.submit(() -> {
                        barrier.await();
                        try {
                            return runtime.decide(runId, null, "ship", "lead", null);
                        } catch (PipelineException e) {
                            return e.code();
                        }
                    });
                    Future<Optional<?>> expiry = pool.submit(() -> {
                        barrier.await();
                        return runtime.fireTimer(runId, timer, false);
                    });
                    Object answered = answer.get(10, TimeUnit.SECONDS);
                    Optional<?> expired = expiry.get(10, TimeUnit.SECONDS);

                    assertThat(count(runId, "DECISION_RECORDED")).isEqualTo(1);
                    Decision decision = runtime.load(runId).state().gates().get("APPROVE-1").decision();
                    if (decision.by().equals("lead")) {
                        assertThat(expired).isEmpty();
                    } else {
                        assertThat(answered).isEqualTo("already_decided");
                    }
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Nested
    class Children {

        private static final String PARENT = """
                schema_version: 1
                id: parent
                initial: START
                states:
                  START: {}
                  FAN_OUT:
                    children: {pipeline: child, count: 3, class: small}
                  DONE: {terminal: true}
                  FAILED: {terminal: true}
                transitions:
                  - from: START
                    to: FAN_OUT
                  - from: FAN_OUT
                    to: DONE
                    guards:
                      - require: {children.FAN_OUT.all_done: {eq: true}}
                        reject: {code: children_failed, error: "Not every child is done", recovery: "Look at them"}
                  - from: FAN_OUT
                    to: FAILED
                """;
        private static final String CHILD = """
                schema_version: 1
                id: child
                initial: QUEUED
                states:
                  QUEUED: {}
                  BUILD: {stage: build}
                  DONE: {terminal: true}
                transitions:
                  - from: QUEUED
                    to: BUILD
                  - from: BUILD
                    to: DONE
                """;

        private PipelineRuntime family() {
            return runtime(PipelineDefinitions.fromYaml("parent.yaml", PARENT, GuardRegistry.empty()),
                    PipelineDefinitions.fromYaml("child.yaml", CHILD, GuardRegistry.empty()));
        }

        @Test
        void aForegroundDriveRunsTheChildrenAndTheParentGoesOnWhenAllEnded() {
            PipelineRuntime r = family();
            ScriptedStage build = new ScriptedStage("build", ScriptedStage.times(3, ok(StageOutcome.completed()
                    .build())));
            String parent = r.start(StartRequest.builder("parent", "P-1").build()).run().state().runId();

            DriveResult result = Orchestrator.builder(r, StageRegistry.of(List.of(build))).build().drive(parent);

            assertThat(result.status()).isEqualTo(DriveResult.Status.COMPLETED);
            assertThat(result.run().state().phase()).isEqualTo("DONE");
            assertThat(result.run().state().children()).hasSize(3);
            assertThat(result.run().state().children().keySet()).containsExactly(parent + ".fan_out-1-0",
                    parent + ".fan_out-1-1", parent + ".fan_out-1-2");
            assertThat(r.store().journal(parent).stream().map(e -> e.event().type())
                    .filter("CHILD_ENDED"::equals)).hasSize(3);
            RunState child = r.load(parent + ".fan_out-1-0").state();
            assertThat(child.manifest()).containsEntry(PipelineRuntime.PARENT_RUN, parent);
        }

        @Test
        void aWorkersDriveStartsNoMoreThanTheClassLimitAndWaits() {
            PipelineRuntime r = family();
            String parent = r.start(StartRequest.builder("parent", "P-2").build()).run().state().runId();
            Orchestrator orchestrator = Orchestrator.builder(r, StageRegistry.of(List.of(new ScriptedStage("build"))))
                    .foreground(false).concurrency("small", 2).build();

            DriveResult result = orchestrator.drive(parent);

            assertThat(result.status()).isEqualTo(DriveResult.Status.WAITING);
            assertThat(result.waitingFor().kind()).isEqualTo(Wait.Kind.CHILDREN);
            assertThat(result.waitingFor().detail()).isEqualTo("0/3 ended, 2 running (small limit 2)");
            assertThat(result.run().state().children()).hasSize(2);
        }

        @Test
        void startingAChildTwiceAfterACrashFindsTheFirstAndItsEndIsRecordedOnce() {
            PipelineRuntime r = family();
            String parent = r.start(StartRequest.builder("parent", "P-3").build()).run().state().runId();
            r.advance(parent, "FAN_OUT");

            r.startChild(parent, 0);
            r.startChild(parent, 0);
            String child = parent + ".fan_out-1-0";
            r.cancel(child, "test");

            assertThat(r.recordChildEnded(parent, child)).isPresent();
            assertThat(r.recordChildEnded(parent, child)).isEmpty();
            assertThat(r.store().runIds()).filteredOn(id -> id.startsWith(parent + ".")).containsExactly(child);
            assertThat(r.store().journal(parent).stream().map(e -> e.event().type()).toList())
                    .containsOnlyOnce("CHILD_STARTED", "CHILD_ENDED");
        }

        @Test
        void aChildThatEndedWhileNobodyToldItsParentIsDeliveredOnceAfterARestart() {
            PipelineRuntime r = family();
            String parent = r.start(StartRequest.builder("parent", "P-5").build()).run().state().runId();
            Orchestrator.builder(r, StageRegistry.of(new ScriptedStage("build"))).foreground(false)
                    .concurrency("small", 3).build().drive(parent);
            // The children end in a process that crashes before it tells the parent
            for (String child : r.load(parent).state().children().keySet()) {
                r.cancel(child, "ended elsewhere");
            }
            assertThat(r.load(parent).state().children().values()).noneMatch(c -> c.ended());

            PipelineRuntime restarted = family();
            ScriptedStage build = new ScriptedStage("build", ScriptedStage.times(3, ok(StageOutcome.completed()
                    .build())));
            DriveResult result = Orchestrator.builder(restarted, StageRegistry.of(build)).concurrency("small", 3)
                    .build().drive(parent);
            Orchestrator.builder(restarted, StageRegistry.of(build)).concurrency("small", 3).build().drive(parent);

            assertThat(result.status()).isEqualTo(DriveResult.Status.COMPLETED);
            assertThat(result.run().state().phase()).isEqualTo("FAILED");
            assertThat(restarted.store().journal(parent).stream().map(e -> e.event().type())
                    .filter("CHILD_ENDED"::equals)).hasSize(3);
            assertThat(result.run().state().children().values()).allMatch(c -> "CANCELED".equals(c.result()));
        }

        @Test
        void cancelingTheParentCancelsItsChildren() {
            PipelineRuntime r = family();
            String parent = r.start(StartRequest.builder("parent", "P-4").build()).run().state().runId();
            Orchestrator.builder(r, StageRegistry.of(List.of(new ScriptedStage("build")))).foreground(false)
                    .build().drive(parent);

            r.cancel(parent, "no longer needed");

            for (String child : r.load(parent).state().children().keySet()) {
                RunState state = r.load(child).state();
                assertThat(state.finalResult()).contains("CANCELED");
                assertThat(state.pausedReason()).contains("Parent run " + parent + " was canceled");
            }
            assertThat(r.load(parent).state().children().values()).allMatch(c -> c.ended());
        }
    }

    @Test
    void aRunDrivenByAnotherDriverIsLeftAlone() throws Exception {
        String runId = start();
        CountDownLatch claimed = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread other = new Thread(() -> {
            try (RunClaim claim = runtime.store().tryClaim(runId).orElseThrow()) {
                claimed.countDown();
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        other.start();
        claimed.await(10, TimeUnit.SECONDS);
        try {
            DriveResult result = worker(runtime, work).drive(runId);
            assertThat(result.status()).isEqualTo(DriveResult.Status.BUSY);
            assertThat(work.runs()).isZero();
        } finally {
            release.countDown();
            other.join(10_000);
        }
        assertThat(worker(runtime, work).drive(runId).status()).isEqualTo(DriveResult.Status.WAITING);
    }
}
