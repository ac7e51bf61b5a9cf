package dev.agentpipeline.core.engine;

import dev.agentpipeline.core.run.RunEvent;
import dev.agentpipeline.core.run.RunState;
import org.apiguardian.api.API;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * Hears every event a runtime appends, after it is durable. Listeners run on the thread that made the change,
 * while it holds the run's lock: keep them quick. An exception from a listener is logged and otherwise ignored.
 *
 * <pre>{@code
 * RunListener progress = (event, state) -> {
 *     if (event instanceof RunEvent.Transitioned t) {
 *         System.out.println(state.subjectId() + ": " + t.from() + " -> " + t.to());
 *     }
 * };
 * }</pre>
 *
 * @since 0.1
 */
@FunctionalInterface
@API(status = EXPERIMENTAL, since = "0.1")
public interface RunListener {

    /**
     * @param event the event, durable
     * @param state the run's state after the batch of events this one belongs to
     */
    void onEvent(RunEvent event, RunState state);
}
