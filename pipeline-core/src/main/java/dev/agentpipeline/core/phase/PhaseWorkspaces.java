package dev.agentpipeline.core.phase;

import dev.agentpipeline.core.engine.PipelineRuntime;
import dev.agentpipeline.core.engine.RunWorkspaces;
import dev.agentpipeline.core.run.Ids;
import dev.agentpipeline.core.run.RunState;
import dev.agentpipeline.spi.workspace.MergeResult;
import dev.agentpipeline.spi.workspace.Workspace;
import dev.agentpipeline.spi.workspace.WorkspaceException;
import dev.agentpipeline.spi.workspace.WorkspaceProvider;
import dev.agentpipeline.spi.workspace.WorkspaceSpec;

import org.apiguardian.api.API;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * A git worktree per phase task, as the phase pipeline orchestrator keeps them: phase {@code N} works in
 * {@code phase-N-task-1} on its own branch ({@code phase/<subject>-<run>-N-task-1}, the run's id suffix keeping two
 * runs of a subject apart) from the base branch, and a finished phase's branch is committed and merged back into the
 * base (never fast-forward) before the next phase's agent starts, before phase 11's deployment, and when the run
 * ends. A merge that conflicts changes nothing and pauses the run with the files listed
 * (the next phase's workspace cannot be prepared); merge the branch by hand and resume. Recovery states of a phase
 * ({@code FIX_N}, {@code INSTALL_N}) work in the phase's worktree; other states in the repository.
 *
 * <pre>{@code
 * Orchestrator orchestrator = Orchestrator.builder(runtime, stages)
 *         .inputs(PhasePipeline::inputs)
 *         .workspaces(PhaseWorkspaces.of(gitProvider))
 *         .build();
 * }</pre>
 *
 * <p>What happened is in the run's attribute {@value #ATTRIBUTE}: per worktree its phase, branch, directory and,
 * once merged, the merge commit ({@code merged}) or the conflicting files ({@code conflicts}). One task per phase:
 * several tasks of a phase in worktrees of their own are not built yet.
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class PhaseWorkspaces implements RunWorkspaces {

    /** The run attribute that records the phase worktrees. */
    public static final String ATTRIBUTE = "phase_workspaces";
    /** The pause category of a merge back that conflicts. */
    public static final String MERGE_CONFLICT = "merge_conflict";

    private static final Logger LOG = LoggerFactory.getLogger(PhaseWorkspaces.class);

    private final WorkspaceProvider provider;

    private PhaseWorkspaces(WorkspaceProvider provider) {
        this.provider = Objects.requireNonNull(provider, "provider");
    }

    /**
     * @param provider where worktrees are made (the git provider of pipeline-git)
     * @return worktrees per phase task
     */
    public static PhaseWorkspaces of(WorkspaceProvider provider) {
        return new PhaseWorkspaces(provider);
    }

    /**
     * @param phase a phase number
     * @param task a task number
     * @return the worktree's name: {@code phase-7-task-1}
     */
    public static String name(int phase, int task) {
        return "phase-" + phase + "-task-" + task;
    }

    /**
     * @param run the run
     * @param phase a phase number
     * @param task a task number
     * @return the branch: {@code phase/<subject>-<the run id's last part>-7-task-1}
     */
    public static String branch(RunState run, int phase, int task) {
        String id = run.runId();
        String suffix = id.substring(id.lastIndexOf('-') + 1);
        return "phase/" + Ids.slug(run.subjectId(), 40) + "-" + Ids.slug(suffix, 8) + "-" + phase + "-task-" + task;
    }

    @Override
    public Path prepare(PipelineRuntime runtime, RunState run) {
        Optional<Phase> phase = Phase.of(run.workingState());
        if (phase.isEmpty()) {
            return provider.repository();
        }
        int n = phase.get().number();
        mergeFinished(runtime, run, n);
        if (n == 11) {
            return provider.repository(); // the deployment works on the base, every phase merged into it
        }
        String name = name(n, 1);
        Workspace workspace = provider.find(name).orElse(null);
        if (workspace == null) {
            workspace = provider.create(WorkspaceSpec.builder(name, branch(run, n, 1)).base(provider.baseBranch())
                    .carryUncommittedChanges(false).build());
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("phase", n);
            entry.put("task", 1);
            entry.put("branch", workspace.branch());
            entry.put("directory", workspace.directory().toString());
            entry.put("base_commit", workspace.baseCommit());
            record(runtime, run.runId(), name, entry);
            LOG.info("Run {}: phase {} works in {} on {}", run.runId(), n, workspace.directory(), workspace.branch());
        }
        return workspace.directory();
    }

    /** Merges back every worktree of a phase before {@code before} that is not merged yet. */
    private void mergeFinished(PipelineRuntime runtime, RunState run, int before) {
        for (Map.Entry<String, Map<String, Object>> entry : recorded(run).entrySet()) {
            Map<String, Object> info = entry.getValue();
            int phase = info.get("phase") instanceof Number number ? number.intValue() : Integer.MAX_VALUE;
            if (phase >= before || info.get("merged") != null) {
                continue;
            }
            mergeBack(runtime, run, entry.getKey(), info, true);
        }
    }

    private void mergeBack(PipelineRuntime runtime, RunState run, String name, Map<String, Object> info,
                           boolean raise) {
        String branch = String.valueOf(info.get("branch"));
        provider.find(name).ifPresent(workspace -> {
            provider.commitAll(workspace, "Phase " + info.get("phase") + ": " + name, false);
            provider.remove(workspace, false);
        });
        String base = provider.baseBranch();
        MergeResult result = provider.merge(branch, base, "Merge " + name + " (" + branch + ") into " + base);
        Map<String, Object> updated = new LinkedHashMap<>(info);
        updated.remove("directory");
        if (result.status() == MergeResult.Status.CONFLICTS) {
            updated.put("conflicts", result.conflicts());
            record(runtime, run.runId(), name, updated);
            String message = "The branch " + branch + " of " + name + " conflicts with " + base + " in "
                    + String.join(", ", result.conflicts()) + "; nothing was merged";
            if (raise) {
                throw new WorkspaceException(MERGE_CONFLICT, message, "Merge " + branch + " into " + base
                        + " by hand (git merge " + branch + "), then resume the run", null);
            }
            LOG.warn("Run {}: {}", run.runId(), message);
            return;
        }
        updated.put("merged", result.commit().orElse("up to date"));
        updated.remove("conflicts");
        record(runtime, run.runId(), name, updated);
        LOG.info("Run {}: merged {} into {}", run.runId(), branch, base);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Map<String, Object>> recorded(RunState run) {
        Map<String, Map<String, Object>> all = new LinkedHashMap<>();
        if (run.attributes().get(ATTRIBUTE) instanceof Map<?, ?> map) {
            map.forEach((k, v) -> {
                if (v instanceof Map<?, ?> m) {
                    all.put(String.valueOf(k), (Map<String, Object>) m);
                }
            });
        }
        return all;
    }

    private static void record(PipelineRuntime runtime, String runId, String name, Map<String, Object> entry) {
        Map<String, Object> all = new LinkedHashMap<>(recorded(runtime.load(runId).state()));
        all.put(name, entry);
        runtime.updateAttributes(runId, Map.of(ATTRIBUTE, all));
    }

    @Override
    public Evidence evidence(RunState run, String stateId) {
        Optional<Phase> phase = Phase.of(stateId);
        if (phase.isEmpty()) {
            return Evidence.NONE;
        }
        try {
            return provider.find(name(phase.get().number(), 1))
                    .map(w -> new Evidence(Map.of("workspace_commit", provider.head(w)), Map.of()))
                    .orElse(Evidence.NONE);
        } catch (WorkspaceException e) {
            return new Evidence(Map.of("workspace_error", e.getMessage()), Map.of());
        }
    }

    @Override
    public void paused(PipelineRuntime runtime, RunState run) {
        // The worktree stays as it is: a person resolving the cause may look at it.
    }

    @Override
    public void ended(PipelineRuntime runtime, RunState run) {
        if (!"DONE".equals(run.finalResult().orElse(""))) {
            return; // an aborted or canceled run merges nothing; its branches stay
        }
        for (Map.Entry<String, Map<String, Object>> entry : recorded(run).entrySet()) {
            if (entry.getValue().get("merged") == null) {
                try {
                    mergeBack(runtime, runtime.load(run.runId()).state(), entry.getKey(), entry.getValue(), false);
                } catch (WorkspaceException e) {
                    LOG.warn("Run {}: cannot merge {} back: {}", run.runId(), entry.getKey(), e.getMessage());
                }
            }
        }
    }
}
