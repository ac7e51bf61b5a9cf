package dev.agentpipeline.core.board;

import dev.agentpipeline.spi.tracker.StatusChange;
import dev.agentpipeline.spi.tracker.TrackedStory;
import dev.agentpipeline.spi.tracker.TrackedTask;
import dev.agentpipeline.spi.tracker.Tracker;
import dev.agentpipeline.spi.tracker.TrackerException;
import dev.agentpipeline.spi.tracker.TrackerFactory;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The kanban board file behind the SPI's tracker extension point, found as a plugin would find it. */
class FileTrackerTest {

    @TempDir
    Path project;

    private Tracker tracker;

    @BeforeEach
    void setUp() throws Exception {
        Path board = project.resolve(KanbanBoard.DEFAULT_PATH);
        Files.createDirectories(board.getParent());
        try (InputStream in = FileTrackerTest.class.getResourceAsStream("/boards/ln-1000-example.md")) {
            Files.write(board, in.readAllBytes());
        }
        TrackerFactory factory = ServiceLoader.load(TrackerFactory.class).stream().map(ServiceLoader.Provider::get)
                .filter(f -> f.id().equals(FileTrackerFactory.ID)).findFirst().orElseThrow();
        tracker = factory.open(project, Map.of());
    }

    @Test
    void listsTheStoriesInTheSkillsOrderOfSelection() {
        List<TrackedStory> stories = tracker.stories();

        assertThat(stories).extracting(TrackedStory::id).containsExactly("PROJ-42", "PROJ-60", "PROJ-55");
        assertThat(stories.get(0)).isEqualTo(new TrackedStory("PROJ-42", "Auth endpoint", "To Review", "Epic: Auth",
                "https://linear.app/acme/issue/PROJ-42", List.of("PROJ-43"), false));
        assertThat(stories.get(2).tasksNotCreated()).isTrue();
        assertThat(tracker.location()).endsWith("kanban_board.md");
    }

    @Test
    void movesStoriesAndAddsTasksThroughTheBoardFile() {
        StatusChange moved = tracker.move("PROJ-55", "In Progress");
        StatusChange again = tracker.move("PROJ-55", "in progress");
        List<String> added = tracker.addTasks("PROJ-55", List.of(new TrackedTask("PROJ-56", "User list", ""),
                new TrackedTask("PROJ-57", "User form", "")));

        assertThat(moved).isEqualTo(new StatusChange("PROJ-55", "Backlog", "In Progress", true));
        assertThat(again.changed()).isFalse();
        assertThat(added).containsExactly("PROJ-56", "PROJ-57");
        assertThat(tracker.story("PROJ-55")).get().satisfies(story -> {
            assertThat(story.status()).isEqualTo("In Progress");
            assertThat(story.taskIds()).containsExactly("PROJ-56", "PROJ-57");
        });
        assertThat(project.resolve(".pipeline/.gitignore")).as("the default lock lives in the state directory")
                .exists();
    }

    @Test
    void refusesWhatTheBoardCannotDoWithAStableCode() {
        assertThatThrownBy(() -> tracker.move("PROJ-55", "Shipped")).isInstanceOfSatisfying(TrackerException.class,
                e -> assertThat(e.code()).isEqualTo("unknown_status"));
        assertThatThrownBy(() -> tracker.move("PROJ-99", "Todo")).isInstanceOfSatisfying(TrackerException.class,
                e -> assertThat(e.code()).isEqualTo("story_not_on_board"));
        assertThatThrownBy(() -> new FileTrackerFactory().open(project, Map.of("colour", "red")))
                .isInstanceOfSatisfying(TrackerException.class, e -> assertThat(e.code()).isEqualTo("invalid_setting"));
        assertThatThrownBy(() -> new FileTrackerFactory().open(project, Map.of("lock_timeout_ms", "soon")))
                .hasMessageContaining("lock_timeout_ms must be a whole number");
        Tracker missing = new FileTrackerFactory().open(project, Map.of("board", "elsewhere.md"));
        assertThatThrownBy(missing::stories).isInstanceOfSatisfying(TrackerException.class,
                e -> assertThat(e.code()).isEqualTo("board_missing"));
    }
}
