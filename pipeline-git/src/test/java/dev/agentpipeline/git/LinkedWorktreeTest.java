package dev.agentpipeline.git;

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
import static dev.agentpipeline.git.GitFixture.git;
import static dev.agentpipeline.git.GitFixture.read;
import static dev.agentpipeline.git.GitFixture.repository;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Workspaces as linked worktrees made with the git command line. */
class LinkedWorktreeTest {

    @TempDir
    Path temp;

    private Path repoDir;
    private Path root;
    private Git git;
    private GitWorkspaceProvider provider;

    @BeforeEach
    void setUp() throws Exception {
        repoDir = temp.resolve("repo");
        root = temp.resolve("worktrees");
        git = repository(repoDir, "main");
        provider = GitWorkspaceProvider.builder(repoDir, root).gitCommandLine(true).build();
    }

    @Test
    void createsALinkedWorktreeOnANewBranchFromTheBase() throws Exception {
        ObjectId mainTip = git.getRepository().resolve("main");

        Workspace ws = provider.create(WorkspaceSpec.builder("story-US001", "feature/US001-login").build());

        assertThat(ws.kind()).isEqualTo(Workspace.Kind.LINKED_WORKTREE);
        assertThat(ws.name()).isEqualTo("story-US001");
        assertThat(ws.directory()).isEqualTo(root.toRealPath().resolve("story-US001"));
        assertThat(ws.branch()).isEqualTo("feature/US001-login");
        assertThat(ws.baseCommit()).isEqualTo(mainTip.name());
        assertThat(ws.warnings()).isEmpty();
        assertThat(read(ws.directory().resolve("src/app.txt"))).startsWith("line 1\n");
        assertThat(Files.isRegularFile(ws.directory().resolve(".git"))).as("a linked worktree's .git file").isTrue();
        assertThat(git(ws.directory(), "rev-parse", "--abbrev-ref", "HEAD").strip()).isEqualTo("feature/US001-login");
        assertThat(git(repoDir, "worktree", "list", "--porcelain")).contains("worktree " + ws.directory());
        assertThat(provider.head(ws)).isEqualTo(mainTip.name());
        // the repository itself is untouched: still on main
        assertThat(git.getRepository().getBranch()).isEqualTo("main");
    }

    @Test
    void setsGcAutoToZeroOnTheRepositoryItManages() throws Exception {
        assertThat(git.getRepository().getConfig().getString("gc", null, "auto")).isNull();

        provider.create(WorkspaceSpec.builder("story-1", "feature/1-gc").build());

        git.getRepository().getConfig().load();
        assertThat(git.getRepository().getConfig().getString("gc", null, "auto")).isEqualTo("0");
        assertThat(git(repoDir, "config", "--get", "gc.auto").strip()).isEqualTo("0");
    }

    @Test
    void resumesAnExistingBranchAsItIs() throws Exception {
        Workspace first = provider.create(WorkspaceSpec.builder("story-1", "feature/1-resume").build());
        write(first.directory().resolve("work.txt"), "stage 2 output\n");
        String committed = provider.commitAll(first, "Stage 2", false);
        provider.remove(first, false);
        assertThat(first.directory()).doesNotExist();

        Workspace resumed = provider.create(WorkspaceSpec.builder("story-1", "feature/1-resume").build());

        assertThat(provider.head(resumed)).isEqualTo(committed);
        assertThat(read(resumed.directory().resolve("work.txt"))).isEqualTo("stage 2 output\n");
        assertThat(resumed.baseCommit()).isEqualTo(git.getRepository().resolve("main").name());
    }

    @Test
    void startsANewBranchAtTheStartPoint() throws Exception {
        RevCommit first = git.log().call().iterator().next();
        commitFiles(git, "Second", Map.of("second.txt", "2\n"));

        Workspace ws = provider.create(WorkspaceSpec.builder("story-2", "feature/2-rework")
                .startPoint(first.name()).build());

        assertThat(provider.head(ws)).isEqualTo(first.name());
        assertThat(ws.directory().resolve("second.txt")).doesNotExist();
        assertThat(ws.baseCommit()).isEqualTo(first.name());
    }

    @Test
    void resetsAnExistingBranchToTheStartPointAndWarnsAboutTheCommitsItLeaves() throws Exception {
        Workspace first = provider.create(WorkspaceSpec.builder("story-3", "feature/3-green").build());
        write(first.directory().resolve("green.txt"), "passed the gate\n");
        String green = provider.commitAll(first, "Green", false);
        write(first.directory().resolve("red.txt"), "failed the gate\n");
        provider.commitAll(first, "Red", false);
        provider.remove(first, false);

        Workspace again = provider.create(WorkspaceSpec.builder("story-3", "feature/3-green").startPoint(green)
                .build());

        assertThat(provider.head(again)).isEqualTo(green);
        assertThat(again.directory().resolve("green.txt")).exists();
        assertThat(again.directory().resolve("red.txt")).doesNotExist();
        assertThat(again.warnings()).singleElement().asString()
                .contains("Reset feature/3-green").contains("1 commit(s) are no longer on the branch");
        assertThat(git.getRepository().resolve("feature/3-green").name()).isEqualTo(green);
    }

