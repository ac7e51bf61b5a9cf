package dev.agentpipeline.core.engine;

import dev.agentpipeline.core.definition.CounterDefinition;
import dev.agentpipeline.core.definition.PipelineDefinition;
import dev.agentpipeline.core.definition.TransitionDefinition;
import dev.agentpipeline.core.guard.Guard;
import dev.agentpipeline.core.guard.GuardResult;
import dev.agentpipeline.core.run.RunEvent;
import dev.agentpipeline.core.run.RunState;
import dev.agentpipeline.core.store.JournalEntry;
import dev.agentpipeline.core.story.StoryPipeline;
import dev.agentpipeline.core.testing.MutableClock;
import dev.agentpipeline.core.testing.RunHistory;
import dev.agentpipeline.core.testing.StoryRuns;
import dev.agentpipeline.spi.StageOutcome;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The story pipeline's state machine through a real runtime: every rejection with its exact error and
 * recovery, counters that move only on allowed transitions, fresh evidence, pausing and resuming, and overrides.
 */
class StoryStateMachineTest {

    private final MutableClock clock = new MutableClock();
    private StoryRuns story;

    @BeforeEach
    void startStory() {
        story = new StoryRuns(StoryRuns.runtime(clock), "US001");
    }

    /** Asserts a rejection with its code, error and recovery, and that the run did not change at all. */
    private void assertRejected(String to, String code, String error, String recovery) {
        RunState before = story.state();
        List<JournalEntry> journal = story.runtime().store().journal(story.runId());

        TransitionResult result = story.advance(to);

        assertThat(result.allowed()).as("%s -> %s allowed", before.phase(), to).isFalse();
        assertThat(result.guardResult()).isEqualTo(GuardResult.reject(code, error, recovery));
        assertThat(result.run().state().sequence()).isEqualTo(before.sequence());
        assertThat(story.runtime().store().journal(story.runId())).isEqualTo(journal);
        assertThat(story.state().counters()).isEqualTo(before.counters());
    }

    @Nested
    class FromQueued {

        @ParameterizedTest
        @ValueSource(strings = {"STAGE_0", "STAGE_1", "STAGE_2", "STAGE_3"})
        void mayEnterAnyStageTheBoardAsksFor(String stage) {
            TransitionResult result = story.advance(stage);

            assertThat(result.allowed()).isTrue();
            assertThat(result.run().state().phase()).isEqualTo(stage);
            assertThat(result.decision().counter()).isNull();
        }

        @Test
        void mayNotSkipToDone() {
            assertRejected("DONE", "invalid_transition", "Invalid transition: QUEUED->DONE",
                    "Check pipeline state graph");
        }
    }

    @Nested
    class Stage0 {

        @BeforeEach
        void enter() {
            story.to("STAGE_0");
        }

        @Test
        void needsItsCheckpoint() {
            assertRejected("STAGE_1", "stage_0_checkpoint_missing", "Stage 0 checkpoint missing",
                    "Run ln-300 (the task-decomposition skill) first and record its checkpoint");
        }

        @Test
        void needsACompletedStageSummary() {
            story.checkpoint("STAGE_0", Map.of("stage", 0, "plan_score", 4));

            assertRejected("STAGE_1", "stage_0_summary_missing", "Stage 0 summary missing or not completed",
                    "Record the stage summary of ln-300 (the task-decomposition skill)");
        }

        @Test
        void doesNotTakeAFailedSummaryForACompletedOne() {
            story.checkpoint("STAGE_0", Map.of("stage", 0)).summary("STAGE_0", StoryRuns.payload(0, "error", null,
                    "Backlog"));

            assertRejected("STAGE_1", "stage_0_summary_missing", "Stage 0 summary missing or not completed",
                    "Record the stage summary of ln-300 (the task-decomposition skill)");
        }

        @Test
        void movesOnWithBoth() {
            story.decomposed();

            assertThat(story.advance("STAGE_1").allowed()).isTrue();
        }

        @ParameterizedTest
        @ValueSource(strings = {"STAGE_2", "STAGE_3", "DONE", "QUEUED"})
        void mayNotSkipAhead(String target) {
            story.decomposed();

            assertRejected(target, "invalid_transition", "Invalid transition: STAGE_0->" + target,
                    "Check pipeline state graph");
            assertThat(story.runtime().evaluate(story.runId(), target).validTargets()).containsExactly("STAGE_1");
        }

