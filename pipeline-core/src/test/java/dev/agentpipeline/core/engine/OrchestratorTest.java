package dev.agentpipeline.core.engine;

import dev.agentpipeline.core.definition.DefinitionException;
import dev.agentpipeline.core.run.Attempt;
import dev.agentpipeline.core.run.Pause;
import dev.agentpipeline.core.run.RunEvent;
import dev.agentpipeline.core.run.RunState;
import dev.agentpipeline.core.store.FileRunStore;
import dev.agentpipeline.core.store.JournalEntry;
import dev.agentpipeline.core.story.StageSummaryEnvelope;
import dev.agentpipeline.core.story.StoryPipeline;
import dev.agentpipeline.core.testing.FakeSleeper;
import dev.agentpipeline.core.testing.MutableClock;
import dev.agentpipeline.core.testing.ScriptedStage;
import dev.agentpipeline.core.testing.ScriptedStage.SimulatedCrash;
import dev.agentpipeline.spi.FailureClass;
import dev.agentpipeline.spi.OutcomeStatus;
import dev.agentpipeline.spi.ProgressSignal;
import dev.agentpipeline.spi.StageOutcome;
import dev.agentpipeline.spi.StageRegistry;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.MDC;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.agentpipeline.core.testing.ScriptedStage.crash;
import static dev.agentpipeline.core.testing.ScriptedStage.fail;
import static dev.agentpipeline.core.testing.ScriptedStage.ok;
import static dev.agentpipeline.core.testing.ScriptedStage.throwing;
import static dev.agentpipeline.core.testing.ScriptedStage.times;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The orchestrator driving story runs with scripted stage plugins, over a real file store, with a clock and a
 * sleeper that only move when the test (or a backoff) says so.
 */
class OrchestratorTest {

    private static final StageOutcome DECOMPOSED = StageOutcome.completed().score("plan_score", 4)
            .attribute("tasks_completed", List.of("T-001", "T-002")).build();
    private static final StageOutcome GO = StageOutcome.completed().verdict("GO").score("readiness", 8).build();
    private static final StageOutcome NO_GO = StageOutcome.completed().verdict("NO-GO").score("readiness", 4)
            .attribute("reason", "Acceptance criteria are not testable").build();
    private static final StageOutcome EXECUTED = StageOutcome.completed()
            .progress(ProgressSignal.FILES_CHANGED_DELTA).attribute("git_stats", Map.of("files_changed", 5L)).build();
    private static final StageOutcome PASS = StageOutcome.completed().verdict("PASS").score("quality_score", 92).build();
    private static final Map<String, Object> HINT = Map.of("blocking_categories", List.of("tests"),
            "suggested_focus", "Cover the login error paths");
    private static final StageOutcome FAIL = StageOutcome.completed().verdict("FAIL").score("quality_score", 55)
            .attribute("rework_hint", HINT).build();

    /** 3 transient retries after 1, 2 and 4 minutes, jitter 20%. */
    private static final RetryPolicy RETRIES = RetryPolicy.custom().maxTransientRetries(3)
            .baseDelay(Duration.ofMinutes(1)).multiplier(2).maxDelay(Duration.ofMinutes(8)).jitter(0.2).build();

    @TempDir
    Path storeDir;

    private final MutableClock clock = new MutableClock();
    private final FakeSleeper sleeper = new FakeSleeper(clock);
    private PipelineRuntime runtime;

    private ScriptedStage decompose;
    private ScriptedStage validate;
    private ScriptedStage execute;
    private ScriptedStage gate;

    @BeforeEach
    void setUp() {
        runtime = newRuntime();
        decompose = new ScriptedStage("story-decompose", ok(DECOMPOSED));
        validate = new ScriptedStage("story-validate", ok(GO));
        execute = new ScriptedStage("story-execute", ok(EXECUTED));
        gate = new ScriptedStage("story-quality-gate", ok(PASS));
    }

    /** A runtime over a fresh store instance on the same directory: what a restarted process would build. */
    private PipelineRuntime newRuntime() {
        return PipelineRuntime.builder()
                .store(FileRunStore.builder(storeDir).clock(clock).build())
                .definition(StoryPipeline.definition())
                .clock(clock)
                .build();
    }

    private Orchestrator orchestrator(PipelineRuntime on, RetryPolicy policy) {
        return Orchestrator.builder(on, StageRegistry.of(decompose, validate, execute, gate))
                .recorder(StoryPipeline.recorder())
                .inputs(StoryPipeline::inputs)
                .sleeper(sleeper)
                .random(() -> 0.75)
                .retryPolicy(policy)
                .build();
    }

    private Orchestrator orchestrator() {
        return orchestrator(runtime, RETRIES);
    }

    private String startStory() {
        return runtime.start(StartRequest.builder("story", "US001").title("Login form")
                .attribute("business_answers", Map.of("auth", "JWT")).build()).run().state().runId();
    }

