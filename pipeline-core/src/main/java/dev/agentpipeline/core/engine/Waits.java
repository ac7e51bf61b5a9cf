package dev.agentpipeline.core.engine;

import dev.agentpipeline.core.definition.PipelineDefinition;
import dev.agentpipeline.core.definition.StateDefinition;
import dev.agentpipeline.core.run.ChildRun;
import dev.agentpipeline.core.run.Gate;
import dev.agentpipeline.core.run.RunState;
import dev.agentpipeline.core.run.Timer;

import org.apiguardian.api.API;

import java.util.List;
import java.util.Optional;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * What a run waits for, read from its state without driving it: what {@code pipeline status} shows and what a
 * worker's index holds. It agrees with what {@link Orchestrator#drive(String)} answers as
 * {@link DriveResult.Status#WAITING}, except that a timer that is due already counts as no wait (the next drive
 * fires it).
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class Waits {

    private Waits() {
    }

    /**
     * @param definition the run's definition
     * @param state the run
     * @return what it waits for; empty when it ended, is paused, has a stage running or to run, or can move now
     */
    public static Optional<Wait> of(PipelineDefinition definition, RunState state) {
        if (state.complete() || state.isPaused() || state.openAttempt().isPresent()) {
            return Optional.empty();
        }
        String phase = state.phase();
        StateDefinition stateDefinition = definition.state(phase).orElse(null);
        if (stateDefinition == null) {
            return Optional.empty();
        }
        for (Timer timer : state.openTimers()) {
            if (Orchestrator.blocks(timer)) {
                return Optional.of(new Wait(Wait.Kind.TIMER, timer.stateId(), timer.purpose(), timer.due()));
            }
        }
        if (stateDefinition.gate() != null) {
            Optional<Gate> gate = state.freshGate(phase);
            if (gate.isEmpty() || !gate.get().open()) {
                return Optional.empty();
            }
            return Optional.of(new Wait(Wait.Kind.DECISION, phase, gate.get().id(),
                    gate.get().escalated() ? null : gate.get().due().orElse(null)));
        }
        if (stateDefinition.stagePlugin().isPresent()
                && Orchestrator.stageWork(state, phase) != Orchestrator.StageWork.DONE) {
            return Optional.empty();
        }
        if (stateDefinition.signal() != null && state.freshSignal(phase).isEmpty()) {
            Timer deadline = state.timers().get(Orchestrator.signalTimerId(state, phase));
            return Optional.of(new Wait(Wait.Kind.SIGNAL, phase, stateDefinition.signal().name(),
                    deadline == null || !deadline.open() ? null : deadline.due()));
        }
        if (stateDefinition.children() != null) {
            List<ChildRun> children = state.freshChildren(phase);
            long ended = children.stream().filter(ChildRun::ended).count();
            if (children.size() == stateDefinition.children().count() && ended == children.size()) {
                return Optional.empty();
            }
            return Optional.of(new Wait(Wait.Kind.CHILDREN, phase, ended + "/" + stateDefinition.children().count()
                    + " ended", null));
        }
        return Optional.empty();
    }
}
