package dev.agentpipeline.examples.demo;

import dev.agentpipeline.core.board.BoardStatus;
import dev.agentpipeline.core.board.BoardStory;
import dev.agentpipeline.core.board.KanbanBoard;
import dev.agentpipeline.core.run.Checkpoint;
import dev.agentpipeline.core.run.RunState;
import dev.agentpipeline.core.store.FileRunStore;
import dev.agentpipeline.core.story.report.QualityTrend;
import dev.agentpipeline.core.story.report.TrendRow;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The demo end to end, with real child processes: the sample's scripts run by the command stage, javac and java of
 * this JDK, the JaCoCo agent, and git worktrees. Every number asserted here was measured by running the sample's
 * tests.
 */
class DemoTest {

    private static final String BRANCH_1 = "feature/US-DEMO-1-greet-users-by-name";
    private static final String BRANCH_2 = "feature/US-DEMO-2-greet-users-by-name";

    private static Map<String, Object> demo(Path project, ByteArrayOutputStream progress) {
        return Demo.run(project, new PrintStream(progress, true, StandardCharsets.UTF_8), Clock.systemUTC());
    }

    @Test
    void drivesTheBoardsStoryToDoneAndTheQualityGateJudgesMeasuredTestsAndCoverage(@TempDir Path dir)
            throws Exception {
        // Given a new directory
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        Path project = dir.resolve("demo");

        // When
        Map<String, Object> answer = demo(project, progress);

        // Then the story of the board reached DONE through one NO-GO and one rework
        String printed = progress.toString(StandardCharsets.UTF_8);
        assertThat(answer).as(printed).containsEntry("ok", true).containsEntry("story_id", "US-DEMO-1")
                .containsEntry("final_phase", "DONE").containsEntry("validation_retries", 1)
                .containsEntry("quality_cycles", 1).containsEntry("branch", BRANCH_1);
        assertThat(printed).contains("Story US-DEMO-1 from the board: Greet users by name, Backlog -> STAGE_0",
                "STAGE_0 attempt 1 (pipeline-command)", "STAGE_1 completed: NO-GO",
                "STAGE_1 -> STAGE_1  (validation_retries 1)",
                "STAGE_3 completed: FAIL", "STAGE_3 -> STAGE_2  (quality_cycles 1)", "STAGE_3 -> DONE",
                "(linked worktree on " + BRANCH_1 + ")", "worktree removed, branch kept", "branch:      " + BRANCH_1);

        // The quality gate's evidence was collected from the reports the sample's tests wrote, each visit afresh:
        // first only NamesTest ran (Greeting untested), after the rework GreetingTest too, covering every line.
        FileRunStore store = FileRunStore.open(project.resolve(".pipeline"));
        RunState run = store.load((String) answer.get("run_id")).orElseThrow().state();
        List<Map<String, Object>> gates = run.checkpoints().stream().filter(c -> c.stateId().equals("STAGE_3"))
                .map(Checkpoint::payload).toList();
        assertThat(gates).hasSize(2);
        Map<String, Map<String, Object>> first = evidence(gates.get(0));
        Map<String, Map<String, Object>> second = evidence(gates.get(1));
        assertThat(first.get("tests")).containsEntry("run", 2L).containsEntry("failed", 0L);
        assertThat(first.get("coverage")).containsEntry("line_covered", 3L)
                .containsEntry("line_missed", 4L).containsEntry("reports", List.of("build/jacoco.xml"));
        assertThat(((Number) (first.get("coverage")).get("line")).doubleValue()).isLessThan(80);
        assertThat(second.get("tests")).containsEntry("run", 5L).containsEntry("failed", 0L)
                .containsEntry("reports", List.of("build/test-reports/TEST-demo.GreetingTest.xml",
                        "build/test-reports/TEST-demo.NamesTest.xml"));
        assertThat(second.get("coverage")).containsEntry("line", 100L).containsEntry("line_missed", 0L);
        assertThat(answer.get("evidence").toString()).contains("line=100.0", "line_missed=0", "run=5");
        assertThat(gates.get(0).get("issues")).asString().contains("run only 3 of 7 lines (42%; 80% required)");

        // The work is committed on the story's branch: the scripts' code and tests, the fixed story, the tasks.
        try (Git git = Git.open(project.toFile())) {
            Repository repo = git.getRepository();
            assertThat(repo.getBranch()).isEqualTo(DemoProject.BASE_BRANCH);
            ObjectId tip = repo.resolve("refs/heads/" + BRANCH_1);
            assertThat(tip.name()).isEqualTo(answer.get("final_commit"));
            assertThat(fileAt(repo, tip, DemoProject.SOURCE_FILE)).contains("public static String greet(String name)");
            assertThat(fileAt(repo, tip, DemoProject.TEST_FILE)).contains("void testRejectsBlankNames()");
            assertThat(fileAt(repo, tip, DemoProject.storyFile("US-DEMO-1"))).doesNotContain("quickly")
                    .contains("answers within 10 ms");
            assertThat(fileAt(repo, tip, "docs/tasks/US-DEMO-1/tasks.md")).contains("T-004");
            assertThat(fileAt(repo, tip, "build/jacoco.xml")).as("build output is ignored").isNull();
            assertThat(git.status().call().getModified()).as("the board moved in the project's checkout")
                    .containsExactly(KanbanBoard.DEFAULT_PATH);
        }
        assertThat(project.resolve(DemoProject.SOURCE_FILE)).as("on the story's branch only").doesNotExist();
        BoardStory onBoard = KanbanBoard.read(project.resolve(KanbanBoard.DEFAULT_PATH)).require("US-DEMO-1");
        assertThat(onBoard.status()).isEqualTo(BoardStatus.DONE);
        assertThat(Files.readString(Path.of((String) answer.get("report"))))
                .contains("**Story:** US-DEMO-1 \u2014 " + DemoProject.TITLE, "**Final State:** DONE",
                        "| PASS | 100/100 | quality-gate.sh |");
    }

