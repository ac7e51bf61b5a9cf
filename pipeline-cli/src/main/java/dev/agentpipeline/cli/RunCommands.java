package dev.agentpipeline.cli;

import com.google.inject.AbstractModule;
import com.google.inject.Injector;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.agentpipeline.core.board.BoardException;
import dev.agentpipeline.core.board.BoardStory;
import dev.agentpipeline.core.board.BoardUpdater;
import dev.agentpipeline.core.board.KanbanBoard;
import dev.agentpipeline.core.definition.DefinitionException;
import dev.agentpipeline.core.definition.PipelineDefinition;
import dev.agentpipeline.core.definition.StageBindings;
import dev.agentpipeline.core.definition.StateDefinition;
import dev.agentpipeline.core.engine.Orchestrator;
import dev.agentpipeline.core.engine.PipelineRuntime;
import dev.agentpipeline.core.engine.RetryPolicy;
import dev.agentpipeline.core.engine.RunWorkspaces;
import dev.agentpipeline.core.internal.Json;
import dev.agentpipeline.core.internal.JsonSyntaxException;
import dev.agentpipeline.core.store.RunStore;
import dev.agentpipeline.core.story.BusinessQuestions;
import dev.agentpipeline.core.story.CommandResult;
import dev.agentpipeline.core.story.StoryCommands;
import dev.agentpipeline.core.story.StoryPipeline;
import dev.agentpipeline.core.story.StoryWorkspaces;
import dev.agentpipeline.cli.progress.ProgressOutput;
import dev.agentpipeline.spi.Stage;
import dev.agentpipeline.spi.StageRegistry;
import dev.agentpipeline.spi.evidence.EvidenceCollectorRegistry;
import dev.agentpipeline.spi.workspace.WorkspaceException;
import dev.agentpipeline.spi.workspace.WorkspaceProvider;
import dev.agentpipeline.stages.CommandSettings;
import dev.agentpipeline.stages.CommandStage;
import dev.agentpipeline.stages.Scenario;
import dev.agentpipeline.stages.ScriptedStage;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
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

    /** The code of the board error that says the project has no board. */
    private static final String BOARD_MISSING = "board_missing";

    /** The sample scenario of a dry run, in the checkout of this command line. */
    static final String SAMPLE_SCENARIO = "examples/stages/dry-run.yaml";

    /** {@code --progress}: of {@code run}, {@code demo} and {@code status --watch}. */
    static final CliOption PROGRESS = CliOption.PROGRESS;

    private static final CliOption STORY = CliOption.value("--story", "<id>", "The story, for example US001."
            + " Without it the story comes from the board: a person picks it on a terminal; elsewhere it is an"
            + " error (story_required) that lists the open stories.");

    private static final String STAGES_FIX = "Fix the stage file: schema_version: 1 and stages: STAGE_0..STAGE_3,"
            + " each {plugin, settings}; see docs/cli.md and docs/plugin-guide.md.";

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
                        CliOption.flag("--from-board", "Take the story's title and first stage from "
                                + KanbanBoard.DEFAULT_PATH + ", and move it across the board as its stages finish."
                                + " Without --story (and without --from-stage or --board-status, --from-board is"
                                + " implied) a person picks the story by number on a terminal; elsewhere the"
                                + " answer is story_required with the open stories' ids."),
                        CliOption.value("--plugins", "<json>", "The stage plugin of each stage, as JSON, for example"
                                + " {\"STAGE_2\":\"acme-implement\"}."),
                        CliOption.value("--scenario", "<file>", "A scenario file: every stage replays it with the"
                                + " pipeline-scripted plugin (a dry run)."),
                        CliOption.value("--stages", "<file>", "A stage file (YAML) binding stages to plugins with"
                                + " settings, for example STAGE_2 to pipeline-command with the agent to run."),
                        WorkspaceCommands.BASE_BRANCH,
                        CliOption.value("--business-answers", "<json>", "Answers to business questions, as JSON."),
                        CliOption.value("--questions", "<file>", "The story's business questions: a story file (.md)"
                                + " with an ORCHESTRATOR_BRIEF block, or a YAML/JSON list of {id, question, options}."
                                + " Unanswered ones pause the run before execution until `pipeline decide`."),
                        CliOption.value("--max-validation-retries", "<n>", "This run's limit of NO-GO retries"
                                + " (default 1)."),
                        CliOption.value("--max-quality-cycles", "<n>", "This run's limit of reworks after a failed"
                                + " quality gate (default 2)."),
                        CliOption.value("--max-crashes", "<n>", "This run's limit of re-run crashed attempts"
                                + " (default 1)."),
                        CliOption.value("--retry-delay-ms", "<ms>", "The wait before the first retry of a timeout or"
                                + " rate limit, doubling up to 8 times it (default 60000: 1, 2 and 4 minutes)."),
                        PROGRESS),
                RunCommands::runStory);
    }

    /**
     * Asks the person at the terminal which story to run, as the ln-1000 skill does: the numbered table on stderr,
     * then a number (or a story id of the table) until one is valid.
     *
     * @return the story chosen, or null when the person entered nothing or ended the input
     */
    static BoardStory pick(List<BoardStory> open, Terminal terminal, PrintStream out) {
        out.print(BoardTable.render(open));
        while (true) {
            String answer = terminal.ask(out, "Which story to process? Enter # (1-" + open.size() + ") or story id,"
                    + " nothing to cancel: ");
            if (answer == null) {
                return null;
            }
            if (answer.matches("[0-9]{1,9}")) {
                int number = Integer.parseInt(answer);
                if (number >= 1 && number <= open.size()) {
                    return open.get(number - 1);
                }
            }
            for (BoardStory story : open) {
                if (story.id().equals(answer)) {
                    return story;
                }
            }
            out.println("'" + answer + "' is not a number from 1 to " + open.size() + " or a story id of the list.");
        }
    }

    /**
     * @param call a call of a command with {@link #PROGRESS}
     * @return how its progress shows: {@code --progress}, else live on a person's terminal and lines elsewhere
     * @throws IllegalArgumentException if {@code --progress} is none of auto, live and lines
     */
    static ProgressOutput.Mode progressMode(CliInvocation call) {
        return call.progressMode();
    }

    /** @return the error answer of a bad {@code --progress} */
    static CommandResult invalidProgress(IllegalArgumentException e) {
        return PipelineMain.error("invalid_flag", e.getMessage(), "Pass --progress auto, live or lines.");
    }

    private static CommandResult runStory(CliInvocation call) {
        String story = call.value("--story");
        String title = call.value("--title");
        ProgressOutput.Mode mode;
        try {
            mode = progressMode(call);
        } catch (IllegalArgumentException e) {
            return invalidProgress(e);
        }
        Path project = call.settings().pipeline().projectDir();
        List<BusinessQuestions.Question> questions = List.of();
        if (call.value("--questions") != null) {
            try {
                questions = BusinessQuestions.load(project.resolve(call.value("--questions")));
            } catch (IllegalArgumentException e) { // an InvalidPathException too
                return PipelineMain.error("invalid_questions", e.getMessage(), "Fix the file, or pass a story file"
                        + " with an ORCHESTRATOR_BRIEF block or a YAML list of {id, question, options}.");
            }
        }
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
        PipelineDefinition definition = StoryPipeline.definition();
        if (call.value("--stages") != null) {
            Path file;
            try {
                file = project.resolve(call.value("--stages"));
            } catch (InvalidPathException e) {
                return PipelineMain.error("invalid_path", "--stages is not a path: " + e.getMessage(), "Pass a file name.");
            }
            StageBindings stageFile;
            try {
                stageFile = StageBindings.fromYaml(file);
                definition = stageFile.applyTo(definition);
            } catch (DefinitionException e) {
                List<String> problems = new ArrayList<>();
                e.problems().forEach(problem -> problems.add(problem.toString()));
                return PipelineMain.error("invalid_stages", "Invalid stage file: " + String.join("; ", problems),
                        STAGES_FIX);
            }
            for (StageBindings.Binding binding : stageFile.bindings()) {
                bindings.remove(binding.stateId()); // the file wins over --scenario for its stages
                if (binding.pluginId().equals(CommandStage.ID)) {
                    try { // checked now, before any run starts, not at the stage's first attempt
                        CommandSettings.parse(binding.settings());
                    } catch (IllegalArgumentException e) {
                        return PipelineMain.error("invalid_stages", "Invalid stage file: " + binding.location()
                                + ": stage " + binding.stateId() + ": " + e.getMessage(), STAGES_FIX);
                    }
                }
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
        for (Map.Entry<String, String> binding : bindings.entrySet()) {
            definition = definition.withStagePlugin(binding.getKey(), binding.getValue());
        }
        Injector injector = call.injector(new RunModule(definition, scenario,
                call.settings().plugins().classLoader()));
        StageRegistry stages = injector.getInstance(StageRegistry.class);
        CommandResult unbound = unbound(definition, stages, story);
        if (unbound != null) { // the usual first run: no stage is bound to a plugin yet
            return unbound;
        }
        try {
            definition.checkPlugins(stages); // before anything is started
        } catch (DefinitionException e) {
            return PipelineMain.error("missing_plugin", e.getMessage(), "Put the plugin's jar on --plugin-path (or in"
                    + " .pipeline/plugins/), or bind the stage to another plugin (run --plugins '{\"STAGE_2\":\"<id>\"}').");
        }
        BoardStory onBoard = null;
        boolean fromBoard = call.flag("--from-board") || (story == null && call.value("--from-stage") == null
                && call.value("--board-status") == null);
        if (fromBoard) {
            if (call.value("--from-stage") != null || call.value("--board-status") != null) {
                return PipelineMain.error("conflicting_flags", "--from-board takes the first stage from the board;"
                        + " --from-stage and --board-status name it too", "Pass --from-board, or --from-stage or"
                        + " --board-status, not both.");
            }
            try {
                KanbanBoard board = KanbanBoard.read(BoardCommands.boardPath(call.settings().pipeline()));
                if (story == null) {
                    List<BoardStory> open = board.available();
                    if (open.isEmpty()) {
                        return PipelineMain.error("nothing_to_do", "No story on " + board.source() + " is open"
                                + " (all are Done, Postponed or Canceled, or there are none)", "Add a story to the"
                                + " board's Backlog, or pass --story with one to run.");
                    }
                    Optional<Terminal> terminal = call.terminal();
                    if (terminal.isEmpty()) {
                        return PipelineMain.error("story_required", "run without --story needs a person to pick the"
                                + " story from " + board.source() + ", and this is not a terminal; the pipeline does"
                                + " not guess", "Pass --story <id> with one of the open stories, in the ln-1000 skill's order"
                                + " of priority: " + String.join(", ", open.stream().map(BoardStory::id).toList())
                                + " (pipeline board list says more).");
                    }
                    onBoard = pick(open, terminal.get(), call.progress());
                    if (onBoard == null) {
                        return PipelineMain.error("no_story_chosen", "No story was chosen; nothing was started",
                                "Run again and enter a number from the list, or pass --story <id>.");
                    }
                    story = onBoard.id();
                } else {
                    onBoard = board.require(story);
                }
            } catch (BoardException e) {
                if (story == null && !call.flag("--from-board") && BOARD_MISSING.equals(e.code())) {
                    return PipelineMain.error(e.code(), "run without --story takes the story from the board, and "
                            + e.getMessage(), "Name the story: pipeline run --story <id> (for example --story"
                            + " US001), with --from-stage to start at a later stage; or create the board "
                            + KanbanBoard.DEFAULT_PATH + " with a section for each status and the stories under them.");
                }
                return BoardCommands.error(e);
            }
            if (title == null) {
                title = onBoard.title();
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
        } else if (onBoard != null) {
            entry = onBoard.targetStage();
            if (entry.isEmpty()) {
                return PipelineMain.error("nothing_to_do", "Story " + onBoard.id() + " is in "
                        + onBoard.status().label() + " on the board: it has no stage to run",
                        "Stories in Done, Postponed or Canceled are not processed; move it with pipeline board move"
                                + " to run it again.");
            }
        } else if (call.value("--board-status") != null) {
            entry = StoryPipeline.targetStage(call.value("--board-status"), call.flag("--has-tasks"));
            if (entry.isEmpty()) {
                return PipelineMain.error("nothing_to_do", "A story in " + call.value("--board-status") + " has no stage to run",
                        "Stories in Done, Postponed or Canceled are not processed.");
            }
        } else {
            entry = Optional.of("STAGE_0");
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
                .title(title)
                .businessAnswers(call.value("--business-answers"))
                .maxValidationRetries(call.value("--max-validation-retries"))
                .maxQualityCycles(call.value("--max-quality-cycles"))
                .maxCrashes(call.value("--max-crashes"))
                .build());
        if (started.exitCode() != CommandResult.OK) {
            return started;
        }
        PipelineRuntime runtime = injector.getInstance(PipelineRuntime.class);
        BoardUpdater board = null;
        if (onBoard != null) {
            board = new BoardUpdater(BoardCommands.boardFile(call));
            runtime.addListener(board);
        }
        Orchestrator orchestrator = StoryPipeline.orchestrator(runtime, stages, run -> project, entry)
                .workspaces(workspaces).retryPolicy(retries)
                .collectors(EvidenceCollectorRegistry.load(call.settings().plugins().classLoader())).build();
        if (!questions.isEmpty()) { // asked in one batch before execution; unanswered ones pause the run
            CommandResult asked = commands.askBusinessQuestions(story, questions);
            if (asked.exitCode() != CommandResult.OK) {
                return asked;
            }
            Optional<Terminal> terminal = call.terminal();
            if (asked.json().get("asked") instanceof List<?> open && !open.isEmpty() && terminal.isPresent()) {
                Map<String, Object> answers = answer(open, terminal.get(), call.progress());
                if (answers != null) { // else the run stays paused: decide answers later
                    CommandResult decided = commands.decide(story, Json.compact(answers));
                    if (decided.exitCode() != CommandResult.OK) {
                        return decided;
                    }
                }
            }
        }
        CommandResult driven;
        try (ProgressOutput progress = ProgressOutput.open(mode, call.progress(), definition,
                injector.getInstance(RunStore.class), injector.getInstance(Clock.class))) {
            runtime.addListener(progress);
            driven = commands.drive(story, orchestrator);
        }
        if (driven.exitCode() == CommandResult.ERROR || !(driven.json().get("run_id") instanceof String runId)) {
            return driven;
        }
        Map<String, Object> answer = new LinkedHashMap<>(driven.json());
        ReportCommands.writeAfterDrive(call.settings().pipeline(), runtime.load(runId).state(),
                Clock.systemDefaultZone(), call.progress(), answer);
        if (board != null) {
            answer.put("board", BoardCommands.report(board, BoardCommands.boardPath(call.settings().pipeline())));
        }
        return new CommandResult(driven.exitCode(), answer);
    }

    /**
     * The answer when stages of the story pipeline are still bound to its placeholder plugins
     * ({@code story-decompose}...), which no jar provides: what a fresh project meets on its first {@code run}.
     * Stages bound explicitly to a plugin that is missing are left to {@link PipelineDefinition#checkPlugins}.
     *
     * @param definition the definition with the call's bindings
     * @param stages the plugins available
     * @param story the story given, or null
     * @return the error answer {@code no_plugins_bound}, or null when every stage that needs one has a plugin
     */
    static CommandResult unbound(PipelineDefinition definition, StageRegistry stages, String story) {
        PipelineDefinition placeholders = StoryPipeline.definition();
        List<String> states = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        for (String state : StoryPipeline.STAGES) {
            String plugin = definition.state(state).flatMap(StateDefinition::stagePlugin).orElse(null);
            String placeholder = placeholders.state(state).flatMap(StateDefinition::stagePlugin).orElse(null);
            if (plugin != null && plugin.equals(placeholder) && stages.find(plugin).isEmpty()) {
                states.add(state);
                ids.add(plugin);
            }
        }
        if (states.isEmpty()) {
            return null;
        }
        String storyArg = story == null ? "<id>" : story;
        String scenario = sample(SAMPLE_SCENARIO);
        List<String> available = new ArrayList<>(stages.ids());
        StringBuilder plugins = new StringBuilder("{");
        for (String state : states) {
            plugins.append(plugins.length() > 1 ? "," : "").append('"').append(state).append("\":\"<id>\"");
        }
        plugins.append('}');
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("ok", false);
        json.put("error", "No stage plugin is bound to " + String.join(", ", states) + " of the story pipeline:"
                + " they still name the placeholder plugins " + String.join(", ", ids) + ", which no jar on the"
                + " class path provides; nothing was started. Available plugins: "
                + (available.isEmpty() ? "none" : String.join(", ", available)) + ".");
        json.put("code", "no_plugins_bound");
        json.put("fix", "Bind every stage to a plugin. For a dry run with the sample scenario (no agent runs): "
                + "pipeline run --story " + storyArg + " --scenario " + scenario + ". To run your agents or scripts,"
                + " write a stage file (samples in " + sample("examples/agents") + ", format in"
                + " docs/formats.md#stage-files): pipeline run --story " + storyArg + " --stages stages.yaml. Or"
                + " name a plugin per stage: pipeline run --story " + storyArg + " --plugins '" + plugins + "'.");
        json.put("unbound_states", states);
        json.put("available_plugins", available);
        json.put("sample_scenario", scenario);
        return new CommandResult(CommandResult.ERROR, json);
    }

    /**
     * A sample file of this command line's checkout, found from where its classes are ({@code
     * pipeline-examples/target/pipeline-cli.jar} or {@code pipeline-cli/target/classes}).
     *
     * @param relative the path in the checkout, {@code examples/stages/dry-run.yaml}
     * @return its absolute path when found, else the relative path
     */
    static String sample(String relative) {
        try {
            java.security.CodeSource source = RunCommands.class.getProtectionDomain().getCodeSource();
            if (source != null && source.getLocation() != null) {
                Path dir = Path.of(source.getLocation().toURI()).toAbsolutePath();
                for (int up = 0; dir != null && up < 4; up++, dir = dir.getParent()) {
                    Path candidate = dir.resolve(relative);
                    if (Files.exists(candidate) && Files.exists(dir.resolve("pipeline-cli"))) {
                        return candidate.toString();
                    }
                }
            }
        } catch (RuntimeException | java.net.URISyntaxException e) { // an unusual class loader: the relative path
            return relative + " (of the agent-pipeline repository)";
        }
        return relative + " (of the agent-pipeline repository)";
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

    /**
     * Asks a person the business questions on the terminal, one after the other: an answer must be one of a
     * question's options if it has any (by number or by text). An empty line or the end of input stops asking.
     *
     * @return the answers, or null when the person stopped
     */
    static Map<String, Object> answer(List<?> questions, Terminal terminal, PrintStream out) {
        out.println("Before execution, " + questions.size() + " business question" + (questions.size() == 1 ? ""
                : "s") + " (an empty line answers later, with `pipeline decide`):");
        Map<String, Object> answers = new LinkedHashMap<>();
        for (Object item : questions) {
            Map<?, ?> question = (Map<?, ?>) item;
            List<?> options = question.get("options") instanceof List<?> list ? list : List.of();
            while (true) {
                StringBuilder prompt = new StringBuilder("  ").append(question.get("question"));
                for (int i = 0; i < options.size(); i++) {
                    prompt.append(i == 0 ? " [" : ", ").append(i + 1).append(") ").append(options.get(i));
                }
                String text = terminal.ask(out, prompt.append(options.isEmpty() ? "" : "]").append(' ').toString());
                if (text == null) {
                    return null;
                }
                if (options.isEmpty()) {
                    answers.put(String.valueOf(question.get("id")), text);
                    break;
                }
                Object chosen = null;
                for (int i = 0; i < options.size(); i++) {
                    if (text.equals(String.valueOf(i + 1)) || text.equalsIgnoreCase(String.valueOf(options.get(i)))) {
                        chosen = options.get(i);
                    }
                }
                if (chosen != null) {
                    answers.put(String.valueOf(question.get("id")), chosen);
                    break;
                }
                out.println("  '" + text + "' is none of the options; answer with a number or an option.");
            }
        }
        return answers;
    }

    /** The bindings of a {@code run}: the definition bound to its plugins, and the scenario's scripted stage. */
    private static final class RunModule extends AbstractModule {
        private final PipelineDefinition definition;
        private final Scenario scenario;
        private final ClassLoader plugins;

        RunModule(PipelineDefinition definition, Scenario scenario, ClassLoader plugins) {
            this.definition = definition;
            this.scenario = scenario;
            this.plugins = plugins;
        }

        @Provides
        @Singleton
        PipelineDefinition definition() {
            return definition;
        }

        @Provides
        @Singleton
        StageRegistry stages() {
            StageRegistry discovered = StageRegistry.load(plugins); // the plugin jars', if any
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
