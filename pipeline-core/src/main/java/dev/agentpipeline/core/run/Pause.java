package dev.agentpipeline.core.run;

import dev.agentpipeline.spi.JsonValues;

import org.apiguardian.api.API;

import java.util.Map;
import java.util.Objects;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * Why a run paused: the reason, its category, the scope it concerns, the evidence and the next action a person
 * should take. Immutable.
 *
 * @param reason the reason, shown as the run's {@code paused_reason}, never null
 * @param category a stable category ({@code manual}, {@code guard}, {@code loop_health}, {@code crash}...)
 * @param scope what it concerns ({@code stage_2}...), or null
 * @param evidence what led to the pause (JSON-compatible), never null
 * @param nextAction what a person should do next, never null
 * @param pausedFrom the state the run was in, never null
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public record Pause(String reason, String category, String scope, Map<String, Object> evidence, String nextAction,
                    String pausedFrom) {

    /** Validates and copies. */
    public Pause {
        Objects.requireNonNull(reason, "reason");
        category = category == null ? "manual" : category;
        evidence = JsonValues.copyOfMap(evidence);
        nextAction = nextAction == null ? "" : nextAction;
        Objects.requireNonNull(pausedFrom, "pausedFrom");
    }
}
