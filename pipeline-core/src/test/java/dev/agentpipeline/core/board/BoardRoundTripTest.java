package dev.agentpipeline.core.board;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Round trips on the boards under {@code src/test/resources/boards}: what the board does not change keeps its bytes.
 * The boards: the ln-1000 skill's example (the stories of its "Available Stories" table), both id styles with emojis
 * and markers, CRLF without a final newline, prose with comments and unknown sections, and malformed ones.
 */
class BoardRoundTripTest {

    @TempDir
    Path dir;

    static byte[] resource(String name) {
        try (InputStream in = BoardRoundTripTest.class.getResourceAsStream("/boards/" + name)) {
            assertThat(in).as("test board " + name).isNotNull();
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Path copy(String name) throws IOException {
        Path file = dir.resolve("docs/tasks/kanban_board.md");
        Files.createDirectories(file.getParent());
        Files.write(file, resource(name));
        return file;
    }

    private BoardFile boardFile(Path file) {
        return BoardFile.of(file, dir.resolve(".pipeline/board.lock"), Duration.ofSeconds(5));
    }

    @ParameterizedTest
    @ValueSource(strings = {"ln-1000-example.md", "mixed-ids.md", "crlf-no-final-newline.md",
            "prose-and-unknown-sections.md", "malformed.md"})
    void readingAndWritingBackWithoutAChangeGivesTheSameBytes(String name) throws IOException {
        // Given
        Path file = copy(name);

        // When
        KanbanBoard board = KanbanBoard.read(file);

        // Then
        assertThat(board.text().getBytes(StandardCharsets.UTF_8)).isEqualTo(resource(name));
        assertThat(board.stories()).isNotEmpty();
    }

    @ParameterizedTest(name = "{0}: {1} to {2} and back")
    @CsvSource({
            "ln-1000-example.md, PROJ-60, In Progress, Todo",
            "ln-1000-example.md, PROJ-42, Done, To Review",
            "ln-1000-example.md, PROJ-55, Todo, Backlog",
            "mixed-ids.md, PROJ-42, To Review, Backlog",
            "mixed-ids.md, US010, Done, Todo",
            "mixed-ids.md, US000, To Rework, Done",
            "crlf-no-final-newline.md, US003, Todo, Done",
            "crlf-no-final-newline.md, US002, In Progress, Backlog",
            "prose-and-unknown-sections.md, US021, Todo, Backlog",
    })
    void aMoveAndTheMoveBackGiveTheSameBytes(String name, String story, String to, String back) throws IOException {
        // Given
        Path file = copy(name);
        BoardFile board = boardFile(file);

        // When
        BoardFile.Move there = board.move(story, BoardStatus.of(to).orElseThrow());
        byte[] moved = Files.readAllBytes(file);
        board.move(story, BoardStatus.of(back).orElseThrow());

        // Then
        assertThat(there.changed()).isTrue();
        assertThat(moved).isNotEqualTo(resource(name));
        assertThat(KanbanBoard.parse(new String(moved, StandardCharsets.UTF_8), name).require(story).status().label())
                .isEqualTo(to);
        assertThat(Files.readAllBytes(file)).isEqualTo(resource(name));
    }

    @Test
    void crlfLinesStayCrlfAndTheMissingFinalNewlineStaysMissingAfterAMove() throws IOException {
        Path file = copy("crlf-no-final-newline.md");

        boardFile(file).move("US002", BoardStatus.TODO);

        String text = Files.readString(file, StandardCharsets.UTF_8);
        assertThat(text.replace("\r\n", "")).doesNotContain("\n").doesNotContain("\r");
        assertThat(text).endsWith("  - [ID: US003 Ship it](docs/tasks/US003.md)")
                .contains("### Todo\r\n\r\n**Epic 1: Shipping**\r\n\r\n  - [ID: US002 Track a parcel](docs/tasks/US002.md)"
                        + "\r\n    _(tasks not created yet)_\r\n\r\n### In Progress\r\n");
    }

    @Test
    void aStoryThatWasNotLastInItsEpicComesBackToTheEndOfItsEpicWithEveryOtherLineInPlace() throws IOException {
        // Given: US020 is followed by US021 in its epic
        Path file = copy("prose-and-unknown-sections.md");
        String before = Files.readString(file);

        // When
        boardFile(file).move("US020", BoardStatus.TO_REVIEW);
        boardFile(file).move("US020", BoardStatus.BACKLOG);

        // Then: the same lines; only US020's three lines changed places with US021's two
        String after = Files.readString(file);
        assertThat(after.lines().sorted().toList()).isEqualTo(before.lines().sorted().toList());
        String us020 = "  - [ID: US020 Import a CSV file](docs/tasks/US020.md)\n    _(tasks not created yet)_\n"
                + "    Blocked by the storage decision (see ADR-7).\n";
        String us021 = "  - [ID: US021 Import from a URL](docs/tasks/US021.md)\n    _(tasks not created yet)_\n";
        assertThat(after).isEqualTo(before.replace(us020 + us021, us021 + us020));
    }

    @Test
    void theUnknownSectionsStoriesAreNotReadAndTheirLinesAreKept() throws IOException {
        KanbanBoard board = KanbanBoard.read(copy("prose-and-unknown-sections.md"));

        assertThat(board.stories()).extracting(BoardStory::id).containsExactly("US020", "US021");
        assertThat(board.require("US020").tasksNotCreated()).isTrue();
        assertThat(board.warnings()).containsExactly(board.source() + ":33: story IDEA-1 is not under a status"
                + " section (### Backlog, ### Todo...), so it is not read");
    }

    @Test
    void theSkillsExampleListsItsStoriesInTheSkillsPriorityWithTheirStages() throws IOException {
        KanbanBoard board = KanbanBoard.read(copy("ln-1000-example.md"));

        // The skill's table numbers PROJ-55 (Backlog) before PROJ-60 (Todo); its stated priority puts Todo first.
        assertThat(board.available()).extracting(BoardStory::id, s -> s.status().label(),
                        s -> s.targetStage().orElseThrow(), BoardStory::epic)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("PROJ-42", "To Review", "STAGE_3", "Epic: Auth"),
                        org.assertj.core.groups.Tuple.tuple("PROJ-60", "Todo", "STAGE_2", "Epic: UI"),
                        org.assertj.core.groups.Tuple.tuple("PROJ-55", "Backlog", "STAGE_0", "Epic: Users"));
        assertThat(board.warnings()).isEmpty();
    }

    @Test
    void bothIdStylesEmojisAndMarkersAreRead() throws IOException {
        KanbanBoard board = KanbanBoard.read(copy("mixed-ids.md"));

        assertThat(board.stories()).extracting(BoardStory::id, BoardStory::title, BoardStory::markers,
                        s -> s.status().label())
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("US001", "Sign up with e-mail", "🔥 HIGH", "Backlog"),
                        org.assertj.core.groups.Tuple.tuple("PROJ-42", "Auth endpoint", "⏳", "Backlog"),
                        org.assertj.core.groups.Tuple.tuple("US010", "Invoices as PDF", "APPROVED", "Todo"),
                        org.assertj.core.groups.Tuple.tuple("US000", "Log in", "✔️ 2026-03-01", "Done"));
        assertThat(board.require("PROJ-42").tasks()).extracting(BoardTask::id).containsExactly("PROJ-43", "PROJ-44");
        assertThat(board.require("US010").epic()).isEqualTo("Epic 2: Billing 💳");
        assertThat(board.warnings()).isEmpty();
    }

