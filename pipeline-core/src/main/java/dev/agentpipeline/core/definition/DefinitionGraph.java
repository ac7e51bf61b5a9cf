package dev.agentpipeline.core.definition;

import dev.agentpipeline.core.guard.ConditionGuard;
import dev.agentpipeline.core.run.RunState;

import org.apiguardian.api.API;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * Draws a pipeline definition as a Mermaid flowchart or a Graphviz DOT graph, optionally with a run's current state
 * highlighted and its counters as used/limit. Waiting states are drawn rounded, working states as boxes naming their
 * stage plugin, terminal states as double circles; each transition is labelled with the counter it increments (and
 * its limit) and the codes of its guards. The output depends on the definition (and the run) only, so it can be
 * checked in. Thread-safe.
 *
 * <pre>{@code
 * String mermaid = DefinitionGraph.render(DefinitionGraph.Format.MERMAID, StoryPipeline.definition(), null);
 * }</pre>
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class DefinitionGraph {

    /** How many guard codes an edge names before it says how many more there are. */
    static final int MAX_GUARDS_SHOWN = 2;

    /**
     * The text formats.
     *
     * @since 0.1
     */
    public enum Format {
        /** A Mermaid {@code flowchart}, for Markdown renderers (GitHub, GitLab...). */
        MERMAID,
        /** A Graphviz DOT {@code digraph}. */
        DOT;

        /**
         * @param name {@code mermaid} or {@code dot}, any case
         * @return the format
         * @throws IllegalArgumentException naming the formats, for any other name
         */
        public static Format fromName(String name) {
            for (Format format : values()) {
                if (format.name().equalsIgnoreCase(name)) {
                    return format;
                }
            }
            throw new IllegalArgumentException("unknown graph format '" + name + "'; use mermaid or dot");
        }
    }

    private DefinitionGraph() {
    }

    /**
     * @param format the format
     * @param definition the pipeline
     * @param run a run of it to mark (its current state, its counters), or null for the definition alone
     * @return the graph, ending with a line break
     * @throws IllegalArgumentException if the run is of another pipeline
     */
    public static String render(Format format, PipelineDefinition definition, RunState run) {
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(definition, "definition");
        if (run != null && !run.pipelineId().equals(definition.id())) {
            throw new IllegalArgumentException("run " + run.runId() + " is of pipeline " + run.pipelineId()
                    + ", not " + definition.id());
        }
        return format == Format.MERMAID ? mermaid(definition, run) : dot(definition, run);
    }

    private static String current(RunState run) {
        if (run == null) {
            return null;
        }
        return run.isPaused() ? run.pausedFrom().orElse(null) : run.phase();
    }

    private static String stateLabel(StateDefinition state, RunState run, String lineBreak) {
        StringBuilder label = new StringBuilder(state.id());
        state.stagePlugin().ifPresent(plugin -> label.append(lineBreak).append(plugin));
        if (!state.collect().isEmpty()) {
            List<String> ids = new ArrayList<>();
            state.collect().forEach(collector -> ids.add(collector.id()));
            label.append(lineBreak).append("collect: ").append(String.join(", ", ids));
        }
        if (state.id().equals(current(run))) {
            label.append(lineBreak).append(run.isPaused() ? "PAUSED here" : run.complete() ? "ended here" : "current");
        }
        return label.toString();
    }

    private static String edgeLabel(PipelineDefinition definition, TransitionDefinition t, RunState run) {
        List<String> parts = new ArrayList<>();
        List<String> codes = new ArrayList<>();
        for (GuardDefinition guard : t.guards()) {
            codes.add(guard.guard() instanceof ConditionGuard conditions ? conditions.code() : "custom guard");
        }
        if (!codes.isEmpty()) {
            String shown = String.join(", ", codes.subList(0, Math.min(codes.size(), MAX_GUARDS_SHOWN)));
            parts.add(codes.size() > MAX_GUARDS_SHOWN ? shown + " +" + (codes.size() - MAX_GUARDS_SHOWN) : shown);
        }
        if (t.increments() != null) {
            int limit = definition.counter(t.increments()).map(CounterDefinition::limit).orElse(0);
            if (run != null) {
                limit = run.counterLimits().getOrDefault(t.increments(), limit);
                parts.add(t.increments() + " " + run.counter(t.increments()) + "/" + limit);
            } else {
                parts.add(t.increments() + " max " + limit);
            }
        }
        return String.join("; ", parts);
    }

    // ------------------------------------------------------------------------------------------------ Mermaid

    private static String mermaid(PipelineDefinition definition, RunState run) {
        StringBuilder out = new StringBuilder("flowchart TD\n");
        for (StateDefinition state : definition.states().values()) {
            String label = mermaidText(stateLabel(state, run, "<br/>"));
            String id = mermaidId(state.id());
            if (state.terminal()) {
                out.append("    ").append(id).append("(((\"").append(label).append("\")))\n");
            } else if (state.stagePlugin().isPresent()) {
                out.append("    ").append(id).append("[\"").append(label).append("\"]\n");
            } else {
                out.append("    ").append(id).append("([\"").append(label).append("\"])\n");
            }
        }
        for (TransitionDefinition t : definition.transitions()) {
            String label = edgeLabel(definition, t, run);
            out.append("    ").append(mermaidId(t.from())).append(" -->");
            if (!label.isEmpty()) {
                out.append("|\"").append(mermaidText(label)).append("\"|");
            }
            out.append(" ").append(mermaidId(t.to())).append("\n");
        }
        out.append("    classDef terminal fill:#e8f5e9,stroke:#2e7d32\n");
        List<String> terminals = new ArrayList<>();
        definition.states().values().stream().filter(StateDefinition::terminal)
                .forEach(state -> terminals.add(mermaidId(state.id())));
        if (!terminals.isEmpty()) {
            out.append("    class ").append(String.join(",", terminals)).append(" terminal\n");
        }
        String current = current(run);
        if (current != null) {
            out.append("    classDef current fill:#fff3c4,stroke:#e65100,stroke-width:3px\n");
            out.append("    class ").append(mermaidId(current)).append(" current\n");
        }
        return out.toString();
    }

    /** State ids are letters, digits and '_'; the prefix keeps Mermaid's keywords ({@code end}) out of ids. */
    private static String mermaidId(String stateId) {
        return "s_" + stateId;
    }

    /** Text inside double quotes: Mermaid's entity codes for the characters that would end or confuse it. */
    static String mermaidText(String text) {
        StringBuilder out = new StringBuilder();
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> out.append("#quot;");
                case '#' -> out.append("#35;");
                case '|' -> out.append("#124;");
                case '\n', '\r' -> out.append(' ');
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    // ------------------------------------------------------------------------------------------------ DOT

    private static String dot(PipelineDefinition definition, RunState run) {
        StringBuilder out = new StringBuilder("digraph ").append(dotText(definition.id())).append(" {\n");
        out.append("    rankdir=TB;\n");
        out.append("    node [fontname=\"Helvetica\"];\n");
        out.append("    edge [fontname=\"Helvetica\", fontsize=10];\n");
        String current = current(run);
        for (StateDefinition state : definition.states().values()) {
            List<String> attributes = new ArrayList<>();
            attributes.add("label=" + dotText(stateLabel(state, run, "\n")));
            if (state.terminal()) {
                attributes.add("shape=doublecircle");
            } else if (state.stagePlugin().isPresent()) {
                attributes.add("shape=box");
            } else {
                attributes.add("shape=box");
                attributes.add("style=rounded");
            }
            if (state.id().equals(current)) {
                attributes.removeIf(a -> a.startsWith("style="));
                attributes.add("style=\"filled,bold" + (state.stagePlugin().isEmpty() && !state.terminal()
                        ? ",rounded" : "") + "\"");
                attributes.add("fillcolor=\"#fff3c4\"");
                attributes.add("color=\"#e65100\"");
            }
            out.append("    ").append(dotText(state.id())).append(" [").append(String.join(", ", attributes))
                    .append("];\n");
        }
        for (TransitionDefinition t : definition.transitions()) {
            String label = edgeLabel(definition, t, run);
            out.append("    ").append(dotText(t.from())).append(" -> ").append(dotText(t.to()));
            if (!label.isEmpty()) {
                out.append(" [label=").append(dotText(label)).append("]");
            }
            out.append(";\n");
        }
        return out.append("}\n").toString();
    }

    /** A DOT quoted string: backslashes and quotes escaped, line breaks as {@code \n}. */
    static String dotText(String text) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> { }
                default -> out.append(c);
            }
        }
        return out.append('"').toString();
    }
}
