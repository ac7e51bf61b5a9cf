/**
 * The workspace extension point: isolated working copies (git worktrees on feature branches) in which a run's
 * stages work, created when a run starts its first stage, saved when it pauses and removed when it is done.
 *
 * <p>{@link dev.agentpipeline.spi.workspace.WorkspaceProvider} is what an implementation offers for one repository;
 * {@link dev.agentpipeline.spi.workspace.WorkspaceProviderFactory} is how it is found with
 * {@link java.util.ServiceLoader}. The library's implementation is {@code pipeline-git} (JGit, and the git command
 * line for linked worktrees).
 *
 * @since 0.1
 */
package dev.agentpipeline.spi.workspace;