    @Test
    void twoDemoRunsInOneDirectoryGiveTwoRunsInTheTrendEachWithItsOwnStoryAndBranch(@TempDir Path dir)
            throws Exception {
        // Given a first demo run
        Path project = dir.resolve("demo");
        Map<String, Object> first = demo(project, new ByteArrayOutputStream());

        // When the demo runs again in the same directory
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        Map<String, Object> second = demo(project, progress);

        // Then a new copy of the story was added, picked and driven to DONE on its own branch
        assertThat(progress.toString(StandardCharsets.UTF_8)).contains("(again: US-DEMO-2 added to the board)");
        assertThat(second).containsEntry("ok", true).containsEntry("story_id", "US-DEMO-2")
                .containsEntry("branch", BRANCH_2).containsEntry("quality_cycles", 1);
        Path trend = project.resolve("docs/tasks/reports/quality-trend.md");
        assertThat(second.get("trend")).isEqualTo(trend.toString());
        QualityTrend rows = QualityTrend.parse(trend.toString(), Files.readString(trend));
        assertThat(rows.rows()).extracting(TrendRow::storyId).containsExactly("US-DEMO-1", "US-DEMO-2");
        assertThat(rows.hasRun((String) first.get("run_id"))).isTrue();
        assertThat(rows.hasRun((String) second.get("run_id"))).isTrue();
        assertThat(second.get("report")).isNotEqualTo(first.get("report"));
        try (Git git = Git.open(project.toFile())) {
            Repository repo = git.getRepository();
            for (String branch : List.of(BRANCH_1, BRANCH_2)) {
                ObjectId tip = repo.resolve("refs/heads/" + branch);
                assertThat(fileAt(repo, tip, DemoProject.SOURCE_FILE)).as(branch).contains("Hello, ");
                assertThat(fileAt(repo, tip, DemoProject.TEST_FILE)).as(branch).contains("testGreetsByName");
            }
            assertThat(fileAt(repo, repo.resolve("refs/heads/" + DemoProject.BASE_BRANCH),
                    "docs/tasks/reports/quality-trend.md")).as("the first run's row, committed before the second")
                    .contains("US-DEMO-1").doesNotContain("US-DEMO-2");
        }
        assertThat(KanbanBoard.read(project.resolve(KanbanBoard.DEFAULT_PATH)).stories())
                .extracting(BoardStory::id, BoardStory::status)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("US-DEMO-1", BoardStatus.DONE),
                        org.assertj.core.groups.Tuple.tuple("US-DEMO-2", BoardStatus.DONE));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Map<String, Object>> evidence(Map<String, Object> checkpoint) {
        return (Map<String, Map<String, Object>>) checkpoint.get("evidence");
    }

    private static String fileAt(Repository repo, ObjectId commit, String path) throws Exception {
        try (RevWalk walk = new RevWalk(repo);
             TreeWalk tree = TreeWalk.forPath(repo, path, walk.parseCommit(commit).getTree())) {
            return tree == null ? null : new String(repo.open(tree.getObjectId(0)).getBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void refusesADirectoryThatIsNotEmptyAndNotADemoProject(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("keep.txt"), "mine");

        assertThatThrownBy(() -> demo(dir, new ByteArrayOutputStream()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is not empty and is not a demo project");
        assertThat(dir.resolve(".pipeline")).doesNotExist();
        assertThat(dir.resolve(".git")).doesNotExist();
    }
}
