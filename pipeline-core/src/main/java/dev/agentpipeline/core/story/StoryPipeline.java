package dev.agentpipeline.core.story;

import dev.agentpipeline.core.definition.PipelineDefinition;
import dev.agentpipeline.core.definition.PipelineDefinitions;
import dev.agentpipeline.core.definition.StateDefinition;
import dev.agentpipeline.core.definition.TransitionDefinition;
import dev.agentpipeline.core.engine.Orchestrator;
import dev.agentpipeline.core.engine.OutcomeRecorder;
import dev.agentpipeline.core.engine.PipelineRuntime;
import dev.agentpipeline.core.engine.StateMachine;
import dev.agentpipeline.core.engine.TransitionDecision;
import dev.agentpipeline.core.guard.GuardRegistry;
import dev.agentpipeline.core.guard.SummaryStandIn;
import dev.agentpipeline.core.run.RunState;
import dev.agentpipeline.spi.StageRegistry;

import org.apiguardian.api.API;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * The story pipeline of the ln-1000 story pipeline skill: QUEUED, STAGE_0 (task decomposition, the skill ln-300),
 * STAGE_1 (story validation, ln-310), STAGE_2 (story execution, ln-400), STAGE_3 (quality gate, ln-500), DONE -
 * shipped as {@code story-pipeline.yaml} beside this class.
 *
 * <pre>{@code
 * PipelineDefinition story = StoryPipeline.definition();                    // the default limits
 * PipelineDefinition strict = StoryPipeline.definition(new StoryLimits(1, 1, 1));
 * String next = StoryPipeline.resumeAction(run.state(), story);           // "Advance to STAGE_2 and invoke ln-400 (the story-execution skill)"
 * }</pre>
 *
 * <p>The stage plugin ids of the shipped definition are {@code story-decompose}, {@code story-validate},
 * {@code story-execute} and {@code story-quality-gate}; bind other plugins with
 * {@link PipelineDefinition#withStagePlugin(String, String)}.
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class StoryPipeline {

    /** The pipeline id. */
    public static final String ID = "story";
    /** The skill name the older ln-1000 runtime records in {@code state.skill}: the story pipeline skill's. */
    public static final String SKILL = "ln-1000";
    /** The stage states, in order. */
    public static final java.util.List<String> STAGES = java.util.List.of("STAGE_0", "STAGE_1", "STAGE_2", "STAGE_3");

    private static volatile PipelineDefinition defaults;

    private StoryPipeline() {
    }

    /** @return the story pipeline with the default limits ({@link StoryLimits#DEFAULTS}) */
    public static PipelineDefinition definition() {
        PipelineDefinition definition = defaults;
        if (definition == null) {
            definition = PipelineDefinitions.fromResource(StoryPipeline.class, "story-pipeline.yaml",
                    GuardRegistry.empty());
            defaults = definition;
        }
        return definition;
    }

    /**
     * @param limits the limits
     * @return the story pipeline with those limits
     */
    public static PipelineDefinition definition(StoryLimits limits) {
        return definition()
                .withCounterLimit("validation_retries", limits.validationRetries())
                .withCounterLimit("quality_cycles", limits.qualityCycles())
                .withCounterLimit("crash_count", limits.crashes());
    }

    /**
     * The state of a stage number: 2 gives {@code STAGE_2}.
     *
     * @param stage 0 to 3
     * @return the state id
     * @throws IllegalArgumentException if out of range
     */
    public static String stateOf(int stage) {
        if (stage < 0 || stage > 3) {
            throw new IllegalArgumentException("stage must be 0, 1, 2 or 3, got " + stage);
        }
        return "STAGE_" + stage;
    }

    /**
     * The stage number of a state: {@code STAGE_2} gives 2.
     *
     * @param stateId a state id
     * @return the number, or empty if the state is not a stage
     */
    public static Optional<Integer> stageNumber(String stateId) {
        int index = STAGES.indexOf(stateId);
        return index < 0 ? Optional.empty() : Optional.of(index);
    }

    /**
     * The stage a story should start at, from its board status (the routing of the ln-1000 skill).
     *
     * @param boardStatus the status section the story is in ({@code "Backlog"}, {@code "To Review"}...)
     * @param hasTasks whether the story has tasks
     * @return the state, or empty for Done, Postponed and Canceled stories (nothing to do)
     */
    public static Optional<String> targetStage(String boardStatus, boolean hasTasks) {
        String status = boardStatus == null ? "" : boardStatus.toLowerCase(Locale.ROOT).trim();
        switch (status) {
            case "backlog":
                return Optional.of(hasTasks ? "STAGE_1" : "STAGE_0");
            case "todo":
            case "in progress":
            case "to rework":
                return Optional.of("STAGE_2");
            case "to review":
                return Optional.of("STAGE_3");
            case "done":
            case "postponed":
            case "canceled":
                return Optional.empty();
            default:
                return Optional.of("STAGE_0");
        }
    }

    /**
     * What to do next with a run, in the older ln-1000 runtime's words where they apply: {@code "Pipeline
     * complete"}, {@code "Paused: <reason>"}, {@code "Determine target stage from kanban, then advance"},
     * {@code "Invoke ln-300 (the task-decomposition skill) for STAGE_0 and write its checkpoint"},
     * {@code "Read the stage summary of ln-300 (the task-decomposition skill) and record it"},
     * {@code "Advance to STAGE_1 and invoke ln-310 (the story-validation skill)"}, {@code "Complete pipeline"}.
     * A skill is named with what it is for ({@link #describedSkill}). Unlike that runtime it judges fresh evidence
     * with the guards, so it also says
     * {@code "Retry STAGE_1: advance to STAGE_1 and invoke ln-310 (the story-validation skill)"},
     * {@code "Rework: advance to STAGE_2 and invoke ln-400 (the story-execution skill)"} and
     * {@code "Blocked: <error>. <recovery>"} instead of advising a transition the guards would reject. A run whose
     * summaries are optional is never asked for a summary: its checkpoint stands in for it (see
     * {@link SummaryStandIn}).
     *
     * @param state the run
     * @param definition its definition
     * @return the action, never null
     */
    public static String resumeAction(RunState state, PipelineDefinition definition) {
        if (state.complete()) {
            return "Pipeline complete";
        }
        if (state.isPaused()) {
            return "Paused: " + state.pausedReason().filter(r -> !r.isEmpty()).orElse("manual intervention required");
        }
        String phase = state.phase();
        if (phase.equals(definition.initialState())) {
            return "Determine target stage from kanban, then advance";
        }
        if (state.freshCheckpoint(phase).isEmpty()) {
            return "Invoke " + describedSkill(definition, phase) + " for " + phase + " and write its checkpoint";
        }
        if (SummaryStandIn.summaryOf(state, phase, definition.summaryStandIns().get(phase)).isEmpty()) {
            return "Read the stage summary of " + describedSkill(definition, phase) + " and record it";
        }
        TransitionDecision last = null;
        for (TransitionDefinition transition : definition.transitionsFrom(phase)) {
            TransitionDecision decision = StateMachine.decide(definition, state, transition.to(), null);
            if (decision.allowed()) {
                String to = transition.to();
                if (decision.terminal()) {
                    return "Complete pipeline";
                }
                if (to.equals(phase)) {
                    return "Retry " + to + ": advance to " + to + " and invoke " + describedSkill(definition, to);
                }
                if (STAGES.indexOf(to) < STAGES.indexOf(phase)) {
                    return "Rework: advance to " + to + " and invoke " + describedSkill(definition, to);
                }
                return "Advance to " + to + " and invoke " + describedSkill(definition, to);
            }
            last = decision;
        }
        if (last == null) {
            return "No automatic resume action available";
        }
        return "Blocked: " + last.guardResult().error() + ". " + last.guardResult().recovery();
    }

    /**
     * The skill a stage stands for ({@code ln-310}), from the state's {@code skill} property.
     *
     * @param definition the definition
     * @param stateId the state
     * @return the skill name, or the state's plugin id, or the state id
     */
    public static String skill(PipelineDefinition definition, String stateId) {
        Optional<StateDefinition> state = definition.state(stateId);
        Object skill = state.map(s -> s.properties().get("skill")).orElse(null);
        if (skill != null) {
            return skill.toString();
        }
        return state.flatMap(StateDefinition::stagePlugin).orElse(stateId);
    }

    /**
     * The skill a stage stands for, with what it is for when the state's {@code skill_role} property says so:
     * {@code ln-310 (the story-validation skill)}. Messages use it, so that a reader who does not know the skill's
     * name learns what it does.
     *
     * @param definition the definition
     * @param stateId the state
     * @return {@link #skill(PipelineDefinition, String)}, followed by the role in parentheses when there is one
     */
    public static String describedSkill(PipelineDefinition definition, String stateId) {
        String skill = skill(definition, stateId);
        Object role = definition.state(stateId).map(s -> s.properties().get("skill_role")).orElse(null);
        return role == null || role.toString().isBlank() ? skill : skill + " (" + role + ")";
    }

    /**
     * The inputs the orchestrator gives a story stage: the run's attributes, and for a rework of STAGE_2 the
     * failed quality gate's {@code rework_hint} with {@code rework_focus} (its suggested focus or blocking
     * categories).
     *
     * @param state the run
     * @return the inputs (JSON-compatible)
     */
    public static Map<String, Object> inputs(RunState state) {
        Map<String, Object> inputs = new LinkedHashMap<>(state.attributes());
        inputs.put("story_id", state.subjectId());
        inputs.put("story_title", state.title());
        inputs.put("quality_cycles", state.counter("quality_cycles"));
        inputs.put("validation_retries", state.counter("validation_retries"));
        if ("STAGE_2".equals(state.phase()) && state.counter("quality_cycles") > 0) {
            state.summary("STAGE_3").ifPresent(summary -> {
                Object payload = summary.get("payload");
                if (payload instanceof Map<?, ?> p && p.get("metadata") instanceof Map<?, ?> metadata
                        && metadata.get("rework_hint") instanceof Map<?, ?> hint) {
                    inputs.put("rework_hint", hint);
                    Object focus = hint.get("suggested_focus") != null ? hint.get("suggested_focus")
                            : hint.get("blocking_categories");
                    inputs.put("rework_focus", focus);
                }
            });
        }
        return inputs;
    }

    /**
     * An orchestrator configured for story runs: the story pipeline's stage summaries and checkpoints, the story
     * inputs, and the first stage chosen by the caller (from the story's board status, see
     * {@link #targetStage(String, boolean)}).
     *
     * <pre>{@code
     * Orchestrator orchestrator = StoryPipeline.orchestrator(runtime, StageRegistry.load(), run -> projectDir,
     *         StoryPipeline.targetStage("Backlog", false)).build();
     * }</pre>
     *
     * @param runtime the runtime (knowing the story pipeline, bound to the plugins to use)
     * @param stages the stage plugins
     * @param workspace the directory each attempt works in
     * @param entryStage the stage to start at when the run is QUEUED; empty to start at STAGE_0
     * @return a builder, to set a retry policy, a sleeper... before {@code build()}
     */
    public static Orchestrator.Builder orchestrator(PipelineRuntime runtime, StageRegistry stages,
                                                    Function<RunState, Path> workspace, Optional<String> entryStage) {
        return Orchestrator.builder(runtime, stages)
                .recorder(recorder())
                .inputs(StoryPipeline::inputs)
                .workspace(workspace)
                .entry(run -> entryStage);
    }

    /** @return the recorder that writes the stage summary envelope and the story checkpoint fields */
    public static OutcomeRecorder recorder() {
        return StoryOutcomeRecorder.INSTANCE;
    }
}