    @Test
    void aMalformedBoardIsReadWithAWarningNamingTheLineOfEachProblem() throws IOException {
        Path file = copy("malformed.md");

        KanbanBoard board = KanbanBoard.read(file);

        String at = file + ":";
        assertThat(board.warnings()).containsExactly(
                at + "3: story US900 is not under a status section (### Backlog, ### Todo...), so it is not read",
                at + "9: a list item at two spaces that is not a story link '[ID: US001 Title](url)' or"
                        + " '[PROJ-42: Title](url)', so it is not read",
                at + "10: story id '../../etc' is not a safe id (1 to 128 letters, digits, '.', '_' or '-', starting"
                        + " with a letter or digit), so the story is not read",
                at + "14: story US001 is also on line 7; commands that name it fail until one of the lines is removed",
                at + "16: a second '### Backlog' section (the first is on line 5); stories are moved into the first");
        assertThat(board.stories()).extracting(BoardStory::id).containsExactly("US001", "US001", "US002");
    }

    @Test
    void aMoveOfAStoryThatIsOnTheBoardTwiceNamesBothLinesAndLeavesTheFileAlone() throws IOException {
        Path file = copy("malformed.md");

        assertThatThrownBy(() -> boardFile(file).move("US001", BoardStatus.DONE))
                .isInstanceOfSatisfying(BoardException.class, e -> {
                    assertThat(e.code()).isEqualTo("duplicate_story");
                    assertThat(e.getMessage()).isEqualTo("Story US001 is on the board more than once: " + file
                            + ":7 (Backlog), " + file + ":14 (Todo)");
                });
        assertThat(Files.readAllBytes(file)).isEqualTo(resource("malformed.md"));
    }

