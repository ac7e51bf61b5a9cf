package dev.agentpipeline.core.store;

import dev.agentpipeline.core.run.RunEvent;

import org.apiguardian.api.API;

import java.util.Objects;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * One event of a run's journal with its sequence number (1, 2, 3... without gaps).
 *
 * @param sequence the sequence number
 * @param event the event
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public record JournalEntry(long sequence, RunEvent event) {

    /** Validates. */
    public JournalEntry {
        if (sequence < 1) {
            throw new IllegalArgumentException("journal sequence must be at least 1, got " + sequence);
        }
        Objects.requireNonNull(event, "event");
    }
}