        @Test
        void rejectsAnUnknownStateLikeAnInvalidTransition() {
            assertRejected("STAGE_9", "unknown_state", "Invalid transition: STAGE_0->STAGE_9",
                    "Check pipeline state graph");
        }
    }

    @Nested
    class Stage1 {

        @BeforeEach
        void enter() {
            story.to("STAGE_0").decomposed().to("STAGE_1");
        }

        @Test
        void needsItsCheckpoint() {
            assertRejected("STAGE_2", "stage_1_checkpoint_missing", "Stage 1 checkpoint missing",
                    "Run ln-310 (the story-validation skill) first and record its checkpoint");
        }

        @Test
        void needsACompletedStageSummary() {
            story.checkpoint("STAGE_1", Map.of("stage", 1, "verdict", "GO"));

            assertRejected("STAGE_2", "stage_1_summary_missing", "Stage 1 summary missing or not completed",
                    "Record the stage summary of ln-310 (the story-validation skill)");
        }

        @Test
        void rejectsANoGo() {
            story.validated("NO-GO", 6);

            assertRejected("STAGE_2", "verdict_not_go", "Verdict is NO-GO, not GO", "Fix validation issues");
        }

        @Test
        void saysNullWhenTheSummaryHasNoVerdict() {
            story.checkpoint("STAGE_1", Map.of("stage", 1)).summary("STAGE_1", StoryRuns.payload(1, "completed", null,
                    "Backlog"));

            assertRejected("STAGE_2", "verdict_not_go", "Verdict is null, not GO", "Fix validation issues");
        }

        @Test
        void rejectsAGoWithLowReadiness() {
            story.validated("GO", 3);

            assertRejected("STAGE_2", "readiness_too_low", "Readiness 3 < 5", "Improve story quality");
        }

        @Test
        void acceptsAGoWithReadinessFiveOrWithoutReadiness() {
            story.validated("GO", 5);
            assertThat(story.advance("STAGE_2").allowed()).isTrue();

            StoryRuns other = new StoryRuns(story.runtime(), "US002");
            other.to("STAGE_1").validated("GO", null);
            assertThat(other.advance("STAGE_2").allowed()).isTrue();
        }

        @Test
        void rejectsACheckpointThatContradictsTheSummary() {
            story.checkpoint("STAGE_1", Map.of("stage", 1, "verdict", "NO-GO"))
                    .summary("STAGE_1", StoryRuns.payload(1, "completed", "GO", "Todo"));

            assertRejected("STAGE_2", "checkpoint_verdict_not_go", "Checkpoint verdict is NO-GO, not GO",
                    "Checkpoint stage 1 with the verdict of its summary");
        }

        @Test
        void retryNeedsTheNoGoItRetries() {
            story.validated("GO", 8);

            assertRejected("STAGE_1", "stage_1_no_go_missing", "Stage 1 NO-GO summary missing",
                    "Record the NO-GO stage summary of ln-310 (the story-validation skill) before retrying validation");
        }

        @Test
        void retriesANoGoOnceAndIncrementsValidationRetries() {
            // Given
            story.validated("NO-GO", 4);

            // When
            TransitionResult retry = story.advance("STAGE_1");

            // Then
            assertThat(retry.allowed()).isTrue();
            assertThat(retry.decision().counter()).isEqualTo("validation_retries");
            assertThat(retry.run().state().counter("validation_retries")).isEqualTo(1);
            assertThat(retry.run().state().phase()).isEqualTo("STAGE_1");
        }

        @Test
        void aRetryCannotPassOnThePreviousVisitsEvidence() {
            // Given a NO-GO, a retry, and no new evidence yet
            story.validated("NO-GO", 4).to("STAGE_1");

            // Then the old NO-GO neither allows another retry nor is it a GO
            assertRejected("STAGE_1", "stage_1_no_go_missing", "Stage 1 NO-GO summary missing",
                    "Record the NO-GO stage summary of ln-310 (the story-validation skill) before retrying validation");
            assertRejected("STAGE_2", "stage_1_checkpoint_missing", "Stage 1 checkpoint missing",
                    "Run ln-310 (the story-validation skill) first and record its checkpoint");
        }

