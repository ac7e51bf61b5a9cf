package dev.agentpipeline.core.definition;

import dev.agentpipeline.core.guard.SummaryStandIn;
import dev.agentpipeline.spi.JsonValues;
import dev.agentpipeline.spi.StageRegistry;
import dev.agentpipeline.spi.evidence.EvidenceCollectorRegistry;

import org.apiguardian.api.API;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * A pipeline: its states, the transitions between them with their guards, and its counters. Immutable and
 * thread-safe; every instance has passed validation.
 *
 * <pre>{@code
 * PipelineDefinition release = PipelineDefinition.builder("release")
 *         .initial("QUEUED")
 *         .counter(CounterDefinition.of("retries", 2))
 *         .state("QUEUED", "Waiting")
 *         .stage("BUILD", "acme-build", "Compile and test")
 *         .terminal("DONE", "Released")
 *         .transition("QUEUED", "BUILD")
 *         .transition(TransitionDefinition.builder("BUILD", "DONE")
 *                 .guard(Guards.require(Condition.of("outcome.BUILD.verdict", Operator.EQ, "PASS"))
 *                         .orReject("build_failed", "Build verdict is ${outcome.BUILD.verdict}", "Fix the build"))
 *                 .build())
 *         .transition(TransitionDefinition.builder("BUILD", "BUILD").increments("retries").build())
 *         .build();
 * }</pre>
 *
 * <p>Validation (on {@link Builder#build()} and on YAML load) rejects, naming the location of each problem:
 * unknown states and counters, malformed ids, duplicate transitions, evidence paths that name unknown states or
 * counters, states unreachable from the initial state, non-terminal states without a way out, terminal states
 * with one, and cycles that no bounded counter breaks (every loop must end). It reports every problem at once,
 * in the order of their position. {@link #checkPlugins(StageRegistry)} checks that every stage plugin exists.
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class PipelineDefinition {

    private final String id;
    private final String title;
    private final String description;
    private final String initialState;
    private final Map<String, StateDefinition> states;
    private final List<TransitionDefinition> transitions;
    private final Map<String, CounterDefinition> counters;
    private final SourceLocation location;
    private final Map<String, List<TransitionDefinition>> outgoing;
    private final Map<String, TransitionDefinition> byPair;
    private final Map<String, SummaryStandIn> summaryStandIns;

    PipelineDefinition(String id, String title, String description, String initialState,
                       Map<String, StateDefinition> states, List<TransitionDefinition> transitions,
                       Map<String, CounterDefinition> counters, SourceLocation location) {
        this(id, title, description, initialState, states, transitions, counters, location, true);
    }

    /**
     * @param validate whether to validate here; {@link Builder#build(List, ReadGaps, StageRegistry, Supplier)}
     *     validates itself, to report the problems of reading with those of the model
     */
    private PipelineDefinition(String id, String title, String description, String initialState,
                               Map<String, StateDefinition> states, List<TransitionDefinition> transitions,
                               Map<String, CounterDefinition> counters, SourceLocation location, boolean validate) {
        this.id = id;
        this.title = title;
        this.description = description;
        this.initialState = initialState;
        this.states = Collections.unmodifiableMap(new LinkedHashMap<>(states));
        this.transitions = List.copyOf(transitions);
        this.counters = Collections.unmodifiableMap(new LinkedHashMap<>(counters));
        this.location = location;
        Map<String, List<TransitionDefinition>> out = new LinkedHashMap<>();
        Map<String, TransitionDefinition> pairs = new LinkedHashMap<>();
        for (TransitionDefinition transition : this.transitions) {
            out.computeIfAbsent(transition.from(), k -> new ArrayList<>()).add(transition);
            pairs.putIfAbsent(pairKey(transition.from(), transition.to()), transition);
        }
        out.replaceAll((k, v) -> List.copyOf(v));
        this.outgoing = Collections.unmodifiableMap(out);
        this.byPair = Collections.unmodifiableMap(pairs);
        Map<String, SummaryStandIn> standIns = new LinkedHashMap<>();
        this.states.values().forEach(state -> state.standIn().ifPresent(s -> standIns.put(state.id(), s)));
        this.summaryStandIns = Collections.unmodifiableMap(standIns);
        if (validate) {
            throwIfAny(DefinitionValidator.validate(this, new ReadGaps()));
        }
    }

    /** @throws DefinitionException with the problems in the order of their position, if there are any */
    private static void throwIfAny(List<DefinitionProblem> problems) {
        if (!problems.isEmpty()) {
            throw new DefinitionException(DefinitionValidator.inOrder(problems));
        }
    }

    private static String pairKey(String from, String to) {
        return from + "->" + to;
    }

    /**
     * Starts a definition in Java.
     *
     * @param id the pipeline's id ({@code story})
     * @return a builder
     */
    public static Builder builder(String id) {
        return new Builder(id);
    }

    /** @return the pipeline's id, never null */
    public String id() {
        return id;
    }

    /** @return its title, never null */
    public String title() {
        return title;
    }

    /** @return its description, never null */
    public String description() {
        return description;
    }

    /** @return the state runs start in, never null */
    public String initialState() {
        return initialState;
    }

    /** @return the states in definition order, unmodifiable */
    public Map<String, StateDefinition> states() {
        return states;
    }

    /**
     * @param stateId a state id
     * @return the state, if defined
     */
    public Optional<StateDefinition> state(String stateId) {
        return Optional.ofNullable(states.get(stateId));
    }

    /**
     * @param stateId a state id
     * @return whether it is a terminal state
     */
    public boolean isTerminal(String stateId) {
        StateDefinition state = states.get(stateId);
        return state != null && state.terminal();
    }

    /**
     * What each state's guards read as its stage summary when a run's summaries are
     * {@linkplain dev.agentpipeline.core.run.SummaryPolicy#OPTIONAL optional} and the state has none.
     *
     * @return the stand-ins, by state (only states that declare one), unmodifiable
     * @since 0.1
     */
    public Map<String, SummaryStandIn> summaryStandIns() {
        return summaryStandIns;
    }

    /** @return the transitions in definition order, unmodifiable */
    public List<TransitionDefinition> transitions() {
        return transitions;
    }

    /**
     * @param stateId a state id
     * @return the transitions leaving it, in definition order (the order the orchestrator tries them in)
     */
    public List<TransitionDefinition> transitionsFrom(String stateId) {
        return outgoing.getOrDefault(stateId, List.of());
    }

    /**
     * @param name a signal name
     * @return the state that waits for the signal of that name
     * @since 0.1
     */
    public Optional<StateDefinition> signalState(String name) {
        return states.values().stream().filter(s -> s.signal() != null && s.signal().name().equals(name))
                .findFirst();
    }

    /**
     * @param fileName a file name in a watched signal directory ({@code phase7-complete.json})
     * @return the state whose signal has that file name
     * @since 0.1
     */
    public Optional<StateDefinition> signalFileState(String fileName) {
        return states.values().stream().filter(s -> s.signal() != null && fileName.equals(s.signal().file()))
                .findFirst();
    }

    /** @return whether a state of it waits for a signal, a decision or child runs */
    public boolean waits() {
        return states.values().stream().anyMatch(s -> s.signal() != null || s.gate() != null
                || s.children() != null);
    }

    /**
     * @param from a state id
     * @param to a state id
     * @return the transition between them, if defined
     */
    public Optional<TransitionDefinition> transition(String from, String to) {
        return Optional.ofNullable(byPair.get(pairKey(from, to)));
    }

    /** @return the counters, unmodifiable */
    public Map<String, CounterDefinition> counters() {
        return counters;
    }

    /**
     * @param counterId a counter id
     * @return the counter, if defined
     */
    public Optional<CounterDefinition> counter(String counterId) {
        return Optional.ofNullable(counters.get(counterId));
    }

    /** @return where the definition was written */
    public SourceLocation location() {
        return location;
    }

    /**
     * A copy with another limit for a counter.
     *
     * @param counterId the counter
     * @param limit its new limit, at least 0
     * @return the new definition
     * @throws IllegalArgumentException if the counter does not exist or the limit is negative
     */
    public PipelineDefinition withCounterLimit(String counterId, int limit) {
        CounterDefinition counter = counters.get(counterId);
        if (counter == null) {
            throw new IllegalArgumentException("Pipeline " + id + " has no counter '" + counterId + "'; counters are "
                    + String.join(", ", counters.keySet()));
        }
        Map<String, CounterDefinition> copy = new LinkedHashMap<>(counters);
        copy.put(counterId, counter.withLimit(limit));
        return new PipelineDefinition(id, title, description, initialState, states, transitions, copy, location);
    }

    /**
     * A copy in which another plugin works in a state.
     *
     * @param stateId the state
     * @param pluginId the stage plugin's id
     * @return the new definition
     * @throws IllegalArgumentException if the state does not exist
     */
    public PipelineDefinition withStagePlugin(String stateId, String pluginId) {
        return withStagePlugin(stateId, pluginId, Map.of());
    }

    /**
     * A copy in which another plugin works in a state, with settings for it (what the plugin sees as
     * {@code StageContext.settings()}).
     *
     * <pre>{@code
     * PipelineDefinition withAgent = StoryPipeline.definition().withStagePlugin("STAGE_2", "pipeline-command",
     *         Map.of("command", List.of("./agents/implement.sh", "{story_id}"), "timeout_seconds", 1800));
     * }</pre>
     *
     * @param stateId the state
     * @param pluginId the stage plugin's id
     * @param settings the plugin's settings, JSON-compatible (copied)
     * @return the new definition
     * @throws IllegalArgumentException if the state does not exist or a setting is not JSON-compatible
     * @throws DefinitionException if the plugin id is malformed or the state is terminal
     * @since 0.1
     */
    public PipelineDefinition withStagePlugin(String stateId, String pluginId, Map<String, ?> settings) {
        StateDefinition state = states.get(stateId);
        if (state == null) {
            throw new IllegalArgumentException("Pipeline " + id + " has no state '" + stateId + "'");
        }
        Map<String, StateDefinition> copy = new LinkedHashMap<>(states);
        copy.put(stateId, state.withStage(Objects.requireNonNull(pluginId, "pluginId"),
                Objects.requireNonNull(settings, "settings")));
        return new PipelineDefinition(id, title, description, initialState, copy, transitions, counters, location);
    }

    /**
     * Checks that a plugin exists for every state that names one.
     *
     * @param stages the available plugins
     * @throws DefinitionException naming the location of every missing plugin and what is available
     */
    public void checkPlugins(StageRegistry stages) {
        throwIfAny(pluginProblems(stages));
    }

    /** The states whose plugin is missing; a malformed plugin id is {@link DefinitionValidator}'s problem. */
    private List<DefinitionProblem> pluginProblems(StageRegistry stages) {
        List<DefinitionProblem> problems = new ArrayList<>();
        for (StateDefinition state : states.values()) {
            state.stagePlugin().filter(StageRegistry::isValidId).filter(plugin -> stages.find(plugin).isEmpty())
                    .ifPresent(plugin -> problems.add(new DefinitionProblem(state.location(), "state " + state.id()
                            + ": no stage plugin with id '" + plugin + "'; available: "
                            + (stages.ids().isEmpty() ? "none" : String.join(", ", stages.ids()))
                            + ". Add the plugin's jar to the class path or change 'stage:'.")));
        }
        return problems;
    }

    /** @return whether any state names evidence collectors ({@code collect:}) */
    public boolean collectsEvidence() {
        return states.values().stream().anyMatch(state -> !state.collect().isEmpty());
    }

    /**
     * Checks that a collector exists for every id a state's {@code collect:} names, that no two collectors of a
     * state record under the same key, and that every {@code evidence.STATE.KEY.FIELD} path of a guard names a
     * key and a field the state's collectors give, of a type its condition can compare.
     *
     * @param collectors the available collectors
     * @throws DefinitionException naming the location of every problem and what is available
     */
    public void checkCollectors(EvidenceCollectorRegistry collectors) {
        throwIfAny(DefinitionValidator.checkCollectors(this, collectors, new ReadGaps()));
    }

    @Override
    public String toString() {
        return "PipelineDefinition[" + id + ", " + states.size() + " states, " + transitions.size()
                + " transitions]";
    }

    /**
     * Builds a {@link PipelineDefinition}; {@link #build()} validates and copies.
     *
     * @since 0.1
     */
    public static final class Builder {
        private final String id;
        private String title = "";
        private String description = "";
        private String initial;
        private final Map<String, StateDefinition> states = new LinkedHashMap<>();
        private final List<TransitionDefinition> transitions = new ArrayList<>();
        private final Map<String, CounterDefinition> counters = new LinkedHashMap<>();
        private SourceLocation location = SourceLocation.BUILDER;
        private final List<DefinitionProblem> problems = new ArrayList<>();

        private Builder(String id) {
            this.id = Objects.requireNonNull(id, "id");
        }

        /**
         * @param text the title
         * @return this builder
         */
        public Builder title(String text) {
            this.title = Objects.requireNonNull(text, "text");
            return this;
        }

        /**
         * @param text the description
         * @return this builder
         */
        public Builder description(String text) {
            this.description = Objects.requireNonNull(text, "text");
            return this;
        }

        /**
         * @param stateId the state runs start in
         * @return this builder
         */
        public Builder initial(String stateId) {
            this.initial = Objects.requireNonNull(stateId, "stateId");
            return this;
        }

        /**
         * @param stateId a waiting state's id
         * @return this builder
         */
        public Builder state(String stateId) {
            return state(stateId, "");
        }

        /**
         * @param stateId a waiting state's id
         * @param text what it means
         * @return this builder
         */
        public Builder state(String stateId, String text) {
            return state(new StateDefinition(stateId, text, null, false, Map.of(), SourceLocation.BUILDER));
        }

        /**
         * @param stateId a working state's id
         * @param pluginId the stage plugin working in it
         * @param text what happens in it
         * @return this builder
         */
        public Builder stage(String stateId, String pluginId, String text) {
            return stage(stateId, pluginId, text, Map.of());
        }

        /**
         * @param stateId a working state's id
         * @param pluginId the stage plugin working in it
         * @param text what happens in it
         * @param settings the plugin's settings, JSON-compatible (copied)
         * @return this builder
         * @throws IllegalArgumentException if a setting is not JSON-compatible
         * @since 0.1
         */
        public Builder stage(String stateId, String pluginId, String text, Map<String, ?> settings) {
            return state(new StateDefinition(stateId, text, Objects.requireNonNull(pluginId, "pluginId"), false,
                    Map.of(), JsonValues.copyOfMap(Objects.requireNonNull(settings, "settings")),
                    SourceLocation.BUILDER, List.of()));
        }

        /**
         * @param stateId a terminal state's id
         * @param text what it means
         * @return this builder
         */
        public Builder terminal(String stateId, String text) {
            return state(new StateDefinition(stateId, text, null, true, Map.of(), SourceLocation.BUILDER));
        }

        /**
         * Names the evidence collectors of a state defined before: they run after each completed attempt of its
         * stage, and guards read what they found as {@code evidence.STATE.KEY.FIELD}.
         *
         * <pre>{@code
         * builder.stage("GATE", "acme-tests", "Run the tests").collect("GATE", CollectorDefinition.of("jacoco"))
         * }</pre>
         *
         * @param stateId the state
         * @param collectors its collectors, replacing any it had
         * @return this builder
         */
        public Builder collect(String stateId, CollectorDefinition... collectors) {
            StateDefinition state = states.get(stateId);
            if (state == null) {
                problems.add(new DefinitionProblem(location, "collect: state " + stateId
                        + " is not defined (yet); define the state before its collectors"));
                return this;
            }
            states.put(stateId, state.withCollect(List.of(collectors)));
            return this;
        }

        /**
         * Declares what the guards of a state defined before read as its stage summary when a run's summaries are
         * optional and the state has none.
         *
         * <pre>{@code
         * builder.summaryStandIn("STAGE_1", SummaryStandIn.builder().constant("status", "completed")
         *         .fromCheckpoint("verdict", "verdict").build());
         * }</pre>
         *
         * @param stateId the state
         * @param standIn its stand-in, replacing any it had
         * @return this builder
         * @since 0.1
         */
        public Builder summaryStandIn(String stateId, SummaryStandIn standIn) {
            StateDefinition state = states.get(stateId);
            if (state == null) {
                problems.add(new DefinitionProblem(location, "summaryStandIn: state " + stateId
                        + " is not defined (yet); define the state before its summary stand-in"));
                return this;
            }
            states.put(stateId, state.withSummaryStandIn(Objects.requireNonNull(standIn, "standIn")));
            return this;
        }

        /**
         * @param state a state
         * @return this builder
         */
        public Builder state(StateDefinition state) {
            if (states.putIfAbsent(state.id(), state) != null) {
                problems.add(new DefinitionProblem(state.location(), "state " + state.id() + " is defined twice"));
            }
            return this;
        }

        /**
         * @param from a state
         * @param to a state
         * @return this builder, with an unguarded transition
         */
        public Builder transition(String from, String to) {
            return transition(TransitionDefinition.builder(from, to).build());
        }

        /**
         * @param transition a transition
         * @return this builder
         */
        public Builder transition(TransitionDefinition transition) {
            transitions.add(Objects.requireNonNull(transition, "transition"));
            return this;
        }

        /**
         * @param counter a counter
         * @return this builder
         */
        public Builder counter(CounterDefinition counter) {
            if (counters.putIfAbsent(counter.id(), counter) != null) {
                problems.add(new DefinitionProblem(counter.location(), "counter " + counter.id() + " is defined twice"));
            }
            return this;
        }

        /**
         * @param where where the definition comes from
         * @return this builder
         */
        Builder location(SourceLocation where) {
            this.location = where;
            return this;
        }

        /**
         * Validates and builds.
         *
         * @return the definition
         * @throws DefinitionException listing every problem
         */
        public PipelineDefinition build() {
            return build(List.of(), new ReadGaps(), null, null);
        }

        /**
         * Validates and builds, for the YAML loader: the problems it found while reading come in the same
         * exception as those of the model, in the order of their position.
         *
         * @param read the problems found while reading
         * @param gaps what could not be read, whose checks are skipped
         * @param stages the plugins every stage must name one of, or null not to check
         * @param collectors the evidence collectors to check {@code collect} against (asked for only if a state
         *     collects), or null not to check
         */
        PipelineDefinition build(List<DefinitionProblem> read, ReadGaps gaps, StageRegistry stages,
                                 Supplier<EvidenceCollectorRegistry> collectors) {
            List<DefinitionProblem> all = new ArrayList<>(read);
            all.addAll(problems);
            if (initial == null && !gaps.initial) {
                all.add(new DefinitionProblem(location, "pipeline " + id + " has no initial state"));
            }
            PipelineDefinition draft = new PipelineDefinition(id, title, description, initial, states, transitions,
                    counters, location, false);
            all.addAll(DefinitionValidator.validate(draft, gaps));
            if (stages != null) {
                all.addAll(draft.pluginProblems(stages));
            }
            if (collectors != null && draft.collectsEvidence()) {
                all.addAll(DefinitionValidator.checkCollectors(draft, collectors.get(), gaps));
            }
            throwIfAny(all);
            return draft;
        }
    }
}
