package dev.agentpipeline.cli;

import dev.agentpipeline.core.store.RunStore;
import dev.agentpipeline.core.story.CommandResult;
import dev.agentpipeline.core.story.WorkspaceInventory;
import dev.agentpipeline.guice.PipelineSettings;
import dev.agentpipeline.spi.workspace.WorkspaceException;
import dev.agentpipeline.spi.workspace.WorkspaceProvider;
import dev.agentpipeline.spi.workspace.WorkspaceProviderFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code pipeline workspaces list} and {@code pipeline workspaces prune}: the git worktrees of the project's stories,
 * with their runs, and the cleanup of those no unfinished run needs.
 *
 * @since 0.1
 */
final class WorkspaceCommands {

    /** {@code --base-branch}: of {@code run} and both {@code workspaces} commands. */
    static final CliOption BASE_BRANCH = CliOption.value("--base-branch", "<branch>", "The branch story branches"
            + " start from and are compared with (default: origin's default branch, else main, else master).");

    private WorkspaceCommands() {
    }

    /** @return {@code workspaces list} */
    static CliCommand list() {
        return CliCommand.of("workspaces list", "Lists the project's story workspaces (git worktrees under"
                        + " .pipeline/worktrees) with the run each belongs to and whether it is an orphan (no"
                        + " unfinished run needs it). Reads only.",
                List.of(BASE_BRANCH), call -> answer(call, false, false));
    }

    /** @return {@code workspaces prune} */
    static CliCommand prune() {
        return CliCommand.of("workspaces prune", "Removes the orphan workspaces: those of ended runs and those no"
                        + " run records (left by a crash). Branches stay; a workspace with uncommitted changes stays"
                        + " unless --force.",
                List.of(CliOption.flag("--force", "Remove orphans with uncommitted changes too (their branches"
                        + " stay)."), BASE_BRANCH),
                call -> answer(call, true, call.flag("--force")));
    }

    /**
     * Opens the project's workspaces: its repository, with workspaces under the state directory's worktrees and
     * the {@code --base-branch} of the call, if given.
     *
     * @param call the call of a command with the option {@link #BASE_BRANCH}
     * @return the provider
     * @throws WorkspaceException if the project is not in a git repository, the base branch is not a valid name
     */
    static WorkspaceProvider open(CliInvocation call) {
        PipelineSettings settings = call.settings().pipeline();
        String base = call.value(BASE_BRANCH.name());
        return call.get(WorkspaceProviderFactory.class).open(settings.projectDir(), worktreeRoot(settings),
                base == null ? null : base.trim());
    }

    /**
     * @param settings the call's settings
     * @return where story worktrees are made: {@code <state dir>/worktrees}
     */
    static Path worktreeRoot(PipelineSettings settings) {
        return settings.stateDir().resolve("worktrees");
    }

    private static CommandResult answer(CliInvocation call, boolean prune, boolean force) {
        WorkspaceProvider provider;
        try {
            provider = open(call);
        } catch (WorkspaceException e) {
            return PipelineMain.error(e.code(), e.getMessage(), e.fix());
        }
        WorkspaceInventory inventory = new WorkspaceInventory(provider, call.get(RunStore.class));
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("ok", true);
        json.put("base_branch", baseBranchOrNull(provider));
        List<Object> entries = new ArrayList<>();
        if (prune) {
            inventory.prune(force).forEach(pruned -> entries.add(pruned.toJson()));
            json.put("pruned", entries);
        } else {
            inventory.list().forEach(entry -> entries.add(entry.toJson()));
            json.put("workspaces", entries);
        }
        return new CommandResult(CommandResult.OK, json);
    }

    /** The base branch, or null where it cannot be told (no commits, or no main/master): listing still works. */
    private static String baseBranchOrNull(WorkspaceProvider provider) {
        try {
            return provider.baseBranch();
        } catch (WorkspaceException e) {
            return null;
        }
    }
}
