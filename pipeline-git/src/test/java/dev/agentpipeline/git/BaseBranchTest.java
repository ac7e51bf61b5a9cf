package dev.agentpipeline.git;

import dev.agentpipeline.spi.workspace.Workspace;
import dev.agentpipeline.spi.workspace.WorkspaceException;
import dev.agentpipeline.spi.workspace.WorkspaceSpec;

import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static dev.agentpipeline.git.GitFixture.bareOrigin;
import static dev.agentpipeline.git.GitFixture.commitFiles;
import static dev.agentpipeline.git.GitFixture.emptyRepository;
import static dev.agentpipeline.git.GitFixture.git;
import static dev.agentpipeline.git.GitFixture.repository;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Which branch new workspaces start from. */
class BaseBranchTest {

    @TempDir
    Path temp;

    @Test
    void originHeadsTargetComesFirst() throws Exception {
        Path repoDir = temp.resolve("repo");
        Git git = repository(repoDir, "main");
        git.branchCreate().setName("develop").call();
        git.checkout().setName("develop").call();
        RevCommit developTip = commitFiles(git, "Develop", Map.of("develop.txt", "d\n"));
        bareOrigin(git, temp.resolve("origin.git"));
        git.push().setRemote("origin").add("main").call();
        RefUpdate originHead = git.getRepository().updateRef("refs/remotes/origin/HEAD");
        originHead.link("refs/remotes/origin/develop");
        git.checkout().setName("main").call();
        GitWorkspaceProvider provider = GitWorkspaceProvider.open(repoDir, temp.resolve("wt"));

        assertThat(provider.baseBranch()).isEqualTo("develop");
        Workspace ws = provider.create(WorkspaceSpec.builder("story-1", "feature/1").build());
        assertThat(ws.baseCommit()).isEqualTo(developTip.name());
        assertThat(provider.head(ws)).isEqualTo(developTip.name());
    }

    @Test
    void originHeadSetByARealCloneIsRead() throws Exception {
        Path upstream = temp.resolve("upstream");
        repository(upstream, "trunk").close();
        git(temp, "clone", "-q", upstream.toString(), temp.resolve("clone").toString());

        GitWorkspaceProvider provider = GitWorkspaceProvider.open(temp.resolve("clone"), temp.resolve("wt"));

        assertThat(provider.baseBranch()).isEqualTo("trunk");
    }

    @Test
    void mainWhenThereIsNoOriginHead() throws Exception {
        Path repoDir = temp.resolve("repo");
        Git git = repository(repoDir, "main");
        git.branchCreate().setName("master").call();

        assertThat(GitWorkspaceProvider.open(repoDir, temp.resolve("wt")).baseBranch()).isEqualTo("main");
    }

    @Test
    void masterWhenThereIsNoMain() throws Exception {
        Path repoDir = temp.resolve("repo");
        repository(repoDir, "master").close();

        assertThat(GitWorkspaceProvider.open(repoDir, temp.resolve("wt")).baseBranch()).isEqualTo("master");
    }

    @Test
    void aRemoteTrackingMainCountsToo() throws Exception {
        Path repoDir = temp.resolve("repo");
        Git git = repository(repoDir, "main");
        bareOrigin(git, temp.resolve("origin.git"));
        git.checkout().setCreateBranch(true).setName("work").call();
        git.branchDelete().setBranchNames("main").setForce(true).call();
        GitWorkspaceProvider provider = GitWorkspaceProvider.open(repoDir, temp.resolve("wt"));

        assertThat(provider.baseBranch()).isEqualTo("main");
        Workspace ws = provider.create(WorkspaceSpec.builder("story-1", "feature/1").build());
        assertThat(ws.baseCommit()).isEqualTo(git.getRepository().resolve("refs/remotes/origin/main").name());
    }

