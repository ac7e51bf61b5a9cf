package dev.agentpipeline.core.progress;

import dev.agentpipeline.core.engine.DriveResult;
import dev.agentpipeline.core.engine.PipelineRuntime;
import dev.agentpipeline.core.engine.StartRequest;
import dev.agentpipeline.core.progress.RunProgress.StageLine;
import dev.agentpipeline.core.progress.RunProgress.StageStatus;
import dev.agentpipeline.core.run.RunState;
import dev.agentpipeline.core.store.FileRunStore;
import dev.agentpipeline.core.story.StoryPipeline;
import dev.agentpipeline.core.testing.MutableClock;
import dev.agentpipeline.spi.Stage;
import dev.agentpipeline.spi.StageContext;
import dev.agentpipeline.spi.StageOutcome;
import dev.agentpipeline.spi.StageRegistry;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/** Where a story run stands, computed from real runs driven with a fake clock. */
class RunProgressTest {

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock();
    private PipelineRuntime runtime;
    private final List<String> gateVerdicts = new ArrayList<>();
    private final AtomicReference<RunProgress> seenDuringExecution = new AtomicReference<>();
    private DurationEstimates estimates = DurationEstimates.NONE;

    @BeforeEach
    void setUp() {
        runtime = PipelineRuntime.builder().store(FileRunStore.builder(dir.resolve(".pipeline")).clock(clock).build())
                .definition(StoryPipeline.definition()).clock(clock).build();
    }

    /** A stage that takes {@code seconds} of the fake clock. */
    private Stage stage(String id, int seconds, Function<StageContext, StageOutcome> body) {
        return new Stage() {
            @Override
            public String id() {
                return id;
            }

            @Override
            public StageOutcome run(StageContext context) {
                clock.advance(Duration.ofSeconds(seconds));
                return body.apply(context);
            }
        };
    }

    private DriveResult drive(String story, boolean noGoFirst) {
        List<String> readiness = new ArrayList<>(noGoFirst ? List.of("NO-GO", "GO") : List.of("GO"));
        StageRegistry stages = StageRegistry.of(
                stage("story-decompose", 5, c -> StageOutcome.completed().score("plan_score", 4).build()),
                stage("story-validate", 10, c -> {
                    String verdict = readiness.isEmpty() ? "GO" : readiness.remove(0);
                    return StageOutcome.completed().verdict(verdict).score("readiness", verdict.equals("GO") ? 8 : 3)
                            .build();
                }),
                stage("story-execute", 60, c -> {
                    c.progress().save(Map.of("tasks_done", 2, "tasks_total", 3));
                    clock.advance(Duration.ofSeconds(20));
                    RunState now = runtime.load(c.runId()).state();
                    seenDuringExecution.compareAndSet(null,
                            RunProgress.of(StoryPipeline.definition(), now, clock.instant(), estimates));
                    return StageOutcome.completed().attribute("story_status", "To Review").build();
                }),
                stage("story-quality-gate", 30, c -> {
                    String verdict = gateVerdicts.isEmpty() ? "PASS" : gateVerdicts.remove(0);
                    return StageOutcome.completed().verdict(verdict).score("quality_score", 90).build();
                }));
        String runId = runtime.start(StartRequest.builder("story", story).title("Login form").build()).run().state()
                .runId();
        return StoryPipeline.orchestrator(runtime, stages, run -> dir, Optional.of("STAGE_0")).build().drive(runId);
    }

    @Test
    void aFinishedRunShowsEveryStageDoneWithItsResultTimeAndAttempts() {
        DriveResult done = drive("US001", true);

        RunProgress progress = RunProgress.of(StoryPipeline.definition(), done.run().state(),
                clock.instant().plusSeconds(3600), DurationEstimates.NONE);

        assertThat(progress.status()).isEqualTo(RunProgress.Status.ENDED);
        assertThat(progress.phase()).isEqualTo("DONE");
        assertThat(progress.stages()).extracting(StageLine::stateId)
                .containsExactly("STAGE_0", "STAGE_1", "STAGE_2", "STAGE_3");
        assertThat(progress.stages()).extracting(StageLine::status).containsOnly(StageStatus.DONE);
        StageLine validation = progress.stages().get(1);
        assertThat(validation.description()).isEqualTo("Validation");
        assertThat(validation.attempts()).isEqualTo(2);
        assertThat(validation.spent()).isEqualTo(Duration.ofSeconds(20));
        assertThat(validation.result()).isEqualTo("GO, readiness 8");
        assertThat(progress.stages().get(2).spent()).isEqualTo(Duration.ofSeconds(80));
        assertThat(progress.remaining()).contains(Duration.ZERO);
        assertThat(progress.elapsed()).as("to the run's last event, not to now")
                .isEqualTo(Duration.ofSeconds(5 + 2 * 10 + 80 + 30));
        assertThat(progress.counters()).extracting(c -> c.counterId() + " " + c.used() + "/" + c.limit())
                .containsExactly("validation_retries 1/1", "quality_cycles 0/2", "crash_count 0/1");
    }

