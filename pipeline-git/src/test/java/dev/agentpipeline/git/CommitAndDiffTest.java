package dev.agentpipeline.git;

import dev.agentpipeline.spi.workspace.DiffStats;
import dev.agentpipeline.spi.workspace.Workspace;
import dev.agentpipeline.spi.workspace.WorkspaceException;
import dev.agentpipeline.spi.workspace.WorkspaceSpec;

import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.agentpipeline.git.GitFixture.commitFiles;
import static dev.agentpipeline.git.GitFixture.git;
import static dev.agentpipeline.git.GitFixture.lines;
import static dev.agentpipeline.git.GitFixture.repository;
import static dev.agentpipeline.git.GitFixture.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Committing everything in a workspace and counting what changed against its base. */
class CommitAndDiffTest {

    @TempDir
    Path temp;

    private Git git;
    private GitWorkspaceProvider provider;
    private Workspace ws;

    @BeforeEach
    void setUp() throws Exception {
        Path repoDir = temp.resolve("repo");
        git = repository(repoDir, "main");
        commitFiles(git, "More", Map.of("old.txt", "old\n", "big.txt", lines(1, 30), "image.bin", "\0\1\2"));
        provider = GitWorkspaceProvider.open(repoDir, temp.resolve("wt"));
        ws = provider.create(WorkspaceSpec.builder("story-1", "feature/1-commit").build());
    }

    @Test
    void commitAllAddsChangesAndDeletesLikeGitAddAll() throws Exception {
        Path dir = ws.directory();
        write(dir.resolve("added/new.txt"), "new\n");
        write(dir.resolve("README.md"), "# Changed\n");
        Files.delete(dir.resolve("old.txt"));

        String commit = provider.commitAll(ws, "US001: add, change, delete", false);

        assertThat(commit).isEqualTo(provider.head(ws));
        try (Git wsGit = Git.open(dir.toFile())) {
            RevCommit head = GitFixture.commit(wsGit.getRepository(), ObjectId.fromString(commit));
            assertThat(head.getFullMessage()).isEqualTo("US001: add, change, delete");
            assertThat(head.getParentCount()).isEqualTo(1);
            assertThat(paths(wsGit, head)).contains("added/new.txt", "README.md").doesNotContain("old.txt");
            assertThat(wsGit.status().call().isClean()).isTrue();
        }
        assertThat(git.getRepository().resolve("feature/1-commit").name()).isEqualTo(commit);
        assertThat(git(dir, "log", "-1", "--format=%s").strip()).isEqualTo("US001: add, change, delete");
    }

    @Test
    void nothingToCommitReturnsTheHeadUnlessEmptyCommitsAreAllowed() {
        String head = provider.head(ws);

        assertThat(provider.commitAll(ws, "nothing", false)).isEqualTo(head);
        String empty = provider.commitAll(ws, "WIP: empty", true);

        assertThat(empty).isNotEqualTo(head);
        assertThat(provider.head(ws)).isEqualTo(empty);
    }

    @Test
    void aCommitMessageIsRequired() {
        assertThatThrownBy(() -> provider.commitAll(ws, " ", true)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("commit message");
    }

    @Test
    void diffStatsCountCommittedAndUncommittedWorkAgainstTheBase() throws Exception {
        Path dir = ws.directory();
        assertThat(provider.diffStats(ws)).isEqualTo(DiffStats.NONE);

        // committed: 2 lines changed in big.txt (2 deleted, 3 added), a new file of 4 lines
        write(dir.resolve("big.txt"), lines(1, 30).replace("line 10\n", "ten\n").replace("line 20\n", "twenty\nmore\n"));
        write(dir.resolve("new.txt"), lines(1, 4));
        provider.commitAll(ws, "Stage 2", false);
        // uncommitted: old.txt deleted (1 line), an untracked file (2 lines)
        Files.delete(dir.resolve("old.txt"));
        write(dir.resolve("untracked.txt"), "a\nb\n");

        assertThat(provider.diffStats(ws)).isEqualTo(new DiffStats(4, 3 + 4 + 2, 2 + 1));
    }

    @Test
    void aRenameCountsOnceAndABinaryFileCountsWithoutLines() throws Exception {
        Path dir = ws.directory();
        Files.move(dir.resolve("big.txt"), Files.createDirectories(dir.resolve("moved")).resolve("big.txt"));
        Files.write(dir.resolve("image.bin"), new byte[] {0, 7, 7, 7});
        provider.commitAll(ws, "Rename and binary", false);

        assertThat(provider.diffStats(ws)).isEqualTo(new DiffStats(2, 0, 0));
    }

    @Test
    void diffStatsOfAWorkspaceWithAForgedBaseCommitIsAClearError() {
        Workspace forged = new Workspace(ws.name(), ws.directory(), ws.branch(), "f".repeat(40), ws.kind(),
                List.of());

        assertThatThrownBy(() -> provider.diffStats(forged)).isInstanceOfSatisfying(WorkspaceException.class,
                e -> assertThat(e.code()).isEqualTo("unknown_commit"));
    }

    @Test
    void aWorkspaceDeletedByHandIsMissing() throws Exception {
        GitWorkspaceProvider.deleteTree(ws.directory());

        assertThatThrownBy(() -> provider.head(ws)).isInstanceOfSatisfying(WorkspaceException.class, e -> {
            assertThat(e.code()).isEqualTo("workspace_missing");
            assertThat(e.fix()).contains("feature/1-commit");
        });
    }

    private static List<String> paths(Git git, RevCommit commit) throws Exception {
        List<String> paths = new ArrayList<>();
        try (TreeWalk walk = new TreeWalk(git.getRepository())) {
            walk.addTree(commit.getTree());
            walk.setRecursive(true);
            while (walk.next()) {
                paths.add(walk.getPathString());
            }
        }
        return paths;
    }
}
