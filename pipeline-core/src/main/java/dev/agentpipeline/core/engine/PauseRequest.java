package dev.agentpipeline.core.engine;

import dev.agentpipeline.spi.JsonValues;

import org.apiguardian.api.API;

import java.util.Map;
import java.util.Objects;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * Why to pause a run. Immutable.
 *
 * <pre>{@code
 * runtime.pause(runId, PauseRequest.of("Stage 2 summary missing or invalid")
 *         .withNextAction("Re-run ln-400 (the story-execution skill) and record its summary"));
 * }</pre>
 *
 * @param reason the reason, shown as {@code paused_reason}
 * @param category a stable category ({@code manual} by default)
 * @param scope what it concerns ({@code stage_2}), or null
 * @param evidence what led to it (JSON-compatible)
 * @param nextAction what a person should do
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public record PauseRequest(String reason, String category, String scope, Map<String, Object> evidence,
                           String nextAction) {

    /**
     * Validates and copies.
     *
     * @throws IllegalArgumentException if the reason is blank
     */
    public PauseRequest {
        if (reason == null || reason.isBlank()) {
            throw new IllegalArgumentException("A pause needs a reason");
        }
        category = category == null ? "manual" : category;
        evidence = JsonValues.copyOfMap(evidence);
        nextAction = nextAction == null ? "" : nextAction;
    }

    /**
     * @param reason the reason
     * @return a manual pause with that reason
     */
    public static PauseRequest of(String reason) {
        return new PauseRequest(reason, "manual", null, Map.of(), "Resolve the cause, then resume the run");
    }

    /**
     * @param action what a person should do
     * @return a copy with that next action
     */
    public PauseRequest withNextAction(String action) {
        return new PauseRequest(reason, category, scope, evidence, Objects.requireNonNull(action, "action"));
    }

    /**
     * @param value the category
     * @param where the scope
     * @return a copy with that category and scope
     */
    public PauseRequest withCategory(String value, String where) {
        return new PauseRequest(reason, value, where, evidence, nextAction);
    }

    /**
     * @param values the evidence
     * @return a copy with that evidence
     */
    public PauseRequest withEvidence(Map<String, ?> values) {
        return new PauseRequest(reason, category, scope, JsonValues.copyOfMap(values), nextAction);
    }
}
