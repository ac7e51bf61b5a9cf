package dev.agentpipeline.core.story;

import dev.agentpipeline.core.run.RunState;
import dev.agentpipeline.core.store.CorruptRunException;
import dev.agentpipeline.core.store.RunSnapshot;
import dev.agentpipeline.core.store.RunStore;
import dev.agentpipeline.spi.workspace.Workspace;
import dev.agentpipeline.spi.workspace.WorkspaceException;
import dev.agentpipeline.spi.workspace.WorkspaceProvider;

import org.apiguardian.api.API;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * The workspaces of a repository with the runs they belong to: what {@code pipeline workspaces list} shows and
 * {@code pipeline workspaces prune} cleans. A workspace is an <em>orphan</em> when no run claims it (a crash between
 * creating it and recording it) or its run ended; only orphans are pruned, and one with uncommitted changes only
 * when asked to force. Branches are never deleted.
 *
 * <pre>{@code
 * WorkspaceInventory inventory = new WorkspaceInventory(git, store);
 * for (WorkspaceInventory.Entry entry : inventory.list()) { ... }
 * List<WorkspaceInventory.Pruned> pruned = inventory.prune(false);
 * }</pre>
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class WorkspaceInventory {

    private final WorkspaceProvider provider;
    private final RunStore store;

    /**
     * @param provider the repository's workspaces
     * @param store the runs
     */
    public WorkspaceInventory(WorkspaceProvider provider, RunStore store) {
        this.provider = Objects.requireNonNull(provider, "provider");
        this.store = Objects.requireNonNull(store, "store");
    }

    /**
     * A workspace and its run.
     *
     * @param workspace the workspace
     * @param run the run that records it as its workspace (the newest one), if any
     * @since 0.1
     */
    public record Entry(Workspace workspace, Optional<RunState> run) {

        /** Validates. */
        public Entry {
            Objects.requireNonNull(workspace, "workspace");
            Objects.requireNonNull(run, "run");
        }

        /** @return whether no unfinished run needs it: no run claims it, or its run ended */
        public boolean orphan() {
            return run.isEmpty() || run.get().complete();
        }

        /** @return the entry as JSON: name, directory, branch, kind, run_id, story_id, phase, run ("active", "paused", "ended" or "none") */
        public Map<String, Object> toJson() {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("name", workspace.name());
            json.put("directory", workspace.directory().toString());
            json.put("branch", workspace.branch());
            json.put("kind", workspace.kind().name());
            json.put("run_id", run.map(RunState::runId).orElse(null));
            json.put("story_id", run.map(RunState::subjectId).orElse(null));
            json.put("phase", run.map(RunState::phase).orElse(null));
            json.put("run", run.map(r -> r.complete() ? "ended" : r.isPaused() ? "paused" : "active").orElse("none"));
            json.put("orphan", orphan());
            return json;
        }
    }

    /**
     * What pruning did with one orphan.
     *
     * @param entry the orphan
     * @param removed whether it was removed
     * @param reason why it was kept, or null
     * @since 0.1
     */
    public record Pruned(Entry entry, boolean removed, String reason) {

        /** @return the result as JSON: the entry's fields, removed, reason */
        public Map<String, Object> toJson() {
            Map<String, Object> json = entry.toJson();
            json.put("removed", removed);
            json.put("reason", reason);
            return json;
        }
    }

    /** @return every workspace of the repository with its run, in name order */
    public List<Entry> list() {
        Map<String, RunState> owners = owners();
        List<Entry> entries = new ArrayList<>();
        for (Workspace workspace : provider.list()) {
            entries.add(new Entry(workspace, Optional.ofNullable(owners.get(workspace.name()))));
        }
        return entries;
    }

    /**
     * Removes the orphans: workspaces no run claims, and those of ended runs. Their branches stay.
     *
     * @param force whether to remove an orphan that has uncommitted changes too
     * @return what happened to each orphan
     */
    public List<Pruned> prune(boolean force) {
        List<Pruned> pruned = new ArrayList<>();
        for (Entry entry : list()) {
            if (!entry.orphan()) {
                continue;
            }
            try {
                provider.remove(entry.workspace(), force);
                pruned.add(new Pruned(entry, true, null));
            } catch (WorkspaceException e) {
                pruned.add(new Pruned(entry, false, e.getMessage() + (e.fix().isEmpty() ? "" : " " + e.fix())));
            }
        }
        return pruned;
    }

    /** The newest run that records each workspace name. Runs that cannot be read claim nothing. */
    private Map<String, RunState> owners() {
        Map<String, RunState> owners = new HashMap<>();
        for (String runId : store.runIds()) {
            Optional<RunSnapshot> run;
            try {
                run = store.load(runId);
            } catch (CorruptRunException e) {
                continue;
            }
            run.ifPresent(snapshot -> {
                RunState state = snapshot.state();
                if (state.attributes().get(StoryWorkspaces.ATTRIBUTE) instanceof Map<?, ?> workspace
                        && workspace.get("name") instanceof String name) {
                    RunState known = owners.get(name);
                    if (known == null || known.createdAt().isBefore(state.createdAt())) {
                        owners.put(name, state);
                    }
                }
            });
        }
        return owners;
    }
}
