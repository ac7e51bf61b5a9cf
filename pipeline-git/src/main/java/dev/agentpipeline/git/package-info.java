/**
 * The git implementation of the workspace extension point: {@link dev.agentpipeline.git.GitWorkspaceProvider}
 * gives every run a linked worktree on its own branch (or a local clone where no git command line is installed),
 * {@link dev.agentpipeline.git.GitWorkspaceProviderFactory} is how {@link java.util.ServiceLoader} finds it (id
 * {@code git}), and {@link dev.agentpipeline.git.GitBranches} builds safe branch names. Everything else in this
 * package is internal.
 *
 * @since 0.1
 */
package dev.agentpipeline.git;
