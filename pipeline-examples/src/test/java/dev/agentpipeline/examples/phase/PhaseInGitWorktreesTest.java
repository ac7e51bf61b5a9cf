package dev.agentpipeline.examples.phase;

import dev.agentpipeline.core.engine.DriveResult;
import dev.agentpipeline.core.engine.Orchestrator;
import dev.agentpipeline.core.engine.PipelineRuntime;
import dev.agentpipeline.core.engine.Signal;
import dev.agentpipeline.core.engine.StartRequest;
import dev.agentpipeline.core.phase.PhasePipeline;
import dev.agentpipeline.core.phase.PhaseWorkspaces;
import dev.agentpipeline.core.store.FileRunStore;
import dev.agentpipeline.spi.Stage;
import dev.agentpipeline.spi.StageContext;
import dev.agentpipeline.spi.StageOutcome;
import dev.agentpipeline.spi.StageRegistry;
import dev.agentpipeline.spi.workspace.WorkspaceProvider;
import dev.agentpipeline.spi.workspace.WorkspaceProviderFactory;

import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The phase pipeline with a git worktree per phase task, on a real repository: each phase works on its own branch,
 * merged back into main before the next phase's agent starts; a conflicting merge changes nothing and pauses the run
 * with the files listed.
 */
class PhaseInGitWorktreesTest {

    @TempDir
    Path temp;

    private Path project;
    private PipelineRuntime runtime;
    private WorkspaceProvider git;
    private final List<Path> workedIn = new ArrayList<>();
    private String runId;
    private int signals;

    @BeforeEach
    void setUp() throws Exception {
        project = Files.createDirectories(temp.resolve("shop"));
        Files.writeString(project.resolve("shared.txt"), "one\n", StandardCharsets.UTF_8);
        commitAll("Initial commit");
        runtime = PipelineRuntime.builder().store(FileRunStore.open(project.resolve(".pipeline")))
                .definition(PhasePipeline.definition()).definition(PhasePipeline.deploymentStub()).build();
        git = ServiceLoader.load(WorkspaceProviderFactory.class).findFirst().orElseThrow()
                .open(project, project.resolve(".pipeline/worktrees"));
        runId = runtime.start(StartRequest.builder(PhasePipeline.ID, "shop").build()).run().state().runId();
    }

    private void commitAll(String message) throws Exception {
        PersonIdent me = new PersonIdent("Test", "test@example.com");
        try (Git repo = Files.isDirectory(project.resolve(".git")) ? Git.open(project.toFile())
                : Git.init().setDirectory(project.toFile()).setInitialBranch("main").call()) {
            repo.add().addFilepattern("shared.txt").call();
            repo.commit().setMessage(message).setAuthor(me).setCommitter(me).setSign(false).call();
        }
    }

    private Orchestrator orchestrator() {
        return Orchestrator.builder(runtime, StageRegistry.of(agent(PhasePipeline.AGENT), agent(PhasePipeline.FIX),
                        agent(PhasePipeline.INSTALL))).inputs(PhasePipeline::inputs)
                .workspaces(PhaseWorkspaces.of(git)).foreground(false).build();
    }

