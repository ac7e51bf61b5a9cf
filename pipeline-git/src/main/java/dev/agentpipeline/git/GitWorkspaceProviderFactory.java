package dev.agentpipeline.git;

import dev.agentpipeline.spi.workspace.WorkspaceProvider;
import dev.agentpipeline.spi.workspace.WorkspaceProviderFactory;

import java.nio.file.Path;

/**
 * Opens {@link GitWorkspaceProvider}s through {@link java.util.ServiceLoader}: the factory with id {@value #ID},
 * listed in {@code META-INF/services/dev.agentpipeline.spi.workspace.WorkspaceProviderFactory}.
 *
 * <pre>{@code
 * WorkspaceProviderFactory git = ServiceLoader.load(WorkspaceProviderFactory.class).stream()
 *         .map(ServiceLoader.Provider::get).filter(f -> f.id().equals("git")).findFirst().orElseThrow();
 * WorkspaceProvider workspaces = git.open(projectDir, projectDir.resolve(".pipeline/worktrees"));
 * }</pre>
 *
 * <p>It opens providers with the defaults of {@link GitWorkspaceProvider#open(Path, Path)}; build one with
 * {@link GitWorkspaceProvider#builder(Path, Path)} to choose the base branch, the git executable or clones.
 * Stateless and thread-safe.
 *
 * @since 0.1
 */
public final class GitWorkspaceProviderFactory implements WorkspaceProviderFactory {

    /** The id of this implementation. */
    public static final String ID = "git";

    /** For {@link java.util.ServiceLoader}. */
    public GitWorkspaceProviderFactory() {
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public WorkspaceProvider open(Path repository, Path workspaceRoot) {
        return GitWorkspaceProvider.open(repository, workspaceRoot);
    }
}
