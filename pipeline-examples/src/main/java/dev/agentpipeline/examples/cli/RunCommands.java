package dev.agentpipeline.examples.cli;

import com.google.inject.AbstractModule;
import com.google.inject.Injector;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.agentpipeline.core.definition.DefinitionException;
import dev.agentpipeline.core.definition.PipelineDefinition;
import dev.agentpipeline.core.engine.Orchestrator;
import dev.agentpipeline.core.engine.PipelineRuntime;
import dev.agentpipeline.core.engine.RetryPolicy;
import dev.agentpipeline.core.engine.RunWorkspaces;
import dev.agentpipeline.core.internal.Json;
import dev.agentpipeline.core.internal.JsonSyntaxException;
import dev.agentpipeline.core.story.CommandResult;
import dev.agentpipeline.core.story.StoryCommands;
import dev.agentpipeline.core.story.StoryPipeline;
import dev.agentpipeline.core.story.StoryWorkspaces;
import dev.agentpipeline.examples.demo.Demo;
import dev.agentpipeline.examples.demo.ProgressPrinter;
import dev.agentpipeline.spi.Stage;
import dev.agentpipeline.spi.StageRegistry;
import dev.agentpipeline.spi.workspace.WorkspaceException;
import dev.agentpipeline.spi.workspace.WorkspaceProvider;
import dev.agentpipeline.stages.Scenario;
import dev.agentpipeline.stages.ScriptedStage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The commands that drive a story with stage plugins: {@code run} (a story of the current project) and
 * {@code demo} (the sample project). Progress goes to stderr line by line; the answer is one JSON object on
 * stdout.
 *
 * @since 0.1
 */
final class RunCommands {

    /** The code of the workspace error that says the project is not in a git repository. */
    private static final String NOT_A_REPOSITORY = "not_a_repository";

    /** The code of the workspace error that says no base branch could be found. */
    private static final String NO_BASE_BRANCH = "no_base_branch";

    private static final CliOption STORY = CliOption.value("--story", "<id>", "The story, for example US001"
            + " (required).");

    private RunCommands() {
    }

    /** @return {@code run}: starts (or recovers) a story's run and drives it with plugins */
    static CliCommand run() {
        return CliCommand.of("run", "Starts the story's run (or continues its unfinished one) and drives it through"
                        + " its stages with stage plugins until it is DONE (exit 0) or needs a person (exit 1, with"
                        + " the reason and next action). The stages work in the story's own git worktree, on branch"
                        + " feature/{id}-{title}. When the run ends or pauses, its report is written to"
                        + " docs/tasks/reports/ (see report). Progress goes to stderr.",
                List.of(STORY,
                        CliOption.value("--title", "<text>", "The story's title."),
                        CliOption.value("--from-stage", "<0-3>", "The stage to start at (default: from"
                                + " --board-status, else 0)."),
                        CliOption.value("--board-status", "<status>", "The story's board status (Backlog, Todo, In"
                                + " Progress, To Review, To Rework...): chooses the first stage."),
                        CliOption.flag("--has-tasks", "The story already has tasks (with --board-status Backlog)."),
                        CliOption.value("--plugins", "<json>", "The stage plugin of each stage, as JSON, for example"
                                + " {\"STAGE_2\":\"acme-implement\"}."),
                        CliOption.value("--scenario", "<file>", "A scenario file: every stage replays it with the"
                                + " pipeline-scripted plugin (a dry run)."),
                        WorkspaceCommands.BASE_BRANCH,
                        CliOption.value("--business-answers", "<json>", "Answers to business questions, as JSON."),
                        CliOption.value("--max-validation-retries", "<n>", "This run's limit of NO-GO retries"
                                + " (default 1)."),
                        CliOption.value("--max-quality-cycles", "<n>", "This run's limit of reworks after a failed"
                                + " quality gate (default 2)."),
                        CliOption.value("--max-crashes", "<n>", "This run's limit of re-run crashed attempts"
                                + " (default 1)."),
                        CliOption.value("--retry-delay-ms", "<ms>", "The wait before the first retry of a timeout or"
                                + " rate limit, doubling up to 8 times it (default 60000: the seeds' 1, 2, 4 minutes).")),
                RunCommands::runStory);
    }

    /** @return {@code demo}: the sample project driven from Backlog to DONE */
    static CliCommand demo() {
        return CliCommand.of("demo", "Creates a sample project and drives its story through all four stages with"
                        + " the example plugins: one NO-GO and its retry, one quality FAIL and its rework, then DONE."
                        + " Progress goes to stderr; the answer says where the journal, state, checkpoints and the"
                        + " report (docs/tasks/reports/ of the sample project) are.",
                List.of(CliOption.value("--dir", "<dir>", "Where to create the sample project: a new or empty"
                        + " directory (default: a new one in the system's temporary directory).")),
                RunCommands::demoProject);
    }

