package dev.agentpipeline.bench;

import dev.agentpipeline.core.definition.CounterDefinition;
import dev.agentpipeline.core.definition.PipelineDefinition;
import dev.agentpipeline.core.definition.TransitionDefinition;
import dev.agentpipeline.core.guard.Condition;
import dev.agentpipeline.core.guard.ConditionGuard;
import dev.agentpipeline.core.guard.Guards;
import dev.agentpipeline.core.guard.Operator;

/**
 * The smallest definition on which every transition is a real guarded one: {@code PING} and {@code PONG} move to
 * each other through a condition guard ({@code run.ready} must be {@code true}); the way back increments the
 * bounded counter {@code laps} (every cycle needs one to pass validation), and {@code PONG} may end in
 * {@code DONE}. Benchmarks alternate between the two states forever.
 */
final class PingPong {

    static final String ID = "pingpong";
    static final String PING = "PING";
    static final String PONG = "PONG";
    static final String DONE = "DONE";
    static final String LAPS = "laps";
    static final String READY = "ready";

    private PingPong() {
    }

    /** @return the definition, validated */
    static PipelineDefinition definition() {
        return PipelineDefinition.builder(ID)
                .title("Ping-pong")
                .initial(PING)
                .state(PING, "First state")
                .state(PONG, "Second state")
                .terminal(DONE, "Never reached by the benchmarks")
                .counter(CounterDefinition.of(LAPS, Integer.MAX_VALUE))
                .transition(TransitionDefinition.builder(PING, PONG).guard(ready()).build())
                .transition(TransitionDefinition.builder(PONG, PING).guard(ready()).increments(LAPS).build())
                .transition(PONG, DONE)
                .build();
    }

    private static ConditionGuard ready() {
        return Guards.require(Condition.of("run." + READY, Operator.EQ, true))
                .orReject("not_ready", "The run is not ready", "Set the attribute ready to true");
    }

    /**
     * @param phase the current state
     * @return the state to go to next
     */
    static String next(String phase) {
        return PING.equals(phase) ? PONG : PING;
    }
}
