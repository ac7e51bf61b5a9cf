package dev.agentpipeline.core.phase;

import dev.agentpipeline.core.definition.ChildrenSpec;
import dev.agentpipeline.core.definition.CounterDefinition;
import dev.agentpipeline.core.definition.GateSpec;
import dev.agentpipeline.core.definition.PipelineDefinition;
import dev.agentpipeline.core.definition.SignalSpec;
import dev.agentpipeline.core.definition.SourceLocation;
import dev.agentpipeline.core.definition.StateDefinition;
import dev.agentpipeline.core.definition.TransitionDefinition;
import dev.agentpipeline.core.guard.Condition;
import dev.agentpipeline.core.guard.Guards;
import dev.agentpipeline.core.guard.MessageTemplate;
import dev.agentpipeline.core.guard.Operator;
import dev.agentpipeline.core.run.Decision;
import dev.agentpipeline.core.run.Gate;
import dev.agentpipeline.core.run.GateOption;
import dev.agentpipeline.core.run.GateRequest;
import dev.agentpipeline.core.run.ReceivedSignal;
import dev.agentpipeline.core.run.RunState;

import org.apiguardian.api.API;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * The phase pipeline of the phase pipeline orchestrator as a definition the runtime enforces: phases 5, 6, 7, 9, 10
 * and 11, each worked by an agent that ends it with a completion or error signal.
 *
 * <p>Each phase {@code N} (5 to 10) is the state {@code PHASE_N}: its stage ({@value #AGENT}) starts the phase's
 * agent, and the state waits for the signal the agent writes ({@code phaseN-complete.json}, the phase format of
 * {@link dev.agentpipeline.core.definition.SignalFormats}). Its transitions, tried in this order:
 * <ol>
 *   <li>to the next phase, when the signal says {@code status: success}, {@code trigger_next: true} and the phase's
 *       thresholds hold: phase 7 all tests passing, line coverage &gt;= 80 and branch coverage &gt;= 70; phase 9
 *       integration point coverage &gt;= 100; phase 10 production readiness &gt;= 90. After phase 5 a person approves
 *       the tasks first ({@code APPROVE_TASKS}: approve, revise, abort);</li>
 *   <li>a <b>transient</b> error ({@code transient}, {@code network_timeout}, {@code rate_limit}, {@code timeout}):
 *       the phase again after 1, 2 and 4 minutes, 3 times (a durable timer: no thread waits);</li>
 *   <li>a <b>dependency</b> error: {@code INSTALL_N} ({@value #INSTALL}: the install command), then the phase
 *       again, once;</li>
 *   <li>a <b>test failure</b>, or a success that misses the thresholds: {@code FIX_N} ({@value #FIX}: a fix cycle
 *       that gets the failing tests and the numbers as inputs), then the phase again, twice;</li>
 *   <li>an <b>ambiguous decision</b>: {@code DECIDE_N}, a gate with the options A (resolve by hand), B (skip the task
 *       for now) and C (abort), with their pros and cons, or the agent's own options from its signal's
 *       {@code error.options}; A and B run the phase again with the chosen option as the input
 *       {@code decision}, C aborts;</li>
 *   <li>anything else - a critical or unknown error, or a recovery that ran out of tries: {@code ESCALATE_N}, a gate
 *       whose question is the report (the error, its message, the signal's checkpoint and next action): retry
 *       (the phase again, at most 3 times) or abort.</li>
 * </ol>
 * Phase 11 ({@code PHASE_11}) runs the deployment pipeline as a child run and ends the pipeline when it ends
 * {@code DONE}; until the deployment pipeline is built, a stub ({@link #deploymentStub()}) stands in for it.
 *
 * <p>The agents' stages are plugins bound per state (the command stage runs a program): {@value #AGENT} for the
 * phases, {@value #INSTALL} and {@value #FIX} for the recoveries, and {@value #DEPLOY_AGENT} for the stub's deployment.
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class PhasePipeline {

    /** The pipeline id. */
    public static final String ID = "phase";
    /** The id of the stub deployment pipeline phase 11 runs until the deployment pipeline exists. */
    public static final String DEPLOYMENT_STUB_ID = "deployment";
    /** The stage plugin of the phases. */
    public static final String AGENT = "phase-agent";
    /** The stage plugin of the dependency recoveries. */
    public static final String INSTALL = "phase-install";
    /** The stage plugin of the fix cycles. */
    public static final String FIX = "phase-fix";
    /** The stage plugin of the stub deployment pipeline. */
    public static final String DEPLOY_AGENT = "deploy-agent";
    /** The error types retried after a wait. */
    public static final List<String> TRANSIENT = List.of("transient", "network_timeout", "rate_limit", "timeout");

    private PhasePipeline() {
    }

    /** @return the phase pipeline with the phase pipeline orchestrator's settings */
    public static PipelineDefinition definition() {
        return definition(PhaseSettings.defaults());
    }

    /**
     * @param settings the waits, limits, thresholds and signal files
     * @return the phase pipeline with those settings
     */
    public static PipelineDefinition definition(PhaseSettings settings) {
        PipelineDefinition.Builder b = PipelineDefinition.builder(ID)
                .title("Phase pipeline")
                .description("Phases 5, 6, 7, 9, 10 and 11 (task decomposition, spec generation, implementation,"
                        + " integration testing, end-to-end and production validation, deployment), each ended by"
                        + " its agent's completion or error signal, with recovery by error category.")
                .initial("QUEUED");
        b.state("QUEUED", "Waiting to start phase 5.");
        b.terminal("DONE", "Every phase passed and the deployment ended DONE.");
        b.terminal("ABORTED", "A person aborted the pipeline.");
        List<Phase> phases = phases(settings);
        b.transition("QUEUED", "PHASE_5");
        for (int i = 0; i < phases.size(); i++) {
            Phase phase = phases.get(i);
            if (phase.number() == 11) {
                deployment(b, phase, settings);
                continue;
            }
            Phase next = phases.get(i + 1);
            agentPhase(b, phase, phase.number() == 5 ? "APPROVE_TASKS" : next.state(), settings);
        }
        approval(b, settings);
        return b.build();
    }

    /** @return the phases with the settings' signal files */
    static List<Phase> phases(PhaseSettings settings) {
        return Phase.ALL.stream().map(p -> settings.signalFiles().containsKey(p.number())
                ? p.withSignalFile(settings.signalFiles().get(p.number())) : p).toList();
    }

    private static void agentPhase(PipelineDefinition.Builder b, Phase phase, String next, PhaseSettings settings) {
        int n = phase.number();
        String state = phase.state();
        String signal = "signal." + state;
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("phase", n);
        properties.put("name", phase.name());
        properties.put("agent", phase.agent());
        b.state(new StateDefinition(state, "Phase " + n + ": " + phase.name() + " (" + phase.agent() + ")", AGENT,
                false, properties, SourceLocation.BUILDER)
                .withSignal(new SignalSpec(state, phase.signalFile(), SignalSpec.PHASE, null, SourceLocation.BUILDER)));
        b.stage("INSTALL_" + n, INSTALL, "Phase " + n + ": install the missing dependency");
        b.stage("FIX_" + n, FIX, "Phase " + n + ": fix cycle for the failing tests or the missed thresholds");
        counter(b, "transient_retries_" + n, settings.transientRetries(), "Phase " + n
                + " still failed after ${limit} transient retries");
        counter(b, "dependency_retries_" + n, settings.dependencyRetries(), "Phase " + n
                + " still misses a dependency after ${limit} install");
        counter(b, "fix_cycles_" + n, settings.fixCycles(), "Phase " + n + " used its ${limit} fix cycles");
        counter(b, "decisions_" + n, settings.decisions(), "Phase " + n + " asked for ${limit} decisions already");
        counter(b, "human_retries_" + n, settings.humanRetries(), "Phase " + n + " was sent back ${limit} times");

        TransitionDefinition.Builder forward = TransitionDefinition.builder(state, next)
                .description("Phase " + n + " succeeded and met its thresholds")
                .guard(Guards.require(Condition.of(signal + ".status", Operator.EQ, "success"))
                        .orReject("phase_" + n + "_not_successful", "Phase " + n + " signal status is ${" + signal
                                + ".status}, not success", "Look at the phase's signal and its error"))
                .guard(Guards.require(Condition.of(signal + ".trigger_next", Operator.EQ, true))
                        .orReject("phase_" + n + "_no_trigger", "Phase " + n + " signal does not trigger the next"
                                + " phase (trigger_next is ${" + signal + ".trigger_next})", "Let the agent finish"));
        String summary = signal + ".summary.";
        if (n == 7) {
            forward.guard(Guards.require(Condition.of(summary + "all_tests_passing", Operator.EQ, true))
                            .orReject("tests_failing", "Tests passing ${" + summary + "tests_passing}/${" + summary
                                    + "tests_written}", "Fix the failing tests"))
                    .guard(Guards.require(Condition.of(summary + "coverage_line", Operator.GTE,
                                    settings.lineCoverage()))
                            .orReject("line_coverage_too_low", "Line coverage ${" + summary + "coverage_line}% < "
                                    + number(settings.lineCoverage()) + "%", "Add tests"))
                    .guard(Guards.require(Condition.of(summary + "coverage_branch", Operator.GTE,
                                    settings.branchCoverage()))
                            .orReject("branch_coverage_too_low", "Branch coverage ${" + summary
                                    + "coverage_branch}% < " + number(settings.branchCoverage()) + "%", "Add tests"));
        } else if (n == 9) {
            forward.guard(Guards.require(Condition.of(summary + "integration_coverage", Operator.GTE,
                            settings.integrationCoverage()))
                    .orReject("integration_coverage_too_low", "Integration point coverage ${" + summary
                            + "integration_coverage}% < " + number(settings.integrationCoverage()) + "%",
                            "Test every integration point"));
        } else if (n == 10) {
            forward.guard(Guards.require(Condition.of(summary + "production_readiness_score", Operator.GTE,
                            settings.readiness()))
                    .orReject("readiness_too_low", "Production readiness ${" + summary
                            + "production_readiness_score} < " + number(settings.readiness()),
                            "Fix the blocking issues"));
        }
        b.transition(forward.build());
        String type = signal + ".error.type";
        b.transition(TransitionDefinition.builder(state, state)
                .description("A transient error: the phase again after a wait")
                .guard(Guards.require(Condition.of(type, Operator.IN, TRANSIENT))
                        .orReject("not_transient", "Not a transient error", ""))
                .increments("transient_retries_" + n)
                .backoff(settings.transientBackoff())
                .build());
        b.transition(TransitionDefinition.builder(state, "INSTALL_" + n)
                .description("A dependency is missing: install it, then the phase again")
                .guard(Guards.require(Condition.of(type, Operator.EQ, "dependency"))
                        .orReject("not_dependency", "Not a dependency error", ""))
                .increments("dependency_retries_" + n)
                .build());
        b.transition(TransitionDefinition.builder(state, "FIX_" + n)
                .description("Failing tests or missed thresholds: a fix cycle")
                .guard(Guards.require(Condition.of(type, Operator.EQ, "test_failure").optional())
                        .orReject("not_fixable", "Not a test failure", ""))
                .increments("fix_cycles_" + n)
                .build());
        b.transition(TransitionDefinition.builder(state, "DECIDE_" + n)
                .description("An ambiguous decision: a person chooses")
                .guard(Guards.require(Condition.of(type, Operator.EQ, "ambiguous_decision"))
                        .orReject("not_ambiguous", "Not an ambiguous decision", ""))
                .increments("decisions_" + n)
                .build());
        b.transition(TransitionDefinition.builder(state, "ESCALATE_" + n)
                .description("Anything else: a person decides")
                .build());
        b.transition("INSTALL_" + n, state);
        b.transition("FIX_" + n, state);

        b.state(new StateDefinition("DECIDE_" + n, "Phase " + n + ": a person decides", null, false, Map.of(),
                SourceLocation.BUILDER).withGate(new GateSpec(MessageTemplate.of("Phase " + n + " (" + phase.name()
                + ") needs a decision: ${" + signal + ".error.message}"), List.of(
                new GateOption("A", "Resolve it by hand, then resume the phase", List.of("the phase goes on as"
                        + " planned"), List.of("needs a person's time now")),
                new GateOption("B", "Skip the task for now and resume later", List.of("the phase goes on at once"),
                        List.of("the task stays open")),
                new GateOption("C", "Abort the pipeline", List.of("stops work that may be wrong"),
                        List.of("every phase after this one waits"))),
                signal + ".error.options", List.of(), null, null, null, List.of(), SourceLocation.BUILDER)));
        b.transition(TransitionDefinition.builder("DECIDE_" + n, state)
                .description("Resume the phase with the chosen option")
                .guard(Guards.require(Condition.of("decision.DECIDE_" + n + ".option", Operator.NE, "C"))
                        .orReject("aborted", "Option C aborts the pipeline", "")).build());
        b.transition(TransitionDefinition.builder("DECIDE_" + n, "ABORTED")
                .guard(Guards.require(Condition.of("decision.DECIDE_" + n + ".option", Operator.EQ, "C"))
                        .orReject("not_aborted", "The decision was ${decision.DECIDE_" + n + ".option}", ""))
                .build());

        b.state(new StateDefinition("ESCALATE_" + n, "Phase " + n + ": halted, a person decides", null, false,
                Map.of(), SourceLocation.BUILDER).withGate(new GateSpec(MessageTemplate.of("Phase " + n + " ("
                + phase.name() + ") halted. Signal: ${" + signal + ".status}; error ${" + type + "}: ${" + signal
                + ".error.message}; checkpoint: ${" + signal + ".checkpoint}; next action: ${" + signal
                + ".next_action}. Retry the phase or abort?"), List.of(
                new GateOption("retry", "Run the phase again (after fixing the cause)", List.of(), List.of()),
                new GateOption("abort", "Abort the pipeline", List.of(), List.of())),
                null, List.of(), null, null, null, List.of(), SourceLocation.BUILDER)));
        b.transition(TransitionDefinition.builder("ESCALATE_" + n, state)
                .guard(Guards.require(Condition.of("decision.ESCALATE_" + n + ".option", Operator.EQ, "retry"))
                        .orReject("not_retried", "The decision was ${decision.ESCALATE_" + n + ".option}", ""))
                .increments("human_retries_" + n)
                .build());
        b.transition(TransitionDefinition.builder("ESCALATE_" + n, "ABORTED")
                .guard(Guards.require(Condition.of("decision.ESCALATE_" + n + ".option", Operator.EQ, "abort"))
                        .orReject("not_aborted", "The decision was ${decision.ESCALATE_" + n + ".option}", ""))
                .build());
    }

    private static void approval(PipelineDefinition.Builder b, PhaseSettings settings) {
        counter(b, "task_revisions", 2, "The tasks were revised ${limit} times");
        GateRequest.Expiry expiry = settings.approvalTimeout() == null ? GateRequest.Expiry.PAUSE
                : GateRequest.Expiry.ESCALATE;
        b.state(new StateDefinition("APPROVE_TASKS", "A person approves the tasks of phase 5", null, false, Map.of(),
                SourceLocation.BUILDER).withGate(new GateSpec(MessageTemplate.of("Approve the task breakdown?"
                + " ${signal.PHASE_5.summary.tasks_analyzed} tasks analysed, ${signal.PHASE_5.summary.tasks_expanded}"
                + " expanded into ${signal.PHASE_5.summary.subtasks_generated} subtasks"), List.of(
                new GateOption("approve", "Go on with spec generation", List.of("the pipeline runs on its own from"
                        + " here"), List.of()),
                new GateOption("revise", "Decompose the tasks again", List.of("a better plan"),
                        List.of("phase 5 runs again")),
                new GateOption("abort", "Stop the pipeline", List.of(), List.of())),
                null, List.of(), settings.approvalTimeout(), expiry, null, List.of(), SourceLocation.BUILDER)));
        b.transition(TransitionDefinition.builder("APPROVE_TASKS", "PHASE_6")
                .guard(Guards.require(Condition.of("decision.APPROVE_TASKS.option", Operator.EQ, "approve"))
                        .orReject("not_approved", "The tasks were not approved", "")).build());
        b.transition(TransitionDefinition.builder("APPROVE_TASKS", "PHASE_5")
                .guard(Guards.require(Condition.of("decision.APPROVE_TASKS.option", Operator.EQ, "revise"))
                        .orReject("not_revised", "The tasks were not sent back", ""))
                .increments("task_revisions").build());
        b.transition(TransitionDefinition.builder("APPROVE_TASKS", "ABORTED")
                .guard(Guards.require(Condition.of("decision.APPROVE_TASKS.option", Operator.EQ, "abort"))
                        .orReject("not_aborted", "The decision was ${decision.APPROVE_TASKS.option}", "")).build());
    }

    private static void deployment(PipelineDefinition.Builder b, Phase phase, PhaseSettings settings) {
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("phase", phase.number());
        properties.put("name", phase.name());
        properties.put("agent", phase.agent());
        b.state(new StateDefinition(phase.state(), "Phase 11: " + phase.name() + " (the deployment pipeline as a"
                + " child run)", null, false, properties, SourceLocation.BUILDER)
                .withChildren(new ChildrenSpec(settings.deploymentPipeline(), 1, "deploy", SourceLocation.BUILDER)));
        counter(b, "human_retries_11", settings.humanRetries(), "Phase 11 was sent back ${limit} times");
        b.transition(TransitionDefinition.builder(phase.state(), "DONE")
                .description("The deployment ended DONE")
                .guard(Guards.require(Condition.of("children.PHASE_11.all_done", Operator.EQ, true))
                        .orReject("deployment_not_done", "The deployment run ended ${children.PHASE_11.canceled}"
                                + " canceled of ${children.PHASE_11.count}", "Look at the deployment run")).build());
        b.transition(TransitionDefinition.builder(phase.state(), "ESCALATE_11").build());
        b.state(new StateDefinition("ESCALATE_11", "Phase 11: the deployment did not end DONE; a person decides",
                null, false, Map.of(), SourceLocation.BUILDER).withGate(new GateSpec(MessageTemplate.of(
                "The deployment run did not end DONE. Deploy again or abort?"), List.of(
                new GateOption("retry", "Start the deployment pipeline again", List.of(), List.of()),
                new GateOption("abort", "Abort the pipeline", List.of(), List.of())),
                null, List.of(), null, null, null, List.of(), SourceLocation.BUILDER)));
        b.transition(TransitionDefinition.builder("ESCALATE_11", phase.state())
                .guard(Guards.require(Condition.of("decision.ESCALATE_11.option", Operator.EQ, "retry"))
                        .orReject("not_retried", "The decision was ${decision.ESCALATE_11.option}", ""))
                .increments("human_retries_11").build());
        b.transition(TransitionDefinition.builder("ESCALATE_11", "ABORTED")
                .guard(Guards.require(Condition.of("decision.ESCALATE_11.option", Operator.EQ, "abort"))
                        .orReject("not_aborted", "The decision was ${decision.ESCALATE_11.option}", "")).build());
    }

    /**
     * The stand-in for the deployment pipeline until it is built: one stage ({@value #DEPLOY_AGENT}) that deploys,
     * then {@code DONE}.
     *
     * @return the stub deployment pipeline ({@value #DEPLOYMENT_STUB_ID})
     */
    public static PipelineDefinition deploymentStub() {
        return PipelineDefinition.builder(DEPLOYMENT_STUB_ID)
                .title("Deployment (stub)")
                .description("A stand-in for the deployment pipeline: one deployment stage, then DONE.")
                .initial("QUEUED")
                .state("QUEUED", "Waiting to deploy.")
                .stage("DEPLOY", DEPLOY_AGENT, "Deploy")
                .terminal("DONE", "Deployed.")
                .transition("QUEUED", "DEPLOY")
                .transition("DEPLOY", "DONE")
                .build();
    }

    /**
     * What a phase's stage gets as inputs: the phase ({@code phase}, {@code phase_name}, {@code signal_file}), the
     * newest answer of its decision or escalation gate ({@code decision}: {@code {option, by, reason}}), and after an
     * error the signal that reported it ({@code previous_signal}) and what to fix ({@code fix_focus}: the error's
     * message, or the numbers that missed their thresholds), besides the run's attributes.
     *
     * @param run the run
     * @return the inputs of the stage of the state it works in
     */
    public static Map<String, Object> inputs(RunState run) {
        Map<String, Object> inputs = new LinkedHashMap<>(run.attributes());
        String state = run.workingState();
        Optional<Phase> phase = Phase.of(state);
        if (phase.isEmpty()) {
            return inputs;
        }
        int n = phase.get().number();
        inputs.put("phase", n);
        inputs.put("phase_name", phase.get().name());
        inputs.put("signal_file", phase.get().signalFile());
        latestDecision(run, n).ifPresent(d -> inputs.put("decision", Map.of("option", d.option(), "by", d.by(),
                "reason", d.reason())));
        latestSignal(run, "PHASE_" + n).ifPresent(signal -> {
            Map<String, Object> payload = signal.payload();
            if (!"success".equals(payload.get("status")) || !state.equals("PHASE_" + n)) {
                inputs.put("previous_signal", payload);
            }
            Object error = payload.get("error");
            if (error instanceof Map<?, ?> e && e.get("message") != null) {
                inputs.put("fix_focus", String.valueOf(e.get("message")));
            } else if (payload.get("summary") instanceof Map<?, ?> s) {
                inputs.put("fix_focus", "Missed thresholds: " + s);
            }
        });
        return inputs;
    }

    private static Optional<Decision> latestDecision(RunState run, int n) {
        Decision latest = null;
        for (Gate gate : run.gates().values()) {
            if ((gate.stateId().equals("DECIDE_" + n) || gate.stateId().equals("ESCALATE_" + n))
                    && gate.decision() != null
                    && (latest == null || gate.decision().journalSequence() > latest.journalSequence())) {
                latest = gate.decision();
            }
        }
        return Optional.ofNullable(latest);
    }

    private static Optional<ReceivedSignal> latestSignal(RunState run, String stateId) {
        List<ReceivedSignal> signals = run.signals();
        for (int i = signals.size() - 1; i >= 0; i--) {
            if (signals.get(i).stateId().equals(stateId)) {
                return Optional.of(signals.get(i));
            }
        }
        return Optional.empty();
    }

    private static void counter(PipelineDefinition.Builder b, String id, int limit, String error) {
        b.counter(new CounterDefinition(id, limit, id + "_limit", MessageTemplate.of(error),
                MessageTemplate.of("Escalate to a person"), SourceLocation.BUILDER));
    }

    private static String number(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
    }
}
