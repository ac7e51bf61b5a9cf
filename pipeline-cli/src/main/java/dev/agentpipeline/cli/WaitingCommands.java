package dev.agentpipeline.cli;

import dev.agentpipeline.core.definition.DefinitionException;
import dev.agentpipeline.core.definition.PipelineDefinition;
import dev.agentpipeline.core.engine.DriveResult;
import dev.agentpipeline.core.engine.Orchestrator;
import dev.agentpipeline.core.engine.PipelineException;
import dev.agentpipeline.core.engine.PipelineRuntime;
import dev.agentpipeline.core.engine.StartRequest;
import dev.agentpipeline.core.engine.StartResult;
import dev.agentpipeline.core.engine.Wait;
import dev.agentpipeline.core.engine.Waits;
import dev.agentpipeline.core.internal.Json;
import dev.agentpipeline.core.internal.Times;
import dev.agentpipeline.core.phase.PhaseConfig;
import dev.agentpipeline.core.phase.PhasePipeline;
import dev.agentpipeline.core.phase.PhaseWorkspaces;
import dev.agentpipeline.core.engine.RunWorkspaces;
import dev.agentpipeline.spi.workspace.WorkspaceException;
import dev.agentpipeline.spi.workspace.WorkspaceProvider;
import dev.agentpipeline.core.phase.PhaseProgress;
import dev.agentpipeline.core.run.ChildRun;
import dev.agentpipeline.core.run.Gate;
import dev.agentpipeline.core.run.GateOption;
import dev.agentpipeline.core.run.Ids;
import dev.agentpipeline.core.run.RunState;
import dev.agentpipeline.core.run.Timer;
import dev.agentpipeline.core.signal.SignalInbox;
import dev.agentpipeline.core.signal.SignalWatcher;
import dev.agentpipeline.core.store.RunSnapshot;
import dev.agentpipeline.core.story.CommandResult;
import dev.agentpipeline.core.definition.Durations;
import dev.agentpipeline.core.worker.RunStatus;
import dev.agentpipeline.core.worker.WakeUps;
import dev.agentpipeline.core.worker.Worker;
import dev.agentpipeline.cli.wiring.CliModule;
import dev.agentpipeline.spi.StageRegistry;
import dev.agentpipeline.spi.evidence.EvidenceCollectorRegistry;

import com.google.inject.Key;
import com.google.inject.name.Names;

