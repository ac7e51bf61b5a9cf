package dev.agentpipeline.core.story.report;

import dev.agentpipeline.core.engine.PipelineRuntime;
import dev.agentpipeline.core.engine.StartRequest;
import dev.agentpipeline.core.run.RunState;
import dev.agentpipeline.core.story.StoryPipeline;
import dev.agentpipeline.core.testing.MutableClock;
import dev.agentpipeline.core.testing.StoryRuns;
import dev.agentpipeline.core.story.report.QualityTrend.Direction;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Writing reports and the trend into a real project directory: names, idempotency, concurrency, bad trend files. */
class StoryReportsTest {

    @TempDir
    Path project;

    private final MutableClock clock = new MutableClock();
    private final PipelineRuntime runtime = StoryRuns.runtime(clock);

    private StoryReports reports() {
        return StoryReports.builder(project).build();
    }

    /** A story run through the command protocol that ends DONE with the given quality score. */
    private RunState doneRun(String story, int qualityScore) {
        StoryRuns run = new StoryRuns(runtime, story);
        run.to("STAGE_2").executed("To Review").to("STAGE_3");
        runtime.checkpoint(run.runId(), "STAGE_3", java.util.Map.of("stage", 3, "verdict", "PASS",
                "quality_score", qualityScore));
        run.summary("STAGE_3", StoryRuns.payload(3, "completed", "PASS", "Done"));
        runtime.complete(run.runId());
        clock.advance(Duration.ofMinutes(10));
        return run.state();
    }

    private List<String> rowsOf(Path trend) throws IOException {
        return Files.readAllLines(trend).stream().filter(line -> line.startsWith("| 20")).toList();
    }

