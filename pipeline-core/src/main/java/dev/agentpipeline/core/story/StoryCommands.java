package dev.agentpipeline.core.story;

import dev.agentpipeline.core.definition.PipelineDefinition;
import dev.agentpipeline.core.definition.DefinitionException;
import dev.agentpipeline.core.engine.CheckpointResult;
import dev.agentpipeline.core.engine.DriveResult;
import dev.agentpipeline.core.engine.LoopHealthResult;
import dev.agentpipeline.core.engine.Orchestrator;
import dev.agentpipeline.core.engine.PauseRequest;
import dev.agentpipeline.core.engine.PipelineException;
import dev.agentpipeline.core.engine.PipelineRuntime;
import dev.agentpipeline.core.engine.StartRequest;
import dev.agentpipeline.core.engine.StartResult;
import dev.agentpipeline.core.engine.TransitionDecision;
import dev.agentpipeline.core.engine.TransitionResult;
import dev.agentpipeline.core.internal.EventCodec;
import dev.agentpipeline.core.internal.Json;
import dev.agentpipeline.core.internal.JsonSyntaxException;
import dev.agentpipeline.core.internal.RunJson;
import dev.agentpipeline.core.internal.Times;
import dev.agentpipeline.core.loop.LoopSignal;
import dev.agentpipeline.core.run.Ids;
import dev.agentpipeline.core.run.LoopHealthEntry;
import dev.agentpipeline.core.run.Pause;
import dev.agentpipeline.core.run.RunState;
import dev.agentpipeline.core.run.SummaryPolicy;
import dev.agentpipeline.core.store.FileRunStore;
import dev.agentpipeline.core.store.RunSnapshot;
import dev.agentpipeline.core.store.StoreException;

