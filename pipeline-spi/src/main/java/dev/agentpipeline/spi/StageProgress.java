package dev.agentpipeline.spi;

import org.apiguardian.api.API;

import java.util.Map;
import java.util.Optional;

import static org.apiguardian.api.API.Status.STABLE;

/**
 * Intra-stage checkpoints: a stage saves where it is, and a later attempt (after a crash or a retry) continues
 * from there instead of starting over.
 *
 * <pre>{@code
 * Map<String, Object> last = context.progress().last().orElse(Map.of());
 * int done = ((Number) last.getOrDefault("tasks_done", 0)).intValue();
 * for (int task = done; task < tasks.size(); task++) {
 *     implement(tasks.get(task));
 *     context.progress().save(Map.of("tasks_done", task + 1));   // durable before it returns
 * }
 * }</pre>
 *
 * @since 0.1
 */
@API(status = STABLE, since = "0.1")
public interface StageProgress {

    /**
     * The newest snapshot saved for the current visit of this state, by this attempt or an earlier one.
     *
     * @return the snapshot, if any was saved
     */
    Optional<Map<String, Object>> last();

    /**
     * Saves a snapshot. When this method returns, the snapshot is on disk: a crash right after it loses nothing.
     *
     * @param snapshot JSON-compatible values (see {@link JsonValues}), not null
     * @throws IllegalArgumentException if the snapshot is not JSON-compatible
     * @throws java.io.UncheckedIOException if it cannot be written
     */
    void save(Map<String, ?> snapshot);
}
