package dev.agentpipeline.core.engine;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

import dev.agentpipeline.core.loop.LoopSignal;
import dev.agentpipeline.core.run.Attempt;
import dev.agentpipeline.core.run.LoopHealthEntry;
import dev.agentpipeline.core.run.Pause;
import dev.agentpipeline.core.run.RunEvent;
import dev.agentpipeline.core.run.RunState;
import dev.agentpipeline.core.store.JournalEntry;
import dev.agentpipeline.core.testing.MutableClock;
import dev.agentpipeline.core.testing.StoryRuns;
import dev.agentpipeline.spi.FailureClass;
import dev.agentpipeline.spi.StageOutcome;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The runtime's operations besides transitions: loop health, attempts, pausing, starting and ending runs. */
class PipelineRuntimeTest {

    private final MutableClock clock = new MutableClock();
    private StoryRuns story;
    private PipelineRuntime runtime;

    @BeforeEach
    void start() {
        story = new StoryRuns(StoryRuns.runtime(clock), "US001");
        runtime = story.runtime();
    }

    private LoopHealthResult signal(String scope, Map<String, Object> payload) {
        clock.advance(Duration.ofMinutes(1));
        return runtime.recordLoopHealth(story.runId(), scope, LoopSignal.fromPayload(payload, clock.instant()));
    }

    @Nested
    class LoopHealthPauses {

        @BeforeEach
        void enterExecution() {
            story.to("STAGE_2");
        }

        @Test
        void threeIdenticalFailuresWithoutProgressPauseTheRun() {
            // Given
            LoopHealthResult first = signal("stage_2", Map.of("error", "LoginTest failed: expected 200 but was 500"));
            LoopHealthResult second = signal("stage_2", Map.of("error", "LoginTest failed: expected 200 but was 502"));
            assertThat(first.paused()).isFalse();
            assertThat(second.paused()).isFalse();
            assertThat(second.run().state().phase()).isEqualTo("STAGE_2");

            // When
            LoopHealthResult third = signal("stage_2", Map.of("error", "LoginTest failed: expected 200 but was 503"));

            // Then
            RunState state = third.run().state();
            assertThat(third.paused()).isTrue();
            assertThat(third.scope()).isEqualTo("stage_2");
            assertThat(third.entry().sameErrorCount()).isEqualTo(3);
            assertThat(state.isPaused()).isTrue();
            assertThat(state.pausedFrom()).contains("STAGE_2");
            assertThat(state.pausedReason())
                    .contains("stage_2 loop health pause - Same error repeated 3 times without progress");
            Pause pause = state.pause().orElseThrow();
            assertThat(pause.category()).isEqualTo("loop_health:same_error");
            assertThat(pause.scope()).isEqualTo("stage_2");
            assertThat(pause.nextAction()).isEqualTo("Read the stage's output, fix what keeps failing, then resume the run");
            assertThat(pause.evidence()).containsEntry("failure_class", "unknown")
                    .containsEntry("error_signature", "logintest failed: expected <num> but was <num>")
                    .containsEntry("attempts", 3).containsEntry("no_progress_count", 3)
                    .containsEntry("same_error_count", 3);
            assertThat(state.loopHealth().get("stage_2")).isEqualTo(third.entry());
        }

        @ParameterizedTest(name = "{0}")
        @CsvSource(delimiter = '|', value = {
                "git push: Permission denied|permission_denial|Immediate blocker: permission_denial"
                        + "|Grant the permission the stage was denied, then resume the run",
                "gradle: command not found|tool_missing|Immediate blocker: tool_missing"
                        + "|Install the missing tool (see the error signature), then resume the run",
                "Missing API key|auth_missing|Immediate blocker: auth_missing"
                        + "|Provide the missing credentials, then resume the run",
                "HTTP 429 Too Many Requests|rate_limited|Rate limited; defer retry without counting as domain failure"
                        + "|Wait until the rate limit resets, then resume the run"})
        void blockersAndRateLimitsPauseAtOnceWithTheirNextAction(String error, String category, String reason,
                                                                  String nextAction) {
            LoopHealthResult result = signal("stage_2", Map.of("error", error));

            assertThat(result.paused()).isTrue();
            assertThat(result.run().state().pausedReason()).contains("stage_2 loop health pause - " + reason);
            assertThat(result.run().state().pause().orElseThrow().category()).isEqualTo("loop_health:" + category);
            assertThat(result.run().state().pause().orElseThrow().nextAction()).isEqualTo(nextAction);
        }