    @Test
    void aFileThatIsNotABoardIsAnErrorThatSaysHowToMakeItOne() throws IOException {
        Path file = copy("not-a-board.md");

        assertThatThrownBy(() -> KanbanBoard.read(file)).isInstanceOfSatisfying(BoardException.class, e -> {
            assertThat(e.code()).isEqualTo("not_a_board");
            assertThat(e.getMessage()).isEqualTo(file + " has no status section (### Backlog, ### Todo, ### In"
                    + " Progress, ### To Review, ### To Rework, ### Done...), so it is not a kanban board");
            assertThat(e.fix()).contains("'  - [ID: US001 Title](url)'");
        });
    }

    @ParameterizedTest(name = "{0}: tasks under {1}")
    @CsvSource(delimiter = '|', value = {
            "ln-1000-example.md | PROJ-55 | PROJ-56,Users table,https://linear.app/acme/issue/PROJ-56;"
                    + "PROJ-57,CRUD endpoints,https://linear.app/acme/issue/PROJ-57",
            "mixed-ids.md | US001 | T-001,Sign-up form,docs/tasks/T-001.md;T-002,Confirmation mail,docs/tasks/T-002.md",
            "crlf-no-final-newline.md | US003 | T-301,Label the parcel,",
            "prose-and-unknown-sections.md | US020 | T-201,Read the header,docs/tasks/T-201.md",
    })
    void addingTasksChangesOnlyTheStorysLinesAndAddingThemAgainChangesNothing(String name, String story, String spec)
            throws IOException {
        // Given
        Path file = copy(name);
        List<NewTask> tasks = new ArrayList<>();
        for (String task : spec.split(";")) {
            String[] parts = task.split(",", -1);
            tasks.add(NewTask.of(parts[0], parts[1], parts[2]));
        }
        String expected = name.replace(".md", ".tasks-added.md");

        // When
        List<String> first = boardFile(file).addTasks(story, tasks);
        List<String> second = boardFile(file).addTasks(story, tasks);

        // Then
        assertThat(first).containsExactlyElementsOf(tasks.stream().map(NewTask::id).toList());
        assertThat(second).isEmpty();
        assertThat(Files.readAllBytes(file)).isEqualTo(resource(expected));
        BoardStory read = KanbanBoard.read(file).require(story);
        assertThat(read.tasks()).extracting(BoardTask::id, BoardTask::title).containsExactlyElementsOf(
                tasks.stream().map(task -> org.assertj.core.groups.Tuple.tuple(task.id(), task.title())).toList());
        assertThat(read.tasksNotCreated()).isFalse();
    }

    @Test
    void tasksJoinTheStorysOwnTasksInTheirStyleAndOnlyTheNewOnesAreAdded() throws IOException {
        Path file = copy("mixed-ids.md");

        List<String> added = boardFile(file).addTasks("PROJ-42", List.of(NewTask.of("PROJ-43", "Token check", "x"),
                NewTask.of("PROJ-45", "Revoke tokens", "https://linear.app/acme/issue/PROJ-45")));

        assertThat(added).containsExactly("PROJ-45");
        String before = new String(resource("mixed-ids.md"), StandardCharsets.UTF_8);
        String last = "    - ⚙️ [PROJ-44: Refresh tokens](https://linear.app/acme/issue/PROJ-44) ✅\n";
        assertThat(Files.readString(file)).isEqualTo(before.replace(last,
                last + "    - ⚙️ [PROJ-45: Revoke tokens](https://linear.app/acme/issue/PROJ-45)\n"));
    }

    @Test
    void aTaskIsValidatedBeforeItCanBeWritten() {
        assertThatThrownBy(() -> NewTask.of("T 1", "x", "")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("task id 'T 1' is not a safe id (1 to 128 letters, digits, '.', '_' or '-', starting with"
                        + " a letter or digit)");
        assertThatThrownBy(() -> NewTask.of("T-1", "a ] b", "")).hasMessageContaining("without '[' or ']'");
        assertThatThrownBy(() -> NewTask.of("T-1", "x", "a b")).hasMessageContaining("no spaces or parentheses");
    }
}
