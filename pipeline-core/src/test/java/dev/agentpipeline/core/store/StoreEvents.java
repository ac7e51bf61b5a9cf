package dev.agentpipeline.core.store;

import dev.agentpipeline.core.run.RunEvent;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Events for the file store's own tests: the same journals that the published store contract
 * ({@code dev.agentpipeline.testkit.RunStoreContract}, which depends on this module and so cannot be used here) builds.
 */
final class StoreEvents {

    private static final Instant T0 = Instant.parse("2026-01-15T10:00:00.000Z");

    private StoreEvents() {
    }

    /**
     * @param n a number
     * @return the instant {@code n} seconds after a fixed epoch, with millisecond precision
     */
    static Instant at(int n) {
        return T0.plusSeconds(n);
    }

    /**
     * @param runId a run id
     * @return the first event of a story run for subject {@code US001}
     */
    static RunEvent.Started started(String runId) {
        return new RunEvent.Started(at(0), runId, "story", "US001", "Login form", "QUEUED",
                Map.of("quality_cycles", 0), Map.of("story_id", "US001", "budget", 3L), Map.of("owner", "ana"));
    }

    /**
     * @param from the state left
     * @param to the state entered
     * @return a transition through the guards
     */
    static RunEvent.Transitioned transitioned(String from, String to) {
        return new RunEvent.Transitioned(at(1), from, to, null, null, false);
    }

    /**
     * @param checkpointSequence the checkpoint's own sequence number
     * @return a STAGE_0 checkpoint
     */
    static RunEvent.CheckpointRecorded checkpoint(int checkpointSequence) {
        return new RunEvent.CheckpointRecorded(at(2 + checkpointSequence), "STAGE_0", checkpointSequence,
                Map.of("plan_score", 4L, "tasks", List.of("T-1", "T-2")));
    }

    /**
     * @param runId a run id
     * @param n how many events, at least 2
     * @return a journal of {@code n} events: started, into STAGE_0, then checkpoints
     */
    static List<RunEvent> journalOf(String runId, int n) {
        List<RunEvent> events = new ArrayList<>();
        events.add(started(runId));
        events.add(transitioned("QUEUED", "STAGE_0"));
        for (int i = 1; events.size() < n; i++) {
            events.add(checkpoint(i));
        }
        return events;
    }
}
