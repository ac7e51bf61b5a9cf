package dev.agentpipeline.git;

import dev.agentpipeline.spi.workspace.DiffStats;
import dev.agentpipeline.spi.workspace.MergeResult;
import dev.agentpipeline.spi.workspace.SavedWork;
import dev.agentpipeline.spi.workspace.Workspace;
import dev.agentpipeline.spi.workspace.WorkspaceException;
import dev.agentpipeline.spi.workspace.WorkspaceSpec;

import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.ObjectId;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static dev.agentpipeline.git.GitFixture.bareOrigin;
import static dev.agentpipeline.git.GitFixture.commitFiles;
import static dev.agentpipeline.git.GitFixture.read;
import static dev.agentpipeline.git.GitFixture.repository;
import static dev.agentpipeline.git.GitFixture.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Where no git command line is installed: a local JGit clone per workspace, its branch kept in the repository. */
class CloneFallbackTest {

    @TempDir
    Path temp;

    private Path repoDir;
    private Path root;
    private Git git;
    private GitWorkspaceProvider provider;

    @BeforeEach
    void setUp() throws Exception {
        repoDir = temp.resolve("repo");
        root = temp.resolve("clones");
        git = repository(repoDir, "main");
        provider = GitWorkspaceProvider.builder(repoDir, root).gitCommandLine(false).build();
    }

    @Test
    void endToEndTheBranchOutlivesTheClone() throws Exception {
        try (Git origin = bareOrigin(git, temp.resolve("origin.git"))) {
            ObjectId mainTip = git.getRepository().resolve("main");
            write(repoDir.resolve("README.md"), "# Carried into the clone\n");
            assertThat(provider.usesCommandLine()).isFalse();

            Workspace ws = provider.create(WorkspaceSpec.builder("story-1", "feature/1-clone").build());

            assertThat(ws.kind()).isEqualTo(Workspace.Kind.CLONE);
            assertThat(ws.directory()).isEqualTo(root.toRealPath().resolve("story-1"));
            assertThat(Files.isDirectory(ws.directory().resolve(".git"))).isTrue();
            assertThat(ws.baseCommit()).isEqualTo(mainTip.name());
            assertThat(ws.warnings()).isEmpty();
            assertThat(read(ws.directory().resolve("README.md"))).isEqualTo("# Carried into the clone\n");
            assertThat(git.getRepository().resolve("refs/heads/feature/1-clone")).as("branch made in the repository")
                    .isEqualTo(mainTip);
            try (Git clone = Git.open(ws.directory().toFile())) {
                assertThat(clone.getRepository().getBranch()).isEqualTo("feature/1-clone");
                assertThat(clone.getRepository().getConfig().getString("gc", null, "auto")).isEqualTo("0");
            }
            git.getRepository().getConfig().load();
            assertThat(git.getRepository().getConfig().getString("gc", null, "auto")).isEqualTo("0");
            assertThat(provider.list()).containsExactly(ws);
            assertThat(provider.find("story-1")).contains(ws);

            write(ws.directory().resolve("stage2.txt"), "stage 2\n");
            String stage2 = provider.commitAll(ws, "Stage 2", false);
            assertThat(git.getRepository().resolve("refs/heads/feature/1-clone").name())
                    .as("every commit is pushed back").isEqualTo(stage2);
            assertThat(provider.diffStats(ws)).isEqualTo(new DiffStats(2, 2, 1));
            assertThat(provider.isMerged("feature/1-clone", "main")).isFalse();

            write(ws.directory().resolve("stage3.txt"), "half of stage 3\n");
            SavedWork saved = provider.savePartialWork(ws, "WIP: paused at stage 3");

            assertThat(ws.directory()).doesNotExist();
            assertThat(git.getRepository().resolve("refs/heads/feature/1-clone").name()).isEqualTo(saved.commit());
            assertThat(saved.remote()).contains("origin");
            assertThat(origin.getRepository().resolve("refs/heads/feature/1-clone").name()).isEqualTo(saved.commit());

            Workspace resumed = provider.create(WorkspaceSpec.builder("story-1", "feature/1-clone").build());
            assertThat(provider.head(resumed)).isEqualTo(saved.commit());
            assertThat(read(resumed.directory().resolve("stage3.txt"))).isEqualTo("half of stage 3\n");

            provider.remove(resumed, false);
            assertThat(resumed.directory()).doesNotExist();
            git.checkout().addPath("README.md").call(); // the carried change lives on in the branch
            assertThat(provider.merge("feature/1-clone", "main", "Merge feature/1").status())
                    .isEqualTo(MergeResult.Status.MERGED);
            assertThat(read(repoDir.resolve("stage3.txt"))).isEqualTo("half of stage 3\n");
        }
    }

