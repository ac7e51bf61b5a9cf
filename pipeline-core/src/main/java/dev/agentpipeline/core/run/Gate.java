package dev.agentpipeline.core.run;

import org.apiguardian.api.API;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * A decision gate of a run: what it asks, since when, its escalations and, once answered, its decision. A gate
 * is answered at most once. Immutable.
 *
 * @param id the gate's id within the run: its state and visit number ({@code APPROVE_TASKS-1})
 * @param stateId the state that asks
 * @param request what it asks
 * @param requestedAt when it was opened
 * @param visit the journal sequence that started the visit it belongs to
 * @param escalations who it was escalated to, in order (empty if never)
 * @param decision its answer, or null while it is open
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public record Gate(String id, String stateId, GateRequest request, Instant requestedAt, long visit,
                   List<String> escalations, Decision decision) {

    /** Validates and copies. */
    public Gate {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(stateId, "stateId");
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(requestedAt, "requestedAt");
        escalations = escalations == null ? List.of() : List.copyOf(escalations);
    }

    /**
     * @param gateId a gate's id
     * @return the id of the timer of its timeout
     */
    public static String timerId(String gateId) {
        return "gate-" + gateId;
    }

    /** @return whether it waits for an answer */
    public boolean open() {
        return decision == null;
    }

    /** @return its answer, once it has one */
    public Optional<Decision> answer() {
        return Optional.ofNullable(decision);
    }

    /** @return when its timeout passes, if it has one */
    public Optional<Instant> due() {
        return request.timeoutIfAny().map(requestedAt::plus);
    }

    /** @return whether it was escalated */
    public boolean escalated() {
        return !escalations.isEmpty();
    }

    /**
     * Who may answer: the request's answerers and, after an escalation, those it was escalated to; empty for anyone.
     *
     * @return the names
     */
    public List<String> mayAnswer() {
        if (request.answerers().isEmpty() || escalations.contains("*")) {
            return List.of();
        }
        List<String> names = new ArrayList<>(request.answerers());
        for (String name : escalations) {
            if (!names.contains(name)) {
                names.add(name);
            }
        }
        return List.copyOf(names);
    }

    Gate escalate(List<String> to) {
        List<String> all = new ArrayList<>(escalations);
        all.addAll(to.isEmpty() ? List.of("*") : to);
        return new Gate(id, stateId, request, requestedAt, visit, all, decision);
    }

    Gate decide(Decision value) {
        return new Gate(id, stateId, request, requestedAt, visit, escalations, value);
    }
}
