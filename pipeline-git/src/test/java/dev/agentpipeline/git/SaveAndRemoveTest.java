package dev.agentpipeline.git;

import dev.agentpipeline.spi.workspace.SavedWork;
import dev.agentpipeline.spi.workspace.Workspace;
import dev.agentpipeline.spi.workspace.WorkspaceException;
import dev.agentpipeline.spi.workspace.WorkspaceSpec;

import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.transport.RefSpec;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static dev.agentpipeline.git.GitFixture.bareOrigin;
import static dev.agentpipeline.git.GitFixture.commitFiles;
import static dev.agentpipeline.git.GitFixture.git;
import static dev.agentpipeline.git.GitFixture.repository;
import static dev.agentpipeline.git.GitFixture.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Saving partial work when a run pauses, and removing workspaces. */
class SaveAndRemoveTest {

    @TempDir
    Path temp;

    private Path repoDir;
    private Git git;
    private GitWorkspaceProvider provider;

    @BeforeEach
    void setUp() throws Exception {
        repoDir = temp.resolve("repo");
        git = repository(repoDir, "main");
        provider = GitWorkspaceProvider.open(repoDir, temp.resolve("wt"));
    }

    @Test
    void savesPartialWorkToTheBranchPushesItToOriginAndRemovesTheWorktree() throws Exception {
        try (Git origin = bareOrigin(git, temp.resolve("origin.git"))) {
            Workspace ws = provider.create(WorkspaceSpec.builder("story-1", "feature/1-pause").build());
            write(ws.directory().resolve("half.txt"), "half done\n");

            SavedWork saved = provider.savePartialWork(ws, "WIP: US001 pipeline paused at stage 2");

            assertThat(saved.branch()).isEqualTo("feature/1-pause");
            assertThat(saved.remote()).contains("origin");
            assertThat(saved.pushWarning()).isEmpty();
            assertThat(origin.getRepository().resolve("refs/heads/feature/1-pause").name()).isEqualTo(saved.commit());
            assertThat(git.getRepository().resolve("refs/heads/feature/1-pause").name()).isEqualTo(saved.commit());
            RevCommit commit = GitFixture.commit(git.getRepository(), ObjectId.fromString(saved.commit()));
            assertThat(commit.getFullMessage()).isEqualTo("WIP: US001 pipeline paused at stage 2");
            assertThat(ws.directory()).doesNotExist();
            assertThat(git(repoDir, "worktree", "list")).doesNotContain("story-1");
            assertThat(provider.list()).isEmpty();
        }
    }

    @Test
    void savingWithNothingChangedMakesAnEmptyWipCommit() throws Exception {
        Workspace ws = provider.create(WorkspaceSpec.builder("story-2", "feature/2-empty").build());
        String before = provider.head(ws);

        SavedWork saved = provider.savePartialWork(ws, "WIP: nothing yet");

        RevCommit commit = GitFixture.commit(git.getRepository(), ObjectId.fromString(saved.commit()));
        assertThat(commit.getParent(0).name()).isEqualTo(before);
        assertThat(saved.remote()).isEmpty();
        assertThat(saved.pushWarning()).as("no remote, nothing to warn about").isEmpty();
    }

    @Test
    void aDivergedRemoteBranchIsAWarningNeverAForcedPushAndTheCommitStays() throws Exception {
        try (Git origin = bareOrigin(git, temp.resolve("origin.git"))) {
            Workspace ws = provider.create(WorkspaceSpec.builder("story-3", "feature/3").build());
            // meanwhile someone else pushed another feature/3 to origin
            git.checkout().setCreateBranch(true).setName("theirs").call();
            RevCommit theirs = commitFiles(git, "Their work", Map.of("theirs.txt", "theirs\n"));
            git.push().setRemote("origin").setRefSpecs(new RefSpec("refs/heads/theirs:refs/heads/feature/3")).call();
            git.checkout().setName("main").call();
            write(ws.directory().resolve("ours.txt"), "ours\n");

            SavedWork saved = provider.savePartialWork(ws, "WIP: ours");

            assertThat(saved.remote()).isEmpty();
            assertThat(saved.pushWarning()).hasValueSatisfying(warning -> assertThat(warning)
                    .contains("feature/3").contains("non-fast-forward").contains("git push origin feature/3"));
            assertThat(origin.getRepository().resolve("refs/heads/feature/3")).isEqualTo(theirs);
            assertThat(git.getRepository().resolve("refs/heads/feature/3").name()).isEqualTo(saved.commit());
            assertThat(ws.directory()).doesNotExist();
        }
    }

    @Test
    void anUnreachableOriginIsAWarning() throws Exception {
        git.remoteAdd().setName("origin").setUri(new org.eclipse.jgit.transport.URIish(
                temp.resolve("gone.git").toUri().toURL())).call();
        Workspace ws = provider.create(WorkspaceSpec.builder("story-4", "feature/4").build());

        SavedWork saved = provider.savePartialWork(ws, "WIP: offline");

        assertThat(saved.pushWarning()).hasValueSatisfying(w -> assertThat(w).contains("Could not push feature/4"));
        assertThat(git.getRepository().resolve("refs/heads/feature/4").name()).isEqualTo(saved.commit());
    }

    @Test
    void removeRefusesUncommittedWorkUnlessForcedAndKeepsTheBranch() throws Exception {
        Workspace ws = provider.create(WorkspaceSpec.builder("story-5", "feature/5").build());
        write(ws.directory().resolve("README.md"), "# Changed\n");
        write(ws.directory().resolve("new.txt"), "untracked counts too\n");

        assertThatThrownBy(() -> provider.remove(ws, false)).isInstanceOfSatisfying(WorkspaceException.class, e -> {
            assertThat(e.code()).isEqualTo("uncommitted_work");
            assertThat(e.getMessage()).contains("README.md").contains("new.txt").contains(ws.directory().toString());
            assertThat(e.fix()).contains("force");
        });
        assertThat(ws.directory().resolve("new.txt")).exists();

        provider.remove(ws, true);

        assertThat(ws.directory()).doesNotExist();
        assertThat(git(repoDir, "worktree", "list", "--porcelain")).doesNotContain("story-5");
        assertThat(git.getRepository().findRef("refs/heads/feature/5")).isNotNull();
    }

    @Test
    void removeOfACleanWorkspaceNeedsNoForce() throws Exception {
        Workspace ws = provider.create(WorkspaceSpec.builder("story-6", "feature/6").build());
        write(ws.directory().resolve("done.txt"), "done\n");
        String commit = provider.commitAll(ws, "Done", false);

        provider.remove(ws, false);

        assertThat(ws.directory()).doesNotExist();
        assertThat(git.getRepository().resolve("feature/6").name()).isEqualTo(commit);
        assertThat(provider.find("story-6")).isEmpty();
    }
}
