package dev.agentpipeline.cli;

import dev.agentpipeline.core.definition.DefinitionException;
import dev.agentpipeline.core.definition.PipelineDefinition;
import dev.agentpipeline.core.definition.PipelineDefinitions;
import dev.agentpipeline.core.definition.SignalFormats;
import dev.agentpipeline.core.definition.StateDefinition;
import dev.agentpipeline.core.engine.Signal;
import dev.agentpipeline.core.guard.GuardRegistry;
import dev.agentpipeline.core.internal.Json;
import dev.agentpipeline.core.internal.JsonSyntaxException;
import dev.agentpipeline.core.phase.PhasePipeline;
import dev.agentpipeline.core.run.Ids;
import dev.agentpipeline.core.run.RunState;
import dev.agentpipeline.core.signal.SignalInbox;
import dev.agentpipeline.core.signal.SignalWatcher;
import dev.agentpipeline.core.store.FileRunStore;
import dev.agentpipeline.core.store.RunSnapshot;
import dev.agentpipeline.core.store.RunStore;
import dev.agentpipeline.core.store.StoreException;
import dev.agentpipeline.core.story.CommandResult;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code pipeline signal}: publishes a signal for a run that waits for one into the state directory's inbox
 * ({@link SignalInbox}), after checking everything it can at once - the run exists and is open, its definition waits
 * for a signal of that name, the payload is a JSON object of the signal's format (every problem with its JSON path) -
 * so a mistake is an answer now rather than a file set aside later. The worker's {@link SignalWatcher} records it in
 * the run's journal; this command does not wait for that.
 */
final class SignalCommands {

    private SignalCommands() {
    }

    /** @return {@code signal} */
    static CliCommand signal() {
        return CliCommand.of("signal", "Publishes a signal for a run that waits for one (an agent's completion or"
                        + " error signal). It checks at once that the run exists and is open, that its definition"
                        + " waits for a signal of this name and that the payload is a JSON object of the signal's"
                        + " format (every problem with its JSON path), then writes it into the state directory's"
                        + " inbox (.pipeline/inbox), from which the worker's signal watcher records it in the run's"
                        + " journal, once, however often it is published.",
                List.of(CliOption.value("--run", "<run-id>", "The run (required); pipeline status shows its run_id."),
                        CliOption.value("--name", "<signal>", "The signal's name (default: the signal of the state"
                                + " the run works in, when that state waits for one)."),
                        CliOption.value("--file", "<path>", "A file holding the payload, a JSON object of at most"
                                + " 1 MiB, relative to the project directory (this or --json)."),
                        CliOption.value("--json", "<json>", "The payload as a JSON object (this or --file)."),
                        CliOption.value("--definition", "<file>", "The run's definition YAML file, for a run of"
                                + " another pipeline than the story and phase pipelines.")),
                SignalCommands::publish);
    }