    @Test
    void refusesAWorkspaceThatExists() {
        provider.create(WorkspaceSpec.builder("story-4", "feature/4-a").build());

        assertThatThrownBy(() -> provider.create(WorkspaceSpec.builder("story-4", "feature/4-b").build()))
                .isInstanceOfSatisfying(WorkspaceException.class, e -> {
                    assertThat(e.code()).isEqualTo("workspace_exists");
                    assertThat(e.getMessage()).contains("story-4");
                    assertThat(e.fix()).contains("find(\"story-4\")");
                });
    }

    @Test
    void refusesABranchCheckedOutInAnotherWorktreeAndLeavesNothingBehind() throws Exception {
        provider.create(WorkspaceSpec.builder("story-5", "feature/5-twice").build());

        assertThatThrownBy(() -> provider.create(WorkspaceSpec.builder("story-5b", "feature/5-twice").build()))
                .isInstanceOfSatisfying(WorkspaceException.class, e -> {
                    assertThat(e.code()).isEqualTo("branch_checked_out");
                    assertThat(e.getMessage()).contains("already checked out");
                });
        assertThat(root.resolve("story-5b")).doesNotExist();
    }

    @Test
    void recreatesAWorkspaceWhoseDirectoryWasDeletedByHand() throws Exception {
        Workspace ws = provider.create(WorkspaceSpec.builder("story-6", "feature/6-lost").build());
        GitWorkspaceProvider.deleteTree(ws.directory()); // git still has it registered, with its branch

        Workspace again = provider.create(WorkspaceSpec.builder("story-6", "feature/6-lost").build());

        assertThat(again.directory()).isDirectory();
        assertThat(git(again.directory(), "rev-parse", "--abbrev-ref", "HEAD").strip()).isEqualTo("feature/6-lost");
    }

    @Test
    void startsFromOriginsBranchWhenOnlyTheRemoteHasIt() throws Exception {
        Path remote = temp.resolve("remote.git");
        GitFixture.bareOrigin(git, remote);
        git.checkout().setCreateBranch(true).setName("feature/7-elsewhere").call();
        RevCommit pushed = commitFiles(git, "Saved elsewhere", Map.of("saved.txt", "saved\n"));
        git.push().setRemote("origin").add("feature/7-elsewhere").call();
        git.fetch().setRemote("origin").call();
        git.checkout().setName("main").call();
        git.branchDelete().setBranchNames("feature/7-elsewhere").setForce(true).call();

        Workspace ws = provider.create(WorkspaceSpec.builder("story-7", "feature/7-elsewhere").build());

        assertThat(provider.head(ws)).isEqualTo(pushed.name());
        assertThat(ws.baseCommit()).isEqualTo(git.getRepository().resolve("main").name());
    }

    @Test
    void excludesAWorkspaceRootInsideTheRepositoryFromItsUntrackedFiles() throws Exception {
        GitWorkspaceProvider inside = GitWorkspaceProvider.builder(repoDir, repoDir.resolve(".pipeline/worktrees"))
                .build();

        inside.create(WorkspaceSpec.builder("story-8", "feature/8-inside").build());

        assertThat(read(repoDir.resolve(".git/info/exclude"))).contains("/.pipeline/worktrees/");
        assertThat(git(repoDir, "status", "--porcelain")).isEmpty();
        inside.create(WorkspaceSpec.builder("story-9", "feature/9-inside").build());
        assertThat(read(repoDir.resolve(".git/info/exclude"))).containsOnlyOnce("/.pipeline/worktrees/");
    }

    @Test
    void listsAndFindsTheWorkspacesOfThisRepositoryOnly() throws Exception {
        Workspace b = provider.create(WorkspaceSpec.builder("story-b", "feature/b").build());
        Workspace a = provider.create(WorkspaceSpec.builder("story-a", "feature/a").build());
        Files.createDirectories(root.resolve("not-a-workspace"));
        // a worktree of this repository elsewhere, and a repository of its own under the root: not ours
        git(repoDir, "worktree", "add", "-b", "elsewhere", temp.resolve("elsewhere").toString(), "main");
        repository(root.resolve("other-repo"), "main").close();

        assertThat(provider.list()).extracting(Workspace::name).containsExactly("story-a", "story-b");
        assertThat(provider.list()).containsExactly(a, b);
        assertThat(provider.find("story-a")).contains(a);
        assertThat(provider.find("story-z")).isEmpty();
        assertThat(provider.find("not-a-workspace")).isEmpty();
        assertThat(provider.find("other-repo")).isEmpty();
    }

    @Test
    void opensTheRepositoryFromAnyDirectoryInsideItsWorkingTree() throws Exception {
        GitWorkspaceProvider fromSubdirectory = GitWorkspaceProvider.open(repoDir.resolve("src"), root);

        assertThat(fromSubdirectory.repository()).isEqualTo(repoDir.toRealPath());
        assertThat(fromSubdirectory.baseBranch()).isEqualTo("main");
    }

    @Test
    void worksOnTheSameRepositoryWhenOpenedFromInsideOneOfItsWorkspaces() throws Exception {
        Workspace ws = provider.create(WorkspaceSpec.builder("story-c", "feature/c").build());

        GitWorkspaceProvider fromWorkspace = GitWorkspaceProvider.open(ws.directory(), root);

        assertThat(fromWorkspace.list()).extracting(Workspace::name).containsExactly("story-c");
        assertThat(fromWorkspace.isMerged("main", "feature/c")).isTrue();
    }

    private static void write(Path file, String content) throws Exception {
        GitFixture.write(file, content);
    }
}
