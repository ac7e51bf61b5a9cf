package dev.agentpipeline.core.definition;

import dev.agentpipeline.core.guard.SummaryStandIn;
import dev.agentpipeline.spi.JsonValues;

import org.apiguardian.api.API;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * A state of a pipeline: a waiting state, a working state carried out by a stage plugin, or a terminal state.
 * Immutable.
 *
 * @param id the state's id ({@code STAGE_2})
 * @param description what happens in it, never null
 * @param stage the id of the stage plugin that works in it, or null
 * @param terminal whether the run ends when it enters this state
 * @param properties free-form JSON-compatible properties (the skill a state stands for, a label...)
 * @param settings the stage plugin's settings (the state's {@code settings:} in YAML), JSON-compatible, handed to
 *     the plugin as {@code StageContext.settings()}; empty when the state has none
 * @param location where it was defined
 * @param collect the evidence collectors run after each completed attempt of its stage, in order; empty for none
 * @param summaryStandIn what its guards read as its stage summary when the run's summaries are optional and it
 *     has none (the state's {@code summary_stand_in:} in YAML), or null
 * @param signal the signal it waits for before its transitions are tried (after its stage, if it has one), or null
 * @param gate the decision it asks a person for, or null; a gate state has no stage
 * @param children the runs it starts and waits for, or null; such a state has no stage
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public record StateDefinition(String id, String description, String stage, boolean terminal,
                              Map<String, Object> properties, Map<String, Object> settings, SourceLocation location,
                              List<CollectorDefinition> collect, SummaryStandIn summaryStandIn, SignalSpec signal,
                              GateSpec gate, ChildrenSpec children) {

    /** Validates and copies. */
    public StateDefinition {
        Objects.requireNonNull(id, "id");
        description = description == null ? "" : description;
        properties = JsonValues.copyOfMap(properties);
        settings = settings == null ? Map.of() : JsonValues.copyOfMap(settings);
        Objects.requireNonNull(location, "location");
        collect = collect == null ? List.of() : List.copyOf(collect);
    }

    /**
     * A state that waits for nothing outside (no signal, gate or children).
     *
     * @param id the state's id
     * @param description what happens in it
     * @param stage the stage plugin's id, or null
     * @param terminal whether the run ends in it
     * @param properties free-form properties
     * @param settings the stage plugin's settings
     * @param location where it was defined
     * @param collect its evidence collectors
     * @param summaryStandIn its summary stand-in, or null
     */
    public StateDefinition(String id, String description, String stage, boolean terminal,
                           Map<String, Object> properties, Map<String, Object> settings, SourceLocation location,
                           List<CollectorDefinition> collect, SummaryStandIn summaryStandIn) {
        this(id, description, stage, terminal, properties, settings, location, collect, summaryStandIn, null, null,
                null);
    }

    /**
     * A state without a summary stand-in.
     *
     * @param id the state's id
     * @param description what happens in it
     * @param stage the stage plugin's id, or null
     * @param terminal whether the run ends in it
     * @param properties free-form properties
     * @param settings the stage plugin's settings
     * @param location where it was defined
     * @param collect its evidence collectors
     */
    public StateDefinition(String id, String description, String stage, boolean terminal,
                           Map<String, Object> properties, Map<String, Object> settings, SourceLocation location,
                           List<CollectorDefinition> collect) {
        this(id, description, stage, terminal, properties, settings, location, collect, null);
    }

    /**
     * A state whose plugin has no settings and that collects no evidence.
     *
     * @param id the state's id
     * @param description what happens in it
     * @param stage the stage plugin's id, or null
     * @param terminal whether the run ends in it
     * @param properties free-form properties
     * @param location where it was defined
     */
    public StateDefinition(String id, String description, String stage, boolean terminal,
                           Map<String, Object> properties, SourceLocation location) {
        this(id, description, stage, terminal, properties, Map.of(), location, List.of(), null);
    }

    /** @return the stage plugin id, if a plugin works in this state */
    public Optional<String> stagePlugin() {
        return Optional.ofNullable(stage);
    }

    /**
     * @param pluginId the plugin id
     * @return this state worked by another plugin, without settings (settings belong to a plugin)
     */
    public StateDefinition withStage(String pluginId) {
        return withStage(pluginId, Map.of());
    }

    /**
     * @param pluginId the plugin id
     * @param pluginSettings the plugin's settings, JSON-compatible
     * @return this state worked by another plugin with these settings (its evidence collectors stay)
     * @throws IllegalArgumentException if a setting is not JSON-compatible
     */
    public StateDefinition withStage(String pluginId, Map<String, ?> pluginSettings) {
        return new StateDefinition(id, description, pluginId, terminal, properties,
                JsonValues.copyOfMap(pluginSettings), location, collect, summaryStandIn, signal, gate, children);
    }

    /** @return what its guards read as its stage summary when the run's summaries are optional, if declared */
    public Optional<SummaryStandIn> standIn() {
        return Optional.ofNullable(summaryStandIn);
    }

    /**
     * @param standIn what its guards read as its stage summary when the run's summaries are optional, or null
     * @return this state with that stand-in instead of its own
     * @since 0.1
     */
    public StateDefinition withSummaryStandIn(SummaryStandIn standIn) {
        return new StateDefinition(id, description, stage, terminal, properties, settings, location, collect, standIn,
                signal, gate, children);
    }

    /**
     * @param collectors the evidence collectors to run after each completed attempt
     * @return this state with those collectors instead of its own
     */
    public StateDefinition withCollect(List<CollectorDefinition> collectors) {
        return new StateDefinition(id, description, stage, terminal, properties, settings, location, collectors,
                summaryStandIn, signal, gate, children);
    }

    /**
     * @param value the signal the state waits for, or null for none
     * @return this state waiting for that signal
     * @since 0.1
     */
    public StateDefinition withSignal(SignalSpec value) {
        return new StateDefinition(id, description, stage, terminal, properties, settings, location, collect,
                summaryStandIn, value, gate, children);
    }

    /**
     * @param value the decision the state asks for, or null for none
     * @return this state asking it
     * @since 0.1
     */
    public StateDefinition withGate(GateSpec value) {
        return new StateDefinition(id, description, stage, terminal, properties, settings, location, collect,
                summaryStandIn, signal, value, children);
    }

    /**
     * @param value the runs the state starts and waits for, or null for none
     * @return this state starting them
     * @since 0.1
     */
    public StateDefinition withChildren(ChildrenSpec value) {
        return new StateDefinition(id, description, stage, terminal, properties, settings, location, collect,
                summaryStandIn, signal, gate, value);
    }

    /** @return the signal it waits for, if any */
    public Optional<SignalSpec> awaitsSignal() {
        return Optional.ofNullable(signal);
    }

    /** @return the decision it asks for, if it is a gate */
    public Optional<GateSpec> asksDecision() {
        return Optional.ofNullable(gate);
    }

    /** @return the runs it starts and waits for, if any */
    public Optional<ChildrenSpec> startsChildren() {
        return Optional.ofNullable(children);
    }
}