        @Test
        void threeDifferentFailuresPauseForNoProgress() {
            signal("stage_2", Map.of("error", "A"));
            signal("stage_2", Map.of("error", "B"));
            LoopHealthResult third = signal("stage_2", Map.of("error", "C"));

            assertThat(third.run().state().pausedReason())
                    .contains("stage_2 loop health pause - No progress recorded for 3 attempts");
            assertThat(third.run().state().pause().orElseThrow().nextAction())
                    .isEqualTo("Read the stage's output, fix what keeps failing, then resume the run");
        }

        @Test
        void progressKeepsTheRunGoing() {
            signal("stage_2", Map.of("error", "A"));
            signal("stage_2", Map.of("error", "A"));
            signal("stage_2", Map.of("error", "A", "checkpoint_delta", true));
            LoopHealthResult fourth = signal("stage_2", Map.of("error", "A"));

            assertThat(fourth.paused()).isFalse();
            assertThat(fourth.entry().sameErrorCount()).isEqualTo(1);
        }

        @Test
        void scopesAreJudgedSeparately() {
            signal("task_1", Map.of("error", "A"));
            signal("task_2", Map.of("error", "A"));
            LoopHealthResult result = signal("task_1", Map.of("error", "A"));

            assertThat(result.paused()).isFalse();
            assertThat(result.run().state().loopHealth()).containsOnlyKeys("task_1", "task_2");
        }

        @Test
        void aPausedRunIsNotPausedAgainButTheSignalIsKept() {
            runtime.pause(story.runId(), PauseRequest.of("Waiting for the PO"));

            LoopHealthResult result = signal("stage_2", Map.of("error", "Permission denied"));

            assertThat(result.paused()).isFalse();
            assertThat(result.entry().pauseRecommended()).isTrue();
            assertThat(result.run().state().pausedReason()).contains("Waiting for the PO");
        }

        @Test
        void resumingResetsTheCountsThatPausedTheRun() {
            signal("stage_2", Map.of("error", "A"));
            signal("stage_2", Map.of("error", "A"));
            signal("stage_2", Map.of("error", "A"));

            runtime.resume(story.runId(), null);
            LoopHealthResult after = signal("stage_2", Map.of("error", "A"));

            assertThat(after.paused()).isFalse();
            assertThat(after.entry().sameErrorCount()).isEqualTo(1);
            assertThat(after.entry().attempts()).isEqualTo(4);
        }

        @Test
        void anEndedRunTakesNoSignals() {
            runtime.cancel(story.runId(), "Dropped");

            assertThatThrownBy(() -> signal("stage_2", Map.of("error", "A")))
                    .isInstanceOfSatisfying(PipelineException.class, e -> assertThat(e.code()).isEqualTo("run_ended"));
        }
    }

    @Nested
    class Attempts {

        private ListAppender<ILoggingEvent> logs;
        private Logger logger;

        @BeforeEach
        void captureLogs() {
            logger = (Logger) LoggerFactory.getLogger(PipelineRuntime.class);
            logs = new ListAppender<>();
            logs.start();
            logger.addAppender(logs);
            story.to("STAGE_0");
        }

        @AfterEach
        void releaseLogs() {
            logger.detachAppender(logs);
        }

        @Test
        void anOutcomeIsRecordedExactlyOncePerAttempt() {
            // Given
            Attempt attempt = runtime.startAttempt(story.runId(), "story-decompose", "1.0").attempt();
            StageOutcome first = StageOutcome.completed().score("plan_score", 4).build();
            runtime.finishAttempt(story.runId(), attempt.attemptId(), first);
            long sequence = story.sequence();

            // When a second outcome arrives for the same attempt
            AttemptResult second = runtime.finishAttempt(story.runId(), attempt.attemptId(),
                    StageOutcome.failed(FailureClass.AGENT_ERROR, "late duplicate").build());

            // Then it is ignored, with a warning in the result and in the log
            assertThat(second.attempt().outcome()).isEqualTo(first);
            assertThat(second.run().warnings()).singleElement().asString()
                    .contains("attempt " + attempt.attemptId() + " already finished");
            assertThat(story.sequence()).isEqualTo(sequence);
            assertThat(story.runtime().store().journal(story.runId()).stream()
                    .filter(entry -> entry.event() instanceof RunEvent.AttemptFinished)).hasSize(1);
            assertThat(logs.list).anySatisfy(event -> {
                assertThat(event.getLevel()).isEqualTo(Level.WARN);
                assertThat(event.getFormattedMessage()).contains("ignored a second outcome for attempt "
                        + attempt.attemptId());
            });
        }

