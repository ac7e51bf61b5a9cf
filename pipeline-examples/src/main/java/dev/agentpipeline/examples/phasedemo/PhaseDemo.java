package dev.agentpipeline.examples.phasedemo;

import dev.agentpipeline.cli.PipelineMain;
import dev.agentpipeline.core.internal.Json;
import dev.agentpipeline.core.phase.Phase;
import dev.agentpipeline.core.phase.PhaseConfig;
import dev.agentpipeline.core.phase.PhasePipeline;
import dev.agentpipeline.core.phase.PhaseProgress;
import dev.agentpipeline.core.phase.PhaseWorkspaces;
import dev.agentpipeline.core.phase.ProjectPipelines;
import dev.agentpipeline.core.run.ChildRun;
import dev.agentpipeline.core.run.Gate;
import dev.agentpipeline.core.run.GateOption;
import dev.agentpipeline.core.run.RunEvent;
import dev.agentpipeline.core.run.RunState;
import dev.agentpipeline.core.run.Timer;
import dev.agentpipeline.core.store.FileRunStore;
import dev.agentpipeline.core.store.JournalEntry;
import dev.agentpipeline.examples.demo.DemoTools;
import dev.agentpipeline.stages.CommandStage;

import org.apiguardian.api.API;

import java.io.ByteArrayOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * Runs the phase demo: the phase pipeline ({@link PhasePipeline}) on a sample project ({@link PhaseDemoProject}),
 * its agents POSIX scripts that write phase signals, driven by the command line's own commands - {@code pipeline
 * launch}, then a {@code pipeline worker} with its signal watcher, and {@code pipeline decide --run} for the gates -
 * each run in this process through {@link PipelineMain}, exactly as {@code bin/pipeline} runs them.
 *
 * <p>Each phase works in a git worktree of its own ({@code .pipeline/worktrees/phase-N-task-1}), merged back into the
 * sample's {@code main} before the next phase starts, as the command line does in a git repository.
 *
 * <p>What the run goes through: phase 5 decomposes the feature and a person approves the tasks
 * ({@code APPROVE_TASKS}); phase 6's first try signals the transient error {@code network_timeout}, and the phase
 * runs again after its backoff (1 s: the project's {@code .pipeline/phase.conf}); phase 7 asks a question the
 * feature leaves open (an {@code ambiguous_decision} with the agent's own options: {@code DECIDE_7}), then writes the
 * code and tests and signals what its test run measured with JaCoCo, which must meet 80% line and 70% branch
 * coverage; phase 9 signals its integration points, phase 10 its readiness score; phase 11 starts the deployment
 * pipeline as a child run - the stub {@link PhasePipeline#deploymentStub()} until the deployment pipeline exists -
 * and the run ends {@code DONE}.
 *
 * <p>Gates: by default the demo answers each gate with its first option, as {@code pipeline decide --run ...
 * --option ... --by demo} (printed as a person would type it). With {@code answerGates} false it stops at the first
 * open gate and says which command answers it; the next demo run in the same directory goes on with the same run.
 *
 * <pre>{@code
 * Map<String, Object> answer = PhaseDemo.run(Path.of("/tmp/phase-demo"), System.err, true, "pipeline phase-demo");
 * }</pre>
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class PhaseDemo {

    /** Where the demo keeps its files in the state directory: the JaCoCo agent and the worker's log. */
    public static final String DIRECTORY = ".pipeline/phase-demo";
    /** The short waits the demo's projects use instead of 1, 2 and 4 minutes. */
    public static final String TRANSIENT_BACKOFF = "1s, 2s, 4s";
    /** How long the demo's worker waits with nothing to do before it stops. */
    public static final String IDLE = "2s";

    private static final List<Integer> AGENT_PHASES = List.of(5, 6, 7, 9, 10);

    /** The script each state's stage runs. */
    static final Map<String, String> AGENTS = agents();
    private static final int MAX_WORKERS = 5;

    private PhaseDemo() {
    }

    private static Map<String, String> agents() {
        Map<String, String> agents = new LinkedHashMap<>();
        agents.put("PHASE_5", "agents/phase5-decompose.sh");
        agents.put("PHASE_6", "agents/phase6-specs.sh");
        agents.put("PHASE_7", "agents/phase7-implement.sh");
        agents.put("PHASE_9", "agents/phase9-integration.sh");
        agents.put("PHASE_10", "agents/phase10-validate.sh");
        for (int n : AGENT_PHASES) {
            agents.put("INSTALL_" + n, "agents/install.sh");
            agents.put("FIX_" + n, "agents/fix.sh");
        }
        agents.put("DEPLOY", "agents/deploy.sh");
        return Map.copyOf(agents);
    }

    /**
     * Runs the demo in a new or empty directory, or in the project of an earlier phase demo (an unfinished run there
     * goes on; a finished one is followed by a new run).
     *
     * @param dir the directory of the sample project
     * @param progress where progress lines go
     * @param answerGates whether the demo answers the gates (else it stops at the first open one)
     * @param again the command that runs the demo again, for the lines that say what to do next
     * @return the answer: {@code ok} (the run ended DONE), {@code run_id}, {@code final_phase}, {@code phases} with
     *     their durations, {@code transient_retry}, {@code decisions}, {@code evidence} (phase 7's measured numbers),
     *     {@code child_run}, {@code commands} (what was run, as typed), {@code paths} and {@code next}
     * @throws IllegalArgumentException if the directory is not empty and not a phase demo project
     * @throws IllegalStateException if this Java runtime has no {@code javac}
     */
    public static Map<String, Object> run(Path dir, PrintStream progress, boolean answerGates, String again) {
        long started = System.nanoTime();
        Path project = dir.toAbsolutePath().normalize();
        Path javaHome = DemoTools.javaHome(); // before anything is written
        boolean created = PhaseDemoProject.prepare(project);
        FileRunStore store = FileRunStore.open(project.resolve(".pipeline"));
        // made by the store, so the state directory gets its .gitignore before the settings go into it
        Path own = store.sharedDirectory(DIRECTORY.substring(DIRECTORY.lastIndexOf('/') + 1));
        Path agentJar = DemoTools.agentJar(own);
        writeSettings(project, javaHome, agentJar);
        Path log = own.resolve("worker.log");
        progress.println("Phase demo project: " + project + (created ? " (new)" : " (again)"));
        progress.println("  agents in agents/, bound in " + ProjectPipelines.STAGES + "/phase.yaml and deployment.yaml;"
                + " " + PhaseConfig.FILE + ": transient backoff " + TRANSIENT_BACKOFF);

        Commands cli = new Commands(project, progress);
        List<String> typed = cli.typed;
        Optional<String> unfinished = store.activeRun(PhasePipeline.ID, PhaseDemoProject.SUBJECT);
        int quiet = unfinished.map(id -> store.journal(id).size()).orElse(0);
        String earlier = unfinished.flatMap(store::load).map(run -> where(run.state())).orElse("");
        JournalProgress journal = new JournalProgress(store, progress, Instant.now(), AGENTS,
                PhaseConfig.read(project).settings(), project, PhaseDemoProject.BASE_BRANCH);
        Commands.Result launched = cli.run(null, "launch", "--pipeline", PhasePipeline.ID, "--subject",
                PhaseDemoProject.SUBJECT, "--title", PhaseDemoProject.TITLE);
        if (launched.exit() != 0) {
            Map<String, Object> failed = new LinkedHashMap<>(launched.json());
            failed.put("ok", false);
            failed.put("project_dir", project.toString());
            return failed;
        }
        String runId = String.valueOf(launched.json().get("run_id"));
        journal.follow(runId, "", Boolean.TRUE.equals(launched.json().get("recovered")) ? quiet : 0);
        if (Boolean.TRUE.equals(launched.json().get("recovered"))) {
            progress.println("  goes on with the unfinished run " + runId + " of an earlier demo" + earlier);
        }
        journal.poll();
        progress.println("  " + waitLine(launched.json()));

        Set<String> answered = new HashSet<>();
        String stoppedAt = null;
        for (int workers = 1; ; workers++) {
            Commands.Result[] worker = new Commands.Result[1];
            PrintStream workerLog = appending(log);
            progress.println("$ pipeline worker --threads 2 --rescan 1s --stop-when-idle " + IDLE
                    + "   # here in this process; its status lines go to " + project.relativize(log));
            typed.add("pipeline worker --threads 2 --rescan 1s --stop-when-idle " + IDLE);
            Thread thread = new Thread(() -> worker[0] = cli.quiet(workerLog, "worker", "--threads", "2",
                    "--rescan", "1s", "--stop-when-idle", IDLE), "phase-demo-worker");
            thread.start();
            boolean told = false;
            try {
                while (thread.isAlive()) {
                    journal.poll();
                    RunState now = store.load(runId).orElseThrow().state();
                    if (answerGates) {
                        answerOpenGates(now, runId, cli, journal, answered);
                    }
                    if (!told && (now.complete() || !answerGates && !now.openGates().isEmpty())) {
                        told = true;
                        journal.poll(); // what led there first
                        progress.println("  the worker stops once it has had nothing to do for " + IDLE);
                    }
                    thread.join(100);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while the phase demo's worker ran", e);
            } finally {
                workerLog.close();
            }
            journal.poll();
            RunState state = store.load(runId).orElseThrow().state();
            if (state.complete() || state.isPaused()) {
                break;
            }
            if (!state.openGates().isEmpty() && !answerGates) {
                stoppedAt = state.openGates().get(0).id();
                break;
            }
            if (workers >= MAX_WORKERS) {
                progress.println("  the run still waits after " + workers + " workers; stopping the demo here");
                break;
            }
            progress.println("  the worker stopped while run " + runId + " can still move; starting it again");
        }

        RunState state = store.load(runId).orElseThrow().state();
        List<JournalEntry> entries = store.journal(runId);
        Map<String, Object> answer = new LinkedHashMap<>();
        boolean done = state.complete() && "DONE".equals(state.phase());
        answer.put("ok", done);
        answer.put("run_id", runId);
        answer.put("pipeline", PhasePipeline.ID);
        answer.put("subject", PhaseDemoProject.SUBJECT);
        answer.put("final_phase", state.phase());
        answer.put("final_result", state.finalResult().orElse(null));
        answer.put("duration_ms", (System.nanoTime() - started) / 1_000_000);
        answer.put("phases", phases(state, entries));
        answer.put("transient_retry", transientRetry(entries));
        answer.put("decisions", decisions(state));
        answer.put("evidence", state.signals().stream().filter(s -> s.stateId().equals("PHASE_7")
                && "success".equals(s.payload().get("status"))).reduce((a, b) -> b)
                .map(s -> s.payload().get("summary")).orElse(null));
        ChildRun child = state.children().values().stream().reduce((a, b) -> b).orElse(null);
        answer.put("child_run", child == null ? null : childJson(store, child));
        answer.put("worktrees", state.attributes().getOrDefault(PhaseWorkspaces.ATTRIBUTE, Map.of()));
        answer.put("commands", List.copyOf(typed));
        Map<String, String> locations = store.locations(runId);
        Map<String, Object> paths = new LinkedHashMap<>();
        paths.put("project_dir", project.toString());
        paths.put("journal", locations.get("journal"));
        paths.put("state", locations.get("state"));
        paths.put("attempts", Path.of(locations.get("journal")).resolveSibling("attempts").toString());
        paths.put("signals", project.resolve(PhaseConfig.DEFAULT_SIGNALS_DIRECTORY).toString());
        paths.put("phase_conf", project.resolve(PhaseConfig.FILE).toString());
        paths.put("stage_files", List.of(project.resolve(ProjectPipelines.STAGES).resolve("phase.yaml").toString(),
                project.resolve(ProjectPipelines.STAGES).resolve("deployment.yaml").toString()));
        paths.put("worker_log", log.toString());
        if (child != null) {
            paths.put("child_journal", store.locations(child.runId()).get("journal"));
        }
        answer.put("paths", paths);

        progress.println();
        progress.println("The run as `pipeline runs` shows it (the phase dashboard):");
        PhaseProgress.of(state, Instant.now()).render().forEach(line -> progress.println("    " + line));
        progress.println();
        String next;
        if (done) {
            progress.println("Run " + runId + " reached DONE in " + JournalProgress.seconds(Duration.ofNanos(
                    System.nanoTime() - started)) + ": " + story(answer));
            next = "See every run: bin/pipeline runs --all --project-dir " + project + "; run " + again
                    + " again for another run" + (answerGates ? " (add --stop-at-gates to answer the gates"
                    + " yourself)." : ".");
        } else if (stoppedAt != null) {
            Gate gate = state.gates().get(stoppedAt);
            String option = gate.request().options().isEmpty() ? "<answer>" : gate.request().options().get(0).id();
            progress.println("Run " + runId + " waits in " + gate.stateId() + " for a person: " + gate.request()
                    .question());
            next = "Answer it (options: " + String.join(", ", gate.request().options().stream().map(GateOption::id)
                    .toList()) + "): bin/pipeline decide --project-dir " + project + " --run " + runId + " --option "
                    + option + " --by <your name>; then run " + again + " again to go on.";
        } else {
            progress.println("Run " + runId + " stopped in " + state.phase() + state.pausedReason().map(r -> ": " + r)
                    .orElse(""));
            next = "See where it stands: bin/pipeline runs --project-dir " + project + "; the attempts' logs are in "
                    + paths.get("attempts") + ".";
        }
        answer.put("next", next);
        progress.println("  journal:     " + paths.get("journal"));
        progress.println("  state:       " + paths.get("state"));
        progress.println("  attempts:    " + paths.get("attempts") + " (each agent's stdout.log and stderr.log)");
        progress.println("  signals:     " + paths.get("signals") + " (the watcher moves what it consumed to consumed/,"
                + " what it cannot use to rejected/)");
        progress.println("  settings:    " + paths.get("phase_conf") + "; stage files in "
                + project.resolve(ProjectPipelines.STAGES));
        progress.println("  worker log:  " + paths.get("worker_log"));
        if (child != null) {
            progress.println("  deployment:  " + paths.get("child_journal") + " (the stub's child run)");
        }
        progress.println("Next: " + next);
        progress.flush();
        return answer;
    }

    /** Answers every open gate of the run that the demo has not answered yet with its first option. */
    private static void answerOpenGates(RunState state, String runId, Commands cli, JournalProgress journal,
                                        Set<String> answered) {
        for (Gate gate : state.openGates()) {
            if (!answered.add(gate.id()) || gate.request().options().isEmpty()) {
                continue;
            }
            journal.poll(); // the question first, then the answer
            String option = gate.request().options().get(0).id();
            Commands.Result decided = cli.run(null, "decide", "--run", runId, "--option", option, "--by", "demo",
                    "--reason", "the demo answers each gate with its first option");
            if (decided.exit() != 0) {
                cli.progress.println("  decide answered " + Json.compact(decided.json()));
            }
        }
    }

    /** Where an earlier demo left a run: its state, and the answer of its gate there if a person gave one. */
    private static String where(RunState state) {
        Optional<Gate> gate = state.freshGate(state.workingState());
        return ", in " + state.phase() + gate.map(g -> g.answer().map(d -> " (answered " + d.option() + " by "
                + d.by() + ")").orElse(" (its gate is not answered yet)")).orElse("");
    }

    private static String waitLine(Map<String, Object> launched) {
        Object waiting = launched.get("waiting_for");
        String where = waiting instanceof Map<?, ?> w ? "waits for " + w.get("kind") + " " + w.get("detail")
                : "status " + launched.get("status");
        return "launch answered: run " + launched.get("run_id") + " " + where + "; " + launched.get("next");
    }

    @SuppressWarnings("unchecked")
    private static String story(Map<String, Object> answer) {
        List<String> parts = new ArrayList<>();
        if (answer.get("transient_retry") instanceof Map<?, ?> retry) {
            parts.add("phase " + retry.get("phase") + "'s " + retry.get("error_type") + " retried after a "
                    + retry.get("backoff_ms") + " ms backoff");
        }
        for (Map<String, Object> decision : (List<Map<String, Object>>) answer.get("decisions")) {
            parts.add(decision.get("state") + " answered " + decision.get("option"));
        }
        if (answer.get("evidence") instanceof Map<?, ?> evidence) {
            parts.add("phase 7 measured " + evidence.get("tests_passing") + "/" + evidence.get("tests_written")
                    + " tests passing, line coverage " + evidence.get("coverage_line") + "%, branch "
                    + evidence.get("coverage_branch") + "%");
        }
        if (answer.get("child_run") instanceof Map<?, ?> child) {
            parts.add("deployment " + child.get("run_id") + " ended " + child.get("result"));
        }
        return String.join("; ", parts) + ".";
    }

    // ------------------------------------------------------------------------------------------- the answer

    /** Each phase the run entered: its visits, attempts, time spent in it, and the signals it received. */
    private static List<Object> phases(RunState state, List<JournalEntry> entries) {
        Map<String, Long> spent = new HashMap<>();
        Map<String, Instant> firstIn = new HashMap<>();
        Map<String, Instant> lastOut = new HashMap<>();
        String current = null;
        Instant since = null;
        for (JournalEntry entry : entries) {
            RunEvent event = entry.event();
            if (event instanceof RunEvent.Started s) {
                current = s.initialState();
                since = s.at();
            } else if (event instanceof RunEvent.Transitioned t) {
                if (current != null && since != null) {
                    spent.merge(current, Duration.between(since, t.at()).toMillis(), Long::sum);
                    lastOut.put(current, t.at());
                }
                current = t.to();
                since = t.at();
                firstIn.putIfAbsent(current, t.at());
            }
        }
        List<Object> phases = new ArrayList<>();
        for (Phase phase : Phase.ALL) {
            String id = phase.state();
            if (!firstIn.containsKey(id)) {
                continue;
            }
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("phase", phase.number());
            json.put("state", id);
            json.put("name", phase.name());
            json.put("visits", state.visitCount(id));
            json.put("attempts", state.attempts().stream().filter(a -> a.stateId().equals(id)).count());
            json.put("started_at", firstIn.get(id).toString());
            json.put("ended_at", lastOut.containsKey(id) ? lastOut.get(id).toString() : null);
            json.put("duration_ms", spent.getOrDefault(id, 0L));
            List<String> signals = new ArrayList<>();
            state.signals().stream().filter(s -> s.stateId().equals(id)).forEach(s -> signals.add(
                    s.payload().get("error") instanceof Map<?, ?> e ? "error " + e.get("type")
                            : String.valueOf(s.payload().get("status"))));
            json.put("signals", signals);
            phases.add(json);
        }
        return phases;
    }

    /** The first transient retry: the error, the backoff's timer and when it fired. */
    private static Map<String, Object> transientRetry(List<JournalEntry> entries) {
        Map<String, Object> lastError = new HashMap<>();
        Map<String, Object> retry = null;
        for (JournalEntry entry : entries) {
            RunEvent event = entry.event();
            if (event instanceof RunEvent.SignalReceived r && r.payload().get("error") instanceof Map<?, ?> e) {
                lastError.put(r.stateId(), e);
            } else if (retry == null && event instanceof RunEvent.Transitioned t && t.from().equals(t.to())
                    && t.counterIncremented() != null && t.counterIncremented().startsWith("transient_retries_")) {
                retry = new LinkedHashMap<>();
                Map<?, ?> error = (Map<?, ?>) lastError.getOrDefault(t.from(), Map.of());
                retry.put("phase", Phase.of(t.from()).map(Phase::number).orElse(null));
                retry.put("state", t.from());
                retry.put("error_type", error.get("type"));
                retry.put("message", error.get("message"));
                retry.put("counter", t.counterIncremented());
                retry.put("transitioned_at", t.at().toString());
            } else if (retry != null && !retry.containsKey("timer_id") && event instanceof RunEvent.TimerSet s
                    && Timer.BACKOFF.equals(s.purpose())) {
                retry.put("timer_id", s.timerId());
                retry.put("backoff_ms", Duration.between(s.at(), s.due()).toMillis());
                retry.put("due", s.due().toString());
            } else if (retry != null && event instanceof RunEvent.TimerFired f && f.timerId().equals(
                    retry.get("timer_id"))) {
                retry.put("fired_at", f.at().toString());
            } else if (retry != null && retry.containsKey("fired_at") && !retry.containsKey("retried_at")
                    && event instanceof RunEvent.AttemptStarted a && a.stateId().equals(retry.get("state"))) {
                retry.put("retried_at", a.at().toString());
            }
        }
        return retry;
    }

    private static List<Object> decisions(RunState state) {
        List<Object> decisions = new ArrayList<>();
        state.gates().values().stream().sorted(java.util.Comparator.comparing(Gate::requestedAt)).forEach(gate -> {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("gate_id", gate.id());
            json.put("state", gate.stateId());
            json.put("question", gate.request().question());
            json.put("options", gate.request().options().stream().map(o -> o.id() + ": " + o.label()).toList());
            json.put("asked_at", gate.requestedAt().toString());
            gate.answer().ifPresent(d -> {
                json.put("option", d.option());
                json.put("by", d.by());
                json.put("reason", d.reason());
                json.put("answered_at", d.at().toString());
                json.put("waited_ms", Duration.between(gate.requestedAt(), d.at()).toMillis());
            });
            decisions.add(json);
        });
        return decisions;
    }

    private static Map<String, Object> childJson(FileRunStore store, ChildRun child) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("run_id", child.runId());
        json.put("pipeline", child.pipelineId());
        json.put("stub", PhasePipeline.DEPLOYMENT_STUB_ID.equals(child.pipelineId()));
        json.put("result", child.result());
        json.put("terminal_state", child.terminalState());
        json.put("started_at", child.startedAt().toString());
        json.put("ended_at", child.endedAt() == null ? null : child.endedAt().toString());
        store.load(child.runId()).ifPresent(run -> json.put("attempts", run.state().attempts().size()));
        return json;
    }

    // ------------------------------------------------------------------------------------------- the project's files

    /**
     * Writes the project's phase settings (a short backoff) and its stage files, which bind every state of the phase
     * pipeline and of the stub deployment pipeline to the command stage running the sample's scripts; phase 7, phase
     * 10 and the deployment get the JDK (and phase 7 the JaCoCo agent and the coverage report tool) in their
     * environment. Written on every demo run, so they follow this version of the demo.
     */
    private static void writeSettings(Path project, Path javaHome, Path agentJar) {
        String conf = "# Written by `pipeline phase-demo`: short waits for a demonstration (the phase pipeline"
                + " orchestrator waits\n# 1, 2 and 4 minutes); the thresholds are the defaults, written out to be"
                + " seen. Read when a run is first\n# touched by a process (launch, worker, decide...).\n"
                + "transient_backoff = " + TRANSIENT_BACKOFF + "\n"
                + "worktrees = true\n"
                + "transient_retries = 3\n"
                + "line_coverage = 80\n"
                + "branch_coverage = 70\n"
                + "integration_coverage = 100\n"
                + "readiness = 90\n";
        String java = "        DEMO_JAVA_HOME: " + yaml(literal(javaHome.toString())) + "\n";
        String coverage = java
                + "        DEMO_JACOCO_AGENT: " + yaml(literal(agentJar.toString())) + "\n"
                + "        DEMO_TOOLS_CP: " + yaml(literal(DemoTools.coverageReportClassPath())) + "\n";
        StringBuilder phase = new StringBuilder("# Written by `pipeline phase-demo`: every state of the phase pipeline"
                + " that runs a stage, bound to the\n# sample's agents (POSIX scripts run by the command stage, in each"
                + " phase's worktree). They write their\n# signals themselves - into signals_dir, an absolute input - so a"
                + " stage summary is optional.\n"
                + "schema_version: 1\nstages:\n");
        phase.append(stage("PHASE_5", "\"{input.signal_file}\"", 60, ""));
        phase.append(stage("PHASE_6", "\"{input.signal_file}\", \"{visit}\"", 60, ""));
        phase.append(stage("PHASE_7", "\"{input.signal_file}\", \"{input.decision}\"", 300, coverage));
        phase.append(stage("PHASE_9", "\"{input.signal_file}\"", 60, ""));
        phase.append(stage("PHASE_10", "\"{input.signal_file}\"", 120, java));
        for (int n : AGENT_PHASES) {
            phase.append(stage("INSTALL_" + n, "\"{input.phase}\", \"{input.fix_focus}\"", 60, ""));
            phase.append(stage("FIX_" + n, "\"{input.phase}\", \"{input.fix_focus}\"", 60, ""));
        }
        String deployment = "# Written by `pipeline phase-demo`: the stub deployment pipeline's stage, bound to the"
                + " sample's deploy agent.\nschema_version: 1\nstages:\n"
                + stage("DEPLOY", "\"{run_id}\"", 120, java);
        Path stages = project.resolve(ProjectPipelines.STAGES);
        try {
            Files.createDirectories(stages);
            Files.writeString(project.resolve(PhaseConfig.FILE), conf, StandardCharsets.UTF_8);
            Files.writeString(stages.resolve(PhasePipeline.ID + ".yaml"), phase.toString(), StandardCharsets.UTF_8);
            Files.writeString(stages.resolve(PhasePipeline.DEPLOYMENT_STUB_ID + ".yaml"), deployment,
                    StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the phase demo's settings in " + project, e);
        }
    }

    private static String stage(String state, String arguments, int timeoutSeconds, String env) {
        String signals = state.equals("DEPLOY") ? "" : "        PHASE_SIGNALS_DIR: \"{input.signals_dir}\"\n";
        return "  " + state + ":\n    plugin: " + CommandStage.ID + "\n    settings:\n      command: ["
                + AGENTS.get(state) + ", " + arguments + "]\n      summary: optional\n      timeout_seconds: "
                + timeoutSeconds + "\n      idle_timeout_seconds: " + timeoutSeconds + "\n"
                + (env.isEmpty() && signals.isEmpty() ? "" : "      env:\n" + signals + env);
    }

    /** A command stage template that stands for the text itself: braces doubled. */
    private static String literal(String text) {
        return text.replace("{", "{{").replace("}", "}}");
    }

    /** A YAML double-quoted scalar (JSON's string syntax, which YAML reads the same). */
    private static String yaml(String text) {
        return Json.compact(text);
    }

    private static PrintStream appending(Path file) {
        try {
            Files.createDirectories(file.getParent());
            return new PrintStream(new FileOutputStream(file.toFile(), true), true, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot open " + file, e);
        }
    }

    // ------------------------------------------------------------------------------------------- the commands

    /**
     * The command line's commands, run in this process on the sample project as {@code bin/pipeline} runs them
     * ({@link PipelineMain#run}), each printed first as a person would type it.
     */
    static final class Commands {
        private final Path project;
        private final PrintStream progress;
        private final Map<String, String> env;
        final List<String> typed = new ArrayList<>();

        /**
         * The answer of one command.
         *
         * @param exit its exit code
         * @param json its JSON answer
         */
        record Result(int exit, Map<String, Object> json) {
        }

        Commands(Path project, PrintStream progress) {
            this.project = project;
            this.progress = progress;
            Map<String, String> env = new HashMap<>(System.getenv());
            env.remove("PIPELINE_STATE_DIR"); // the demo's project keeps its runs where its stage files are
            env.remove("PIPELINE_PLUGIN_PATH");
            this.env = Map.copyOf(env);
        }

        /** Prints the command, runs it, and answers; its own progress lines go to {@code err} (else nowhere). */
        Result run(PrintStream err, String... args) {
            String line = "pipeline " + String.join(" ", java.util.Arrays.stream(args).map(Commands::quote).toList());
            typed.add(line);
            progress.println("$ " + line);
            progress.flush();
            return quiet(err, args);
        }

        /** Runs a command without printing it. */
        Result quiet(PrintStream err, String... args) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream errors = new ByteArrayOutputStream();
            PrintStream errStream = err != null ? err : new PrintStream(errors, true, StandardCharsets.UTF_8);
            int exit = new PipelineMain().run(args, new PrintStream(out, true, StandardCharsets.UTF_8), errStream,
                    project, env);
            String text = (exit == 2 && err == null ? errors : out).toString(StandardCharsets.UTF_8).trim();
            Map<String, Object> json;
            try {
                json = text.isEmpty() ? Map.of("ok", false) : Json.parseObject(text.substring(text.lastIndexOf("\n{")
                        + 1));
            } catch (RuntimeException e) {
                json = Map.of("ok", false, "output", text);
            }
            return new Result(exit, json);
        }

        private static String quote(String arg) {
            return arg.matches("[A-Za-z0-9_./:=,@%+-]+") ? arg : "'" + arg.replace("'", "'\\''") + "'";
        }
    }
}
