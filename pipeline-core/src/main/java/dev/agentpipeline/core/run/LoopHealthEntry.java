package dev.agentpipeline.core.run;

import dev.agentpipeline.spi.JsonValues;

import org.apiguardian.api.API;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * The loop health of one scope (a stage, a task): how often it was attempted, how many attempts in a row made no
 * progress or failed the same way, and whether the policy recommends pausing. Immutable.
 *
 * <p>The fields and their wire names are those of the ln-1000 skill's loop-health contract.
 *
 * @param attempts signals recorded for this scope
 * @param noProgressCount consecutive signals without progress evidence
 * @param sameErrorCount consecutive signals without progress whose normalized error signature repeated
 * @param lastFailureClass the failure class of the newest signal ({@code rate_limited}...), or null
 * @param lastErrorSignature the normalized error signature of the newest signal, or null
 * @param lastEvidenceKey the evidence key of the newest signal, or null
 * @param lastProgressDetected whether the newest signal showed progress
 * @param lastSignalAt when the newest signal was recorded, or null
 * @param pauseRecommended whether the policy recommends pausing
 * @param pauseCategory why ({@code permission_denial}, {@code same_error}, {@code no_progress}...), or null
 * @param pauseReason a sentence for people, or null
 * @param history the newest signals, at most ten (JSON-compatible)
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public record LoopHealthEntry(int attempts, int noProgressCount, int sameErrorCount, String lastFailureClass,
                              String lastErrorSignature, String lastEvidenceKey, boolean lastProgressDetected,
                              Instant lastSignalAt, boolean pauseRecommended, String pauseCategory,
                              String pauseReason, List<Map<String, Object>> history) {

    /** The entry of a scope that has seen no signal yet. */
    public static final LoopHealthEntry EMPTY =
            new LoopHealthEntry(0, 0, 0, null, null, null, false, null, false, null, null, List.of());

    /** Copies the history. */
    @SuppressWarnings("unchecked")
    public LoopHealthEntry {
        history = history == null ? List.of() : (List<Map<String, Object>>) JsonValues.copyOf(history);
    }

    /**
     * The entry after a person resolved the cause of a pause: counts reset, history kept.
     *
     * @return the reset entry
     */
    public LoopHealthEntry resolved() {
        return new LoopHealthEntry(attempts, 0, 0, lastFailureClass, lastErrorSignature, lastEvidenceKey,
                lastProgressDetected, lastSignalAt, false, null, null, history);
    }
}
