package dev.agentpipeline.core.engine;

import dev.agentpipeline.core.definition.PipelineDefinition;
import dev.agentpipeline.core.run.Attempt;
import dev.agentpipeline.core.run.RunState;

import org.apiguardian.api.API;

import java.util.Map;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * Turns a finished stage attempt into the evidence guards judge: a stage summary and a checkpoint. The story
 * pipeline uses the stage summary envelope and the story checkpoint fields
 * ({@code dev.agentpipeline.core.story.StoryPipeline}); {@link #generic()} suits other pipelines.
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public interface OutcomeRecorder {

    /**
     * The summary to record for an attempt.
     *
     * @param definition the pipeline
     * @param run the run (with the attempt finished)
     * @param attempt the attempt, with its outcome
     * @return the summary (JSON-compatible)
     */
    Map<String, Object> summary(PipelineDefinition definition, RunState run, Attempt attempt);

    /**
     * The checkpoint payload to record for an attempt. It must contain {@code attempt_id}, so that a restart can
     * tell that the attempt's evidence was recorded.
     *
     * @param definition the pipeline
     * @param run the run (with the attempt finished)
     * @param attempt the attempt, with its outcome
     * @return the payload (JSON-compatible)
     */
    Map<String, Object> checkpoint(PipelineDefinition definition, RunState run, Attempt attempt);

    /**
     * Attributes of the run to update together with the checkpoint (the story pipeline keeps the newest git stats
     * and readiness there, as the older ln-1000 runtime's state does). None by default.
     *
     * @param definition the pipeline
     * @param run the run (with the attempt finished)
     * @param attempt the attempt, with its outcome
     * @return the attributes to merge (JSON-compatible), never null
     */
    default Map<String, Object> attributes(PipelineDefinition definition, RunState run, Attempt attempt) {
        return Map.of();
    }

    /**
     * A recorder for any pipeline: the summary is an envelope whose {@code payload} holds the outcome's status,
     * verdict, scores, metrics, attributes, warnings and notes; the checkpoint holds the same with the attempt id.
     *
     * @return the recorder
     */
    static OutcomeRecorder generic() {
        return GenericOutcomeRecorder.INSTANCE;
    }
}
