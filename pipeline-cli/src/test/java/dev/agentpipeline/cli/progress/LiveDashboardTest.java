package dev.agentpipeline.cli.progress;

import dev.agentpipeline.core.engine.PipelineRuntime;
import dev.agentpipeline.core.engine.StartRequest;
import dev.agentpipeline.core.store.FileRunStore;
import dev.agentpipeline.core.story.StoryPipeline;
import dev.agentpipeline.core.testing.MutableClock;
import dev.agentpipeline.spi.Stage;
import dev.agentpipeline.spi.StageContext;
import dev.agentpipeline.spi.StageOutcome;
import dev.agentpipeline.spi.StageRegistry;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/** The dashboard repainted in place while a real run moves, on a fake clock. */
class LiveDashboardTest {

    private static final String REPAINT = "\u001b[6F\u001b[J"; // six lines: header, four stages, counters

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock();

    private Stage stage(String id, Function<StageContext, StageOutcome> body) {
        return new Stage() {
            @Override
            public String id() {
                return id;
            }

            @Override
            public StageOutcome run(StageContext context) {
                clock.advance(Duration.ofSeconds(2));
                return body.apply(context);
            }
        };
    }

    @Test
    void repaintsTheFrameOnEveryEventKeepsNotableLinesAboveAndEndsOnTheLastFrame() {
        PipelineRuntime runtime = PipelineRuntime.builder()
                .store(FileRunStore.builder(dir.resolve(".pipeline")).clock(clock).build())
                .definition(StoryPipeline.definition()).clock(clock).build();
        StageRegistry stages = StageRegistry.of(
                stage("story-decompose", c -> StageOutcome.completed().score("plan_score", 4).build()),
                stage("story-validate", c -> StageOutcome.completed().verdict("GO").score("readiness", 8).build()),
                stage("story-execute", c -> {
                    c.progress().save(Map.of("tasks_done", 1, "tasks_total", 2));
                    return StageOutcome.completed().attribute("story_status", "To Review").build();
                }),
                stage("story-quality-gate", c -> StageOutcome.completed().verdict("PASS").score("quality_score", 95)
                        .build()));
        ByteArrayOutputStream screen = new ByteArrayOutputStream();
        try (LiveDashboard dashboard = LiveDashboard.builder(new PrintStream(screen, true, StandardCharsets.UTF_8),
                StoryPipeline.definition()).clock(clock).colour(false).tick(Duration.ZERO).build()) {
            runtime.addListener(dashboard);
            String runId = runtime.start(StartRequest.builder("story", "US001").title("Login form").build()).run()
                    .state().runId();
            runtime.start(StartRequest.builder("story", "US000").title("not this one").build()); // ignored
            StoryPipeline.orchestrator(runtime, stages, run -> dir, Optional.of("STAGE_0")).build().drive(runId);
        }

        String text = screen.toString(StandardCharsets.UTF_8);
        String lastFrame = text.substring(text.lastIndexOf(REPAINT) + REPAINT.length());
        assertThat(text.split(java.util.regex.Pattern.quote(REPAINT), -1)).hasSizeGreaterThan(10);
        assertThat(text).contains("US001      run story-us001-").doesNotContain("US000").doesNotContain("not this one");
        assertThat(text).contains("▶ STAGE_2  Execution").contains("tasks 1/2");
        assertThat(lastFrame).contains("ended: DONE  8.0s elapsed")
                .contains("✓ STAGE_3  Quality gate           2.0s             PASS, quality_score 95")
                .endsWith("validation_retries 0/1 · quality_cycles 0/2 · crash_count 0/1\n");
        assertThat(text).as("a notable line stays, once, above the frames").startsWith("[   0.00s] US001      run ");
        assertThat(text.split(" started \\(story pipeline\\)", -1)).hasSize(2);
    }

    @Test
    void aNegativeTickIsRefused() {
        assertThatIllegalArgumentException().isThrownBy(() -> LiveDashboard.builder(System.err,
                StoryPipeline.definition()).tick(Duration.ofSeconds(-1))).withMessageContaining("PT-1S");
    }

    @Test
    void progressModesAreChosenByOptionOrByTheTerminal() {
        assertThat(ProgressOutput.Mode.choose("live", Map.of(), false)).isEqualTo(ProgressOutput.Mode.LIVE);
        assertThat(ProgressOutput.Mode.choose(" Lines ", Map.of(), true)).isEqualTo(ProgressOutput.Mode.LINES);
        assertThat(ProgressOutput.Mode.choose(null, Map.of("TERM", "xterm"), true)).isEqualTo(ProgressOutput.Mode.LIVE);
        assertThat(ProgressOutput.Mode.choose(null, Map.of("TERM", "xterm"), false)).as("not a terminal")
                .isEqualTo(ProgressOutput.Mode.LINES);
        assertThat(ProgressOutput.Mode.choose("auto", Map.of("TERM", "dumb"), true)).isEqualTo(ProgressOutput.Mode.LINES);
        assertThat(ProgressOutput.Mode.choose("auto", Map.of("TERM", "xterm", "CI", "true"), true))
                .isEqualTo(ProgressOutput.Mode.LINES);
        assertThatIllegalArgumentException().isThrownBy(() -> ProgressOutput.Mode.choose("fancy", Map.of(), true))
                .withMessage("--progress must be auto, live or lines (got 'fancy')");
    }
}
