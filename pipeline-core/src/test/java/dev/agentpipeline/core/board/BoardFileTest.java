package dev.agentpipeline.core.board;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

class BoardFileTest {

    @TempDir
    Path project;

    private Path file;
    private BoardFile board;

    @BeforeEach
    void setUp() throws IOException {
        file = project.resolve(KanbanBoard.DEFAULT_PATH);
        Files.createDirectories(file.getParent());
        board = BoardFile.of(file, project.resolve(".pipeline/board.lock"), Duration.ofSeconds(30));
    }

    private void write(String text) throws IOException {
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }

    @Test
    void movesAStoryOnDiskAndLeavesNoTemporaryFileBehind() throws IOException {
        // Given
        write("# Board\n\n### Backlog\n\n**Epic 1: Greetings**\n\n  - [ID: US001 Greet](docs/US001.md)\n"
                + "    _(tasks not created yet)_\n\n### Todo\n\n### Done\n");

        // When
        BoardFile.Move move = board.move("US001", BoardStatus.TODO);

        // Then
        assertThat(move).isEqualTo(new BoardFile.Move("US001", BoardStatus.BACKLOG, BoardStatus.TODO, true));
        assertThat(Files.readString(file)).isEqualTo("# Board\n\n### Backlog\n\n### Todo\n\n**Epic 1: Greetings**\n\n"
                + "  - [ID: US001 Greet](docs/US001.md)\n    _(tasks not created yet)_\n\n### Done\n");
        assertThat(board.read().require("US001").status()).isEqualTo(BoardStatus.TODO);
        try (var files = Files.list(file.getParent())) {
            assertThat(files).containsExactly(file);
        }
        assertThat(project.resolve(".pipeline/board.lock")).exists();
    }

    @Test
    void aStoryAlreadyInItsStatusLeavesTheFileUntouched() throws IOException {
        write("### Todo\n  - [ID: US001 Greet](a.md)\n");
        Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.fromMillis(1_000_000L));

        BoardFile.Move move = board.move("US001", BoardStatus.TODO);

        assertThat(move.changed()).isFalse();
        assertThat(Files.getLastModifiedTime(file).toMillis()).isEqualTo(1_000_000L);
    }

    @Test
    void concurrentMovesOfDifferentStoriesAllLand() throws Exception {
        // Given: ten stories in the backlog
        StringBuilder text = new StringBuilder("### Backlog\n\n**Epic 1: Many**\n\n");
        for (int i = 0; i < 10; i++) {
            text.append("  - [ID: US00").append(i).append(" Story ").append(i).append("](s.md)\n");
        }
        write(text.append("\n### Todo\n\n### Done\n").toString());
        ExecutorService pool = Executors.newFixedThreadPool(10);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<BoardFile.Move>> moves = new ArrayList<>();

        // When: each is moved by its own thread at once
        try {
            for (int i = 0; i < 10; i++) {
                String id = "US00" + i;
                BoardStatus to = i % 2 == 0 ? BoardStatus.TODO : BoardStatus.DONE;
                moves.add(pool.submit(() -> {
                    go.await();
                    return board.move(id, to);
                }));
            }
            go.countDown();
            for (Future<BoardFile.Move> move : moves) {
                assertThat(move.get(60, TimeUnit.SECONDS).changed()).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }

        // Then: no move was lost
        KanbanBoard after = board.read();
        assertThat(after.stories()).hasSize(10);
        for (BoardStory story : after.stories()) {
            int i = Integer.parseInt(story.id().substring(4));
            assertThat(story.status()).as(story.id()).isEqualTo(i % 2 == 0 ? BoardStatus.TODO : BoardStatus.DONE);
        }
        assertThat(after.warnings()).isEmpty();
    }

    @Test
    void errorsSayWhatIsWrongAndLeaveTheBoardAsItWas() throws IOException {
        assertThatThrownBy(() -> board.move("US001", BoardStatus.TODO)).isInstanceOfSatisfying(BoardException.class,
                e -> assertThat(e.code()).isEqualTo("board_missing"));
        String text = "### Backlog\n  - [ID: US001 Greet](a.md)\n";
        write(text);
        assertThatThrownBy(() -> board.move("US002", BoardStatus.TODO)).isInstanceOfSatisfying(BoardException.class,
                e -> assertThat(e.code()).isEqualTo("story_not_on_board"));
        assertThatThrownBy(() -> board.move("US001", BoardStatus.TODO)).isInstanceOfSatisfying(BoardException.class,
                e -> assertThat(e.code()).isEqualTo("no_section"));
        assertThat(Files.readString(file)).isEqualTo(text);
    }

    @Test
    void refusesANegativeLockTimeout() {
        assertThatThrownBy(() -> BoardFile.of(file, project.resolve("l"), Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
