package dev.agentpipeline.core.run;

import dev.agentpipeline.spi.JsonValues;

import org.apiguardian.api.API;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * One stage checkpoint: a numbered record of what a stage achieved. Immutable.
 *
 * @param sequence its number, 1, 2, ... per run and never repeated
 * @param stateId the stage it belongs to ({@code "STAGE_1"})
 * @param createdAt when it was written
 * @param payload what it records (JSON-compatible): verdict, scores, tasks, git stats...
 * @param journalSequence the journal sequence of the event that recorded it
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public record Checkpoint(int sequence, String stateId, Instant createdAt, Map<String, Object> payload,
                         long journalSequence) {

    /** Validates and copies. */
    public Checkpoint {
        Objects.requireNonNull(stateId, "stateId");
        Objects.requireNonNull(createdAt, "createdAt");
        payload = JsonValues.copyOfMap(payload);
    }
}
