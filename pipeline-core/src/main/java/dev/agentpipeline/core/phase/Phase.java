package dev.agentpipeline.core.phase;

import org.apiguardian.api.API;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * One phase of the phase pipeline: its number, name, the agent that works in it and the file its signal is written
 * to. Immutable.
 *
 * @param number the phase's number (5, 6, 7, 9, 10, 11)
 * @param name its name ({@code Implementation})
 * @param agent what works in it ({@code TDD-Implementer}), for people
 * @param signalFile the file name its agent writes its completion or error signal to ({@code phase7-complete.json})
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public record Phase(int number, String name, String agent, String signalFile) {

    /** The phases, in order. Phase 11 runs the deployment pipeline as a child run instead of an agent. */
    public static final List<Phase> ALL = List.of(
            new Phase(5, "Task Decomposition", "Task-Decomposer", "phase5-complete.json"),
            new Phase(6, "Spec Generation", "Spec-Generator", "phase6-complete.json"),
            new Phase(7, "Implementation", "TDD-Implementer", "phase7-complete.json"),
            new Phase(9, "Integration Testing", "Integration-Tester", "phase9-complete.json"),
            new Phase(10, "E2E & Production Validation", "E2E-Prod-Validator", "phase10-complete.json"),
            new Phase(11, "Deployment", "Deployment-Orchestrator", "phase11-complete.json"));

    /** Validates. */
    public Phase {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(agent, "agent");
        Objects.requireNonNull(signalFile, "signalFile");
    }

    /** @return its state id ({@code PHASE_7}) */
    public String state() {
        return "PHASE_" + number;
    }

    /**
     * @param stateId a state id of the phase pipeline ({@code PHASE_7}, {@code FIX_7}, {@code ESCALATE_7})
     * @return the phase it belongs to
     */
    public static Optional<Phase> of(String stateId) {
        int underscore = stateId.lastIndexOf('_');
        if (underscore < 0) {
            return Optional.empty();
        }
        String digits = stateId.substring(underscore + 1);
        for (Phase phase : ALL) {
            if (Integer.toString(phase.number).equals(digits)) {
                return Optional.of(phase);
            }
        }
        return Optional.empty();
    }

    /**
     * @param fileName another signal file name (the original orchestrator's phase 6 writes
     *     {@code phase6-specs-created.json})
     * @return this phase with that signal file
     */
    public Phase withSignalFile(String fileName) {
        return new Phase(number, name, agent, fileName);
    }
}
