package dev.agentpipeline.core.story;

import dev.agentpipeline.core.engine.DriveResult;
import dev.agentpipeline.core.engine.Orchestrator;
import dev.agentpipeline.core.engine.PipelineRuntime;
import dev.agentpipeline.core.engine.StartRequest;
import dev.agentpipeline.core.run.Checkpoint;
import dev.agentpipeline.core.run.RunState;
import dev.agentpipeline.core.store.FileRunStore;
import dev.agentpipeline.core.testing.FakeWorkspaceProvider;
import dev.agentpipeline.core.testing.MutableClock;
import dev.agentpipeline.spi.Stage;
import dev.agentpipeline.spi.StageContext;
import dev.agentpipeline.spi.StageOutcome;
import dev.agentpipeline.spi.StageRegistry;
import dev.agentpipeline.spi.workspace.DiffStats;
import dev.agentpipeline.spi.workspace.WorkspaceException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/** A story driven with a workspace per story: what is created, recorded, saved and removed, and when. */
class StoryWorkspacesTest {

    @TempDir
    Path project;

    private final MutableClock clock = new MutableClock();
    private PipelineRuntime runtime;
    private FakeWorkspaceProvider git;
    private final List<Path> seen = Collections.synchronizedList(new ArrayList<>());
    private final List<String> verdicts = new ArrayList<>();

    @BeforeEach
    void setUp() {
        runtime = PipelineRuntime.builder().store(FileRunStore.builder(project.resolve(".pipeline")).clock(clock).build())
                .definition(StoryPipeline.definition()).clock(clock).build();
        git = new FakeWorkspaceProvider(project.resolve(".pipeline/worktrees"));
    }

    private Stage stage(String id, Function<StageContext, StageOutcome> body) {
        return new Stage() {
            @Override
            public String id() {
                return id;
            }

            @Override
            public StageOutcome run(StageContext context) {
                seen.add(context.workspace());
                return body.apply(context);
            }
        };
    }

    private Orchestrator orchestrator(StoryWorkspaces workspaces) {
        StageRegistry stages = StageRegistry.of(
                stage("story-decompose", c -> StageOutcome.completed().score("plan_score", 4).build()),
                stage("story-validate", c -> StageOutcome.completed().verdict("GO").score("readiness", 8).build()),
                stage("story-execute", c -> {
                    git.commitOnBranch(StoryWorkspaces.branchName("US001", "Login form"));
                    return StageOutcome.completed().attribute("story_status", "To Review").build();
                }),
                stage("story-quality-gate", c -> {
                    String verdict = verdicts.isEmpty() ? "PASS" : verdicts.remove(0);
                    return StageOutcome.completed().verdict(verdict).score("quality_score", 80)
                            .attribute("rework_hint", Map.of("suggested_focus", "tests")).build();
                }));
        return StoryPipeline.orchestrator(runtime, stages, run -> project, Optional.of("STAGE_0"))
                .workspaces(workspaces).build();
    }

