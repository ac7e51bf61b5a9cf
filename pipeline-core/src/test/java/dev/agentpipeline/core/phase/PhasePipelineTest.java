package dev.agentpipeline.core.phase;

import dev.agentpipeline.core.engine.DriveResult;
import dev.agentpipeline.core.engine.Orchestrator;
import dev.agentpipeline.core.engine.PipelineRuntime;
import dev.agentpipeline.core.engine.Signal;
import dev.agentpipeline.core.engine.StartRequest;
import dev.agentpipeline.core.engine.Wait;
import dev.agentpipeline.core.run.Gate;
import dev.agentpipeline.core.run.RunState;
import dev.agentpipeline.core.store.FileRunStore;
import dev.agentpipeline.core.testing.MutableClock;
import dev.agentpipeline.spi.Stage;
import dev.agentpipeline.spi.StageContext;
import dev.agentpipeline.spi.StageOutcome;
import dev.agentpipeline.spi.StageRegistry;

import org.junit.jupiter.api.BeforeEach;
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

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The phase pipeline driven as a worker drives it (no sleeping), its agents a recording stage, its signals handed to
 * the runtime as the signal watcher would.
 */
class PhasePipelineTest {

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock();
    private PipelineRuntime runtime;
    private final List<String> ran = new ArrayList<>();
    private final List<Map<String, Object>> inputs = new ArrayList<>();
    private Orchestrator orchestrator;
    private String runId;
    private int signals;

    private final class Agent implements Stage {
        private final String id;

        Agent(String id) {
            this.id = id;
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public StageOutcome run(StageContext context) {
            ran.add(context.stateId());
            inputs.add(context.inputs());
            return StageOutcome.completed().build();
        }
    }

    @BeforeEach
    void setUp() {
        runtime = PipelineRuntime.builder().store(FileRunStore.open(dir.resolve(".pipeline"))).clock(clock)
                .definition(PhasePipeline.definition()).definition(PhasePipeline.deploymentStub()).build();
        orchestrator = Orchestrator.builder(runtime, StageRegistry.of(new Agent(PhasePipeline.AGENT),
                        new Agent(PhasePipeline.INSTALL), new Agent(PhasePipeline.FIX),
                        new Agent(PhasePipeline.DEPLOY_AGENT)))
                .inputs(PhasePipeline::inputs).foreground(false).build();
        runId = runtime.start(StartRequest.builder(PhasePipeline.ID, "shop").title("Shop").build()).run().state()
                .runId();
    }

    private DriveResult drive() {
        return orchestrator.drive(runId);
    }

    private Map<String, Object> success(int phase, Map<String, Object> summary) {
        Map<String, Object> signal = new LinkedHashMap<>();
        signal.put("phase", phase);
        signal.put("phase_name", Phase.of("PHASE_" + phase).orElseThrow().name());
        signal.put("status", "success");
        signal.put("completed_at", "2026-01-05T10:00:0" + (signals++ % 10) + "Z");
        signal.put("duration_minutes", 12);
        signal.put("summary", summary);
        signal.put("next_phase", phase == 10 ? 11 : phase + 1);
        signal.put("trigger_next", true);
        return signal;
    }

    private Map<String, Object> error(int phase, String type, String message) {
        Map<String, Object> signal = new LinkedHashMap<>();
        signal.put("phase", phase);
        signal.put("status", "error");
        signal.put("failed_at", "2026-01-05T10:00:0" + (signals++ % 10) + "Z");
        signal.put("error", Map.of("type", type, "message", message, "recovery_attempted", true,
                "recovery_successful", false, "requires_human", true));
        signal.put("checkpoint", ".taskmaster/.checkpoints/phase" + phase + "-checkpoint-5.json");
        signal.put("next_action", "Fix it, then resume from the checkpoint");
        return signal;
    }

    private void signal(int phase, Map<String, Object> payload) {
        assertThat(runtime.receiveSignal(runId, Signal.of("PHASE_" + phase, payload, "test")).status().consumed())
                .isTrue();
    }

    private static Map<String, Object> phase7(double line, double branch, int passing) {
        return Map.of("subtasks_implemented", 34, "tests_written", 187, "tests_passing", passing,
                "code_coverage", Map.of("line", line, "branch", branch));
    }