        @Test
        void anOutcomeForACrashedAttemptIsIgnoredToo() {
            Attempt attempt = runtime.startAttempt(story.runId(), "story-decompose", "1.0").attempt();
            runtime.crashAttempt(story.runId(), attempt.attemptId(), "crash_count");

            AttemptResult late = runtime.finishAttempt(story.runId(), attempt.attemptId(),
                    StageOutcome.completed().build());

            assertThat(late.attempt().status()).isEqualTo(Attempt.Status.CRASHED);
            assertThat(late.run().warnings()).singleElement().asString().contains("already crashed");
            assertThat(story.state().counter("crash_count")).isEqualTo(1);
        }

        @Test
        void anOutcomeForAnUnknownAttemptIsAnError() {
            assertThatThrownBy(() -> runtime.finishAttempt(story.runId(), "nope", StageOutcome.completed().build()))
                    .isInstanceOfSatisfying(PipelineException.class,
                            e -> assertThat(e.code()).isEqualTo("attempt_not_found"));
        }

        @Test
        void onlyOneAttemptRunsAtATime() {
            runtime.startAttempt(story.runId(), "story-decompose", "1.0");

            assertThatThrownBy(() -> runtime.startAttempt(story.runId(), "story-decompose", "1.0"))
                    .isInstanceOfSatisfying(PipelineException.class, e -> assertThat(e.code()).isEqualTo("attempt_open"));
        }

        @Test
        void aRunDoesNotMoveWhileAnAttemptRunsButCanPause() {
            // Given a stage attempt in progress
            runtime.startAttempt(story.runId(), "story-decompose", "1.0");

            // When / Then: moving is refused, pausing is not, and the paused run can move on
            assertThatThrownBy(() -> runtime.advance(story.runId(), "STAGE_1"))
                    .isInstanceOfSatisfying(PipelineException.class, e -> {
                        assertThat(e.code()).isEqualTo("attempt_open");
                        assertThat(e.fix()).contains("pause the run");
                    });
            runtime.pause(story.runId(), PauseRequest.of("The worker's machine died"));
            TransitionResult resumed = runtime.resume(story.runId(), null);

            // Then resuming declares the orphaned attempt crashed, and the run is free to move again
            assertThat(resumed.allowed()).isTrue();
            assertThat(resumed.run().state().openAttempt()).isEmpty();
            assertThat(resumed.run().state().counter("crash_count")).isEqualTo(1);
            assertThat(runtime.advance(story.runId(), "STAGE_1").guardResult().code())
                    .isEqualTo("stage_0_checkpoint_missing");
        }

        @Test
        void aPausedRunStartsNoAttempt() {
            runtime.pause(story.runId(), PauseRequest.of("Lunch"));

            assertThatThrownBy(() -> runtime.startAttempt(story.runId(), "story-decompose", "1.0"))
                    .isInstanceOfSatisfying(PipelineException.class, e -> assertThat(e.code()).isEqualTo("run_paused"));
        }

        @Test
        void attemptsAreNumberedWithinTheVisit() {
            Attempt first = runtime.startAttempt(story.runId(), "story-decompose", "1.0").attempt();
            runtime.finishAttempt(story.runId(), first.attemptId(),
                    StageOutcome.failed(FailureClass.AGENT_ERROR, "x").build());
            Attempt second = runtime.startAttempt(story.runId(), "story-decompose", "1.0").attempt();

            assertThat(first.number()).isEqualTo(1);
            assertThat(second.number()).isEqualTo(2);
            assertThat(second.attemptId()).isNotEqualTo(first.attemptId()).startsWith("stage_0-");
        }

