package dev.agentpipeline.bench;

import dev.agentpipeline.core.definition.PipelineDefinition;
import dev.agentpipeline.core.engine.StateMachine;
import dev.agentpipeline.core.engine.TransitionDecision;
import dev.agentpipeline.core.run.RunEvent;
import dev.agentpipeline.core.run.RunState;
import dev.agentpipeline.core.story.StoryPipeline;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.springframework.messaging.Message;
import org.springframework.messaging.support.MessageBuilder;
import org.springframework.statemachine.StateMachineEventResult;
import org.springframework.statemachine.config.StateMachineBuilder;
import org.springframework.statemachine.guard.Guard;

import reactor.core.publisher.Mono;

import java.time.Clock;
import java.time.Instant;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One guarded, in-memory state transition: Agent Pipeline's engine versus Spring Statemachine 4.0.2, in the same
 * run.
 *
 * <p><b>What it compares.</b> {@link #pingPong} makes one transition per operation between two states that move to
 * each other through a guard, so every operation is a real, allowed, guarded transition:
 * <ul>
 *   <li>{@code AGENT_PIPELINE}: {@link dev.agentpipeline.core.engine.StateMachine#decide} on {@link PingPong}'s
 *       definition (condition guard {@code run.ready == true}; the way back increments the bounded counter
 *       {@code laps}), then {@link RunState#apply} of the resulting {@code Transitioned} event (stamped with the
 *       system clock, as the runtime does). This is everything a transition costs in memory; the durable cost is
 *       {@link DurableTransitionBenchmark}'s subject.</li>
 *   <li>{@code SPRING_STATEMACHINE}: a machine built with {@link StateMachineBuilder} (no Spring context), started
 *       once, with the same two states, a guard reading the extended-state variable {@code ready} and, on the way
 *       back, the same limit check and an action incrementing {@code laps}. One operation is
 *       {@code sendEvent(Mono.just(message)).blockLast()}. The two messages and their monos are built once, which
 *       favours Spring (a real caller builds a message, with a random UUID, per event).</li>
 * </ul>
 * Each operation checks that its transition happened (our decision is allowed; Spring's machine is in the target
 * state - Spring answers {@code ACCEPTED} even when the guard says no) and fails the benchmark otherwise.
 * {@link #storyStage1ToStage2} adds, for scale, the story pipeline's real validation gate (five condition guards
 * over the fresh STAGE_1 checkpoint and summary) decided and applied from the same immutable state each time.
 *
 * Spring's reactive pipeline needs 10 to 20 seconds of warm-up on two cores before its time per event settles
 * (one fork of ten 1-second warm-up iterations was still at 157 us per event, then 61 us, where settled forks give
 * 37-43 us); fewer warm-up iterations flatter us. About 4 minutes.
 *
 * <p><b>Target.</b> {@code AGENT_PIPELINE} at least 10x faster than {@code SPRING_STATEMACHINE} (score ratio).
 * Results: {@code docs/benchmarks.md}.
 *
 * <p><b>Run it</b> (from the repository root):
 * <pre>
 * mvn -B -q -pl pipeline-bench -am package -DskipTests
 * java -jar pipeline-bench/target/benchmarks.jar GuardedTransition -f 3 -wi 20 -w 1s -i 5 -r 1s
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 20, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(3)
public class GuardedTransitionBenchmark {

    /** The implementations compared. */
    public enum Engine {
        /** StateMachine.decide + RunState.apply. */
        AGENT_PIPELINE,
        /** Spring Statemachine 4.0.2. */
        SPRING_STATEMACHINE
    }

    /** One machine that moves between PING and PONG, one guarded transition per call. */
    interface Machine {
        /** @return something that depends on the transition, for the blackhole */
        Object transition();

        /** @return the number of transitions made since setup */
        long transitions();
    }

    /** The machine under test. */
    @State(Scope.Thread)
    public static class Machines {
        @Param
        Engine engine;

        Machine machine;

        @Setup(Level.Trial)
        public void setUp() {
            machine = engine == Engine.AGENT_PIPELINE ? new Ours() : new Spring();
            for (int i = 0; i < 4; i++) {
                machine.transition(); // fails now, not in the middle of a measurement, if a guard rejects
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            if (machine.transitions() < 4) {
                throw new IllegalStateException(engine + " made no transitions");
            }
            if (machine instanceof Spring spring) {
                spring.stop();
            }
        }
    }

    /** Agent Pipeline: decide, then apply. */
    static final class Ours implements Machine {
        private final PipelineDefinition definition = PingPong.definition();
        private final Clock clock = Clock.systemUTC();
        private RunState state;

        Ours() {
            Map<String, Integer> counters = new LinkedHashMap<>();
            counters.put(PingPong.LAPS, 0);
            state = RunState.start(1, new RunEvent.Started(clock.instant(), "pingpong-bench-1", PingPong.ID,
                    "BENCH-1", "Ping-pong", PingPong.PING, counters, Map.of(), Map.of(PingPong.READY, true)));
        }

        @Override
        public Object transition() {
            RunState current = state;
            String to = PingPong.next(current.phase());
            TransitionDecision decision = StateMachine.decide(definition, current, to, null);
            if (!decision.allowed()) {
                throw new IllegalStateException("Guard rejected " + current.phase() + " -> " + to + ": "
                        + decision.guardResult().error());
            }
            RunState next = current.apply(current.sequence() + 1, new RunEvent.Transitioned(clock.instant(),
                    current.phase(), to, decision.counter(), null, decision.terminal()));
            state = next;
            return next;
        }

        @Override
        public long transitions() {
            return state.sequence() - 1;
        }
    }

    /** Spring Statemachine's states. */
    enum S {
        PING, PONG, DONE
    }

    /** Spring Statemachine's events. */
    enum E {
        TO_PONG, TO_PING, FINISH
    }

    /** Spring Statemachine 4.0.2, built without a Spring context. */
    static final class Spring implements Machine {
        private static final String READY = PingPong.READY;
        private static final String LAPS = PingPong.LAPS;
        private static final int LIMIT = Integer.MAX_VALUE;

        private final org.springframework.statemachine.StateMachine<S, E> machine;
        private final Mono<Message<E>> toPong = Mono.just(MessageBuilder.withPayload(E.TO_PONG).build());
        private final Mono<Message<E>> toPing = Mono.just(MessageBuilder.withPayload(E.TO_PING).build());
        private boolean inPing = true;
        private long transitions;

        Spring() {
            try {
                StateMachineBuilder.Builder<S, E> builder = StateMachineBuilder.builder();
                builder.configureConfiguration().withConfiguration().autoStartup(false);
                builder.configureStates().withStates().initial(S.PING).states(EnumSet.allOf(S.class)).end(S.DONE);
                Guard<S, E> ready = context -> Boolean.TRUE.equals(context.getExtendedState().get(READY,
                        Boolean.class));
                Guard<S, E> readyWithinLimit = context -> ready.evaluate(context)
                        && context.getExtendedState().get(LAPS, Integer.class) < LIMIT;
                builder.configureTransitions()
                        .withExternal().source(S.PING).target(S.PONG).event(E.TO_PONG).guard(ready)
                        .and()
                        .withExternal().source(S.PONG).target(S.PING).event(E.TO_PING).guard(readyWithinLimit)
                        .action(context -> context.getExtendedState().getVariables().merge(LAPS, 1,
                                (a, b) -> (Integer) a + (Integer) b))
                        .and()
                        .withExternal().source(S.PONG).target(S.DONE).event(E.FINISH);
                machine = builder.build();
            } catch (Exception e) {
                throw new IllegalStateException("Cannot build the Spring state machine", e);
            }
            machine.getExtendedState().getVariables().put(READY, Boolean.TRUE);
            machine.getExtendedState().getVariables().put(LAPS, 0);
            machine.startReactively().block();
        }

        @Override
        public Object transition() {
            Mono<Message<E>> event = inPing ? toPong : toPing;
            S target = inPing ? S.PONG : S.PING;
            StateMachineEventResult<S, E> result = machine.sendEvent(event).blockLast();
            // ACCEPTED alone does not prove the transition: a guard that says no still gives ACCEPTED.
            if (result == null || result.getResultType() != StateMachineEventResult.ResultType.ACCEPTED
                    || machine.getState().getId() != target) {
                throw new IllegalStateException("Spring Statemachine did not move to " + target + ": it is in "
                        + machine.getState().getId() + ", result " + (result == null ? "none" : result.getResultType()));
            }
            inPing = !inPing;
            transitions++;
            return result;
        }

        @Override
        public long transitions() {
            S expected = inPing ? S.PING : S.PONG;
            if (machine.getState().getId() != expected) {
                throw new IllegalStateException("Spring Statemachine is in " + machine.getState().getId()
                        + ", expected " + expected);
            }
            return transitions;
        }

        void stop() {
            machine.stopReactively().block();
        }
    }

    /** A story run in STAGE_1 with the evidence its gate to STAGE_2 asks for. */
    @State(Scope.Thread)
    public static class StoryAtStage1 {
        PipelineDefinition definition;
        RunState state;
        Clock clock;

        @Setup(Level.Trial)
        public void setUp() {
            definition = StoryPipeline.definition();
            clock = Clock.systemUTC();
            Instant at = clock.instant();
            Map<String, Integer> counters = new LinkedHashMap<>();
            definition.counters().keySet().forEach(counter -> counters.put(counter, 0));
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("status", "completed");
            summary.put("verdict", "GO");
            summary.put("readiness_score", 8);
            state = RunState.replay(List.of(
                    new RunEvent.Started(at, "story-bench-1", StoryPipeline.ID, "US001", "Login form",
                            definition.initialState(), counters, Map.of(), Map.of()),
                    new RunEvent.Transitioned(at, "QUEUED", "STAGE_1", null, null, false),
                    new RunEvent.CheckpointRecorded(at, "STAGE_1", 1, Map.of("verdict", "GO")),
                    new RunEvent.SummaryRecorded(at, "STAGE_1", summary)));
            TransitionDecision decision = StateMachine.decide(definition, state, "STAGE_2", null);
            if (!decision.allowed()) {
                throw new IllegalStateException("The story gate rejects the prepared state: "
                        + decision.guardResult().error());
            }
        }
    }

    /**
     * Agent Pipeline or Spring Statemachine: one guarded transition, alternating between two states.
     *
     * @param machines the machine
     * @return its new state or event result
     */
    @Benchmark
    public Object pingPong(Machines machines) {
        return machines.machine.transition();
    }

    /**
     * Agent Pipeline only, for scale: the story pipeline's STAGE_1 -> STAGE_2 (five guards) decided and applied.
     *
     * @param story the run at STAGE_1
     * @return the state after the transition
     */
    @Benchmark
    public RunState storyStage1ToStage2(StoryAtStage1 story) {
        RunState state = story.state;
        TransitionDecision decision = StateMachine.decide(story.definition, state, "STAGE_2", null);
        if (!decision.allowed()) {
            throw new IllegalStateException(decision.guardResult().error());
        }
        return state.apply(state.sequence() + 1, new RunEvent.Transitioned(story.clock.instant(), state.phase(),
                "STAGE_2", decision.counter(), null, decision.terminal()));
    }
}