    /** Drives the run from its start to phase 7's wait for its signal. */
    private void toPhase7() {
        drive();
        signal(5, success(5, Map.of("tasks_analyzed", 18, "tasks_expanded", 8, "subtasks_generated", 34)));
        DriveResult approval = drive();
        assertThat(approval.waitingFor().kind()).isEqualTo(Wait.Kind.DECISION);
        assertThat(approval.run().state().openGates().get(0).request().question())
                .isEqualTo("Approve the task breakdown? 18 tasks analysed, 8 expanded into 34 subtasks");
        runtime.decide(runId, null, "approve", "lead", null);
        drive();
        signal(6, success(6, Map.of("tasks_processed", 18, "proposals_created", 15)));
        DriveResult atSeven = drive();
        assertThat(atSeven.waitingFor()).isEqualTo(new Wait(Wait.Kind.SIGNAL, "PHASE_7", "PHASE_7", null));
    }

    @Test
    void theWholePipelineRunsPhaseByPhaseOnTheSignalsAndDeploysAsAChildRun() {
        toPhase7();
        signal(7, success(7, phase7(87, 76, 187)));
        drive();
        signal(9, success(9, Map.of("integration_points_total", 12, "integration_points_tested", 12,
                "coverage", "100%")));
        drive();
        signal(10, success(10, Map.of("e2e_workflows_tested", 8, "production_readiness_score", 94)));
        DriveResult deploying = drive();

        assertThat(deploying.waitingFor().kind()).isEqualTo(Wait.Kind.CHILDREN);
        String child = deploying.run().state().children().keySet().iterator().next();
        assertThat(orchestrator.drive(child).status()).isEqualTo(DriveResult.Status.COMPLETED);
        DriveResult done = drive();

        assertThat(done.status()).isEqualTo(DriveResult.Status.COMPLETED);
        assertThat(done.run().state().phase()).isEqualTo("DONE");
        assertThat(ran).containsExactly("PHASE_5", "PHASE_6", "PHASE_7", "PHASE_9", "PHASE_10", "DEPLOY");
    }

    @ParameterizedTest(name = "line {0}, branch {1} -> {2}")
    @CsvSource({"79.9, 75, FIX_7", "80, 75, PHASE_9", "85, 69.9, FIX_7", "85, 70, PHASE_9"})
    void phase7NeedsLineCoverage80AndBranchCoverage70(double line, double branch, String next) {
        toPhase7();
        signal(7, success(7, phase7(line, branch, 187)));

        drive();

        if (next.equals("FIX_7")) {
            assertThat(ran).endsWith("PHASE_7", "FIX_7", "PHASE_7");
            assertThat(runtime.load(runId).state().phase()).isEqualTo("PHASE_7");
        } else {
            assertThat(ran).endsWith("PHASE_7", "PHASE_9");
            assertThat(runtime.load(runId).state().phase()).isEqualTo("PHASE_9");
        }
    }

    @Test
    void phase7NeedsEveryTestPassingAndTheFixCycleGetsWhatToFix() {
        toPhase7();
        signal(7, success(7, phase7(90, 80, 186)));

        drive();

        assertThat(ran).endsWith("FIX_7", "PHASE_7");
        Map<String, Object> fix = inputs.get(ran.lastIndexOf("FIX_7"));
        assertThat(fix).containsEntry("phase", 7);
        assertThat((String) fix.get("fix_focus")).startsWith("Missed thresholds:").contains("tests_passing=186");
    }

    @ParameterizedTest(name = "integration {0}% -> {1}")
    @CsvSource({"11, 12, PHASE_7_9_FIX", "12, 12, PHASE_10"})
    void phase9NeedsEveryIntegrationPointTested(int tested, int total, String expected) {
        toPhase7();
        signal(7, success(7, phase7(87, 76, 187)));
        drive();
        signal(9, success(9, Map.of("integration_points_total", total, "integration_points_tested", tested)));

        drive();

        assertThat(ran.get(ran.size() - 1)).isEqualTo(expected.equals("PHASE_10") ? "PHASE_10" : "PHASE_9");
        assertThat(ran.get(ran.size() - 2)).isEqualTo(expected.equals("PHASE_10") ? "PHASE_9" : "FIX_9");
    }