        @Test
        void progressIsSavedForTheAttemptsState() {
            Attempt attempt = runtime.startAttempt(story.runId(), "story-decompose", "1.0").attempt();

            runtime.saveProgress(story.runId(), attempt.attemptId(), Map.of("tasks_done", 2));

            assertThat(story.state().freshProgress("STAGE_0")).contains(Map.of("tasks_done", 2));
            assertThatThrownBy(() -> runtime.saveProgress(story.runId(), "nope", Map.of()))
                    .isInstanceOf(PipelineException.class);
        }

        @Test
        void aRetryIsJournaledWithItsDelay() {
            Attempt attempt = runtime.startAttempt(story.runId(), "story-decompose", "1.0").attempt();

            runtime.scheduleRetry(story.runId(), attempt.attemptId(), FailureClass.RATE_LIMITED, Duration.ofMinutes(2));

            List<JournalEntry> journal = runtime.store().journal(story.runId());
            assertThat(journal.get(journal.size() - 1).event()).isEqualTo(new RunEvent.RetryScheduled(clock.instant(),
                    attempt.attemptId(), FailureClass.RATE_LIMITED, Duration.ofMinutes(2)));
        }
    }

    @Nested
    class Evidence {

        @Test
        void aCheckpointBelongsToTheStateTheRunWorksIn() {
            story.to("STAGE_1");

            assertThatThrownBy(() -> runtime.checkpoint(story.runId(), "STAGE_2", Map.of("stage", 2)))
                    .isInstanceOfSatisfying(PipelineException.class, e -> {
                        assertThat(e.code()).isEqualTo("wrong_stage");
                        assertThat(e.problem()).isEqualTo("Cannot record a checkpoint for STAGE_2: run " + story.runId()
                                + " is in STAGE_1.");
                        assertThat(e.fix()).isEqualTo("Advance to STAGE_2 first, or record the checkpoint of STAGE_1.");
                    });
            assertThatThrownBy(() -> runtime.recordSummary(story.runId(), "STAGE_9", Map.of()))
                    .isInstanceOfSatisfying(PipelineException.class, e -> assertThat(e.code()).isEqualTo("unknown_state"));
        }

        @Test
        void aPausedRunTakesEvidenceForThePausedFromState() {
            story.to("STAGE_1");
            runtime.pause(story.runId(), PauseRequest.of("Lunch"));

            CheckpointResult result = runtime.checkpoint(story.runId(), "STAGE_1", Map.of("verdict", "GO"),
                    Map.of("readiness_scores", Map.of("stage_1", 8)));

            assertThat(result.checkpoint().payload()).containsEntry("verdict", "GO");
            assertThat(result.checkpoint().sequence()).isEqualTo(1);
            assertThat(result.run().state().attributes()).containsEntry("readiness_scores", Map.of("stage_1", 8));
        }

        @Test
        void reservedAttributeNamesAreRefused() {
            assertThatThrownBy(() -> runtime.updateAttributes(story.runId(), Map.of("phase", "DONE")))
                    .isInstanceOfSatisfying(PipelineException.class,
                            e -> assertThat(e.code()).isEqualTo("reserved_attribute"));
            assertThatThrownBy(() -> runtime.updateAttributes(story.runId(), Map.of("quality_cycles", 0)))
                    .isInstanceOf(PipelineException.class);
        }

        @Test
        void manifestKeysTheRuntimeWritesItselfAreRefused() {
            assertThatThrownBy(() -> runtime.start(StartRequest.builder("story", "US777").manifest("run_id", "mine")
                    .build()))
                    .isInstanceOfSatisfying(PipelineException.class,
                            e -> assertThat(e.code()).isEqualTo("reserved_manifest_key"));
            assertThat(runtime.current("story", "US777")).isEmpty();
        }
    }

    @Nested
    class Lifecycle {

        @Test
        void startingASubjectWithAnUnfinishedRunRecoversIt() {
            story.to("STAGE_1");

            StartResult again = runtime.start(StartRequest.builder("story", "US001").build());

            assertThat(again.recovered()).isTrue();
            assertThat(again.run().state().runId()).isEqualTo(story.runId());
            assertThat(runtime.current("story", "US001").orElseThrow().state().phase()).isEqualTo("STAGE_1");
        }

