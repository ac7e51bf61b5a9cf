package dev.agentpipeline.git;

import dev.agentpipeline.spi.workspace.MergeResult;
import dev.agentpipeline.spi.workspace.Workspace;
import dev.agentpipeline.spi.workspace.WorkspaceException;
import dev.agentpipeline.spi.workspace.WorkspaceSpec;

import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static dev.agentpipeline.git.GitFixture.commitFiles;
import static dev.agentpipeline.git.GitFixture.files;
import static dev.agentpipeline.git.GitFixture.git;
import static dev.agentpipeline.git.GitFixture.lines;
import static dev.agentpipeline.git.GitFixture.read;
import static dev.agentpipeline.git.GitFixture.refs;
import static dev.agentpipeline.git.GitFixture.repository;
import static dev.agentpipeline.git.GitFixture.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Merging without fast-forward, after an in-memory dry run. */
class MergeTest {

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
    void makesAMergeCommitWithTwoParentsEvenWhenAFastForwardWouldDo() throws Exception {
        ObjectId mainBefore = git.getRepository().resolve("main");
        Workspace ws = provider.create(WorkspaceSpec.builder("story-1", "feature/1").build());
        write(ws.directory().resolve("feature.txt"), "feature\n");
        String featureCommit = provider.commitAll(ws, "Feature", false);
        assertThat(provider.isMerged("feature/1", "main")).isFalse();

        MergeResult result = provider.merge("feature/1", "main", "Merge feature/1");

        assertThat(result.status()).isEqualTo(MergeResult.Status.MERGED);
        assertThat(result.conflicts()).isEmpty();
        ObjectId mainAfter = git.getRepository().resolve("main");
        assertThat(result.commit()).contains(mainAfter.name());
        RevCommit merge = GitFixture.commit(git.getRepository(), mainAfter);
        assertThat(merge.getParentCount()).isEqualTo(2);
        assertThat(merge.getParent(0).name()).isEqualTo(mainBefore.name());
        assertThat(merge.getParent(1).name()).isEqualTo(featureCommit);
        assertThat(merge.getFullMessage()).isEqualTo("Merge feature/1\n");
        assertThat(provider.isMerged("feature/1", "main")).isTrue();
        // main is checked out in the repository: its files and index follow, and nothing is left uncommitted
        assertThat(read(repoDir.resolve("feature.txt"))).isEqualTo("feature\n");
        assertThat(git.status().call().isClean()).isTrue();
        assertThat(git(repoDir, "status", "--porcelain")).isEmpty();
        assertThat(git(repoDir, "log", "-1", "--format=%P").strip()).isEqualTo(mainBefore.name() + " " + featureCommit);
    }

    @Test
    void mergesBranchesThatBothMovedAndLeavesBranchesNotCheckedOutAlone() throws Exception {
        Workspace a = provider.create(WorkspaceSpec.builder("story-a", "feature/a").build());
        write(a.directory().resolve("src/app.txt"), lines(1, 10).replace("line 2\n", "line two\n"));
        provider.commitAll(a, "A", false);
        git.checkout().setCreateBranch(true).setName("integration").call();
        commitFiles(git, "Integration", Map.of("src/app.txt", lines(1, 10).replace("line 9\n", "line nine\n")));
        git.checkout().setName("main").call();
        Map<String, String> repoFiles = files(repoDir);

        MergeResult result = provider.merge("feature/a", "integration", "Merge feature/a into integration");

        assertThat(result.status()).isEqualTo(MergeResult.Status.MERGED);
        try (Git integration = Git.wrap(git.getRepository())) {
            String merged = new String(integration.getRepository().open(
                    integration.getRepository().resolve("integration:src/app.txt")).getBytes());
            assertThat(merged).contains("line two").contains("line nine");
        }
        assertThat(files(repoDir)).as("main's working tree untouched").isEqualTo(repoFiles);
    }

    @Test
    void conflictsAreReportedAndNothingIsTouched() throws Exception {
        Workspace ws = provider.create(WorkspaceSpec.builder("story-2", "feature/2").build());
        write(ws.directory().resolve("src/app.txt"), lines(1, 10).replace("line 5\n", "feature five\n"));
        write(ws.directory().resolve("README.md"), "# Feature readme\n");
        write(ws.directory().resolve("only-feature.txt"), "f\n");
        provider.commitAll(ws, "Feature side", false);
        commitFiles(git, "Main side", Map.of("src/app.txt", lines(1, 10).replace("line 5\n", "main five\n"),
                "README.md", "# Main readme\n", "only-main.txt", "m\n"));
        write(ws.directory().resolve("scratch.txt"), "uncommitted in the workspace\n");
        Map<String, String> refsBefore = refs(git.getRepository());
        Map<String, String> repoFilesBefore = files(repoDir);
        Map<String, String> wsFilesBefore = files(ws.directory());
        byte[] indexBefore = Files.readAllBytes(repoDir.resolve(".git/index"));
        Path wsIndex = repoDir.resolve(".git/worktrees/story-2/index");
        byte[] wsIndexBefore = Files.readAllBytes(wsIndex);

        MergeResult result = provider.merge("feature/2", "main", "Merge feature/2");

        assertThat(result.status()).isEqualTo(MergeResult.Status.CONFLICTS);
        assertThat(result.conflicts()).containsExactly("README.md", "src/app.txt");
        assertThat(result.commit()).isEmpty();
        assertThat(refs(git.getRepository())).isEqualTo(refsBefore);
        assertThat(files(repoDir)).isEqualTo(repoFilesBefore);
        assertThat(files(ws.directory())).isEqualTo(wsFilesBefore);
        assertThat(Files.readAllBytes(repoDir.resolve(".git/index"))).isEqualTo(indexBefore);
        assertThat(Files.readAllBytes(wsIndex)).isEqualTo(wsIndexBefore);
        assertThat(repoDir.resolve(".git/MERGE_HEAD")).doesNotExist();
        assertThat(git(repoDir, "status", "--porcelain")).isEmpty();
    }

