package dev.agentpipeline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentpipeline.core.board.BoardStatus;
import dev.agentpipeline.core.board.KanbanBoard;
import dev.agentpipeline.core.internal.Json;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;

class BoardCommandsTest {

    @TempDir
    Path project;

    private Path board;

    private record Answer(int exit, Map<String, Object> json, String progress) {
    }

    /** stdout of a command that answers text, and its exit code. */
    private record Text(int exit, String out) {
    }

    private Text text(Optional<Terminal> terminal, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int exit = new PipelineMain(PipelineMain.commands(), terminal).run(args,
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(new ByteArrayOutputStream(), true,
                        StandardCharsets.UTF_8), project, Map.of());
        return new Text(exit, out.toString(StandardCharsets.UTF_8));
    }

    private Answer pipeline(String... args) {
        return pipeline(Optional.empty(), args);
    }

    /** A person at a terminal who types these lines, then ends the input. */
    private static Optional<Terminal> typing(String... lines) {
        Deque<String> input = new ArrayDeque<>(List.of(lines));
        return Optional.of(input::poll);
    }

    private Answer pipeline(Optional<Terminal> terminal, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = new PipelineMain(PipelineMain.commands(), terminal).run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), project, Map.of());
        String stdout = out.toString(StandardCharsets.UTF_8);
        String stderr = err.toString(StandardCharsets.UTF_8);
        if (exit == 2) {
            return new Answer(exit, Json.parseObject(stderr.substring(stderr.lastIndexOf("\n{") + 1)), stderr);
        }
        return new Answer(exit, Json.parseObject(stdout), stderr);
    }

    @BeforeEach
    void setUp() throws IOException {
        board = project.resolve(KanbanBoard.DEFAULT_PATH);
        Files.createDirectories(board.getParent());
        Files.writeString(board, String.join("\n",
                "# Kanban Board",
                "",
                "### Backlog",
                "",
                "**Epic 1: Greetings**",
                "",
                "  - [ID: US001 Greet by name](docs/tasks/US001.md)",
                "    _(tasks not created yet)_",
                "  - [ID: US002 Greet in French](docs/tasks/US002.md)",
                "    - [ID: T-201 Translate](docs/tasks/T-201.md)",
                "",
                "### Todo",
                "",
                "### In Progress",
                "",
                "### To Review",
                "",
                "**Epic 2: Farewells**",
                "",
                "  - [ID: US003 Say goodbye](docs/tasks/US003.md)",
                "    - [ID: T-301 Wave](docs/tasks/T-301.md)",
                "",
                "### To Rework",
                "",
                "### Done",
                "",
                "**Epic 2: Farewells**",
                "",
                "  - [ID: US004 Say see you](docs/tasks/US004.md)",
                "  - a note that is not a story",
                ""), StandardCharsets.UTF_8);
    }

    private static final String DRY_RUN = """
            schema_version: 1
            states:
              STAGE_0:
                - {scores: {plan_score: 4}}
              STAGE_1:
                - {verdict: GO, scores: {readiness: 8}}
              STAGE_2:
                - {}
              STAGE_3:
                - {verdict: FAIL, scores: {quality_score: 40}}
                - {verdict: PASS, scores: {quality_score: 90}}
            """;

    @Test
    void listsTheOpenStoriesInTheSkillsOrderWithTheirStageAndSkillAndWritesNothing() throws IOException {
        String before = Files.readString(board);

        Answer answer = pipeline("board", "list");

        assertThat(answer.exit()).isZero();
        assertThat(answer.json()).containsEntry("ok", true).containsEntry("board", board.toString())
                .containsEntry("next", "US003");
        List<Map<String, Object>> stories = Cli.objects(answer.json(), "stories");
        assertThat(stories).extracting(s -> s.get("number") + " " + s.get("id") + " " + s.get("status") + " "
                + s.get("stage") + " " + s.get("skill")).containsExactly(
                "1 US003 To Review STAGE_3 ln-500",
                "2 US002 Backlog STAGE_1 ln-310",
                "3 US001 Backlog STAGE_0 ln-300");
        assertThat(stories.get(2)).containsEntry("title", "Greet by name").containsEntry("has_tasks", false)
                .containsEntry("epic", "Epic 1: Greetings").containsEntry("url", "docs/tasks/US001.md")
                .containsEntry("line", 7L);
        assertThat(answer.json().get("warnings")).isEqualTo(List.of(board + ":30: a list item at two spaces that is"
                + " not a story link '[ID: US001 Title](url)' or '[PROJ-42: Title](url)', so it is not read"));
        assertThat(Files.readString(board)).isEqualTo(before);
        assertThat(project.resolve(".pipeline")).doesNotExist();
    }

    @Test
    void listsDoneStoriesTooWhenAskedForAll() {
        Answer answer = pipeline("board", "list", "--all");

        assertThat(Cli.objects(answer.json(), "stories")).extracting(s -> s.get("id") + " " + s.get("stage"))
                .containsExactly("US003 STAGE_3", "US002 STAGE_1", "US001 STAGE_0", "US004 null");
    }

    @Test
    void aProjectWithoutABoardGetsAnErrorThatSaysWhereItWasLookedFor() throws IOException {
        Files.delete(board);

        Answer answer = pipeline("board", "list");

        assertThat(answer.exit()).isEqualTo(2);
        assertThat(answer.json()).containsEntry("code", "board_missing")
                .containsEntry("error", "There is no board at " + board);
    }

    @Test
    void movesAStoryAndKeepsTheLockInTheIgnoredStateDirectory() throws IOException {
        Answer answer = pipeline("board", "move", "--story", "US002", "--to", "todo");

        assertThat(answer.exit()).isZero();
        assertThat(answer.json()).containsEntry("story_id", "US002").containsEntry("from", "Backlog")
                .containsEntry("to", "Todo").containsEntry("changed", true);
        assertThat(KanbanBoard.read(board).require("US002").status()).isEqualTo(BoardStatus.TODO);
        assertThat(Files.readString(board)).contains("### Todo\n\n**Epic 1: Greetings**\n\n"
                + "  - [ID: US002 Greet in French](docs/tasks/US002.md)\n    - [ID: T-201 Translate]");
        assertThat(project.resolve(".pipeline/board.lock")).exists();
        assertThat(project.resolve(".pipeline/.gitignore")).hasContent(
                "# Agent Pipeline's run state (journals, locks, workspaces): not for version control.\n*");
        assertThat(pipeline("board", "move", "--story", "US002", "--to", "Todo").json())
                .containsEntry("changed", false);
    }

    @Test
    void aMoveThatCannotBeMadeSaysWhyAndChangesNothing() throws IOException {
        String before = Files.readString(board);

        assertThat(pipeline("board", "move", "--story", "US002", "--to", "Shipped").json())
                .containsEntry("code", "invalid_flag").containsEntry("fix", "Pass one of Backlog, Todo, In Progress,"
                        + " To Review, To Rework, Done, Postponed, Canceled.");
        assertThat(pipeline("board", "move", "--story", "US404", "--to", "Done").json())
                .containsEntry("code", "story_not_on_board");
        assertThat(pipeline("board", "move", "--to", "Done").json()).containsEntry("code", "missing_flag");
        assertThat(pipeline("board", "move", "--story", "US001", "--to", "Postponed").json())
                .containsEntry("code", "no_section");
        assertThat(Files.readString(board)).isEqualTo(before);
    }

    @Test
    void aPersonPicksTheStoryByNumberAndItRunsFromItsStageAcrossTheBoardToDone() throws IOException {
        // Given: US003 is in To Review, so it is number 1 and starts at the quality gate, which fails once; the
        // person first types a number that is not on the list and a word
        Files.writeString(project.resolve("dry-run.yaml"), DRY_RUN);

        // When
        Answer answer = pipeline(typing("4", "soon", " 1 "), "run", "--from-board", "--scenario", "dry-run.yaml");

        // Then
        assertThat(answer.exit()).as(answer.progress()).isZero();
        String question = "Which story to process? Enter # (1-3) or story id, nothing to cancel: ";
        assertThat(answer.progress()).startsWith(String.join("\n",
                "#  Story  Title            Status              Stage    Epic",
                "1  US003  Say goodbye      To Review           STAGE_3  Epic 2: Farewells",
                "2  US002  Greet in French  Backlog (tasks)     STAGE_1  Epic 1: Greetings",
                "3  US001  Greet by name    Backlog (no tasks)  STAGE_0  Epic 1: Greetings",
                question + "'4' is not a number from 1 to 3 or a story id of the list.",
                question + "'soon' is not a number from 1 to 3 or a story id of the list.",
                question));
        assertThat(answer.json()).containsEntry("story_id", "US003").containsEntry("final_phase", "DONE")
                .containsEntry("quality_cycles", 1L);
        assertThat(Cli.object(answer.json(), "board")).containsEntry("file", board.toString())
                .containsEntry("moves", List.of("To Review -> To Rework", "To Rework -> To Review",
                        "To Review -> Done"))
                .containsEntry("problems", List.of());
        KanbanBoard after = KanbanBoard.read(board);
        assertThat(after.require("US003").status()).isEqualTo(BoardStatus.DONE);
        assertThat(after.require("US003").epic()).isEqualTo("Epic 2: Farewells");
        assertThat(Files.readString(board)).endsWith("### Done\n\n**Epic 2: Farewells**\n\n"
                + "  - [ID: US004 Say see you](docs/tasks/US004.md)\n  - a note that is not a story\n"
                + "  - [ID: US003 Say goodbye](docs/tasks/US003.md)\n    - [ID: T-301 Wave](docs/tasks/T-301.md)\n");
        assertThat(pipeline("status", "--story", "US003").json()).containsEntry("active", false);
        Path runs = project.resolve(".pipeline/runs");
        try (var dirs = Files.list(runs)) {
            Path manifest = dirs.findFirst().orElseThrow().resolve("manifest.json");
            assertThat(Json.parseObject(Files.readString(manifest))).as("the title came from the board")
                    .containsEntry("story_title", "Say goodbye");
        }
    }

    @Test
    void runsANamedStoryFromTheStageItsSectionAsksFor() throws IOException {
        Files.writeString(project.resolve("dry-run.yaml"), DRY_RUN.replace(
                "    - {verdict: FAIL, scores: {quality_score: 40}}\n", "").replace("{scores: {plan_score: 4}}",
                "{scores: {plan_score: 4}, attributes: {tasks_remaining: [T-101, T-102],"
                        + " task_titles: {T-101: Say hello}}}"));

        Answer answer = pipeline("run", "--from-board", "--story", "US001", "--scenario", "dry-run.yaml");

        assertThat(answer.exit()).as(answer.progress()).isZero();
        assertThat(answer.progress()).contains("STAGE_0 completed");
        assertThat(Cli.object(answer.json(), "board")).containsEntry("moves", List.of("Backlog -> Todo",
                "Todo -> To Review", "To Review -> Done")).containsEntry("tasks_added", List.of("T-101", "T-102"));
        assertThat(Files.readString(board)).contains("  - [ID: US001 Greet by name](docs/tasks/US001.md)\n"
                + "    - [ID: T-101 Say hello](docs/tasks/T-101.md)\n"
                + "    - [ID: T-102 T-102](docs/tasks/T-102.md)\n").doesNotContain("_(tasks not created yet)_");
        assertThat(KanbanBoard.read(board).require("US001").status()).isEqualTo(BoardStatus.DONE);
        assertThat(KanbanBoard.read(board).require("US002").status()).isEqualTo(BoardStatus.BACKLOG);
    }

    @Test
    void refusesWhatTheBoardCannotRun() throws IOException {
        Files.writeString(project.resolve("dry-run.yaml"), DRY_RUN);

        assertThat(pipeline("run", "--from-board", "--story", "US004", "--scenario", "dry-run.yaml").json())
                .containsEntry("code", "nothing_to_do");
        assertThat(pipeline("run", "--from-board", "--from-stage", "2", "--scenario", "dry-run.yaml").json())
                .containsEntry("code", "conflicting_flags");
        assertThat(pipeline("run", "--from-board", "--story", "US404", "--scenario", "dry-run.yaml").json())
                .containsEntry("code", "story_not_on_board");
        assertThat(project.resolve(".pipeline/runs")).doesNotExist();
    }

    @Test
    void aPersonMayNameTheStoryByIdAndNothingOrTheEndOfInputCancels() throws IOException {
        Files.writeString(project.resolve("dry-run.yaml"), DRY_RUN);

        Answer empty = pipeline(typing(""), "run", "--from-board", "--scenario", "dry-run.yaml");
        Answer ended = pipeline(typing(), "run", "--scenario", "dry-run.yaml");

        for (Answer answer : List.of(empty, ended)) {
            assertThat(answer.exit()).isEqualTo(2);
            assertThat(answer.json()).containsEntry("code", "no_story_chosen")
                    .containsEntry("error", "No story was chosen; nothing was started");
        }
        assertThat(project.resolve(".pipeline/runs")).doesNotExist();
        Files.writeString(project.resolve("dry-run.yaml"), DRY_RUN.replace(
                "    - {verdict: FAIL, scores: {quality_score: 40}}\n", ""));
        Answer byId = pipeline(typing("US001"), "run", "--scenario", "dry-run.yaml");
        assertThat(byId.exit()).as(byId.progress()).isZero();
        assertThat(byId.json()).containsEntry("story_id", "US001");
    }

    @Test
    void withoutATerminalRunWithoutStoryRefusesToGuessAndListsTheOpenStoriesInPriorityOrder() throws IOException {
        Files.writeString(project.resolve("dry-run.yaml"), DRY_RUN);

        for (String[] args : List.of(new String[] {"run", "--from-board", "--scenario", "dry-run.yaml"},
                new String[] {"run", "--scenario", "dry-run.yaml"})) {
            Answer answer = pipeline(args);

            assertThat(answer.exit()).isEqualTo(2);
            assertThat(answer.json()).containsEntry("code", "story_required")
                    .containsEntry("error", "run without --story needs a person to pick the story from " + board
                            + ", and this is not a terminal; the pipeline does not guess")
                    .containsEntry("fix", "Pass --story <id> with one of the open stories, in the ln-1000 skill's order of"
                            + " priority: US003, US002, US001 (pipeline board list says more).");
        }
        assertThat(project.resolve(".pipeline/runs")).doesNotExist();
    }

    @Test
    void printsTheTableForPeopleOnATerminalOrWhenAskedAndJsonForPrograms() throws IOException {
        // Given: a story whose title and epic are too long for their columns
        Files.writeString(board, Files.readString(board).replace("Greet in French",
                "Greet in French, German, Italian and Spanish with the right accents").replace("**Epic 2: Farewells**",
                "**Epic 2: Farewells, goodbyes and see-you-laters**"));
        String table = board + ": 3 stories open, next US003\n\n" + String.join("\n",
                "#  Story  Title                                     Status              Stage    Epic",
                "1  US003  Say goodbye                               To Review           STAGE_3  Epic 2: Farewells, goodbyes a…",
                "2  US002  Greet in French, German, Italian and Sp…  Backlog (tasks)     STAGE_1  Epic 1: Greetings",
                "3  US001  Greet by name                             Backlog (no tasks)  STAGE_0  Epic 1: Greetings",
                "",
                "warning: " + board + ":30: a list item at two spaces that is not a story link '[ID: US001 Title](url)'"
                        + " or '[PROJ-42: Title](url)', so it is not read",
                "");

        // When / Then: a terminal gets the table, also from a bare `pipeline board`; --format chooses
        assertThat(text(typing(), "board", "list")).isEqualTo(new Text(0, table));
        assertThat(text(typing(), "board")).isEqualTo(new Text(0, table));
        assertThat(text(Optional.empty(), "board", "list", "--format", "table")).isEqualTo(new Text(0, table));
        assertThat(pipeline("board").json()).containsEntry("next", "US003");
        assertThat(text(typing(), "board", "list", "--format", "json").out()).startsWith("{");
        assertThat(text(typing(), "board", "list", "--all").out()).contains(
                "4  US004  Say see you                               Done                -        Epic 2: Farewells, goodbyes a…");
        assertThat(pipeline("board", "list", "--format", "html").json()).containsEntry("code", "invalid_flag")
                .containsEntry("error", "--format must be json or table (got 'html')");
    }
}