    private static CommandResult runStory(CliInvocation call) {
        String story = call.value("--story");
        Path project = call.settings().pipeline().projectDir();
        Map<String, String> bindings = new LinkedHashMap<>();
        Scenario scenario = null;
        if (call.value("--scenario") != null) {
            Path file;
            try {
                file = project.resolve(call.value("--scenario"));
            } catch (InvalidPathException e) {
                return PipelineMain.error("invalid_path", "--scenario is not a path: " + e.getMessage(), "Pass a file name.");
            }
            if (!Files.isRegularFile(file)) {
                return PipelineMain.error("scenario_missing", "The scenario file " + file + " does not exist",
                        "Pass the path of a scenario file (YAML), relative to the project directory.");
            }
            try {
                scenario = Scenario.load(file);
            } catch (IllegalArgumentException e) {
                return PipelineMain.error("invalid_scenario", e.getMessage(), "Fix the scenario file; see ScriptedStage's"
                        + " documentation for its format.");
            }
            for (String stage : StoryPipeline.STAGES) {
                bindings.put(stage, ScriptedStage.ID);
            }
        }
        if (call.value("--plugins") != null) {
            Object plugins;
            try {
                plugins = Json.parse(call.value("--plugins"));
            } catch (JsonSyntaxException e) {
                return PipelineMain.error("invalid_json", "--plugins is not valid JSON: " + e.getMessage(),
                        "Pass for example --plugins '{\"STAGE_2\":\"acme-implement\"}'.");
            }
            if (!(plugins instanceof Map<?, ?> map)) {
                return PipelineMain.error("invalid_flag", "--plugins must be a JSON object of stages to plugin ids",
                        "Pass for example --plugins '{\"STAGE_2\":\"acme-implement\"}'.");
            }
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                if (!StoryPipeline.STAGES.contains(entry.getKey()) || !(entry.getValue() instanceof String id)
                        || !StageRegistry.isValidId(id)) {
                    return PipelineMain.error("invalid_flag", "--plugins maps " + entry.getKey() + " to " + entry.getValue()
                            + "; keys are STAGE_0..STAGE_3 and values plugin ids", "Pass for example --plugins"
                            + " '{\"STAGE_2\":\"acme-implement\"}'.");
                }
                bindings.put((String) entry.getKey(), id);
            }
        }
        Optional<String> entry;
        if (call.value("--from-stage") != null) {
            String stage = call.value("--from-stage").trim();
            if (!stage.matches("[0-3]")) {
                return PipelineMain.error("invalid_flag", "--from-stage must be 0, 1, 2 or 3 (got '" + stage + "')",
                        "Pass the stage to start at.");
            }
            entry = Optional.of(StoryPipeline.stateOf(Integer.parseInt(stage)));
        } else if (call.value("--board-status") != null) {
            entry = StoryPipeline.targetStage(call.value("--board-status"), call.flag("--has-tasks"));
            if (entry.isEmpty()) {
                return PipelineMain.error("nothing_to_do", "A story in " + call.value("--board-status") + " has no stage to run",
                        "Stories in Done, Postponed or Canceled are not processed.");
            }
        } else {
            entry = Optional.of("STAGE_0");
        }

