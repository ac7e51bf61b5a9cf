package dev.agentpipeline.core.store;

import dev.agentpipeline.core.run.RunState;

import org.apiguardian.api.API;

import java.util.List;
import java.util.Objects;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * A run as loaded from a store: its state and any warnings the load produced (a torn journal tail that was cut
 * off after a crash, for example). Immutable.
 *
 * @param state the run's state, never null
 * @param warnings what the store noticed and repaired while loading, never null
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public record RunSnapshot(RunState state, List<String> warnings) {

    /** Validates and copies. */
    public RunSnapshot {
        Objects.requireNonNull(state, "state");
        warnings = List.copyOf(warnings);
    }

    /** @return the sequence of the newest event */
    public long sequence() {
        return state.sequence();
    }
}