    @Test
    void aConfiguredBaseWinsOverDetectionAndTheSpecsBaseWinsOverBoth() throws Exception {
        Path repoDir = temp.resolve("repo");
        Git git = repository(repoDir, "main");
        git.checkout().setCreateBranch(true).setName("develop").call();
        RevCommit developTip = commitFiles(git, "Develop", Map.of("develop.txt", "d\n"));
        git.checkout().setCreateBranch(true).setName("release").setStartPoint("main").call();
        RevCommit releaseTip = commitFiles(git, "Release", Map.of("release.txt", "r\n"));
        git.checkout().setName("main").call();
        GitWorkspaceProvider provider = GitWorkspaceProvider.builder(repoDir, temp.resolve("wt"))
                .baseBranch("develop").build();

        assertThat(provider.baseBranch()).isEqualTo("develop");
        Workspace fromConfigured = provider.create(WorkspaceSpec.builder("story-1", "feature/1").build());
        Workspace fromSpec = provider.create(WorkspaceSpec.builder("story-2", "feature/2").base("release").build());
        Workspace fromCommit = provider.create(WorkspaceSpec.builder("story-3", "feature/3")
                .base(releaseTip.getParent(0).name()).build());

        assertThat(provider.head(fromConfigured)).isEqualTo(developTip.name());
        assertThat(provider.head(fromSpec)).isEqualTo(releaseTip.name());
        assertThat(fromSpec.baseCommit()).isEqualTo(releaseTip.name());
        assertThat(provider.head(fromCommit)).isEqualTo(releaseTip.getParent(0).name());
    }

    @Test
    void noBaseBranchIsAClearError() throws Exception {
        Path repoDir = temp.resolve("repo");
        repository(repoDir, "trunk").close();
        GitWorkspaceProvider provider = GitWorkspaceProvider.open(repoDir, temp.resolve("wt"));

        assertThatThrownBy(provider::baseBranch).isInstanceOfSatisfying(WorkspaceException.class, e -> {
            assertThat(e.code()).isEqualTo("no_base_branch");
            assertThat(e.getMessage()).contains("no main or master").contains("trunk");
            assertThat(e.fix()).contains(".base(\"develop\")").contains("baseBranch(\"develop\")");
        });
        assertThatThrownBy(() -> provider.create(WorkspaceSpec.builder("story-1", "feature/1").build()))
                .isInstanceOfSatisfying(WorkspaceException.class, e -> assertThat(e.code())
                        .isEqualTo("no_base_branch"));
        assertThat(provider.create(WorkspaceSpec.builder("story-2", "feature/2").base("trunk").build()).branch())
                .isEqualTo("feature/2");
    }

    @Test
    void anUnknownBaseIsAClearError() throws Exception {
        Path repoDir = temp.resolve("repo");
        repository(repoDir, "main").close();
        GitWorkspaceProvider provider = GitWorkspaceProvider.open(repoDir, temp.resolve("wt"));

        assertThatThrownBy(() -> provider.create(WorkspaceSpec.builder("story-1", "feature/1").base("nope").build()))
                .isInstanceOfSatisfying(WorkspaceException.class, e -> {
                    assertThat(e.code()).isEqualTo("unknown_base");
                    assertThat(e.getMessage()).contains("'nope'");
                });
        assertThatThrownBy(() -> provider.create(WorkspaceSpec.builder("story-1", "feature/1")
                .startPoint("0123456789012345678901234567890123456789").build()))
                .isInstanceOfSatisfying(WorkspaceException.class, e -> assertThat(e.code())
                        .isEqualTo("unknown_start_point"));
        assertThat(temp.resolve("wt/story-1")).doesNotExist();
    }

    @Test
    void anEmptyRepositoryHasNoCommitsToStartFrom() throws Exception {
        Path repoDir = temp.resolve("empty");
        emptyRepository(repoDir).close();
        GitWorkspaceProvider provider = GitWorkspaceProvider.open(repoDir, temp.resolve("wt"));

        assertThatThrownBy(() -> provider.create(WorkspaceSpec.builder("story-1", "feature/1").build()))
                .isInstanceOfSatisfying(WorkspaceException.class, e -> {
                    assertThat(e.code()).isEqualTo("no_commits");
                    assertThat(e.fix()).contains("git commit");
                });
        assertThatThrownBy(provider::baseBranch).isInstanceOfSatisfying(WorkspaceException.class,
                e -> assertThat(e.code()).isEqualTo("no_commits"));
    }
}
