package dev.agentpipeline.core.story.report;

import dev.agentpipeline.core.run.Ids;

import org.apiguardian.api.API;

import java.time.LocalDate;
import java.util.Objects;
import java.util.OptionalDouble;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * One run's row of the quality trend ({@code docs/tasks/reports/quality-trend.md}): Date | Story | Score | Rework |
 * Infra issues, and the run it belongs to (kept in a comment, so a run has at most one row). Immutable.
 *
 * <pre>{@code
 * TrendRow row = new TrendRow(LocalDate.of(2026, 1, 5), "US001", runId, OptionalDouble.of(92), 1, 0);
 * }</pre>
 *
 * @param date the day the run ended (or paused)
 * @param storyId the story
 * @param runId the run; null for a row written by hand (it is never replaced)
 * @param score the newest quality score (0-100) of the run, empty if its quality gate never scored
 * @param rework how many rework cycles the run went through ({@code quality_cycles})
 * @param infraIssues how many infrastructure issues the run recorded
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public record TrendRow(LocalDate date, String storyId, String runId, OptionalDouble score, int rework,
                       int infraIssues) {

    /**
     * Validates.
     *
     * @throws IllegalArgumentException if the run id is not a safe id, or a count is negative
     */
    public TrendRow {
        Objects.requireNonNull(date, "date");
        Objects.requireNonNull(storyId, "storyId");
        Objects.requireNonNull(score, "score");
        if (runId != null) {
            Ids.requireSafe("run id", runId);
        }
        if (rework < 0 || infraIssues < 0) {
            throw new IllegalArgumentException("rework and infra issues are counts, not negative: " + rework + ", "
                    + infraIssues);
        }
    }
}
