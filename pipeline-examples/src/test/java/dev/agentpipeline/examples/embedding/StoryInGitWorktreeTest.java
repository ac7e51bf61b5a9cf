package dev.agentpipeline.examples.embedding;

import dev.agentpipeline.core.engine.DriveResult;
import dev.agentpipeline.core.engine.Orchestrator;
import dev.agentpipeline.core.engine.PipelineRuntime;
import dev.agentpipeline.core.engine.StartRequest;
import dev.agentpipeline.core.run.RunState;
import dev.agentpipeline.core.store.FileRunStore;
import dev.agentpipeline.core.story.StoryPipeline;
import dev.agentpipeline.core.story.StoryWorkspaces;
import dev.agentpipeline.spi.Stage;
import dev.agentpipeline.spi.StageContext;
import dev.agentpipeline.spi.StageOutcome;
import dev.agentpipeline.spi.StageRegistry;
import dev.agentpipeline.spi.workspace.WorkspaceProvider;
import dev.agentpipeline.spi.workspace.WorkspaceProviderFactory;

import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.transport.URIish;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The story pipeline embedded with the git provider found by {@link ServiceLoader}, on a real repository with a
 * real (bare) remote: the whole life of a story's worktree, pause and resume included.
 */
class StoryInGitWorktreeTest {

    private static final String BRANCH = "feature/US001-login-form";

    @TempDir
    Path temp;

    private Path project;
    private Path remote;
    private PipelineRuntime runtime;
    private WorkspaceProvider git;
    private final List<Path> seen = Collections.synchronizedList(new ArrayList<>());
    private final List<String> verdicts = Collections.synchronizedList(new ArrayList<>());

    @BeforeEach
    void setUp() throws Exception {
        project = Files.createDirectories(temp.resolve("project"));
        remote = temp.resolve("origin.git");
        Git.init().setBare(true).setDirectory(remote.toFile()).setInitialBranch("main").call().close();
        PersonIdent me = new PersonIdent("Test", "test@example.com");
        Files.writeString(project.resolve("README.md"), "# Login\n", StandardCharsets.UTF_8);
        try (Git repo = Git.init().setDirectory(project.toFile()).setInitialBranch("main").call()) {
            repo.add().addFilepattern(".").call();
            repo.commit().setMessage("Initial commit").setAuthor(me).setCommitter(me).setSign(false).call();
            repo.remoteAdd().setName("origin").setUri(new URIish(remote.toUri().toString())).call();
            repo.push().setRemote("origin").add("main").call();
        }
        runtime = PipelineRuntime.builder().store(FileRunStore.builder(project.resolve(".pipeline")).build())
                .definition(StoryPipeline.definition()).build();
        git = ServiceLoader.load(WorkspaceProviderFactory.class).findFirst().orElseThrow()
                .open(project, project.resolve(".pipeline/worktrees"));
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

    private Orchestrator orchestrator() {
        StageRegistry stages = StageRegistry.of(
                stage("story-decompose", c -> StageOutcome.completed().score("plan_score", 4).build()),
                stage("story-validate", c -> StageOutcome.completed().verdict("GO").score("readiness", 8).build()),
                stage("story-execute", c -> {
                    write(c.workspace().resolve("src/Login.java"), "class Login {\n}\n");
                    return StageOutcome.completed().attribute("story_status", "To Review").build();
                }),
                stage("story-quality-gate", c -> {
                    String verdict = verdicts.isEmpty() ? "PASS" : verdicts.remove(0);
                    return StageOutcome.completed().verdict(verdict).score("quality_score", 80).build();
                }));
        return StoryPipeline.orchestrator(runtime, stages, run -> project, Optional.of("STAGE_0"))
                .workspaces(StoryWorkspaces.builder(git).build()).build();
    }

    private static void write(Path file, String text) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> workspace(RunState state) {
        return (Map<String, Object>) state.attributes().get(StoryWorkspaces.ATTRIBUTE);
    }

    private static String tip(Path repository, String branch) throws IOException {
        try (Repository repo = Git.open(repository.toFile()).getRepository()) {
            return repo.resolve("refs/heads/" + branch).name();
        }
    }

    @Test
    void aPausedStoryIsSavedPushedAndRecreatedFromItsBranchWhenResumed() throws Exception {
        // Given a story whose quality gate first asks for a person
        verdicts.add("PENDING");
        String runId = runtime.start(StartRequest.builder("story", "US001").title("Login form").build()).run()
                .state().runId();

        // When it is driven, it pauses at the gate
        DriveResult paused = orchestrator().drive(runId);

        // Then the work is committed as WIP on the story's branch, pushed to the bare remote, the worktree removed
        Path worktree = project.toRealPath().resolve(".pipeline/worktrees/story-US001");
        assertThat(paused.status()).isEqualTo(DriveResult.Status.PAUSED);
        assertThat(seen).hasSize(4).allMatch(worktree::equals);
        assertThat(worktree).doesNotExist();
        String wip = tip(project, BRANCH);
        assertThat(tip(remote, BRANCH)).as("pushed, not forced").isEqualTo(wip);
        try (Git repo = Git.open(project.toFile())) {
            assertThat(repo.log().add(repo.getRepository().resolve(BRANCH)).setMaxCount(1).call().iterator().next()
                    .getShortMessage()).isEqualTo("WIP: US001 pipeline paused at stage 3");
            assertThat(repo.status().call().isClean()).as("the project's checkout is untouched").isTrue();
            assertThat(project.resolve("src/Login.java")).doesNotExist();
        }
        assertThat(workspace(paused.run().state())).containsEntry("state", "saved");

        // When a person resumes it and it is driven again
        runtime.resume(runId, null);
        DriveResult done = orchestrator().drive(runId);

        // Then the worktree came back from the branch, with the work in it, and the story ended on the branch
        assertThat(done.status()).isEqualTo(DriveResult.Status.COMPLETED);
        assertThat(seen.subList(4, seen.size())).isNotEmpty().allMatch(worktree::equals);
        assertThat(worktree).doesNotExist();
        assertThat(workspace(done.run().state())).containsEntry("state", "removed")
                .containsEntry("final_commit", wip);
        try (Git repo = Git.open(project.toFile())) {
            List<String> log = new ArrayList<>();
            repo.log().add(repo.getRepository().resolve(BRANCH)).call().forEach(c -> log.add(c.getShortMessage()));
            assertThat(log).containsExactly("WIP: US001 pipeline paused at stage 3", "Initial commit");
        }
        assertThat(done.run().state().checkpoints()).allSatisfy(checkpoint ->
                assertThat(checkpoint.payload().get("workspace_commit")).isInstanceOf(String.class));
    }
}