    @Test
    void anAlreadyMergedBranchIsUpToDate() throws Exception {
        git.branchCreate().setName("feature/old").call();
        commitFiles(git, "Main moved on", Map.of("later.txt", "later\n"));
        ObjectId mainBefore = git.getRepository().resolve("main");

        MergeResult result = provider.merge("feature/old", "main", "Merge feature/old");

        assertThat(result.status()).isEqualTo(MergeResult.Status.UP_TO_DATE);
        assertThat(result.commit()).isEmpty();
        assertThat(git.getRepository().resolve("main")).isEqualTo(mainBefore);
        assertThat(provider.isMerged("feature/old", "main")).isTrue();
    }

    @Test
    void refusesToMergeIntoABranchCheckedOutWithUncommittedChanges() throws Exception {
        Workspace ws = provider.create(WorkspaceSpec.builder("story-3", "feature/3").build());
        write(ws.directory().resolve("feature.txt"), "feature\n");
        provider.commitAll(ws, "Feature", false);
        write(repoDir.resolve("README.md"), "# Edited on main, not committed\n");
        ObjectId mainBefore = git.getRepository().resolve("main");

        String repoPath = repoDir.toRealPath().toString();
        assertThatThrownBy(() -> provider.merge("feature/3", "main", "Merge"))
                .isInstanceOfSatisfying(WorkspaceException.class, e -> {
                    assertThat(e.code()).isEqualTo("into_has_uncommitted_changes");
                    assertThat(e.getMessage()).contains("README.md").contains(repoPath);
                    assertThat(e.fix()).contains("Commit or stash");
                });
        assertThat(git.getRepository().resolve("main")).isEqualTo(mainBefore);
        assertThat(read(repoDir.resolve("README.md"))).isEqualTo("# Edited on main, not committed\n");
        assertThat(repoDir.resolve("feature.txt")).doesNotExist();
    }

    @Test
    void refusesWhenAnUntrackedFileIsInTheWayOfTheCheckedOutBranch() throws Exception {
        Workspace ws = provider.create(WorkspaceSpec.builder("story-4", "feature/4").build());
        write(ws.directory().resolve("feature.txt"), "feature\n");
        provider.commitAll(ws, "Feature", false);
        write(repoDir.resolve("feature.txt"), "an untracked file of the same name\n");
        ObjectId mainBefore = git.getRepository().resolve("main");

        assertThatThrownBy(() -> provider.merge("feature/4", "main", "Merge"))
                .isInstanceOfSatisfying(WorkspaceException.class, e -> assertThat(e.code())
                        .isEqualTo("into_checkout_conflict"));
        assertThat(git.getRepository().resolve("main")).isEqualTo(mainBefore);
        assertThat(read(repoDir.resolve("feature.txt"))).isEqualTo("an untracked file of the same name\n");
    }

    @Test
    void mergesIntoABranchCheckedOutInAnotherWorkspaceAndMovesItsFiles() throws Exception {
        Workspace target = provider.create(WorkspaceSpec.builder("story-t", "feature/target").build());
        Workspace source = provider.create(WorkspaceSpec.builder("story-s", "feature/source").build());
        write(source.directory().resolve("source.txt"), "source\n");
        provider.commitAll(source, "Source", false);

        MergeResult result = provider.merge("feature/source", "feature/target", "Merge source into target");

        assertThat(result.status()).isEqualTo(MergeResult.Status.MERGED);
        assertThat(provider.head(target)).isEqualTo(result.commit().orElseThrow());
        assertThat(read(target.directory().resolve("source.txt"))).isEqualTo("source\n");
        assertThat(git(target.directory(), "status", "--porcelain")).isEmpty();
    }

    @Test
    void unknownAndIdenticalBranchesAreClearErrors() {
        assertThatThrownBy(() -> provider.merge("feature/nope", "main", "m"))
                .isInstanceOfSatisfying(WorkspaceException.class, e -> {
                    assertThat(e.code()).isEqualTo("unknown_branch");
                    assertThat(e.getMessage()).contains("feature/nope").contains("main");
                });
        assertThatThrownBy(() -> provider.isMerged("main", "feature/nope"))
                .isInstanceOfSatisfying(WorkspaceException.class, e -> assertThat(e.code())
                        .isEqualTo("unknown_branch"));
        assertThatThrownBy(() -> provider.merge("main", "main", "m"))
                .isInstanceOfSatisfying(WorkspaceException.class, e -> assertThat(e.code()).isEqualTo("same_branch"));
    }

    @Test
    void isMergedAcceptsRemoteTrackingBranches() throws Exception {
        GitFixture.bareOrigin(git, temp.resolve("origin.git"));
        git.branchCreate().setName("feature/pushed").call();

        assertThat(provider.isMerged("feature/pushed", "origin/main")).isTrue();
    }
}
