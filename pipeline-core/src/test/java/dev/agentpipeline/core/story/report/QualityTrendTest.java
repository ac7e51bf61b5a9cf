package dev.agentpipeline.core.story.report;

import dev.agentpipeline.core.story.report.QualityTrend.Direction;

import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.util.OptionalDouble;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The trend file's rule (improving, stable, declining), its rows, and what it does with a file edited by hand. */
class QualityTrendTest {

    private static TrendRow row(int day, String story, Double score) {
        return new TrendRow(LocalDate.of(2026, 1, day), story, "run-" + story + "-" + day,
                score == null ? OptionalDouble.empty() : OptionalDouble.of(score), 0, 0);
    }

    private static QualityTrend trend(Double... scores) {
        QualityTrend trend = QualityTrend.empty();
        for (int i = 0; i < scores.length; i++) {
            trend = trend.record(row(i + 1, "US00" + (i + 1), scores[i]));
        }
        return trend;
    }

    @Test
    void threeRunsWithRisingScoresAreImproving() {
        QualityTrend trend = trend(60.0, 70.0, 85.0);

        assertThat(trend.direction()).isEqualTo(Direction.IMPROVING);
        assertThat(trend.trendLine()).isEqualTo("**Trend:** improving \u2014 the mean score of the last scored run (85)"
                + " is 15 points above the mean of the one before (70); within \u00b15 points is stable.");
    }

