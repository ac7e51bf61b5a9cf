package dev.agentpipeline.git;

import dev.agentpipeline.spi.workspace.SavedWork;
import dev.agentpipeline.spi.workspace.Workspace;
import dev.agentpipeline.spi.workspace.WorkspaceSpec;

import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.ObjectId;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static dev.agentpipeline.git.GitFixture.repository;
import static dev.agentpipeline.git.GitFixture.write;
import static org.assertj.core.api.Assertions.assertThat;

/** A repository already on a feature branch is the workspace itself. */
class InPlaceTest {

    @TempDir
    Path temp;

    @ParameterizedTest
    @ValueSource(strings = {"feature/US001-login", "optimize/db-pool", "upgrade/java-21", "modernize/build"})
    void aRepositoryOnAnInPlaceBranchIsTheWorkspace(String branch) throws Exception {
        Path repoDir = temp.resolve("repo");
        Git git = repository(repoDir, "main");
        ObjectId mainTip = git.getRepository().resolve("main");
        git.checkout().setCreateBranch(true).setName(branch).call();
        GitWorkspaceProvider provider = GitWorkspaceProvider.open(repoDir, temp.resolve("wt"));

        Workspace ws = provider.create(WorkspaceSpec.builder("story-1", branch).build());

        assertThat(ws.kind()).isEqualTo(Workspace.Kind.IN_PLACE);
        assertThat(ws.directory()).isEqualTo(repoDir.toRealPath());
        assertThat(ws.branch()).isEqualTo(branch);
        assertThat(ws.baseCommit()).isEqualTo(mainTip.name());
        assertThat(ws.warnings()).isEmpty();
        assertThat(temp.resolve("wt")).doesNotExist();
        assertThat(provider.list()).isEmpty();
    }

    @Test
    void theSpecsOtherBranchIsNotCreatedAndTheWarningSaysSo() throws Exception {
        Path repoDir = temp.resolve("repo");
        Git git = repository(repoDir, "main");
        git.checkout().setCreateBranch(true).setName("feature/already-here").call();
        GitWorkspaceProvider provider = GitWorkspaceProvider.open(repoDir, temp.resolve("wt"));

        Workspace ws = provider.create(WorkspaceSpec.builder("story-2", "feature/2-other").build());

        assertThat(ws.branch()).isEqualTo("feature/already-here");
        assertThat(ws.warnings()).singleElement().asString().contains("feature/2-other was not created");
        assertThat(git.getRepository().findRef("feature/2-other")).isNull();
    }

    @Test
    void savingPartialWorkCommitsButNeitherPushesNorRemoves() throws Exception {
        Path repoDir = temp.resolve("repo");
        Git git = repository(repoDir, "main");
        GitFixture.bareOrigin(git, temp.resolve("origin.git"));
        git.checkout().setCreateBranch(true).setName("feature/3-here").call();
        GitWorkspaceProvider provider = GitWorkspaceProvider.open(repoDir, temp.resolve("wt"));
        Workspace ws = provider.create(WorkspaceSpec.builder("story-3", "feature/3-here").build());
        write(repoDir.resolve("wip.txt"), "half done\n");

        SavedWork saved = provider.savePartialWork(ws, "WIP: 3 paused");
        provider.remove(ws, false); // the repository itself: nothing to remove

        assertThat(saved.remote()).isEmpty();
        assertThat(saved.pushWarning()).isEmpty();
        assertThat(saved.commit()).isEqualTo(git.getRepository().resolve("feature/3-here").name());
        assertThat(git.status().call().isClean()).isTrue();
        assertThat(repoDir.resolve("wip.txt")).exists();
        assertThat(git.lsRemote().setRemote("origin").call()).noneMatch(ref -> ref.getName().contains("feature/3"));
    }
}