        @Test
        void aSecondNoGoExhaustsTheRetry() {
            story.validated("NO-GO", 4).to("STAGE_1").validated("NO-GO", 4);

            assertRejected("STAGE_1", "validation_retry_exhausted", "Validation retry exhausted", "Escalate to user");
            assertThat(story.state().counter("validation_retries")).isEqualTo(1);
        }

        @Test
        void aGoAfterTheRetryMovesOn() {
            story.validated("NO-GO", 4).to("STAGE_1").validated("GO", 7);

            assertThat(story.advance("STAGE_2").allowed()).isTrue();
        }
    }

    @Nested
    class Stage2 {

        @BeforeEach
        void enter() {
            story.to("STAGE_2");
        }

        @Test
        void needsItsCheckpoint() {
            assertRejected("STAGE_3", "stage_2_checkpoint_missing", "Stage 2 checkpoint missing",
                    "Run ln-400 (the story-execution skill) first and record its checkpoint");
        }

        @Test
        void needsACompletedStageSummary() {
            story.checkpoint("STAGE_2", Map.of("stage", 2));

            assertRejected("STAGE_3", "stage_2_summary_missing", "Stage 2 summary missing or not completed",
                    "Record the stage summary of ln-400 (the story-execution skill)");
        }

        @Test
        void needsTheStoryToBeToReview() {
            story.executed("In Progress");

            assertRejected("STAGE_3", "story_not_to_review", "Story status In Progress is not To Review",
                    "Finish execution stage");
        }

        @Test
        void mayNotGoBackToValidation() {
            story.executed("To Review");

            assertRejected("STAGE_1", "invalid_transition", "Invalid transition: STAGE_2->STAGE_1",
                    "Check pipeline state graph");
        }
    }

    @Nested
    class Stage3 {

        @BeforeEach
        void enter() {
            story.atQualityGate();
        }

        @Test
        void needsItsCheckpoint() {
            assertRejected("DONE", "stage_3_checkpoint_missing", "Stage 3 checkpoint missing",
                    "Run ln-500 (the quality-gate skill) first and record its checkpoint");
        }

        @Test
        void needsACompletedStageSummary() {
            story.checkpoint("STAGE_3", Map.of("stage", 3, "verdict", "PASS"));

            assertRejected("DONE", "stage_3_summary_missing", "Stage 3 summary missing or not completed",
                    "Record the stage summary of ln-500 (the quality-gate skill)");
        }

        @Test
        void rejectsAFailedGate() {
            story.gated("FAIL");

            assertRejected("DONE", "quality_gate_not_passed", "Verdict FAIL not in PASS,CONCERNS,WAIVED",
                    "Quality gate must pass");
        }

        @ParameterizedTest
        @ValueSource(strings = {"PASS", "CONCERNS", "WAIVED"})
        void completesOnAPassingVerdict(String verdict) {
            story.gated(verdict);

            TransitionResult done = story.advance("DONE");

            assertThat(done.allowed()).isTrue();
            assertThat(done.decision().terminal()).isTrue();
            assertThat(done.run().state().complete()).isTrue();
            assertThat(done.run().state().finalResult()).contains("DONE");
        }

        @Test
        void reworkNeedsTheFailItReworks() {
            story.gated("PASS");

            assertRejected("STAGE_2", "stage_3_fail_missing", "Stage 3 FAIL summary missing",
                    "Record the FAIL stage summary of ln-500 (the quality-gate skill) before the rework");
        }

        @Test
        void reworksAFailAndIncrementsQualityCycles() {
            story.gated("FAIL");

            TransitionResult rework = story.advance("STAGE_2");

            assertThat(rework.allowed()).isTrue();
            assertThat(rework.decision().counter()).isEqualTo("quality_cycles");
            assertThat(rework.run().state().counter("quality_cycles")).isEqualTo(1);
        }

        @Test
        void aReworkCannotPassOnThePreviousVisitsCheckpoint() {
            // Given a FAIL and a rework: STAGE_2 still has the checkpoint and summary of its first visit
            story.gated("FAIL").to("STAGE_2");
            assertThat(story.state().latestCheckpoint("STAGE_2")).isPresent();

            // Then
            assertRejected("STAGE_3", "stage_2_checkpoint_missing", "Stage 2 checkpoint missing",
                    "Run ln-400 (the story-execution skill) first and record its checkpoint");
        }