    @Test
    void writesTheReportAndTheTrendRowOfARunIntoDocsTasksReports() throws IOException {
        RunState run = doneRun("US001", 88);

        StoryReports.Written written = reports().write(run, clock);

        Path dir = project.resolve("docs/tasks/reports");
        assertThat(written.report()).isEqualTo(dir.resolve("pipeline-2026-01-05.md"));
        assertThat(written.trend()).isEqualTo(dir.resolve("quality-trend.md"));
        assertThat(written.rowAdded()).isTrue();
        assertThat(written.direction()).isEqualTo(Direction.UNKNOWN);
        assertThat(Files.readString(written.report())).isEqualTo(StoryReport.render(run, clock).markdown());
        assertThat(rowsOf(written.trend())).containsExactly("| 2026-01-05 | US001 | 88/100 | 0 | 0 | <!-- run_id: "
                + run.runId() + " -->");
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .as("no temporary file is left").containsExactlyInAnyOrder("pipeline-2026-01-05.md",
                            "quality-trend.md");
        }
    }

    @Test
    void writingTheSameRunAgainReplacesItsReportAndKeepsOneRow() throws IOException {
        // Given
        RunState run = doneRun("US001", 88);
        StoryReports.Written first = reports().write(run, clock);

        // When: the next day, and after the report was written for another run
        clock.advance(Duration.ofDays(1));
        reports().write(doneRun("US002", 90), clock);
        StoryReports.Written again = reports().write(run, clock);

        // Then
        assertThat(again.report()).isEqualTo(first.report());
        assertThat(again.rowAdded()).isFalse();
        assertThat(rowsOf(again.trend())).hasSize(2);
        assertThat(Files.readString(again.trend()).split(run.runId(), -1)).hasSize(2);
    }

    @Test
    void twoRunsEndingTheSameDayGetTwoReportsAndTwoRows() throws IOException {
        StoryReports.Written first = reports().write(doneRun("US001", 70), clock);
        StoryReports.Written second = reports().write(doneRun("US002", 90), clock);
        StoryReports.Written third = reports().write(doneRun("US002", 60), clock);

        assertThat(first.report().getFileName()).hasToString("pipeline-2026-01-05.md");
        assertThat(second.report().getFileName()).hasToString("pipeline-2026-01-05-US002.md");
        assertThat(third.report().getFileName()).hasToString("pipeline-2026-01-05-US002-2.md");
        assertThat(rowsOf(third.trend())).hasSize(3);
        assertThat(second.direction()).isEqualTo(Direction.IMPROVING);
        assertThat(third.direction()).isEqualTo(Direction.DECLINING);
    }

    @Test
    void neverOverwritesAReportItDidNotWrite() throws IOException {
        Path dir = Files.createDirectories(project.resolve("docs/tasks/reports"));
        Files.writeString(dir.resolve("pipeline-2026-01-05.md"), "# Written by hand\n");

        StoryReports.Written written = reports().write(doneRun("US001", 80), clock);

        assertThat(written.report().getFileName()).hasToString("pipeline-2026-01-05-US001.md");
        assertThat(Files.readString(dir.resolve("pipeline-2026-01-05.md"))).isEqualTo("# Written by hand\n");
    }

    @Test
    void writesNothingWhenTheTrendFileCannotBeRead() throws IOException {
        Path dir = Files.createDirectories(project.resolve("docs/tasks/reports"));
        Files.writeString(dir.resolve("quality-trend.md"), "# Trend\n\nall good\n");

        assertThatThrownBy(() -> reports().write(doneRun("US001", 80), clock))
                .isInstanceOfSatisfying(ReportException.class, e -> assertThat(e.code()).isEqualTo("trend_unreadable"))
                .hasMessageContaining("quality-trend.md:1: no trend table found");
        assertThat(Files.readString(dir.resolve("quality-trend.md"))).isEqualTo("# Trend\n\nall good\n");
        assertThat(dir.resolve("pipeline-2026-01-05.md")).doesNotExist();
    }

    @Test
    void eightThreadsWritingAtOnceLoseNoRowAndShareNoName() throws Exception {
        // Given: eight runs of four stories (two each: the first was canceled), all ending the same day
        List<RunState> runs = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            String runId = runtime.start(StartRequest.builder(StoryPipeline.ID, "US00" + (i % 4)).build()).run()
                    .state().runId();
            runs.add(runtime.cancel(runId, "make room for the story's next run").state());
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<StoryReports.Written>> futures = new ArrayList<>();

        // When: each thread has its own writer, as separate commands would
        try {
            for (RunState run : runs) {
                futures.add(pool.submit(() -> {
                    go.await();
                    return reports().write(run, clock);
                }));
            }
            go.countDown();
            List<Path> files = new ArrayList<>();
            for (Future<StoryReports.Written> future : futures) {
                files.add(future.get(60, TimeUnit.SECONDS).report());
            }

            // Then
            assertThat(files).doesNotHaveDuplicates().hasSize(8);
            assertThat(rowsOf(project.resolve("docs/tasks/reports/quality-trend.md"))).hasSize(8);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void twoProcessesAndThisOneWritingAtOnceLoseNoRow(@TempDir Path logs) throws Exception {
        // Given: two child JVMs that each write the reports of 15 new runs, and this JVM writing 15 more meanwhile
        List<Process> children = new ArrayList<>();
        for (String prefix : List.of("A", "B")) {
            children.add(new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                    "-Dslf4j.provider=org.slf4j.helpers.NOP_FallbackServiceProvider",
                    "-cp", System.getProperty("java.class.path"), ReportWriterChild.class.getName(),
                    project.toString(), prefix, "15")
                    .redirectErrorStream(true).redirectOutput(logs.resolve(prefix + ".log").toFile()).start());
        }

        // When
        ReportWriterChild.writeReports(project, "C", 15);
        for (Process child : children) {
            assertThat(child.waitFor(120, TimeUnit.SECONDS)).as("child finished").isTrue();
            assertThat(child.exitValue()).as("child exit; log: %s", Files.readString(logs.resolve(
                    children.indexOf(child) == 0 ? "A.log" : "B.log"), StandardCharsets.UTF_8)).isZero();
        }

        // Then
        List<String> rows = rowsOf(project.resolve("docs/tasks/reports/quality-trend.md"));
        assertThat(rows).hasSize(45);
        for (String prefix : List.of("A", "B", "C")) {
            assertThat(rows).filteredOn(row -> row.contains("| US-" + prefix + "-")).hasSize(15);
        }
        try (Stream<Path> files = Files.list(project.resolve("docs/tasks/reports"))) {
            assertThat(files.filter(p -> p.getFileName().toString().startsWith("pipeline-"))).hasSize(45);
        }
    }
}
