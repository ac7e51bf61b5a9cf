package dev.agentpipeline.spi.workspace;

import org.apiguardian.api.API;

import java.nio.file.Path;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * Opens {@link WorkspaceProvider}s: how an implementation is found with {@link java.util.ServiceLoader} (list it in
 * {@code META-INF/services/dev.agentpipeline.spi.workspace.WorkspaceProviderFactory}).
 *
 * <pre>{@code
 * WorkspaceProviderFactory git = ServiceLoader.load(WorkspaceProviderFactory.class).findFirst().orElseThrow();
 * WorkspaceProvider workspaces = git.open(projectDir, projectDir.resolve(".pipeline/worktrees"));
 * }</pre>
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public interface WorkspaceProviderFactory {

    /** @return the implementation's id ({@code git}) */
    String id();

    /**
     * Opens the workspaces of a repository, with the base branch the implementation detects.
     *
     * @param repository a directory inside the repository's working tree
     * @param workspaceRoot the directory new workspaces are made in (linked worktrees and clones)
     * @return the provider
     * @throws WorkspaceException if the directory is not in a repository this implementation can work with
     */
    default WorkspaceProvider open(Path repository, Path workspaceRoot) {
        return open(repository, workspaceRoot, null);
    }

    /**
     * Opens the workspaces of a repository.
     *
     * @param repository a directory inside the repository's working tree
     * @param workspaceRoot the directory new workspaces are made in (linked worktrees and clones)
     * @param baseBranch the branch workspaces start from and are compared with, or null for the one the
     *     implementation detects ({@link WorkspaceProvider#baseBranch()})
     * @return the provider
     * @throws WorkspaceException if the directory is not in a repository this implementation can work with, or
     *     the base branch is not a valid branch name
     */
    WorkspaceProvider open(Path repository, Path workspaceRoot, String baseBranch);
}
