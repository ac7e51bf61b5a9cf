package dev.agentpipeline.examples.demo;

import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Module;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.util.Modules;
import dev.agentpipeline.core.board.BoardFile;
import dev.agentpipeline.core.board.BoardStory;
import dev.agentpipeline.core.board.BoardUpdater;
import dev.agentpipeline.core.board.KanbanBoard;
import dev.agentpipeline.core.definition.StageBindings;
import dev.agentpipeline.core.internal.Json;
import dev.agentpipeline.core.store.FileRunStore;
import dev.agentpipeline.stages.CommandStage;
import dev.agentpipeline.core.definition.PipelineDefinition;
import dev.agentpipeline.core.engine.DriveResult;
import dev.agentpipeline.core.engine.Orchestrator;
import dev.agentpipeline.core.engine.PipelineRuntime;
import dev.agentpipeline.core.run.RunState;
import dev.agentpipeline.core.store.RunStore;
import dev.agentpipeline.core.story.CommandResult;
import dev.agentpipeline.core.story.StoryCommands;
import dev.agentpipeline.core.story.StoryPipeline;
import dev.agentpipeline.core.story.StoryWorkspaces;
import dev.agentpipeline.core.story.report.StoryReports;
import dev.agentpipeline.cli.progress.ProgressOutput;
import dev.agentpipeline.guice.PipelineModule;
import dev.agentpipeline.guice.PipelineSettings;
import dev.agentpipeline.guice.StagesModule;
import dev.agentpipeline.guice.WorkspacesModule;
import dev.agentpipeline.spi.StageRegistry;
import dev.agentpipeline.spi.workspace.WorkspaceProvider;
import dev.agentpipeline.spi.workspace.WorkspaceProviderFactory;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Runs the demo: prepares the sample project (a git repository with a kanban board, see {@link DemoProject}), picks
 * the board's next story, and drives it through the story pipeline ({@link DemoPipeline}) with the command stage
 * ({@code pipeline-command}) running the sample's example agents, POSIX scripts that really change the code and run
 * its tests: validation says NO-GO once, fixes the story and passes the retry; the implementation comes without
 * tests, so the quality gate measures too little line coverage with JaCoCo and fails; the rework adds the tests, and
 * the gate passes on the evidence the {@code junit} and {@code jacoco} collectors read from the real reports. The
 * board follows the run ({@link BoardUpdater}); the stages work in the story's own git worktree on branch
 * {@code feature/US-DEMO-n-greet-users-by-name}, where the work stays committed; the run's report and its row of
 * {@code quality-trend.md} go to the sample project's {@code docs/tasks/reports/}.
 *
 * <p>Run it again in the same directory and it adds a new copy of the story to the board (or continues a story an
 * earlier run left open), so each demo run is one more row of the quality trend.
 *
 * <pre>{@code
 * Map<String, Object> answer = Demo.run(Path.of("/tmp/pipeline-demo"), System.err, Clock.systemUTC());
 * }</pre>
 *
 * @since 0.1
 */
public final class Demo {

    /** The stage file the demo writes into the state directory and binds the four stages with. */
    public static final String STAGE_FILE = "demo/stages.yaml";

    private Demo() {
    }

    /**
     * Runs the demo in a new or empty directory, or in the project of an earlier demo run.
     *
     * @param dir the directory for the sample project
     * @param progress where progress lines go
     * @param clock the clock of the run
     * @return the answer: {@code ok}, {@code run_id}, {@code story_id}, {@code final_phase}, counters, the
     *     {@code evidence} of the last quality gate, where the journal, state and checkpoints are, the {@code report},
     *     {@code trend}, {@code trend_direction} and {@code trend_rows}, and the {@code board}'s moves
     * @throws IllegalArgumentException if the directory is not empty and not a demo project
     * @throws IllegalStateException if this Java runtime has no {@code javac}
     */
    public static Map<String, Object> run(Path dir, PrintStream progress, Clock clock) {
        return run(dir, progress, clock, ProgressOutput.Mode.LINES);
    }

