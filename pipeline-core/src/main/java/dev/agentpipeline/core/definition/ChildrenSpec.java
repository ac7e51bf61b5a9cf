package dev.agentpipeline.core.definition;

import org.apiguardian.api.API;

import java.util.Objects;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * That a state starts runs of a definition (its own or another) and waits for them to end before its transitions
 * are tried (the state's {@code children:} in YAML). Immutable.
 *
 * <pre>
 * DEPLOY:
 *   children:
 *     pipeline: deployment      # the definition the children follow
 *     count: 1                  # how many
 *     class: deploy             # the concurrency class whose limit they count against
 * </pre>
 * Guards read {@code children.DEPLOY.done} (how many ended DONE), {@code .canceled}, {@code .ended},
 * {@code .count} and {@code .all_done}.
 *
 * @param pipeline the children's definition id
 * @param count how many children the state starts (1 or more)
 * @param concurrencyClass the class whose limit bounds how many run at once ({@code default} when not named)
 * @param location where it was defined
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public record ChildrenSpec(String pipeline, int count, String concurrencyClass, SourceLocation location) {

    /** Validates. */
    public ChildrenSpec {
        Objects.requireNonNull(pipeline, "pipeline");
        if (count < 1) {
            throw new IllegalArgumentException("a state starts at least one child, got " + count);
        }
        concurrencyClass = concurrencyClass == null || concurrencyClass.isBlank() ? "default" : concurrencyClass;
        Objects.requireNonNull(location, "location");
    }
}