    private Stage agent(String id) {
        return new Stage() {
            @Override
            public String id() {
                return id;
            }

            @Override
            public StageOutcome run(StageContext context) {
                workedIn.add(context.workspace());
                try {
                    Files.writeString(context.workspace().resolve(context.stateId().toLowerCase() + ".txt"),
                            "work of " + context.stateId() + "\n", StandardCharsets.UTF_8);
                    if (context.stateId().equals("PHASE_5")) {
                        Files.writeString(context.workspace().resolve("shared.txt"), "five\n", StandardCharsets.UTF_8);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                return StageOutcome.completed().build();
            }
        };
    }

    private void succeed(int phase) {
        Map<String, Object> signal = new LinkedHashMap<>();
        signal.put("phase", phase);
        signal.put("status", "success");
        signal.put("completed_at", "2026-01-05T10:00:0" + signals++ + "Z");
        signal.put("summary", Map.of("tasks_analyzed", 3));
        signal.put("next_phase", phase + 1);
        signal.put("trigger_next", true);
        assertThat(runtime.receiveSignal(runId, Signal.of("PHASE_" + phase, signal, "test")).status().consumed())
                .isTrue();
    }

    private String fileOnMain(String path) throws IOException {
        try (Repository repo = Git.open(project.toFile()).getRepository(); RevWalk walk = new RevWalk(repo)) {
            ObjectId main = repo.resolve("refs/heads/main");
            try (TreeWalk tree = TreeWalk.forPath(repo, path, walk.parseCommit(main).getTree())) {
                return tree == null ? null : new String(repo.open(tree.getObjectId(0)).getBytes(),
                        StandardCharsets.UTF_8);
            }
        }
    }

    @Test
    void eachPhaseWorksOnItsOwnBranchMergedBackBeforeTheNextPhase() throws Exception {
        Orchestrator orchestrator = orchestrator();
        orchestrator.drive(runId);
        Path five = project.toRealPath().resolve(".pipeline/worktrees/phase-5-task-1");
        assertThat(workedIn).containsExactly(five);
        assertThat(fileOnMain("phase_5.txt")).as("not merged while phase 5 runs").isNull();

        succeed(5);
        orchestrator.drive(runId);
        runtime.decide(runId, null, "approve", "lead", null);
        orchestrator.drive(runId);

        assertThat(workedIn).last().isEqualTo(project.toRealPath().resolve(".pipeline/worktrees/phase-6-task-1"));
        assertThat(fileOnMain("phase_5.txt")).isEqualTo("work of PHASE_5\n");
        assertThat(fileOnMain("shared.txt")).isEqualTo("five\n");
        assertThat(five).doesNotExist();
        Map<String, Object> recorded = entries(runtime.load(runId).state().attributes());
        String branch = PhaseWorkspaces.branch(runtime.load(runId).state(), 5, 1);
        assertThat(branch).matches("phase/shop-[0-9a-f]{8}-5-task-1");
        assertThat(entry(recorded, "phase-5-task-1")).containsEntry("branch", branch)
                .containsKey("merged");
        assertThat(entry(recorded, "phase-6-task-1")).doesNotContainKey("merged");
        assertThat(fileOnMain("phase_6.txt")).isNull();
    }

    @Test
    void aConflictingMergeBackChangesNothingAndPausesWithTheFiles() throws Exception {
        Orchestrator orchestrator = orchestrator();
        orchestrator.drive(runId);
        succeed(5);
        orchestrator.drive(runId);
        runtime.decide(runId, null, "approve", "lead", null);
        Files.writeString(project.resolve("shared.txt"), "changed on main\n", StandardCharsets.UTF_8);
        commitAll("A change on main meanwhile");

        DriveResult paused = orchestrator.drive(runId);

        assertThat(paused.status()).isEqualTo(DriveResult.Status.PAUSED);
        var pause = paused.run().state().pause().orElseThrow();
        String branch = PhaseWorkspaces.branch(paused.run().state(), 5, 1);
        assertThat(pause.reason()).contains(branch, "conflicts with main in shared.txt");
        assertThat(pause.nextAction()).contains("git merge " + branch);
        assertThat(fileOnMain("shared.txt")).isEqualTo("changed on main\n");
        assertThat(fileOnMain("phase_5.txt")).isNull();
        Map<String, Object> recorded = entries(paused.run().state().attributes());
        assertThat(entry(recorded, "phase-5-task-1")).containsEntry("conflicts", List.of("shared.txt"));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> entries(Map<String, Object> attributes) {
        return (Map<String, Object>) attributes.get(PhaseWorkspaces.ATTRIBUTE);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> entry(Map<String, Object> entries, String name) {
        return (Map<String, Object>) entries.get(name);
    }
}
