package dev.agentpipeline.core.run;

import dev.agentpipeline.spi.JsonValues;

import org.apiguardian.api.API;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * A signal from outside the run (a completion or error signal an agent wrote, a message an application published),
 * as its journal recorded it. Each signal id is recorded at most once per run. Immutable.
 *
 * @param signalId the signal's id: its {@code signal_id} field, or the SHA-256 of its bytes; two copies of the same
 *     signal have the same id
 * @param name the signal's name: the state that waits for it, by default ({@code PHASE_7})
 * @param stateId the state that received it
 * @param payload the signal's JSON object
 * @param source where it came from (a file name, {@code api}), never null
 * @param receivedAt when the journal recorded it
 * @param journalSequence the journal sequence of the event that recorded it
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public record ReceivedSignal(String signalId, String name, String stateId, Map<String, Object> payload,
                             String source, Instant receivedAt, long journalSequence) {

    /** Validates and copies. */
    public ReceivedSignal {
        Objects.requireNonNull(signalId, "signalId");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(stateId, "stateId");
        payload = JsonValues.copyOfMap(payload);
        source = source == null ? "" : source;
        Objects.requireNonNull(receivedAt, "receivedAt");
    }
}