    private RunState state(String runId) {
        return runtime.load(runId).state();
    }

    private List<RunEvent> journal(String runId) {
        return runtime.store().journal(runId).stream().map(JournalEntry::event).toList();
    }

    private static <T extends RunEvent> List<T> events(List<RunEvent> journal, Class<T> type) {
        return journal.stream().filter(type::isInstance).map(type::cast).toList();
    }

    /** Numbers come back as Integer or Long depending on whether the run was reloaded from its journal. */
    private static int tasksDone(ScriptedStage.Seen seen) {
        return ((Number) seen.progress().orElseThrow().get("tasks_done")).intValue();
    }

    private static void assertPaused(DriveResult result, String reason, String nextAction) {
        assertThat(result.status()).isEqualTo(DriveResult.Status.PAUSED);
        assertThat(result.reason()).isEqualTo(reason);
        RunState state = result.run().state();
        assertThat(state.isPaused()).isTrue();
        assertThat(state.pausedReason()).contains(reason);
        assertThat(state.pause().orElseThrow().nextAction()).isEqualTo(nextAction);
    }

    @Nested
    class HappyPath {

        @Test
        void drivesAStoryThroughAllFourStagesToDone() {
            // Given
            String runId = startStory();

            // When
            DriveResult result = orchestrator().drive(runId);

            // Then
            assertThat(result.status()).isEqualTo(DriveResult.Status.COMPLETED);
            assertThat(result.reason()).isEqualTo("DONE");
            RunState state = result.run().state();
            assertThat(state.phase()).isEqualTo("DONE");
            assertThat(state.complete()).isTrue();
            assertThat(state.counters()).containsEntry("validation_retries", 0).containsEntry("quality_cycles", 0)
                    .containsEntry("crash_count", 0);
            assertThat(List.of(decompose, validate, execute, gate)).allSatisfy(stage -> assertThat(stage.runs())
                    .as(stage.id()).isEqualTo(1));
            assertThat(sleeper.delays()).isEmpty();
            assertThat(state.checkpoints()).extracting(c -> c.stateId())
                    .containsExactly("STAGE_0", "STAGE_1", "STAGE_2", "STAGE_3");
            assertThat(state.stageTimestamps()).containsKeys("stage_0_start", "stage_0_end", "stage_3_start",
                    "stage_3_end");
        }

        @Test
        void recordsTheStorySummariesAndCheckpointsForEachStage() {
            String runId = startStory();

            RunState state = orchestrator().drive(runId).run().state();

            assertThat(state.summaries().values()).allSatisfy(summary ->
                    assertThat(StageSummaryEnvelope.validate(summary)).isEmpty());
            assertThat(state.latestCheckpoint("STAGE_0").orElseThrow().payload())
                    .containsEntry("plan_score", 4.0).containsEntry("tasks_completed", List.of("T-001", "T-002"));
            assertThat(state.latestCheckpoint("STAGE_1").orElseThrow().payload()).containsEntry("verdict", "GO")
                    .containsEntry("readiness", 8.0);
            assertThat(state.latestCheckpoint("STAGE_2").orElseThrow().payload())
                    .containsEntry("git_stats", Map.of("files_changed", 5L));
            assertThat(state.latestCheckpoint("STAGE_3").orElseThrow().payload()).containsEntry("verdict", "PASS");
            @SuppressWarnings("unchecked")
            Map<String, Object> execution = (Map<String, Object>) state.summary("STAGE_2").orElseThrow().get("payload");
            assertThat(execution).containsEntry("story_status", "To Review");
        }

        @Test
        void recordsExactlyOneOutcomePerAttempt() {
            String runId = startStory();

            orchestrator().drive(runId);

            List<RunEvent> journal = journal(runId);
            List<String> started = events(journal, RunEvent.AttemptStarted.class).stream()
                    .map(RunEvent.AttemptStarted::attemptId).toList();
            List<String> finished = events(journal, RunEvent.AttemptFinished.class).stream()
                    .map(RunEvent.AttemptFinished::attemptId).toList();
            assertThat(started).hasSize(4).doesNotHaveDuplicates();
            assertThat(finished).containsExactlyElementsOf(started);
        }

        @Test
        void givesEachStageTheRunsInputs() {
            String runId = startStory();

            orchestrator().drive(runId);

            assertThat(validate.seen().get(0).inputs()).containsEntry("business_answers", Map.of("auth", "JWT"))
                    .containsEntry("story_id", "US001").containsEntry("story_title", "Login form")
                    .containsEntry("validation_retries", 0);
            assertThat(validate.seen().get(0).stateId()).isEqualTo("STAGE_1");
            assertThat(validate.seen().get(0).attempt()).isEqualTo(1);
        }

