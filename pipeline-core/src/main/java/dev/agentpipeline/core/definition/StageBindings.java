package dev.agentpipeline.core.definition;

import dev.agentpipeline.core.definition.YamlTree.MapNode;
import dev.agentpipeline.core.definition.YamlTree.Node;
import dev.agentpipeline.core.definition.YamlTree.ScalarNode;
import dev.agentpipeline.spi.JsonValues;
import dev.agentpipeline.spi.StageRegistry;

import org.apiguardian.api.API;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * Which plugin works in which state, with which settings, kept apart from the definition: a stage file binds the
 * states of an existing definition (the story pipeline's {@code STAGE_0..STAGE_3}) without rewriting all of it.
 * Immutable.
 *
 * <pre>
 * schema_version: 1
 * stages:
 *   STAGE_2:
 *     plugin: pipeline-command
 *     settings:
 *       command: ["./agents/implement.sh", "{story_id}", "{summary_file}"]
 *       timeout_seconds: 1800
 * </pre>
 * <pre>{@code
 * PipelineDefinition bound = StageBindings.fromYaml(Path.of("stages.yaml")).applyTo(StoryPipeline.definition());
 * }</pre>
 * Every problem - YAML syntax, an unknown key, a malformed plugin id, settings that are not a mapping, a state the
 * definition does not have - is a {@link DefinitionException} naming the file, line and column.
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class StageBindings {

    /** The stage file format version this library reads. */
    public static final int SCHEMA_VERSION = 1;

    /**
     * One state bound to a plugin.
     *
     * @param stateId the state
     * @param pluginId the plugin's id
     * @param settings the plugin's settings, JSON-compatible, unmodifiable
     * @param location where the binding was written
     */
    public record Binding(String stateId, String pluginId, Map<String, Object> settings, SourceLocation location) {
        /** Validates and copies. */
        public Binding {
            Objects.requireNonNull(stateId, "stateId");
            Objects.requireNonNull(pluginId, "pluginId");
            settings = JsonValues.copyOfMap(settings);
            Objects.requireNonNull(location, "location");
        }
    }

    private final List<Binding> bindings;

    private StageBindings(List<Binding> bindings) {
        this.bindings = List.copyOf(bindings);
    }

    /**
     * Reads a stage file.
     *
     * @param file the YAML (or JSON) file
     * @return the bindings
     * @throws DefinitionException naming the file, line and column of every problem
     */
    public static StageBindings fromYaml(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw YamlTree.problem(new SourceLocation(file.toString(), 0, 0), "file not found; check the path");
        } catch (IOException e) {
            throw YamlTree.problem(new SourceLocation(file.toString(), 0, 0), "cannot read the file: " + e);
        }
        return parse(file.toString(), text);
    }

    /**
     * Reads stage bindings from text.
     *
     * @param source the name errors report (a file name)
     * @param yaml the text
     * @return the bindings
     * @throws DefinitionException naming the source, line and column of every problem
     */
    public static StageBindings parse(String source, String yaml) {
        Node root = YamlTree.parse(source, yaml);
        List<DefinitionProblem> problems = new ArrayList<>();
        List<Binding> bindings = new ArrayList<>();
        if (!(root instanceof MapNode top)) {
            throw YamlTree.problem(root.location, "a stage file is a mapping with schema_version and stages, got "
                    + root.kind());
        }
        unknownKeys(top, "the stage file", Set.of("schema_version", "stages"), problems);
        Node version = top.entries.get("schema_version");
        if (version == null) {
            problems.add(new DefinitionProblem(top.location, "the stage file needs 'schema_version: "
                    + SCHEMA_VERSION + "'"));
        } else if (!(version instanceof ScalarNode s && s.value instanceof Long l && l == SCHEMA_VERSION)) {
            problems.add(new DefinitionProblem(version.location, "schema_version must be " + SCHEMA_VERSION
                    + ", got " + version.kind()));
        }
        Node stages = top.entries.get("stages");
        if (!(stages instanceof MapNode states)) {
            problems.add(new DefinitionProblem(stages == null ? top.location : stages.location, "'stages' must map"
                    + " state ids to {plugin, settings}, got " + (stages == null ? "nothing" : stages.kind())));
        } else {
            states.entries.forEach((state, node) -> binding(state, states.keys.get(state), node, bindings,
                    problems));
            if (states.entries.isEmpty()) {
                problems.add(new DefinitionProblem(states.location, "'stages' binds no state"));
            }
        }
        if (!problems.isEmpty()) {
            throw new DefinitionException(problems);
        }
        return new StageBindings(bindings);
    }

    private static void binding(String state, SourceLocation at, Node node, List<Binding> bindings,
                                List<DefinitionProblem> problems) {
        if (!(node instanceof MapNode map)) {
            problems.add(new DefinitionProblem(node.location, "stage " + state + " must be a mapping with plugin and"
                    + " settings, got " + node.kind()));
            return;
        }
        unknownKeys(map, "stage " + state, Set.of("plugin", "settings"), problems);
        Node plugin = map.entries.get("plugin");
        String pluginId = null;
        if (plugin == null) {
            problems.add(new DefinitionProblem(map.location, "stage " + state + " needs 'plugin:', the id of the"
                    + " stage plugin that works in it (for example pipeline-command)"));
        } else if (plugin instanceof ScalarNode s && s.value instanceof String id && StageRegistry.isValidId(id)) {
            pluginId = id;
        } else {
            problems.add(new DefinitionProblem(plugin.location, "stage " + state + ": plugin must be a plugin id (1"
                    + " to 64 characters of a-z, 0-9 and '-', starting with a letter), got " + plugin.kind()));
        }
        Map<String, Object> settings = Map.of();
        Node settingsNode = map.entries.get("settings");
        if (settingsNode instanceof MapNode values) {
            @SuppressWarnings("unchecked")
            Map<String, Object> given = (Map<String, Object>) YamlTree.toValue(values);
            settings = given;
        } else if (settingsNode != null) {
            problems.add(new DefinitionProblem(settingsNode.location, "stage " + state + ": settings must be a"
                    + " mapping (key: value lines), got " + settingsNode.kind()));
        }
        if (pluginId != null) {
            bindings.add(new Binding(state, pluginId, settings, at));
        }
    }

    private static void unknownKeys(MapNode map, String what, Set<String> allowed, List<DefinitionProblem> problems) {
        map.keys.forEach((key, location) -> {
            if (!allowed.contains(key)) {
                problems.add(new DefinitionProblem(location, "unknown key '" + key + "' in " + what + "; expected "
                        + String.join(", ", allowed.stream().sorted().toList())));
            }
        });
    }

    /** @return the bindings in file order, unmodifiable */
    public List<Binding> bindings() {
        return bindings;
    }

    /**
     * Binds the states of a definition.
     *
     * @param definition the definition
     * @return a copy in which each bound state is worked by its plugin with its settings
     * @throws DefinitionException at the binding's location if the definition has no such state, or it is terminal
     */
    public PipelineDefinition applyTo(PipelineDefinition definition) {
        List<DefinitionProblem> problems = new ArrayList<>();
        PipelineDefinition bound = definition;
        for (Binding binding : bindings) {
            StateDefinition state = definition.states().get(binding.stateId());
            if (state == null || state.terminal()) {
                problems.add(new DefinitionProblem(binding.location(), "stage " + binding.stateId() + ": "
                        + (state == null ? "pipeline " + definition.id() + " has no such state" : "the state is terminal")
                        + "; states with plugins are " + String.join(", ", definition.states().values().stream()
                        .filter(s -> !s.terminal() && s.stagePlugin().isPresent()).map(StateDefinition::id).toList())));
                continue;
            }
            bound = bound.withStagePlugin(binding.stateId(), binding.pluginId(), binding.settings());
        }
        if (!problems.isEmpty()) {
            throw new DefinitionException(problems);
        }
        return bound;
    }
}