    /**
     * Runs the demo, showing its progress as a live dashboard or as lines.
     *
     * @param dir the directory for the sample project
     * @param progress where progress goes
     * @param clock the clock of the run
     * @param mode a live dashboard or a line per step
     * @return the answer, as {@link #run(Path, PrintStream, Clock)}'s
     * @throws IllegalArgumentException if the directory is not empty and not a demo project
     * @throws IllegalStateException if this Java runtime has no {@code javac}
     */
    public static Map<String, Object> run(Path dir, PrintStream progress, Clock clock, ProgressOutput.Mode mode) {
        Path project = dir.toAbsolutePath().normalize();
        Path javaHome = DemoTools.javaHome(); // before anything is written
        DemoProject.Prepared prepared = DemoProject.prepare(project);
        PipelineSettings settings = PipelineSettings.forProject(project);
        Path boardPath = project.resolve(KanbanBoard.DEFAULT_PATH);
        BoardStory story = KanbanBoard.read(boardPath).next().orElseThrow(() -> new IllegalStateException(
                "No open story on " + boardPath + " after preparing the demo project"));
        Path stageFile = writeStageFile(settings.stateDir(), javaHome);
        PipelineDefinition definition = StageBindings.fromYaml(stageFile).applyTo(DemoPipeline.definition());
        // The wiring an application would use: PipelineModule, StagesModule and WorkspacesModule, with the demo's own
        // definition (bound to the command stage) and clock, for the sample project's directory.
        Module demo = new AbstractModule() {
            @Provides
            @Singleton
            PipelineDefinition definition() {
                return definition;
            }

            @Provides
            @Singleton
            Clock clock() {
                return clock;
            }
        };
        Injector injector = Guice.createInjector(
                Modules.override(new PipelineModule(), new StagesModule(), new WorkspacesModule()).with(demo),
                binder -> binder.bind(PipelineSettings.class).toInstance(settings));
        PipelineRuntime runtime = injector.getInstance(PipelineRuntime.class);
        RunStore store = injector.getInstance(RunStore.class);
        progress.println("Demo project: " + project + (prepared.created() ? " (new)" : prepared.addedStory() != null
                ? " (again: " + prepared.addedStory() + " added to the board)" : " (again)"));
        progress.println("Story " + story.id() + " from the board: " + story.title() + ", " + story.status().label()
                + " -> " + story.targetStage().orElse("-"));
        Path lock = store instanceof FileRunStore files ? files.sharedLockFile("board")
                : settings.stateDir().resolve("board.lock");
        BoardUpdater board = new BoardUpdater(BoardFile.of(boardPath, lock, settings.lockTimeout()));
        runtime.addListener(board);
        DriveResult result;
        String runId;
        try (ProgressOutput output = ProgressOutput.open(mode, progress, definition, store, clock)) {
            runtime.addListener(output);
            CommandResult started = injector.getInstance(StoryCommands.class).start(
                    StoryCommands.StartArgs.builder(story.id()).title(story.title()).build());
            if (started.exitCode() != CommandResult.OK) {
                return started.json();
            }
            runId = String.valueOf(started.json().get("run_id"));
            WorkspaceProvider git = injector.getInstance(WorkspaceProviderFactory.class)
                    .open(project, settings.stateDir().resolve("worktrees"));
            Orchestrator orchestrator = StoryPipeline.orchestrator(runtime, injector.getInstance(StageRegistry.class),
                    run -> project, story.targetStage())
                    .workspaces(StoryWorkspaces.builder(git).build())
                    .build();
            result = orchestrator.drive(runId);
        }
        RunState state = result.run().state();
        Map<?, ?> workspace = state.attributes().get(StoryWorkspaces.ATTRIBUTE) instanceof Map<?, ?> w ? w : Map.of();
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("ok", result.status() == DriveResult.Status.COMPLETED);
        answer.put("run_id", runId);
        answer.put("story_id", state.subjectId());
        answer.put("final_phase", state.phase());
        answer.put("final_result", state.finalResult().orElse(null));
        answer.put("validation_retries", state.counter("validation_retries"));
        answer.put("quality_cycles", state.counter("quality_cycles"));
        answer.put("attempts", state.attempts().size());
        answer.put("evidence", state.latestCheckpoint("STAGE_3").map(c -> c.payload().get("evidence")).orElse(null));
        answer.put("project_dir", project.toString());
        answer.put("branch", workspace.get("branch"));
        answer.put("final_commit", workspace.get("final_commit"));
        answer.put("git_stats", state.attributes().get("git_stats"));
        answer.put("paths", new LinkedHashMap<String, Object>(store.locations(runId)));
        Optional.ofNullable(state.pausedReason().orElse(null)).ifPresent(reason -> answer.put("paused_reason", reason));
        // The pipeline report and quality trend row, in the sample project's docs/tasks/reports.
        StoryReports.Written report = StoryReports.builder(project).lockFile(settings.stateDir().resolve("reports.lock"))
                .build().write(state, clock);
        answer.put("report", report.report().toString());
        answer.put("trend", report.trend().toString());
        answer.put("trend_direction", report.direction().wireName());
        answer.put("board", Map.of("file", boardPath.toString(), "moves", board.moves().stream()
                .map(move -> move.from() + " -> " + move.to()).toList(), "problems", board.problems()));
        progress.println();
        progress.println(result.status() == DriveResult.Status.COMPLETED
                ? "Story " + state.subjectId() + " reached " + state.phase() + " after " + state.counter("validation_retries")
                + " validation retry and " + state.counter("quality_cycles") + " rework cycle."
                : "Story " + state.subjectId() + " stopped: " + result.status() + " " + result.reason());
        Map<String, String> paths = store.locations(runId);
        progress.println("  journal:     " + paths.get("journal"));
        progress.println("  state:       " + paths.get("state"));
        progress.println("  checkpoints: " + paths.get("checkpoints"));
        progress.println("  attempts:    " + Path.of(paths.get("journal")).resolveSibling("attempts")
                + " (each agent's stdout.log, stderr.log and summary.json)");
        progress.println("  report:      " + report.report());
        progress.println("  trend:       " + report.trend() + " (" + report.direction().wireName() + ")");
        progress.println("  board:       " + boardPath + " (" + state.subjectId() + " "
                + board.moves().stream().map(move -> move.to()).reduce((a, b) -> b).orElse("not moved") + ")");
        if (workspace.get("final_commit") != null) {
            progress.println("  branch:      " + workspace.get("branch") + " (git -C " + project + " log --stat "
                    + DemoProject.BASE_BRANCH + ".." + workspace.get("branch") + ")");
        }
        return answer;
    }

