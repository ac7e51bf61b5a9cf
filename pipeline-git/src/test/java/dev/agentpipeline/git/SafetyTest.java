package dev.agentpipeline.git;

import dev.agentpipeline.spi.workspace.Workspace;
import dev.agentpipeline.spi.workspace.WorkspaceException;
import dev.agentpipeline.spi.workspace.WorkspaceSpec;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static dev.agentpipeline.git.GitFixture.repository;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Names, branches and paths are checked before they touch the file system or git. */
class SafetyTest {

    @TempDir
    Path temp;

    private Path repoDir;
    private Path root;
    private GitWorkspaceProvider provider;

    @BeforeEach
    void setUp() throws Exception {
        repoDir = temp.resolve("repo");
        root = temp.resolve("worktrees");
        repository(repoDir, "main").close();
        provider = GitWorkspaceProvider.open(repoDir, root);
    }

    @ParameterizedTest
    @ValueSource(strings = {"../x", "/abs", "a/b", ".hidden", "-rf", "has space", "a..b", "", "tab\there", "ü",
            "C:\\x"})
    void refusesUnsafeWorkspaceNamesBeforeTouchingAnything(String name) {
        assertThatThrownBy(() -> provider.create(WorkspaceSpec.builder(name, "feature/x").build()))
                .isInstanceOfSatisfying(WorkspaceException.class, e -> {
                    assertThat(e.code()).isEqualTo("unsafe_name");
                    assertThat(e.getMessage()).contains("'" + name + "'");
                    assertThat(e.fix()).isNotEmpty();
                });
        assertThatThrownBy(() -> provider.find(name)).isInstanceOf(WorkspaceException.class);
        assertThat(root).doesNotExist();
        assertThat(temp.resolve("x")).doesNotExist();
    }

