package dev.agentpipeline.core.board;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

class KanbanBoardTest {

    private static final String SOURCE = "docs/tasks/kanban_board.md";

    /** The ln-1000 skill's example board: one story in every open section, one done. */
    private static final String BOARD = String.join("\n",
            "# Kanban Board",
            "",
            "## Work in progress",
            "",
            "### Backlog",
            "",
            "**Epic 1: Users**",
            "",
            "  - 📖 [PROJ-55: CRUD users](https://linear.app/acme/issue/PROJ-55)",
            "    _(tasks not created yet)_",
            "  - 📖 [ID: US010 Import users](docs/tasks/US010.md)",
            "    - ⚙️ [ID: T-101 Parse the CSV](docs/tasks/T-101.md)",
            "    - ⚙️ [ID: T-102 Store the rows](docs/tasks/T-102.md)",
            "",
            "### Todo",
            "",
            "**Epic 3: UI**",
            "",
            "  - 📖 [PROJ-60: Dashboard](https://linear.app/acme/issue/PROJ-60) APPROVED",
            "    - ⚙️ [PROJ-61: Charts](https://linear.app/acme/issue/PROJ-61)",
            "",
            "### In Progress",
            "",
            "### To Review",
            "",
            "**Epic 2: Auth**",
            "",
            "  - 📖 [PROJ-42: US004 Auth endpoint](https://linear.app/acme/issue/PROJ-42)",
            "    - ⚙️ [PROJ-43: Token check](https://linear.app/acme/issue/PROJ-43)",
            "",
            "### To Rework",
            "",
            "### Done",
            "",
            "**Epic 2: Auth**",
            "",
            "  - [ID: US001 Login form](docs/tasks/US001.md)",
            "") + "\n";

    private static KanbanBoard board() {
        return KanbanBoard.parse(BOARD, SOURCE);
    }

    @Nested
    class Reading {

        @Test
        void readsEachStoryWithItsStatusEpicTasksAndLine() {
            KanbanBoard board = board();

            assertThat(board.stories()).extracting(BoardStory::id)
                    .containsExactly("PROJ-55", "US010", "PROJ-60", "PROJ-42", "US001");
            BoardStory crud = board.require("PROJ-55");
            assertThat(crud.title()).isEqualTo("CRUD users");
            assertThat(crud.url()).isEqualTo("https://linear.app/acme/issue/PROJ-55");
            assertThat(crud.status()).isEqualTo(BoardStatus.BACKLOG);
            assertThat(crud.epic()).isEqualTo("Epic 1: Users");
            assertThat(crud.hasTasks()).isFalse();
            assertThat(crud.tasksNotCreated()).isTrue();
            assertThat(crud.line()).isEqualTo(9);
            BoardStory imports = board.require("US010");
            assertThat(imports.title()).isEqualTo("Import users");
            assertThat(imports.tasks()).containsExactly(new BoardTask("T-101", "Parse the CSV", 12),
                    new BoardTask("T-102", "Store the rows", 13));
            assertThat(board.require("PROJ-60").markers()).isEqualTo("APPROVED");
            assertThat(board.require("PROJ-42").title())
                    .as("the ln-1000 skill's kanban parser drops a US number after the id")
                    .isEqualTo("Auth endpoint");
            assertThat(board.require("US001").status()).isEqualTo(BoardStatus.DONE);
            assertThat(board.warnings()).isEmpty();
            assertThat(board.text()).isEqualTo(BOARD);
        }

        @Test
        void routesEachStoryToTheSkillsTargetStage() {
            KanbanBoard board = board();

            assertThat(board.require("PROJ-55").targetStage()).contains("STAGE_0");
            assertThat(board.require("US010").targetStage()).contains("STAGE_1");
            assertThat(board.require("PROJ-60").targetStage()).contains("STAGE_2");
            assertThat(board.require("PROJ-42").targetStage()).contains("STAGE_3");
            assertThat(board.require("US001").targetStage()).isEmpty();
        }

        @Test
        void ordersTheOpenStoriesByTheSkillsSelectionPriorityAndLeavesDoneOut() {
            KanbanBoard board = board();

            assertThat(board.available()).extracting(BoardStory::id)
                    .containsExactly("PROJ-42", "PROJ-60", "US010", "PROJ-55");
            assertThat(board.next()).map(BoardStory::id).contains("PROJ-42");
        }

