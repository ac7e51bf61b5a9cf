package dev.agentpipeline.cli;

import dev.agentpipeline.core.board.BoardException;
import dev.agentpipeline.core.board.BoardFile;
import dev.agentpipeline.core.board.BoardStatus;
import dev.agentpipeline.core.board.BoardStory;
import dev.agentpipeline.core.board.BoardUpdater;
import dev.agentpipeline.core.board.KanbanBoard;
import dev.agentpipeline.core.definition.PipelineDefinition;
import dev.agentpipeline.core.store.FileRunStore;
import dev.agentpipeline.core.store.RunStore;
import dev.agentpipeline.core.store.StoreException;
import dev.agentpipeline.core.story.CommandResult;
import dev.agentpipeline.core.story.StoryPipeline;
import dev.agentpipeline.guice.PipelineSettings;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code pipeline board list} and {@code pipeline board move}: the kanban board
 * ({@value KanbanBoard#DEFAULT_PATH} of the project) with each story's target stage, and a story moved between its
 * status sections. {@code run --from-board} uses the same board.
 *
 * @since 0.1
 */
final class BoardCommands {

    private static final List<String> STATUSES = List.of("Backlog", "Todo", "In Progress", "To Review", "To Rework",
            "Done", "Postponed", "Canceled");

    private BoardCommands() {
    }

    /** @return {@code board list} */
    static CliCommand list() {
        return CliCommand.of("board list", "Lists the stories on the project's kanban board (" + KanbanBoard.DEFAULT_PATH
                        + ") in the ln-1000 skill's order of selection (To Review, To Rework, In Progress, Todo, Backlog with"
                        + " tasks, Backlog without), each with the stage and skill it starts at; `pipeline board`"
                        + " alone is the same. Reads only.",
                List.of(CliOption.flag("--all", "List Done, Postponed and Canceled stories too (after the others,"
                        + " with stage null)."),
                        CliOption.value("--format", "<format>", "json (the answer, for programs) or table (for"
                                + " people: #, Story, Title, Status, Stage, Epic); default: table on a terminal,"
                                + " json elsewhere.")),
                BoardCommands::listBoard);
    }

    /** @return {@code board move} */
    static CliCommand move() {
        return CliCommand.of("board move", "Moves a story to another status section of the kanban board, with its"
                        + " tasks, under the same epic; the board is replaced atomically, under a lock.",
                List.of(CliOption.value("--story", "<id>", "The story to move (required)."),
                        CliOption.value("--to", "<status>", "Its new status (required): " + String.join(", ", STATUSES)
                                + ".")),
                BoardCommands::moveStory);
    }

    /**
     * @param settings the call's settings
     * @return the board file of the project
     */
    static Path boardPath(PipelineSettings settings) {
        return settings.projectDir().resolve(KanbanBoard.DEFAULT_PATH);
    }

    /**
     * The board of the call's project, for moves: locked with {@code board.lock} in the state directory.
     *
     * @param call the call
     * @return the board file
     */
    static BoardFile boardFile(CliInvocation call) {
        PipelineSettings settings = call.settings().pipeline();
        RunStore store = call.get(RunStore.class);
        Path lock = store instanceof FileRunStore files ? files.sharedLockFile("board")
                : settings.stateDir().resolve("board.lock");
        return BoardFile.of(boardPath(settings), lock, settings.lockTimeout());
    }

    /**
     * @param board the board error
     * @return its error answer
     */
    static CommandResult error(BoardException board) {
        return PipelineMain.error(board.code(), board.getMessage(), board.fix());
    }

    /**
     * A story of the board as JSON: {@code {id, title, status, has_tasks, stage, skill, epic, url, line}}.
     *
     * @param story the story
     * @param definition the story pipeline, for the skill of the stage
     * @return the JSON object
     */
    static Map<String, Object> toJson(BoardStory story, PipelineDefinition definition) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("id", story.id());
        json.put("title", story.title());
        json.put("status", story.status().label());
        json.put("has_tasks", story.hasTasks());
        String stage = story.targetStage().orElse(null);
        json.put("stage", stage);
        json.put("skill", stage == null ? null : StoryPipeline.skill(definition, stage));
        json.put("epic", story.epic());
        json.put("url", story.url());
        json.put("line", story.line());
        return json;
    }

    private static CommandResult listBoard(CliInvocation call) {
        PipelineSettings settings = call.settings().pipeline();
        String format = call.value("--format");
        if (format == null) {
            format = call.terminal().isPresent() ? "table" : "json";
        }
        format = format.trim();
        if (!format.equals("json") && !format.equals("table")) {
            return PipelineMain.error("invalid_flag", "--format must be json or table (got '" + format + "')",
                    "Pass --format table for people or --format json for programs.");
        }
        KanbanBoard board;
        try {
            board = KanbanBoard.read(boardPath(settings));
        } catch (BoardException e) {
            return error(e);
        }
        PipelineDefinition definition = StoryPipeline.definition();
        List<BoardStory> stories = new ArrayList<>(board.available());
        if (call.flag("--all")) {
            board.stories().stream().filter(story -> story.status().isClosed()).forEach(stories::add);
        }
        if (format.equals("table")) {
            StringBuilder text = new StringBuilder();
            text.append(boardPath(settings)).append(": ");
            text.append(stories.isEmpty() ? "no open story\n" : stories.size() + (stories.size() == 1 ? " story"
                    : " stories") + (call.flag("--all") ? "" : " open") + ", next " + board.next().map(BoardStory::id)
                    .orElse("none") + "\n\n" + BoardTable.render(stories));
            if (!board.warnings().isEmpty()) {
                text.append('\n');
                board.warnings().forEach(warning -> text.append("warning: ").append(warning).append('\n'));
            }
            return PipelineMain.text(text.toString());
        }
        List<Object> entries = new ArrayList<>();
        int number = 1;
        for (BoardStory story : stories) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("number", number++);
            entry.putAll(toJson(story, definition));
            entries.add(entry);
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("ok", true);
        json.put("board", boardPath(settings).toString());
        json.put("next", board.next().map(BoardStory::id).orElse(null));
        json.put("stories", entries);
        json.put("warnings", board.warnings());
        return new CommandResult(CommandResult.OK, json);
    }

    private static CommandResult moveStory(CliInvocation call) {
        String story = call.value("--story");
        String to = call.value("--to");
        if (story == null || story.isBlank()) {
            return PipelineMain.error("missing_flag", "board move requires --story", "Pass the story's id, for"
                    + " example --story US001.");
        }
        if (to == null || to.isBlank()) {
            return PipelineMain.error("missing_flag", "board move requires --to", "Pass the new status: "
                    + String.join(", ", STATUSES) + ".");
        }
        BoardStatus status = BoardStatus.of(to).orElse(null);
        if (status == null) {
            return PipelineMain.error("invalid_flag", "--to must be a board status (got '" + to + "')", "Pass one"
                    + " of " + String.join(", ", STATUSES) + ".");
        }
        BoardFile.Move move;
        try {
            move = boardFile(call).move(story.trim(), status);
        } catch (BoardException e) {
            return error(e);
        } catch (StoreException e) {
            return PipelineMain.error(e.code(), e.problem(), e.fix());
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("ok", true);
        json.put("story_id", move.storyId());
        json.put("from", move.from().label());
        json.put("to", move.to().label());
        json.put("changed", move.changed());
        json.put("board", boardPath(call.settings().pipeline()).toString());
        return new CommandResult(CommandResult.OK, json);
    }

    /**
     * What a board updater did during a run, for the answer of {@code run}: {@code {file, moves: ["Backlog -> Todo",
     * ...], tasks_added: ["T-001", ...], problems: [...]}}.
     *
     * @param updater the updater
     * @param file the board file
     * @return the JSON object
     */
    static Map<String, Object> report(BoardUpdater updater, Path file) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("file", file.toString());
        List<Object> moves = new ArrayList<>();
        updater.moves().forEach(move -> moves.add(move.from() + " -> " + move.to()));
        json.put("moves", moves);
        List<Object> tasks = new ArrayList<>();
        updater.tasksAdded().forEach(added -> tasks.addAll(added.taskIds()));
        json.put("tasks_added", tasks);
        json.put("problems", updater.problems());
        return json;
    }
}
