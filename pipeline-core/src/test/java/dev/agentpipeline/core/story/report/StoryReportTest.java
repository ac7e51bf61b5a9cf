package dev.agentpipeline.core.story.report;

import dev.agentpipeline.core.engine.DriveResult;
import dev.agentpipeline.core.engine.PipelineRuntime;
import dev.agentpipeline.core.engine.StartRequest;
import dev.agentpipeline.core.run.RunState;
import dev.agentpipeline.core.store.FileRunStore;
import dev.agentpipeline.core.story.StoryPipeline;
import dev.agentpipeline.core.testing.FakeSleeper;
import dev.agentpipeline.core.testing.MutableClock;
import dev.agentpipeline.core.testing.ScriptedStage;
import dev.agentpipeline.core.testing.StoryRuns;
import dev.agentpipeline.spi.ProgressSignal;
import dev.agentpipeline.spi.StageOutcome;
import dev.agentpipeline.spi.StageRegistry;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The report of story runs driven through a real runtime (file store, fake clock), compared whole with a golden file
 * for a run that went through one NO-GO and one rework, and line by line for runs that paused or skipped stages.
 */
class StoryReportTest {

    /** The golden report; {@code RUN_ID} stands for the run's (random) id. */
    static final String GOLDEN = "done-with-retry-and-rework.md";

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock();

    private PipelineRuntime runtime() {
        return PipelineRuntime.builder().store(FileRunStore.builder(dir.resolve(".pipeline")).clock(clock).build())
                .definition(StoryPipeline.definition()).clock(clock).build();
    }

    /** A step that works for a while on the fake clock, then returns the outcome. */
    private ScriptedStage.Step takes(Duration duration, StageOutcome outcome) {
        return context -> {
            clock.advance(duration);
            return outcome;
        };
    }

    private DriveResult drive(PipelineRuntime runtime, String runId, ScriptedStage... stages) {
        return StoryPipeline.orchestrator(runtime, StageRegistry.of(stages), run -> dir, Optional.of("STAGE_0"))
                .sleeper(new FakeSleeper(clock)).build().drive(runId);
    }

    /**
     * The run of the golden file: decomposition (5 min), a NO-GO (2 min) and a GO (3 min), execution (20 min), a
     * failed gate (4 min), the rework (10 min), a passing gate (4 min); a branch, git stats, an infra issue, notes
     * with a pipe and a line break.
     */
    static RunState doneRunWithRetryAndRework(PipelineRuntime runtime, MutableClock clock, Path dir,
                                              StoryReportTest test) {
        String runId = runtime.start(StartRequest.builder(StoryPipeline.ID, "US001").title("Login form")
                .attributes(Map.of("branch_name", "feature/US001-login-form",
                        "infra_issues", List.of(Map.of("phase", "STAGE_2", "type", "push",
                                "message", "Push failed | remote unreachable")))).build()).run().state().runId();
        ScriptedStage decompose = new ScriptedStage("story-decompose", test.takes(Duration.ofMinutes(5),
                StageOutcome.completed().score("plan_score", 4)
                        .attribute("tasks_remaining", List.of("T-001", "T-002", "T-003"))
                        .notes("Three tasks, one per acceptance criterion.").build()));
        ScriptedStage validate = new ScriptedStage("story-validate",
                test.takes(Duration.ofMinutes(2), StageOutcome.completed().verdict("NO-GO").score("readiness", 4)
                        .attribute("reason", "AC2 is not testable").attribute("agents_info", "codex, gemini")
                        .notes("Rewrote AC2 with a measurable limit.").build()),
                test.takes(Duration.ofMinutes(3), StageOutcome.completed().verdict("GO").score("readiness", 8)
                        .attribute("agents_info", List.of("codex", "gemini")).build()));
        ScriptedStage execute = new ScriptedStage("story-execute",
                test.takes(Duration.ofMinutes(20), StageOutcome.completed().progress(ProgressSignal.FILES_CHANGED_DELTA)
                        .attribute("story_status", "To Review")
                        .attribute("git_stats", Map.of("files_changed", 4, "lines_added", 120, "lines_deleted", 7))
                        .notes("Login form | validation\nwith server-side checks.").build()),
                test.takes(Duration.ofMinutes(10), StageOutcome.completed().progress(ProgressSignal.FILES_CHANGED_DELTA)
                        .attribute("story_status", "To Review")
                        .attribute("git_stats", Map.of("files_changed", 5, "lines_added", 150, "lines_deleted", 9))
                        .warning("Coverage of LoginController is 71%").notes("Added the missing tests.").build()));
        ScriptedStage gate = new ScriptedStage("story-quality-gate",
                test.takes(Duration.ofMinutes(4), StageOutcome.completed().verdict("FAIL").score("quality_score", 55)
                        .attribute("issues", "No test for the lockout").attribute("agents_info", "codex")
                        .attribute("rework_hint", Map.of("suggested_focus", "tests")).build()),
                test.takes(Duration.ofMinutes(4), StageOutcome.completed().verdict("PASS").score("quality_score", 92)
                        .attribute("agents_info", "codex").notes("All criteria covered.").build()));
        DriveResult result = test.drive(runtime, runId, decompose, validate, execute, gate);
        assertThat(result.status()).isEqualTo(DriveResult.Status.COMPLETED);
        return result.run().state();
    }

