package dev.agentpipeline.core.engine;

import dev.agentpipeline.core.definition.CounterDefinition;
import dev.agentpipeline.core.definition.GuardDefinition;
import dev.agentpipeline.core.definition.PipelineDefinition;
import dev.agentpipeline.core.definition.TransitionDefinition;
import dev.agentpipeline.core.guard.GuardContext;
import dev.agentpipeline.core.guard.GuardResult;
import dev.agentpipeline.core.run.RunState;

import org.apiguardian.api.API;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * Decides transitions: a pure function of a definition, a run's state and a requested target. It changes
 * nothing; {@link PipelineRuntime} appends what it allows.
 *
 * <p>The rules, in order:
 * <ol>
 *   <li>A pair that is not a transition of the definition is rejected with {@code invalid_transition}
 *       ({@code "Invalid transition: X->Y"} / {@code "Check pipeline state graph"}); an unknown target with
 *       {@code unknown_state}.</li>
 *   <li>From {@code PAUSED}, the transitions of the state the run paused in are judged; going back into that
 *       state needs no guard (the visit continues).</li>
 *   <li>The transition's guards are checked in order; the first rejection wins. When the run's summaries are
 *       {@linkplain dev.agentpipeline.core.run.SummaryPolicy#OPTIONAL optional}, a state without a fresh summary is
 *       read through its definition's {@linkplain dev.agentpipeline.core.guard.SummaryStandIn stand-in}.</li>
 *   <li>A transition that increments a counter is rejected once the counter has reached its limit (the limit
 *       the run recorded when it started, else the definition's), with the counter's error and recovery.</li>
 *   <li>An override (a reason a person gave) skips guards and limits; only a paused run can be overridden.</li>
 * </ol>
 * Thread-safe.
 *
 * <pre>{@code
 * TransitionDecision decision = StateMachine.decide(definition, run.state(), "STAGE_2", null);
 * if (!decision.allowed()) {
 *     System.out.println(decision.guardResult().error());   // "Verdict is NO-GO, not GO"
 * }
 * }</pre>
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class StateMachine {

    /** Code of a rejection for a pair that is not a transition. */
    public static final String INVALID_TRANSITION = "invalid_transition";
    /** Code of a rejection for a target that is not a state. */
    public static final String UNKNOWN_STATE = "unknown_state";

    private StateMachine() {
    }

    /**
     * Decides whether a run may move to a state.
     *
     * @param definition the run's pipeline
     * @param state the run's state
     * @param to the requested state
     * @param override a person's reason to skip the guards (honoured only for a paused run), or null
     * @return the decision, never null
     */
    public static TransitionDecision decide(PipelineDefinition definition, RunState state, String to,
                                            String override) {
        String from = state.phase();
        boolean paused = state.isPaused();
        String source = paused ? state.pausedFrom().orElse(from) : from;
        if (!definition.states().containsKey(to)) {
            return reject(from, source, to, GuardResult.reject(UNKNOWN_STATE,
                    "Invalid transition: " + from + "->" + to, "Check pipeline state graph"), definition, state);
        }
        boolean terminal = definition.isTerminal(to);
        if (paused && to.equals(source)) {
            return new TransitionDecision(from, source, to, GuardResult.allow(), null, terminal, override,
                    targets(definition, state, source));
        }
        Optional<TransitionDefinition> found = state.complete() ? Optional.empty() : definition.transition(source, to);
        if (found.isEmpty()) {
            return reject(from, source, to, GuardResult.reject(INVALID_TRANSITION,
                    "Invalid transition: " + from + "->" + to, "Check pipeline state graph"), definition, state);
        }
        TransitionDefinition transition = found.get();
        if (paused && override != null) {
            return new TransitionDecision(from, source, to, GuardResult.allow(), transition.increments(), terminal,
                    override, targets(definition, state, source));
        }
        GuardContext context = GuardContext.of(state, source, to, definition.summaryStandIns());
        for (GuardDefinition guard : transition.guards()) {
            GuardResult result = guard.guard().check(context);
            if (!result.allowed()) {
                return reject(from, source, to, result, definition, state);
            }
        }
        String counter = transition.increments();
        if (counter != null) {
            CounterDefinition limit = definition.counters().get(counter);
            int max = state.counterLimits().getOrDefault(counter, limit.limit());
            int value = state.counter(counter);
            if (value >= max) {
                Map<String, Object> variables = Map.of("limit", max, "value", value, "counter", counter);
                return reject(from, source, to, GuardResult.reject(limit.code(),
                        limit.error().render(context, variables), limit.recovery().render(context, variables)),
                        definition, state);
            }
        }
        return new TransitionDecision(from, source, to, GuardResult.allow(), counter, terminal, null, List.of());
    }

    private static TransitionDecision reject(String from, String source, String to, GuardResult result,
                                             PipelineDefinition definition, RunState state) {
        return new TransitionDecision(from, source, to, result, null, definition.isTerminal(to), null,
                targets(definition, state, source));
    }

    private static List<String> targets(PipelineDefinition definition, RunState state, String source) {
        if (state.complete()) {
            return List.of();
        }
        List<String> targets = new ArrayList<>();
        for (TransitionDefinition t : definition.transitionsFrom(source)) {
            targets.add(t.to());
        }
        return targets;
    }
}
