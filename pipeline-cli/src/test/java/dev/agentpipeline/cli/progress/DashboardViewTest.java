package dev.agentpipeline.cli.progress;

import dev.agentpipeline.core.progress.RunProgress;
import dev.agentpipeline.core.progress.RunProgress.CounterLine;
import dev.agentpipeline.core.progress.RunProgress.StageLine;
import dev.agentpipeline.core.progress.RunProgress.StageStatus;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class DashboardViewTest {

    private static StageLine stage(String id, String description, StageStatus status, long seconds, int attempts,
                                   String result, Map<String, Object> sub, Long estimate) {
        return new StageLine(id, description, status, Duration.ofSeconds(seconds), attempts, result, sub,
                Optional.ofNullable(estimate).map(Duration::ofSeconds));
    }

    private static RunProgress running() {
        return new RunProgress("run-1", "US001", "Login form", "STAGE_2", RunProgress.Status.RUNNING,
                Duration.ofSeconds(80), List.of(
                        stage("STAGE_0", "Task decomposition", StageStatus.DONE, 5, 1, "plan_score 4", Map.of(), 5L),
                        stage("STAGE_1", "Validation", StageStatus.DONE, 20, 2, "GO, readiness 8", Map.of(), 10L),
                        stage("STAGE_2", "Execution", StageStatus.RUNNING, 55, 1, "",
                                Map.of("tasks_done", 2, "tasks_total", 3, "phase", "tests"), 80L),
                        stage("STAGE_3", "Quality gate", StageStatus.PENDING, 0, 0, "", Map.of(), 30L)),
                List.of(new CounterLine("validation_retries", 1, 1), new CounterLine("quality_cycles", 0, 2)),
                Optional.of(Duration.ofSeconds(55)), Optional.empty());
    }

    @Test
    void rendersAHeaderALinePerStageAndTheCounters() {
        List<String> lines = new DashboardView(false).render(running());

        assertThat(lines).containsExactly(
                "US001      Login form                           running  1:20 elapsed, ~55.0s left",
                "  ✓ STAGE_0  Task decomposition     5.0s             plan_score 4",
                "  ✓ STAGE_1  Validation            20.0s  2 attempts GO, readiness 8",
                "  ▶ STAGE_2  Execution             55.0s             phase tests, tasks 2/3",
                "  · STAGE_3  Quality gate         ~30.0s",
                "  validation_retries 1/1 · quality_cycles 0/2");
    }

    @Test
    void aPausedRunSaysWhyAndAnEndedOneItsFinalState() {
        RunProgress paused = new RunProgress("run-1", "US001", "", "PAUSED", RunProgress.Status.PAUSED,
                Duration.ofMinutes(62), List.of(), List.of(), Optional.empty(),
                Optional.of("Quality gate failed 3 times\nsecond line"));
        RunProgress ended = new RunProgress("run-1", "US001", "", "DONE", RunProgress.Status.ENDED,
                Duration.ofSeconds(3), List.of(), List.of(), Optional.of(Duration.ZERO), Optional.empty());

        assertThat(new DashboardView(false).render(paused)).containsExactly(
                "US001                                           paused  1:02:00 elapsed",
                "  paused: Quality gate failed 3 times");
        assertThat(new DashboardView(false).render(ended).get(0)).endsWith("ended: DONE  3.0s elapsed");
    }

    @Test
    void colourIsAnsiEscapesAroundStatusesOnly() {
        List<String> plain = new DashboardView(false).render(running());
        List<String> coloured = new DashboardView(true).render(running());

        assertThat(coloured.get(1)).contains("\u001b[32m✓\u001b[0m");
        assertThat(coloured.get(3)).contains("\u001b[33m▶\u001b[0m");
        assertThat(coloured).extracting(line -> line.replaceAll("\u001b\\[[0-9;]*m", "")).isEqualTo(plain);
    }

    @Test
    void subProgressPairsDoneWithTotalAndSkipsWhatIsTooLong() {
        assertThat(DashboardView.subProgress(Map.of("tests_done", 127, "tests_total", 187, "coverage", 81.5,
                "log", "x".repeat(200), "nested", Map.of("a", 1)))).isEqualTo("coverage 81.5, tests 127/187");
        assertThat(DashboardView.subProgress(Map.of("tasks_done", 2))).isEqualTo("tasks_done 2");
    }

    @Test
    void timesAreSecondsMinutesOrHours() {
        assertThat(DashboardView.clock(Duration.ofMillis(4_250))).isEqualTo("4.3s");
        assertThat(DashboardView.clock(Duration.ofSeconds(75))).isEqualTo("1:15");
        assertThat(DashboardView.clock(Duration.ofSeconds(3_725))).isEqualTo("1:02:05");
        assertThat(DashboardView.clock(Duration.ofSeconds(-5))).isEqualTo("0.0s");
    }
}
