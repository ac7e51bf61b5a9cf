package dev.agentpipeline.core.definition;

import dev.agentpipeline.core.guard.Condition;
import dev.agentpipeline.core.guard.ConditionGuard;
import dev.agentpipeline.core.guard.MessageTemplate;
import dev.agentpipeline.core.guard.Operator;
import dev.agentpipeline.core.run.RunState;
import dev.agentpipeline.spi.StageRegistry;
import dev.agentpipeline.spi.evidence.EvidenceCollector;
import dev.agentpipeline.spi.evidence.EvidenceCollectorRegistry;
import dev.agentpipeline.spi.evidence.EvidenceType;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks a definition's structure; see {@link PipelineDefinition} for the rules. Every check runs, whatever the
 * others found, except those that need a part of the definition that {@link ReadGaps} says could not be read or
 * that another problem leaves open (see {@link #checkGraph}); {@link #inOrder} sorts the problems by position.
 */
final class DefinitionValidator {

    private static final Pattern PIPELINE_ID = Pattern.compile("[a-z][a-z0-9_-]{0,63}");
    private static final Pattern STATE_ID = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,63}");
    private static final Pattern COUNTER_ID = Pattern.compile("[a-z][a-z0-9_]{0,63}");

    /** Names a counter cannot have: they are fields of the run's state projection. */
    static final Set<String> RESERVED_NAMES = Set.of("schema_version", "run_id", "pipeline", "identifier", "phase",
            "paused_from", "complete", "closed", "paused_reason", "pause", "pending_decision", "decisions",
            "pipeline_start_time", "counter_limits", "stage_timestamps", "stage_summaries", "loop_health", "attempts", "counters",
            "final_result", "created_at", "updated_at", "journal_sequence", "manifest", "checkpoints");

    /** Names a state cannot have: they are fields of checkpoints.json beside the per-state entries. */
    static final Set<String> RESERVED_STATES = Set.of("schema_version", "_history", "_next_sequence");

    private DefinitionValidator() {
    }

    /**
     * The problems in the order of their position in the source (line, then column), each once. A sort that keeps
     * the order of problems at the same position, so builder problems (all at {@code <builder>}) stay as found.
     */
    static List<DefinitionProblem> inOrder(List<DefinitionProblem> problems) {
        List<DefinitionProblem> sorted = new ArrayList<>(new LinkedHashSet<>(problems));
        sorted.sort(java.util.Comparator.comparingInt((DefinitionProblem p) -> p.location().line())
                .thenComparingInt(p -> p.location().column()));
        return sorted;
    }

    static List<DefinitionProblem> validate(PipelineDefinition d, ReadGaps gaps) {
        List<DefinitionProblem> problems = new ArrayList<>();
        if (!gaps.id && !PIPELINE_ID.matcher(d.id()).matches()) {
            problems.add(new DefinitionProblem(d.location(), "pipeline id '" + d.id()
                    + "' must be 1 to 64 characters of a-z, 0-9, '_' or '-', starting with a letter"));
        }
        String known = String.join(", ", d.states().keySet());
        java.util.Map<String, String> lowerCase = new java.util.HashMap<>();
        for (StateDefinition state : d.states().values()) {
            String other = lowerCase.putIfAbsent(state.id().toLowerCase(java.util.Locale.ROOT), state.id());
            if (other != null) {
                problems.add(new DefinitionProblem(state.location(), "states " + other + " and " + state.id()
                        + " differ only by case; their timestamps and summaries would share keys (" + state.id()
                        .toLowerCase(java.util.Locale.ROOT) + "_start); rename one"));
            }
            if (RESERVED_STATES.contains(state.id())) {
                problems.add(new DefinitionProblem(state.location(), "state id '" + state.id()
                        + "' is reserved for a field of the run's files; choose another name"));
            }
            if (!STATE_ID.matcher(state.id()).matches()) {
                problems.add(new DefinitionProblem(state.location(), "state id '" + state.id()
                        + "' must be 1 to 64 characters of letters, digits and '_', starting with a letter"));
            }
            if (RunState.PAUSED.equals(state.id())) {
                problems.add(new DefinitionProblem(state.location(), "state id PAUSED is reserved: every pipeline"
                        + " has it implicitly, and any state may move to it"));
            }
            if (state.stage() != null && !StageRegistry.isValidId(state.stage())) {
                problems.add(new DefinitionProblem(state.location(), "state " + state.id() + ": stage plugin id '"
                        + state.stage() + "' must be 1 to 64 characters of a-z, 0-9 and '-', starting with a letter"));
            }
            if (state.stage() == null && !state.settings().isEmpty()) {
                problems.add(new DefinitionProblem(state.location(), "state " + state.id()
                        + " has settings but no stage plugin; settings are for the plugin named by 'stage:'"));
            }
            if (state.terminal() && state.stage() != null) {
                problems.add(new DefinitionProblem(state.location(), "state " + state.id()
                        + " is terminal and cannot have a stage plugin"));
            }
            checkCollect(problems, state, gaps);
            checkWaits(problems, state, d, gaps);
        }
        Map<String, String> signalNames = new HashMap<>();
        Map<String, String> signalFiles = new HashMap<>();
        for (StateDefinition state : d.states().values()) {
            if (state.signal() == null) {
                continue;
            }
            String other = signalNames.putIfAbsent(state.signal().name(), state.id());
            if (other != null) {
                problems.add(new DefinitionProblem(state.signal().location(), "state " + state.id() + ": signal '"
                        + state.signal().name() + "' is already the signal of " + other + "; a signal names the one"
                        + " state that receives it"));
            }
            if (state.signal().file() != null) {
                other = signalFiles.putIfAbsent(state.signal().file(), state.id());
                if (other != null) {
                    problems.add(new DefinitionProblem(state.signal().location(), "state " + state.id()
                            + ": signal file '" + state.signal().file() + "' is already the signal file of " + other));
                }
            }
        }
        if (d.initialState() != null && !gaps.states && !d.states().containsKey(d.initialState())) {
            problems.add(new DefinitionProblem(d.location(), "initial state '" + d.initialState()
                    + "' is not defined; states are " + known));
        }
        for (CounterDefinition counter : d.counters().values()) {
            if (!COUNTER_ID.matcher(counter.id()).matches()) {
                problems.add(new DefinitionProblem(counter.location(), "counter id '" + counter.id()
                        + "' must be 1 to 64 characters of a-z, 0-9 and '_', starting with a letter"));
            }
            if (RESERVED_NAMES.contains(counter.id())) {
                problems.add(new DefinitionProblem(counter.location(), "counter id '" + counter.id()
                        + "' is reserved for a field of the run state; choose another name"));
            }
            checkTemplate(problems, counter.location(), "counter " + counter.id(), counter.error(), d, gaps, true);
            checkTemplate(problems, counter.location(), "counter " + counter.id(), counter.recovery(), d, gaps, true);
        }

        Set<String> pairs = new HashSet<>();
        for (TransitionDefinition t : d.transitions()) {
            String name = "transition " + t.from() + " -> " + t.to();
            boolean statesKnown = true;
            for (String stateId : List.of(t.from(), t.to())) {
                if (!gaps.states && !d.states().containsKey(stateId)) {
                    statesKnown = false;
                    problems.add(new DefinitionProblem(t.location(), name + ": unknown state '" + stateId
                            + "'; states are " + known
                            + (RunState.PAUSED.equals(stateId) ? " (PAUSED is implicit and needs no transition)" : "")));
                }
            }
            if (statesKnown && d.isTerminal(t.from())) {
                problems.add(new DefinitionProblem(t.location(), name + ": " + t.from()
                        + " is terminal; a run that reached it has ended and cannot move on"));
            }
            if (!pairs.add(t.from() + "->" + t.to())) {
                problems.add(new DefinitionProblem(t.location(), name + " is defined twice; merge their guards"));
            }
            if (t.increments() != null && !gaps.counters && !d.counters().containsKey(t.increments())) {
                problems.add(new DefinitionProblem(t.location(), name + ": increments unknown counter '"
                        + t.increments() + "'; counters are "
                        + (d.counters().isEmpty() ? "none (define it under 'counters')" : String.join(", ",
                        d.counters().keySet()))));
            }
            for (GuardDefinition guard : t.guards()) {
                if (guard.guard() instanceof ConditionGuard conditions) {
                    for (Condition condition : conditions.conditions()) {
                        checkPath(problems, guard.location(), name, condition.path(), d, gaps);
                    }
                    checkTemplate(problems, guard.location(), name, conditions.error(), d, gaps, false);
                    checkTemplate(problems, guard.location(), name, conditions.recovery(), d, gaps, false);
                }
            }
        }
        for (ReadGaps.PathUse use : gaps.paths) {
            checkPath(problems, use.location(), use.owner(), use.path(), d, gaps);
        }
        checkGraph(d, gaps, problems);
        return problems;
    }

    /** The form of a state's collectors; whether they exist is {@link #checkCollectors}'s business. */
    /** A state's signal, gate and children: what they may be combined with, and the paths their texts read. */
    private static void checkWaits(List<DefinitionProblem> problems, StateDefinition state, PipelineDefinition d,
                                   ReadGaps gaps) {
        String owner = "state " + state.id();
        int waits = (state.signal() == null ? 0 : 1) + (state.gate() == null ? 0 : 1)
                + (state.children() == null ? 0 : 1);
        if (waits > 0 && state.terminal()) {
            problems.add(new DefinitionProblem(state.location(), owner + " is terminal and cannot wait for a signal,"
                    + " a decision or child runs: the run ends when it enters it"));
        }
        if (waits > 1) {
            problems.add(new DefinitionProblem(state.location(), owner + " waits for more than one of signal, gate"
                    + " and children; split it into states that each wait for one"));
        }
        if (state.gate() != null && state.stage() != null) {
            problems.add(new DefinitionProblem(state.gate().location(), owner + " is a gate and cannot also have a"
                    + " stage plugin; put the stage in the state before the gate"));
        }
        if (state.children() != null && state.stage() != null) {
            problems.add(new DefinitionProblem(state.children().location(), owner + " starts child runs and cannot"
                    + " also have a stage plugin; put the stage in a state of its own"));
        }
        if (state.gate() != null) {
            GateSpec gate = state.gate();
            checkTemplate(problems, gate.location(), owner + " gate question", gate.question(), d, gaps, false);
            if (gate.optionsFrom() != null) {
                checkPath(problems, gate.location(), owner + " gate options_from", gate.optionsFrom(), d, gaps);
            }
        }
    }

    private static void checkCollect(List<DefinitionProblem> problems, StateDefinition state, ReadGaps gaps) {
        if (!state.collect().isEmpty() && state.stage() == null && !gaps.stateBodies.contains(state.id())) {
            problems.add(new DefinitionProblem(state.collect().get(0).location(), "state " + state.id()
                    + " collects evidence but has no stage plugin; collectors run after each completed attempt of"
                    + " the state's stage, so give it a 'stage:' or remove 'collect:'"));
        }
        Set<String> ids = new HashSet<>();
        for (CollectorDefinition collector : state.collect()) {
            String owner = "state " + state.id() + ": collector '" + collector.id() + "'";
            if (!EvidenceCollectorRegistry.isValidId(collector.id())) {
                problems.add(new DefinitionProblem(collector.location(), "state " + state.id() + ": collector id '"
                        + collector.id() + "' must be 1 to 64 characters of a-z, 0-9 and '-', starting with a letter"));
            }
            if (!ids.add(collector.id())) {
                problems.add(new DefinitionProblem(collector.location(), owner + " is named twice; name it once"));
            }
            for (String glob : collector.reports()) {
                String problem = reportPatternProblem(glob);
                if (problem != null) {
                    problems.add(new DefinitionProblem(collector.location(), owner + ": report pattern '" + glob
                            + "' " + problem));
                }
            }
        }
    }

    /** @return why a report pattern cannot be used, or null */
    static String reportPatternProblem(String glob) {
        if (glob.isBlank()) {
            return "is empty; name files relative to the workspace, such as target/site/jacoco/jacoco.xml";
        }
        if (glob.startsWith("/") || glob.startsWith("\\") || glob.matches("^[A-Za-z]:.*")) {
            return "is absolute; report patterns are relative to the stage's workspace";
        }
        for (String segment : glob.split("[/\\\\]")) {
            if (segment.equals("..")) {
                return "climbs out of the workspace with '..'; report patterns stay inside the stage's workspace";
            }
        }
        try {
            java.nio.file.FileSystems.getDefault().getPathMatcher("glob:" + glob);
            return null;
        } catch (IllegalArgumentException e) {
            return "is not a valid glob: " + e.getMessage().replace('\n', ' ');
        }
    }

    /**
     * Checks that the collectors of every state exist, that no two of one state share a key, and that every
     * {@code evidence.STATE.KEY.FIELD} path names a key and a field the state's collectors give, of a type its
     * conditions can compare. The paths into a state are not checked when one of its collectors is missing or its
     * {@code collect} could not be read: what it records is not known then.
     */
    static List<DefinitionProblem> checkCollectors(PipelineDefinition d, EvidenceCollectorRegistry registry,
                                                   ReadGaps gaps) {
        List<DefinitionProblem> problems = new ArrayList<>();
        Map<String, Map<String, EvidenceCollector>> keys = new HashMap<>();
        for (StateDefinition state : d.states().values()) {
            Map<String, EvidenceCollector> byKey = new java.util.LinkedHashMap<>();
            boolean complete = !gaps.stateBodies.contains(state.id());
            for (CollectorDefinition definition : state.collect()) {
                if (!EvidenceCollectorRegistry.isValidId(definition.id())) {
                    complete = false; // its form is reported by validate
                    continue;
                }
                EvidenceCollector collector = registry.find(definition.id()).orElse(null);
                if (collector == null) {
                    complete = false;
                    problems.add(new DefinitionProblem(definition.location(), "state " + state.id()
                            + ": no evidence collector with id '" + definition.id() + "'; available: "
                            + (registry.ids().isEmpty() ? "none" : String.join(", ", registry.ids()))
                            + ". Add the collector's jar to the class path or change 'collect:'."));
                    continue;
                }
                EvidenceCollector other = byKey.putIfAbsent(collector.key(), collector);
                if (other != null && !other.id().equals(collector.id())) {
                    problems.add(new DefinitionProblem(definition.location(), "state " + state.id()
                            + ": collectors '" + other.id() + "' and '" + collector.id() + "' both record evidence"
                            + " under '" + collector.key() + "'; keep one of them"));
                }
            }
            if (complete) {
                keys.put(state.id(), byKey);
            }
        }
        for (TransitionDefinition t : d.transitions()) {
            String owner = "transition " + t.from() + " -> " + t.to();
            for (GuardDefinition guard : t.guards()) {
                if (guard.guard() instanceof ConditionGuard conditions) {
                    for (Condition condition : conditions.conditions()) {
                        checkEvidencePath(problems, guard.location(), owner, condition.path(), condition, keys);
                    }
                    for (MessageTemplate template : List.of(conditions.error(), conditions.recovery())) {
                        for (String placeholder : template.placeholders()) {
                            checkEvidencePath(problems, guard.location(), owner, placeholder, null, keys);
                        }
                    }
                }
            }
        }
        for (ReadGaps.PathUse use : gaps.paths) {
            checkEvidencePath(problems, use.location(), use.owner(), use.path(), null, keys);
        }
        return problems;
    }

    private static void checkEvidencePath(List<DefinitionProblem> problems, SourceLocation location, String owner,
                                          String path, Condition condition,
                                          Map<String, Map<String, EvidenceCollector>> keys) {
        if (!path.startsWith("evidence.")) {
            return;
        }
        String[] parts = path.split("\\.", 4);
        Map<String, EvidenceCollector> byKey = keys.get(parts[1]);
        if (byKey == null || parts.length < 3) {
            return; // an unknown or unread state is validate's problem; evidence.STATE alone is the whole evidence
        }
        EvidenceCollector collector = byKey.get(parts[2]);
        if (collector == null) {
            List<String> known = new ArrayList<>();
            byKey.forEach((key, c) -> known.add(key + " (" + c.id() + ")"));
            problems.add(new DefinitionProblem(location, owner + ": evidence path '" + path + "': state " + parts[1]
                    + " records " + String.join(", ", known) + ", not '" + parts[2] + "'"));
            return;
        }
        if (parts.length < 4) {
            return;
        }
        String field = parts[3];
        Map<String, EvidenceType> fields = new java.util.LinkedHashMap<>(collector.fields());
        fields.putIfAbsent("reports", EvidenceType.LIST);
        fields.putIfAbsent("warnings", EvidenceType.LIST);
        String head = field.contains(".") ? field.substring(0, field.indexOf('.')) : field;
        EvidenceType type = fields.containsKey(field) ? fields.get(field) : fields.get(head);
        if (type == null) {
            problems.add(new DefinitionProblem(location, owner + ": evidence path '" + path + "': collector "
                    + collector.id() + " gives no field '" + field + "'; its fields are "
                    + String.join(", ", fields.keySet())));
            return;
        }
        if (condition == null || !fields.containsKey(field)) {
            return; // a path into a list or object: its items' types are not declared
        }
        Operator operator = condition.operator();
        if (operator.numeric() && type != EvidenceType.NUMBER) {
            problems.add(new DefinitionProblem(location, owner + ": condition on " + path + ": '"
                    + operator.yamlName() + "' compares numbers, but " + field + " of " + collector.id() + " is "
                    + type.name().toLowerCase(java.util.Locale.ROOT)));
        }
        if (operator == Operator.EQ || operator == Operator.NE || operator == Operator.IN
                || operator == Operator.NOT_IN) {
            List<?> operands = condition.operand() instanceof List<?> list ? list : List.of(condition.operand());
            for (Object operand : operands) {
                EvidenceType operandType = operand instanceof Number ? EvidenceType.NUMBER
                        : operand instanceof Boolean ? EvidenceType.BOOLEAN : EvidenceType.TEXT;
                if (operandType != type) {
                    problems.add(new DefinitionProblem(location, owner + ": condition on " + path + ": "
                            + field + " of " + collector.id() + " is " + type.name().toLowerCase(java.util.Locale.ROOT)
                            + " and never equals " + (operand instanceof String ? "'" + operand + "'" : operand)));
                    break;
                }
            }
        }
    }

    private static void checkTemplate(List<DefinitionProblem> problems, SourceLocation location, String owner,
                                      MessageTemplate template, PipelineDefinition d, ReadGaps gaps,
                                      boolean counterVariables) {
        for (String placeholder : template.placeholders()) {
            if (counterVariables) {
                if (!Set.of("limit", "value", "counter").contains(placeholder)) {
                    problems.add(new DefinitionProblem(location, owner + ": placeholder ${" + placeholder
                            + "} is unknown; counter messages may use ${limit}, ${value} and ${counter}"));
                }
            } else {
                checkPath(problems, location, owner, placeholder, d, gaps);
            }
        }
    }

    private static void checkPath(List<DefinitionProblem> problems, SourceLocation location, String owner,
                                  String path, PipelineDefinition d, ReadGaps gaps) {
        int dot = path.indexOf('.');
        String root = dot < 0 ? path : path.substring(0, dot);
        String rest = dot < 0 ? "" : path.substring(dot + 1);
        switch (root) {
            case "checkpoint", "summary", "outcome", "evidence" -> {
                int next = rest.indexOf('.');
                String stateId = next < 0 ? rest : rest.substring(0, next);
                if (gaps.states || gaps.stateBodies.contains(stateId)) {
                    return; // whether the state exists, or what it collects, is not known
                }
                if (!d.states().containsKey(stateId)) {
                    problems.add(new DefinitionProblem(location, owner + ": evidence path '" + path
                            + "' names unknown state '" + stateId + "'; states are "
                            + String.join(", ", d.states().keySet())));
                } else if (root.equals("evidence") && d.states().get(stateId).collect().isEmpty()) {
                    problems.add(new DefinitionProblem(location, owner + ": evidence path '" + path
                            + "' reads what the collectors of " + stateId + " found, but " + stateId
                            + " has none; add 'collect: [junit, jacoco]' (the collectors it needs) to state " + stateId));
                }
            }
            case "signal", "decision", "children" -> {
                int next = rest.indexOf('.');
                String stateId = next < 0 ? rest : rest.substring(0, next);
                String field = next < 0 ? "" : rest.substring(next + 1);
                if (gaps.states || gaps.stateBodies.contains(stateId)) {
                    return;
                }
                StateDefinition state = d.states().get(stateId);
                if (state == null) {
                    problems.add(new DefinitionProblem(location, owner + ": evidence path '" + path
                            + "' names unknown state '" + stateId + "'; states are "
                            + String.join(", ", d.states().keySet())));
                } else if (root.equals("signal") && state.signal() == null) {
                    problems.add(new DefinitionProblem(location, owner + ": evidence path '" + path + "' reads the"
                            + " signal of " + stateId + ", but " + stateId + " waits for none; add 'signal:' to it"));
                } else if (root.equals("decision") && state.gate() == null) {
                    problems.add(new DefinitionProblem(location, owner + ": evidence path '" + path + "' reads the"
                            + " decision of " + stateId + ", but " + stateId + " is no gate; add 'gate:' to it"));
                } else if (root.equals("decision") && !Set.of("option", "by", "reason", "at").contains(field)) {
                    problems.add(new DefinitionProblem(location, owner + ": evidence path '" + path + "': a"
                            + " decision has the fields option, by, reason and at"));
                } else if (root.equals("children") && state.children() == null) {
                    problems.add(new DefinitionProblem(location, owner + ": evidence path '" + path + "' reads the"
                            + " child runs of " + stateId + ", but " + stateId + " starts none; add 'children:'"));
                } else if (root.equals("children")
                        && !Set.of("count", "ended", "done", "canceled", "all_done").contains(field)) {
                    problems.add(new DefinitionProblem(location, owner + ": evidence path '" + path + "': child"
                            + " runs have the fields count, ended, done, canceled and all_done"));
                }
            }
            case "counter" -> {
                if (!gaps.counters && !d.counters().containsKey(rest)) {
                    problems.add(new DefinitionProblem(location, owner + ": evidence path '" + path
                            + "' names unknown counter '" + rest + "'; counters are "
                            + (d.counters().isEmpty() ? "none" : String.join(", ", d.counters().keySet()))));
                }
            }
            case "run" -> {
                if (rest.isEmpty()) {
                    problems.add(new DefinitionProblem(location, owner + ": evidence path 'run' needs a field,"
                            + " for example run.phase"));
                }
            }
            default -> problems.add(new DefinitionProblem(location, owner + ": evidence path '" + path
                    + "' must start with checkpoint.STATE, summary.STATE, outcome.STATE, evidence.STATE, signal.STATE,"
                    + " decision.STATE, children.STATE, counter.NAME or run."));
        }
    }

    /**
     * Reachability, ways out, a terminal state and bounded cycles. A check is skipped where another problem leaves
     * its answer open, so that it never reports what only follows from that problem:
     * <ul>
     *   <li>no state is called unreachable when the initial state is unknown, or when a transition that a run may
     *       take (its source is reached, unknown or unread) leads to an unknown or unread state: that transition
     *       may have meant any state. A transition from an unknown or unread source counts as taken;</li>
     *   <li>no state is said to have no way out when a transition's source is unknown or unread (it may have
     *       meant that state), nor a state whose entry could not be read (it may be terminal);</li>
     *   <li>"no terminal state" is not said while a state's entry could not be read;</li>
     *   <li>a transition whose {@code increments} could not be read counts as bounded, and one out of a terminal
     *       state (reported already) is in no cycle.</li>
     * </ul>
     * A declared {@code PAUSED} state, already reported, is neither unreachable nor a dead end.
     */
    private static void checkGraph(PipelineDefinition d, ReadGaps gaps, List<DefinitionProblem> problems) {
        if (gaps.states) {
            return; // no state is known
        }
        Map<String, StateDefinition> states = d.states();
        // Reachability from the initial state.
        boolean anywhere = d.initialState() == null || !states.containsKey(d.initialState()) || gaps.transitions;
        Set<String> reached = new LinkedHashSet<>();
        Deque<String> queue = new ArrayDeque<>();
        if (!anywhere) {
            queue.add(d.initialState());
        }
        List<ReadGaps.Edge> edges = new ArrayList<>(gaps.edges);
        for (TransitionDefinition t : d.transitions()) {
            edges.add(new ReadGaps.Edge(t.from(), t.to()));
        }
        for (ReadGaps.Edge edge : edges) {
            if (edge.from() == null || !states.containsKey(edge.from())) {
                if (edge.to() != null && states.containsKey(edge.to())) {
                    queue.add(edge.to());
                } else {
                    anywhere = true;
                }
            }
        }
        while (!queue.isEmpty() && !anywhere) {
            String state = queue.poll();
            if (reached.add(state)) {
                for (ReadGaps.Edge edge : edges) {
                    if (state.equals(edge.from())) {
                        if (edge.to() != null && states.containsKey(edge.to())) {
                            queue.add(edge.to());
                        } else {
                            anywhere = true;
                        }
                    }
                }
            }
        }
        Set<String> withWayOut = new HashSet<>();
        edges.forEach(edge -> withWayOut.add(edge.from()));
        boolean sourcesKnown = !gaps.sourceUnread() && d.transitions().stream()
                .allMatch(t -> states.containsKey(t.from()));
        boolean anyTerminal = false;
        for (StateDefinition state : states.values()) {
            anyTerminal |= state.terminal();
            if (RunState.PAUSED.equals(state.id())) {
                continue;
            }
            if (!anywhere && !reached.contains(state.id())) {
                problems.add(new DefinitionProblem(state.location(), "state " + state.id()
                        + " is unreachable from the initial state " + d.initialState()
                        + "; add a transition into it or remove it"));
            }
            if (sourcesKnown && !state.terminal() && !withWayOut.contains(state.id())
                    && !gaps.stateBodies.contains(state.id())) {
                problems.add(new DefinitionProblem(state.location(), "state " + state.id()
                        + " has no way out; add a transition from it or mark it terminal"));
            }
        }
        if (!anyTerminal && gaps.stateBodies.isEmpty()) {
            problems.add(new DefinitionProblem(d.location(), "pipeline " + d.id()
                    + " has no terminal state; mark the state runs end in with terminal: true"));
        }
        // Every cycle must contain a transition that increments a counter (all counters have a limit).
        Map<String, List<TransitionDefinition>> unbounded = new HashMap<>();
        for (TransitionDefinition t : d.transitions()) {
            if (t.increments() == null && !gaps.increments.contains(t.location()) && !d.isTerminal(t.from())) {
                unbounded.computeIfAbsent(t.from(), k -> new ArrayList<>()).add(t);
            }
        }
        Set<String> done = new HashSet<>();
        for (String start : states.keySet()) {
            findCycle(start, unbounded, done, new ArrayList<>(), new LinkedHashSet<>(), problems);
        }
    }

    private static void findCycle(String state, Map<String, List<TransitionDefinition>> edges, Set<String> done,
                                  List<TransitionDefinition> path, Set<String> onPath,
                                  List<DefinitionProblem> problems) {
        if (done.contains(state)) {
            return;
        }
        onPath.add(state);
        for (TransitionDefinition t : edges.getOrDefault(state, List.of())) {
            if (onPath.contains(t.to())) {
                StringBuilder cycle = new StringBuilder();
                boolean in = false;
                for (TransitionDefinition step : path) {
                    in |= step.from().equals(t.to());
                    if (in) {
                        cycle.append(step.from()).append(" -> ");
                    }
                }
                cycle.append(t.from()).append(" -> ").append(t.to());
                problems.add(new DefinitionProblem(t.location(), "cycle " + cycle
                        + " has no bounded counter, so a run could loop forever; add 'increments: <counter>'"
                        + " (a counter with a limit) to one of its transitions"));
            } else if (!done.contains(t.to())) {
                path.add(t);
                findCycle(t.to(), edges, done, path, onPath, problems);
                path.remove(path.size() - 1);
            }
        }
        onPath.remove(state);
        done.add(state);
    }
}
