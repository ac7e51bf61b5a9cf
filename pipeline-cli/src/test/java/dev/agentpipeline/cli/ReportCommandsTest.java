package dev.agentpipeline.cli;

import dev.agentpipeline.core.internal.Json;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The report from the command line: {@code run} and {@code demo} write it when the run ends or pauses, and
 * {@code report} rewrites it for a run, keeping one trend row per run.
 */
class ReportCommandsTest {

    @TempDir
    Path project;

    private static final String DRY_RUN = """
            schema_version: 1
            states:
              STAGE_0:
                - {scores: {plan_score: 4}, attributes: {tasks_remaining: [T-001, T-002]}}
              STAGE_1:
                - {verdict: NO-GO, scores: {readiness: 3}, attributes: {reason: vague}}
                - {verdict: GO, scores: {readiness: 8}}
              STAGE_2:
                - {attributes: {story_status: To Review, git_stats: {files_changed: 2, lines_added: 30, lines_deleted: 4}}}
              STAGE_3:
                - {verdict: PASS, scores: {quality_score: SCORE}}
            """;

    private record Answer(int exit, Map<String, Object> json, String progress) {
    }

    /** A call that may print progress on stderr (run, demo). */
    private Answer pipeline(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = new PipelineMain().run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), project, Map.of());
        String stderr = err.toString(StandardCharsets.UTF_8);
        return new Answer(exit, Json.parseObject(exit == 2 ? stderr : out.toString(StandardCharsets.UTF_8)), stderr);
    }

    private Answer runStory(String story, int score) throws IOException {
        Files.writeString(project.resolve("dry-run.yaml"), DRY_RUN.replace("SCORE", String.valueOf(score)));
        return pipeline("run", "--story", story, "--title", "Story " + story, "--scenario", "dry-run.yaml");
    }

    private List<String> trendRows() throws IOException {
        return Files.readAllLines(project.resolve("docs/tasks/reports/quality-trend.md")).stream()
                .filter(line -> line.startsWith("| 20")).toList();
    }

    @Test
    void runWritesTheReportAndTheTrendRowWhenTheRunEndsAndSaysWhere() throws IOException {
        // When
        Answer answer = runStory("US001", 85);

        // Then
        assertThat(answer.exit()).isZero();
        Path report = Path.of((String) answer.json().get("report"));
        assertThat(report.getParent()).isEqualTo(project.resolve("docs/tasks/reports"));
        assertThat(report.getFileName().toString()).matches("pipeline-\\d{4}-\\d{2}-\\d{2}\\.md");
        assertThat(answer.json()).containsEntry("trend", project.resolve("docs/tasks/reports/quality-trend.md")
                .toString()).containsEntry("trend_direction", "unknown");
        assertThat(answer.progress()).contains("Report: " + report + " (quality trend: unknown,"
                + " docs/tasks/reports/quality-trend.md)");
        assertThat(Files.readString(report)).contains("**Story:** US001 \u2014 Story US001", "**Final State:** DONE",
                "| 2 created | 4/4 |", "| GO | 8/10 | - |", "| completed, To Review | 2 | +30/-4 |",
                "| PASS | 85/100 | - | 0 |", "- Attempt 1: completed NO-GO\n  - Reason: vague\n");
        assertThat(trendRows()).singleElement().asString().contains("| US001 | 85/100 | 0 | 0 | <!-- run_id: "
                + answer.json().get("run_id") + " -->");
    }

    @Test
    void reportRewritesTheReportOfARunAndKeepsOneRow() throws IOException {
        // Given
        Answer run = runStory("US001", 85);
        String written = Files.readString(Path.of((String) run.json().get("report")));

        // When
        Cli cli = new Cli(project);
        Map<String, Object> first = cli.run("report", "--story", "US001").ok();
        Map<String, Object> second = cli.run("report", "--run", (String) run.json().get("run_id")).ok();

        // Then
        assertThat(first).containsEntry("run_id", run.json().get("run_id")).containsEntry("story_id", "US001")
                .containsEntry("phase", "DONE").containsEntry("report", run.json().get("report"))
                .containsEntry("trend", run.json().get("trend")).containsEntry("trend_direction", "unknown")
                .containsEntry("row_added", false);
        assertThat(second).isEqualTo(first);
        assertThat(Files.readString(Path.of((String) first.get("report")))).isEqualTo(written);
        assertThat(trendRows()).hasSize(1);
    }

    @Test
    void twoStoriesOfOneProjectGiveTwoRowsAndATrend() throws IOException {
        Answer first = runStory("US001", 70);
        Answer second = runStory("US002", 90);

        assertThat(second.json()).containsEntry("trend_direction", "improving");
        assertThat(second.json().get("report")).isNotEqualTo(first.json().get("report"));
        assertThat(trendRows()).hasSize(2);
        assertThat(Files.readString(project.resolve("docs/tasks/reports/quality-trend.md")))
                .contains("**Trend:** improving \u2014 the mean score of the last scored run (90) is 20 points above"
                        + " the mean of the one before (70)");
        Map<String, Object> newest = new Cli(project).run("report").ok();
        assertThat(newest).as("without --story or --run: the newest run").containsEntry("story_id", "US002");
    }

    @Test
    void reportAnswersAnErrorForAStoryWithoutARunAnUnsafeIdAndAnUnreadableTrend() throws IOException {
        Cli cli = new Cli(project);
        assertThat(cli.run("report", "--story", "US404").error()).containsEntry("code", "run_not_found");
        assertThat(cli.run("report", "--run", "../etc").error()).containsEntry("code", "invalid_id");

        runStory("US001", 80);
        Path trend = project.resolve("docs/tasks/reports/quality-trend.md");
        Files.writeString(trend, "# Our trend\n\nNo table here.\n");
        Map<String, Object> error = cli.run("report", "--story", "US001").error();

        assertThat(error).containsEntry("code", "trend_unreadable");
        assertThat((String) error.get("error")).contains("quality-trend.md:1: no trend table found");
        assertThat((String) error.get("fix")).contains("move the file away");
        assertThat(Files.readString(trend)).isEqualTo("# Our trend\n\nNo table here.\n");
    }

    @Test
    void runStillAnswersWhenTheReportCannotBeWritten() throws IOException {
        Path trend = Files.createDirectories(project.resolve("docs/tasks/reports")).resolve("quality-trend.md");
        Files.writeString(trend, "not a trend\n");

        Answer answer = runStory("US001", 80);

        assertThat(answer.exit()).isZero();
        assertThat(answer.json()).doesNotContainKey("report").containsKey("report_error");
        assertThat(answer.progress()).contains("The report could not be written: ");
    }
}
