package dev.agentpipeline.core.definition;

import dev.agentpipeline.core.definition.YamlTree.ListNode;
import dev.agentpipeline.core.definition.YamlTree.MapNode;
import dev.agentpipeline.core.definition.YamlTree.Node;
import dev.agentpipeline.core.definition.YamlTree.ScalarNode;
import dev.agentpipeline.core.guard.Condition;
import dev.agentpipeline.core.guard.ConditionGuard;
import dev.agentpipeline.core.guard.Guard;
import dev.agentpipeline.core.guard.GuardRegistry;
import dev.agentpipeline.core.guard.Guards;
import dev.agentpipeline.core.guard.MessageTemplate;
import dev.agentpipeline.core.guard.Operator;
import dev.agentpipeline.core.guard.SummaryStandIn;
import dev.agentpipeline.core.run.GateOption;
import dev.agentpipeline.core.run.GateRequest;
import dev.agentpipeline.spi.StageRegistry;
import dev.agentpipeline.spi.evidence.EvidenceCollectorRegistry;

import org.apiguardian.api.API;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * Loads pipeline definitions from YAML.
 *
 * <pre>{@code
 * PipelineDefinition definition = PipelineDefinitions.fromYaml(Path.of("release.yaml"));
 * }</pre>
 *
 * <p>The format, in short (see {@code docs/formats.md} for all of it):
 * <pre>
 * schema_version: 1
 * id: release
 * initial: QUEUED
 * counters:
 *   retries: {limit: 2, error: "Build retried ${value} times", recovery: "Ask a person"}
 * states:
 *   QUEUED: {description: Waiting}
 *   BUILD:  {stage: acme-build}
 *   DONE:   {terminal: true}
 * transitions:
 *   - {from: QUEUED, to: BUILD}
 *   - from: BUILD
 *     to: DONE
 *     guards:
 *       - require: {outcome.BUILD.verdict: {eq: PASS}}
 *         reject: {code: build_failed, error: "Build verdict is ${outcome.BUILD.verdict}", recovery: "Fix it"}
 *   - {from: BUILD, to: BUILD, increments: retries}
 * </pre>
 *
 * <p>Every error - YAML syntax, an unknown key, a wrong type, and every rule of {@link PipelineDefinition} - is
 * a {@link DefinitionException} naming the file, line and column. One load reports all of a definition's problems
 * in one exception, sorted by line and column: those of reading it (duplicate and unknown keys, types, operators,
 * operands, templates, custom guards) together with those of the model (unknown states and counters, evidence
 * paths, unreachable states, states without a way out, cycles without a bounded counter) and, when they are
 * checked, missing stage plugins and evidence collectors. It leaves out only what another problem makes
 * meaningless:
 * <ul>
 *   <li>it stops at a YAML syntax error, an empty file or a document that is not a mapping: nothing else can be
 *       read then;</li>
 *   <li>a state or counter whose entry is malformed still counts as defined, so naming it is no "unknown state"
 *       or "unknown counter"; if {@code states} or {@code counters} itself is not a mapping, no name is called
 *       unknown;</li>
 *   <li>a check that needs something that could not be read, or that an unknown name leaves open, is skipped:
 *       no state is called unreachable while the initial state is unknown or a transition a run may take leads to
 *       an unknown state (it may have meant any state); no state is said to have no way out while a transition
 *       comes from an unknown state, nor one whose {@code terminal} could not be read; an {@code evidence.} path
 *       into a state whose collectors are not all known is not checked.</li>
 * </ul>
 * Thread-safe.
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class PipelineDefinitions {

    /** The definition format version this library reads and writes. */
    public static final int SCHEMA_VERSION = 1;

    private PipelineDefinitions() {
    }

    /**
     * Loads a definition file that uses no custom guards.
     *
     * @param file the YAML file
     * @return the definition
     * @throws DefinitionException if the file is missing, unreadable or invalid
     */
    public static PipelineDefinition fromYaml(Path file) {
        return fromYaml(file, GuardRegistry.empty());
    }

    /**
     * Loads a definition file.
     *
     * @param file the YAML file
     * @param guards the custom guards it may name
     * @return the definition
     * @throws DefinitionException if the file is missing, unreadable or invalid
     */
    public static PipelineDefinition fromYaml(Path file, GuardRegistry guards) {
        return load(file, guards, null);
    }

    private static PipelineDefinition load(Path file, GuardRegistry guards, StageRegistry stages) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw YamlTree.problem(new SourceLocation(file.toString(), 0, 0),
                    "file not found; check the path (relative paths start at " + Path.of("").toAbsolutePath() + ")");
        } catch (IOException e) {
            throw YamlTree.problem(new SourceLocation(file.toString(), 0, 0), "cannot read the file: " + e);
        }
        return load(file.toString(), text, guards, stages);
    }

    /**
     * Loads a definition file and checks that every stage plugin it names exists.
     *
     * @param file the YAML file
     * @param guards the custom guards it may name
     * @param stages the available stage plugins
     * @return the definition
     * @throws DefinitionException if the file is invalid or names a missing plugin, listing the missing plugins
     *     with the definition's other problems
     */
    public static PipelineDefinition fromYaml(Path file, GuardRegistry guards, StageRegistry stages) {
        return load(file, guards, Objects.requireNonNull(stages, "stages"));
    }

    /**
     * Loads a definition from YAML text.
     *
     * @param sourceName the name errors report (a file name)
     * @param yaml the text
     * @param guards the custom guards it may name
     * @return the definition
     * @throws DefinitionException if the text is invalid
     */
    public static PipelineDefinition fromYaml(String sourceName, String yaml, GuardRegistry guards) {
        return load(sourceName, yaml, guards, null);
    }

    private static PipelineDefinition load(String sourceName, String yaml, GuardRegistry guards,
                                           StageRegistry stages) {
        Objects.requireNonNull(guards, "guards");
        Reader reader = new Reader(guards);
        Node root = YamlTree.parse(sourceName, yaml, reader.problems);
        PipelineDefinition.Builder builder = reader.definition(root);
        return builder.build(reader.problems, reader.gaps, stages, EvidenceCollectorRegistry::load);
    }

    /**
     * Loads a definition from a class-path resource.
     *
     * @param anchor the class whose loader finds the resource
     * @param resource the resource name, relative to the anchor's package or absolute with a leading '/'
     * @param guards the custom guards it may name
     * @return the definition
     * @throws DefinitionException if the resource is missing or invalid
     */
    public static PipelineDefinition fromResource(Class<?> anchor, String resource, GuardRegistry guards) {
        try (InputStream in = anchor.getResourceAsStream(resource)) {
            if (in == null) {
                throw YamlTree.problem(new SourceLocation(resource, 0, 0), "resource not found next to "
                        + anchor.getName());
            }
            return fromYaml(resource, new String(in.readAllBytes(), StandardCharsets.UTF_8), guards);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Turns the located tree into a builder, checking keys and types. It reads on past every problem, keeping what
     * it can read (a state whose entry is malformed is still a state) and noting in {@link #gaps} what it cannot,
     * so that the model's checks run as well and skip only what depends on the unread parts.
     */
    private static final class Reader {
        private static final String COUNTER_RECOVERY = "Escalate to a person";

        private final GuardRegistry guards;
        final List<DefinitionProblem> problems = new ArrayList<>();
        final ReadGaps gaps = new ReadGaps();

        Reader(GuardRegistry guards) {
            this.guards = guards;
        }

        /** @throws DefinitionException if the document is not a mapping: then nothing in it can be a definition */
        PipelineDefinition.Builder definition(Node root) {
            MapNode top = map(root, "the pipeline definition");
            if (top == null) {
                throw new DefinitionException(DefinitionValidator.inOrder(problems));
            }
            keys(top, "the pipeline definition", Set.of("schema_version", "id", "title", "description", "initial",
                    "counters", "states", "transitions"));
            Node version = required(top, "schema_version", "the pipeline definition");
            if (version instanceof ScalarNode s && !(s.value instanceof Long l && l == SCHEMA_VERSION)) {
                fail(version.location, "schema_version " + s.value + " is not supported; this library reads "
                        + "schema_version " + SCHEMA_VERSION);
            }
            String id = text(required(top, "id", "the pipeline definition"), "id");
            gaps.id = id == null;
            PipelineDefinition.Builder builder = PipelineDefinition.builder(id == null ? "?" : id)
                    .location(top.location);
            optionalText(top, "title").ifPresent(builder::title);
            optionalText(top, "description").ifPresent(builder::description);
            String initial = text(required(top, "initial", "the pipeline definition"), "initial");
            if (initial != null) {
                builder.initial(initial);
            }
            gaps.initial = initial == null;
            Node counters = top.entries.get("counters");
            if (counters != null) {
                MapNode map = map(counters, "counters");
                if (map != null) {
                    map.entries.forEach((name, node) -> counter(builder, name, map.keys.get(name), node));
                }
                gaps.counters = map == null;
            }
            MapNode states = map(required(top, "states", "the pipeline definition"), "states");
            if (states != null) {
                states.entries.forEach((name, node) -> state(builder, name, states.keys.get(name), node));
            }
            gaps.states = states == null;
            Node transitions = required(top, "transitions", "the pipeline definition");
            if (transitions instanceof ListNode list) {
                for (Node item : list.items) {
                    transition(builder, item);
                }
            } else if (transitions != null) {
                fail(transitions.location, "'transitions' must be a list, got " + transitions.kind());
            }
            gaps.transitions = !(transitions instanceof ListNode);
            return builder;
        }

        /** Defines the counter even if its entry is malformed, so that naming it is no "unknown counter". */
        private void counter(PipelineDefinition.Builder builder, String name, SourceLocation at, Node node) {
            MapNode map = map(node, "counter " + name);
            if (map == null) {
                builder.counter(new CounterDefinition(name, 0, name + "_limit",
                        MessageTemplate.of(counterError(name)), MessageTemplate.of(COUNTER_RECOVERY), at));
                return;
            }
            keys(map, "counter " + name, Set.of("limit", "code", "error", "recovery", "description"));
            Node limitNode = required(map, "limit", "counter " + name);
            long limit = 0;
            if (limitNode instanceof ScalarNode s && s.value instanceof Long l && l >= 0 && l <= Integer.MAX_VALUE) {
                limit = l;
            } else if (limitNode != null) {
                fail(limitNode.location, "counter " + name + ": limit must be a whole number 0 or more, got "
                        + limitNode.kind());
            }
            String code = optionalText(map, "code").orElse(name + "_limit");
            MessageTemplate error = template(map, "error", counterError(name));
            MessageTemplate recovery = template(map, "recovery", COUNTER_RECOVERY);
            builder.counter(new CounterDefinition(name, (int) limit, code,
                    error == null ? MessageTemplate.of(counterError(name)) : error,
                    recovery == null ? MessageTemplate.of(COUNTER_RECOVERY) : recovery, at));
        }

        private static String counterError(String name) {
            return "Counter " + name + " reached its limit (${limit})";
        }

        /**
         * Defines the state even if its entry is malformed, so that naming it is no "unknown state"; a state whose
         * entry, terminal, stage or collect cannot be read goes into the gaps.
         */
        private void state(PipelineDefinition.Builder builder, String name, SourceLocation at, Node node) {
            boolean empty = node instanceof ScalarNode s && (s.value == null || "".equals(s.value));
            MapNode map = empty ? new MapNode(at) : map(node, "state " + name);
            if (map == null) {
                gaps.stateBodies.add(name);
                builder.state(new StateDefinition(name, "", null, false, Map.of(), at));
                return;
            }
            keys(map, "state " + name, Set.of("description", "stage", "terminal", "properties", "settings",
                    "collect", "summary_stand_in", "signal", "gate", "children"));
            int before = problems.size();
            String stage = optionalText(map, "stage").orElse(null);
            boolean terminal = false;
            Node terminalNode = map.entries.get("terminal");
            if (terminalNode instanceof ScalarNode s && s.value instanceof Boolean b) {
                terminal = b;
            } else if (terminalNode != null) {
                fail(terminalNode.location, "state " + name + ": terminal must be true or false, got "
                        + terminalNode.kind());
            }
            List<CollectorDefinition> collect = collect(name, map.entries.get("collect"));
            SummaryStandIn standIn = standIn(name, terminal, map.entries.get("summary_stand_in"));
            SignalSpec signal = signal(name, map.entries.get("signal"));
            GateSpec gate = gate(name, map.entries.get("gate"));
            ChildrenSpec children = children(name, map.entries.get("children"));
            if (problems.size() > before) {
                gaps.stateBodies.add(name);
            }
            Map<String, Object> properties = Map.of();
            Node propertiesNode = map.entries.get("properties");
            if (propertiesNode != null) {
                MapNode props = map(propertiesNode, "state " + name + " properties");
                if (props != null) {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> values = (Map<String, Object>) YamlTree.toValue(props);
                    properties = values;
                }
            }
            Map<String, Object> settings = Map.of();
            Node settingsNode = map.entries.get("settings");
            if (settingsNode != null) {
                MapNode values = map(settingsNode, "state " + name + " settings");
                if (values != null && stage == null) {
                    if (!map.entries.containsKey("stage")) { // an unreadable stage is reported already
                        fail(settingsNode.location, "state " + name + " has settings but no stage plugin; settings"
                                + " are for the plugin named by 'stage:'");
                    }
                } else if (values != null) {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> given = (Map<String, Object>) YamlTree.toValue(values);
                    settings = given;
                }
            }
            builder.state(new StateDefinition(name, optionalText(map, "description").orElse(""), stage, terminal,
                    properties, settings, at, collect, standIn, signal, gate, children));
        }

        /** {@code signal: {name, file, format, timeout}}, or {@code signal: true} for the defaults. */
        private SignalSpec signal(String state, Node node) {
            if (node == null) {
                return null;
            }
            if (node instanceof ScalarNode s && Boolean.TRUE.equals(s.value)) {
                return new SignalSpec(state, null, SignalSpec.JSON, null, node.location);
            }
            String what = "state " + state + ": signal";
            MapNode map = map(node, what);
            if (map == null) {
                return null;
            }
            keys(map, what, Set.of("name", "file", "format", "timeout"));
            String name = optionalText(map, "name").orElse(state);
            if (!name.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,99}")) {
                fail(map.entries.getOrDefault("name", node).location, what + ": name '" + name + "' must be 1 to 100"
                        + " letters, digits, '_', '.' or '-', starting with a letter or digit");
                return null;
            }
            String file = optionalText(map, "file").orElse(null);
            if (file != null && (!file.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,199}") || file.contains(".."))) {
                fail(map.entries.get("file").location, what + ": file '" + file + "' must be a plain file name"
                        + " (letters, digits, '_', '.', '-'), such as phase7-complete.json");
                return null;
            }
            String format = optionalText(map, "format").orElse(SignalSpec.JSON);
            if (!Set.of(SignalSpec.JSON, SignalSpec.PHASE).contains(format)) {
                fail(map.entries.get("format").location, what + ": format '" + format + "' is unknown; use json (any"
                        + " object) or phase (the completion and error signals of the phase pipeline)");
                return null;
            }
            Duration timeout = duration(map, "timeout", what);
            return new SignalSpec(name, file, format, timeout, node.location);
        }

        /** {@code gate: {question, options, options_from, answerers, timeout, on_expiry, default, escalate_to}} */
        private GateSpec gate(String state, Node node) {
            if (node == null) {
                return null;
            }
            String what = "state " + state + ": gate";
            MapNode map = map(node, what);
            if (map == null) {
                return null;
            }
            keys(map, what, Set.of("question", "options", "options_from", "answerers", "timeout", "on_expiry",
                    "default", "escalate_to"));
            int before = problems.size();
            MessageTemplate question = template(map, "question", null);
            if (!map.entries.containsKey("question")) {
                fail(map.location, what + " needs 'question'");
            }
            List<GateOption> options = new ArrayList<>();
            Node optionsNode = map.entries.get("options");
            if (optionsNode instanceof ListNode list) {
                for (Node item : list.items) {
                    GateOption option = gateOption(what, item);
                    if (option != null) {
                        options.add(option);
                    }
                }
            } else if (optionsNode != null) {
                fail(optionsNode.location, what + ": options must be a list of {id, label, pros, cons}");
            }
            String optionsFrom = optionalText(map, "options_from").orElse(null);
            List<String> answerers = texts(map, "answerers", what);
            List<String> escalateTo = texts(map, "escalate_to", what);
            Duration timeout = duration(map, "timeout", what);
            GateRequest.Expiry expiry = GateRequest.Expiry.PAUSE;
            Node expiryNode = map.entries.get("on_expiry");
            String expiryText = expiryNode == null ? null : text(expiryNode, "on_expiry");
            if (expiryText != null) {
                try {
                    expiry = GateRequest.Expiry.fromWireName(expiryText);
                } catch (IllegalArgumentException e) {
                    fail(expiryNode.location, what + ": on_expiry '" + expiryText + "' is unknown; use escalate,"
                            + " default (with default: OPTION) or pause");
                }
            }
            if (expiryNode != null && timeout == null && !map.entries.containsKey("timeout")) {
                fail(expiryNode.location, what + ": on_expiry needs a timeout, such as timeout: 4h");
            }
            String defaultOption = optionalText(map, "default").orElse(null);
            if (problems.size() > before || question == null) {
                return null;
            }
            try {
                return new GateSpec(question, options, optionsFrom, answerers, timeout, expiry, defaultOption,
                        escalateTo, node.location);
            } catch (IllegalArgumentException e) {
                fail(node.location, what + ": " + e.getMessage());
                return null;
            }
        }

        private GateOption gateOption(String what, Node node) {
            MapNode map = map(node, what + " option");
            if (map == null) {
                return null;
            }
            keys(map, what + " option", Set.of("id", "label", "pros", "cons"));
            String id = text(required(map, "id", what + " option"), "id");
            if (id == null) {
                return null;
            }
            try {
                return new GateOption(id, optionalText(map, "label").orElse(""), texts(map, "pros", what),
                        texts(map, "cons", what));
            } catch (IllegalArgumentException e) {
                fail(node.location, what + ": " + e.getMessage());
                return null;
            }
        }

        /** {@code children: {pipeline, count, class}} */
        private ChildrenSpec children(String state, Node node) {
            if (node == null) {
                return null;
            }
            String what = "state " + state + ": children";
            MapNode map = map(node, what);
            if (map == null) {
                return null;
            }
            keys(map, what, Set.of("pipeline", "count", "class"));
            String pipeline = text(required(map, "pipeline", what), "pipeline");
            long count = 1;
            Node countNode = map.entries.get("count");
            if (countNode instanceof ScalarNode c && c.value instanceof Long l && l >= 1 && l <= 10_000) {
                count = l;
            } else if (countNode != null) {
                fail(countNode.location, what + ": count must be a whole number from 1 to 10000, got "
                        + countNode.kind());
                return null;
            }
            String concurrencyClass = optionalText(map, "class").orElse("default");
            if (!concurrencyClass.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")) {
                fail(map.entries.get("class").location, what + ": class '" + concurrencyClass + "' must be 1 to 64"
                        + " letters, digits, '_', '.' or '-'");
                return null;
            }
            return pipeline == null ? null : new ChildrenSpec(pipeline, (int) count, concurrencyClass, node.location);
        }

        private Duration duration(MapNode map, String key, String what) {
            Node node = map.entries.get(key);
            if (node == null) {
                return null;
            }
            String text = text(node, key);
            if (text == null) {
                return null;
            }
            try {
                Duration value = Durations.parse(text);
                if (value.isZero()) {
                    fail(node.location, what + ": " + key + " must be longer than zero");
                    return null;
                }
                return value;
            } catch (IllegalArgumentException e) {
                fail(node.location, what + ": " + key + " " + e.getMessage());
                return null;
            }
        }

        private List<String> texts(MapNode map, String key, String what) {
            Node node = map.entries.get(key);
            List<String> values = new ArrayList<>();
            if (node == null) {
                return values;
            }
            if (!(node instanceof ListNode list)) {
                fail(node.location, what + ": " + key + " must be a list of text");
                return values;
            }
            for (Node item : list.items) {
                String value = text(item, key);
                if (value != null) {
                    values.add(value);
                }
            }
            return values;
        }

        /** {@code summary_stand_in: {status: completed, verdict: {checkpoint: verdict}}} */
        private SummaryStandIn standIn(String state, boolean terminal, Node node) {
            if (node == null) {
                return null;
            }
            String what = "state " + state + ": summary_stand_in";
            MapNode map = map(node, what);
            if (map == null) {
                return null;
            }
            if (terminal) {
                fail(node.location, what + " is for states whose stage records a summary, not a terminal state");
                return null;
            }
            if (map.entries.isEmpty()) {
                fail(node.location, what + " needs at least one field, such as status: completed");
                return null;
            }
            SummaryStandIn.Builder standIn = SummaryStandIn.builder();
            boolean valid = true;
            for (Map.Entry<String, Node> field : map.entries.entrySet()) {
                SourceLocation at = map.keys.get(field.getKey());
                Node value = field.getValue();
                try {
                    if (value instanceof MapNode from) {
                        Node checkpoint = from.entries.get("checkpoint");
                        if (from.entries.size() != 1 || !(checkpoint instanceof ScalarNode c)
                                || !(c.value instanceof String name) || name.isBlank()) {
                            fail(value.location, what + "." + field.getKey() + " must be a constant or"
                                    + " {checkpoint: FIELD}, such as {checkpoint: verdict}");
                            valid = false;
                            continue;
                        }
                        standIn.fromCheckpoint(field.getKey(), name);
                    } else if (value instanceof ScalarNode scalar && scalar.value != null) {
                        standIn.constant(field.getKey(), scalar.value);
                    } else {
                        fail(value.location, what + "." + field.getKey() + " must be a string, number or boolean,"
                                + " or {checkpoint: FIELD}; got " + value.kind());
                        valid = false;
                    }
                } catch (IllegalArgumentException e) {
                    fail(at, what + ": " + e.getMessage());
                    valid = false;
                }
            }
            return valid ? standIn.build() : null;
        }

        /** {@code collect: [junit, {id: jacoco, reports: [target/site/jacoco/jacoco.xml]}]} */
        private List<CollectorDefinition> collect(String state, Node node) {
            List<CollectorDefinition> collectors = new ArrayList<>();
            if (node == null) {
                return collectors;
            }
            if (!(node instanceof ListNode list)) {
                fail(node.location, "state " + state + ": 'collect' must be a list of collector ids, such as"
                        + " [junit, jacoco], got " + node.kind());
                return collectors;
            }
            for (Node item : list.items) {
                if (item instanceof MapNode map) {
                    keys(map, "a collector of state " + state, Set.of("id", "reports"));
                    String id = text(required(map, "id", "a collector of state " + state), "id");
                    List<String> reports = new ArrayList<>();
                    Node reportsNode = map.entries.get("reports");
                    if (reportsNode instanceof ListNode patterns && !patterns.items.isEmpty()) {
                        for (Node pattern : patterns.items) {
                            String glob = text(pattern, "reports");
                            if (glob != null) {
                                reports.add(glob);
                            }
                        }
                    } else if (reportsNode != null) {
                        fail(reportsNode.location, "state " + state + ": 'reports' must be a non-empty list of file"
                                + " patterns relative to the workspace, such as [target/site/jacoco/jacoco.xml]");
                    }
                    if (id != null) {
                        collectors.add(new CollectorDefinition(id, reports, item.location));
                    }
                } else {
                    String id = text(item, "collect");
                    if (id != null) {
                        collectors.add(new CollectorDefinition(id, List.of(), item.location));
                    }
                }
            }
            return collectors;
        }

        /**
         * Adds a transition for every target; the parts that cannot be read go into the gaps: a transition without
         * a readable source or target as a partial edge, an unreadable {@code increments} by location, and the
         * evidence paths of its guards if it cannot be added.
         */
        private void transition(PipelineDefinition.Builder builder, Node node) {
            MapNode map = map(node, "a transition");
            if (map == null) {
                gaps.edges.add(new ReadGaps.Edge(null, null));
                return;
            }
            keys(map, "transition", Set.of("from", "to", "guards", "increments", "description", "backoff"));
            String from = text(required(map, "from", "transition"), "from");
            Node toNode = required(map, "to", "transition");
            List<String> targets = new ArrayList<>();
            boolean targetUnread = toNode == null;
            if (toNode instanceof ListNode list) {
                if (list.items.isEmpty()) {
                    fail(list.location, "'to' is an empty list; name at least one state");
                    targetUnread = true;
                }
                for (Node item : list.items) {
                    String target = text(item, "to");
                    if (target != null) {
                        targets.add(target);
                    } else {
                        targetUnread = true;
                    }
                }
            } else if (toNode != null) {
                String target = text(toNode, "to");
                if (target != null) {
                    targets.add(target);
                } else {
                    targetUnread = true;
                }
            }
            Node incrementsNode = map.entries.get("increments");
            String increments = incrementsNode == null ? null : text(incrementsNode, "increments");
            if (incrementsNode != null && increments == null) {
                gaps.increments.add(map.location);
            }
            String description = optionalText(map, "description").orElse("");
            List<Duration> backoff = new ArrayList<>();
            Node backoffNode = map.entries.get("backoff");
            if (backoffNode instanceof ListNode waits && !waits.items.isEmpty()) {
                for (Node item : waits.items) {
                    String text = text(item, "backoff");
                    try {
                        backoff.add(Durations.parse(text));
                    } catch (IllegalArgumentException e) {
                        if (text != null) {
                            fail(item.location, "backoff " + e.getMessage());
                        }
                    }
                }
            } else if (backoffNode != null) {
                fail(backoffNode.location, "'backoff' must be a non-empty list of durations, such as [1m, 2m, 4m]");
            }
            List<GuardDefinition> guardList = new ArrayList<>();
            List<GuardPath> unbuilt = new ArrayList<>();
            Node guardsNode = map.entries.get("guards");
            if (guardsNode instanceof ListNode list) {
                for (Node item : list.items) {
                    GuardDefinition guard = guard(item, unbuilt);
                    if (guard != null) {
                        guardList.add(guard);
                    }
                }
            } else if (guardsNode != null) {
                fail(guardsNode.location, "'guards' must be a list, got " + guardsNode.kind());
            }
            if (targetUnread) {
                gaps.edges.add(new ReadGaps.Edge(from, null));
                if (targets.isEmpty()) {
                    pathsOf("transition " + (from == null ? "?" : from) + " -> ?", guardList, unbuilt);
                }
            }
            for (String to : targets) {
                String owner = "transition " + (from == null ? "?" : from) + " -> " + to;
                if (from == null) {
                    gaps.edges.add(new ReadGaps.Edge(null, to));
                    pathsOf(owner, guardList, unbuilt);
                } else {
                    builder.transition(new TransitionDefinition(from, to, guardList, increments, description,
                            map.location, backoff));
                    pathsOf(owner, List.of(), unbuilt);
                }
            }
        }

        /** Hands the evidence paths of guards that are in no transition to the model's checks. */
        private void pathsOf(String owner, List<GuardDefinition> built, List<GuardPath> unbuilt) {
            for (GuardDefinition guard : built) {
                if (guard.guard() instanceof ConditionGuard conditions) {
                    List<String> paths = new ArrayList<>();
                    conditions.conditions().forEach(condition -> paths.add(condition.path()));
                    paths.addAll(conditions.error().placeholders());
                    paths.addAll(conditions.recovery().placeholders());
                    paths.forEach(path -> gaps.paths.add(new ReadGaps.PathUse(owner, guard.location(), path)));
                }
            }
            unbuilt.forEach(use -> gaps.paths.add(new ReadGaps.PathUse(owner, use.location(), use.path())));
        }

        /** An evidence path of a guard that could not be built, where the guard is. */
        private record GuardPath(SourceLocation location, String path) {
        }

        /**
         * @param unbuilt receives the evidence paths (of conditions and of placeholders) that the model's checks
         *     would not see because their guard, or their condition, could not be built
         * @return the guard, or null if it cannot be built
         */
        private GuardDefinition guard(Node node, List<GuardPath> unbuilt) {
            MapNode map = map(node, "a guard");
            if (map == null) {
                return null;
            }
            keys(map, "guard", Set.of("require", "reject", "custom", "description"));
            Node custom = map.entries.get("custom");
            if (custom != null) {
                if (map.entries.containsKey("require") || map.entries.containsKey("reject")) {
                    fail(map.location, "a guard is either 'custom: <name>' or 'require' + 'reject', not both");
                    return null;
                }
                String name = text(custom, "custom");
                if (name == null) {
                    return null;
                }
                Guard guard = guards.find(name).orElse(null);
                if (guard == null) {
                    fail(custom.location, "unknown custom guard '" + name + "'; registered guards: "
                            + (guards.names().isEmpty() ? "none (register it with GuardRegistry.with)"
                            : String.join(", ", guards.names())));
                    return null;
                }
                return new GuardDefinition(guard, map.location);
            }
            MapNode require = map(required(map, "require", "guard"), "'require'");
            MapNode reject = map(required(map, "reject", "guard"), "'reject'");
            List<Condition> conditions = new ArrayList<>();
            List<String> paths = new ArrayList<>();
            List<String> lost = new ArrayList<>();
            if (require != null) {
                require.entries.forEach((path, ops) ->
                        conditions(path, require.keys.get(path), ops, conditions, paths, lost));
                if (require.entries.isEmpty()) {
                    fail(require.location, "'require' needs at least one condition, such as"
                            + " summary.STAGE_1.verdict: {eq: GO}");
                }
            }
            String code = null;
            MessageTemplate error = null;
            MessageTemplate recovery = null;
            if (reject != null) {
                keys(reject, "'reject'", Set.of("code", "error", "recovery"));
                code = text(required(reject, "code", "'reject'"), "code");
                error = rejectTemplate(reject, text(required(reject, "error", "'reject'"), "error"));
                recovery = rejectTemplate(reject, optionalText(reject, "recovery").orElse(""));
                for (MessageTemplate template : java.util.Arrays.asList(error, recovery)) {
                    if (template != null) {
                        paths.addAll(template.placeholders());
                    }
                }
            }
            if (code == null || error == null || recovery == null || conditions.isEmpty()) {
                paths.forEach(path -> unbuilt.add(new GuardPath(map.location, path)));
                return null;
            }
            lost.forEach(path -> unbuilt.add(new GuardPath(map.location, path)));
            return new GuardDefinition(Guards.require(conditions.toArray(Condition[]::new))
                    .orReject(code, error.text(), recovery.text()), map.location);
        }

        /** @return the template, or null (and a problem where the rejection is) if it is malformed */
        private MessageTemplate rejectTemplate(MapNode reject, String text) {
            if (text == null) {
                return null;
            }
            try {
                return MessageTemplate.of(text);
            } catch (IllegalArgumentException e) {
                fail(reject.location, e.getMessage());
                return null;
            }
        }

        /**
         * Reads the conditions on one path into {@code out}. A well-formed path goes into {@code paths}, and into
         * {@code lost} as well if no condition on it can be built, so that it is checked in any case; a malformed
         * path is reported here, with each operator it is given.
         */
        private void conditions(String path, SourceLocation at, Node node, List<Condition> out, List<String> paths,
                                List<String> lost) {
            int built = out.size();
            boolean wellFormed;
            try {
                Condition.exists(path);
                wellFormed = true;
            } catch (IllegalArgumentException e) {
                wellFormed = false;
            }
            readConditions(path, at, node, out);
            if (wellFormed) {
                paths.add(path);
                if (out.size() == built) {
                    lost.add(path);
                }
            }
        }

        private void readConditions(String path, SourceLocation at, Node node, List<Condition> out) {
            MapNode ops = map(node, "condition on " + path);
            if (ops == null) {
                return;
            }
            boolean optional = false;
            Node optionalNode = ops.entries.get("optional");
            if (optionalNode instanceof ScalarNode s && s.value instanceof Boolean b) {
                optional = b;
            } else if (optionalNode != null) {
                fail(optionalNode.location, "'optional' must be true or false, got " + optionalNode.kind());
            }
            int count = 0;
            for (Map.Entry<String, Node> op : ops.entries.entrySet()) {
                if (op.getKey().equals("optional")) {
                    continue;
                }
                count++;
                SourceLocation opAt = ops.keys.get(op.getKey());
                try {
                    Operator operator = Operator.fromYamlName(op.getKey());
                    Condition condition = Condition.of(path, operator, YamlTree.toValue(op.getValue()));
                    out.add(optional ? condition.optional() : condition);
                } catch (IllegalArgumentException e) {
                    fail(opAt, "condition on " + path + ": " + e.getMessage());
                }
            }
            if (count == 0) {
                fail(at, "condition on " + path + " has no operator; use exists, eq, ne, in, not_in, gt, gte, lt"
                        + " or lte, for example {eq: GO}");
            }
        }

        private MessageTemplate template(MapNode map, String key, String fallback) {
            Node node = map.entries.get(key);
            String text = node == null ? fallback : text(node, key);
            if (text == null) {
                return null;
            }
            try {
                return MessageTemplate.of(text);
            } catch (IllegalArgumentException e) {
                fail(node == null ? map.location : node.location, e.getMessage());
                return null;
            }
        }

        private MapNode map(Node node, String what) {
            if (node == null) {
                return null;
            }
            if (node instanceof MapNode map) {
                return map;
            }
            fail(node.location, what + " must be a mapping (key: value lines), got " + node.kind());
            return null;
        }

        private Node required(MapNode map, String key, String what) {
            if (map == null) {
                return null;
            }
            Node node = map.entries.get(key);
            if (node == null) {
                fail(map.location, what + " needs '" + key + "'");
            }
            return node;
        }

        private void keys(MapNode map, String what, Set<String> allowed) {
            if (map == null) {
                return;
            }
            for (Map.Entry<String, SourceLocation> key : map.keys.entrySet()) {
                if (!allowed.contains(key.getKey())) {
                    fail(key.getValue(), "unknown key '" + key.getKey() + "' in " + what + "; expected "
                            + String.join(", ", allowed.stream().sorted().toList()));
                }
            }
        }

        private String text(Node node, String key) {
            if (node == null) {
                return null;
            }
            if (node instanceof ScalarNode s && s.value != null && !(s.value instanceof Boolean)) {
                return String.valueOf(s.value);
            }
            fail(node.location, "'" + key + "' must be text, got " + node.kind());
            return null;
        }

        private java.util.Optional<String> optionalText(MapNode map, String key) {
            Node node = map.entries.get(key);
            return node == null ? java.util.Optional.empty() : java.util.Optional.ofNullable(text(node, key));
        }

        private void fail(SourceLocation location, String message) {
            problems.add(new DefinitionProblem(location, message));
        }
    }
}
