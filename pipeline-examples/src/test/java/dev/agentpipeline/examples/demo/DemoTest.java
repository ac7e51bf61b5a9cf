package dev.agentpipeline.examples.demo;

import dev.agentpipeline.core.internal.Json;
import dev.agentpipeline.core.store.FileRunStore;
import dev.agentpipeline.core.store.JournalEntry;
import dev.agentpipeline.core.run.RunEvent;
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

class DemoTest {

    @Test
    void drivesTheSampleStoryToDoneThroughOneRetryAndOneRework(@TempDir Path dir) throws Exception {
        // Given
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        Path project = dir.resolve("demo");

        // When
        Map<String, Object> answer = Demo.run(project, new PrintStream(progress, true, StandardCharsets.UTF_8),
                Clock.systemUTC());

        // Then
        String printed = progress.toString(StandardCharsets.UTF_8);
        assertThat(answer).containsEntry("ok", true).containsEntry("final_phase", "DONE")
                .containsEntry("validation_retries", 1).containsEntry("quality_cycles", 1);
        assertThat(printed).contains("STAGE_1 completed: NO-GO", "STAGE_1 -> STAGE_1  (validation_retries 1)",
                "STAGE_3 completed: FAIL", "STAGE_3 -> STAGE_2  (quality_cycles 1)", "STAGE_3 -> DONE", "journal:",
                "workspace story-US-DEMO-1: ", "(linked worktree on " + BRANCH + ")",
                "STAGE_2 checkpoint: 4 files changed, +42 -1 against the base",
                "worktree removed, branch kept", "branch:      " + BRANCH, "report:      " + project.resolve(
                        "docs/tasks/reports/pipeline-"), "trend:       " + project.resolve(
                        "docs/tasks/reports/quality-trend.md") + " (unknown)");
        assertThat(Files.readString(Path.of((String) answer.get("report"))))
                .contains("**Story:** US-DEMO-1 \u2014 " + DemoProject.TITLE, "**Final State:** DONE",
                        "| GO | 8/10 | demo-validator |", "| PASS | 92/100 | demo-reviewer | 1 |",
                        "| 4 | +" + (1 + 5 + DemoExecuteStage.SOURCE.lines().count()
                                + DemoExecuteStage.TEST.lines().count()) + "/-1 |");
        assertThat(answer).containsEntry("trend_direction", "unknown");
        assertThat(answer).containsEntry("branch", BRANCH);

        // The work is on the story's branch, committed; the project's own branch and directory are untouched.
        assertThat(project.resolve(DemoProject.SOURCE_FILE)).doesNotExist();
        assertThat(Files.readString(project.resolve(DemoProject.STORY_FILE))).contains("quickly");
        try (Git git = Git.open(project.toFile())) {
            Repository repo = git.getRepository();
            assertThat(repo.getBranch()).isEqualTo(DemoProject.BASE_BRANCH);
            org.eclipse.jgit.api.Status status = git.status().call();
            assertThat(status.getUncommittedChanges()).as("nothing of the run shows up in the project").isEmpty();
            assertThat(status.getUntracked()).as("but its report and the quality trend, for people to commit")
                    .containsExactlyInAnyOrder("docs/tasks/reports/quality-trend.md",
                            "docs/tasks/reports/" + Path.of((String) answer.get("report")).getFileName());
            ObjectId tip = repo.resolve("refs/heads/" + BRANCH);
            assertThat(tip.name()).isEqualTo(answer.get("final_commit"));
            assertThat(fileAt(repo, tip, DemoProject.SOURCE_FILE)).isEqualTo(DemoExecuteStage.SOURCE);
            assertThat(fileAt(repo, tip, DemoProject.TEST_FILE)).isEqualTo(DemoExecuteStage.TEST);
            assertThat(fileAt(repo, tip, DemoProject.STORY_FILE)).doesNotContain("quickly");
        }
        assertThat(project.resolve(".pipeline/worktrees/story-US-DEMO-1")).doesNotExist();
        assertThat(project.resolve(".git/worktrees/story-US-DEMO-1")).as("git forgot the worktree").doesNotExist();

        String runId = (String) answer.get("run_id");
        List<JournalEntry> journal = FileRunStore.open(project.resolve(".pipeline")).journal(runId);
        assertThat(journal.stream().filter(e -> e.event() instanceof RunEvent.AttemptFinished).count())
                .as("decompose, validate twice, execute twice, gate twice").isEqualTo(7);
        Map<String, Object> state = Json.parseObject(Files.readString(Path.of(
                (String) ((Map<?, ?>) answer.get("paths")).get("state"))));
        assertThat(state).containsEntry("phase", "DONE").containsEntry("complete", true);
        long written = DemoExecuteStage.SOURCE.lines().count() + DemoExecuteStage.TEST.lines().count();
        @SuppressWarnings("unchecked")
        Map<String, Object> gitStats = (Map<String, Object>) state.get("git_stats");
        assertThat(gitStats).as("story and tasks (1 line changed, 5 added), source, test")
                .containsEntry("files_changed", 4L).containsEntry("lines_added", 1 + 5 + written)
                .containsEntry("lines_deleted", 1L);
        Map<String, Object> checkpoints = Json.parseObject(Files.readString(Path.of(
                (String) ((Map<?, ?>) answer.get("paths")).get("checkpoints"))));
        assertThat(checkpoints.toString()).contains("workspace_commit");
    }

    private static final String BRANCH = "feature/US-DEMO-1-greet-users-by-name";

    private static String fileAt(Repository repo, ObjectId commit, String path) throws Exception {
        try (RevWalk walk = new RevWalk(repo);
             TreeWalk tree = TreeWalk.forPath(repo, path, walk.parseCommit(commit).getTree())) {
            assertThat(tree).as(path + " in " + commit.name()).isNotNull();
            return new String(repo.open(tree.getObjectId(0)).getBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void refusesADirectoryThatIsNotEmpty(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("keep.txt"), "mine");

        assertThatThrownBy(() -> Demo.run(dir, new PrintStream(new ByteArrayOutputStream(), true,
                StandardCharsets.UTF_8), Clock.systemUTC()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is not empty");
        assertThat(dir.resolve(".pipeline")).doesNotExist();
    }
}