        @Test
        void warnsWithFileAndLineOfEveryLineThatLooksLikeAStoryButIsNot() {
            String text = String.join("\n",
                    "  - [ID: US900 Floating](x.md)",
                    "### Backlog",
                    "  - a note, not a story",
                    "  - [ID: ../etc Escape](x.md)",
                    "  - [ID: US001 First](a.md)",
                    "### Todo",
                    "  - [ID: US001 Again](b.md)",
                    "### Backlog",
                    "### Ideas",
                    "  - [ID: US902 Not a status](c.md)");

            KanbanBoard board = KanbanBoard.parse(text, SOURCE);

            assertThat(board.warnings()).containsExactly(
                    SOURCE + ":1: story US900 is not under a status section (### Backlog, ### Todo...), so it is not"
                            + " read",
                    SOURCE + ":3: a list item at two spaces that is not a story link '[ID: US001 Title](url)' or"
                            + " '[PROJ-42: Title](url)', so it is not read",
                    SOURCE + ":4: story id '../etc' is not a safe id (1 to 128 letters, digits, '.', '_' or '-',"
                            + " starting with a letter or digit), so the story is not read",
                    SOURCE + ":7: story US001 is also on line 5; commands that name it fail until one of the lines"
                            + " is removed",
                    SOURCE + ":8: a second '### Backlog' section (the first is on line 2); stories are moved into"
                            + " the first",
                    SOURCE + ":10: story US902 is not under a status section (### Backlog, ### Todo...), so it is"
                            + " not read");
            assertThatThrownBy(() -> board.story("US001")).isInstanceOfSatisfying(BoardException.class, e -> {
                assertThat(e.code()).isEqualTo("duplicate_story");
                assertThat(e.getMessage()).isEqualTo("Story US001 is on the board more than once: " + SOURCE
                        + ":5 (Backlog), " + SOURCE + ":7 (Todo)");
            });
        }

        @Test
        void aFileWithoutStatusSectionsIsNotABoard() {
            assertThatThrownBy(() -> KanbanBoard.parse("# Notes\n\n  - [ID: US001 A](a.md)\n", SOURCE))
                    .isInstanceOfSatisfying(BoardException.class, e -> {
                        assertThat(e.code()).isEqualTo("not_a_board");
                        assertThat(e.getMessage()).startsWith(SOURCE + " has no status section");
                    });
        }

        @Test
        void aStoryNotOnTheBoardIsAnErrorThatNamesTheBoard() {
            assertThatThrownBy(() -> board().require("US404")).isInstanceOfSatisfying(BoardException.class, e -> {
                assertThat(e.code()).isEqualTo("story_not_on_board");
                assertThat(e.getMessage()).isEqualTo("Story US404 is not on the board " + SOURCE);
            });
        }

        @Test
        void readsAFileAndSaysWhatIsWrongWithOneItCannotRead(@TempDir Path dir) throws IOException {
            Path file = dir.resolve("kanban_board.md");
            assertThatThrownBy(() -> KanbanBoard.read(file)).isInstanceOfSatisfying(BoardException.class,
                    e -> assertThat(e.code()).isEqualTo("board_missing"));
            Files.write(file, new byte[] {'#', '#', '#', ' ', (byte) 0xC3, (byte) 0x28});
            assertThatThrownBy(() -> KanbanBoard.read(file)).isInstanceOfSatisfying(BoardException.class,
                    e -> assertThat(e.code()).isEqualTo("board_unreadable"));
            Files.writeString(file, BOARD.replace("\n", "\r\n"), StandardCharsets.UTF_8);
            KanbanBoard board = KanbanBoard.read(file);
            assertThat(board.source()).isEqualTo(file.toString());
            assertThat(board.stories()).hasSize(5);
            assertThat(board.text()).isEqualTo(BOARD.replace("\n", "\r\n"));
        }

        @ParameterizedTest
        @CsvSource({"To Review,TO_REVIEW", "to review,TO_REVIEW", "✅ Done,DONE", "Cancelled,CANCELED",
                "In  Progress,IN_PROGRESS"})
        void statusNamesIgnoreCaseSpacesAndALeadingEmoji(String name, BoardStatus status) {
            assertThat(BoardStatus.of(name)).contains(status);
        }
    }

    @Nested
    class Moving {