    private static CommandResult publish(CliInvocation call) {
        String runId = call.value("--run");
        if (runId == null || runId.isBlank()) {
            return PipelineMain.error("missing_flag", "signal requires --run", "Pass --run RUN_ID; `pipeline"
                    + " status` shows a run's run_id.");
        }
        runId = runId.trim();
        try {
            Ids.requireSafe("run id", runId);
        } catch (Ids.InvalidIdException e) {
            return PipelineMain.error("invalid_id", e.getMessage(), "Copy the run id from `pipeline status`.");
        }
        String name = call.value("--name") == null ? null : call.value("--name").trim();
        if (name != null) {
            try {
                Signal.requireName(name);
            } catch (IllegalArgumentException e) {
                return PipelineMain.error("invalid_flag", "--name: " + e.getMessage(), "Pass the signal's name as"
                        + " the run's definition declares it (a state's signal.name, else the state's id).");
            }
        }
        Object payloadOrError = payload(call);
        if (payloadOrError instanceof CommandResult error) {
            return error;
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> payload = (Map<String, Object>) payloadOrError;

        RunStore store = call.get(RunStore.class);
        RunState run;
        try {
            Optional<RunSnapshot> snapshot = store.load(runId);
            if (snapshot.isEmpty()) {
                return PipelineMain.error("run_not_found", "Run " + runId + " does not exist in "
                        + call.settings().pipeline().stateDir(), "Check the run id: `pipeline status` shows the"
                        + " story's run_id, and every run is a directory under .pipeline/runs.");
            }
            run = snapshot.get().state();
        } catch (StoreException e) {
            return PipelineMain.error(e.code(), e.problem(), e.fix());
        }
        if (run.complete()) {
            return PipelineMain.error("run_ended", "Run " + runId + " already ended (" + run.finalResult()
                    .orElse("DONE") + "): nothing waits for a signal any more", "Start a new run, or publish the"
                    + " signal for the subject's current run.");
        }
        Object definitionOrError = definition(call, run);
        if (definitionOrError instanceof CommandResult error) {
            return error;
        }
        PipelineDefinition definition = (PipelineDefinition) definitionOrError;
        List<String> signalNames = definition.states().values().stream().filter(s -> s.signal() != null)
                .map(s -> s.signal().name()).toList();
        String known = signalNames.isEmpty() ? "it waits for none" : "its signals are " + String.join(", ",
                signalNames);
        StateDefinition target;
        if (name != null) {
            Optional<StateDefinition> named = definition.signalState(name);
            if (named.isEmpty()) {
                return PipelineMain.error("unknown_signal", "Pipeline " + definition.id() + " waits for no signal"
                        + " named '" + name + "'; " + known, signalNames.isEmpty() ? "Add a signal to a state of"
                        + " the definition (signal: {file, format})." : "Pass --name with one of them.");
            }
            target = named.get();
        } else {
            StateDefinition working = definition.state(run.workingState()).orElse(null);
            if (working == null || working.signal() == null) {
                return PipelineMain.error("signal_name_required", "Run " + runId + " works in "
                        + run.workingState() + ", which waits for no signal, so --name cannot default; " + known,
                        signalNames.isEmpty() ? "Nothing in this pipeline takes signals." : "Pass --name with the"
                        + " signal to publish.");
            }
            target = working;
        }
        String signalName = target.signal().name();
        Signal signal;
        try {
            signal = Signal.of(signalName, payload, "cli");
        } catch (IllegalArgumentException e) {
            return PipelineMain.error("invalid_signal", "The payload cannot be a signal: " + e.getMessage(),
                    "Fix the payload's signal_id, or leave it out (the id is then the SHA-256 of the payload).");
        }
        List<String> problems = SignalFormats.problems(target.signal().format(), signal.payload());
        if (!problems.isEmpty()) {
            Map<String, Object> error = new LinkedHashMap<>(PipelineMain.error("invalid_signal", "Signal '"
                    + signalName + "' does not have the " + target.signal().format() + " format: " + problems.get(0)
                    + (problems.size() > 1 ? " (and " + (problems.size() - 1) + " more)" : ""), "Fix the payload;"
                    + " every problem is listed under problems with its JSON path (the formats are in"
                    + " docs/cli.md, Signals).").json());
            error.put("problems", new ArrayList<Object>(problems));
            return new CommandResult(CommandResult.ERROR, error);
        }
        SignalInbox inbox = store instanceof FileRunStore files ? SignalInbox.of(files)
                : SignalInbox.at(call.settings().pipeline().stateDir().resolve(SignalInbox.DIRECTORY));
        Path file;
        try {
            file = inbox.publish(runId, signal);
        } catch (StoreException e) {
            return PipelineMain.error(e.code(), e.problem(), e.fix());
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("ok", true);
        json.put("run_id", runId);
        json.put("name", signalName);
        json.put("state", target.id());
        json.put("signal_id", signal.id());
        json.put("file", file.toString());
        json.put("already_recorded", run.hasSignal(signal.id()));
        String next = "A worker watching " + inbox.directory() + " records it in the run's journal and removes the"
                + " file; `pipeline status` shows the run then.";
        if (run.hasSignal(signal.id())) {
            next = "The run recorded this signal before: the worker removes the file and changes nothing.";
        } else if (!target.id().equals(run.workingState())) {
            next = next + " Run " + runId + " is in " + run.phase() + ", not " + target.id() + ": the signal counts"
                    + " only during a visit of " + target.id() + " that it came in.";
        }
        json.put("next", next);
        return new CommandResult(CommandResult.OK, json);
    }

    /** The payload of --file or --json, or the error answer. */
    private static Object payload(CliInvocation call) {
        String fileFlag = call.value("--file");
        String jsonFlag = call.value("--json");
        if ((fileFlag == null) == (jsonFlag == null)) {
            return PipelineMain.error(fileFlag == null ? "missing_flag" : "invalid_flag", fileFlag == null
                    ? "signal requires the payload: --file PATH or --json '{...}'" : "signal takes --file or --json,"
                    + " not both", "Pass the payload once, as a file (--file) or inline (--json).");
        }
        String text;
        String what;
        if (fileFlag != null) {
            Path file;
            try {
                file = call.settings().pipeline().projectDir().resolve(fileFlag);
            } catch (InvalidPathException e) {
                return PipelineMain.error("invalid_path", "--file is not a path: " + e.getMessage(),
                        "Pass the path of a JSON file.");
            }
            what = "--file " + file;
            try {
                if (!Files.isRegularFile(file)) {
                    return PipelineMain.error("file_not_found", "The payload file " + file + " does not exist",
                            "Pass the path of a JSON file, relative to the project directory.");
                }
                if (Files.size(file) > SignalWatcher.MAX_FILE_SIZE) {
                    return PipelineMain.error("invalid_flag", what + " has " + Files.size(file) + " bytes, more"
                            + " than the " + SignalWatcher.MAX_FILE_SIZE + " a signal may have", "Keep signals"
                            + " small: put large results in files and name them in the payload.");
                }
                text = Files.readString(file, StandardCharsets.UTF_8);
            } catch (IOException e) {
                return PipelineMain.error("io_error", "Cannot read " + file + ": " + e.getMessage(),
                        "Check the file's permissions.");
            }
        } else {
            what = "--json";
            text = jsonFlag;
            if (text.getBytes(StandardCharsets.UTF_8).length > SignalWatcher.MAX_FILE_SIZE) {
                return PipelineMain.error("invalid_flag", "--json is larger than the " + SignalWatcher.MAX_FILE_SIZE
                        + " bytes a signal may have", "Keep signals small: put large results in files and name"
                        + " them in the payload.");
            }
        }
        try {
            return Json.parseObject(text.startsWith("\uFEFF") ? text.substring(1) : text);
        } catch (JsonSyntaxException e) {
            return PipelineMain.error("invalid_json", what + " is not a JSON object: " + e.getMessage(),
                    "Pass the payload as one JSON object, for example {\"phase\": 7, \"status\": \"success\", ...}.");
        }
    }

    /**
     * The run's definition: --definition's file when given, else the one the runtime finds for the run's pipeline
     * (the story pipeline, the phase pipeline and its stub deployment child, or the project's own in
     * {@code .pipeline/pipelines/}: {@link dev.agentpipeline.core.phase.ProjectPipelines}).
     */
    private static Object definition(CliInvocation call, RunState run) {
        String flag = call.value("--definition");
        if (flag == null) {
            try {
                return call.get(dev.agentpipeline.core.engine.PipelineRuntime.class).definition(run.pipelineId());
            } catch (dev.agentpipeline.core.engine.PipelineException e) {
                if (!"unknown_pipeline".equals(e.code())) {
                    return PipelineMain.error(e.code(), e.getMessage(), e.fix());
                }
                return PipelineMain.error("unknown_pipeline", "Run " + run.runId() + " is a run of pipeline '"
                        + run.pipelineId() + "', whose definition this project does not have", "Put it in"
                        + " .pipeline/pipelines/" + run.pipelineId() + ".yaml, or pass it: --definition FILE.yaml.");
            } catch (DefinitionException e) {
                return PipelineMain.error("invalid_definition", e.getMessage(), "Fix the definition; every problem"
                        + " is listed with its file, line and column.");
            }
        }
        Path file;
        try {
            file = call.settings().pipeline().projectDir().resolve(flag);
        } catch (InvalidPathException e) {
            return PipelineMain.error("invalid_path", "--definition is not a path: " + e.getMessage(),
                    "Pass the path of a definition YAML file.");
        }
        if (!Files.isRegularFile(file)) {
            return PipelineMain.error("definition_missing", "The definition file " + file + " does not exist",
                    "Pass the path of a definition YAML file, relative to the project directory.");
        }
        PipelineDefinition definition;
        try {
            definition = PipelineDefinitions.fromYaml(file, GuardRegistry.empty());
        } catch (DefinitionException e) {
            return PipelineMain.error("invalid_definition", e.getMessage(), "Fix the definition; every problem is"
                    + " listed with its file, line and column.");
        }
        if (!definition.id().equals(run.pipelineId())) {
            return PipelineMain.error("wrong_pipeline", "Run " + run.runId() + " is a run of pipeline '"
                    + run.pipelineId() + "', not of '" + definition.id() + "' (" + file + ")", "Pass the"
                    + " definition of the run's own pipeline.");
        }
        return definition;
    }
}
