package dev.agentpipeline.core.engine;

import dev.agentpipeline.core.guard.GuardResult;

import org.apiguardian.api.API;

import java.util.List;
import java.util.Objects;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * What the state machine decided about one requested transition. Immutable.
 *
 * @param from the state the run is in ({@code PAUSED} when resuming)
 * @param source the state whose transitions were judged (the paused-from state when resuming)
 * @param to the requested state
 * @param guardResult allow, or the first rejection
 * @param counter the counter the transition increments when it happens, or null
 * @param terminal whether {@code to} is a terminal state
 * @param override the reason a person gave to override the guards, or null
 * @param validTargets the states the run could move to from {@code source}, for error messages
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public record TransitionDecision(String from, String source, String to, GuardResult guardResult, String counter,
                                 boolean terminal, String override, List<String> validTargets) {

    /** Validates and copies. */
    public TransitionDecision {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(guardResult, "guardResult");
        validTargets = List.copyOf(validTargets);
    }

    /** @return whether the transition may happen */
    public boolean allowed() {
        return guardResult.allowed();
    }
}
