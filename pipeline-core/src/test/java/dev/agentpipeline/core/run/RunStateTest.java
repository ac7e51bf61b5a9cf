package dev.agentpipeline.core.run;

import dev.agentpipeline.core.testing.MutableClock;
import dev.agentpipeline.core.testing.RunHistory;
import dev.agentpipeline.spi.FailureClass;
import dev.agentpipeline.spi.StageOutcome;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The fold of a journal into a run's state, and the rules of fresh evidence. */
class RunStateTest {

    private static final StageOutcome GO = StageOutcome.completed().verdict("GO").build();

    @Nested
    class Folding {

        @Test
        void aJournalStartsWithItsStartedEvent() {
            RunHistory history = RunHistory.story("US001");
            RunEvent transition = new RunEvent.Transitioned(MutableClock.START, "QUEUED", "STAGE_0", null, null, false);

            assertThatThrownBy(() -> RunState.replay(List.of())).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("A journal needs at least its RUN_STARTED event");
            assertThatThrownBy(() -> RunState.replay(List.of(transition))).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("A journal must start with RUN_STARTED, found TRANSITIONED");
            assertThatThrownBy(() -> history.state().apply(2, history.events().get(0)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("RUN_STARTED can only be the first event of a journal");
        }

        @Test
        void replayGivesTheSameStateAsFoldingEventByEvent() {
            // Given
            RunHistory history = RunHistory.story("US001").to("STAGE_0").checkpoint("STAGE_0", Map.of("plan_score", 4))
                    .outcome(GO).pause("lunch").resume("STAGE_0").to("STAGE_1");

            // When
            RunState replayed = RunState.replay(history.events());

            // Then
            assertThat(replayed.phase()).isEqualTo(history.state().phase());
            assertThat(replayed.sequence()).isEqualTo(history.events().size()).isEqualTo(history.state().sequence());
            assertThat(replayed.checkpoints()).isEqualTo(history.state().checkpoints());
            assertThat(replayed.attempts()).isEqualTo(history.state().attempts());
            assertThat(replayed.stageTimestamps()).isEqualTo(history.state().stageTimestamps());
        }

        @Test
        void aNewRunIsInItsInitialStateWithItsCountersAtZero() {
            RunState run = RunHistory.story("US001").state();

            assertThat(run.phase()).isEqualTo("QUEUED");
            assertThat(run.initialState()).isEqualTo("QUEUED");
            assertThat(run.subjectId()).isEqualTo("US001");
            assertThat(run.pipelineId()).isEqualTo("story");
            assertThat(run.counters()).containsExactly(Map.entry("validation_retries", 0), Map.entry("quality_cycles", 0),
                    Map.entry("crash_count", 0));
            assertThat(run.counter("unknown")).isZero();
            assertThat(run.complete()).isFalse();
            assertThat(run.isPaused()).isFalse();
            assertThat(run.createdAt()).isEqualTo(MutableClock.START).isEqualTo(run.updatedAt());
            assertThat(run.visitStart("QUEUED")).isEqualTo(1);
            assertThat(run.visitStart("STAGE_0")).isEqualTo(Long.MAX_VALUE);
            assertThat(run.lastResumeSequence()).isZero();
        }

        @Test
        void applyingAnEventLeavesTheOldStateUnchanged() {
            RunHistory history = RunHistory.story("US001");
            RunState before = history.state();

            RunState after = history.to("STAGE_0").state();

            assertThat(before.phase()).isEqualTo("QUEUED");
            assertThat(after.phase()).isEqualTo("STAGE_0");
            assertThat(after.updatedAt()).isAfter(before.updatedAt());
        }

        @Test
        void transitionsIncrementTheirCounterAndStampTheStart() {
            RunState run = RunHistory.story("US001").to("STAGE_1").to("STAGE_1", "validation_retries").state();

            assertThat(run.counter("validation_retries")).isEqualTo(1);
            assertThat(run.stageTimestamps()).containsOnlyKeys("stage_1_start");
            assertThat(RunState.timestampKey("STAGE_2", "end")).isEqualTo("stage_2_end");
        }

        @Test
        void checkpointsAreNumberedAndStampTheEnd() {
            RunState run = RunHistory.story("US001").to("STAGE_0").checkpoint("STAGE_0", Map.of("plan_score", 3))
                    .to("STAGE_1").checkpoint("STAGE_1", Map.of("verdict", "GO")).state();

            assertThat(run.checkpoints()).extracting(Checkpoint::sequence).containsExactly(1, 2);
            assertThat(run.nextCheckpointSequence()).isEqualTo(3);
            assertThat(run.latestCheckpoint("STAGE_0").orElseThrow().payload()).containsEntry("plan_score", 3);
            assertThat(run.stageTimestamps()).containsKeys("stage_0_start", "stage_0_end", "stage_1_start",
                    "stage_1_end");
        }

        @Test
        void enteringTheTerminalStateCompletesTheRun() {
            RunState run = RunHistory.story("US001").to("STAGE_3").finish("DONE").state();

            assertThat(run.complete()).isTrue();
            assertThat(run.closed()).isFalse();
            assertThat(run.finalResult()).contains("DONE");
            assertThat(run.stageTimestamps()).doesNotContainKey("done_start");
        }

        @Test
        void endingARunRecordsItsResultAndReason() {
            RunState run = RunHistory.story("US001").to("STAGE_2").pause("blocked").ended("CANCELED", "DONE", "Dropped")
                    .state();

            assertThat(run.phase()).isEqualTo("DONE");
            assertThat(run.complete()).isTrue();
            assertThat(run.closed()).isTrue();
            assertThat(run.finalResult()).contains("CANCELED");
            assertThat(run.pausedReason()).contains("Dropped");
            assertThat(run.pause()).isEmpty();
            assertThat(run.pausedFrom()).isEmpty();
        }

        @Test
        void attributesAreMergedAndANullRemovesOne() {
            RunState run = RunHistory.story("US001").attributes(Map.of("a", 1, "b", 2))
                    .attributes(java.util.Collections.singletonMap("a", null)).state();

            assertThat(run.attributes()).containsExactly(Map.entry("b", 2));
        }

        @Test
        void aScheduledRetryChangesNothingButTimeAndSequence() {
            RunHistory history = RunHistory.story("US001").to("STAGE_0").startAttempt("acme")
                    .finishAttempt(StageOutcome.failed(FailureClass.RATE_LIMITED, "429").build());
            RunState before = history.state();

            RunState after = history.add(new RunEvent.RetryScheduled(before.updatedAt().plusSeconds(1),
                    history.lastAttemptId(), FailureClass.RATE_LIMITED, Duration.ofMinutes(1))).state();

            assertThat(after.sequence()).isEqualTo(before.sequence() + 1);
            assertThat(after.attempts()).isEqualTo(before.attempts());
            assertThat(after.phase()).isEqualTo(before.phase());
        }
    }

    @Nested
    class Pausing {

        @Test
        void remembersTheStateItPausedIn() {
            RunState run = RunHistory.story("US001").to("STAGE_2").pause("waiting for a person").state();

            assertThat(run.isPaused()).isTrue();
            assertThat(run.phase()).isEqualTo(RunState.PAUSED);
            assertThat(run.pausedFrom()).contains("STAGE_2");
            assertThat(run.workingState()).isEqualTo("STAGE_2");
            assertThat(run.pausedReason()).contains("waiting for a person");
            assertThat(run.pause().orElseThrow().pausedFrom()).isEqualTo("STAGE_2");
        }

        @Test
        void pausingAgainReplacesTheReasonButKeepsThePausedFromState() {
            RunState run = RunHistory.story("US001").to("STAGE_2").pause("first").pause("second").state();

            assertThat(run.pausedFrom()).contains("STAGE_2");
            assertThat(run.pausedReason()).contains("second");
        }

        @Test
        void resumingIntoThePausedFromStateContinuesItsVisit() {
            // Given
            RunHistory history = RunHistory.story("US001").to("STAGE_1").checkpoint("STAGE_1", Map.of("verdict", "GO"))
                    .summary("STAGE_1", Map.of("verdict", "GO"));
            long visit = history.state().visitStart("STAGE_1");
            String started = history.state().stageTimestamps().get("stage_1_start").toString();

            // When
            RunState run = history.pause("lunch").resume("STAGE_1").state();

            // Then
            assertThat(run.visitStart("STAGE_1")).isEqualTo(visit);
            assertThat(run.freshCheckpoint("STAGE_1")).isPresent();
            assertThat(run.freshSummary("STAGE_1")).isPresent();
            assertThat(run.stageTimestamps().get("stage_1_start")).hasToString(started);
            assertThat(run.lastResumeSequence()).isEqualTo(run.sequence());
            assertThat(run.pausedFrom()).isEmpty();
            assertThat(run.pause()).isEmpty();
            assertThat(run.pausedReason()).isEmpty();
        }

        @Test
        void resumingElsewhereStartsAVisitThere() {
            RunState run = RunHistory.story("US001").to("STAGE_1").pause("p").resume("STAGE_2").state();

            assertThat(run.phase()).isEqualTo("STAGE_2");
            assertThat(run.visitStart("STAGE_2")).isEqualTo(run.sequence());
        }

        @Test
        void resumingResolvesLoopHealthThatAskedForThePause() {
            // Given a scope whose policy recommended pausing, and one that did not
            LoopHealthEntry paused = new LoopHealthEntry(3, 3, 3, "agent_error", "boom", "boom", false,
                    MutableClock.START, true, "same_error", "Same error repeated 3 times without progress",
                    List.of(Map.of("failure_class", "agent_error")));
            LoopHealthEntry calm = new LoopHealthEntry(1, 1, 1, "unknown", "x", "x", false, MutableClock.START, false,
                    null, null, List.of());

            // When
            RunState run = RunHistory.story("US001").to("STAGE_2").loopHealth("stage_2", paused)
                    .loopHealth("task_1", calm).pause("loop").resume("STAGE_2").state();

            // Then
            LoopHealthEntry resolved = run.loopHealth().get("stage_2");
            assertThat(resolved.pauseRecommended()).isFalse();
            assertThat(resolved.noProgressCount()).isZero();
            assertThat(resolved.sameErrorCount()).isZero();
            assertThat(resolved.attempts()).isEqualTo(3);
            assertThat(resolved.history()).hasSize(1);
            assertThat(run.loopHealth().get("task_1")).isEqualTo(calm);
        }
    }

    @Nested
    class FreshEvidence {

        @Test
        void aSelfTransitionStartsANewVisitThatHasNoEvidenceYet() {
            RunState run = RunHistory.story("US001").to("STAGE_1").checkpoint("STAGE_1", Map.of("verdict", "NO-GO"))
                    .summary("STAGE_1", Map.of("verdict", "NO-GO")).outcome(GO)
                    .to("STAGE_1", "validation_retries").state();

            assertThat(run.freshCheckpoint("STAGE_1")).isEmpty();
            assertThat(run.freshSummary("STAGE_1")).isEmpty();
            assertThat(run.freshOutcome("STAGE_1")).isEmpty();
            assertThat(run.freshFinishedAttempt("STAGE_1")).isEmpty();
            assertThat(run.latestCheckpoint("STAGE_1")).isPresent();
            assertThat(run.summary("STAGE_1")).isPresent();
            assertThat(run.summaries()).containsKey("STAGE_1");
            assertThat(run.latestOutcome("STAGE_1")).contains(GO);
        }

        @Test
        void evidenceRecordedInTheCurrentVisitIsFresh() {
            RunState run = RunHistory.story("US001").to("STAGE_1").to("STAGE_1", "validation_retries")
                    .checkpoint("STAGE_1", Map.of("verdict", "GO")).outcome(GO).state();

            assertThat(run.freshCheckpoint("STAGE_1")).isPresent();
            assertThat(run.freshOutcome("STAGE_1")).contains(GO);
            assertThat(run.freshFinishedAttempt("STAGE_1").orElseThrow().outcome()).isEqualTo(GO);
        }

        @Test
        void aStateNeverEnteredHasNoFreshEvidence() {
            RunState run = RunHistory.story("US001").to("STAGE_0").state();

            assertThat(run.freshCheckpoint("STAGE_3")).isEmpty();
            assertThat(run.freshSummary("STAGE_3")).isEmpty();
            assertThat(run.freshProgress("STAGE_3")).isEmpty();
        }

        @Test
        void savedProgressIsFreshOnlyWithinItsVisit() {
            RunHistory history = RunHistory.story("US001").to("STAGE_2").startAttempt("acme")
                    .progress(Map.of("tasks_done", 2));

            assertThat(history.state().freshProgress("STAGE_2")).contains(Map.of("tasks_done", 2));

            RunState reworked = history.crash(null).to("STAGE_3").to("STAGE_2", "quality_cycles").state();
            assertThat(reworked.freshProgress("STAGE_2")).isEmpty();
        }
    }

    @Nested
    class Attempts {

        @Test
        void anAttemptRunsUntilItsOutcomeIsRecorded() {
            RunHistory history = RunHistory.story("US001").to("STAGE_0").startAttempt("story-decompose");

            Attempt open = history.state().openAttempt().orElseThrow();
            assertThat(open.status()).isEqualTo(Attempt.Status.RUNNING);
            assertThat(open.number()).isEqualTo(1);
            assertThat(open.stageId()).isEqualTo("story-decompose");
            assertThat(open.outcomeIfFinished()).isEmpty();
            assertThat(open.finishedSequence()).isZero();

            RunState run = history.finishAttempt(GO).state();
            Attempt finished = run.attempt(history.lastAttemptId()).orElseThrow();
            assertThat(run.openAttempt()).isEmpty();
            assertThat(finished.status()).isEqualTo(Attempt.Status.FINISHED);
            assertThat(finished.outcomeIfFinished()).contains(GO);
            assertThat(finished.finishedSequence()).isEqualTo(run.sequence());
        }

        @Test
        void aSecondOutcomeForTheSameAttemptChangesNothing() {
            RunHistory history = RunHistory.story("US001").to("STAGE_0").startAttempt("acme").finishAttempt(GO);
            Attempt first = history.state().attempt(history.lastAttemptId()).orElseThrow();

            RunState run = history.finishAttempt(StageOutcome.completed().verdict("NO-GO").build()).state();

            assertThat(run.attempt(history.lastAttemptId())).contains(first);
        }

        @Test
        void anOutcomeForAnUnknownAttemptChangesNothing() {
            RunHistory history = RunHistory.story("US001").to("STAGE_0");
            RunState before = history.state();

            RunState after = history.add(new RunEvent.AttemptFinished(MutableClock.START, "nobody", GO)).state();

            assertThat(after.attempts()).isEqualTo(before.attempts()).isEmpty();
        }

        @Test
        void aCrashedAttemptIsCountedInItsCounter() {
            RunState run = RunHistory.story("US001").to("STAGE_2").startAttempt("acme").crash("crash_count").state();

            assertThat(run.counter("crash_count")).isEqualTo(1);
            assertThat(run.attempts()).singleElement().extracting(Attempt::status).isEqualTo(Attempt.Status.CRASHED);
            assertThat(run.openAttempt()).isEmpty();
        }

        @Test
        void attemptsAreNumberedPerVisit() {
            RunHistory history = RunHistory.story("US001").to("STAGE_1").outcome(GO).outcome(GO);

            assertThat(history.state().attemptsInVisit("STAGE_1")).isEqualTo(2);
            assertThat(history.state().attempts()).extracting(Attempt::number).containsExactly(1, 2);

            history.to("STAGE_1", "validation_retries").startAttempt("acme");
            assertThat(history.state().attemptsInVisit("STAGE_1")).isEqualTo(1);
            assertThat(history.state().openAttempt().orElseThrow().number()).isEqualTo(1);
        }
    }
}
