package dev.agentpipeline.core.run;

import org.apiguardian.api.API;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * A run started by another run (its parent) and waited for, as the parent's journal records it. Immutable.
 *
 * @param runId the child's run id (derived from the parent's id, state, visit and index, so that starting it twice
 *     after a crash finds the first)
 * @param pipelineId the definition the child follows
 * @param stateId the parent's state that started it
 * @param index its position among the children that state starts (0, 1...)
 * @param concurrencyClass the class whose limit it counts against ({@code default} when none is named)
 * @param startedAt when the parent recorded its start
 * @param result how it ended ({@code DONE}, {@code CANCELED}), or null while it runs
 * @param terminalState the state it ended in, or null while it runs
 * @param endedAt when the parent recorded its end, or null
 * @param visit the journal sequence that started the parent state's visit that started it
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public record ChildRun(String runId, String pipelineId, String stateId, int index, String concurrencyClass,
                       Instant startedAt, String result, String terminalState, Instant endedAt, long visit) {

    /** Validates. */
    public ChildRun {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(pipelineId, "pipelineId");
        Objects.requireNonNull(stateId, "stateId");
        concurrencyClass = concurrencyClass == null || concurrencyClass.isBlank() ? "default" : concurrencyClass;
        Objects.requireNonNull(startedAt, "startedAt");
    }

    /** @return whether the parent has recorded its end */
    public boolean ended() {
        return result != null;
    }

    /** @return how it ended, if it has */
    public Optional<String> outcome() {
        return Optional.ofNullable(result);
    }

    ChildRun end(Instant at, String endResult, String endState) {
        return new ChildRun(runId, pipelineId, stateId, index, concurrencyClass, startedAt, endResult, endState, at,
                visit);
    }
}