import org.apiguardian.api.API;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * The commands of runs that wait: {@code launch} (start a run of any pipeline and drive it until it waits),
 * {@code worker} (drive every run of the project that can move, until stopped), {@code runs} (what every run waits
 * for, and until when) and the gate form of {@code decide}.
 *
 * <pre>{@code
 * $ pipeline launch --pipeline phase --subject shop
 * $ pipeline worker                      # in another terminal, or as a service
 * $ pipeline runs
 * $ pipeline decide --run phase-shop-... --option approve --by lead
 * }</pre>
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class WaitingCommands {

    private static final CliOption FORMAT = CliOption.value("--format", "<format>", "json (the answer, for"
            + " programs) or table (for people); default: table on a terminal, else json.");

    private WaitingCommands() {
    }

    /** @return {@code launch}: starts a run of a pipeline and drives it until it ends, pauses or waits */
    public static CliCommand launch() {
        return CliCommand.of("launch", "Starts a run of any pipeline (the phase pipeline, or a project's own in"
                        + " .pipeline/pipelines/) for a subject - or finds its unfinished run - and drives it with the"
                        + " stages bound in .pipeline/stages/<pipeline>.yaml until it ends, pauses or waits for a"
                        + " signal, a decision or child runs; `pipeline worker` drives it on from there.",
                List.of(CliOption.value("--pipeline", "<id>", "The pipeline, for example phase (required)."),
                        CliOption.value("--subject", "<id>", "What the run is about, for example the project's name"
                                + " (required)."),
                        CliOption.value("--title", "<text>", "The subject's title."),
                        CliOption.flag("--no-drive", "Only start the run; a worker drives it."),
                        CliOption.value("--base-branch", "<branch>", "The branch the phases' worktrees start from and"
                                + " merge back into (default: the repository's base branch).")),
                WaitingCommands::launchRun);
    }

    /** @return {@code worker}: drives every run that can move until it is stopped */
    public static CliCommand worker() {
        return CliCommand.of("worker", "Drives every run of the project that can move - a stage to run, a signal"
                        + " arrived, a timer due, a decision answered, a child run ended - until stopped with"
                        + " Ctrl-C or SIGTERM (stages see cancellation; the next worker goes on). Consumes signals"
                        + " from the inbox (pipeline signal) and from the phase pipeline's signal directory. One line"
                        + " per change on stderr; the answer on stdout when it stops.",
                List.of(CliOption.value("--threads", "<n>", "How many runs are driven at once (default 4)."),
                        CliOption.value("--signals-dir", "<dir>", "A directory where agents write signal files"
                                + " (default: signals_dir of .pipeline/phase.conf, else .taskmaster/.signals)."),
                        CliOption.value("--rescan", "<duration>", "How often the store is read again for changes"
                                + " nobody announced (default 5s)."),
                        CliOption.value("--concurrency", "<class=n,...>", "Child runs of a class at once, for"
                                + " example opus=4,sonnet=8 (default 4 a class)."),
                        CliOption.value("--lines", "<format>", "text (default) or json: the form of the status"
                                + " lines on stderr."),
                        CliOption.value("--stop-when-idle", "<duration>", "Stop once nothing ran, was due or"
                                + " changed for this long (for scripts and examples)."),
                        CliOption.value("--base-branch", "<branch>", "The branch the phases' worktrees start from and"
                                + " merge back into (default: the repository's base branch).")),
                WaitingCommands::work);
    }

    /** @return {@code runs}: every run, what it waits for and until when */
    public static CliCommand runs() {
        return CliCommand.of("runs", "Lists the project's runs with where each stands: what a waiting run waits"
                        + " for (a signal, a decision, a timer, child runs) and until when, and the open gates with"
                        + " their options.",
                List.of(CliOption.flag("--all", "Include runs that ended."),
                        CliOption.value("--pipeline", "<id>", "Only runs of this pipeline."), FORMAT),
                WaitingCommands::listRuns);
    }

    /** @return {@code progress}: saves a stage's intra-stage progress (a phase's checkpoint) for a run */
    public static CliCommand progress() {
        return CliCommand.of("progress", "Saves the progress of the stage a run works in, durably in its journal:"
                        + " what an agent has done and what is left, so that a re-run after a crash starts from there"
                        + " (the command stage hands it to the program as {progress_file}). For the phase pipeline"
                        + " it is a phase checkpoint (state.current_operation, state.completed_operations,"
                        + " state.pending_operations, resume_command), also written to"
                        + " .taskmaster/.checkpoints/phaseN-checkpoint-M.json.",
                List.of(CliOption.value("--run", "<run-id>", "The run (required; agents get it as"
                                + " PIPELINE_RUN_ID)."),
                        CliOption.value("--file", "<path>", "A file holding the progress as a JSON object."),
                        CliOption.value("--json", "<json>", "The progress as a JSON object.")),
                WaitingCommands::saveProgress);
    }

    private static CommandResult saveProgress(CliInvocation call) {
        String runId = call.value("--run");
        if (runId == null || (call.value("--file") == null) == (call.value("--json") == null)) {
            return PipelineMain.error("missing_flag", "progress needs --run and one of --file or --json",
                    "Pass for example --run $PIPELINE_RUN_ID --json '{\"state\": {...}, \"resume_command\": \"...\"}'.");
        }
        if (!Ids.isSafe(runId)) {
            return PipelineMain.error("invalid_id", "--run '" + runId + "' is not a run id", "Copy it from"
                    + " `pipeline runs`.");
        }
        PipelineRuntime runtime = call.get(PipelineRuntime.class);
        Optional<RunSnapshot> run = runtime.store().load(runId);
        if (run.isEmpty()) {
            return PipelineMain.error("run_not_found", "Run " + runId + " does not exist", "`pipeline runs` lists"
                    + " the runs.");
        }
        Map<String, Object> snapshot;
        try {
            String text = call.value("--json") != null ? call.value("--json")
                    : java.nio.file.Files.readString(call.settings().pipeline().projectDir().resolve(call.value("--file")));
            snapshot = Json.parseObject(text);
        } catch (java.io.IOException | java.nio.file.InvalidPathException e) {
            return PipelineMain.error("file_unreadable", "Cannot read " + call.value("--file") + ": " + e.getMessage(),
                    "Pass a readable file of one JSON object.");
        } catch (RuntimeException e) {
            return PipelineMain.error("invalid_json", "The progress is not a JSON object: " + e.getMessage(),
                    "Pass one JSON object.");
        }
        RunState state = run.get().state();
        if (state.complete()) {
            return PipelineMain.error("run_ended", "Run " + runId + " already ended", "Nothing to save.");
        }
        if (PhasePipeline.ID.equals(state.pipelineId())) {
            List<String> problems = dev.agentpipeline.core.phase.PhaseCheckpoints.problems(snapshot);
            if (!problems.isEmpty()) {
                Map<String, Object> json = new LinkedHashMap<>(PipelineMain.error("invalid_progress", "Not a phase"
                        + " checkpoint: " + String.join("; ", problems), "Save {state: {current_operation,"
                        + " completed_operations, pending_operations}, resume_command}.").json());
                json.put("problems", problems);
                return new CommandResult(CommandResult.ERROR, json);
            }
        }
        String working = state.workingState();
        dev.agentpipeline.core.run.Attempt attempt = state.openAttempt().orElse(null);
        if (attempt == null) {
            for (dev.agentpipeline.core.run.Attempt a : state.attempts()) {
                if (a.stateId().equals(working)) {
                    attempt = a;
                }
            }
        }
        if (attempt == null) {
            return PipelineMain.error("no_attempt", "Run " + runId + " has no attempt in " + working + " to save"
                    + " progress for", "Save progress from the stage's program while it runs.");
        }
        RunSnapshot after = runtime.saveProgress(runId, attempt.attemptId(), snapshot);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("ok", true);
        json.put("run_id", runId);
        json.put("state", attempt.stateId());
        json.put("attempt_id", attempt.attemptId());
        json.put("checkpoint_number", after.state().progressCount(attempt.stateId()));
        return new CommandResult(CommandResult.OK, json);
    }

    // ------------------------------------------------------------------------------------------- launch

    private static CommandResult launchRun(CliInvocation call) {
        String pipeline = call.value("--pipeline");
        String subject = call.value("--subject");
        if (pipeline == null || subject == null) {
            return PipelineMain.error("missing_flag", "launch needs --pipeline and --subject", "Pass for example"
                    + " --pipeline phase --subject shop.");
        }
        PipelineRuntime runtime = call.get(PipelineRuntime.class);
        PipelineDefinition definition;
        try {
            definition = runtime.definition(pipeline);
        } catch (PipelineException e) {
            if (!"unknown_pipeline".equals(e.code())) {
                return PipelineMain.error(e.code(), e.getMessage(), e.fix());
            }
            return PipelineMain.error("unknown_pipeline", "No pipeline '" + pipeline + "' in this project",
                    "Use phase (the phase pipeline) or put its definition in .pipeline/pipelines/" + pipeline
                            + ".yaml.");
        } catch (DefinitionException e) {
            return definitionError(e);
        }
        StartResult started;
        try {
            started = runtime.start(StartRequest.builder(pipeline, subject).title(call.value("--title") == null
                    ? "" : call.value("--title")).build());
        } catch (Ids.InvalidIdException e) {
            return PipelineMain.error("invalid_id", e.getMessage(), "Use letters, digits, '.', '_' and '-'.");
        }
        String runId = started.run().state().runId();
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("ok", true);
        json.put("run_id", runId);
        json.put("pipeline", pipeline);
        json.put("recovered", started.recovered());
        if (call.flag("--no-drive")) {
            json.putAll(where(definition, runtime.load(runId).state()));
            json.put("next", "Start `pipeline worker` to drive it.");
            return new CommandResult(CommandResult.OK, json);
        }
        StageRegistry stages = StageRegistry.load(call.settings().plugins().classLoader());
        try {
            definition.checkPlugins(stages);
        } catch (DefinitionException e) {
            return PipelineMain.error("missing_plugin", e.getMessage(), "Bind the pipeline's stages to plugins in"
                    + " .pipeline/stages/" + pipeline + ".yaml (see docs/formats.md#stage-files); the run "
                    + runId + " exists and waits for them.");
        }
        Orchestrator orchestrator = orchestrator(call, runtime, stages).foreground(false).build();
        DriveResult result = orchestrator.drive(runId);
        json.put("status", result.status().name().toLowerCase(java.util.Locale.ROOT));
        json.putAll(where(definition, result.run().state()));
        json.put("next", switch (result.status()) {
            case COMPLETED -> "The run ended.";
            case PAUSED -> "Resume it when the cause is fixed: pipeline resume --run " + runId + " (with a worker"
                    + " running).";
            case WAITING, BUSY, STOPPED -> "Start `pipeline worker` (it drives the run on when its wait ends).";
        });
        return new CommandResult(CommandResult.OK, json);
    }

    /** An orchestrator for any pipeline of the project: its stages, their inputs and the project as workspace. */
    static Orchestrator.Builder orchestrator(CliInvocation call, PipelineRuntime runtime, StageRegistry stages) {
        Path project = call.settings().pipeline().projectDir();
        PhaseConfig phases = PhaseConfig.read(project);
        String signals = project.resolve(phases.signalsDirectory()).toAbsolutePath().toString();
        RunWorkspaces inProject = RunWorkspaces.fixed(state -> project);
        java.util.function.Supplier<RunWorkspaces> phaseWorkspaces = () -> inProject;
        if (phases.worktrees()) {
            phaseWorkspaces = memoized(() -> {
                try {
                    WorkspaceProvider provider = WorkspaceCommands.open(call);
                    provider.baseBranch();
                    return PhaseWorkspaces.of(provider);
                } catch (WorkspaceException e) { // not a repository, or no commit yet: the phases work in place
                    org.slf4j.LoggerFactory.getLogger(WaitingCommands.class).info("The phases work in {} itself,"
                            + " without worktrees: {}", project, e.getMessage());
                    return inProject;
                }
            });
        }
        RunWorkspaces byPipeline = byPipeline(phaseWorkspaces, inProject);
        return Orchestrator.builder(runtime, stages)
                .inputs(state -> {
                    if (!PhasePipeline.ID.equals(state.pipelineId())) {
                        return state.attributes();
                    }
                    Map<String, Object> inputs = new LinkedHashMap<>(PhasePipeline.inputs(state));
                    inputs.put("signals_dir", signals); // absolute: a phase's agent works in its worktree
                    inputs.put("project_dir", project.toAbsolutePath().toString());
                    return inputs;
                })
                .workspaces(byPipeline)
                .collectors(EvidenceCollectorRegistry.load(call.settings().plugins().classLoader()));
    }

    private static java.util.function.Supplier<RunWorkspaces> memoized(
            java.util.function.Supplier<RunWorkspaces> supplier) {
        RunWorkspaces[] value = new RunWorkspaces[1];
        return () -> {
            synchronized (value) {
                if (value[0] == null) {
                    value[0] = supplier.get();
                }
                return value[0];
            }
        };
    }

    /** The phase pipeline's runs work in their phase worktrees, the others in the project. */
    private static RunWorkspaces byPipeline(java.util.function.Supplier<RunWorkspaces> phases, RunWorkspaces others) {
        return new RunWorkspaces() {
            private RunWorkspaces of(dev.agentpipeline.core.run.RunState run) {
                return PhasePipeline.ID.equals(run.pipelineId()) ? phases.get() : others;
            }

            @Override
            public Path prepare(PipelineRuntime runtime, dev.agentpipeline.core.run.RunState run) {
                return of(run).prepare(runtime, run);
            }

            @Override
            public Evidence evidence(dev.agentpipeline.core.run.RunState run, String stateId) {
                return of(run).evidence(run, stateId);
            }

            @Override
            public void paused(PipelineRuntime runtime, dev.agentpipeline.core.run.RunState run) {
                of(run).paused(runtime, run);
            }

            @Override
            public void ended(PipelineRuntime runtime, dev.agentpipeline.core.run.RunState run) {
                of(run).ended(runtime, run);
            }
        };
    }

    private static CommandResult definitionError(DefinitionException e) {
        List<String> problems = new ArrayList<>();
        e.problems().forEach(problem -> problems.add(problem.toString()));
        return PipelineMain.error("invalid_definition", "Invalid definition: " + String.join("; ", problems),
                "Fix the file named in each problem.");
    }

    // ------------------------------------------------------------------------------------------- worker

    private static CommandResult work(CliInvocation call) {
        int threads = 4;
        if (call.value("--threads") != null) {
            try {
                threads = Integer.parseInt(call.value("--threads").trim());
                if (threads < 1 || threads > 256) {
                    throw new NumberFormatException();
                }
            } catch (NumberFormatException e) {
                return PipelineMain.error("invalid_flag", "--threads must be a whole number from 1 to 256 (got '"
                        + call.value("--threads") + "')", "Pass for example --threads 4.");
            }
        }
        Duration rescan;
        Duration idle;
        try {
            rescan = call.value("--rescan") == null ? Duration.ofSeconds(5) : positive(call.value("--rescan"));
            idle = call.value("--stop-when-idle") == null ? null : positive(call.value("--stop-when-idle"));
        } catch (IllegalArgumentException e) {
            return PipelineMain.error("invalid_flag", e.getMessage(), "Pass a duration such as 5s or 1m.");
        }
        String lines = call.value("--lines") == null ? "text" : call.value("--lines").trim();
        if (!lines.equals("text") && !lines.equals("json")) {
            return PipelineMain.error("invalid_flag", "--lines must be text or json (got '" + lines + "')",
                    "Pass --lines json for one JSON object a line, or leave it out.");
        }
        Map<String, Integer> concurrency = new LinkedHashMap<>();
        if (call.value("--concurrency") != null) {
            for (String part : call.value("--concurrency").split(",")) {
                String[] pair = part.trim().split("=");
                try {
                    if (pair.length != 2 || !pair[0].strip().matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")) {
                        throw new NumberFormatException();
                    }
                    int limit = Integer.parseInt(pair[1].strip());
                    if (limit < 1) {
                        throw new NumberFormatException();
                    }
                    concurrency.put(pair[0].strip(), limit);
                } catch (NumberFormatException e) {
                    return PipelineMain.error("invalid_flag", "--concurrency takes class=n pairs separated by"
                            + " commas (got '" + part.trim() + "')", "Pass for example --concurrency opus=4,sonnet=8.");
                }
            }
        }
        Path project = call.settings().pipeline().projectDir();
        Path state = call.settings().pipeline().stateDir();
        PhaseConfig phases;
        try {
            phases = PhaseConfig.read(project);
        } catch (PipelineException e) {
            return PipelineMain.error(e.code(), e.getMessage(), e.fix());
        }
        Path signals;
        try {
            signals = project.resolve(call.value("--signals-dir") != null ? call.value("--signals-dir")
                    : phases.signalsDirectory());
        } catch (java.nio.file.InvalidPathException e) {
            return PipelineMain.error("invalid_path", "--signals-dir is not a path: " + e.getMessage(),
                    "Pass a directory, such as .taskmaster/.signals.");
        }
        PipelineRuntime runtime = call.get(PipelineRuntime.class);
        runtime.removeListener(call.get(Key.get(dev.agentpipeline.core.engine.RunListener.class,
                Names.named(CliModule.WAKE_UPS))));
        StageRegistry stages = StageRegistry.load(call.settings().plugins().classLoader());
        PrintStream out = call.progress();
        AtomicInteger changes = new AtomicInteger();
        AtomicInteger ended = new AtomicInteger();
        long[] lastChange = {System.nanoTime()};
        String format = lines;
        Worker worker = Worker.builder(runtime, () -> {
                    Orchestrator.Builder builder = orchestrator(call, runtime, stages);
                    concurrency.forEach(builder::concurrency);
                    return builder;
                })
                .threads(threads)
                .rescanEvery(rescan)
                .wakeDirectory(state.resolve(WakeUps.DIRECTORY))
                .listener(status -> {
                    changes.incrementAndGet();
                    lastChange[0] = System.nanoTime();
                    if (status.status() == RunStatus.Status.ENDED) {
                        ended.incrementAndGet();
                    }
                    synchronized (out) {
                        out.println(format.equals("json") ? Json.compact(statusJson(status)) : line(status));
                        out.flush();
                    }
                })
                .companion(w -> SignalWatcher.builder(runtime, SignalInbox.at(state.resolve(SignalInbox.DIRECTORY)).directory())
                        .signalDirectory(signals)
                        .listener(new SignalWatcher.Listener() {
                            @Override
                            public void consumed(Path file, dev.agentpipeline.core.engine.SignalReceipt receipt) {
                                lastChange[0] = System.nanoTime();
                                w.wake(receipt.runIfAny().map(r -> r.state().runId()).orElse(""));
                                synchronized (out) {
                                    out.println(format.equals("json") ? Json.compact(Map.of("signal",
                                            file.getFileName().toString(), "status", receipt.status().wireName(),
                                            "run_id", receipt.runIfAny().map(r -> r.state().runId()).orElse("")))
                                            : Times.format(Instant.now()) + " signal " + file.getFileName() + ": "
                                            + receipt.status().wireName() + " " + receipt.message());
                                    out.flush();
                                }
                            }

                            @Override
                            public void rejected(Path file, String reason) {
                                lastChange[0] = System.nanoTime();
                                synchronized (out) {
                                    out.println(format.equals("json") ? Json.compact(Map.of("signal",
                                            file.getFileName().toString(), "status", "rejected", "reason", reason))
                                            : Times.format(Instant.now()) + " signal " + file.getFileName()
                                            + " rejected: " + reason);
                                    out.flush();
                                }
                            }
                        })
                        .build().start())
                .build();
        CountDownLatch stopped = new CountDownLatch(1);
        Thread main = Thread.currentThread();
        Thread hook = new Thread(() -> {
            stopped.countDown();
            try {
                main.join(30_000); // lets the answer be printed before the JVM ends
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "pipeline-worker-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        worker.start();
        if (format.equals("text")) {
            out.println(Times.format(Instant.now()) + " worker started: " + threads + " threads, watching "
                    + SignalInbox.at(state.resolve(SignalInbox.DIRECTORY)).directory() + " and " + signals + "; stop with Ctrl-C");
            out.flush();
        }
        try {
            while (!stopped.await(200, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                if (idle != null && System.nanoTime() - lastChange[0] > idle.toNanos()
                        && worker.awaitIdle(Duration.ZERO) && worker.driving() == 0) {
                    break;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        worker.close();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook waits for this answer
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("ok", true);
        json.put("stopped", stopped.getCount() == 0 ? "signal" : "idle");
        json.put("changes", changes.get());
        json.put("runs_ended", ended.get());
        List<Object> waiting = new ArrayList<>();
        worker.index().values().forEach(status -> waiting.add(statusJson(status)));
        json.put("runs", waiting);
        return new CommandResult(CommandResult.OK, json);
    }

    private static Duration positive(String text) {
        Duration value = Durations.parse(text);
        if (value.isZero()) {
            throw new IllegalArgumentException("'" + text + "' must be longer than zero");
        }
        return value;
    }

    private static String line(RunStatus status) {
        return Times.format(status.at()) + " " + status.line();
    }

    private static Map<String, Object> statusJson(RunStatus status) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("at", Times.format(status.at()));
        json.put("run_id", status.runId());
        json.put("pipeline", status.pipelineId());
        json.put("phase", status.phase());
        json.put("status", status.status().wireName());
        json.put("waiting_for", status.waitIfAny().map(WaitingCommands::waitJson).orElse(null));
        json.put("message", status.message());
        return json;
    }

    static Map<String, Object> waitJson(Wait wait) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("kind", wait.kind().wireName());
        json.put("state", wait.stateId());
        json.put("detail", wait.detail());
        json.put("until", wait.until() == null ? null : Times.format(wait.until()));
        return json;
    }

    // ------------------------------------------------------------------------------------------- runs

    /** Where a run stands: its phase, what it waits for, its open gates, timers and children. */
    static Map<String, Object> where(PipelineDefinition definition, RunState state) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("phase", state.phase());
        json.put("complete", state.complete());
        json.put("final_result", state.finalResult().orElse(null));
        json.put("paused_reason", state.isPaused() ? state.pausedReason().orElse("") : null);
        json.put("waiting_for", definition == null ? null : Waits.of(definition, state).map(WaitingCommands::waitJson)
                .orElse(null));
        List<Object> gates = new ArrayList<>();
        for (Gate gate : state.openGates()) {
            Map<String, Object> g = new LinkedHashMap<>();
            g.put("gate_id", gate.id());
            g.put("state", gate.stateId());
            g.put("question", gate.request().question());
            List<Object> options = new ArrayList<>();
            for (GateOption option : gate.request().options()) {
                options.add(Map.of("id", option.id(), "label", option.label(), "pros", option.pros(), "cons",
                        option.cons()));
            }
            g.put("options", options);
            g.put("may_answer", gate.mayAnswer());
            g.put("due", gate.due().map(Times::format).orElse(null));
            g.put("escalated_to", gate.escalations());
            gates.add(g);
        }
        json.put("open_gates", gates);
        List<Object> timers = new ArrayList<>();
        for (Timer timer : state.openTimers()) {
            timers.add(Map.of("timer_id", timer.id(), "purpose", timer.purpose(), "due", Times.format(timer.due())));
        }
        json.put("timers", timers);
        List<Object> children = new ArrayList<>();
        for (ChildRun child : state.children().values()) {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("run_id", child.runId());
            c.put("pipeline", child.pipelineId());
            c.put("class", child.concurrencyClass());
            c.put("result", child.result());
            children.add(c);
        }
        json.put("children", children);
        return json;
    }

    private static CommandResult listRuns(CliInvocation call) {
        String format = call.value("--format");
        if (format == null) {
            format = call.terminal().isPresent() ? "table" : "json";
        }
        format = format.trim();
        if (!format.equals("json") && !format.equals("table")) {
            return PipelineMain.error("invalid_flag", "--format must be json or table (got '" + format + "')",
                    "Pass --format table for people or --format json for programs.");
        }
        PipelineRuntime runtime = call.get(PipelineRuntime.class);
        String only = call.value("--pipeline");
        List<Map<String, Object>> runs = new ArrayList<>();
        for (String runId : runtime.store().runIds()) {
            Optional<RunSnapshot> loaded;
            try {
                loaded = runtime.store().load(runId);
            } catch (RuntimeException e) {
                Map<String, Object> broken = new LinkedHashMap<>();
                broken.put("run_id", runId);
                broken.put("error", e.getMessage());
                runs.add(broken);
                continue;
            }
            if (loaded.isEmpty()) {
                continue;
            }
            RunState state = loaded.get().state();
            if ((state.complete() && !call.flag("--all")) || (only != null && !only.equals(state.pipelineId()))) {
                continue;
            }
            PipelineDefinition definition;
            try {
                definition = runtime.definition(state.pipelineId());
            } catch (RuntimeException e) {
                definition = null;
            }
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("run_id", runId);
            json.put("pipeline", state.pipelineId());
            json.put("subject", state.subjectId());
            json.putAll(where(definition, state));
            json.put("updated_at", Times.format(state.updatedAt()));
            if (PhasePipeline.ID.equals(state.pipelineId())) {
                json.put("dashboard", PhaseProgress.of(state, runtime.clock().instant()).render());
            }
            runs.add(json);
        }
        runs.sort(java.util.Comparator.comparing(r -> String.valueOf(r.get("updated_at"))));
        if (format.equals("table")) {
            StringBuilder text = new StringBuilder();
            if (runs.isEmpty()) {
                text.append("No ").append(call.flag("--all") ? "" : "open ").append("run.\n");
            }
            for (Map<String, Object> run : runs) {
                text.append(run.get("run_id")).append("  ").append(run.get("pipeline")).append("  ")
                        .append(run.get("phase"));
                if (run.get("waiting_for") instanceof Map<?, ?> wait) {
                    text.append("  waits for ").append(wait.get("kind")).append(' ').append(wait.get("detail"))
                            .append(wait.get("until") == null ? "" : " until " + wait.get("until"));
                } else if (run.get("paused_reason") != null) {
                    text.append("  paused: ").append(run.get("paused_reason"));
                } else if (Boolean.TRUE.equals(run.get("complete"))) {
                    text.append("  ended ").append(run.get("final_result"));
                } else if (run.get("error") != null) {
                    text.append("  cannot be read: ").append(run.get("error"));
                } else {
                    text.append("  can move (a worker drives it)");
                }
                text.append('\n');
                if (run.get("dashboard") instanceof List<?> dashboard) {
                    dashboard.forEach(line -> text.append("    ").append(line).append('\n'));
                }
                if (run.get("open_gates") instanceof List<?> gates) {
                    for (Object g : gates) {
                        Map<?, ?> gate = (Map<?, ?>) g;
                        text.append("    gate ").append(gate.get("gate_id")).append(": ").append(gate.get("question"))
                                .append('\n');
                        for (Object o : (List<?>) gate.get("options")) {
                            Map<?, ?> option = (Map<?, ?>) o;
                            text.append("      ").append(option.get("id")).append(") ").append(option.get("label"));
                            if (!((List<?>) option.get("pros")).isEmpty()) {
                                text.append("  + ").append(String.join("; ", cast(option.get("pros"))));
                            }
                            if (!((List<?>) option.get("cons")).isEmpty()) {
                                text.append("  - ").append(String.join("; ", cast(option.get("cons"))));
                            }
                            text.append('\n');
                        }
                        text.append("      answer: pipeline decide --run ").append(run.get("run_id"))
                                .append(" --option <id> --by <name>\n");
                    }
                }
            }
            return PipelineMain.text(text.toString());
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("ok", true);
        json.put("runs", runs);
        return new CommandResult(CommandResult.OK, json);
    }

    @SuppressWarnings("unchecked")
    private static List<String> cast(Object list) {
        return (List<String>) list;
    }

    // ------------------------------------------------------------------------------------------- resume, cancel

    /**
     * {@code resume --run ID}: resumes a paused run of any pipeline through its guards (or, with {@code --force
     * --reason}, past them, recorded).
     *
     * @param call the call
     * @return the answer
     */
    static CommandResult resumeRun(CliInvocation call) {
        String runId = call.value("--run");
        CommandResult missing = runMissing(call, runId);
        if (missing != null) {
            return missing;
        }
        if (call.flag("--force") && (call.value("--reason") == null || call.value("--reason").isBlank())) {
            return PipelineMain.error("missing_flag", "--force needs --reason", "Say why the guards are overridden.");
        }
        PipelineRuntime runtime = call.get(PipelineRuntime.class);
        dev.agentpipeline.core.engine.TransitionResult result;
        try {
            result = runtime.resume(runId, call.value("--to"), call.flag("--force") ? call.value("--reason") : null);
        } catch (PipelineException e) {
            return PipelineMain.error(e.code(), e.getMessage(), e.fix());
        }
        Map<String, Object> json = new LinkedHashMap<>();
        if (!result.allowed()) {
            json.put("ok", false);
            json.put("error", result.guardResult().error());
            json.put("recovery", result.guardResult().recovery());
            json.put("code", result.guardResult().code());
            return new CommandResult(CommandResult.REJECTED, json);
        }
        json.put("ok", true);
        json.put("run_id", runId);
        json.put("phase", result.run().state().phase());
        json.put("next", "A running `pipeline worker` drives it on now.");
        return new CommandResult(CommandResult.OK, json);
    }

    /**
     * {@code cancel --run ID}: cancels a run of any pipeline, its open child runs first.
     *
     * @param call the call
     * @return the answer
     */
    static CommandResult cancelRun(CliInvocation call) {
        String runId = call.value("--run");
        CommandResult missing = runMissing(call, runId);
        if (missing != null) {
            return missing;
        }
        RunSnapshot after;
        try {
            after = call.get(PipelineRuntime.class).cancel(runId, call.value("--reason"));
        } catch (PipelineException e) {
            return PipelineMain.error(e.code(), e.getMessage(), e.fix());
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("ok", true);
        json.put("run_id", runId);
        json.put("final_result", after.state().finalResult().orElse("CANCELED"));
        json.put("children_canceled", after.state().children().values().stream()
                .filter(c -> "CANCELED".equals(c.result())).map(ChildRun::runId).toList());
        return new CommandResult(CommandResult.OK, json);
    }

    private static CommandResult runMissing(CliInvocation call, String runId) {
        if (!Ids.isSafe(runId)) {
            return PipelineMain.error("invalid_id", "--run '" + runId + "' is not a run id", "Copy it from"
                    + " `pipeline runs`.");
        }
        if (call.get(PipelineRuntime.class).store().load(runId).isEmpty()) {
            return PipelineMain.error("run_not_found", "Run " + runId + " does not exist", "`pipeline runs` lists"
                    + " the runs.");
        }
        return null;
    }

    // ------------------------------------------------------------------------------------------- decide

    /**
     * {@code decide --run ID --option X}: answers a run's open decision gate.
     *
     * @param call the call
     * @return the answer
     */
    static CommandResult decideGate(CliInvocation call) {
        String runId = call.value("--run");
        String option = call.value("--option");
        if (runId == null || option == null) {
            return PipelineMain.error("missing_flag", "Answering a gate needs --run and --option", "Pass for example"
                    + " --run <run-id> --option approve; `pipeline runs` lists the open gates.");
        }
        if (!Ids.isSafe(runId)) {
            return PipelineMain.error("invalid_id", "--run '" + runId + "' is not a run id", "Copy it from"
                    + " `pipeline runs`.");
        }
        PipelineRuntime runtime = call.get(PipelineRuntime.class);
        if (runtime.store().load(runId).isEmpty()) {
            return PipelineMain.error("run_not_found", "Run " + runId + " does not exist", "`pipeline runs` lists"
                    + " the runs.");
        }
        String by = call.value("--by") != null ? call.value("--by") : System.getProperty("user.name", "");
        RunSnapshot after;
        try {
            after = runtime.decide(runId, call.value("--gate"), option, by, call.value("--reason"));
        } catch (PipelineException e) {
            return PipelineMain.error(e.code(), e.getMessage(), e.fix());
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("ok", true);
        json.put("run_id", runId);
        Gate gate = after.state().gates().values().stream().filter(g -> g.decision() != null)
                .max(java.util.Comparator.comparingLong(g -> g.decision().journalSequence())).orElse(null);
        if (gate != null) {
            json.put("gate_id", gate.id());
            json.put("option", gate.decision().option());
            json.put("by", gate.decision().by());
            json.put("at", Times.format(gate.decision().at()));
        }
        json.put("phase", after.state().phase());
        json.put("next", "A running `pipeline worker` goes on with the run now.");
        return new CommandResult(CommandResult.OK, json);
    }
}