import org.apiguardian.api.API;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * The protocol of the older ln-1000 runtime as a library: the commands {@code start}, {@code status}, {@code advance},
 * {@code checkpoint}, {@code record-stage-summary}, {@code record-loop-health}, {@code pause}, {@code cancel} and
 * {@code complete}, with that runtime's flags, JSON fields, errors and exit codes, plus {@code resume} and
 * {@code repair}. A command line prints {@link CommandResult#json()}; anything else (a server, a test) can call the
 * same methods.
 *
 * <pre>{@code
 * StoryCommands commands = new StoryCommands(runtime, projectRoot);
 * CommandResult started = commands.start(StoryCommands.StartArgs.builder("US001").title("Login form").build());
 * CommandResult moved = commands.advance("US001", "STAGE_0", false, false, null);
 * }</pre>
 *
 * <p>Arguments arrive as the command line gives them (strings, JSON flags as text) and are validated here:
 * every problem is an answer with exit code 2 and a message that names the flag, never an exception. Nothing is
 * written unless the whole command is valid. Thread-safe.
 *
 * <p>{@code start --summaries optional}, or {@code summaries = optional} in the project's
 * {@value StoryConfig#FILE_NAME}, starts a run whose stage summaries are optional ({@link SummaryPolicy}): callers
 * written for the older ln-1000 runtime, which checkpoint every stage but never record a stage summary, drive it to
 * DONE unchanged, judged on their checkpoints. The run keeps the choice; the default is required.
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class StoryCommands {

    private final PipelineRuntime runtime;
    private final PipelineDefinition definition;
    private final Path projectRoot;
    private final Path configFile;

    /**
     * Commands whose {@code start} reads the project's settings ({@link StoryConfig}) from
     * {@code <projectRoot>/}{@value StoryConfig#FILE_NAME}.
     *
     * @param runtime a runtime that knows the {@value StoryPipeline#ID} pipeline
     * @param projectRoot the directory of the project the runs belong to
     */
    public StoryCommands(PipelineRuntime runtime, Path projectRoot) {
        this(runtime, projectRoot, projectRoot.resolve(StoryConfig.FILE_NAME));
    }

    /**
     * @param runtime a runtime that knows the {@value StoryPipeline#ID} pipeline
     * @param projectRoot the directory of the project the runs belong to
     * @param configFile the project's settings file ({@link StoryConfig}), which may not exist; null for none
     * @since 0.1
     */
    public StoryCommands(PipelineRuntime runtime, Path projectRoot, Path configFile) {
        this.runtime = Objects.requireNonNull(runtime, "runtime");
        this.definition = runtime.definition(StoryPipeline.ID);
        this.projectRoot = projectRoot.toAbsolutePath().normalize();
        this.configFile = configFile;
    }

    /** @return the runtime */
    public PipelineRuntime runtime() {
        return runtime;
    }

    // ============================================================================================== start

    /**
     * The arguments of {@code start}; JSON flags are raw text.
     *
     * @param story {@code --story}, required
     * @param title {@code --title}
     * @param storage {@code --storage} (file or linear)
     * @param projectBrief {@code --project-brief} JSON
     * @param storyBriefs {@code --story-briefs} JSON
     * @param businessAnswers {@code --business-answers} JSON
     * @param statusCache {@code --status-cache} JSON
     * @param skillRepoPath {@code --skill-repo-path}
     * @param worktreeDir {@code --worktree-dir}
     * @param branchName {@code --branch-name}
     * @param maxValidationRetries {@code --max-validation-retries}: this run's limit of NO-GO retries
     * @param maxQualityCycles {@code --max-quality-cycles}: this run's limit of reworks after a failed gate
     * @param maxCrashes {@code --max-crashes}: this run's limit of re-run crashed attempts
     * @param summaries {@code --summaries}: {@code required} or {@code optional}, whether this run's stages must
     *     record a stage summary (see {@link SummaryPolicy}); null for the project's setting ({@link StoryConfig}),
     *     else required
     * @since 0.1
     */
    public record StartArgs(String story, String title, String storage, String projectBrief, String storyBriefs,
                            String businessAnswers, String statusCache, String skillRepoPath, String worktreeDir,
                            String branchName, String maxValidationRetries, String maxQualityCycles,
                            String maxCrashes, String summaries) {

        /**
         * The arguments without {@code --summaries} (the project's setting applies).
         *
         * @param story {@code --story}
         * @param title {@code --title}
         * @param storage {@code --storage}
         * @param projectBrief {@code --project-brief}
         * @param storyBriefs {@code --story-briefs}
         * @param businessAnswers {@code --business-answers}
         * @param statusCache {@code --status-cache}
         * @param skillRepoPath {@code --skill-repo-path}
         * @param worktreeDir {@code --worktree-dir}
         * @param branchName {@code --branch-name}
         * @param maxValidationRetries {@code --max-validation-retries}
         * @param maxQualityCycles {@code --max-quality-cycles}
         * @param maxCrashes {@code --max-crashes}
         */
        public StartArgs(String story, String title, String storage, String projectBrief, String storyBriefs,
                         String businessAnswers, String statusCache, String skillRepoPath, String worktreeDir,
                         String branchName, String maxValidationRetries, String maxQualityCycles,
                         String maxCrashes) {
            this(story, title, storage, projectBrief, storyBriefs, businessAnswers, statusCache, skillRepoPath,
                    worktreeDir, branchName, maxValidationRetries, maxQualityCycles, maxCrashes, null);
        }

        /**
         * @param story the story id
         * @return a builder
         */
        public static Builder builder(String story) {
            return new Builder(story);
        }

        /**
         * Builds {@link StartArgs}.
         *
         * @since 0.1
         */
        public static final class Builder {
            private final String story;
            private String title;
            private String storage;
            private String projectBrief;
            private String storyBriefs;
            private String businessAnswers;
            private String statusCache;
            private String skillRepoPath;
            private String worktreeDir;
            private String branchName;
            private String maxValidationRetries;
            private String maxQualityCycles;
            private String maxCrashes;
            private String summaries;

            private Builder(String story) {
                this.story = story;
            }

            /**
             * @param v title
             * @return this builder
             */
            public Builder title(String v) {
                title = v;
                return this;
            }

            /**
             * @param v storage mode
             * @return this builder
             */
            public Builder storage(String v) {
                storage = v;
                return this;
            }

            /**
             * @param v project brief JSON
             * @return this builder
             */
            public Builder projectBrief(String v) {
                projectBrief = v;
                return this;
            }

            /**
             * @param v story briefs JSON
             * @return this builder
             */
            public Builder storyBriefs(String v) {
                storyBriefs = v;
                return this;
            }

            /**
             * @param v business answers JSON
             * @return this builder
             */
            public Builder businessAnswers(String v) {
                businessAnswers = v;
                return this;
            }

            /**
             * @param v status cache JSON
             * @return this builder
             */
            public Builder statusCache(String v) {
                statusCache = v;
                return this;
            }

            /**
             * @param v skill repository path
             * @return this builder
             */
            public Builder skillRepoPath(String v) {
                skillRepoPath = v;
                return this;
            }

            /**
             * @param v worktree directory
             * @return this builder
             */
            public Builder worktreeDir(String v) {
                worktreeDir = v;
                return this;
            }

            /**
             * @param v branch name
             * @return this builder
             */
            public Builder branchName(String v) {
                branchName = v;
                return this;
            }

            /**
             * @param v limit of validation retries, as text
             * @return this builder
             */
            public Builder maxValidationRetries(String v) {
                maxValidationRetries = v;
                return this;
            }

            /**
             * @param v limit of quality cycles, as text
             * @return this builder
             */
            public Builder maxQualityCycles(String v) {
                maxQualityCycles = v;
                return this;
            }

            /**
             * @param v limit of crashes, as text
             * @return this builder
             */
            public Builder maxCrashes(String v) {
                maxCrashes = v;
                return this;
            }

            /**
             * @param v {@code required} or {@code optional}: whether the run's stage summaries are optional
             * @return this builder
             * @since 0.1
             */
            public Builder summaries(String v) {
                summaries = v;
                return this;
            }

            /** @return the arguments */
            public StartArgs build() {
                return new StartArgs(story, title, storage, projectBrief, storyBriefs, businessAnswers, statusCache,
                        skillRepoPath, worktreeDir, branchName, maxValidationRetries, maxQualityCycles, maxCrashes,
                        summaries);
            }
        }
    }

    /**
     * {@code start}: starts a run for a story, or answers {@code recovery: true} with the unfinished run.
     *
     * @param args the arguments
     * @return {@code {ok, run_id, manifest, state, checkpoints}}, or {@code {ok, recovery: true, manifest, state,
     *     checkpoints, resume_action}}
     */
    public CommandResult start(StartArgs args) {
        return guarded(() -> {
            String story = requireStory(args.story(), "start");
            Object projectBrief = jsonFlag("--project-brief", args.projectBrief(), null);
            Object storyBriefs = jsonFlag("--story-briefs", args.storyBriefs(), Map.of());
            Object businessAnswers = jsonFlag("--business-answers", args.businessAnswers(), Map.of());
            Object statusCache = jsonFlag("--status-cache", args.statusCache(), Map.of());
            String storage = args.storage() == null || args.storage().isEmpty() ? "file" : args.storage();
            if (!Set.of("file", "linear").contains(storage)) {
                return error("invalid_flag", "--storage must be file or linear (got '" + storage + "')",
                        "Pass --storage file for docs/tasks/kanban_board.md, or --storage linear.");
            }
            SummaryPolicy summaries = summaryPolicy(args.summaries());
            String title = args.title() == null ? "" : args.title();
            String now = runtime.timestamp();
            Map<String, Object> manifest = new LinkedHashMap<>();
            manifest.put("skill", StoryPipeline.SKILL);
            manifest.put("identifier", story);
            manifest.put("story_id", story);
            manifest.put("story_title", title);
            manifest.put("storage_mode", storage);
            manifest.put("project_root", projectRoot.toString());
            manifest.put("project_brief", projectBrief);
            manifest.put("story_briefs", storyBriefs);
            manifest.put("business_answers", businessAnswers);
            manifest.put("status_cache", statusCache);
            manifest.put("skill_repo_path", text(args.skillRepoPath()));
            manifest.put("worktree_dir", text(args.worktreeDir()));
            manifest.put("branch_name", text(args.branchName()));
            manifest.put(SummaryPolicy.MANIFEST_KEY, summaries.wireName());
            manifest.put("created_at", now);
            Map<String, Object> attributes = new LinkedHashMap<>();
            attributes.put("skill", StoryPipeline.SKILL);
            attributes.put("story_id", story);
            attributes.put("story_title", title);
            attributes.put("project_brief", projectBrief);
            attributes.put("story_briefs", storyBriefs);
            attributes.put("business_answers", businessAnswers);
            attributes.put("status_cache", statusCache);
            attributes.put("skill_repo_path", text(args.skillRepoPath()));
            attributes.put("worktree_dir", text(args.worktreeDir()));
            attributes.put("branch_name", text(args.branchName()));
            attributes.put("git_stats", Map.of());
            attributes.put("readiness_scores", Map.of());
            attributes.put("infra_issues", List.of());
            attributes.put("previous_quality_score", Map.of());
            attributes.put("story_results", Map.of());
            StartRequest.Builder request = StartRequest.builder(StoryPipeline.ID, story).title(title)
                    .manifest(manifest).attributes(attributes);
            limit(request, "--max-validation-retries", "validation_retries", args.maxValidationRetries());
            limit(request, "--max-quality-cycles", "quality_cycles", args.maxQualityCycles());
            limit(request, "--max-crashes", "crash_count", args.maxCrashes());
            StartResult result = runtime.start(request.build());
            RunState state = result.run().state();
            Map<String, Object> json = ok();
            if (result.recovered()) {
                json.put("recovery", true);
            } else {
                json.put("run_id", state.runId());
            }
            json.put("manifest", RunJson.manifest(state));
            json.put("state", RunJson.state(state));
            json.put("checkpoints", RunJson.checkpoints(state));
            if (result.recovered()) {
                json.put("resume_action", StoryPipeline.resumeAction(state, definition));
            }
            List<Object> warnings = new ArrayList<>(result.run().warnings());
            SummaryPolicy kept = SummaryPolicy.of(state);
            if (result.recovered() && kept != summaries) {
                warnings.add("The unfinished run keeps summaries " + kept.wireName() + ", as it started; summaries "
                        + summaries.wireName() + " applies to runs started from now on.");
            }
            if (!warnings.isEmpty()) {
                json.put("warnings", warnings);
            }
            return new CommandResult(CommandResult.OK, json);
        });
    }

    /**
     * The summary policy of a new run: {@code --summaries} if given, else the project's setting, else required.
     * The project's settings file is checked even when the flag decides, so a broken file never goes unnoticed.
     */
    private SummaryPolicy summaryPolicy(String flag) {
        StoryConfig config = configFile == null ? null : StoryConfig.load(configFile);
        if (flag != null) {
            return SummaryPolicy.parse(flag).orElseThrow(() -> new Problem(error("invalid_flag",
                    "--summaries must be required or optional (got '" + flag + "')", "Pass --summaries optional to"
                            + " let this run's stages go without stage summaries (callers of the older ln-1000"
                            + " runtime), --summaries required for the default, or leave the flag out to use the"
                            + " project's setting" + (configFile == null ? "" : " (" + configFile + ")") + ".")));
        }
        return config == null ? SummaryPolicy.REQUIRED : config.summaries().orElse(SummaryPolicy.REQUIRED);
    }

    // ============================================================================================== status

    /**
     * {@code status}: the story's run, or the only active run when no story is given.
     *
     * <p>Every answer has {@code ok: true} and {@code active} (false once a run ended, and when there is none, as the
     * older ln-1000 runtime answers), and {@code found}, which tells the cases apart:
     * <ul>
     *   <li>an unfinished run (running or paused): {@code found: true, active: true, run_id}, with {@code manifest,
     *       state, checkpoints, paths, resume_action};</li>
     *   <li>the story's last run ended (done or canceled): {@code found: true, active: false, run_id, final_phase,
     *       final_result, ended_at, message}, with the same fields as an unfinished run;</li>
     *   <li>the story was never started: {@code found: false, active: false, story_id, message}, and
     *       {@code paths.active}, where its pointer would be;</li>
     *   <li>no story given and no run active: {@code {ok: true, active: false}} and nothing else, byte for byte the
     *       older runtime's answer to the recovery check its callers make first.</li>
     * </ul>
     * {@code paths.active} is the story's current-run pointer file ({@code active/story/{story}.json} of the state
     * directory): each story has its own.
     *
     * @param story {@code --story}, may be null
     * @return the answer; exit 1 when several runs are active and no story is given
     */
    public CommandResult status(String story) {
        return guarded(() -> {
            String subject = story == null ? null : Ids.requireSafe("story id", story);
            Optional<RunSnapshot> run;
            if (subject == null) {
                Map<String, String> active = runtime.store().activeRuns(StoryPipeline.ID);
                if (active.size() > 1) {
                    Map<String, Object> json = new LinkedHashMap<>();
                    json.put("ok", false);
                    json.put("error", "Multiple active pipeline runs found. Pass --story.");
                    json.put("stories", new ArrayList<Object>(active.keySet()));
                    return new CommandResult(CommandResult.REJECTED, json);
                }
                run = active.values().stream().findFirst().flatMap(id -> runtime.store().load(id));
            } else {
                run = runtime.latest(StoryPipeline.ID, subject);
            }
            if (run.isEmpty()) {
                Map<String, Object> json = ok();
                json.put("active", false);
                if (subject != null) {
                    json.put("found", false);
                    json.put("story_id", subject);
                    json.put("message", "Story " + subject + " was never started: it has no pipeline run. Start it"
                            + " with `pipeline start --story " + subject + "`.");
                    Map<String, Object> paths = new LinkedHashMap<>();
                    runtime.store().pointerLocation(StoryPipeline.ID, subject).ifPresent(p -> paths.put("active", p));
                    json.put("paths", paths);
                }
                return new CommandResult(CommandResult.OK, json);
            }
            RunState state = run.get().state();
            Map<String, Object> json = ok();
            json.put("active", !state.complete());
            json.put("found", true);
            json.put("run_id", state.runId());
            if (state.complete()) {
                String result = state.finalResult().orElse(state.phase());
                String ended = state.endedAt().map(Times::format).orElse(null);
                json.put("final_phase", state.phase());
                json.put("final_result", result);
                json.put("ended_at", ended);
                String reason = state.pausedReason().filter(r -> !r.isBlank()).map(r -> " (" + r + ")").orElse("");
                json.put("message", "Story " + state.subjectId() + " is not active: its last run " + state.runId()
                        + " ended " + result + (ended == null ? "" : " at " + ended) + reason + ".");
            }
            json.put("manifest", RunJson.manifest(state));
            json.put("state", RunJson.state(state));
            json.put("checkpoints", RunJson.checkpoints(state));
            json.put("paths", paths(state));
            json.put("resume_action", StoryPipeline.resumeAction(state, definition));
            return success(json, run.get());
        });
    }

    /** Where the run's files are, and the story's current-run pointer ({@code active}). */
    private Map<String, Object> paths(RunState state) {
        Map<String, Object> paths = new LinkedHashMap<>(runtime.store().locations(state.runId()));
        runtime.store().pointerLocation(StoryPipeline.ID, state.subjectId()).ifPresent(p -> paths.put("active", p));
        return paths;
    }

    // ============================================================================================= advance

    /**
     * {@code advance}: moves the run through its guards. Out of PAUSED it resumes through the guards of the state
     * the run paused in; {@code force} (with a reason) overrides them and records the override.
     *
     * @param story {@code --story}, may be null when one run is active
     * @param to {@code --to}, required
     * @param resolve {@code --resolve}: the cause of a pause is resolved (the guards still apply)
     * @param force {@code --force}: override the guards of a paused run
     * @param reason {@code --reason}: why, recorded with a forced resume
     * @return {@code {ok, previous_phase, current_phase, counter_incremented, state, run_id}}, or a rejection with
     *     exit code 1
     */
    public CommandResult advance(String story, String to, boolean resolve, boolean force, String reason) {
        return guarded(() -> {
            if (to == null || to.isEmpty()) {
                return error("missing_flag", "advance requires --to", "Pass --to STAGE_0, STAGE_1, STAGE_2,"
                        + " STAGE_3 or DONE.");
            }
            RunSnapshot run = resolveRun(story);
            RunState state = run.state();
            TransitionResult result;
            if (state.isPaused() && force) {
                result = runtime.resume(state.runId(), to, reason == null || reason.isBlank()
                        ? "forced by user (advance --force)" : reason);
            } else {
                result = runtime.advance(state.runId(), to);
            }
            return transitionAnswer(result, state.isPaused());
        });
    }

    /**
     * {@code resume}: resumes a paused run, into the state it paused in unless {@code to} says otherwise, through
     * the guards unless {@code force} is set (then {@code reason} is required and recorded).
     *
     * @param story {@code --story}, may be null when one run is active
     * @param to {@code --to}, may be null
     * @param force {@code --force}
     * @param reason {@code --reason}
     * @return like {@link #advance}
     */
    public CommandResult resume(String story, String to, boolean force, String reason) {
        return guarded(() -> {
            if (force && (reason == null || reason.isBlank())) {
                return error("missing_flag", "resume --force requires --reason", "Say why the guards are"
                        + " overridden; the reason is recorded in the run's journal.");
            }
            RunSnapshot run = resolveRun(story);
            TransitionResult result = runtime.resume(run.state().runId(), to, force ? reason : null);
            return transitionAnswer(result, true);
        });
    }

    private CommandResult transitionAnswer(TransitionResult result, boolean resumed) {
        TransitionDecision decision = result.decision();
        RunState state = result.run().state();
        if (!result.allowed()) {
            return rejection(decision);
        }
        Map<String, Object> json = ok();
        json.put("previous_phase", decision.from());
        json.put("current_phase", state.phase());
        json.put("counter_incremented", decision.counter());
        json.put("state", RunJson.state(state));
        json.put("run_id", state.runId());
        if (resumed) {
            json.put("resumed_from", "PAUSED");
        }
        if (decision.override() != null) {
            json.put("override", decision.override());
        }
        return success(json, result.run());
    }

    // ========================================================================================== checkpoint

    /**
     * The arguments of {@code checkpoint}; numbers and JSON flags are raw text.
     *
     * @param story {@code --story}
     * @param stage {@code --stage}, required: 0 to 3
     * @param planScore {@code --plan-score} (stage 0): 0 to 4
     * @param readiness {@code --readiness} (stage 1): 1 to 10
     * @param verdict {@code --verdict}: GO or NO-GO (stage 1), PASS, CONCERNS, WAIVED or FAIL (stage 3)
     * @param reason {@code --reason} (a NO-GO's reason)
     * @param qualityScore {@code --quality-score} (stage 3): 0 to 100
     * @param issues {@code --issues} (a FAIL's issues)
     * @param lastAction {@code --last-action}
     * @param tasksCompleted {@code --tasks-completed} JSON array
     * @param tasksRemaining {@code --tasks-remaining} JSON array
     * @param agentsInfo {@code --agents-info}
     * @param gitStats {@code --git-stats} JSON object of files_changed, lines_added, lines_deleted
     * @since 0.1
     */
    public record CheckpointArgs(String story, String stage, String planScore, String readiness, String verdict,
                                 String reason, String qualityScore, String issues, String lastAction,
                                 String tasksCompleted, String tasksRemaining, String agentsInfo, String gitStats) {

        /**
         * @param stage the stage number as text
         * @return a builder
         */
        public static Builder builder(String stage) {
            return new Builder(stage);
        }

        /**
         * Builds {@link CheckpointArgs}.
         *
         * @since 0.1
         */
        public static final class Builder {
            private final String stage;
            private String story;
            private String planScore;
            private String readiness;
            private String verdict;
            private String reason;
            private String qualityScore;
            private String issues;
            private String lastAction;
            private String tasksCompleted;
            private String tasksRemaining;
            private String agentsInfo;
            private String gitStats;

            private Builder(String stage) {
                this.stage = stage;
            }

            /**
             * @param v story id
             * @return this builder
             */
            public Builder story(String v) {
                story = v;
                return this;
            }

            /**
             * @param v plan score
             * @return this builder
             */
            public Builder planScore(String v) {
                planScore = v;
                return this;
            }

            /**
             * @param v readiness
             * @return this builder
             */
            public Builder readiness(String v) {
                readiness = v;
                return this;
            }

            /**
             * @param v verdict
             * @return this builder
             */
            public Builder verdict(String v) {
                verdict = v;
                return this;
            }

            /**
             * @param v reason
             * @return this builder
             */
            public Builder reason(String v) {
                reason = v;
                return this;
            }

            /**
             * @param v quality score
             * @return this builder
             */
            public Builder qualityScore(String v) {
                qualityScore = v;
                return this;
            }

            /**
             * @param v issues
             * @return this builder
             */
            public Builder issues(String v) {
                issues = v;
                return this;
            }

            /**
             * @param v last action
             * @return this builder
             */
            public Builder lastAction(String v) {
                lastAction = v;
                return this;
            }

            /**
             * @param v tasks completed JSON
             * @return this builder
             */
            public Builder tasksCompleted(String v) {
                tasksCompleted = v;
                return this;
            }

            /**
             * @param v tasks remaining JSON
             * @return this builder
             */
            public Builder tasksRemaining(String v) {
                tasksRemaining = v;
                return this;
            }

            /**
             * @param v agents info
             * @return this builder
             */
            public Builder agentsInfo(String v) {
                agentsInfo = v;
                return this;
            }

            /**
             * @param v git stats JSON
             * @return this builder
             */
            public Builder gitStats(String v) {
                gitStats = v;
                return this;
            }

            /** @return the arguments */
            public CheckpointArgs build() {
                return new CheckpointArgs(story, stage, planScore, readiness, verdict, reason, qualityScore, issues,
                        lastAction, tasksCompleted, tasksRemaining, agentsInfo, gitStats);
            }
        }
    }

    /**
     * {@code checkpoint}: records the checkpoint of the stage the run is in, and sets
     * {@code stage_timestamps.stage_N_end}. Stage 2's git stats also become the run's {@code git_stats}, stage 1's
     * readiness its {@code readiness_scores}.
     *
     * @param args the arguments
     * @return {@code {ok, phase, story_id, checkpoint}}
     */
    public CommandResult checkpoint(CheckpointArgs args) {
        return guarded(() -> {
            if (args.stage() == null || args.stage().isEmpty()) {
                return error("missing_flag", "checkpoint requires --stage", "Pass --stage 0, 1, 2 or 3.");
            }
            int stage = stageNumber("--stage", args.stage());
            String phase = StoryPipeline.stateOf(stage);
            Object tasksCompleted = jsonFlag("--tasks-completed", args.tasksCompleted(), List.of());
            Object tasksRemaining = jsonFlag("--tasks-remaining", args.tasksRemaining(), List.of());
            requireArray("--tasks-completed", tasksCompleted);
            requireArray("--tasks-remaining", tasksRemaining);
            Object gitStats = jsonFlag("--git-stats", args.gitStats(), null);
            if (gitStats != null) {
                requireGitStats(gitStats);
            }
            Number planScore = number("--plan-score", args.planScore(), 0, 4);
            Number readiness = number("--readiness", args.readiness(), 1, 10);
            Number qualityScore = number("--quality-score", args.qualityScore(), 0, 100);
            String verdict = args.verdict();
            if (verdict != null) {
                Set<String> allowed = stage == 1 ? Set.of("GO", "NO-GO")
                        : stage == 3 ? Set.of("PASS", "CONCERNS", "WAIVED", "FAIL") : null;
                if (verdict.isBlank() || (allowed != null && !allowed.contains(verdict))) {
                    return error("invalid_flag", "--verdict '" + verdict + "' is not a stage " + stage + " verdict",
                            allowed == null ? "Pass a non-empty verdict." : "Use one of "
                                    + String.join(", ", allowed.stream().sorted().toList()) + ".");
                }
            }
            RunSnapshot run = resolveRun(args.story());
            RunState state = run.state();
            String now = runtime.timestamp();
            Map<String, Object> payload = new LinkedHashMap<>();
            payload.put("stage", stage);
            Object started = Optional.ofNullable(state.stageTimestamps().get(RunState.timestampKey(phase, "start")))
                    .map(Times::format).orElse(null);
            payload.put("started_at", started == null ? now : started);
            payload.put("completed_at", now);
            payload.put("tasks_completed", tasksCompleted);
            payload.put("tasks_remaining", tasksRemaining);
            payload.put("last_action", args.lastAction() == null ? "" : args.lastAction());
            putIfPresent(payload, "plan_score", planScore);
            putIfPresent(payload, "readiness", readiness);
            putIfPresent(payload, "verdict", verdict);
            putIfPresent(payload, "reason", args.reason());
            putIfPresent(payload, "quality_score", qualityScore);
            putIfPresent(payload, "issues", args.issues());
            putIfPresent(payload, "agents_info", args.agentsInfo());
            putIfPresent(payload, "git_stats", gitStats);
            Map<String, Object> attributes = new LinkedHashMap<>();
            if (gitStats != null) {
                attributes.put("git_stats", gitStats);
            }
            if (readiness != null) {
                Map<String, Object> scores = new LinkedHashMap<>();
                if (state.attributes().get("readiness_scores") instanceof Map<?, ?> existing) {
                    existing.forEach((k, v) -> scores.put(String.valueOf(k), v));
                }
                scores.put(state.subjectId(), readiness);
                attributes.put("readiness_scores", scores);
            }
            CheckpointResult result = runtime.checkpoint(state.runId(), phase, payload, attributes);
            Map<String, Object> json = ok();
            json.put("phase", phase);
            json.put("story_id", state.subjectId());
            json.put("checkpoint", RunJson.checkpoint(result.checkpoint()));
            return success(json, result.run());
        });
    }

    // ============================================================================ record-stage-summary

    /**
     * {@code record-stage-summary}: validates the envelope against its closed schema and records it for its stage.
     *
     * @param story {@code --story}, required
     * @param payloadJson {@code --payload}, the envelope as JSON
     * @return {@code {ok, state}}
     */
    public CommandResult recordStageSummary(String story, String payloadJson) {
        return guarded(() -> {
            requireStory(story, "record-stage-summary");
            Object payload = payloadJson == null ? null : jsonFlag("--payload", payloadJson, null);
            if (!(payload instanceof Map<?, ?> envelope)) {
                return error("missing_flag", "record-stage-summary requires --payload with a stage summary"
                        + " envelope", "Pass the stage's summary envelope as a JSON object.");
            }
            List<String> problems = StageSummaryEnvelope.validate(envelope);
            if (!problems.isEmpty()) {
                Map<String, Object> json = errorJson("invalid_summary", "Invalid stage summary: " + problems.get(0)
                        + (problems.size() > 1 ? " (and " + (problems.size() - 1) + " more)" : ""),
                        "Fix the envelope; see docs/formats.md for its schema.");
                json.put("problems", new ArrayList<Object>(problems));
                return new CommandResult(CommandResult.ERROR, json);
            }
            Map<?, ?> body = (Map<?, ?>) envelope.get("payload");
            if (!story.equals(body.get("story_id"))) {
                return error("story_mismatch", "The summary is for story '" + body.get("story_id")
                        + "', not '" + story + "'", "Record the summary with --story " + body.get("story_id")
                        + ", or fix its payload.story_id.");
            }
            RunSnapshot run = resolveRun(story);
            int stage = ((Number) body.get("stage")).intValue();
            @SuppressWarnings("unchecked")
            Map<String, Object> summary = (Map<String, Object>) envelope;
            RunSnapshot after = runtime.recordSummary(run.state().runId(), StoryPipeline.stateOf(stage), summary);
            Map<String, Object> json = ok();
            json.put("state", RunJson.state(after.state()));
            return success(json, after);
        });
    }

    // ============================================================================== record-loop-health

    /**
     * {@code record-loop-health}: judges a loop signal for a stage; pauses the run when the policy recommends it.
     *
     * @param story {@code --story}, required
     * @param stage {@code --stage}, required: 0 to 3
     * @param payloadJson {@code --payload}: the signal as JSON ({@code error}, {@code progress_detected}...)
     * @return {@code {ok, state, loop_health, pause: {pause, reason, category}}}
     */
    public CommandResult recordLoopHealth(String story, String stage, String payloadJson) {
        return guarded(() -> {
            requireStory(story, "record-loop-health");
            if (stage == null || stage.isEmpty()) {
                return error("missing_flag", "record-loop-health requires --stage", "Pass --stage 0, 1, 2 or 3.");
            }
            int number = stageNumber("--stage", stage);
            Object payload = payloadJson == null ? null : jsonFlag("--payload", payloadJson, null);
            if (!(payload instanceof Map<?, ?>)) {
                return error("missing_flag", "record-loop-health requires --payload with loop signal",
                        "Pass a JSON object such as {\"error\":\"Stage 2 ASSERT failed\",\"progress_detected\":false}.");
            }
            RunSnapshot run = resolveRun(story);
            @SuppressWarnings("unchecked")
            LoopSignal signal = LoopSignal.fromPayload((Map<String, Object>) payload, runtime.clock().instant());
            LoopHealthResult result = runtime.recordLoopHealth(run.state().runId(), "stage_" + number, signal);
            LoopHealthEntry entry = result.entry();
            Map<String, Object> pause = new LinkedHashMap<>();
            pause.put("pause", entry.pauseRecommended());
            pause.put("reason", entry.pauseReason());
            pause.put("category", entry.pauseCategory());
            Map<String, Object> json = ok();
            json.put("state", RunJson.state(result.run().state()));
            json.put("loop_health", EventCodec.loopHealth(entry));
            json.put("pause", pause);
            return success(json, result.run());
        });
    }

    // ========================================================================= pause, cancel, complete

    /**
     * {@code pause}: pauses the run with a reason.
     *
     * @param story {@code --story}, may be null when one run is active
     * @param reason {@code --reason}, required
     * @return {@code {ok, state}}
     */
    public CommandResult pause(String story, String reason) {
        return guarded(() -> {
            if (reason == null || reason.isBlank()) {
                return error("missing_flag", "pause requires --reason", "Say why the run pauses; the reason is"
                        + " shown by status and recorded in the journal.");
            }
            RunSnapshot run = resolveRun(story);
            RunSnapshot after = runtime.pause(run.state().runId(), PauseRequest.of(reason));
            Map<String, Object> json = ok();
            json.put("state", RunJson.state(after.state()));
            return success(json, after);
        });
    }

    /** The pause category of a run that waits for answers to its business questions. */
    public static final String BUSINESS_QUESTIONS = "business_questions";

    /**
     * Asks a story's business questions in one batch, the way a run that cannot ask a person directly does: if
     * any has no answer in the run's {@code business_answers}, the run pauses (category
     * {@value #BUSINESS_QUESTIONS}) with the questions as its pending decision and {@code pipeline decide} as the
     * next action. A run whose questions are all answered is left as it is.
     *
     * @param story the story, may be null when one run is active
     * @param questions the story's questions
     * @return {@code {ok, asked: [questions]}}: the questions it asked (none if all were answered)
     */
    public CommandResult askBusinessQuestions(String story, List<BusinessQuestions.Question> questions) {
        return guarded(() -> {
            RunSnapshot run = resolveRun(story);
            RunState state = run.state();
            Map<?, ?> answers = state.attributes().get("business_answers") instanceof Map<?, ?> m ? m : Map.of();
            List<BusinessQuestions.Question> open = BusinessQuestions.unanswered(questions, answers);
            List<Object> asked = new ArrayList<>();
            open.forEach(question -> asked.add(question.toJson()));
            Map<String, Object> json = ok();
            json.put("asked", asked);
            if (open.isEmpty() || state.isPaused() && BUSINESS_QUESTIONS.equals(state.pause().map(p -> p.category())
                    .orElse(null))) {
                json.put("state", RunJson.state(state));
                return success(json, run);
            }
            Map<String, Object> example = new LinkedHashMap<>();
            open.forEach(question -> example.put(question.id(), question.options().isEmpty() ? "..."
                    : question.options().get(0)));
            RunSnapshot after = runtime.pause(state.runId(), PauseRequest.of(open.size() + " business question"
                            + (open.size() == 1 ? "" : "s") + " need" + (open.size() == 1 ? "s" : "")
                            + " an answer before execution")
                    .withCategory(BUSINESS_QUESTIONS, "run")
                    .withEvidence(Map.of("questions", asked))
                    .withNextAction("pipeline decide --story " + state.subjectId() + " --answers '"
                            + Json.compact(example) + "'"));
            json.put("state", RunJson.state(after.state()));
            return success(json, after);
        });
    }

    /**
     * {@code decide}: answers the business questions a run paused for, records them in its
     * {@code business_answers} (which every stage gets) and resumes the run where it paused.
     *
     * @param story {@code --story}, may be null when one run is active
     * @param answersJson {@code --answers}: a JSON object of question id to answer; every pending question must
     *     have a non-blank answer, one of its options if it has any (case is ignored)
     * @return {@code {ok, run_id, business_answers, current_phase, state}}
     */
    public CommandResult decide(String story, String answersJson) {
        return guarded(() -> {
            if (answersJson == null) {
                return error("missing_flag", "decide requires --answers", "Pass the answers as a JSON object of"
                        + " question id to answer; `pipeline status` shows the questions under pending_decision.");
            }
            RunSnapshot run = resolveRun(story);
            RunState state = run.state();
            Pause pause = state.pause().orElse(null);
            if (pause == null || !BUSINESS_QUESTIONS.equals(pause.category())) {
                return error("no_pending_decision", "The run of story " + state.subjectId() + " waits for no"
                        + " decision" + (state.isPaused() ? " (it is paused: " + pause.reason() + ")" : ""),
                        "Nothing to decide; `pipeline status` shows where the run stands.");
            }
            Map<String, Object> given;
            try {
                given = Json.parseObject(answersJson);
            } catch (RuntimeException e) {
                return error("invalid_json", "--answers is not a JSON object: " + e.getMessage(),
                        "Pass for example --answers '{\"payment\": \"Stripe\"}'.");
            }
            List<String> problems = new ArrayList<>();
            Map<String, Object> pending = new LinkedHashMap<>();
            if (pause.evidence().get("questions") instanceof List<?> questions) {
                for (Object question : questions) {
                    if (question instanceof Map<?, ?> q) {
                        pending.put(String.valueOf(q.get("id")), q.get("options"));
                    }
                }
            }
            Map<String, Object> answers = new LinkedHashMap<>();
            for (Map.Entry<String, Object> entry : given.entrySet()) {
                if (!pending.containsKey(entry.getKey())) {
                    problems.add("'" + entry.getKey() + "' is not a pending question (pending: "
                            + String.join(", ", pending.keySet()) + ")");
                } else if (!(entry.getValue() instanceof String text) || text.isBlank()) {
                    problems.add("the answer to '" + entry.getKey() + "' must be a non-blank text");
                } else {
                    answers.put(entry.getKey(), option(text.trim(), pending.get(entry.getKey()), entry.getKey(),
                            problems));
                }
            }
            for (String id : pending.keySet()) {
                if (!given.containsKey(id)) {
                    problems.add("'" + id + "' has no answer");
                }
            }
            if (!problems.isEmpty()) {
                return error("invalid_answers", "The answers do not fit the questions: " + String.join("; ",
                        problems), "Answer every pending question once; `pipeline status` shows them under"
                        + " pending_decision.");
            }
            Map<String, Object> all = new LinkedHashMap<>();
            if (state.attributes().get("business_answers") instanceof Map<?, ?> earlier) {
                earlier.forEach((k, v) -> all.put(String.valueOf(k), v));
            }
            all.putAll(answers);
            runtime.updateAttributes(state.runId(), Map.of("business_answers", all));
            TransitionResult resumed = runtime.resume(state.runId(), null, null);
            if (!resumed.allowed()) {
                return rejection(resumed.decision());
            }
            Map<String, Object> json = ok();
            json.put("run_id", state.runId());
            json.put("business_answers", all);
            json.put("current_phase", resumed.run().state().phase());
            json.put("state", RunJson.state(resumed.run().state()));
            return success(json, resumed.run());
        });
    }

    /** The option an answer names (its own spelling), or the answer if the question offers none. */
    private static String option(String answer, Object options, String id, List<String> problems) {
        if (!(options instanceof List<?> choices) || choices.isEmpty()) {
            return answer;
        }
        for (Object choice : choices) {
            if (String.valueOf(choice).equalsIgnoreCase(answer)) {
                return String.valueOf(choice);
            }
        }
        problems.add("'" + id + "' must be one of " + choices + " (got '" + answer + "')");
        return answer;
    }

    /**
     * {@code cancel}: ends the run as {@code CANCELED}.
     *
     * @param story {@code --story}, may be null when one run is active
     * @param reason {@code --reason}, default "Canceled by user"
     * @return {@code {ok, state}}
     */
    public CommandResult cancel(String story, String reason) {
        return guarded(() -> {
            RunSnapshot run = resolveRun(story);
            RunSnapshot after = runtime.cancel(run.state().runId(), reason);
            Map<String, Object> json = ok();
            json.put("state", RunJson.state(after.state()));
            return success(json, after);
        });
    }

    /**
     * {@code complete}: moves the run to DONE through the guards (from STAGE_3), or closes a run that is DONE.
     *
     * @param story {@code --story}, may be null when one run is active
     * @return {@code {ok, state}}, or a rejection with exit code 1
     */
    public CommandResult complete(String story) {
        return guarded(() -> {
            RunSnapshot run = resolveRun(story);
            TransitionResult result = runtime.complete(run.state().runId());
            if (!result.allowed()) {
                return rejection(result.decision());
            }
            Map<String, Object> json = ok();
            json.put("state", RunJson.state(result.run().state()));
            return success(json, result.run());
        });
    }

    /**
     * {@code repair}: rebuilds the run's {@code state.json}, {@code checkpoints.json} and {@code manifest.json} from
     * its journal (discarding edits) and cuts a torn journal tail. Only for file stores.
     *
     * @param story {@code --story}
     * @param runId {@code --run}, to repair a run by id (wins over the story)
     * @return {@code {ok, run_id, repaired: [...], state}}
     */
    public CommandResult repair(String story, String runId) {
        return guarded(() -> {
            if (!(runtime.store() instanceof FileRunStore files)) {
                return error("unsupported", "repair works on file stores only", "Repair the run in its store.");
            }
            String id;
            if (runId != null) {
                id = Ids.requireSafe("run id", runId);
            } else {
                Optional<String> active = story == null ? runtime.store().activeRuns(StoryPipeline.ID).values().stream()
                        .findFirst() : runtime.store().activeRun(StoryPipeline.ID, Ids.requireSafe("story id", story));
                if (active.isEmpty()) {
                    return error("run_not_found", "No active pipeline run found" + (story == null ? "" : " for story "
                            + story), "Pass --run <run id>; run ids are the directory names under .pipeline/runs.");
                }
                id = active.get();
            }
            RunSnapshot repaired = files.repair(id);
            Map<String, Object> json = ok();
            json.put("run_id", id);
            json.put("repaired", new ArrayList<Object>(repaired.warnings()));
            json.put("state", RunJson.state(repaired.state()));
            return new CommandResult(CommandResult.OK, json);
        });
    }

    // ================================================================================================ run

    /**
     * {@code run}: drives the story's run with stage plugins until it ends, pauses or is stopped (start it first with
     * {@link #start}).
     *
     * @param story the story
     * @param orchestrator the orchestrator, bound to the plugins (see {@link StoryPipeline#orchestrator})
     * @return {@code {ok, run_id, status, final_phase, reason, next_action, validation_retries, quality_cycles,
     *     crash_count, resume_action, paths}}; exit code 0 when the run completed, 1 when it paused or stopped and
     *     needs a person
     */
    public CommandResult drive(String story, Orchestrator orchestrator) {
        return guarded(() -> {
            requireStory(story, "run");
            RunSnapshot run = resolveRun(story);
            DriveResult result;
            try {
                result = orchestrator.drive(run.state().runId());
            } catch (DefinitionException e) {
                return error("missing_plugin", e.getMessage(), "Put the plugin's jar on the class path, or bind the"
                        + " stage to another plugin (run --plugins '{\"STAGE_2\":\"<id>\"}').");
            }
            RunState state = result.run().state();
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("ok", result.status() == DriveResult.Status.COMPLETED);
            json.put("run_id", state.runId());
            json.put("story_id", state.subjectId());
            json.put("status", result.status().name().toLowerCase(Locale.ROOT));
            json.put("final_phase", state.phase());
            json.put("reason", result.reason());
            json.put("next_action", state.pause().map(Pause::nextAction).orElse(null));
            for (String counter : state.counters().keySet()) {
                json.put(counter, state.counter(counter));
            }
            json.put("resume_action", StoryPipeline.resumeAction(state, definition));
            json.put("paths", paths(state));
            int exit = result.status() == DriveResult.Status.COMPLETED ? CommandResult.OK : CommandResult.REJECTED;
            return new CommandResult(exit, json);
        });
    }

    // ============================================================================================ helpers

    /** Work that may fail with a problem of the caller's making: becomes an answer, never an exception. */
    @FunctionalInterface
    private interface Work {
        CommandResult run();
    }

    private CommandResult guarded(Work work) {
        try {
            return work.run();
        } catch (Problem p) {
            return p.result;
        } catch (Ids.InvalidIdException e) {
            return error("invalid_id", e.getMessage(), "");
        } catch (PipelineException e) {
            if ("wrong_stage".equals(e.code())) {
                Map<String, Object> json = new LinkedHashMap<>();
                json.put("ok", false);
                json.put("error", e.problem());
                json.put("recovery", e.fix());
                json.put("code", e.code());
                return new CommandResult(CommandResult.REJECTED, json);
            }
            return error(e.code(), e.problem(), e.fix());
        } catch (StoreException e) {
            return error(e.code(), e.problem(), e.fix());
        }
    }

    private RunSnapshot resolveRun(String story) {
        Optional<String> runId;
        if (story != null) {
            runId = runtime.store().activeRun(StoryPipeline.ID, Ids.requireSafe("story id", story));
            if (runId.isEmpty()) {
                throw new Problem(error("no_active_run", "No active pipeline run found for story " + story + ".",
                        "Start one with `pipeline start --story " + story + "`."));
            }
        } else {
            Map<String, String> active = runtime.store().activeRuns(StoryPipeline.ID);
            if (active.size() > 1) {
                throw new Problem(error("multiple_active_runs", "Multiple active pipeline runs found. Pass --story.",
                        "Active stories: " + String.join(", ", active.keySet()) + "."));
            }
            if (active.isEmpty()) {
                throw new Problem(error("no_active_run", "No active pipeline run found. Pass --story.",
                        "Start one with `pipeline start --story <id>`."));
            }
            runId = active.values().stream().findFirst();
        }
        String id = runId.get();
        return runtime.store().load(id).orElseThrow(() -> new Problem(error("run_not_found", "Run not found: " + id,
                "The current-run pointer names a run that does not exist; start the story again.")));
    }

    private static String requireStory(String story, String command) {
        if (story == null || story.isEmpty()) {
            throw new Problem(error("missing_flag", command + " requires --story", "Pass --story <id>, for example"
                    + " --story US001."));
        }
        return Ids.requireSafe("story id", story);
    }

    private static Object jsonFlag(String flag, String text, Object fallback) {
        if (text == null) {
            return fallback;
        }
        try {
            return Json.parse(text);
        } catch (JsonSyntaxException e) {
            String shown = text.length() > 60 ? text.substring(0, 57) + "..." : text;
            throw new Problem(error("invalid_json", flag + " is not valid JSON: " + e.getMessage() + " in '" + shown
                    + "'", "Pass a JSON value in single quotes, for example " + flag + " '{\"key\":\"value\"}'."));
        }
    }

    private static void requireArray(String flag, Object value) {
        if (!(value instanceof List)) {
            throw new Problem(error("invalid_flag", flag + " must be a JSON array, got " + Json.typeName(value),
                    "Pass for example " + flag + " '[\"T-001\",\"T-002\"]'."));
        }
    }

    private static void requireGitStats(Object value) {
        if (!(value instanceof Map<?, ?> stats)) {
            throw new Problem(error("invalid_flag", "--git-stats must be a JSON object, got " + Json.typeName(value),
                    "Pass for example --git-stats '{\"files_changed\":3,\"lines_added\":40,\"lines_deleted\":2}'."));
        }
        for (String key : List.of("files_changed", "lines_added", "lines_deleted")) {
            Object number = stats.get(key);
            if (number != null && !(number instanceof Long && (Long) number >= 0)) {
                throw new Problem(error("invalid_flag", "--git-stats " + key + " must be a whole number 0 or more,"
                        + " got " + Json.compact(number), "Pass counts, for example {\"" + key + "\":3}."));
            }
        }
    }

    private static int stageNumber(String flag, String text) {
        String trimmed = text.trim();
        if (trimmed.matches("[0-3]")) {
            return Integer.parseInt(trimmed);
        }
        String stripped = trimmed.toUpperCase(Locale.ROOT).replace("STAGE_", "");
        if (stripped.matches("[0-3]")) {
            return Integer.parseInt(stripped);
        }
        throw new Problem(error("invalid_flag", flag + " must be 0, 1, 2 or 3 (got '" + text + "')",
                "The story pipeline has stages 0 (tasks), 1 (validation), 2 (execution) and 3 (quality gate)."));
    }

    private static Number number(String flag, String text, int min, int max) {
        if (text == null) {
            return null;
        }
        BigDecimal value;
        try {
            value = new BigDecimal(text.trim());
        } catch (NumberFormatException e) {
            throw new Problem(error("invalid_flag", flag + " must be a number from " + min + " to " + max + " (got '"
                    + text + "')", "Pass a number, for example " + flag + " " + max + "."));
        }
        if (value.compareTo(BigDecimal.valueOf(min)) < 0 || value.compareTo(BigDecimal.valueOf(max)) > 0) {
            throw new Problem(error("invalid_flag", flag + " must be from " + min + " to " + max + " (got " + text
                    + ")", "Pass a number in range."));
        }
        return value.stripTrailingZeros().scale() <= 0 ? (Number) value.longValue() : (Number) value.doubleValue();
    }

    private static void limit(StartRequest.Builder request, String flag, String counter, String text) {
        if (text == null) {
            return;
        }
        if (!text.trim().matches("[0-9]{1,4}")) {
            throw new Problem(error("invalid_flag", flag + " must be a whole number from 0 to 9999 (got '" + text
                    + "')", "Pass for example " + flag + " 1."));
        }
        request.limit(counter, Integer.parseInt(text.trim()));
    }

    private static void putIfPresent(Map<String, Object> map, String key, Object value) {
        if (value != null) {
            map.put(key, value);
        }
    }

    private static String text(String value) {
        return value == null ? "" : value;
    }

    private CommandResult rejection(TransitionDecision decision) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("ok", false);
        json.put("error", decision.guardResult().error());
        json.put("recovery", decision.guardResult().recovery());
        json.put("code", decision.guardResult().code());
        if (!decision.validTargets().isEmpty()) {
            json.put("valid_targets", new ArrayList<Object>(decision.validTargets()));
        }
        return new CommandResult(CommandResult.REJECTED, json);
    }

    private static Map<String, Object> ok() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("ok", true);
        return json;
    }

    private static CommandResult success(Map<String, Object> json, RunSnapshot run) {
        if (!run.warnings().isEmpty()) {
            json.put("warnings", new ArrayList<Object>(run.warnings()));
        }
        return new CommandResult(CommandResult.OK, json);
    }

    private static Map<String, Object> errorJson(String code, String message, String fix) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("ok", false);
        json.put("error", message);
        json.put("code", code);
        if (fix != null && !fix.isEmpty()) {
            json.put("fix", fix);
        }
        return json;
    }

    private static CommandResult error(String code, String message, String fix) {
        return new CommandResult(CommandResult.ERROR, errorJson(code, message, fix));
    }

    /** Carries an error answer out of a helper. */
    private static final class Problem extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient CommandResult result;

        Problem(CommandResult result) {
            super(String.valueOf(result.json().get("error")), null, false, false);
            this.result = result;
        }
    }
}
