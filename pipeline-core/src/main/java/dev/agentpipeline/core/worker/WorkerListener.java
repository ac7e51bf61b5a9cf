package dev.agentpipeline.core.worker;

import org.apiguardian.api.API;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * Hears what a {@link Worker} does, one call per change of a run it drives: for a status line, a dashboard or a
 * notification. Called from the worker's threads; keep it quick and thread-safe. An exception is logged and
 * otherwise ignored.
 *
 * <pre>{@code
 * Worker worker = Worker.builder(runtime, orchestrators)
 *         .listener(change -> System.out.println(change.line()))
 *         .build();
 * }</pre>
 *
 * @since 0.1
 */
@FunctionalInterface
@API(status = EXPERIMENTAL, since = "0.1")
public interface WorkerListener {

    /**
     * @param status where a run stands after the worker drove it (or found it changed)
     */
    void changed(RunStatus status);
}