        @Test
        void startsAtTheStageTheBoardAsksFor() {
            // Given a story already in "To Review"
            String runId = startStory();
            Orchestrator fromBoard = Orchestrator.builder(runtime, StageRegistry.of(decompose, validate, execute, gate))
                    .recorder(StoryPipeline.recorder()).sleeper(sleeper)
                    .entry(run -> StoryPipeline.targetStage("To Review", true)).build();

            // When
            DriveResult result = fromBoard.drive(runId);

            // Then only the quality gate ran
            assertThat(result.status()).isEqualTo(DriveResult.Status.COMPLETED);
            assertThat(gate.runs()).isEqualTo(1);
            assertThat(decompose.runs() + validate.runs() + execute.runs()).isZero();
        }

        @Test
        void listenersHearEveryStepInOrder() {
            // Given
            String runId = startStory();
            List<String> heard = new ArrayList<>();
            runtime.addListener((event, state) -> heard.add(event instanceof RunEvent.Transitioned t
                    ? t.from() + "->" + t.to() : event.type()));

            // When
            orchestrator().drive(runId);

            // Then
            assertThat(heard.subList(0, 6)).containsExactly("QUEUED->STAGE_0", "ATTEMPT_STARTED", "ATTEMPT_FINISHED",
                    "STAGE_SUMMARY_RECORDED", "CHECKPOINT_RECORDED", "STAGE_0->STAGE_1");
            assertThat(heard).filteredOn(e -> e.contains("->")).containsExactly("QUEUED->STAGE_0", "STAGE_0->STAGE_1",
                    "STAGE_1->STAGE_2", "STAGE_2->STAGE_3", "STAGE_3->DONE");
            assertThat(heard).hasSize(journal(runId).size() - 1);
        }

        @Test
        void setsTheRunAndStageInTheMdcWhileAStageRuns() {
            String runId = startStory();

            orchestrator().drive(runId);

            assertThat(List.of(decompose, validate, execute, gate)).allSatisfy(stage -> {
                ScriptedStage.Seen seen = stage.seen().get(0);
                assertThat(seen.mdc()).as(stage.id()).containsEntry("run_id", runId).containsEntry("pipeline", "story")
                        .containsEntry("stage", seen.stateId()).containsEntry("attempt", seen.attemptId());
            });
            assertThat(MDC.get("run_id")).isNull();
            assertThat(MDC.get("stage")).isNull();
        }

        @Test
        void leavesTheCallersMdcAsItWas() {
            String runId = startStory();
            MDC.put("run_id", "outer-run");
            MDC.put("request", "r-1");
            try {
                orchestrator().drive(runId);

                assertThat(validate.seen().get(0).mdc()).containsEntry("run_id", runId).containsEntry("request", "r-1");
                assertThat(MDC.get("run_id")).isEqualTo("outer-run");
                assertThat(MDC.get("request")).isEqualTo("r-1");
            } finally {
                MDC.clear();
            }
        }

        @Test
        void refusesToDriveWhenAPluginIsMissing() {
            String runId = startStory();
            Orchestrator incomplete = Orchestrator.builder(runtime, StageRegistry.of(decompose, execute, gate)).build();

            assertThatThrownBy(() -> incomplete.drive(runId))
                    .isInstanceOf(DefinitionException.class)
                    .hasMessageContaining("story-pipeline.yaml:")
                    .hasMessageContaining("state STAGE_1: no stage plugin with id 'story-validate'; available:"
                            + " story-decompose, story-execute, story-quality-gate");
            assertThat(state(runId).phase()).isEqualTo("QUEUED");
        }
    }

    @Nested
    class DomainLoops {

        @Test
        void retriesValidationOnceAfterANoGo() {
            // Given
            validate = new ScriptedStage("story-validate", ok(NO_GO), ok(GO));
            String runId = startStory();

            // When
            DriveResult result = orchestrator().drive(runId);

            // Then
            assertThat(result.status()).isEqualTo(DriveResult.Status.COMPLETED);
            assertThat(result.run().state().counter("validation_retries")).isEqualTo(1);
            assertThat(validate.runs()).isEqualTo(2);
            assertThat(validate.seen().get(1).attempt()).as("a retry is a new visit").isEqualTo(1);
            assertThat(validate.seen().get(1).inputs()).containsEntry("validation_retries", 1);
        }

        @Test
        void pausesWhenValidationSaysNoGoTwice() {
            // Given
            validate = new ScriptedStage("story-validate", ok(NO_GO), ok(NO_GO));
            String runId = startStory();

            // When
            DriveResult result = orchestrator().drive(runId);

            // Then
            assertPaused(result, "Validation retry exhausted", "Escalate to user");
            Pause pause = result.run().state().pause().orElseThrow();
            assertThat(pause.category()).isEqualTo("guard");
            assertThat(pause.pausedFrom()).isEqualTo("STAGE_1");
            assertThat(pause.evidence().get("rejections")).isEqualTo(List.of(
                    Map.of("to", "STAGE_2", "code", "verdict_not_go", "error", "Verdict is NO-GO, not GO",
                            "recovery", "Fix validation issues"),
                    Map.of("to", "STAGE_1", "code", "validation_retry_exhausted", "error", "Validation retry exhausted",
                            "recovery", "Escalate to user")));
            assertThat(execute.runs()).isZero();

            // And driving a paused run does nothing
            DriveResult again = orchestrator().drive(runId);
            assertThat(again.status()).isEqualTo(DriveResult.Status.PAUSED);
            assertThat(validate.runs()).isEqualTo(2);
        }