    @ParameterizedTest(name = "coverage {0} -> {1}")
    @CsvSource({"99%, FIX_9", "100%, PHASE_10"})
    void phase9ReadsTheCoverageText(String coverage, String expected) {
        toPhase7();
        signal(7, success(7, phase7(87, 76, 187)));
        drive();
        signal(9, success(9, Map.of("coverage", coverage)));

        drive();

        assertThat(ran).contains(expected);
    }

    @ParameterizedTest(name = "readiness {0} -> {1}")
    @CsvSource({"89, FIX_10", "89.9, FIX_10", "90, PHASE_11"})
    void phase10NeedsReadiness90(double readiness, String expected) {
        toPhase7();
        signal(7, success(7, phase7(87, 76, 187)));
        drive();
        signal(9, success(9, Map.of("coverage", "100%")));
        drive();
        signal(10, success(10, Map.of("production_readiness_score", readiness)));

        DriveResult result = drive();

        if (expected.equals("PHASE_11")) {
            assertThat(result.run().state().phase()).isEqualTo("PHASE_11");
            assertThat(result.waitingFor().kind()).isEqualTo(Wait.Kind.CHILDREN);
        } else {
            assertThat(ran).endsWith("FIX_10", "PHASE_10");
        }
    }

    @Test
    void aTransientErrorWaits1Then2Then4MinutesAndThenEscalates() {
        toPhase7();
        List<Duration> waits = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            signal(7, error(7, "network_timeout", "Network timeout"));
            DriveResult waiting = drive();
            assertThat(waiting.waitingFor().kind()).isEqualTo(Wait.Kind.TIMER);
            waits.add(Duration.between(clock.instant(), waiting.waitingFor().until()));
            clock.set(waiting.waitingFor().until());
            drive();
        }
        signal(7, error(7, "rate_limit", "Rate limit hit"));
        DriveResult escalated = drive();

        assertThat(waits).containsExactly(Duration.ofMinutes(1), Duration.ofMinutes(2), Duration.ofMinutes(4));
        assertThat(escalated.run().state().phase()).isEqualTo("ESCALATE_7");
        Gate gate = escalated.run().state().openGates().get(0);
        assertThat(gate.request().question()).isEqualTo("Phase 7 (Implementation) halted. Signal: error; error"
                + " rate_limit: Rate limit hit; checkpoint: .taskmaster/.checkpoints/phase7-checkpoint-5.json; next"
                + " action: Fix it, then resume from the checkpoint. Retry the phase or abort?");
        runtime.decide(runId, null, "retry", "lead", "the service is back");
        drive();
        assertThat(runtime.load(runId).state().phase()).isEqualTo("PHASE_7");
        assertThat(ran).endsWith("PHASE_7");
    }

    @Test
    void aDependencyErrorInstallsAndRetriesOnceThenEscalates() {
        toPhase7();
        signal(7, error(7, "dependency", "npm: command not found"));
        drive();
        assertThat(ran).endsWith("INSTALL_7", "PHASE_7");

        signal(7, error(7, "dependency", "npm: command not found"));
        DriveResult escalated = drive();

        assertThat(escalated.run().state().phase()).isEqualTo("ESCALATE_7");
    }

    @Test
    void testFailuresGetTwoFixCyclesWithTheFailingTestsThenEscalate() {
        toPhase7();
        for (int i = 0; i < 2; i++) {
            signal(7, error(7, "test_failure", "5 tests failing in user authentication module"));
            drive();
            assertThat(ran).endsWith("FIX_7", "PHASE_7");
            assertThat(inputs.get(ran.lastIndexOf("FIX_7"))).containsEntry("fix_focus",
                    "5 tests failing in user authentication module");
        }
        signal(7, error(7, "test_failure", "5 tests failing in user authentication module"));

        assertThat(drive().run().state().phase()).isEqualTo("ESCALATE_7");
    }