        @Test
        void rejectsTheThirdReworkAtTheLimitOfTwo() {
            // Given two reworks
            story.gated("FAIL").to("STAGE_2").executed("To Review").to("STAGE_3")
                    .gated("FAIL").to("STAGE_2").executed("To Review").to("STAGE_3")
                    .gated("FAIL");
            assertThat(story.state().counter("quality_cycles")).isEqualTo(2);

            // Then
            assertRejected("STAGE_2", "quality_cycle_limit", "Quality cycle limit reached (2)", "Escalate to user");
            assertRejected("DONE", "quality_gate_not_passed", "Verdict FAIL not in PASS,CONCERNS,WAIVED",
                    "Quality gate must pass");
        }

        @Test
        void aStricterLimitIsNamedInTheMessage() {
            StoryRuns strict = new StoryRuns(PipelineRuntime.builder().store(story.runtime().store())
                    .definition(StoryPipeline.definition(new dev.agentpipeline.core.story.StoryLimits(1, 1, 1)))
                    .clock(clock).build(), "US009");
            strict.atQualityGate().gated("FAIL").to("STAGE_2").executed("To Review").to("STAGE_3").gated("FAIL");

            TransitionResult result = strict.advance("STAGE_2");

            assertThat(result.guardResult().error()).isEqualTo("Quality cycle limit reached (1)");
        }
    }

    @Nested
    class AfterTheEnd {

        @Test
        void aCompletedRunMovesNowhere() {
            story.atQualityGate().gated("PASS").to("DONE");

            assertRejected("STAGE_0", "invalid_transition", "Invalid transition: DONE->STAGE_0",
                    "Check pipeline state graph");
            assertThat(story.runtime().evaluate(story.runId(), "STAGE_0").validTargets()).isEmpty();
        }
    }

    @Nested
    class PausingAndResuming {

        @Test
        void anyStateMayPause() {
            story.to("STAGE_2");

            TransitionResult paused = story.advance(RunState.PAUSED);

            assertThat(paused.allowed()).isTrue();
            assertThat(paused.run().state().isPaused()).isTrue();
            assertThat(paused.run().state().pausedFrom()).contains("STAGE_2");
            assertThat(paused.run().state().pausedReason()).contains("Paused by request");
        }

        @Test
        void resumingIntoTheSameStateKeepsItsEvidenceFresh() {
            // Given STAGE_0 with its evidence, then a pause and a resume into STAGE_0
            story.to("STAGE_0").decomposed();
            story.runtime().pause(story.runId(), PauseRequest.of("Lunch"));
            TransitionResult resumed = story.runtime().resume(story.runId(), null);

            // Then
            assertThat(resumed.allowed()).isTrue();
            assertThat(resumed.run().state().phase()).isEqualTo("STAGE_0");
            assertThat(story.advance("STAGE_1").allowed()).isTrue();
        }

        @Test
        void resumingElsewhereGoesThroughThePausedFromStatesGuards() {
            // Given a NO-GO, then a pause
            story.to("STAGE_0").decomposed().to("STAGE_1").validated("NO-GO", 4);
            story.runtime().pause(story.runId(), PauseRequest.of("Needs a person"));

            // When
            TransitionResult result = story.runtime().resume(story.runId(), "STAGE_2");

            // Then
            assertThat(result.allowed()).isFalse();
            assertThat(result.decision().from()).isEqualTo(RunState.PAUSED);
            assertThat(result.decision().source()).isEqualTo("STAGE_1");
            assertThat(result.guardResult()).isEqualTo(GuardResult.reject("verdict_not_go", "Verdict is NO-GO, not GO",
                    "Fix validation issues"));
            assertThat(story.state().isPaused()).isTrue();
        }

        @Test
        void resumingElsewhereIsAllowedWhenThePausedFromStatesEvidenceSatisfiesTheGuards() {
            story.to("STAGE_0").decomposed();
            story.runtime().pause(story.runId(), PauseRequest.of("Lunch"));

            TransitionResult result = story.runtime().resume(story.runId(), "STAGE_1");

            assertThat(result.allowed()).isTrue();
            assertThat(story.state().phase()).isEqualTo("STAGE_1");
        }