    @Test
    void acceptsTheLongestNameAndNoLonger() {
        String longest = "a".repeat(Names.MAX_NAME);

        assertThat(provider.create(WorkspaceSpec.builder(longest, "feature/long").build()).name()).isEqualTo(longest);
        assertThatThrownBy(() -> provider.create(WorkspaceSpec.builder(longest + "a", "feature/longer").build()))
                .isInstanceOfSatisfying(WorkspaceException.class, e -> assertThat(e.code()).isEqualTo("unsafe_name"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"feature/a b", "feature/..x", "-feature", "feature/x.lock", "feature//x", "HEAD",
            "feature/x~1", "feature/x^", "feature:x", "feature/x@{1}", "refs/heads/x", "feature/.x", "feature/", ""})
    void refusesInvalidBranchNames(String branch) {
        assertThatThrownBy(() -> provider.create(WorkspaceSpec.builder("story-1", branch).build()))
                .isInstanceOfSatisfying(WorkspaceException.class, e -> {
                    assertThat(e.code()).isEqualTo("unsafe_branch");
                    assertThat(e.fix()).contains("GitBranches.featureBranch");
                });
        assertThatThrownBy(() -> provider.merge(branch, "main", "m")).isInstanceOf(WorkspaceException.class);
        assertThat(root).doesNotExist();
    }

    @Test
    void refusesAWorkspaceNameThatIsASymbolicLinkOutOfTheRoot() throws Exception {
        Path outside = Files.createDirectories(temp.resolve("outside"));
        Files.writeString(outside.resolve("precious.txt"), "keep me\n");
        Files.createDirectories(root);
        Files.createSymbolicLink(root.resolve("story-1"), outside);
        Workspace forged = new Workspace("story-1", root.resolve("story-1"), "feature/1", "0".repeat(40),
                Workspace.Kind.CLONE, List.of());

        assertThatThrownBy(() -> provider.create(WorkspaceSpec.builder("story-1", "feature/1").build()))
                .isInstanceOfSatisfying(WorkspaceException.class, e -> {
                    assertThat(e.code()).isEqualTo("unsafe_path");
                    assertThat(e.getMessage()).contains("symbolic link").contains(outside.toString());
                });
        assertThatThrownBy(() -> provider.find("story-1")).isInstanceOfSatisfying(WorkspaceException.class,
                e -> assertThat(e.code()).isEqualTo("unsafe_path"));
        assertThatThrownBy(() -> provider.remove(forged, true)).isInstanceOfSatisfying(WorkspaceException.class,
                e -> assertThat(e.code()).isEqualTo("unsafe_path"));
        assertThat(provider.list()).isEmpty();
        assertThat(outside.resolve("precious.txt")).hasContent("keep me");
    }

    @Test
    void aSymbolicallyLinkedRootIsFollowedOnce() throws Exception {
        Path realRoot = Files.createDirectories(temp.resolve("real-root"));
        Files.createSymbolicLink(root, realRoot);

        Workspace ws = provider.create(WorkspaceSpec.builder("story-1", "feature/1").build());

        assertThat(ws.directory()).isEqualTo(realRoot.toRealPath().resolve("story-1"));
        assertThat(provider.find("story-1")).contains(ws);
    }

    @Test
    void refusesWorkspacesItDidNotMake() throws Exception {
        Workspace real = provider.create(WorkspaceSpec.builder("story-1", "feature/1").build());
        Path elsewhere = Files.createDirectories(temp.resolve("elsewhere"));
        Workspace wrongDirectory = new Workspace("story-1", elsewhere, real.branch(), real.baseCommit(),
                Workspace.Kind.LINKED_WORKTREE, List.of());
        Workspace notInPlace = new Workspace("story-1", elsewhere, real.branch(), real.baseCommit(),
                Workspace.Kind.IN_PLACE, List.of());

        for (Workspace forged : List.of(wrongDirectory, notInPlace)) {
            assertThatThrownBy(() -> provider.remove(forged, true)).isInstanceOfSatisfying(WorkspaceException.class,
                    e -> assertThat(e.code()).isEqualTo("foreign_workspace"));
            assertThatThrownBy(() -> provider.commitAll(forged, "x", true))
                    .isInstanceOfSatisfying(WorkspaceException.class,
                            e -> assertThat(e.code()).isEqualTo("foreign_workspace"));
        }
        assertThat(elsewhere).exists();
        assertThat(real.directory()).exists();
    }

    @Test
    void aDirectoryOutsideAnyRepositoryIsNotARepository() throws Exception {
        Path plain = Files.createDirectories(temp.resolve("plain/dir"));

        assertThatThrownBy(() -> GitWorkspaceProvider.open(plain, root))
                .isInstanceOfSatisfying(WorkspaceException.class, e -> {
                    assertThat(e.code()).isEqualTo("not_a_repository");
                    assertThat(e.getMessage()).contains(plain.toString());
                    assertThat(e.fix()).contains("git init");
                });
        assertThatThrownBy(() -> GitWorkspaceProvider.open(temp.resolve("missing"), root))
                .isInstanceOfSatisfying(WorkspaceException.class, e -> assertThat(e.code())
                        .isEqualTo("not_a_repository"));
    }

    @Test
    void refusesAWorkspaceRootInsideTheGitDirectory() {
        assertThatThrownBy(() -> GitWorkspaceProvider.open(repoDir, repoDir.resolve(".git/worktrees-of-ours")))
                .isInstanceOfSatisfying(WorkspaceException.class, e -> assertThat(e.code()).isEqualTo("unsafe_path"));
    }

    @Test
    void refusesAGitExecutableThatDoesNotRunWhenTheCommandLineIsAskedFor() {
        assertThatThrownBy(() -> GitWorkspaceProvider.builder(repoDir, root).gitCommandLine(true)
                .gitExecutable(temp.resolve("no-such-git").toString()).build())
                .isInstanceOfSatisfying(WorkspaceException.class, e -> {
                    assertThat(e.code()).isEqualTo("git_not_found");
                    assertThat(e.fix()).contains("gitCommandLine(false)");
                });
        // without the explicit wish, a missing git means clones
        assertThat(GitWorkspaceProvider.builder(repoDir, root).gitExecutable(temp.resolve("no-such-git").toString())
                .build().usesCommandLine()).isFalse();
    }
}
