package dev.agentpipeline.core.engine;

import dev.agentpipeline.core.run.RunState;

import org.apiguardian.api.API;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * Where a run's stages work, and what happens to that place as the run moves: the orchestrator asks for the
 * directory before every attempt, adds the workspace's evidence to every checkpoint, and tells it when the run
 * pauses or ends. The story pipeline's implementation gives each story its own git worktree on a feature branch
 * ({@code dev.agentpipeline.core.story.StoryWorkspaces}); {@link #fixed(Function)} just names a directory.
 *
 * <p>Implementations record what they do in the run (attributes) through the runtime they are given, and must be
 * safe to call again after a crash: {@link #prepare} finds a workspace that already exists.
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public interface RunWorkspaces {

    /**
     * The directory the next attempt works in: creates the run's workspace on the first call, recreates it after
     * the run was paused (its partial work saved), and returns it as it is otherwise.
     *
     * @param runtime the runtime, to record attributes of the run
     * @param run the run, in the state the attempt works for
     * @return the directory, never null
     */
    Path prepare(PipelineRuntime runtime, RunState run);

    /**
     * What the workspace adds to a stage's checkpoint (its head commit, its diff stats...), and to the run's
     * attributes with it.
     *
     * @param run the run
     * @param stateId the stage being checkpointed
     * @return the evidence, never null
     */
    Evidence evidence(RunState run, String stateId);

    /**
     * The run paused: save what its workspace holds.
     *
     * @param runtime the runtime, to record where the work went
     * @param run the paused run
     */
    void paused(PipelineRuntime runtime, RunState run);

    /**
     * The run ended (done or canceled): clean the workspace up, keeping its work.
     *
     * @param runtime the runtime, to record what happened
     * @param run the ended run
     */
    void ended(PipelineRuntime runtime, RunState run);

    /**
     * Workspace evidence for one checkpoint.
     *
     * @param checkpoint fields to add to the checkpoint's payload (JSON-compatible)
     * @param attributes attributes to set on the run with the checkpoint (JSON-compatible)
     * @since 0.1
     */
    record Evidence(Map<String, Object> checkpoint, Map<String, Object> attributes) {

        /** No evidence. */
        public static final Evidence NONE = new Evidence(Map.of(), Map.of());

        /** Copies. */
        public Evidence {
            checkpoint = Map.copyOf(checkpoint);
            attributes = Map.copyOf(attributes);
        }
    }

    /**
     * Workspaces that are plain directories: nothing is created, saved or removed.
     *
     * @param directory gives each run's directory
     * @return the workspaces
     */
    static RunWorkspaces fixed(Function<RunState, Path> directory) {
        Objects.requireNonNull(directory, "directory");
        return new RunWorkspaces() {
            @Override
            public Path prepare(PipelineRuntime runtime, RunState run) {
                return directory.apply(run);
            }

            @Override
            public Evidence evidence(RunState run, String stateId) {
                return Evidence.NONE;
            }

            @Override
            public void paused(PipelineRuntime runtime, RunState run) {
                // a plain directory keeps everything where it is
            }

            @Override
            public void ended(PipelineRuntime runtime, RunState run) {
                // a plain directory keeps everything where it is
            }
        };
    }
}
