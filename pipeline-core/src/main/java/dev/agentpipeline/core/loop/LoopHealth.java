package dev.agentpipeline.core.loop;

import dev.agentpipeline.core.run.LoopHealthEntry;
import dev.agentpipeline.spi.FailureClass;

import org.apiguardian.api.API;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * Folds a loop-health signal into a scope's entry: the judge of whether retrying is still useful.
 *
 * <pre>{@code
 * LoopHealthEntry entry = LoopHealthEntry.EMPTY;
 * for (int i = 0; i < 3; i++) {
 *     entry = LoopHealth.update(entry, LoopSignal.fromPayload(Map.of("error", "ASSERT failed"), now),
 *             LoopHealthPolicy.defaults());
 * }
 * entry.pauseRecommended();   // true: same error three times without progress
 * }</pre>
 *
 * <p>Pure and thread-safe.
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class LoopHealth {

    private static final int HISTORY = 10;

    private LoopHealth() {
    }

    /**
     * @param previous the scope's entry so far ({@link LoopHealthEntry#EMPTY} for a new scope)
     * @param signal the new signal
     * @param policy the policy
     * @return the next entry
     */
    public static LoopHealthEntry update(LoopHealthEntry previous, LoopSignal signal, LoopHealthPolicy policy) {
        String previousSignature = previous.lastErrorSignature();
        boolean sameError = !signal.errorSignature().isEmpty() && signal.errorSignature().equals(previousSignature);
        int noProgress = signal.progressDetected() ? 0 : previous.noProgressCount() + 1;
        int sameErrorCount = signal.progressDetected() ? 0 : (sameError ? previous.sameErrorCount() + 1 : 1);

        boolean pause = false;
        String category = null;
        String reason = null;
        FailureClass failureClass = signal.failureClass();
        if (policy.immediatePause().contains(failureClass)) {
            pause = true;
            category = failureClass.wireName();
            reason = "Immediate blocker: " + failureClass.wireName();
        } else if (policy.defer().contains(failureClass)) {
            pause = true;
            category = failureClass.wireName();
            reason = "Rate limited; defer retry without counting as domain failure";
        } else if (sameErrorCount >= policy.sameErrorLimit()) {
            pause = true;
            category = "same_error";
            reason = "Same error repeated " + sameErrorCount + " times without progress";
        } else if (noProgress >= policy.noProgressLimit()) {
            pause = true;
            category = "no_progress";
            reason = "No progress recorded for " + noProgress + " attempts";
        }

        List<Map<String, Object>> history = new ArrayList<>(previous.history());
        while (history.size() >= HISTORY) {
            history.remove(0);
        }
        history.add(signal.toJson());
        return new LoopHealthEntry(previous.attempts() + 1, noProgress, sameErrorCount, failureClass.wireName(),
                signal.errorSignature().isEmpty() ? null : signal.errorSignature(), signal.evidenceKey(),
                signal.progressDetected(), signal.recordedAt(), pause, category, reason, history);
    }
}
