package dev.agentpipeline.core.guard;

import org.apiguardian.api.API;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * Decides whether a transition may happen. A pure function of the run's state and evidence: it must not change
 * anything, and it may be called any number of times (to explain a state, to print a graph, to retry).
 *
 * <pre>{@code
 * Guard businessHours = context -> {
 *     int hour = context.run().updatedAt().atZone(ZoneOffset.UTC).getHour();
 *     return hour >= 9 && hour < 17
 *             ? GuardResult.allow()
 *             : GuardResult.reject("outside_business_hours", "Deployments wait for business hours",
 *                     "Resume the run after 09:00 UTC");
 * };
 * }</pre>
 *
 * <p>A custom guard used from YAML ({@code - custom: business-hours}) is registered by that name with
 * {@link GuardRegistry}. Implementations must be thread-safe.
 *
 * @since 0.1
 */
@FunctionalInterface
@API(status = EXPERIMENTAL, since = "0.1")
public interface Guard {

    /**
     * Judges a transition.
     *
     * @param context the run, the transition and its evidence, never null
     * @return allow, or a rejection with code, error and recovery; never null
     */
    GuardResult check(GuardContext context);

    /**
     * Describes the guard for graphs and error listings.
     *
     * @return a short description, never null
     */
    default String describe() {
        return getClass().getSimpleName();
    }
}