        @Test
        void resumingIntoAPairThatIsNoTransitionIsRejected() {
            story.to("STAGE_0");
            story.runtime().pause(story.runId(), PauseRequest.of("Lunch"));

            TransitionResult result = story.runtime().resume(story.runId(), "STAGE_3");

            assertThat(result.allowed()).isFalse();
            assertThat(result.guardResult().code()).isEqualTo("invalid_transition");
            assertThat(result.guardResult().error()).isEqualTo("Invalid transition: PAUSED->STAGE_3");
            assertThat(result.decision().validTargets()).containsExactly("STAGE_1");
        }

        @Test
        void resumingIntoTheRetriedStateIsNotAnotherRetry() {
            // Given the retry was used and a second NO-GO recorded, then a pause
            story.to("STAGE_1").validated("NO-GO", 4).to("STAGE_1").validated("NO-GO", 4);
            story.runtime().pause(story.runId(), PauseRequest.of("Validation retry exhausted"));

            // When
            TransitionResult result = story.runtime().resume(story.runId(), "STAGE_1");

            // Then resuming into the paused-from state continues the visit: no retry, no counter
            assertThat(result.allowed()).isTrue();
            assertThat(result.decision().counter()).isNull();
            assertThat(story.state().counter("validation_retries")).isEqualTo(1);
        }

        @Test
        void resumeRefusesARunThatIsNotPaused() {
            story.to("STAGE_0");

            assertThatThrownBy(() -> story.runtime().resume(story.runId(), "STAGE_1", "I say so"))
                    .isInstanceOfSatisfying(PipelineException.class, e -> {
                        assertThat(e.code()).isEqualTo("not_paused");
                        assertThat(e.fix()).isEqualTo("Use advance to move a run that is not paused.");
                    });
        }
    }

    @Nested
    class Overrides {

        @Test
        void onlyAPausedRunCanBeOverridden() {
            // Given a run in STAGE_0 without evidence
            story.to("STAGE_0");

            // When the state machine is asked to override while the run is not paused
            TransitionDecision decision = StateMachine.decide(StoryPipeline.definition(), story.state(), "STAGE_1",
                    "I say so");

            // Then the guards still apply
            assertThat(decision.allowed()).isFalse();
            assertThat(decision.guardResult().code()).isEqualTo("stage_0_checkpoint_missing");
            assertThat(decision.override()).isNull();
        }

        @Test
        void aRecordedOverrideSkipsTheGuardsOfAPausedRun() {
            // Given
            story.to("STAGE_0");
            story.runtime().pause(story.runId(), PauseRequest.of("Decomposed by hand"));

            // When
            TransitionResult result = story.runtime().resume(story.runId(), "STAGE_1", "Tasks were written by hand");

            // Then
            assertThat(result.allowed()).isTrue();
            assertThat(result.decision().override()).isEqualTo("Tasks were written by hand");
            RunEvent last = story.runtime().store().journal(story.runId()).get(
                    story.runtime().store().journal(story.runId()).size() - 1).event();
            assertThat(last).isInstanceOfSatisfying(RunEvent.Transitioned.class, t -> {
                assertThat(t.from()).isEqualTo(RunState.PAUSED);
                assertThat(t.to()).isEqualTo("STAGE_1");
                assertThat(t.override()).isEqualTo("Tasks were written by hand");
            });
        }

        @Test
        void anOverrideSkipsGuardsButNotTheStateGraph() {
            // Given a run paused in STAGE_0
            story.to("STAGE_0");
            story.runtime().pause(story.runId(), PauseRequest.of("Stuck"));
            long sequence = story.sequence();

            // When a person forces a jump the pipeline has no transition for
            TransitionResult result = story.runtime().resume(story.runId(), "DONE", "Ship it anyway");

            // Then it is still an invalid transition, and the run stays paused
            assertThat(result.allowed()).isFalse();
            assertThat(result.guardResult()).isEqualTo(GuardResult.reject("invalid_transition",
                    "Invalid transition: PAUSED->DONE", "Check pipeline state graph"));
            assertThat(story.sequence()).isEqualTo(sequence);
            assertThat(story.state().isPaused()).isTrue();
        }