    @Test
    void rendersANewFileLikeTheExampleOfTheDocs() throws java.io.IOException {
        QualityTrend trend = QualityTrend.empty()
                .record(new TrendRow(LocalDate.of(2026, 1, 5), "US001", "story-us001-1767603600000-1a2b3c4d",
                        OptionalDouble.of(78), 1, 0))
                .record(new TrendRow(LocalDate.of(2026, 1, 6), "US002", "story-us002-1767690000000-5e6f7a8b",
                        OptionalDouble.empty(), 2, 1))
                .record(new TrendRow(LocalDate.of(2026, 1, 7), "US003", "story-us003-1767776400000-9c0d1e2f",
                        OptionalDouble.of(92), 0, 0));

        try (java.io.InputStream in = QualityTrendTest.class.getResourceAsStream("quality-trend.md")) {
            assertThat(trend.render()).isEqualTo(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
        }
        assertThat(trend.direction()).isEqualTo(Direction.IMPROVING);
    }

    @Test
    void threeRunsWithinTheToleranceAreStable() {
        assertThat(trend(80.0, 90.0, 85.0).direction()).isEqualTo(Direction.STABLE);
        assertThat(trend(80.0, 80.0, 75.0).direction()).as("exactly 5 points lower").isEqualTo(Direction.STABLE);
    }

    @Test
    void threeRunsWithFallingScoresAreDeclining() {
        assertThat(trend(95.0, 90.0, 70.0).direction()).isEqualTo(Direction.DECLINING);
    }

    @Test
    void comparesTheMeansOfTheLastThreeScoresWithTheThreeBeforeAndSkipsRunsWithoutAScore() {
        // before: 70, 70, 70 (mean 70); last three: 60, 90, 90 (mean 80); the unscored run and the oldest are ignored
        QualityTrend trend = trend(10.0, 70.0, 70.0, null, 70.0, 60.0, 90.0, 90.0);

        assertThat(trend.direction()).isEqualTo(Direction.IMPROVING);
        assertThat(trend.trendLine()).contains("the last 3 scored runs (80) is 10 points above the mean of the 3"
                + " before (70)");
    }

    @Test
    void isUnknownWithFewerThanTwoScores() {
        assertThat(trend().direction()).isEqualTo(Direction.UNKNOWN);
        assertThat(trend(80.0, null).direction()).isEqualTo(Direction.UNKNOWN);
        assertThat(trend(80.0).trendLine()).isEqualTo("**Trend:** unknown \u2014 fewer than two runs have a quality"
                + " score.");
    }

    @Test
    void rendersANewFileThatParsesBackToTheSameRows() {
        QualityTrend trend = trend(60.0, null, 85.5);

        String text = trend.render();
        QualityTrend again = QualityTrend.parse("quality-trend.md", text);

        assertThat(text).contains("| Date | Story | Score | Rework | Infra issues |\n"
                + "| ---- | ----- | ----- | ------ | ------------ |\n"
                + "| 2026-01-01 | US001 | 60/100 | 0 | 0 | <!-- run_id: run-US001-1 -->\n"
                + "| 2026-01-02 | US002 | - | 0 | 0 | <!-- run_id: run-US002-2 -->\n"
                + "| 2026-01-03 | US003 | 85.5/100 | 0 | 0 | <!-- run_id: run-US003-3 -->\n");
        assertThat(again.rows()).isEqualTo(trend.rows());
        assertThat(again.render()).isEqualTo(text);
        assertThat(again.warnings()).isEmpty();
    }

    @Test
    void replacesTheRowOfARunThatIsRecordedAgainInItsPlace() {
        QualityTrend trend = trend(60.0, 70.0);
        TrendRow first = trend.rows().get(0);

        QualityTrend updated = trend.record(new TrendRow(first.date(), first.storyId(), first.runId(),
                OptionalDouble.of(95), 2, 1));

        assertThat(updated.rows()).hasSize(2);
        assertThat(updated.rows().get(0).score()).hasValue(95);
        assertThat(updated.rows().get(0).rework()).isEqualTo(2);
        assertThat(updated.direction()).isEqualTo(Direction.DECLINING);
    }

    @Test
    void keepsEverythingOfAHandEditedFileAndCountsRowsAddedByHand() {
        // Given: prose around the table, a row added by hand (no run id), a row nobody can read, no trend line
        String text = """
                # Our quality

                Kept by the team.

                | Date | Story | Score | Rework | Infra issues |
                |:-----|-------|------:|--------|--------------|
                | 2026-01-01 | US001 | 90 | 0 | 0 |
                | last week | US002 | great | ? | 0 |
                | 2026-01-03 | US\\|003 | 70/100 | 1 | 2 | <!-- run_id: run-3 -->

                Notes after the table.
                """;

        // When
        QualityTrend trend = QualityTrend.parse("docs/tasks/reports/quality-trend.md", text).record(row(4, "US004", 72.0));

        // Then
        assertThat(trend.warnings()).containsExactly("docs/tasks/reports/quality-trend.md:8: the date 'last week' is"
                + " not a date like 2026-01-05; the row is kept and left out of the trend");
        assertThat(trend.rows()).extracting(TrendRow::storyId).containsExactly("US001", "US|003", "US004");
        assertThat(trend.direction()).as("90 -> 70 -> 72: the last (72) against the one before (70)")
                .isEqualTo(Direction.STABLE);
        assertThat(trend.render()).isEqualTo("""
                # Our quality

                Kept by the team.

                **Trend:** stable \u2014 the mean score of the last scored run (72) is 2 points above the mean of the one\
                 before (70); within \u00b15 points is stable.

                | Date | Story | Score | Rework | Infra issues |
                |:-----|-------|------:|--------|--------------|
                | 2026-01-01 | US001 | 90 | 0 | 0 |
                | last week | US002 | great | ? | 0 |
                | 2026-01-03 | US\\|003 | 70/100 | 1 | 2 | <!-- run_id: run-3 -->
                | 2026-01-04 | US004 | 72/100 | 0 | 0 | <!-- run_id: run-US004-4 -->

                Notes after the table.
                """);
    }

    @Test
    void rewritesTheTrendLineWhereItIs() {
        String text = trend(60.0, 70.0).render();

        String next = QualityTrend.parse("quality-trend.md", text).record(row(3, "US003", 40.0)).render();

        assertThat(next.lines().filter(line -> line.startsWith("**Trend:**"))).hasSize(1)
                .first().asString().startsWith("**Trend:** declining");
        assertThat(next.indexOf("**Trend:**")).isEqualTo(text.indexOf("**Trend:**"));
    }

    @Test
    void refusesAFileWithoutATrendTableNamingTheLineAndTheFix() {
        assertThatThrownBy(() -> QualityTrend.parse("quality-trend.md", "# Quality\n\nWe are doing fine.\n"))
                .isInstanceOfSatisfying(ReportException.class, e -> {
                    assertThat(e.code()).isEqualTo("trend_unreadable");
                    assertThat(e.problem()).startsWith("quality-trend.md:1: no trend table found");
                    assertThat(e.fix()).contains("|---|---|---|---|---|");
                });
        assertThatThrownBy(() -> QualityTrend.parse("quality-trend.md",
                "# Quality\n| Date | Story | Score | Rework | Infra issues |\n| 2026-01-01 | US1 | 1 | 0 | 0 |\n"))
                .isInstanceOf(ReportException.class)
                .hasMessageStartingWith("quality-trend.md:3: the trend table's header (line 2) must be followed by a"
                        + " separator line.");
    }

    @Test
    void treatsABlankFileAsANewOne() {
        assertThat(QualityTrend.parse("quality-trend.md", " \n").render()).isEqualTo(QualityTrend.empty().render());
    }
}