    static String golden() throws IOException {
        try (InputStream in = StoryReportTest.class.getResourceAsStream(GOLDEN)) {
            assertThat(in).as("golden file " + GOLDEN).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void rendersADoneRunWithARetryAndAReworkExactlyAsTheGoldenFile() throws IOException {
        // Given
        RunState run = doneRunWithRetryAndRework(runtime(), clock, dir, this);

        // When
        StoryReport report = StoryReport.render(run, clock);

        // Then
        String markdown = report.markdown().replace(run.runId(), "RUN_ID");
        Path actual = Path.of("target", "report-actual-" + GOLDEN);
        Files.writeString(actual, markdown); // to compare by hand, or to copy over the golden file after a change
        assertThat(markdown).as("the report (written to %s)", actual.toAbsolutePath()).isEqualTo(golden());
        assertThat(report.fileName()).isEqualTo("pipeline-2026-01-05.md");
        assertThat(report.trendRow()).isEqualTo(new TrendRow(LocalDate.of(2026, 1, 5), "US001", run.runId(),
                java.util.OptionalDouble.of(92), 1, 1));
    }

    @Test
    void rendersTheSameReportAfterTheRunIsReloadedFromItsJournal() {
        RunState run = doneRunWithRetryAndRework(runtime(), clock, dir, this);
        clock.advance(Duration.ofDays(3)); // "now" does not matter once the run ended

        RunState reloaded = runtime().load(run.runId()).state();

        assertThat(StoryReport.render(reloaded, clock).markdown()).isEqualTo(StoryReport.render(run, clock).markdown());
    }

    @Test
    void measuresDurationsAsTheJournalKeepsThemSoAReloadedRunGivesTheSameReport() {
        // Given: stages of 1.6 ms starting 0.7 ms into a millisecond; the journal keeps milliseconds
        clock.set(MutableClock.START.plusNanos(700_000));
        PipelineRuntime runtime = runtime();
        String runId = runtime.start(StartRequest.builder(StoryPipeline.ID, "US005").build()).run().state().runId();
        StageOutcome noGo = StageOutcome.completed().verdict("NO-GO").score("readiness", 3).build();
        RunState driven = drive(runtime, runId,
                new ScriptedStage("story-decompose", takes(Duration.ofNanos(1_600_000), StageOutcome.completed().build())),
                new ScriptedStage("story-validate", takes(Duration.ofNanos(1_600_000), noGo),
                        takes(Duration.ofNanos(1_600_000), noGo)),
                new ScriptedStage("story-execute"), new ScriptedStage("story-quality-gate")).run().state();

        // When
        String inProcess = StoryReport.render(driven, clock).markdown();
        String reloaded = StoryReport.render(runtime().load(runId).state(), clock).markdown();

        // Then
        assertThat(inProcess).isEqualTo(reloaded).contains("| - | - | 2 ms |", "| NO-GO | 3/10 | - | 3 ms |");
    }

    @Test
    void datesTheReportInTheClocksZone() {
        RunState run = doneRunWithRetryAndRework(runtime(), clock, dir, this);

        // The run ends at 09:48 UTC on the 5th: still the 4th in Honolulu (UTC-10).
        StoryReport report = StoryReport.render(run, Clock.fixed(Instant.EPOCH, ZoneId.of("Pacific/Honolulu")));

        assertThat(report.date()).isEqualTo(LocalDate.of(2026, 1, 4));
        assertThat(report.markdown()).startsWith("# Pipeline Report \u2014 2026-01-04\n");
    }

    @Test
    void rendersAPausedRunWithItsReasonAndDashesForTheStagesItNeverReached() {
        // Given: validation says NO-GO twice, and one retry is allowed
        PipelineRuntime runtime = runtime();
        String runId = runtime.start(StartRequest.builder(StoryPipeline.ID, "US002").title("Export").build()).run()
                .state().runId();
        StageOutcome noGo = StageOutcome.completed().verdict("NO-GO").score("readiness", 3)
                .attribute("reason", "No acceptance criteria").build();
        DriveResult result = drive(runtime, runId,
                new ScriptedStage("story-decompose", takes(Duration.ofMinutes(1), StageOutcome.completed()
                        .score("plan_score", 2).attribute("tasks_remaining", List.of("T-1")).build())),
                new ScriptedStage("story-validate", takes(Duration.ofSeconds(30), noGo), takes(Duration.ofSeconds(40), noGo)),
                new ScriptedStage("story-execute"), new ScriptedStage("story-quality-gate"));
        assertThat(result.status()).isEqualTo(DriveResult.Status.PAUSED);
        clock.advance(Duration.ofHours(5)); // a paused run's duration ends at its pause

        // When
        StoryReport report = StoryReport.render(result.run().state(), clock);

        // Then
        assertThat(report.markdown())
                .contains("**Final State:** PAUSED at STAGE_1 \u2014 Validation retry exhausted\n")
                .contains("**Duration:** 2m 10s\n")
                .contains("**Branch:** -\n")
                .contains("| 1 created | 2/4 | 1m 00s |")
                .contains("| NO-GO | 3/10 | - | 1m 10s |")
                .contains("- Attempt 1: completed NO-GO\n  - Reason: No acceptance criteria\n"
                        + "- Attempt 2: completed NO-GO\n  - Reason: No acceptance criteria\n")
                .contains("## Implementation (Stage 2)\n\n| Status | Files | Lines | Duration |\n"
                        + "| ------ | ----- | ----- | -------- |\n| - | - | - | - |\n\n_(no notes captured)_\n")
                .contains("| - | - | - | 0 | - |")
                .contains("| 2m 10s | 0 | 1 | 0 | 0 |");
        assertThat(report.trendRow().score()).isEmpty();
    }

    @Test
    void rendersARunDrivenThroughTheCommandProtocolThatSkippedTheFirstStages() {
        // Given: a story that entered at STAGE_2 (the board said Todo), checkpoints and summaries written by the skill
        StoryRuns story = new StoryRuns(StoryRuns.runtime(clock), "US003");
        story.to("STAGE_2");
        clock.advance(Duration.ofMinutes(12));
        story.executed("To Review").to("STAGE_3");
        clock.advance(Duration.ofMinutes(3));
        story.gated("CONCERNS");
        story.runtime().complete(story.runId());

        // When
        String markdown = StoryReport.render(story.state(), clock).markdown();

        // Then
        assertThat(markdown)
                .contains("**Story:** US003 \u2014 Login form\n")
                .contains("**Final State:** DONE\n")
                .contains("| - | - | - |\n")
                .contains("| - | - | - | - |\n")
                .contains("| completed, To Review | 3 | - | 12m 00s |")
                .contains("| CONCERNS | 80/100 | - | 0 | 3m 00s |")
                .contains("**Duration:** 15m 00s");
        assertThat(markdown.split("_\\(no notes captured\\)_", -1)).as("no stage left notes").hasSize(5);
    }

    @Test
    void rendersARunThatJustStartedWithoutFailing() {
        PipelineRuntime runtime = runtime();
        RunState run = runtime.start(StartRequest.builder(StoryPipeline.ID, "US004").build()).run().state();
        clock.advance(Duration.ofSeconds(3));

        String markdown = StoryReport.render(run, clock).markdown();

        assertThat(markdown).contains("**Story:** US004\n", "**Final State:** QUEUED\n", "**Duration:** 3.0s\n",
                "| 3.0s | 0 | 0 | 0 | 0 |");
    }

    @Test
    void escapesPipesAndLineBreaksInTableCells() {
        assertThat(StoryReport.cell("a | b\r\nc\\d")).isEqualTo("a \\| b<br>c\\\\d");
        assertThat(StoryReport.cell("  ")).isEqualTo("-");
        assertThat(StoryReport.cell(null)).isEqualTo("-");
    }

    @Test
    void formatsDurationsForPeople() {
        assertThat(StoryReport.formatDuration(Duration.ofMillis(420))).isEqualTo("420 ms");
        assertThat(StoryReport.formatDuration(Duration.ofMillis(4270))).isEqualTo("4.2s");
        assertThat(StoryReport.formatDuration(Duration.ofSeconds(42))).isEqualTo("42s");
        assertThat(StoryReport.formatDuration(Duration.ofSeconds(303))).isEqualTo("5m 03s");
        assertThat(StoryReport.formatDuration(Duration.ofSeconds(3725))).isEqualTo("1h 02m 05s");
    }
}