        @Test
        void reworksAFailedGateWithTheFocusItSuggested() {
            // Given
            gate = new ScriptedStage("story-quality-gate", ok(FAIL), ok(PASS));
            execute = new ScriptedStage("story-execute", ok(EXECUTED), ok(EXECUTED));
            String runId = startStory();

            // When
            DriveResult result = orchestrator().drive(runId);

            // Then
            assertThat(result.status()).isEqualTo(DriveResult.Status.COMPLETED);
            assertThat(result.run().state().counter("quality_cycles")).isEqualTo(1);
            assertThat(execute.seen().get(0).inputs()).doesNotContainKey("rework_focus");
            assertThat(execute.seen().get(1).inputs()).containsEntry("rework_focus", "Cover the login error paths")
                    .containsEntry("rework_hint", HINT).containsEntry("quality_cycles", 1);
        }

        @Test
        void pausesWhenTheQualityCycleLimitIsReached() {
            gate = new ScriptedStage("story-quality-gate", times(3, ok(FAIL)));
            execute = new ScriptedStage("story-execute", times(3, ok(EXECUTED)));
            String runId = startStory();

            DriveResult result = orchestrator().drive(runId);

            assertPaused(result, "Quality cycle limit reached (2)", "Escalate to user");
            assertThat(gate.runs()).isEqualTo(3);
            assertThat(result.run().state().counter("quality_cycles")).isEqualTo(2);
        }

        @Test
        void aReworkDoesNotSeeTheProgressOfTheFirstExecution() {
            gate = new ScriptedStage("story-quality-gate", ok(FAIL), ok(PASS));
            execute = new ScriptedStage("story-execute", context -> {
                context.progress().save(Map.of("tasks_done", 2));
                return EXECUTED;
            }, ok(EXECUTED));
            String runId = startStory();

            orchestrator().drive(runId);

            assertThat(execute.seen().get(1).progress()).isEmpty();
        }

        @Test
        void aResumedStateRunsItsStageAgain() {
            // Given a run paused after two NO-GOs, and a person who resumes it into validation
            validate = new ScriptedStage("story-validate", ok(NO_GO), ok(NO_GO), ok(GO));
            String runId = startStory();
            orchestrator().drive(runId);
            runtime.resume(runId, null);

            // When
            DriveResult result = orchestrator().drive(runId);

            // Then the judged NO-GO is not judged again: validation runs once more and passes
            assertThat(result.status()).isEqualTo(DriveResult.Status.COMPLETED);
            assertThat(validate.runs()).isEqualTo(3);
            assertThat(validate.seen().get(2).attempt()).isEqualTo(2);
        }
    }

    @Nested
    class Failures {

        @Test
        void retriesRateLimitsWithExponentialBackoffAndJitterThenPauses() {
            // Given four rate limits in a row
            decompose = new ScriptedStage("story-decompose", times(4, fail(FailureClass.RATE_LIMITED,
                    "HTTP 429 Too Many Requests")));
            String runId = startStory();

            // When
            DriveResult result = orchestrator().drive(runId);

            // Then 1, 2 and 4 minutes, each 10% longer (random 0.75 -> +0.5 * 20%)
            assertThat(sleeper.delays()).containsExactly(Duration.ofSeconds(66), Duration.ofSeconds(132),
                    Duration.ofSeconds(264));
            assertThat(events(journal(runId), RunEvent.RetryScheduled.class)).extracting(RunEvent.RetryScheduled::delay)
                    .containsExactlyElementsOf(sleeper.delays());
            assertThat(clock.instant()).isEqualTo(MutableClock.START.plus(sleeper.total()));
            assertThat(decompose.runs()).isEqualTo(4);
            assertPaused(result, "stage_0 loop health pause - Rate limited; defer retry without counting as domain"
                    + " failure", "Wait until the rate limit resets, then resume the run");
            assertThat(result.run().state().loopHealth().get("stage_0").attempts()).isEqualTo(1);
        }

        @Test
        void goesOnOnceATransientFailurePasses() {
            decompose = new ScriptedStage("story-decompose", fail(FailureClass.RATE_LIMITED, "quota exceeded"),
                    fail(FailureClass.TIMEOUT_PRODUCTIVE, "ran out of time"), ok(DECOMPOSED));
            String runId = startStory();

            DriveResult result = orchestrator().drive(runId);

            assertThat(result.status()).isEqualTo(DriveResult.Status.COMPLETED);
            assertThat(sleeper.delays()).containsExactly(Duration.ofSeconds(66), Duration.ofSeconds(132));
            assertThat(result.run().state().loopHealth()).isEmpty();
        }