        @Test
        void aFinishedSubjectStartsANewRun() {
            story.atQualityGate().gated("PASS");
            TransitionResult done = runtime.complete(story.runId());
            assertThat(done.allowed()).isTrue();
            assertThat(done.run().state().closed()).isTrue();
            assertThat(runtime.current("story", "US001")).isEmpty();

            clock.advance(Duration.ofSeconds(1));
            StartResult next = runtime.start(StartRequest.builder("story", "US001").build());

            assertThat(next.recovered()).isFalse();
            assertThat(next.run().state().runId()).isNotEqualTo(story.runId()).startsWith("story-us001-");
        }

        @Test
        void completeGoesThroughTheGuards() {
            story.atQualityGate().gated("FAIL");

            TransitionResult result = runtime.complete(story.runId());

            assertThat(result.allowed()).isFalse();
            assertThat(result.guardResult().error()).isEqualTo("Verdict FAIL not in PASS,CONCERNS,WAIVED");
            assertThat(story.state().complete()).isFalse();
        }

        @Test
        void cancelEndsTheRunAndRefusesASecondTime() {
            story.to("STAGE_2");

            RunState canceled = runtime.cancel(story.runId(), " ").state();

            assertThat(canceled.finalResult()).contains("CANCELED");
            assertThat(canceled.pausedReason()).contains("Canceled by user");
            assertThat(canceled.phase()).isEqualTo("DONE");
            assertThatThrownBy(() -> runtime.cancel(story.runId(), "again"))
                    .isInstanceOfSatisfying(PipelineException.class, e -> assertThat(e.code()).isEqualTo("run_ended"));
            assertThatThrownBy(() -> runtime.pause(story.runId(), PauseRequest.of("late")))
                    .isInstanceOf(PipelineException.class);
        }

        @Test
        void unknownRunsPipelinesAndUnsafeIdsAreRefused() {
            assertThatThrownBy(() -> runtime.load("story-nope")).isInstanceOfSatisfying(PipelineException.class,
                    e -> assertThat(e.code()).isEqualTo("run_not_found"));
            assertThatThrownBy(() -> runtime.start(StartRequest.builder("release", "US001").build()))
                    .isInstanceOfSatisfying(PipelineException.class,
                            e -> assertThat(e.code()).isEqualTo("unknown_pipeline"));
            assertThatThrownBy(() -> runtime.start(StartRequest.builder("story", "../etc").build()))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Invalid subject id");
            assertThatThrownBy(() -> runtime.start(StartRequest.builder("story", "US003")
                    .attribute("run_id", "x").build())).isInstanceOf(PipelineException.class);
        }

        @Test
        void listenersHearEveryDurableEventAndAFailingOneDisturbsNothing() {
            // Given
            List<String> heard = new ArrayList<>();
            runtime.addListener((event, state) -> {
                throw new IllegalStateException("listener bug");
            });
            RunListener listener = (event, state) -> heard.add(event.type() + "@" + state.phase());
            runtime.addListener(listener);

            // When
            story.to("STAGE_0").checkpoint("STAGE_0", Map.of("stage", 0));
            runtime.removeListener(listener);
            story.summary("STAGE_0", StoryRuns.payload(0, "completed", null, "Backlog"));

            // Then
            assertThat(heard).containsExactly("TRANSITIONED@STAGE_0", "CHECKPOINT_RECORDED@STAGE_0");
            assertThat(story.state().freshSummary("STAGE_0")).isPresent();
        }

        @Test
        void theBuilderNeedsAStoreAndADefinition() {
            assertThatThrownBy(() -> PipelineRuntime.builder().build()).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("needs a store");
            assertThatThrownBy(() -> PipelineRuntime.builder().store(runtime.store()).build())
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("at least one definition");
            assertThatThrownBy(() -> PipelineRuntime.builder().lockTimeout(Duration.ZERO))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThat(runtime.timestamp()).isEqualTo("2026-01-05T09:00:00.000Z");
            assertThat(runtime.loopHealthPolicy()).isEqualTo(dev.agentpipeline.core.loop.LoopHealthPolicy.defaults());
            assertThat(LoopHealthEntry.EMPTY.attempts()).isZero();
        }
    }
}