    @Test
    void removePushesCommitsMadeInTheCloneByOthersBackFirst() throws Exception {
        Workspace ws = provider.create(WorkspaceSpec.builder("story-2", "feature/2").build());
        ObjectId agentCommit;
        try (Git clone = Git.open(ws.directory().toFile())) { // an agent committing with its own tools
            agentCommit = commitFiles(clone, "By the agent", Map.of("agent.txt", "a\n"));
        }

        provider.remove(ws, false);

        assertThat(ws.directory()).doesNotExist();
        assertThat(git.getRepository().resolve("refs/heads/feature/2")).isEqualTo(agentCommit);
    }

    @Test
    void removeRefusesUncommittedWorkAndCommitsThatCannotGoBackUnlessForced() throws Exception {
        Workspace ws = provider.create(WorkspaceSpec.builder("story-3", "feature/3").build());
        write(ws.directory().resolve("draft.txt"), "draft\n");

        assertThatThrownBy(() -> provider.remove(ws, false)).isInstanceOfSatisfying(WorkspaceException.class,
                e -> assertThat(e.code()).isEqualTo("uncommitted_work"));

        try (Git clone = Git.open(ws.directory().toFile())) {
            GitFixture.commitAll(clone, "Draft");
        }
        // the branch moved in the repository meanwhile: the clone's commit cannot be pushed without force
        git.checkout().setName("feature/3").call();
        commitFiles(git, "Elsewhere", Map.of("elsewhere.txt", "e\n"));
        git.checkout().setName("main").call();
        ObjectId repositoryTip = git.getRepository().resolve("feature/3");

        assertThatThrownBy(() -> provider.remove(ws, false)).isInstanceOfSatisfying(WorkspaceException.class, e -> {
            assertThat(e.code()).isEqualTo("unmerged_work");
            assertThat(e.getMessage()).contains("non-fast-forward");
        });
        assertThat(ws.directory()).exists();

        provider.remove(ws, true);
        assertThat(ws.directory()).doesNotExist();
        assertThat(git.getRepository().resolve("feature/3")).as("never forced").isEqualTo(repositoryTip);
    }

    @Test
    void aClonesBranchCheckedOutInTheRepositoryIsNotPushedInto() throws Exception {
        Workspace ws = provider.create(WorkspaceSpec.builder("story-4", "feature/4").build());
        write(ws.directory().resolve("x.txt"), "x\n");
        String x = provider.commitAll(ws, "X", false);
        git.checkout().setName("feature/4").call(); // someone checks the branch out in the repository itself
        write(ws.directory().resolve("y.txt"), "y\n");
        provider.commitAll(ws, "Y", false);

        assertThat(git.getRepository().resolve("feature/4").name()).as("left alone while checked out").isEqualTo(x);
        assertThatThrownBy(() -> provider.savePartialWork(ws, "WIP")).isInstanceOfSatisfying(
                WorkspaceException.class, e -> {
                    assertThat(e.code()).isEqualTo("push_back_failed");
                    assertThat(e.getMessage()).contains("checked out");
                });
        assertThat(ws.directory()).as("the clone is kept").exists();
    }

    @Test
    void theSystemPropertyTurnsTheCommandLineOff() {
        String before = System.getProperty(GitWorkspaceProvider.COMMAND_LINE_PROPERTY);
        System.setProperty(GitWorkspaceProvider.COMMAND_LINE_PROPERTY, "false");
        try {
            assertThat(GitWorkspaceProvider.open(repoDir, root).usesCommandLine()).isFalse();
        } finally {
            if (before == null) {
                System.clearProperty(GitWorkspaceProvider.COMMAND_LINE_PROPERTY);
            } else {
                System.setProperty(GitWorkspaceProvider.COMMAND_LINE_PROPERTY, before);
            }
        }
        assertThat(GitWorkspaceProvider.open(repoDir, root).usesCommandLine()).isTrue();
    }

    @Test
    void aLinkedWorktreeMadeEarlierIsFoundAndRemovedWithoutTheCommandLine() throws Exception {
        Workspace linked = GitWorkspaceProvider.builder(repoDir, root).gitCommandLine(true).build()
                .create(WorkspaceSpec.builder("story-5", "feature/5").build());

        assertThat(provider.list()).containsExactly(linked);
        provider.remove(linked, false);

        assertThat(linked.directory()).doesNotExist();
        assertThat(repoDir.resolve(".git/worktrees/story-5")).doesNotExist();
        assertThat(GitFixture.git(repoDir, "worktree", "list", "--porcelain")).doesNotContain("story-5");
    }
}
