package dev.agentpipeline.spi;

import org.apiguardian.api.API;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;

import static org.apiguardian.api.API.Status.STABLE;

/**
 * What the runtime offers one attempt of a stage: who the run is for, where to work, the inputs the run
 * collected, what earlier stages produced, a place to save intra-stage progress, and cancellation.
 *
 * <p>Implemented by the runtime; plugin tests can use {@code dev.agentpipeline.testkit.TestStageContext}.
 * Instances are valid for the duration of one {@link Stage#run(StageContext)} call.
 *
 * @since 0.1
 */
@API(status = STABLE, since = "0.1")
public interface StageContext {

    /** @return the id of the run, never null */
    String runId();

    /** @return the id of the pipeline definition, for example {@code "story"}, never null */
    String pipelineId();

    /** @return the id of what the run is about (a story id such as {@code "US001"}), never null */
    String subjectId();

    /** @return the title of the subject, never null, may be empty */
    String subjectTitle();

    /** @return the state this attempt works for, for example {@code "STAGE_2"}, never null */
    String stateId();

    /**
     * The number of this attempt within the current visit of the state: 1 for the first try, 2 after a retry or a
     * crash, and so on. A rework (coming back to the state later) starts again at 1.
     *
     * @return the attempt number, at least 1
     */
    int attempt();

    /**
     * The number of this visit of the state in the run: 1 the first time the run enters it, 2 after a retry or a
     * rework brought it back, and so on. Pausing and resuming stay in the same visit.
     *
     * @return the visit number, at least 1
     */
    int visit();

    /** @return a unique id of this attempt, recorded with its outcome, never null */
    String attemptId();

    /** @return the directory the stage works in (its workspace), never null */
    Path workspace();

    /**
     * Inputs the run carries for its stages: business answers, briefs, the rework focus of a failed quality
     * gate, and so on. Values are JSON-compatible (see {@link JsonValues}).
     *
     * @return the inputs, unmodifiable, never null
     */
    Map<String, Object> inputs();

    /**
     * One input.
     *
     * @param name the input's name, for example {@code "rework_focus"}
     * @return its value, if present and not null
     */
    default Optional<Object> input(String name) {
        return Optional.ofNullable(inputs().get(name));
    }

    /**
     * The newest recorded outcome of a state in this run.
     *
     * @param stateId the state, for example {@code "STAGE_1"}
     * @return its newest outcome, if the state ever completed an attempt
     */
    Optional<StageOutcome> previousOutcome(String stateId);

    /** @return intra-stage progress storage, never null */
    StageProgress progress();

    /**
     * Whether this attempt should stop: the run was paused or canceled (by a person or another command) while the
     * stage runs, or the process driving it was asked to stop. A stage should check it between steps and return
     * promptly with an outcome (saving its progress first). The runtime may look at the run only every few hundred
     * milliseconds, so a pause is seen shortly after it happens, not at once.
     *
     * @return true once cancellation was requested
     */
    boolean isCancelled();

    /** @return the clock of the run; use it instead of the system clock so tests can control time */
    Clock clock();

    /**
     * The settings the pipeline definition gives this state's plugin: the {@code settings:} block of the state in
     * YAML, {@code PipelineDefinition.withStagePlugin(state, plugin, settings)} in Java, or a stage file of
     * {@code pipeline run --stages}. Values are JSON-compatible (see {@link JsonValues}); what they mean is up to the
     * plugin, which should check them and fail with a message naming the bad setting.
     *
     * <p>The default returns no settings, so contexts written before settings existed keep working.
     *
     * @return the settings, unmodifiable, never null, empty when the definition gives none
     * @since 0.1
     */
    default Map<String, Object> settings() {
        return Map.of();
    }

    /**
     * A directory of this attempt's own, for its log files and the files it hands to programs it starts (for
     * example {@code .pipeline/runs/<run_id>/attempts/<attempt_id>/}). The runtime creates it before the attempt
     * and keeps it with the run; it is outside the workspace, so nothing in it is committed with the work.
     *
     * <p>The default returns none: a context without such a place (an old one, a test's) leaves the plugin to
     * choose one.
     *
     * @return the directory, existing, if the runtime gives one
     * @since 0.1
     */
    default Optional<Path> attemptDirectory() {
        return Optional.empty();
    }
}