        @Test
        void idleTimeoutsAreRetriedWithBackoffThenPauseWhenRetriesAreExhausted() {
            // Given an agent that never produces output
            decompose = new ScriptedStage("story-decompose", times(6, fail(FailureClass.TIMEOUT_IDLE,
                    "No output for 600s")));
            String runId = startStory();

            // When
            DriveResult result = orchestrator().drive(runId);

            // Then three retries with backoff, and once they are spent the run pauses instead of hammering on
            assertThat(sleeper.delays()).hasSize(3);
            assertThat(decompose.runs()).isEqualTo(4);
            assertPaused(result, "STAGE_0 still failed with timeout_idle after 3 retries",
                    "Check the service or the stage's time limits, then resume the run");
            assertThat(result.run().state().pause().orElseThrow().category()).isEqualTo("retries_exhausted");
            assertThat(result.run().state().loopHealth().get("stage_0").lastFailureClass()).isEqualTo("timeout_idle");
        }

        @Test
        void grantsFreshTransientRetriesAfterAResume() {
            // Given a run paused after its transient retries were spent, then resumed by a person
            decompose = new ScriptedStage("story-decompose", times(8, fail(FailureClass.TIMEOUT_IDLE,
                    "No output for 600s")));
            String runId = startStory();
            orchestrator().drive(runId);
            runtime.resume(runId, null);

            // When
            DriveResult result = orchestrator().drive(runId);

            // Then the resumed run gets its backoff retries again before it pauses
            assertThat(sleeper.delays()).hasSize(6);
            assertThat(decompose.runs()).isEqualTo(8);
            assertThat(result.status()).isEqualTo(DriveResult.Status.PAUSED);
        }

        @Test
        void pausesAfterTheSameAgentErrorThreeTimes() {
            decompose = new ScriptedStage("story-decompose", fail(FailureClass.AGENT_ERROR, "3 tests failed"),
                    fail(FailureClass.AGENT_ERROR, "4 tests failed"), fail(FailureClass.AGENT_ERROR, "5 tests failed"));
            String runId = startStory();

            DriveResult result = orchestrator().drive(runId);

            assertPaused(result, "stage_0 loop health pause - Same error repeated 3 times without progress",
                    "Read the stage's output, fix what keeps failing, then resume the run");
            assertThat(result.run().state().pause().orElseThrow().category()).isEqualTo("loop_health:same_error");
            assertThat(decompose.runs()).isEqualTo(3);
            assertThat(decompose.seen()).extracting(ScriptedStage.Seen::attempt).containsExactly(1, 2, 3);
            assertThat(sleeper.delays()).isEmpty();
        }

        @Test
        void waitsTheFailureDelayBetweenDomainFailures() {
            decompose = new ScriptedStage("story-decompose", times(3, fail(FailureClass.AGENT_ERROR, "boom")));
            String runId = startStory();
            RetryPolicy patient = RetryPolicy.custom().failureDelay(Duration.ofSeconds(30)).build();

            orchestrator(runtime, patient).drive(runId);

            assertThat(sleeper.delays()).containsExactly(Duration.ofSeconds(30), Duration.ofSeconds(30));
        }

        @Test
        void pausesAtOnceWhenPermissionIsDenied() {
            decompose = new ScriptedStage("story-decompose", fail(FailureClass.PERMISSION_DENIAL,
                    "git push: Permission denied"));
            String runId = startStory();

            DriveResult result = orchestrator().drive(runId);

            assertPaused(result, "stage_0 loop health pause - Immediate blocker: permission_denial",
                    "Grant the permission the stage was denied, then resume the run");
            assertThat(decompose.runs()).isEqualTo(1);
            assertThat(sleeper.delays()).isEmpty();
        }

        @Test
        void aStageThatThrowsProducesAFailedOutcome() {
            // Given
            decompose = new ScriptedStage("story-decompose", throwing(new IllegalStateException("index out of date")),
                    ok(DECOMPOSED));
            String runId = startStory();

            // When
            DriveResult result = orchestrator().drive(runId);

            // Then
            assertThat(result.status()).isEqualTo(DriveResult.Status.COMPLETED);
            Attempt first = result.run().state().attempts().get(0);
            assertThat(first.status()).isEqualTo(Attempt.Status.FINISHED);
            assertThat(first.outcome().status()).isEqualTo(OutcomeStatus.FAILED);
            assertThat(first.outcome().failureClass()).isEqualTo(FailureClass.AGENT_ERROR);
            assertThat(first.outcome().failure().orElseThrow().message())
                    .isEqualTo("IllegalStateException: index out of date");
        }