        @Test
        void anOverriddenTransitionStillCountsItsCounter() {
            story.atQualityGate().gated("FAIL").to("STAGE_2").executed("To Review").to("STAGE_3").gated("FAIL")
                    .to("STAGE_2").executed("To Review").to("STAGE_3").gated("FAIL");
            story.runtime().pause(story.runId(), PauseRequest.of("Quality cycle limit reached (2)"));

            TransitionResult result = story.runtime().resume(story.runId(), "STAGE_2", "One more try, approved by PO");

            assertThat(result.allowed()).isTrue();
            assertThat(story.state().counter("quality_cycles")).isEqualTo(3);
        }
    }

    @Nested
    class Purity {

        @Test
        void decidingChangesNothing() {
            // Given
            story.to("STAGE_1").validated("NO-GO", 4);
            RunState state = story.state();
            long sequence = state.sequence();

            // When the same question is asked many times, directly and through the runtime
            for (int i = 0; i < 3; i++) {
                StateMachine.decide(StoryPipeline.definition(), state, "STAGE_1", null);
                StateMachine.decide(StoryPipeline.definition(), state, "STAGE_2", null);
                story.runtime().evaluate(story.runId(), "STAGE_1");
            }

            // Then
            assertThat(story.sequence()).isEqualTo(sequence);
            assertThat(story.state().counter("validation_retries")).isZero();
            TransitionDecision decision = StateMachine.decide(StoryPipeline.definition(), state, "STAGE_1", null);
            assertThat(decision.allowed()).isTrue();
            assertThat(decision.counter()).isEqualTo("validation_retries");
        }

        @Test
        void aCustomGuardCannotChangeTheRunItJudges() {
            // Given a guard that tries to change everything it can reach
            List<Class<?>> refused = new ArrayList<>();
            Guard meddling = context -> {
                RunState run = context.run();
                List<Runnable> changes = List.of(
                        () -> run.counters().put("retries", 0),
                        () -> run.attributes().put("phase", "B"),
                        () -> run.checkpoints().clear(),
                        () -> run.summaries().clear(),
                        () -> run.attempts().clear(),
                        () -> run.stageTimestamps().clear(),
                        () -> run.loopHealth().clear(),
                        () -> run.manifest().clear(),
                        () -> run.latestCheckpoint("A").orElseThrow().payload().put("verdict", "GO"));
                for (Runnable change : changes) {
                    try {
                        change.run();
                    } catch (UnsupportedOperationException e) {
                        refused.add(e.getClass());
                    }
                }
                return GuardResult.allow();
            };
            PipelineDefinition definition = PipelineDefinition.builder("guarded")
                    .initial("A").counter(CounterDefinition.of("retries", 1)).stage("A", "acme-a", "").terminal("B", "")
                    .transition(TransitionDefinition.builder("A", "B").guard(meddling).build())
                    .transition(TransitionDefinition.builder("A", "A").increments("retries").build())
                    .build();
            RunState run = RunHistory.of("guarded", "A", Map.of("retries", 0), Map.of("owner", "po"))
                    .checkpoint("A", Map.of("verdict", "NO-GO")).summary("A", Map.of("verdict", "NO-GO"))
                    .outcome(StageOutcome.completed().build()).state();

            // When
            TransitionDecision decision = StateMachine.decide(definition, run, "B", null);

            // Then every change was refused
            assertThat(decision.allowed()).isTrue();
            assertThat(refused).hasSize(9);
            assertThat(run.latestCheckpoint("A").orElseThrow().payload()).containsEntry("verdict", "NO-GO");
            assertThat(run.counter("retries")).isZero();
            assertThat(run.phase()).isEqualTo("A");
        }

        @Test
        void countersMoveOnlyWhenATransitionHappens() {
            // Given a rework that the guards reject
            story.atQualityGate().gated("PASS");
            assertRejected("STAGE_2", "stage_3_fail_missing", "Stage 3 FAIL summary missing",
                    "Record the FAIL stage summary of ln-500 (the quality-gate skill) before the rework");

            // Then no counter moved, and an allowed rework moves exactly one
            assertThat(story.state().counters()).containsEntry("quality_cycles", 0).containsEntry("validation_retries", 0);
            story.gated("FAIL").to("STAGE_2");
            assertThat(story.state().counters()).containsEntry("quality_cycles", 1).containsEntry("validation_retries", 0)
                    .containsEntry("crash_count", 0);
        }
    }
}
