package dev.agentpipeline.cli;

import dev.agentpipeline.core.definition.DefinitionException;
import dev.agentpipeline.core.definition.DefinitionGraph;
import dev.agentpipeline.core.definition.PipelineDefinition;
import dev.agentpipeline.core.definition.PipelineDefinitions;
import dev.agentpipeline.core.guard.GuardRegistry;
import dev.agentpipeline.core.run.Ids;
import dev.agentpipeline.core.run.RunState;
import dev.agentpipeline.core.store.RunSnapshot;
import dev.agentpipeline.core.store.RunStore;
import dev.agentpipeline.core.store.StoreException;
import dev.agentpipeline.core.story.CommandResult;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code pipeline graph}: a pipeline definition drawn as Mermaid or Graphviz DOT, with a run's current state and
 * counters marked when a run is named. It prints the document itself (not JSON), so it pipes into a renderer:
 * {@code pipeline graph --format dot | dot -Tsvg > story.svg}. Errors are JSON on stderr like every command's.
 *
 * @since 0.1
 */
final class GraphCommands {

    private GraphCommands() {
    }

    /** @return {@code graph} */
    static CliCommand graph() {
        return CliCommand.of("graph", "Prints a pipeline definition as a Mermaid flowchart or a Graphviz DOT digraph"
                        + " (the document itself, not JSON), with a run's current state and counters marked when"
                        + " --story or --run names one. Reads only.",
                List.of(CliOption.value("--format", "<mermaid|dot>", "The format (default mermaid)."),
                        CliOption.value("--story", "<id>", "Mark the story's current (else newest) run."),
                        CliOption.value("--run", "<run-id>", "Mark this run (wins over --story)."),
                        CliOption.value("--definition", "<file>", "A definition YAML file to draw instead of the"
                                + " story pipeline.")),
                GraphCommands::draw);
    }

    private static CommandResult draw(CliInvocation call) {
        DefinitionGraph.Format format;
        try {
            format = DefinitionGraph.Format.fromName(call.value("--format") == null ? "mermaid"
                    : call.value("--format").trim());
        } catch (IllegalArgumentException e) {
            return PipelineMain.error("invalid_flag", "--format: " + e.getMessage(), "Pass --format mermaid or"
                    + " --format dot.");
        }
        PipelineDefinition definition;
        if (call.value("--definition") != null) {
            Path file;
            try {
                file = call.settings().pipeline().projectDir().resolve(call.value("--definition"));
            } catch (InvalidPathException e) {
                return PipelineMain.error("invalid_path", "--definition is not a path: " + e.getMessage(),
                        "Pass the path of a definition YAML file.");
            }
            if (!Files.isRegularFile(file)) {
                return PipelineMain.error("definition_missing", "The definition file " + file + " does not exist",
                        "Pass the path of a definition YAML file, relative to the project directory.");
            }
            try {
                definition = PipelineDefinitions.fromYaml(file, GuardRegistry.empty());
            } catch (DefinitionException e) {
                return PipelineMain.error("invalid_definition", e.getMessage(), "Fix the definition; every problem"
                        + " is listed with its file, line and column.");
            }
        } else {
            definition = call.get(PipelineDefinition.class);
        }
        RunState run = null;
        if (call.value("--run") != null || call.value("--story") != null) {
            RunStore store = call.get(RunStore.class);
            try {
                Optional<String> runId = call.value("--run") != null
                        ? Optional.of(Ids.requireSafe("run id", call.value("--run")))
                        : ReportCommands.newestRun(store, Ids.requireSafe("story id", call.value("--story")));
                Optional<RunSnapshot> snapshot = runId.flatMap(store::load);
                if (snapshot.isEmpty()) {
                    return PipelineMain.error("run_not_found", "No run found" + runId.map(id -> ": " + id)
                            .orElse(" for story " + call.value("--story")), "Pass --story with a story that has a"
                            + " run, or --run with a directory name under .pipeline/runs.");
                }
                run = snapshot.get().state();
            } catch (Ids.InvalidIdException e) {
                return PipelineMain.error("invalid_id", e.getMessage(), "Ids are letters, digits, '.', '_' and '-'.");
            } catch (StoreException e) {
                return PipelineMain.error(e.code(), e.problem(), e.fix());
            }
            if (!run.pipelineId().equals(definition.id())) {
                return PipelineMain.error("wrong_pipeline", "Run " + run.runId() + " is a run of pipeline '"
                        + run.pipelineId() + "', not of '" + definition.id() + "'", "Draw it with the definition"
                        + " of its own pipeline (--definition), or leave out --story/--run.");
            }
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("ok", true);
        json.put(PipelineMain.DOCUMENT, DefinitionGraph.render(format, definition, run));
        return new CommandResult(CommandResult.OK, json);
    }
}