    @Test
    void aRunningStageShowsItsSubProgressAndTheTimeLeftFromEarlierRuns() {
        // Given an earlier run: 5 s decomposition, 10 s validation, 80 s execution, 30 s gate
        RunState earlier = drive("US001", false).run().state();
        estimates = DurationEstimates.from(List.of(earlier));
        seenDuringExecution.set(null);

        // When the next story is in the middle of its execution (80 s of it gone)
        drive("US002", false);
        RunProgress progress = seenDuringExecution.get();

        // Then
        assertThat(progress.status()).isEqualTo(RunProgress.Status.RUNNING);
        assertThat(progress.stages()).extracting(StageLine::status).containsExactly(StageStatus.DONE,
                StageStatus.DONE, StageStatus.RUNNING, StageStatus.PENDING);
        assertThat(progress.running()).get().satisfies(stage -> {
            assertThat(stage.stateId()).isEqualTo("STAGE_2");
            assertThat(stage.subProgress()).containsEntry("tasks_done", 2).containsEntry("tasks_total", 3);
            assertThat(stage.spent()).isEqualTo(Duration.ofSeconds(80));
        });
        assertThat(estimates.of("STAGE_2")).contains(Duration.ofSeconds(80));
        assertThat(progress.remaining()).as("execution's 80 s are used up; the gate's 30 s are left")
                .contains(Duration.ofSeconds(30));
    }

    @Test
    void withoutEarlierRunsTheTimeLeftIsUnknown() {
        drive("US001", false);

        assertThat(seenDuringExecution.get().remaining()).isEmpty();
        assertThat(seenDuringExecution.get().stages().get(3).estimate()).isEmpty();
    }

    @Test
    void aPausedRunSaysWhyAndEstimatesNothing() {
        gateVerdicts.addAll(List.of("FAIL", "FAIL", "FAIL"));

        DriveResult paused = drive("US001", false);
        RunProgress progress = RunProgress.of(StoryPipeline.definition(), paused.run().state(), clock.instant(),
                DurationEstimates.from(List.of(paused.run().state())));

        assertThat(progress.status()).isEqualTo(RunProgress.Status.PAUSED);
        assertThat(progress.pauseReason()).get().asString().isNotBlank();
        assertThat(progress.remaining()).isEmpty();
        assertThat(progress.stages().get(3).attempts()).isEqualTo(3);
        assertThat(progress.stages().get(3).result()).isEqualTo("FAIL, quality_score 90");
        assertThat(progress.counters()).filteredOn(c -> c.counterId().equals("quality_cycles"))
                .singleElement().satisfies(c -> assertThat(c.used()).isEqualTo(2));
    }

    @Test
    void duringAReworkTheGateIsPendingAgain() {
        gateVerdicts.add("FAIL");
        AtomicReference<RunProgress> inRework = new AtomicReference<>();
        StageRegistry stages = StageRegistry.of(
                stage("story-decompose", 1, c -> StageOutcome.completed().score("plan_score", 4).build()),
                stage("story-validate", 1, c -> StageOutcome.completed().verdict("GO").score("readiness", 8).build()),
                stage("story-execute", 1, c -> {
                    if (c.visit() == 2) {
                        inRework.set(RunProgress.of(StoryPipeline.definition(), runtime.load(c.runId()).state(),
                                clock.instant(), DurationEstimates.NONE));
                    }
                    return StageOutcome.completed().attribute("story_status", "To Review").build();
                }),
                stage("story-quality-gate", 1, c -> {
                    String verdict = gateVerdicts.isEmpty() ? "PASS" : gateVerdicts.remove(0);
                    return StageOutcome.completed().verdict(verdict).score("quality_score", 60).build();
                }));
        String runId = runtime.start(StartRequest.builder("story", "US003").build()).run().state().runId();

        StoryPipeline.orchestrator(runtime, stages, run -> dir, Optional.of("STAGE_0")).build().drive(runId);

        assertThat(inRework.get().stages()).extracting(StageLine::status).containsExactly(StageStatus.DONE,
                StageStatus.DONE, StageStatus.RUNNING, StageStatus.PENDING);
        assertThat(inRework.get().stages().get(3).result()).as("the failed gate's result stays visible")
                .isEqualTo("FAIL, quality_score 60");
    }

    @Test
    void estimatesAreMediansOverTheRunsThatFinishedAState() {
        RunState one = drive("US001", false).run().state();
        RunState two = drive("US002", true).run().state();
        RunState three = drive("US003", true).run().state();

        DurationEstimates estimates = DurationEstimates.from(List.of(one, two, three));

        assertThat(estimates.of("STAGE_1")).contains(Duration.ofSeconds(20)); // 10, 20, 20
        assertThat(estimates.samples("STAGE_1")).isEqualTo(3);
        assertThat(DurationEstimates.from(List.of(one, two)).of("STAGE_1")).contains(Duration.ofSeconds(15));
        assertThat(estimates.of("STAGE_9")).isEmpty();
        DurationEstimates stored = DurationEstimates.fromStore(FileRunStore.builder(dir.resolve(".pipeline")).build(),
                "story", 2);
        assertThat(stored.of("STAGE_1")).as("the newest two: 20 and 20").contains(Duration.ofSeconds(20));
        assertThat(DurationEstimates.fromStore(FileRunStore.builder(dir.resolve(".pipeline")).build(), "other", 5)
                .of("STAGE_1")).isEmpty();
    }
}