        PipelineDefinition definition = StoryPipeline.definition();
        for (Map.Entry<String, String> binding : bindings.entrySet()) {
            definition = definition.withStagePlugin(binding.getKey(), binding.getValue());
        }
        Injector injector = call.injector(new RunModule(definition, scenario));
        StageRegistry stages = injector.getInstance(StageRegistry.class);
        try {
            definition.checkPlugins(stages); // before anything is started
        } catch (DefinitionException e) {
            return PipelineMain.error("missing_plugin", e.getMessage(), "Put the plugin's jar on the class path, or"
                    + " bind the stage to another plugin (run --plugins '{\"STAGE_2\":\"<id>\"}').");
        }
        RetryPolicy retries = RetryPolicy.defaults();
        if (call.value("--retry-delay-ms") != null) {
            String text = call.value("--retry-delay-ms").trim();
            if (!text.matches("[0-9]{1,9}")) {
                return PipelineMain.error("invalid_flag", "--retry-delay-ms must be a whole number of milliseconds"
                        + " (got '" + text + "')", "Pass for example --retry-delay-ms 5000.");
            }
            long millis = Long.parseLong(text);
            retries = RetryPolicy.custom().baseDelay(Duration.ofMillis(millis))
                    .maxDelay(Duration.ofMillis(Math.max(millis, 1) * 8)).build();
        }
        RunWorkspaces workspaces;
        try {
            workspaces = workspaces(call, project);
        } catch (WorkspaceException e) {
            return PipelineMain.error(e.code(), e.getMessage(), e.fix());
        }
        StoryCommands commands = injector.getInstance(StoryCommands.class);
        CommandResult started = commands.start(StoryCommands.StartArgs.builder(story)
                .title(call.value("--title"))
                .businessAnswers(call.value("--business-answers"))
                .maxValidationRetries(call.value("--max-validation-retries"))
                .maxQualityCycles(call.value("--max-quality-cycles"))
                .maxCrashes(call.value("--max-crashes"))
                .build());
        if (started.exitCode() != CommandResult.OK) {
            return started;
        }
        PipelineRuntime runtime = injector.getInstance(PipelineRuntime.class);
        runtime.addListener(new ProgressPrinter(call.progress()));
        Orchestrator orchestrator = StoryPipeline.orchestrator(runtime, stages, run -> project, entry)
                .workspaces(workspaces).retryPolicy(retries).build();
        CommandResult result = commands.drive(story, orchestrator);
        if (result.exitCode() == CommandResult.ERROR || !(result.json().get("run_id") instanceof String runId)) {
            return result;
        }
        Map<String, Object> answer = new LinkedHashMap<>(result.json());
        ReportCommands.writeAfterDrive(call.settings().pipeline(), runtime.load(runId).state(),
                Clock.systemDefaultZone(), call.progress(), answer);
        return new CommandResult(result.exitCode(), answer);
    }

    /**
     * Where the run's stages work: the story's own worktree in a git repository, else the project itself. Checked
     * before the run starts, so a repository no story branch can start from (no commits, no base branch) is an
     * error answer rather than a paused run.
     */
    private static RunWorkspaces workspaces(CliInvocation call, Path project) {
        WorkspaceProvider provider;
        try {
            provider = WorkspaceCommands.open(call);
        } catch (WorkspaceException e) {
            if (!NOT_A_REPOSITORY.equals(e.code())) {
                throw e;
            }
            call.progress().println("Note: " + project + " is not in a git repository, so the stages work in it"
                    + " directly, without a worktree or branch of their own (git init and a first commit give them"
                    + " one).");
            return RunWorkspaces.fixed(run -> project);
        }
        try {
            provider.baseBranch(); // no commits, or no base branch to start from: say so before the run starts
        } catch (WorkspaceException e) {
            if (!NO_BASE_BRANCH.equals(e.code())) {
                throw e;
            }
            throw new WorkspaceException(e.code(), e.getMessage(), "Name the branch story branches start from:"
                    + " run --base-branch develop (or set origin/HEAD: git remote set-head origin --auto).", e);
        }
        StoryWorkspaces.Builder workspaces = StoryWorkspaces.builder(provider);
        try { // a project in a subdirectory of its repository (a monorepo) works in that subdirectory of each worktree
            workspaces.subdirectory(provider.repository().relativize(project.toRealPath()));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot resolve the project directory " + project, e);
        }
        return workspaces.build();
    }

    private static CommandResult demoProject(CliInvocation call) {
        Path dir;
        try {
            dir = call.value("--dir") != null ? call.settings().pipeline().projectDir().resolve(call.value("--dir"))
                    : Path.of(System.getProperty("java.io.tmpdir")).resolve("pipeline-demo-"
                    + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS")));
        } catch (InvalidPathException e) {
            return PipelineMain.error("invalid_path", "--dir is not a path: " + e.getMessage(), "Pass a directory.");
        }
        Map<String, Object> answer;
        try {
            answer = Demo.run(dir, call.progress(), Clock.systemDefaultZone());
        } catch (IllegalArgumentException e) {
            return PipelineMain.error("invalid_dir", e.getMessage(), "Pass --dir with a new or empty directory.");
        }
        return new CommandResult(Boolean.TRUE.equals(answer.get("ok")) ? CommandResult.OK : CommandResult.REJECTED,
                answer);
    }

    /** The bindings of a {@code run}: the definition bound to its plugins, and the scenario's scripted stage. */
    private static final class RunModule extends AbstractModule {
        private final PipelineDefinition definition;
        private final Scenario scenario;

        RunModule(PipelineDefinition definition, Scenario scenario) {
            this.definition = definition;
            this.scenario = scenario;
        }

        @Provides
        @Singleton
        PipelineDefinition definition() {
            return definition;
        }

        @Provides
        @Singleton
        StageRegistry stages() {
            StageRegistry discovered = StageRegistry.load(RunModule.class.getClassLoader());
            if (scenario == null) {
                return discovered;
            }
            List<Stage> stages = new ArrayList<>();
            for (String id : discovered.ids()) {
                if (!id.equals(ScriptedStage.ID)) {
                    stages.add(discovered.require(id));
                }
            }
            stages.add(new ScriptedStage(scenario));
            return StageRegistry.of(stages);
        }
    }
}