        @Test
        void anExceptionWhoseMessageRevealsABlockerIsClassifiedByIt() {
            decompose = new ScriptedStage("story-decompose",
                    throwing(new java.io.IOException("cannot write /repo/.git/index: Permission denied")));
            String runId = startStory();

            DriveResult result = orchestrator().drive(runId);

            assertThat(result.run().state().attempts().get(0).outcome().failureClass())
                    .isEqualTo(FailureClass.PERMISSION_DENIAL);
            assertThat(result.reason()).isEqualTo("stage_0 loop health pause - Immediate blocker: permission_denial");
        }

        @Test
        void aStageThatReturnsNothingFails() {
            decompose = new ScriptedStage("story-decompose", context -> null, ok(DECOMPOSED));
            String runId = startStory();

            DriveResult result = orchestrator().drive(runId);

            assertThat(result.run().state().attempts().get(0).outcome().failure().orElseThrow().message())
                    .isEqualTo("stage story-decompose returned no outcome");
        }

        @Test
        void pausesAfterTooManyAttemptsInOneVisit() {
            // Given failures that show progress, so loop health keeps going
            StageOutcome progressing = StageOutcome.failed(FailureClass.AGENT_ERROR, "almost")
                    .progress(ProgressSignal.FILES_CHANGED_DELTA).build();
            decompose = new ScriptedStage("story-decompose", times(2, ok(progressing)));
            String runId = startStory();

            // When
            DriveResult result = orchestrator(runtime, RetryPolicy.custom().maxAttemptsPerVisit(2).build()).drive(runId);

            // Then
            assertPaused(result, "STAGE_0 made 2 attempts in this visit without finishing",
                    "Read the attempts' outcomes, fix the cause, then resume the run");
            assertThat(result.run().state().pause().orElseThrow().category()).isEqualTo("attempt_limit");
        }

        @Test
        void resumingAfterTheAttemptLimitRunsTheStageAgain() {
            // Given a run paused at its attempt limit, whose cause a person then fixed
            StageOutcome progressing = StageOutcome.failed(FailureClass.AGENT_ERROR, "almost")
                    .progress(ProgressSignal.FILES_CHANGED_DELTA).build();
            decompose = new ScriptedStage("story-decompose", ok(progressing), ok(progressing), ok(DECOMPOSED));
            String runId = startStory();
            RetryPolicy twoAttempts = RetryPolicy.custom().maxAttemptsPerVisit(2).build();
            orchestrator(runtime, twoAttempts).drive(runId);
            runtime.resume(runId, null);

            // When
            DriveResult result = orchestrator(runtime, twoAttempts).drive(runId);

            // Then the resumed run gets new attempts instead of pausing again at once
            assertThat(decompose.runs()).isEqualTo(3);
            assertThat(result.status()).isEqualTo(DriveResult.Status.COMPLETED);
        }

        @Test
        void progressSavedByAnAttemptIsHandedToTheNext() {
            // Given an attempt that saves progress and fails, and one that resumes from it
            decompose = new ScriptedStage("story-decompose", context -> {
                context.progress().save(Map.of("tasks_done", 1));
                assertThat(context.progress().last()).contains(Map.of("tasks_done", 1));
                return StageOutcome.failed(FailureClass.AGENT_ERROR, "flaky network").build();
            }, ok(DECOMPOSED));
            String runId = startStory();

            // When
            orchestrator().drive(runId);

            // Then
            assertThat(decompose.seen().get(0).progress()).isEmpty();
            assertThat(tasksDone(decompose.seen().get(1))).isEqualTo(1);
            assertThat(decompose.seen().get(1).attempt()).isEqualTo(2);
        }

    }

    @Nested
    class Interruption {

        @Test
        void anInterruptedBackoffStopsTheDriveAndKeepsTheInterrupt() {
            // Given
            decompose = new ScriptedStage("story-decompose", fail(FailureClass.RATE_LIMITED, "429"));
            String runId = startStory();
            Orchestrator interrupted = Orchestrator.builder(runtime, StageRegistry.of(decompose, validate, execute, gate))
                    .sleeper(duration -> {
                        throw new InterruptedException("shutdown");
                    }).build();

            // When
            DriveResult result = interrupted.drive(runId);

            // Then
            assertThat(Thread.interrupted()).as("the interrupt is kept for the caller").isTrue();
            assertThat(result.status()).isEqualTo(DriveResult.Status.STOPPED);
            assertThat(result.reason()).isEqualTo("interrupted");
            assertThat(events(journal(runId), RunEvent.RetryScheduled.class)).hasSize(1);
        }

