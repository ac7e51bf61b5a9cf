package dev.agentpipeline.testkit;

import dev.agentpipeline.spi.Stage;
import dev.agentpipeline.spi.StageContext;
import dev.agentpipeline.spi.StageOutcome;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TestStageContextTest {

    @TempDir
    Path workspace;

    /** A plugin that resumes from saved progress, the way the SPI's Javadoc asks. */
    private static final class CountingStage implements Stage {
        @Override
        public String id() {
            return "acme-count";
        }

        @Override
        public StageOutcome run(StageContext context) {
            Map<String, Object> last = context.progress().last().orElse(Map.of());
            int done = ((Number) last.getOrDefault("tasks_done", 0)).intValue();
            for (int task = done; task < 3 && !context.isCancelled(); task++) {
                context.progress().save(Map.of("tasks_done", task + 1));
            }
            return StageOutcome.completed().attribute("started_at_task", done).build();
        }
    }

    @Test
    void hasHarmlessDefaults() {
        TestStageContext context = TestStageContext.builder().build();

        assertThat(context.runId()).isEqualTo("test-run");
        assertThat(context.pipelineId()).isEqualTo("test");
        assertThat(context.subjectId()).isEqualTo("TEST-1");
        assertThat(context.subjectTitle()).isEmpty();
        assertThat(context.stateId()).isEqualTo("STAGE_0");
        assertThat(context.attempt()).isEqualTo(1);
        assertThat(context.attemptId()).isEqualTo("stage_0-1");
        assertThat(context.workspace()).isAbsolute();
        assertThat(context.inputs()).isEmpty();
        assertThat(context.previousOutcome("STAGE_0")).isEmpty();
        assertThat(context.progress().last()).isEmpty();
        assertThat(context.isCancelled()).isFalse();
        assertThat(context.clock().instant()).isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
    }

    @Test
    void givesAStageWhatTheBuilderWasTold() {
        // Given
        StageOutcome go = StageOutcome.completed().verdict("GO").build();
        Clock clock = Clock.fixed(Instant.parse("2026-03-04T05:06:07Z"), ZoneOffset.UTC);
        TestStageContext context = TestStageContext.builder()
                .runId("run-7").pipeline("story").subject("US001", "Login form").state("STAGE_2").attempt(3)
                .workspace(workspace).input("business_answers", Map.of("auth", "JWT")).input("nothing", null)
                .previousOutcome("STAGE_1", go).clock(clock).build();

        // Then
        assertThat(context.runId()).isEqualTo("run-7");
        assertThat(context.pipelineId()).isEqualTo("story");
        assertThat(context.subjectId()).isEqualTo("US001");
        assertThat(context.subjectTitle()).isEqualTo("Login form");
        assertThat(context.stateId()).isEqualTo("STAGE_2");
        assertThat(context.attempt()).isEqualTo(3);
        assertThat(context.attemptId()).isEqualTo("stage_2-3");
        assertThat(context.workspace()).isEqualTo(workspace);
        assertThat(context.input("business_answers")).contains(Map.of("auth", "JWT"));
        assertThat(context.input("nothing")).isEmpty();
        assertThat(context.input("missing")).isEmpty();
        assertThat(context.previousOutcome("STAGE_1")).contains(go);
        assertThat(context.clock()).isSameAs(clock);
        assertThatThrownBy(() -> context.inputs().put("x", 1)).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void recordsSavedProgressAndHandsTheNewestBack() {
        // Given
        TestStageContext context = TestStageContext.builder().build();

        // When
        StageOutcome outcome = new CountingStage().run(context);

        // Then
        assertThat(outcome.attribute("started_at_task")).contains(0);
        assertThat(context.savedProgress()).containsExactly(Map.of("tasks_done", 1), Map.of("tasks_done", 2),
                Map.of("tasks_done", 3));
        assertThat(context.progress().last()).contains(Map.of("tasks_done", 3));
    }

    @Test
    void aStageResumesFromProgressAnEarlierAttemptSaved() {
        // Given
        TestStageContext context = TestStageContext.builder().attempt(2).savedProgress(Map.of("tasks_done", 2))
                .build();

        // When
        StageOutcome outcome = new CountingStage().run(context);

        // Then
        assertThat(outcome.attribute("started_at_task")).contains(2);
        assertThat(context.savedProgress()).containsExactly(Map.of("tasks_done", 2), Map.of("tasks_done", 3));
    }

    @Test
    void cancellationIsVisibleToTheStage() {
        // Given
        TestStageContext context = TestStageContext.builder().build();

        // When
        context.cancel();
        new CountingStage().run(context);

        // Then
        assertThat(context.isCancelled()).isTrue();
        assertThat(context.savedProgress()).isEmpty();
    }

    @Test
    void savedProgressIsCheckedAndCopied() {
        TestStageContext context = TestStageContext.builder().build();

        assertThatThrownBy(() -> context.progress().save(Map.of("when", new Object())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("$.when");
        assertThatThrownBy(() -> context.progress().save(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> context.savedProgress().add(Map.of())).isInstanceOf(UnsupportedOperationException.class);
        assertThat(context.savedProgress()).isEqualTo(List.of());
    }

    @Test
    void rejectsAnAttemptBelowOne() {
        assertThatThrownBy(() -> TestStageContext.builder().attempt(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("attempt must be at least 1, got 0");
    }

    @Test
    void rejectsInputsThatAreNotJsonCompatible() {
        TestStageContext.Builder builder = TestStageContext.builder().input("bad", new Object());

        assertThatThrownBy(builder::build).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("$.bad");
    }
}