    @Test
    void anAmbiguousDecisionAsksWithOptionsAndTheChosenOptionIsAnInputOfTheResumedPhase() {
        toPhase7();
        signal(7, error(7, "ambiguous_decision", "Two equally valid implementation approaches"));

        DriveResult asking = drive();

        Gate gate = asking.run().state().openGates().get(0);
        assertThat(gate.stateId()).isEqualTo("DECIDE_7");
        assertThat(gate.request().options()).extracting(o -> o.id()).containsExactly("A", "B", "C");
        assertThat(gate.request().options().get(1).cons()).containsExactly("the task stays open");
        runtime.decide(runId, null, "b", "lead", "ship the rest first");
        drive();

        assertThat(ran).endsWith("PHASE_7");
        assertThat(inputs.get(inputs.size() - 1)).containsEntry("decision", Map.of("option", "B", "by", "lead",
                "reason", "ship the rest first"));
    }

    @Test
    void anAgentsOwnOptionsReplaceTheDefaultOnesAndCAborts() {
        toPhase7();
        Map<String, Object> payload = error(7, "ambiguous_decision", "REST or GraphQL?");
        payload.put("error", Map.of("type", "ambiguous_decision", "message", "REST or GraphQL?",
                "options", List.of(Map.of("id", "A", "label", "REST", "pros", List.of("simple")),
                        Map.of("id", "C", "label", "Abort"))));
        signal(7, payload);

        Gate gate = drive().run().state().openGates().get(0);
        assertThat(gate.request().options()).extracting(o -> o.label()).containsExactly("REST", "Abort");
        runtime.decide(runId, null, "C", "lead", null);

        DriveResult aborted = drive();
        assertThat(aborted.status()).isEqualTo(DriveResult.Status.COMPLETED);
        assertThat(aborted.run().state().phase()).isEqualTo("ABORTED");
    }

    @Test
    void aCriticalErrorHaltsAtOnceWithTheReport() {
        toPhase7();
        signal(7, error(7, "critical", "Git repository corrupted"));

        DriveResult halted = drive();

        RunState state = halted.run().state();
        assertThat(state.phase()).isEqualTo("ESCALATE_7");
        assertThat(state.openGates().get(0).request().question()).contains("error critical: Git repository corrupted");
        assertThat(ran).endsWith("PHASE_7");
    }

    @Test
    void theDashboardShowsEachPhaseWithItsDurationSubProgressAndTheTimeLeft() {
        toPhase7();
        clock.advance(Duration.ofMinutes(30));
        runtime.saveProgress(runId, runtime.load(runId).state().attempts().get(2).attemptId(),
                Map.of("tasks_done", 15, "tasks_total", 18, "tests_passing", 127, "tests_written", 187,
                        "coverage_line", 82, "coverage_branch", 74));

        PhaseProgress progress = PhaseProgress.of(runtime.load(runId).state(), clock.instant());

        assertThat(progress.phases()).extracting(l -> l.status()).containsExactly(PhaseProgress.Status.COMPLETE,
                PhaseProgress.Status.COMPLETE, PhaseProgress.Status.IN_PROGRESS, PhaseProgress.Status.PENDING,
                PhaseProgress.Status.PENDING, PhaseProgress.Status.PENDING);
        assertThat(progress.phases().get(0).duration()).contains(Duration.ofMinutes(12));
        assertThat(progress.phases().get(2).detail()).containsExactly("Task 15/18 complete",
                "127/187 tests passing", "Coverage: 82% line, 74% branch");
        assertThat(progress.remaining()).contains(Duration.ofMinutes(12 * 4));
        assertThat(progress.render()).contains("  - 127/187 tests passing")
                .anyMatch(line -> line.startsWith("Phase 7: Implementation") && line.endsWith("IN PROGRESS (30 min)"));
    }

    @Test
    void phase6CanUseTheOriginalSpecsCreatedFileName() {
        var definition = PhasePipeline.definition(PhaseSettings.builder()
                .signalFile(6, "phase6-specs-created.json").build());

        assertThat(definition.signalFileState("phase6-specs-created.json")).map(s -> s.id()).contains("PHASE_6");
        assertThat(definition.signalFileState("phase7-complete.json")).map(s -> s.id()).contains("PHASE_7");
    }
}
