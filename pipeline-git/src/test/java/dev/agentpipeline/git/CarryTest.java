package dev.agentpipeline.git;

import dev.agentpipeline.spi.workspace.Workspace;
import dev.agentpipeline.spi.workspace.WorkspaceSpec;

import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.Status;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static dev.agentpipeline.git.GitFixture.commitFiles;
import static dev.agentpipeline.git.GitFixture.git;
import static dev.agentpipeline.git.GitFixture.lines;
import static dev.agentpipeline.git.GitFixture.read;
import static dev.agentpipeline.git.GitFixture.repository;
import static dev.agentpipeline.git.GitFixture.write;
import static org.assertj.core.api.Assertions.assertThat;

/** Uncommitted changes of the repository carried into a new workspace, as {@code git diff HEAD | git apply}. */
class CarryTest {

    @TempDir
    Path temp;

    private Path repoDir;
    private Git git;
    private GitWorkspaceProvider provider;

    @BeforeEach
    void setUp() throws Exception {
        repoDir = temp.resolve("repo");
        git = repository(repoDir, "main");
        commitFiles(git, "More files", Map.of("docs/guide.md", "# Guide\n", "logo.bin", "\0\1\2binary\0"));
        provider = GitWorkspaceProvider.builder(repoDir, temp.resolve("worktrees")).build();
    }

    @Test
    void carriesStagedAndUnstagedChangesOfTrackedFilesUnstaged() throws Exception {
        write(repoDir.resolve("src/app.txt"), lines(1, 10).replace("line 5\n", "line five\n")); // unstaged
        write(repoDir.resolve("src/new.txt"), "new and staged\n");
        git.add().addFilepattern("src/new.txt").call(); // staged new file
        Files.delete(repoDir.resolve("docs/guide.md")); // deleted
        Files.write(repoDir.resolve("logo.bin"), new byte[] {0, 9, 9, 9}); // binary change
        write(repoDir.resolve("untracked.txt"), "not carried\n");

        Workspace ws = provider.create(WorkspaceSpec.builder("story-1", "feature/1-carry").build());

        assertThat(ws.warnings()).isEmpty();
        Path dir = ws.directory();
        assertThat(read(dir.resolve("src/app.txt"))).contains("line five\n").doesNotContain("line 5\n");
        assertThat(read(dir.resolve("src/new.txt"))).isEqualTo("new and staged\n");
        assertThat(dir.resolve("docs/guide.md")).doesNotExist();
        assertThat(Files.readAllBytes(dir.resolve("logo.bin"))).containsExactly(0, 9, 9, 9);
        assertThat(dir.resolve("untracked.txt")).doesNotExist();
        // left unstaged, as git apply does; the repository keeps its changes
        Status status = Git.open(dir.toFile()).status().call();
        assertThat(status.getModified()).containsExactlyInAnyOrder("src/app.txt", "logo.bin");
        assertThat(status.getMissing()).containsExactly("docs/guide.md");
        assertThat(status.getUntracked()).containsExactly("src/new.txt");
        assertThat(git(dir, "diff", "HEAD", "--stat")).contains("src/app.txt");
        assertThat(read(repoDir.resolve("src/app.txt"))).contains("line five");
    }

    @Test
    void carriesATextPatchOntoABaseWhoseLinesMovedAsGitApplyWould() throws Exception {
        // the repository is on an older commit than main; the patch's context is found further down
        git.checkout().setCreateBranch(true).setName("old").call();
        git.checkout().setName("main").call();
        commitFiles(git, "Lines on top", Map.of("src/app.txt", "header 1\nheader 2\n" + lines(1, 10)));
        git.checkout().setName("old").call();
        write(repoDir.resolve("src/app.txt"), lines(1, 10).replace("line 8\n", "line eight\n"));

        Workspace ws = provider.create(WorkspaceSpec.builder("story-2", "feature/2-moved").build());

        assertThat(ws.warnings()).isEmpty();
        assertThat(read(ws.directory().resolve("src/app.txt")))
                .isEqualTo("header 1\nheader 2\n" + lines(1, 10).replace("line 8\n", "line eight\n"));
    }

    @Test
    void aPatchThatDoesNotApplyIsAWarningAndTheWorkspaceIsCreatedClean() throws Exception {
        git.checkout().setCreateBranch(true).setName("old").call();
        git.checkout().setName("main").call();
        commitFiles(git, "Rewrite", Map.of("src/app.txt", "entirely different\n"));
        git.checkout().setName("old").call();
        write(repoDir.resolve("README.md"), "# Project\n\nMore words.\n"); // would apply on its own
        write(repoDir.resolve("src/app.txt"), lines(1, 10).replace("line 3\n", "line three\n")); // cannot apply

        Workspace ws = provider.create(WorkspaceSpec.builder("story-3", "feature/3-conflict").build());

        assertThat(ws.warnings()).singleElement().asString()
                .startsWith("Patch conflicts -- continuing without uncommitted changes: ")
                .contains("src/app.txt");
        assertThat(ws.directory()).isDirectory();
        assertThat(Git.open(ws.directory().toFile()).status().call().isClean()).as("nothing half applied").isTrue();
        assertThat(read(ws.directory().resolve("README.md"))).isEqualTo("# Project\n");
        assertThat(read(ws.directory().resolve("src/app.txt"))).isEqualTo("entirely different\n");
    }

    @Test
    void aBinaryFileChangedOnBothSidesIsAWarning() throws Exception {
        git.checkout().setCreateBranch(true).setName("old").call();
        git.checkout().setName("main").call();
        commitFiles(git, "New logo", Map.of("logo.bin", "\0new logo\0"));
        git.checkout().setName("old").call();
        Files.write(repoDir.resolve("logo.bin"), new byte[] {0, 1, 1});

        Workspace ws = provider.create(WorkspaceSpec.builder("story-4", "feature/4-binary").build());

        assertThat(ws.warnings()).singleElement().asString().contains("logo.bin").contains("binary");
        assertThat(read(ws.directory().resolve("logo.bin"))).isEqualTo("\0new logo\0");
    }

    @Test
    void carriesNothingWhenAskedNotTo() throws Exception {
        write(repoDir.resolve("README.md"), "# Changed\n");

        Workspace ws = provider.create(WorkspaceSpec.builder("story-5", "feature/5-no-carry")
                .carryUncommittedChanges(false).build());

        assertThat(ws.warnings()).isEmpty();
        assertThat(read(ws.directory().resolve("README.md"))).isEqualTo("# Project\n");
    }

    @Test
    void carriesAModeChangeAndAFileWithoutAFinalNewline() throws Exception {
        write(repoDir.resolve("src/app.txt"), "no newline at the end");
        Path script = repoDir.resolve("run.sh");
        write(script, "#!/bin/sh\necho hi\n");
        git.add().addFilepattern("run.sh").call();
        script.toFile().setExecutable(true);

        Workspace ws = provider.create(WorkspaceSpec.builder("story-6", "feature/6-modes").build());

        assertThat(ws.warnings()).isEmpty();
        assertThat(read(ws.directory().resolve("src/app.txt"))).isEqualTo("no newline at the end");
        assertThat(Files.isExecutable(ws.directory().resolve("run.sh"))).isTrue();
    }
}
