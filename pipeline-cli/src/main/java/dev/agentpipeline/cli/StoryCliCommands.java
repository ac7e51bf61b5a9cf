package dev.agentpipeline.cli;

import dev.agentpipeline.core.board.KanbanBoard;
import dev.agentpipeline.core.story.CommandResult;
import dev.agentpipeline.core.story.StoryCommands;

import org.apiguardian.api.API;

import java.util.List;
import java.util.Locale;
import java.util.Set;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * The subcommands of the older ln-1000 runtime ({@code start}, {@code status}, {@code advance}, {@code checkpoint},
 * {@code record-stage-summary}, {@code record-loop-health}, {@code pause}, {@code cancel}, {@code complete}) with
 * exactly its flags, plus {@code resume} and {@code repair}. Each one only passes its flags to
 * {@link StoryCommands}, which validates them and answers.
 *
 * <pre>{@code
 * CliCommand status = StoryCliCommands.status();
 * }</pre>
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class StoryCliCommands {

    private static final CliOption STORY = CliOption.value("--story", "<id>",
            "The story, for example US001; optional when exactly one run is active.");

    private StoryCliCommands() {
    }

    /** @return {@code start}: starts a story's run, or answers recovery: true with its unfinished run */
    public static CliCommand start() {
        return CliCommand.of("start", "Starts a run for a story; if the story has an unfinished run, answers"
                        + " recovery: true with that run and its resume_action instead.",
                List.of(CliOption.value("--story", "<id>", "The story, for example US001 (required)."),
                        CliOption.value("--title", "<text>", "The story's title."),
                        CliOption.value("--storage", "<mode>", "Where stories live: file, the kanban board file (the"
                                + " default and, for now, the only one; linear is refused until a Linear tracker"
                                + " exists)."),
                        CliOption.value("--project-brief", "<json>", "The project brief, as JSON."),
                        CliOption.value("--story-briefs", "<json>", "The story briefs, as a JSON object."),
                        CliOption.value("--business-answers", "<json>", "Answers to business questions, as JSON."),
                        CliOption.value("--status-cache", "<json>", "Tracker status names to ids, as JSON."),
                        CliOption.value("--skill-repo-path", "<dir>", "The skill repository's root."),
                        CliOption.value("--worktree-dir", "<dir>", "The story's git worktree."),
                        CliOption.value("--branch-name", "<branch>", "The story's branch."),
                        CliOption.value("--max-validation-retries", "<n>", "This run's limit of NO-GO retries"
                                + " (default 1)."),
                        CliOption.value("--max-quality-cycles", "<n>", "This run's limit of reworks after a failed"
                                + " quality gate (default 2: the gate runs at most 3 times)."),
                        CliOption.value("--max-crashes", "<n>", "This run's limit of re-run crashed attempts"
                                + " (default 1)."),
                        CliOption.value("--summaries", "<policy>", "required or optional: whether this run's"
                                + " stages must record a stage summary; optional lets a checkpoint stand in, for"
                                + " callers of the older ln-1000 runtime (default: summaries in .pipeline.conf,"
                                + " else required).")),
                StoryCliCommands::startStory);
    }

    private static final String KANBAN_BOARD = KanbanBoard.DEFAULT_PATH;

    /** The {@code --storage} modes the older ln-1000 runtime knows that no tracker of this command line supports yet. */
    private static final Set<String> UNSUPPORTED_STORAGE = Set.of("linear");

    private static CommandResult startStory(CliInvocation call) {
        String storage = call.value("--storage");
        if (storage != null && UNSUPPORTED_STORAGE.contains(storage.trim().toLowerCase(Locale.ROOT))) {
            return PipelineMain.error("storage_not_supported", "--storage " + storage.trim() + " is not supported"
                    + " yet: there is no Linear tracker, only the board file " + KANBAN_BOARD + " (--storage file);"
                    + " nothing was started", "Leave --storage out or pass --storage file, and keep the story on "
                    + KANBAN_BOARD + " (pipeline board list shows it).");
        }
        return call.storyCommands().start(StoryCommands.StartArgs.builder(call.value("--story"))
                        .title(call.value("--title"))
                        .storage(call.value("--storage"))
                        .projectBrief(call.value("--project-brief"))
                        .storyBriefs(call.value("--story-briefs"))
                        .businessAnswers(call.value("--business-answers"))
                        .statusCache(call.value("--status-cache"))
                        .skillRepoPath(call.value("--skill-repo-path"))
                        .worktreeDir(call.value("--worktree-dir"))
                        .branchName(call.value("--branch-name"))
                        .maxValidationRetries(call.value("--max-validation-retries"))
                        .maxQualityCycles(call.value("--max-quality-cycles"))
                        .maxCrashes(call.value("--max-crashes"))
                        .summaries(call.value("--summaries"))
                        .build());
    }

    /** @return {@code status}: the story's run and what to do next */
    public static CliCommand status() {
        return CliCommand.of("status", "Shows the story's run (state, checkpoints, paths) and its resume_action;"
                        + " active: false when it has none unfinished, with found: false if it was never started."
                        + " Reads only. With --watch, first follows the run on stderr until it ends or pauses.",
                List.of(STORY,
                        CliOption.flag("--watch", "Follow the run's progress on stderr (a live dashboard on a"
                                + " terminal, a line per step elsewhere) until it ends or pauses, then answer."),
                        CliOption.value("--interval-ms", "<ms>", "How often --watch reads the journal (default 1000)."),
                        RunCommands.PROGRESS),
                call -> call.flag("--watch") ? StatusWatch.watch(call)
                        : call.storyCommands().status(call.value("--story")));
    }

    /** @return {@code advance}: moves the run to a stage through its guards */
    public static CliCommand advance() {
        return CliCommand.of("advance", "Moves the run to a stage through the guards; a rejection answers"
                        + " {ok: false, error, recovery} with exit code 1 and changes nothing.",
                List.of(CliOption.value("--to", "<state>", "The target: STAGE_0, STAGE_1, STAGE_2, STAGE_3 or DONE"
                                + " (required)."),
                        STORY,
                        CliOption.flag("--resolve", "The cause of a pause is resolved; the guards still apply."),
                        CliOption.flag("--force", "Override the guards of a paused run (recorded with --reason)."),
                        CliOption.value("--reason", "<text>", "Why the guards are overridden (with --force).")),
                call -> call.storyCommands().advance(call.value("--story"), call.value("--to"),
                        call.flag("--resolve"), call.flag("--force"), call.value("--reason")));
    }

    /** @return {@code checkpoint}: records the checkpoint of the stage the run is in */
    public static CliCommand checkpoint() {
        return CliCommand.of("checkpoint", "Records the checkpoint of the stage the run is in and sets"
                        + " stage_timestamps.stage_N_end.",
                List.of(CliOption.value("--stage", "<0-3>", "The stage: 0, 1, 2 or 3 (required)."),
                        STORY,
                        CliOption.value("--plan-score", "<0-4>", "Stage 0: the plan score."),
                        CliOption.value("--readiness", "<1-10>", "Stage 1: the readiness score."),
                        CliOption.value("--verdict", "<verdict>", "Stage 1: GO or NO-GO; stage 3: PASS, CONCERNS,"
                                + " WAIVED or FAIL."),
                        CliOption.value("--reason", "<text>", "The reason of a NO-GO."),
                        CliOption.value("--quality-score", "<0-100>", "Stage 3: the quality score."),
                        CliOption.value("--issues", "<text>", "The issues of a FAIL."),
                        CliOption.value("--last-action", "<text>", "What the stage did last."),
                        CliOption.value("--tasks-completed", "<json>", "The tasks done, as a JSON array."),
                        CliOption.value("--tasks-remaining", "<json>", "The tasks left, as a JSON array."),
                        CliOption.value("--agents-info", "<text>", "Stages 1 and 3: which review agents ran."),
                        CliOption.value("--git-stats", "<json>", "Stage 2: {files_changed, lines_added,"
                                + " lines_deleted} as JSON.")),
                call -> call.storyCommands().checkpoint(StoryCommands.CheckpointArgs.builder(call.value("--stage"))
                        .story(call.value("--story"))
                        .planScore(call.value("--plan-score"))
                        .readiness(call.value("--readiness"))
                        .verdict(call.value("--verdict"))
                        .reason(call.value("--reason"))
                        .qualityScore(call.value("--quality-score"))
                        .issues(call.value("--issues"))
                        .lastAction(call.value("--last-action"))
                        .tasksCompleted(call.value("--tasks-completed"))
                        .tasksRemaining(call.value("--tasks-remaining"))
                        .agentsInfo(call.value("--agents-info"))
                        .gitStats(call.value("--git-stats"))
                        .build()));
    }

    /** @return {@code record-stage-summary}: records a stage summary envelope */
    public static CliCommand recordStageSummary() {
        return CliCommand.of("record-stage-summary", "Validates a stage summary envelope against"
                        + " its closed schema and records it for its stage.",
                List.of(CliOption.value("--story", "<id>", "The story (required)."),
                        CliOption.value("--payload", "<json>", "The summary envelope, as a JSON object (required).")),
                call -> call.storyCommands().recordStageSummary(call.value("--story"), call.value("--payload")));
    }

    /** @return {@code record-loop-health}: judges a retry loop signal, pausing the run when it makes no progress */
    public static CliCommand recordLoopHealth() {
        return CliCommand.of("record-loop-health", "Records a loop-health signal for a stage; pauses the run when"
                        + " retries stop making progress (for example 3 identical failures).",
                List.of(CliOption.value("--story", "<id>", "The story (required)."),
                        CliOption.value("--stage", "<0-3>", "The stage: 0, 1, 2 or 3 (required)."),
                        CliOption.value("--payload", "<json>", "The signal as a JSON object, for example"
                                + " {\"error\":\"Stage 2 ASSERT failed\",\"progress_detected\":false} (required).")),
                call -> call.storyCommands().recordLoopHealth(call.value("--story"), call.value("--stage"),
                        call.value("--payload")));
    }

    /** @return {@code pause}: pauses the run with a reason */
    public static CliCommand pause() {
        return CliCommand.of("pause", "Pauses the run; status then answers resume_action \"Paused: <reason>\".",
                List.of(CliOption.value("--reason", "<text>", "Why the run pauses (required)."), STORY),
                call -> call.storyCommands().pause(call.value("--story"), call.value("--reason")));
    }

    /** @return {@code decide}: answers the business questions a run waits for, and resumes it */
    public static CliCommand decide() {
        return CliCommand.of("decide", "Answers a decision: with --run and --option, the open gate of a run (pipeline"
                        + " runs lists them; every answer is journaled with who and when, once: a second answer or"
                        + " an expiry that came first is refused); with --answers, the business questions a story's"
                        + " run paused for (status shows them under pending_decision), recorded in business_answers,"
                        + " which every stage gets, and the run resumes.",
                List.of(CliOption.value("--answers", "<json>", "The business answers: a JSON object of question id"
                                + " to answer."), STORY,
                        CliOption.value("--run", "<run-id>", "The run whose gate is answered."),
                        CliOption.value("--option", "<id>", "The chosen option (case is ignored)."),
                        CliOption.value("--gate", "<gate-id>", "The gate (default: the open gate of the state the run"
                                + " is in)."),
                        CliOption.value("--by", "<name>", "Who decides (default: the user name); checked against the"
                                + " gate's answerers."),
                        CliOption.value("--reason", "<text>", "Why, kept with the decision.")),
                call -> call.value("--option") != null || call.value("--run") != null
                        ? WaitingCommands.decideGate(call)
                        : call.storyCommands().decide(call.value("--story"), call.value("--answers")));
    }

    /** @return {@code cancel}: ends the run as CANCELED */
    public static CliCommand cancel() {
        return CliCommand.of("cancel", "Ends the run as CANCELED (phase DONE, complete: true); a run of any"
                        + " pipeline with --run, whose open child runs are canceled first.",
                List.of(STORY, CliOption.value("--reason", "<text>", "Why (default: Canceled by user)."),
                        CliOption.value("--run", "<run-id>", "A run of any pipeline (pipeline runs lists them).")),
                call -> call.value("--run") != null ? WaitingCommands.cancelRun(call)
                        : call.storyCommands().cancel(call.value("--story"), call.value("--reason")));
    }

    /** @return {@code complete}: moves the run to DONE through the guards and closes it */
    public static CliCommand complete() {
        return CliCommand.of("complete", "Moves the run from STAGE_3 to DONE through the guards and closes it.",
                List.of(STORY),
                call -> call.storyCommands().complete(call.value("--story")));
    }

    /** @return {@code resume}: resumes a paused run through the guards, or with a recorded override */
    public static CliCommand resume() {
        return CliCommand.of("resume", "Resumes a paused run into the stage it paused in (or --to), through the"
                        + " guards; --force with --reason overrides them and records why.",
                List.of(STORY,
                        CliOption.value("--to", "<state>", "The stage to resume into (default: the paused one)."),
                        CliOption.flag("--force", "Override the guards (requires --reason)."),
                        CliOption.value("--reason", "<text>", "Why the guards are overridden."),
                        CliOption.value("--run", "<run-id>", "A paused run of any pipeline (pipeline runs lists"
                                + " them); a running worker drives it on.")),
                call -> call.value("--run") != null ? WaitingCommands.resumeRun(call)
                        : call.storyCommands().resume(call.value("--story"), call.value("--to"), call.flag("--force"),
                        call.value("--reason")));
    }

    /** @return {@code repair}: rebuilds a run's JSON files from its journal */
    public static CliCommand repair() {
        return CliCommand.of("repair", "Rebuilds a run's state.json, checkpoints.json and manifest.json from its"
                        + " journal (discarding hand edits) and cuts a torn journal tail.",
                List.of(STORY, CliOption.value("--run", "<run-id>", "The run to repair (wins over --story).")),
                call -> call.storyCommands().repair(call.value("--story"), call.value("--run")));
    }
}
