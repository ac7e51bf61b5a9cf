package dev.agentpipeline.examples.demo;

import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Module;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.util.Modules;
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
import dev.agentpipeline.examples.progress.ProgressOutput;
import dev.agentpipeline.examples.wiring.PipelineModule;
import dev.agentpipeline.examples.wiring.PipelineSettings;
import dev.agentpipeline.examples.wiring.StagesModule;
import dev.agentpipeline.examples.wiring.WorkspacesModule;
import dev.agentpipeline.spi.StageRegistry;
import dev.agentpipeline.spi.workspace.WorkspaceProvider;
import dev.agentpipeline.spi.workspace.WorkspaceProviderFactory;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Runs the demo: creates the sample project (a git repository), starts its story through the seeds' protocol, and
 * drives it through all four stages with the example plugins - one NO-GO and its retry, one quality FAIL and its
 * rework - to DONE, printing progress as it goes. The stages work in the story's own git worktree on branch
 * {@code feature/US-DEMO-1-greet-users-by-name}; at the end the work is committed there, the worktree removed and
 * the branch kept, so {@code git log main..feature/US-DEMO-1-greet-users-by-name} shows what the story did. The run's
 * report goes to the sample project's {@code docs/tasks/reports/pipeline-{date}.md}, with its row of
 * {@code quality-trend.md}.
 *
 * <pre>{@code
 * Map<String, Object> answer = Demo.run(Path.of("/tmp/pipeline-demo"), System.err, Clock.systemUTC());
 * }</pre>
 *
 * @since 0.1
 */
public final class Demo {

    private Demo() {
    }

    /**
     * Runs the demo in a new or empty directory.
     *
     * @param dir the directory for the sample project
     * @param progress where progress lines go
     * @param clock the clock of the run
     * @return the answer: {@code ok}, {@code run_id}, {@code final_phase}, counters, where the journal, state
     *     and checkpoints are, and the {@code report}, {@code trend} and {@code trend_direction}
     * @throws IllegalArgumentException if the directory is not empty
     */
    public static Map<String, Object> run(Path dir, PrintStream progress, Clock clock) {
        return run(dir, progress, clock, ProgressOutput.Mode.LINES);
    }

    /**
     * Runs the demo in a new or empty directory, showing its progress as a live dashboard or as lines.
     *
     * @param dir the directory for the sample project
     * @param progress where progress goes
     * @param clock the clock of the run
     * @param mode a live dashboard or a line per step
     * @return the answer, as {@link #run(Path, PrintStream, Clock)}'s
     * @throws IllegalArgumentException if the directory is not empty
     */
    public static Map<String, Object> run(Path dir, PrintStream progress, Clock clock, ProgressOutput.Mode mode) {
        Path project = dir.toAbsolutePath().normalize();
        DemoProject.create(project);
        PipelineSettings settings = PipelineSettings.forProject(project);
        PipelineDefinition definition = StoryPipeline.definition()
                .withStagePlugin("STAGE_0", DemoDecomposeStage.ID)
                .withStagePlugin("STAGE_1", DemoValidateStage.ID)
                .withStagePlugin("STAGE_2", DemoExecuteStage.ID)
                .withStagePlugin("STAGE_3", DemoQualityGateStage.ID);
        // The wiring an application would use: PipelineModule, StagesModule and WorkspacesModule, with the demo's own
        // definition (bound to the example plugins) and clock, for the sample project's directory.
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
        progress.println("Demo project: " + project);
        DriveResult result;
        String runId;
        try (ProgressOutput output = ProgressOutput.open(mode, progress, definition, store, clock)) {
            runtime.addListener(output);
            CommandResult started = injector.getInstance(StoryCommands.class).start(
                    StoryCommands.StartArgs.builder(DemoProject.STORY).title(DemoProject.TITLE).build());
            if (started.exitCode() != CommandResult.OK) {
                return started.json();
            }
            runId = String.valueOf(started.json().get("run_id"));
            WorkspaceProvider git = injector.getInstance(WorkspaceProviderFactory.class)
                    .open(project, settings.stateDir().resolve("worktrees"));
            Orchestrator orchestrator = StoryPipeline.orchestrator(runtime, injector.getInstance(StageRegistry.class),
                    run -> project, StoryPipeline.targetStage("Backlog", false))
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
        answer.put("project_dir", project.toString());
        answer.put("branch", workspace.get("branch"));
        answer.put("final_commit", workspace.get("final_commit"));
        answer.put("git_stats", state.attributes().get("git_stats"));
        answer.put("paths", new LinkedHashMap<String, Object>(store.locations(runId)));
        Optional.ofNullable(state.pausedReason().orElse(null)).ifPresent(reason -> answer.put("paused_reason", reason));
        // The seeds' report and quality trend row, in the sample project's docs/tasks/reports.
        StoryReports.Written report = StoryReports.builder(project).lockFile(settings.stateDir().resolve("reports.lock"))
                .build().write(state, clock);
        answer.put("report", report.report().toString());
        answer.put("trend", report.trend().toString());
        answer.put("trend_direction", report.direction().wireName());
        progress.println();
        progress.println(result.status() == DriveResult.Status.COMPLETED
                ? "Story " + state.subjectId() + " reached " + state.phase() + " after " + state.counter("validation_retries")
                + " validation retry and " + state.counter("quality_cycles") + " rework cycle."
                : "Story " + state.subjectId() + " stopped: " + result.status() + " " + result.reason());
        Map<String, String> paths = store.locations(runId);
        progress.println("  journal:     " + paths.get("journal"));
        progress.println("  state:       " + paths.get("state"));
        progress.println("  checkpoints: " + paths.get("checkpoints"));
        progress.println("  report:      " + report.report());
        progress.println("  trend:       " + report.trend() + " (" + report.direction().wireName() + ")");
        if (workspace.get("final_commit") != null) {
            progress.println("  branch:      " + workspace.get("branch") + " (git -C " + project + " log --stat "
                    + DemoProject.BASE_BRANCH + ".." + workspace.get("branch") + ")");
        }
        return answer;
    }
}
