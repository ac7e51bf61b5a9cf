package dev.agentpipeline.examples.cli;

import dev.agentpipeline.core.internal.Json;
import dev.agentpipeline.spi.workspace.WorkspaceProvider;
import dev.agentpipeline.spi.workspace.WorkspaceProviderFactory;
import dev.agentpipeline.spi.workspace.WorkspaceSpec;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.PersonIdent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

import static org.assertj.core.api.Assertions.assertThat;

class RunCommandsTest {

    @TempDir
    Path project;

    private record Answer(int exit, Map<String, Object> json, String progress) {
    }

    private Answer pipeline(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = new PipelineMain().run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), project, Map.of());
        String stdout = out.toString(StandardCharsets.UTF_8);
        String stderr = err.toString(StandardCharsets.UTF_8);
        if (exit == 2) {
            return new Answer(exit, Json.parseObject(stderr.substring(stderr.lastIndexOf("\n{") + 1)), stderr);
        }
        return new Answer(exit, Json.parseObject(stdout), stderr);
    }

    private static final String DRY_RUN = """
            schema_version: 1
            states:
              STAGE_0:
                - {scores: {plan_score: 4}, attributes: {tasks_remaining: [T-001]}}
              STAGE_1:
                - {verdict: NO-GO, scores: {readiness: 3}, attributes: {reason: vague}}
                - {verdict: GO, scores: {readiness: 8}}
              STAGE_2:
                - {attributes: {story_status: To Review}}
              STAGE_3:
                - {verdict: PASS, scores: {quality_score: 90}}
            """;

    @Test
    void dryRunsAStoryWithAScenarioToDone() throws Exception {
        // Given
        Files.writeString(project.resolve("dry-run.yaml"), DRY_RUN);

        // When
        Answer answer = pipeline("run", "--story", "US001", "--title", "Login form", "--scenario", "dry-run.yaml");

        // Then
        assertThat(answer.exit()).isZero();
        assertThat(answer.json()).containsEntry("ok", true).containsEntry("status", "completed")
                .containsEntry("final_phase", "DONE").containsEntry("validation_retries", 1L);
        assertThat(answer.progress()).contains("STAGE_1 completed: NO-GO", "STAGE_3 -> DONE");
        Answer status = pipeline("status", "--story", "US001");
        assertThat(status.json()).containsEntry("active", false).containsEntry("resume_action", "Pipeline complete");
    }

    @Test
    void pausesWhenTheScenarioFailsTheGateBeyondTheLimitAndSaysWhatToDo() throws Exception {
        Files.writeString(project.resolve("fails.yaml"), DRY_RUN.replace("{verdict: PASS, scores: {quality_score: 90}}",
                "{verdict: FAIL, scores: {quality_score: 40}}"));

        Answer answer = pipeline("run", "--story", "US002", "--scenario", "fails.yaml", "--from-stage", "2",
                "--max-quality-cycles", "1");

        assertThat(answer.exit()).isEqualTo(1);
        assertThat(answer.json()).containsEntry("status", "paused").containsEntry("final_phase", "PAUSED")
                .containsEntry("reason", "Quality cycle limit reached (1)").containsEntry("next_action",
                        "Escalate to user").containsEntry("quality_cycles", 1L);
    }

    @Test
    void namesTheAvailablePluginsWhenAStageHasNone() {
        Answer answer = pipeline("run", "--story", "US003");

        assertThat(answer.exit()).isEqualTo(2);
        assertThat(answer.json()).containsEntry("code", "missing_plugin");
        assertThat((String) answer.json().get("error")).contains("story-decompose", "pipeline-scripted",
                "demo-decompose");
        assertThat(project.resolve(".pipeline")).as("no run was started").doesNotExist();
    }

    @Test
    void retriesARateLimitAfterTheGivenDelay() throws Exception {
        Files.writeString(project.resolve("limited.yaml"), DRY_RUN.replace(
                "  STAGE_2:\n    - {attributes: {story_status: To Review}}\n",
                "  STAGE_2:\n    - attempts:\n        - {status: failed, failure_class: rate_limited, message: \"HTTP 429\"}\n"
                        + "        - {attributes: {story_status: To Review}}\n"));

        Answer answer = pipeline("run", "--story", "US005", "--scenario", "limited.yaml", "--from-stage", "2",
                "--retry-delay-ms", "1");

        assertThat(answer.exit()).isZero();
        assertThat(answer.progress()).contains("retry after", "(rate_limited)");
    }

    @Test
    void rejectsPluginBindingsForUnknownStages() {
        Answer answer = pipeline("run", "--story", "US004", "--plugins", "{\"STAGE_9\":\"x\"}");

        assertThat(answer.exit()).isEqualTo(2);
        assertThat(answer.json()).containsEntry("code", "invalid_flag");
        assertThat(project.resolve(".pipeline")).doesNotExist();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        return (Map<String, Object>) value;
    }

    /** Makes the project a git repository with everything in it committed on main. */
    private void commitProject() throws Exception {
        PersonIdent me = new PersonIdent("Test", "test@example.com");
        try (Git git = Git.init().setDirectory(project.toFile()).setInitialBranch("main").call()) {
            git.add().addFilepattern(".").call();
            git.commit().setMessage("Initial commit").setAuthor(me).setCommitter(me).setSign(false).call();
        }
    }

    private List<String> log(String branch) throws Exception {
        try (Git git = Git.open(project.toFile())) {
            List<String> messages = new ArrayList<>();
            git.log().add(git.getRepository().resolve(branch)).call()
                    .forEach(commit -> messages.add(commit.getShortMessage()));
            return messages;
        }
    }

    @Test
    void runsTheStoryInItsOwnWorktreeOnItsOwnBranch() throws Exception {
        // Given a git repository
        Files.writeString(project.resolve("dry-run.yaml"), DRY_RUN);
        commitProject();

        // When
        Answer answer = pipeline("run", "--story", "US001", "--title", "Login form", "--scenario", "dry-run.yaml");

        // Then the stages worked in .pipeline/worktrees/story-US001 on feature/US001-login-form, which is kept
        assertThat(answer.exit()).isZero();
        Path worktree = project.toRealPath().resolve(".pipeline/worktrees/story-US001");
        assertThat(answer.progress()).contains("workspace story-US001: " + worktree
                + " (linked worktree on feature/US001-login-form)",
                "no changes to commit on feature/US001-login-form; worktree removed, branch kept")
                .doesNotContain("not in a git repository");
        assertThat(log("feature/US001-login-form")).as("a dry run changes nothing").containsExactly("Initial commit");
        assertThat(worktree).doesNotExist();
        Map<String, Object> state = map(pipeline("status", "--story", "US001").json().get("state"));
        assertThat(state).containsEntry("branch_name", "feature/US001-login-form")
                .containsEntry("worktree_dir", worktree.toString());
        assertThat(map(state.get("workspace"))).containsEntry("state", "removed")
                .containsEntry("kind", "LINKED_WORKTREE");
        try (Git git = Git.open(project.toFile())) {
            org.eclipse.jgit.api.Status status = git.status().call();
            assertThat(status.getUncommittedChanges()).as(".pipeline is ignored").isEmpty();
            assertThat(status.getUntracked()).as("only the run's report and the trend, for people to commit")
                    .containsExactlyInAnyOrder("docs/tasks/reports/quality-trend.md",
                            "docs/tasks/reports/" + Path.of((String) answer.json().get("report")).getFileName());
            assertThat(git.getRepository().getBranch()).isEqualTo("main");
        }
    }

    @Test
    void savesTheWorkOnItsBranchWhenTheRunPauses() throws Exception {
        Files.writeString(project.resolve("fails.yaml"), DRY_RUN.replace("{verdict: PASS, scores: {quality_score: 90}}",
                "{verdict: FAIL, scores: {quality_score: 40}}"));
        commitProject();

        Answer answer = pipeline("run", "--story", "US002", "--title", "Search", "--scenario", "fails.yaml",
                "--from-stage", "2", "--max-quality-cycles", "1");

        assertThat(answer.exit()).isEqualTo(1);
        assertThat(answer.progress()).contains("work saved on feature/US002-search at ", "Report: ");
        assertThat(Files.readString(Path.of((String) answer.json().get("report"))))
                .contains("**Final State:** PAUSED at STAGE_3 \u2014 Quality cycle limit reached (1)");
        assertThat(log("feature/US002-search")).first().isEqualTo("WIP: US002 pipeline paused at stage 3");
        Map<String, Object> state = map(pipeline("status", "--story", "US002").json().get("state"));
        assertThat(map(state.get("workspace"))).containsEntry("state", "saved");
        assertThat(project.resolve(".pipeline/worktrees/story-US002")).doesNotExist();
        Map<String, Object> workspaces = pipeline("workspaces", "list").json();
        assertThat(workspaces).containsEntry("base_branch", "main").containsEntry("workspaces", List.of());
    }

    @Test
    void startsStoryBranchesFromTheBaseBranchItIsGivenWhereNoneIsFound() throws Exception {
        // Given a repository whose only branch is develop
        Files.writeString(project.resolve("dry-run.yaml"), DRY_RUN);
        commitProject();
        try (Git git = Git.open(project.toFile())) {
            git.branchRename().setOldName("main").setNewName("develop").call();
        }

        // When
        Answer unknown = pipeline("run", "--story", "US003", "--scenario", "dry-run.yaml");
        Answer listed = pipeline("workspaces", "list");
        Answer given = pipeline("run", "--story", "US003", "--scenario", "dry-run.yaml", "--base-branch", "develop");

        // Then the first is refused before any run starts, the second works from develop
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.json()).containsEntry("code", "no_base_branch");
        assertThat((String) unknown.json().get("fix")).contains("run --base-branch develop");
        assertThat(listed.json()).containsEntry("ok", true).containsEntry("base_branch", null);
        assertThat(given.exit()).isZero();
        assertThat(log("feature/US003-untitled")).containsExactly("Initial commit");
    }

    @Test
    void refusesARepositoryWithoutCommitsBeforeAnyRunStarts() throws Exception {
        Files.writeString(project.resolve("dry-run.yaml"), DRY_RUN);
        Git.init().setDirectory(project.toFile()).setInitialBranch("main").call().close();

        Answer answer = pipeline("run", "--story", "US004", "--scenario", "dry-run.yaml");

        assertThat(answer.exit()).isEqualTo(2);
        assertThat(answer.json()).containsEntry("code", "no_commits");
        assertThat((String) answer.json().get("fix")).contains("git commit");
        assertThat(pipeline("status", "--story", "US004").json()).containsEntry("active", false)
                .doesNotContainKey("state");
    }

    @Test
    void worksInTheProjectItselfOutsideAGitRepository() throws Exception {
        Files.writeString(project.resolve("dry-run.yaml"), DRY_RUN);

        Answer answer = pipeline("run", "--story", "US006", "--scenario", "dry-run.yaml");

        assertThat(answer.exit()).isZero();
        assertThat(answer.progress()).contains("is not in a git repository, so the stages work in it directly");
        assertThat(map(pipeline("status", "--story", "US006").json().get("state"))).doesNotContainKey("workspace");
        assertThat(pipeline("workspaces", "list").json()).containsEntry("code", "not_a_repository");
    }

    @Test
    void listsAndPrunesWorkspacesNoRunNeeds() throws Exception {
        // Given a worktree no run records, as a crash between its creation and its record would leave
        commitProject();
        WorkspaceProvider git = ServiceLoader.load(WorkspaceProviderFactory.class).findFirst().orElseThrow()
                .open(project, project.resolve(".pipeline/worktrees"));
        git.create(WorkspaceSpec.builder("story-US009", "feature/US009-lost").build());

        // When / Then
        List<?> listed = (List<?>) pipeline("workspaces", "list").json().get("workspaces");
        assertThat(listed).singleElement().satisfies(entry -> assertThat(map(entry))
                .containsEntry("name", "story-US009").containsEntry("run", "none").containsEntry("orphan", true));
        List<?> pruned = (List<?>) pipeline("workspaces", "prune").json().get("pruned");
        assertThat(pruned).singleElement().satisfies(entry -> assertThat(map(entry))
                .containsEntry("name", "story-US009").containsEntry("removed", true));
        assertThat(git.list()).isEmpty();
        assertThat(log("feature/US009-lost")).containsExactly("Initial commit");
    }

    @Test
    void runsTheDemoInAGivenDirectory() {
        Answer answer = pipeline("demo", "--dir", "sample");

        assertThat(answer.exit()).isZero();
        assertThat(answer.json()).containsEntry("final_phase", "DONE").containsEntry("quality_cycles", 1L);
        assertThat(answer.progress()).contains("Demo project: " + project.resolve("sample"), "journal:");
        assertThat(answer.json()).containsEntry("branch", "feature/US-DEMO-1-greet-users-by-name")
                .containsKey("final_commit");
        assertThat(project.resolve("sample/.git")).isDirectory();
        assertThat(project.resolve("sample/src/test/java/demo/GreetingTest.java")).as("on the story's branch only")
                .doesNotExist();
    }
}