        @Test
        void aStageInterruptedWhileItRunsIsRecordedAndStopsTheDrive() {
            // Given a decomposition interrupted mid-way, then one that succeeds
            decompose = new ScriptedStage("story-decompose", throwing(new InterruptedException("shutdown")),
                    ok(DECOMPOSED));
            String runId = startStory();

            // When
            DriveResult result = orchestrator().drive(runId);

            // Then the attempt has its outcome (it is not mistaken for a crash later) and the drive stops
            assertThat(Thread.interrupted()).as("the interrupt is kept for the caller").isTrue();
            assertThat(result.status()).isEqualTo(DriveResult.Status.STOPPED);
            assertThat(result.reason()).isEqualTo("interrupted");
            Attempt attempt = result.run().state().attempts().get(0);
            assertThat(attempt.status()).isEqualTo(Attempt.Status.FINISHED);
            assertThat(attempt.outcome().failure().orElseThrow().message()).isEqualTo("interrupted");

            // And driving again carries on without counting a crash
            DriveResult finished = orchestrator().drive(runId);
            assertThat(finished.status()).isEqualTo(DriveResult.Status.COMPLETED);
            assertThat(finished.run().state().counter("crash_count")).isZero();
        }
    }

    @Nested
    class CrashRecovery {

        /** Writes an attempt that started and never finished, as a process that died mid-stage leaves it. */
        private String crashedInStage0(Map<String, ?> progress) {
            String runId = startStory();
            runtime.advance(runId, "STAGE_0");
            Attempt attempt = runtime.startAttempt(runId, "story-decompose", "test-1").attempt();
            runtime.saveProgress(runId, attempt.attemptId(), progress);
            return runId;
        }

        @Test
        void countsACrashAndReRunsTheStageFromItsSavedProgress() {
            // Given
            String runId = crashedInStage0(Map.of("tasks_done", 2));
            decompose = new ScriptedStage("story-decompose", context -> {
                int done = ((Number) context.progress().last().orElseThrow().get("tasks_done")).intValue();
                return DECOMPOSED.toBuilder().attribute("resumed_at_task", done).build();
            });

            // When a new process drives the run
            PipelineRuntime restarted = newRuntime();
            DriveResult result = orchestrator(restarted, RETRIES).drive(runId);

            // Then
            assertThat(result.status()).isEqualTo(DriveResult.Status.COMPLETED);
            RunState state = result.run().state();
            assertThat(state.counter("crash_count")).isEqualTo(1);
            assertThat(state.attempts().get(0).status()).isEqualTo(Attempt.Status.CRASHED);
            assertThat(decompose.seen().get(0).attempt()).isEqualTo(2);
            assertThat(tasksDone(decompose.seen().get(0))).isEqualTo(2);
            assertThat(state.latestOutcome("STAGE_0").orElseThrow().attribute("resumed_at_task")).contains(2);
            assertThat(events(journal(runId), RunEvent.AttemptCrashed.class)).singleElement()
                    .satisfies(crash -> assertThat(crash.counter()).isEqualTo("crash_count"));
        }

        @Test
        void aSecondCrashPausesTheRun() {
            // Given a first crash, recovered, whose re-run crashes too
            String runId = crashedInStage0(Map.of("tasks_done", 1));
            decompose = new ScriptedStage("story-decompose", crash());
            Orchestrator first = orchestrator(newRuntime(), RETRIES);
            assertThatThrownBy(() -> first.drive(runId)).isInstanceOf(SimulatedCrash.class);

            // When another process drives it
            DriveResult result = orchestrator(newRuntime(), RETRIES).drive(runId);

            // Then
            assertPaused(result, "Worker crashed 2 times (limit 1)", "Inspect the stage logs, fix the cause, then resume");
            RunState state = result.run().state();
            assertThat(state.counter("crash_count")).isEqualTo(2);
            assertThat(state.pause().orElseThrow().category()).isEqualTo("crash");
            assertThat(state.pause().orElseThrow().scope()).isEqualTo("stage_0");
            assertThat(state.attempts()).extracting(Attempt::status)
                    .containsExactly(Attempt.Status.CRASHED, Attempt.Status.CRASHED);
            assertThat(decompose.runs()).isEqualTo(1);
        }

        @Test
        void anOutcomeRecordedBeforeACrashBecomesEvidenceWithoutRunningTheStageAgain() {
            // Given an attempt whose outcome was recorded, then the process died before the evidence was written
            String runId = startStory();
            runtime.advance(runId, "STAGE_0");
            Attempt attempt = runtime.startAttempt(runId, "story-decompose", "test-1").attempt();
            runtime.finishAttempt(runId, attempt.attemptId(), DECOMPOSED);
            decompose = new ScriptedStage("story-decompose");

            // When
            DriveResult result = orchestrator(newRuntime(), RETRIES).drive(runId);

            // Then
            assertThat(result.status()).isEqualTo(DriveResult.Status.COMPLETED);
            assertThat(decompose.runs()).isZero();
            assertThat(result.run().state().counter("crash_count")).isZero();
            assertThat(result.run().state().latestCheckpoint("STAGE_0").orElseThrow().payload())
                    .containsEntry("attempt_id", attempt.attemptId());
        }
    }

    @Nested
    class PausedOrCanceledWhileAStageRuns {