        @Test
        void movesAStoryWithItsTasksToTheEndOfItsEpicAndDropsTheEpicItLeftEmpty() {
            KanbanBoard moved = board().move("PROJ-60", BoardStatus.IN_PROGRESS);

            assertThat(moved.text()).isEqualTo(BOARD.replace(String.join("\n",
                    "### Todo",
                    "",
                    "**Epic 3: UI**",
                    "",
                    "  - 📖 [PROJ-60: Dashboard](https://linear.app/acme/issue/PROJ-60) APPROVED",
                    "    - ⚙️ [PROJ-61: Charts](https://linear.app/acme/issue/PROJ-61)",
                    "",
                    "### In Progress",
                    ""), String.join("\n",
                    "### Todo",
                    "",
                    "### In Progress",
                    "",
                    "**Epic 3: UI**",
                    "",
                    "  - 📖 [PROJ-60: Dashboard](https://linear.app/acme/issue/PROJ-60) APPROVED",
                    "    - ⚙️ [PROJ-61: Charts](https://linear.app/acme/issue/PROJ-61)",
                    "")));
            assertThat(moved.require("PROJ-60").status()).isEqualTo(BoardStatus.IN_PROGRESS);
            assertThat(moved.require("PROJ-60").tasks()).hasSize(1);
            assertThat(moved.warnings()).isEmpty();
        }

        @Test
        void joinsTheEpicWhereItIsAlreadyInTheNewSection() {
            KanbanBoard moved = board().move("PROJ-42", BoardStatus.DONE);

            assertThat(moved.text()).endsWith(String.join("\n",
                    "### To Rework",
                    "",
                    "### Done",
                    "",
                    "**Epic 2: Auth**",
                    "",
                    "  - [ID: US001 Login form](docs/tasks/US001.md)",
                    "  - 📖 [PROJ-42: US004 Auth endpoint](https://linear.app/acme/issue/PROJ-42)",
                    "    - ⚙️ [PROJ-43: Token check](https://linear.app/acme/issue/PROJ-43)",
                    "") + "\n");
            assertThat(moved.text()).contains("### In Progress\n\n### To Review\n\n### To Rework\n");
        }

        @Test
        void keepsTheEpicInTheOldSectionWhileAnotherStoryStaysUnderIt() {
            KanbanBoard moved = board().move("PROJ-55", BoardStatus.TODO);

            assertThat(moved.text()).contains(String.join("\n",
                    "### Backlog",
                    "",
                    "**Epic 1: Users**",
                    "",
                    "  - 📖 [ID: US010 Import users](docs/tasks/US010.md)"));
            assertThat(moved.text()).contains(String.join("\n",
                    "### Todo",
                    "",
                    "**Epic 3: UI**",
                    "",
                    "  - 📖 [PROJ-60: Dashboard](https://linear.app/acme/issue/PROJ-60) APPROVED",
                    "    - ⚙️ [PROJ-61: Charts](https://linear.app/acme/issue/PROJ-61)",
                    "",
                    "**Epic 1: Users**",
                    "",
                    "  - 📖 [PROJ-55: CRUD users](https://linear.app/acme/issue/PROJ-55)",
                    "    _(tasks not created yet)_",
                    "",
                    "### In Progress"));
            assertThat(moved.stories()).hasSize(5);
        }

        @Test
        void movingThereAndBackGivesTheSameStoriesAndAStoryAlreadyThereChangesNothing() {
            KanbanBoard board = board();

            assertThat(board.move("US010", BoardStatus.BACKLOG)).isSameAs(board);
            KanbanBoard back = board.move("US010", BoardStatus.TO_REWORK).move("US010", BoardStatus.BACKLOG);
            assertThat(back.stories()).extracting(BoardStory::id, BoardStory::status, BoardStory::epic,
                    story -> story.tasks().size()).containsExactlyInAnyOrderElementsOf(board.stories().stream()
                    .map(s -> org.assertj.core.groups.Tuple.tuple(s.id(), s.status(), s.epic(), s.tasks().size()))
                    .toList());
        }

        @Test
        void aStoryWithoutEpicMovesToTheEndOfTheSection() {
            String text = "### Backlog\n  - [ID: US001 A](a.md)\n  - [ID: US002 B](b.md)\n### Todo\n### Done\n";

            KanbanBoard moved = KanbanBoard.parse(text, SOURCE).move("US001", BoardStatus.TODO);

            assertThat(moved.text()).isEqualTo(
                    "### Backlog\n  - [ID: US002 B](b.md)\n### Todo\n\n  - [ID: US001 A](a.md)\n\n### Done\n");
        }

        @Test
        void aBoardWithoutTheSectionCannotTakeTheStory() {
            KanbanBoard board = KanbanBoard.parse("### Backlog\n  - [ID: US001 A](a.md)\n", SOURCE);

            assertThatThrownBy(() -> board.move("US001", BoardStatus.TO_REVIEW))
                    .isInstanceOfSatisfying(BoardException.class, e -> {
                        assertThat(e.code()).isEqualTo("no_section");
                        assertThat(e.getMessage()).isEqualTo("The board " + SOURCE
                                + " has no '### To Review' section to move US001 to");
                        assertThat(e.fix()).isEqualTo("Add the line '### To Review' to " + SOURCE + ".");
                    });
        }
    }
}
