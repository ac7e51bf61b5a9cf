package dev.agentpipeline.git;

import dev.agentpipeline.spi.workspace.WorkspaceProvider;
import dev.agentpipeline.spi.workspace.WorkspaceProviderFactory;

import org.apiguardian.api.API;

import java.nio.file.Path;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

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
 * <p>It opens providers with the defaults of {@link GitWorkspaceProvider#builder(Path, Path)}, and the base branch
 * if one is given; build one with the builder to choose the git executable, clones or time limits.
 * Stateless and thread-safe.
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
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
    public WorkspaceProvider open(Path repository, Path workspaceRoot, String baseBranch) {
        GitWorkspaceProvider.Builder builder = GitWorkspaceProvider.builder(repository, workspaceRoot);
        if (baseBranch != null) {
            builder.baseBranch(baseBranch);
        }
        return builder.build();
    }
}
