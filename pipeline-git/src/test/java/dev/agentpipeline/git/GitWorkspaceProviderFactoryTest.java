package dev.agentpipeline.git;

import dev.agentpipeline.spi.workspace.Workspace;
import dev.agentpipeline.spi.workspace.WorkspaceException;
import dev.agentpipeline.spi.workspace.WorkspaceProvider;
import dev.agentpipeline.spi.workspace.WorkspaceProviderFactory;
import dev.agentpipeline.spi.workspace.WorkspaceSpec;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.ServiceLoader;

import static dev.agentpipeline.git.GitFixture.repository;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The factory is found through {@link ServiceLoader}, as the runtime finds it. */
class GitWorkspaceProviderFactoryTest {

    @TempDir
    Path temp;

    @Test
    void isFoundByServiceLoaderWithTheIdGit() {
        List<WorkspaceProviderFactory> factories = ServiceLoader.load(WorkspaceProviderFactory.class).stream()
                .map(ServiceLoader.Provider::get).toList();

        assertThat(factories).extracting(WorkspaceProviderFactory::id).containsExactly("git");
        assertThat(factories.get(0)).isInstanceOf(GitWorkspaceProviderFactory.class);
    }

    @Test
    void opensAProviderThatCreatesWorkspaces() throws Exception {
        repository(temp.resolve("repo"), "main").close();
        WorkspaceProviderFactory factory = ServiceLoader.load(WorkspaceProviderFactory.class).findFirst()
                .orElseThrow();

        WorkspaceProvider workspaces = factory.open(temp.resolve("repo"), temp.resolve("repo/.pipeline/worktrees"));
        Workspace ws = workspaces.create(WorkspaceSpec.builder("story-US001",
                GitBranches.featureBranch("US001", "Login form")).build());

        assertThat(ws.branch()).isEqualTo("feature/US001-login-form");
        assertThat(workspaces.list()).containsExactly(ws);
    }

    @Test
    void opensAProviderOnTheBaseBranchItIsGiven() throws Exception {
        repository(temp.resolve("repo"), "trunk").close();
        WorkspaceProviderFactory factory = new GitWorkspaceProviderFactory();

        WorkspaceProvider workspaces = factory.open(temp.resolve("repo"), temp.resolve("wt"), "trunk");
        Workspace ws = workspaces.create(WorkspaceSpec.builder("story-US002", "feature/US002").build());

        assertThat(workspaces.baseBranch()).isEqualTo("trunk");
        assertThat(workspaces.list()).containsExactly(ws);
        assertThatThrownBy(() -> factory.open(temp.resolve("repo"), temp.resolve("wt"), "bad..name"))
                .isInstanceOfSatisfying(WorkspaceException.class, e -> assertThat(e.code())
                        .isEqualTo("unsafe_branch"));
        assertThatThrownBy(() -> factory.open(temp.resolve("repo"), temp.resolve("wt")).baseBranch())
                .isInstanceOfSatisfying(WorkspaceException.class, e -> assertThat(e.code())
                        .isEqualTo("no_base_branch"));
    }

    @Test
    void refusesADirectoryThatIsNotInARepository() {
        assertThatThrownBy(() -> new GitWorkspaceProviderFactory().open(temp, temp.resolve("wt")))
                .isInstanceOfSatisfying(WorkspaceException.class, e -> assertThat(e.code())
                        .isEqualTo("not_a_repository"));
    }
}
