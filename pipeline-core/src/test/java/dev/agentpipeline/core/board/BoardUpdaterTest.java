package dev.agentpipeline.core.board;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentpipeline.core.engine.DriveResult;
import dev.agentpipeline.core.engine.PipelineRuntime;
import dev.agentpipeline.core.engine.StartRequest;
import dev.agentpipeline.core.store.FileRunStore;
import dev.agentpipeline.core.story.StoryPipeline;
import dev.agentpipeline.core.testing.MutableClock;
import dev.agentpipeline.spi.Stage;
import dev.agentpipeline.spi.StageContext;
import dev.agentpipeline.spi.StageOutcome;
import dev.agentpipeline.spi.StageRegistry;

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
import java.util.Optional;
import java.util.function.Function;

class BoardUpdaterTest {

    @TempDir
    Path project;

    private final MutableClock clock = new MutableClock();
    private final List<String> verdicts = new ArrayList<>();
    private final List<String> seenOnBoard = new ArrayList<>();
    private Function<StageContext, StageOutcome> decompose = c -> StageOutcome.completed().score("plan_score", 4)
            .build();
    private PipelineRuntime runtime;
    private Path boardFile;
    private BoardUpdater updater;

    @BeforeEach
    void setUp() throws IOException {
        runtime = PipelineRuntime.builder().store(FileRunStore.builder(project.resolve(".pipeline")).clock(clock)
                .build()).definition(StoryPipeline.definition()).clock(clock).build();
        boardFile = project.resolve(KanbanBoard.DEFAULT_PATH);
        Files.createDirectories(boardFile.getParent());
        Files.writeString(boardFile, "# Kanban Board\n\n### Backlog\n\n**Epic 1: Greetings**\n\n"
                + "  - [ID: US001 Greet by name](docs/tasks/US001.md)\n    _(tasks not created yet)_\n\n"
                + "### Todo\n\n### In Progress\n\n### To Review\n\n### To Rework\n\n### Done\n", StandardCharsets.UTF_8);
        updater = new BoardUpdater(BoardFile.of(boardFile, project.resolve(".pipeline/board.lock"),
                Duration.ofSeconds(30)));
        runtime.addListener(updater);
    }

    private Stage stage(String id, Function<StageContext, StageOutcome> body) {
        return new Stage() {
            @Override
            public String id() {
                return id;
            }

            @Override
            public StageOutcome run(StageContext context) {
                seenOnBoard.add(id + ": " + KanbanBoard.read(boardFile).require("US001").status().label());
                return body.apply(context);
            }
        };
    }

    private DriveResult drive(String story) {
        StageRegistry stages = StageRegistry.of(
                stage("story-decompose", decompose),
                stage("story-validate", c -> StageOutcome.completed().verdict("GO").score("readiness", 8).build()),
                stage("story-execute", c -> StageOutcome.completed().build()),
                stage("story-quality-gate", c -> StageOutcome.completed()
                        .verdict(verdicts.isEmpty() ? "PASS" : verdicts.remove(0)).score("quality_score", 80)
                        .build()));
        String runId = runtime.start(StartRequest.builder(StoryPipeline.ID, story).title("Greet by name").build())
                .run().state().runId();
        return StoryPipeline.orchestrator(runtime, stages, run -> project, Optional.of("STAGE_0")).build()
                .drive(runId);
    }

    @Test
    void theStoryFollowsItsRunAcrossTheBoardFromBacklogToDoneThroughARework() {
        // Given: the quality gate fails once
        verdicts.add("FAIL");

        // When
        DriveResult result = drive("US001");

        // Then: every stage saw the status the previous one left, as the ln-1000 skill keeps the board
        assertThat(result.status()).isEqualTo(DriveResult.Status.COMPLETED);
        assertThat(seenOnBoard).containsExactly(
                "story-decompose: Backlog",
                "story-validate: Backlog",
                "story-execute: Todo",
                "story-quality-gate: To Review",
                "story-execute: To Rework",
                "story-quality-gate: To Review");
        assertThat(updater.moves()).extracting(move -> move.from() + " -> " + move.to())
                .containsExactly("Backlog -> Todo", "Todo -> To Review", "To Review -> To Rework",
                        "To Rework -> To Review", "To Review -> Done");
        KanbanBoard board = KanbanBoard.read(boardFile);
        assertThat(board.require("US001").status()).isEqualTo(BoardStatus.DONE);
        assertThat(board.require("US001").epic()).isEqualTo("Epic 1: Greetings");
        assertThat(board.warnings()).isEmpty();
        assertThat(updater.problems()).isEmpty();
    }