        @Test
        void theStageSeesThePauseAndItsEvidenceIsRecordedAfterTheResume() {
            // Given a decomposition during which a person pauses the run
            List<Boolean> cancelledSeen = new ArrayList<>();
            String[] runIds = new String[1];
            decompose = new ScriptedStage("story-decompose", context -> {
                cancelledSeen.add(context.isCancelled());
                runtime.pause(runIds[0], PauseRequest.of("Reviewing the plan by hand"));
                cancelledSeen.add(context.isCancelled()); // looked at a moment ago: not yet
                clock.advance(Duration.ofSeconds(1));
                cancelledSeen.add(context.isCancelled());
                return DECOMPOSED;
            });
            runIds[0] = startStory();

            // When
            DriveResult paused = orchestrator().drive(runIds[0]);

            // Then the stage was told, its outcome is kept, and no evidence was recorded behind the person's back
            assertThat(cancelledSeen).containsExactly(false, false, true);
            assertThat(paused.status()).isEqualTo(DriveResult.Status.PAUSED);
            assertThat(paused.run().state().freshOutcome("STAGE_0")).contains(DECOMPOSED);
            assertThat(paused.run().state().freshCheckpoint("STAGE_0")).isEmpty();

            // And after the resume the outcome becomes evidence without running the stage again
            runtime.resume(runIds[0], null);
            DriveResult finished = orchestrator().drive(runIds[0]);
            assertThat(finished.status()).isEqualTo(DriveResult.Status.COMPLETED);
            assertThat(decompose.runs()).isEqualTo(1);
        }

        @Test
        void aCancelDuringAStageEndsTheDriveQuietly() {
            String[] runIds = new String[1];
            decompose = new ScriptedStage("story-decompose", context -> {
                runtime.cancel(runIds[0], "Story dropped");
                return DECOMPOSED;
            });
            runIds[0] = startStory();

            DriveResult result = orchestrator().drive(runIds[0]);

            assertThat(result.status()).isEqualTo(DriveResult.Status.COMPLETED);
            assertThat(result.reason()).isEqualTo("CANCELED");
            assertThat(result.run().state().freshCheckpoint("STAGE_0")).isEmpty();
        }
    }

    @Nested
    class LoopHealthAcrossVisits {

        @Test
        void aCompletedStageResetsItsLoopHealth() {
            // Given an execution that fails twice, succeeds, is sent back by the gate, and fails once more
            execute = new ScriptedStage("story-execute", fail(FailureClass.AGENT_ERROR, "compile error"),
                    fail(FailureClass.AGENT_ERROR, "compile error"), ok(EXECUTED),
                    fail(FailureClass.AGENT_ERROR, "compile error"), ok(EXECUTED));
            gate = new ScriptedStage("story-quality-gate", ok(FAIL), ok(PASS));
            String runId = startStory();

            // When
            DriveResult result = orchestrator().drive(runId);

            // Then the third "compile error" is the first of a new count, not the third in a row
            assertThat(result.status()).isEqualTo(DriveResult.Status.COMPLETED);
            assertThat(result.run().state().loopHealth().get("stage_2").noProgressCount()).isZero();
            assertThat(execute.runs()).isEqualTo(5);
        }
    }

    @Nested
    class Stopping {

        @Test
        void stopsAfterTheCurrentStepAndGoesOnWhenDrivenAgain() {
            // Given a decomposition that asks the orchestrator to stop while it runs
            String runId = startStory();
            Orchestrator[] holder = new Orchestrator[1];
            List<Boolean> cancelledSeen = new ArrayList<>();
            decompose = new ScriptedStage("story-decompose", context -> {
                holder[0].requestStop();
                cancelledSeen.add(context.isCancelled());
                return DECOMPOSED;
            });
            holder[0] = orchestrator();

            // When
            DriveResult stopped = holder[0].drive(runId);

            // Then
            assertThat(cancelledSeen).containsExactly(true);
            assertThat(stopped.status()).isEqualTo(DriveResult.Status.STOPPED);
            assertThat(stopped.reason()).isEqualTo("stop requested");
            assertThat(stopped.run().state().phase()).isEqualTo("STAGE_0");

            // And driving again finishes the run
            DriveResult finished = holder[0].drive(runId);
            assertThat(finished.status()).isEqualTo(DriveResult.Status.COMPLETED);
            assertThat(decompose.runs()).isEqualTo(1);
        }

        @Test
        void driveReportsACompletedRunAsItIs() {
            String runId = startStory();
            orchestrator().drive(runId);

            DriveResult again = orchestrator().drive(runId);

            assertThat(again.status()).isEqualTo(DriveResult.Status.COMPLETED);
            assertThat(gate.runs()).isEqualTo(1);
        }

        @Test
        void driveRefusesAnUnknownRun() {
            assertThatThrownBy(() -> orchestrator().drive("story-nope-1"))
                    .isInstanceOfSatisfying(PipelineException.class, e -> assertThat(e.code()).isEqualTo("run_not_found"));
        }
    }
}
