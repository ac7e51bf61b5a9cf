package dev.agentpipeline.core.engine;

import dev.agentpipeline.core.guard.GuardResult;
import dev.agentpipeline.core.store.RunSnapshot;

import org.apiguardian.api.API;

import java.util.Objects;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * The result of asking a run to move: the decision, and the run afterwards (unchanged when rejected). Immutable.
 *
 * @param decision what the state machine decided
 * @param run the run after the transition, or as it was when rejected
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public record TransitionResult(TransitionDecision decision, RunSnapshot run) {

    /** Validates. */
    public TransitionResult {
        Objects.requireNonNull(decision, "decision");
        Objects.requireNonNull(run, "run");
    }

    /** @return whether the run moved */
    public boolean allowed() {
        return decision.allowed();
    }

    /** @return the rejection (or allow) */
    public GuardResult guardResult() {
        return decision.guardResult();
    }
}