    /**
     * Writes the stage file that binds the four stages to the command stage running the sample's scripts; the quality
     * gate gets the JDK, the JaCoCo agent and the coverage report tool's class path in its environment. It is what
     * {@code pipeline run --stages} reads, so the same agents can be run by hand:
     * {@code pipeline run --from-board --stages .pipeline/demo/stages.yaml}.
     */
    private static Path writeStageFile(Path stateDir, Path javaHome) {
        Path file = stateDir.resolve(STAGE_FILE);
        Path agent = DemoTools.agentJar(file.getParent());
        String gateEnv = "      env:\n"
                + "        DEMO_JAVA_HOME: " + yaml(literal(javaHome.toString())) + "\n"
                + "        DEMO_JACOCO_AGENT: " + yaml(literal(agent.toString())) + "\n"
                + "        DEMO_TOOLS_CP: " + yaml(literal(DemoTools.coverageReportClassPath())) + "\n";
        String text = "# Written by `pipeline demo`: the sample project's example agents, bound to the story pipeline's"
                + " stages.\nschema_version: 1\nstages:\n"
                + stage("STAGE_0", "[agents/decompose.sh, \"{summary_file}\"]", 60, "")
                + stage("STAGE_1", "[agents/validate.sh, \"{summary_file}\"]", 60, "")
                + stage("STAGE_2", "[agents/implement.sh, \"{summary_file}\", \"{rework_focus}\"]", 60, "")
                + stage("STAGE_3", "[agents/quality-gate.sh, \"{summary_file}\"]", 300, gateEnv);
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the demo's stage file " + file, e);
        }
        return file;
    }

    private static String stage(String state, String command, int timeoutSeconds, String more) {
        return "  " + state + ":\n    plugin: " + CommandStage.ID + "\n    settings:\n      command: " + command
                + "\n      timeout_seconds: " + timeoutSeconds + "\n      idle_timeout_seconds: " + timeoutSeconds
                + "\n" + more;
    }

    /** A command stage template that stands for the text itself: braces doubled. */
    private static String literal(String text) {
        return text.replace("{", "{{").replace("}", "}}");
    }

    /** A YAML double-quoted scalar (JSON's string syntax, which YAML reads the same). */
    private static String yaml(String text) {
        return Json.compact(text);
    }
}
