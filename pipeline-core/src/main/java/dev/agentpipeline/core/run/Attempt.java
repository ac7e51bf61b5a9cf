package dev.agentpipeline.core.run;

import dev.agentpipeline.spi.StageOutcome;

import org.apiguardian.api.API;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * One attempt of a stage plugin at a state. Immutable.
 *
 * @param attemptId unique id
 * @param stateId the state it worked for
 * @param number its number within the visit
 * @param stageId the plugin's id
 * @param startedAt when it started
 * @param finishedAt when its outcome was recorded or its crash detected; null while running
 * @param status where it stands
 * @param outcome its outcome; null unless finished
 * @param visit the journal sequence at which the visit of the state began
 * @param finishedSequence the journal sequence that finished it (outcome or crash); 0 while running
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public record Attempt(String attemptId, String stateId, int number, String stageId, Instant startedAt,
                      Instant finishedAt, Status status, StageOutcome outcome, long visit, long finishedSequence) {

    /** Where an attempt stands. */
    public enum Status {
        /** Started, no outcome yet (or its worker crashed and nobody noticed yet). */
        RUNNING,
        /** Produced an outcome. */
        FINISHED,
        /** Was found started without an outcome after a restart. */
        CRASHED
    }

    /** Validates. */
    public Attempt {
        Objects.requireNonNull(attemptId, "attemptId");
        Objects.requireNonNull(stateId, "stateId");
        Objects.requireNonNull(stageId, "stageId");
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(status, "status");
    }

    /** @return the outcome, if the attempt finished */
    public Optional<StageOutcome> outcomeIfFinished() {
        return Optional.ofNullable(outcome);
    }

    Attempt finish(Instant at, StageOutcome result, long sequence) {
        return new Attempt(attemptId, stateId, number, stageId, startedAt, at, Status.FINISHED, result, visit,
                sequence);
    }

    Attempt crash(Instant at, long sequence) {
        return new Attempt(attemptId, stateId, number, stageId, startedAt, at, Status.CRASHED, null, visit, sequence);
    }
}