    private String start() {
        return runtime.start(StartRequest.builder("story", "US001").title("Login form").build()).run().state().runId();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> workspace(RunState state) {
        return (Map<String, Object>) state.attributes().get(StoryWorkspaces.ATTRIBUTE);
    }

    @Test
    void everyStageWorksInTheStorysWorktreeWhichIsRemovedWhenTheStoryIsDone() {
        // Given
        String runId = start();

        // When
        DriveResult result = orchestrator(StoryWorkspaces.builder(git).build()).drive(runId);

        // Then
        Path worktree = project.resolve(".pipeline/worktrees/story-US001");
        assertThat(result.status()).isEqualTo(DriveResult.Status.COMPLETED);
        assertThat(seen).hasSize(4).allMatch(worktree::equals);
        assertThat(git.calls()).containsExactly(
                "create story-US001 feature/US001-login-form carry",
                "commit story-US001 US001: pipeline done",
                "remove story-US001");
        RunState state = result.run().state();
        assertThat(workspace(state)).containsEntry("state", "removed").containsEntry("branch",
                "feature/US001-login-form").containsEntry("kind", "LINKED_WORKTREE");
        assertThat(state.attributes()).containsEntry("worktree_dir", worktree.toString())
                .containsEntry("branch_name", "feature/US001-login-form");
        assertThat(git.branch("feature/US001-login-form")).as("the branch is kept").isPresent();
    }

    @Test
    void theStagesOfAProjectInASubdirectoryWorkInThatSubdirectoryOfTheWorktree() {
        String runId = start();

        DriveResult result = orchestrator(StoryWorkspaces.builder(git).subdirectory(Path.of("services/billing"))
                .build()).drive(runId);

        Path worktree = project.resolve(".pipeline/worktrees/story-US001");
        assertThat(result.status()).isEqualTo(DriveResult.Status.COMPLETED);
        assertThat(seen).hasSize(4).allMatch(worktree.resolve("services/billing")::equals);
        assertThat(result.run().state().attributes()).containsEntry("worktree_dir", worktree.toString());
    }

    @Test
    void aSubdirectoryOutsideTheRepositoryIsRefused() {
        StoryWorkspaces.Builder builder = StoryWorkspaces.builder(git);

        org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
                .isThrownBy(() -> builder.subdirectory(Path.of("../elsewhere")))
                .withMessageContaining("'../elsewhere'");
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
                .isThrownBy(() -> builder.subdirectory(project));
        assertThat(builder.subdirectory(Path.of("")).build()).isNotNull();
    }

    @Test
    void everyCheckpointRecordsTheHeadCommitAndTheExecutionItsGitStats() {
        git.stats(new DiffStats(3, 42, 7));
        String runId = start();

        RunState state = orchestrator(StoryWorkspaces.builder(git).build()).drive(runId).run().state();

        assertThat(state.checkpoints()).hasSize(4).allSatisfy(checkpoint ->
                assertThat(checkpoint.payload().get("workspace_commit")).isInstanceOf(String.class));
        Checkpoint execution = state.latestCheckpoint("STAGE_2").orElseThrow();
        assertThat(execution.payload().get("git_stats")).isEqualTo(Map.of("files_changed", 3L, "lines_added", 42L,
                "lines_deleted", 7L));
        assertThat(execution.payload().get("workspace_commit")).isEqualTo("c1");
        assertThat(state.attributes().get("git_stats")).isEqualTo(Map.of("files_changed", 3L, "lines_added", 42L,
                "lines_deleted", 7L));
    }

    @Test
    void aPausedStorySavesItsWorkAndIsRecreatedFromItsBranchWhenDrivenAgain() {
        // Given a story whose quality gate asks for a person
        verdicts.add("PENDING");
        git.remote("origin");
        String runId = start();

        // When it pauses
        DriveResult paused = orchestrator(StoryWorkspaces.builder(git).build()).drive(runId);

        // Then its work is committed, pushed and its worktree removed
        assertThat(paused.status()).isEqualTo(DriveResult.Status.PAUSED);
        assertThat(git.calls()).contains("save story-US001 WIP: US001 pipeline paused at stage 3");
        assertThat(git.find("story-US001")).isEmpty();
        assertThat(workspace(paused.run().state())).containsEntry("state", "saved");
        @SuppressWarnings("unchecked")
        Map<String, Object> saved = (Map<String, Object>) workspace(paused.run().state()).get("saved_work");
        assertThat(saved).containsEntry("remote", "origin").containsEntry("branch", "feature/US001-login-form");

        // And when resumed and driven again, the worktree comes back from the branch, without the patch
        runtime.resume(runId, null);
        DriveResult done = orchestrator(StoryWorkspaces.builder(git).build()).drive(runId);
        assertThat(done.status()).isEqualTo(DriveResult.Status.COMPLETED);
        assertThat(git.calls()).contains("create story-US001 feature/US001-login-form");
    }

    @Test
    void aPatchThatDidNotApplyIsRecordedAndTheStoryGoesOn() {
        git.warnOnCreate(List.of("Patch conflicts -- continuing without uncommitted changes: README.md"));
        String runId = start();

        RunState state = orchestrator(StoryWorkspaces.builder(git).build()).drive(runId).run().state();

        assertThat(state.complete()).isTrue();
        assertThat(state.attributes().get("infra_issues")).isEqualTo(List.of(Map.of("phase", "STAGE_0", "type",
                "workspace", "message", "Patch conflicts -- continuing without uncommitted changes: README.md")));
    }

    @Test
    void aStoryOnAFeatureBranchWorksInPlace() {
        git.inPlace(true);
        String runId = start();

        RunState state = orchestrator(StoryWorkspaces.builder(git).build()).drive(runId).run().state();

        assertThat(seen).allMatch(project.resolve(".pipeline")::equals);
        assertThat(workspace(state)).containsEntry("kind", "IN_PLACE").containsEntry("state", "active");
        assertThat(git.calls()).noneMatch(call -> call.startsWith("remove"));
    }

    @Test
    void aReworkCanStartFromTheLastCheckpointWhoseQualityGatePassed() {
        // Given a gate that passed once (recorded), then a story sent back to rework after a FAIL
        String runId = start();
        StoryWorkspaces workspaces = StoryWorkspaces.builder(git).reworkFromLastGreen(true).build();
        runtime.advance(runId, "STAGE_3");
        RunState queued = runtime.load(runId).state();
        assertThat(StoryWorkspaces.lastGreenCommit(queued)).isEmpty();
        runtime.checkpoint(runId, "STAGE_3", Map.of("stage", 3, "verdict", "PASS", "workspace_commit", "c-green"));
        runtime.recordSummary(runId, "STAGE_3", Map.of("payload", Map.of("stage", 3, "status", "completed",
                "verdict", "FAIL")));
        runtime.advance(runId, "STAGE_2");

        // When
        orchestrator(workspaces).drive(runId);

        // Then the rework's worktree starts at the green commit, once
        assertThat(git.calls()).filteredOn(call -> call.startsWith("create")).first().asString()
                .contains("start=c-green");
        assertThat(git.calls()).filteredOn(call -> call.contains("start=")).hasSize(1);
    }

    @Test
    void aWorkspaceThatCannotBeCreatedPausesTheRunWithTheReason() {
        String runId = start();
        git.failOnCreate(new WorkspaceException("not_a_repository", "/tmp/x is not a git repository", "git init",
                null));

        DriveResult result = orchestrator(StoryWorkspaces.builder(git).build()).drive(runId);

        assertThat(result.status()).isEqualTo(DriveResult.Status.PAUSED);
        assertThat(result.reason()).contains("Cannot prepare the workspace of STAGE_0", "not a git repository");
        assertThat(result.run().state().pause().orElseThrow().category()).isEqualTo("workspace");
        assertThat(result.run().state().attempts()).as("no attempt started").isEmpty();
    }

    @Test
    void namesAndBranchesComeFromTheStory() {
        assertThat(StoryWorkspaces.workspaceName("PROJ-42")).isEqualTo("story-PROJ-42");
        assertThat(StoryWorkspaces.branchName("PROJ-42", "Auth endpoint (v2)!")).isEqualTo("feature/PROJ-42-auth-endpoint-v2");
        assertThat(StoryWorkspaces.branchName("US1", "")).isEqualTo("feature/US1-untitled");
    }
}
