package dev.agentpipeline.core.story;

import org.apiguardian.api.API;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * The limits of the story pipeline. Immutable.
 *
 * <p>{@code qualityCycles} is the number of times the rework transition (quality gate FAIL back to execution)
 * may happen: with the default 2, the quality gate runs at most three times, as in the older ln-1000 runtime. The
 * skill's own text, "max 2 quality FAILs (original + 1 rework)", is {@code qualityCycles = 1}.
 *
 * <pre>{@code
 * PipelineDefinition strict = StoryPipeline.definition(new StoryLimits(1, 1, 1));
 * }</pre>
 *
 * @param validationRetries times a NO-GO validation may be retried (default 1)
 * @param qualityCycles times a failed quality gate may send the story back to execution (default 2)
 * @param crashes crashed attempts that are re-run before the run pauses (default 1)
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public record StoryLimits(int validationRetries, int qualityCycles, int crashes) {

    /** The default limits, those of the older ln-1000 runtime: 1 validation retry, 2 quality cycles, 1 crash. */
    public static final StoryLimits DEFAULTS = new StoryLimits(1, 2, 1);

    /**
     * Validates.
     *
     * @throws IllegalArgumentException if a limit is negative
     */
    public StoryLimits {
        if (validationRetries < 0 || qualityCycles < 0 || crashes < 0) {
            throw new IllegalArgumentException("story limits must be 0 or more, got validation retries "
                    + validationRetries + ", quality cycles " + qualityCycles + ", crashes " + crashes);
        }
    }
}
