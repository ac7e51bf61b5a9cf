package dev.agentpipeline.core.testing;

import dev.agentpipeline.spi.FailureClass;
import dev.agentpipeline.spi.Stage;
import dev.agentpipeline.spi.StageContext;
import dev.agentpipeline.spi.StageOutcome;

import org.slf4j.MDC;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A stage plugin that plays a script: one step per attempt, in order. It records what each attempt was given
 * (attempt number, inputs, saved progress, MDC), so a test can assert on it. Running more often than scripted
 * fails the test with an {@link AssertionError}, which the orchestrator does not catch.
 */
public final class ScriptedStage implements Stage {

    /** One attempt's behaviour. */
    @FunctionalInterface
    public interface Step {
        StageOutcome run(StageContext context) throws Exception;
    }

    /** What one attempt was given. */
    public record Seen(String stateId, int attempt, String attemptId, Map<String, Object> inputs,
                       Optional<Map<String, Object>> progress, Map<String, String> mdc, boolean cancelled) {
    }

    /** Thrown by {@link #crash()}: an error nothing catches, like a worker process that dies mid-stage. */
    public static final class SimulatedCrash extends Error {
        private static final long serialVersionUID = 1L;

        public SimulatedCrash() {
            super("worker crashed (simulated)");
        }
    }

    private final String id;
    private final Deque<Step> steps = new ArrayDeque<>();
    private final List<Seen> seen = new ArrayList<>();

    public ScriptedStage(String id, Step... script) {
        this.id = id;
        steps.addAll(List.of(script));
    }

    public static Step ok(StageOutcome outcome) {
        return context -> outcome;
    }

    public static Step ok(StageOutcome.Builder outcome) {
        StageOutcome built = outcome.build();
        return context -> built;
    }

    public static Step fail(FailureClass failureClass, String message) {
        StageOutcome outcome = StageOutcome.failed(failureClass, message).build();
        return context -> outcome;
    }

    public static Step throwing(Exception exception) {
        return context -> {
            throw exception;
        };
    }

    public static Step crash() {
        return context -> {
            throw new SimulatedCrash();
        };
    }

    /** The same step {@code times} times. */
    public static Step[] times(int times, Step step) {
        Step[] steps = new Step[times];
        java.util.Arrays.fill(steps, step);
        return steps;
    }

    /** Adds steps to the end of the script. */
    public ScriptedStage then(Step... more) {
        steps.addAll(List.of(more));
        return this;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String version() {
        return "test-1";
    }

    @Override
    public StageOutcome run(StageContext context) throws Exception {
        Map<String, String> mdc = MDC.getCopyOfContextMap();
        seen.add(new Seen(context.stateId(), context.attempt(), context.attemptId(), context.inputs(),
                context.progress().last(), mdc == null ? Map.of() : Map.copyOf(mdc), context.isCancelled()));
        Step step = steps.poll();
        if (step == null) {
            throw new AssertionError("stage " + id + " ran " + seen.size() + " times, more often than scripted");
        }
        return step.run(context);
    }

    /** @return what every attempt so far was given, oldest first */
    public List<Seen> seen() {
        return List.copyOf(seen);
    }

    /** @return how many attempts ran */
    public int runs() {
        return seen.size();
    }

    /** @return how many scripted steps are left */
    public int remaining() {
        return steps.size();
    }
}