    @Test
    void aStoryThatIsNotOnTheBoardStillRunsToTheEndAndEachMissedMoveIsKept() {
        DriveResult result = drive("US404");

        assertThat(result.status()).isEqualTo(DriveResult.Status.COMPLETED);
        assertThat(updater.moves()).isEmpty();
        assertThat(updater.problems()).hasSize(4).allSatisfy(problem -> assertThat(problem)
                .contains("Story US404 is not on the board " + boardFile));
        assertThat(updater.problems().get(3)).startsWith("Cannot move US404 to Done on the board: ");
    }

    @Test
    void theTasksOfTheDecompositionAreAddedUnderTheStoryInPlaceOfItsMarker() throws IOException {
        // Given: stage 0 names three tasks, two with a title
        decompose = c -> StageOutcome.completed().score("plan_score", 4)
                .attribute("tasks_remaining", List.of("T-001", "T-002", "T-003"))
                .attribute(BoardUpdater.TITLES, java.util.Map.of("T-001", "Say hello", "T-002", "Take the name"))
                .build();
        String before = Files.readString(boardFile);

        // When
        DriveResult result = drive("US001");

        // Then: the tasks replaced the marker, and moved with the story to Done
        assertThat(result.status()).isEqualTo(DriveResult.Status.COMPLETED);
        assertThat(updater.tasksAdded()).containsExactly(new BoardUpdater.TasksAdded("US001",
                List.of("T-001", "T-002", "T-003")));
        assertThat(updater.problems()).isEmpty();
        String tasks = "    - [ID: T-001 Say hello](docs/tasks/T-001.md)\n"
                + "    - [ID: T-002 Take the name](docs/tasks/T-002.md)\n"
                + "    - [ID: T-003 T-003](docs/tasks/T-003.md)\n";
        assertThat(Files.readString(boardFile)).isEqualTo("# Kanban Board\n\n### Backlog\n\n### Todo\n\n"
                + "### In Progress\n\n### To Review\n\n### To Rework\n\n### Done\n\n**Epic 1: Greetings**\n\n"
                + "  - [ID: US001 Greet by name](docs/tasks/US001.md)\n" + tasks);
        assertThat(before).doesNotContain("T-001");
        assertThat(seenOnBoard).startsWith("story-decompose: Backlog", "story-validate: Backlog");
    }

    @Test
    void aTaskIdThatIsNotSafeIsAProblemAndTheOthersAreStillAdded() {
        decompose = c -> StageOutcome.completed().score("plan_score", 4)
                .attribute("tasks_remaining", List.of("T-001", "../T-2", 7)).build();

        DriveResult result = drive("US001");

        assertThat(result.status()).isEqualTo(DriveResult.Status.COMPLETED);
        assertThat(updater.tasksAdded()).containsExactly(new BoardUpdater.TasksAdded("US001", List.of("T-001")));
        assertThat(updater.problems()).containsExactly(
                "STAGE_0 checkpoint tasks_remaining[1] '../T-2' is not a task id (1 to 128 letters, digits, '.', '_'"
                        + " or '-', starting with a letter or digit); it is not added under US001 on " + boardFile,
                "STAGE_0 checkpoint tasks_remaining[2] 7 is not a task id (1 to 128 letters, digits, '.', '_'"
                        + " or '-', starting with a letter or digit); it is not added under US001 on " + boardFile);
        assertThat(KanbanBoard.read(boardFile).require("US001").tasks()).extracting(BoardTask::id)
                .containsExactly("T-001");
    }
}
