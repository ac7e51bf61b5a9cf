package dev.agentpipeline.core.story;

import dev.agentpipeline.core.definition.PipelineDefinition;
import dev.agentpipeline.core.engine.PauseRequest;
import dev.agentpipeline.core.run.RunState;
import dev.agentpipeline.core.testing.MutableClock;
import dev.agentpipeline.core.testing.RunHistory;
import dev.agentpipeline.core.testing.StoryRuns;
import dev.agentpipeline.spi.StageOutcome;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StoryPipelineTest {

    private final PipelineDefinition definition = StoryPipeline.definition();

    @Nested
    class ResumeAction {

        private StoryRuns story;

        @BeforeEach
        void start() {
            story = new StoryRuns(StoryRuns.runtime(new MutableClock()), "US001");
        }

        private String action() {
            return StoryPipeline.resumeAction(story.state(), definition);
        }

        @Test
        void queuedDeterminesTheTargetStageFromTheBoard() {
            assertThat(action()).isEqualTo("Determine target stage from kanban, then advance");
        }

        @Test
        void aStageWithoutCheckpointInvokesItsSkill() {
            story.to("STAGE_2");

            assertThat(action()).isEqualTo(
                    "Invoke ln-400 (the story-execution skill) for STAGE_2 and write its checkpoint");
        }

        @Test
        void aCheckpointWithoutSummaryRecordsTheSummary() {
            story.to("STAGE_0").checkpoint("STAGE_0", Map.of("stage", 0));

            assertThat(action()).isEqualTo(
                    "Read the stage summary of ln-300 (the task-decomposition skill) and record it");
        }

        @Test
        void aFinishedStageAdvancesToTheNext() {
            story.to("STAGE_0").decomposed();
            assertThat(action()).isEqualTo("Advance to STAGE_1 and invoke ln-310 (the story-validation skill)");

            story.to("STAGE_1").validated("GO", 8);
            assertThat(action()).isEqualTo("Advance to STAGE_2 and invoke ln-400 (the story-execution skill)");

            story.to("STAGE_2").executed("To Review");
            assertThat(action()).isEqualTo("Advance to STAGE_3 and invoke ln-500 (the quality-gate skill)");
        }

        @Test
        void aPassedGateCompletesThePipeline() {
            story.atQualityGate().gated("PASS");

            assertThat(action()).isEqualTo("Complete pipeline");
        }

        @Test
        void aNoGoWithARetryLeftRetriesValidation() {
            story.to("STAGE_1").validated("NO-GO", 4);

            assertThat(action()).isEqualTo(
                    "Retry STAGE_1: advance to STAGE_1 and invoke ln-310 (the story-validation skill)");
        }

        @Test
        void aFailWithACycleLeftReworks() {
            story.atQualityGate().gated("FAIL");

            assertThat(action()).isEqualTo("Rework: advance to STAGE_2 and invoke ln-400 (the story-execution skill)");
        }

        @Test
        void anExhaustedRetryIsBlockedWithTheLastRejection() {
            story.to("STAGE_1").validated("NO-GO", 4).to("STAGE_1").validated("NO-GO", 4);

            assertThat(action()).isEqualTo("Blocked: Validation retry exhausted. Escalate to user");
        }

        @Test
        void anExhaustedReworkIsBlocked() {
            story.atQualityGate().gated("FAIL").to("STAGE_2").executed("To Review").to("STAGE_3").gated("FAIL")
                    .to("STAGE_2").executed("To Review").to("STAGE_3").gated("FAIL");

            assertThat(action()).isEqualTo("Blocked: Quality cycle limit reached (2). Escalate to user");
        }

        @Test
        void anUnfinishedExecutionIsBlockedWithItsRecovery() {
            story.to("STAGE_2").executed("In Progress");

            assertThat(action()).isEqualTo(
                    "Blocked: Story status In Progress is not To Review. Finish execution stage");
        }

        @Test
        void aPausedRunGivesItsReason() {
            story.to("STAGE_2");
            story.runtime().pause(story.runId(), PauseRequest.of("Waiting for the PO"));

            assertThat(action()).isEqualTo("Paused: Waiting for the PO");
        }

        @Test
        void aCompletedOrCanceledRunIsComplete() {
            story.atQualityGate().gated("PASS").to("DONE");
            assertThat(action()).isEqualTo("Pipeline complete");

            StoryRuns canceled = new StoryRuns(story.runtime(), "US002");
            canceled.to("STAGE_1");
            story.runtime().cancel(canceled.runId(), "Dropped from the sprint");
            assertThat(StoryPipeline.resumeAction(canceled.state(), definition)).isEqualTo("Pipeline complete");
        }

        @Test
        void aPauseWithoutReasonAsksForManualIntervention() {
            RunState paused = RunHistory.story("US001").to("STAGE_1").pause("").state();

            assertThat(StoryPipeline.resumeAction(paused, definition))
                    .isEqualTo("Paused: manual intervention required");
        }

        @Test
        void aStateTheDefinitionDoesNotKnowHasNoAutomaticAction() {
            // Given a run journaled under an older definition, now in a state this one lacks
            RunState legacy = RunHistory.story("US001").to("STAGE_LEGACY")
                    .checkpoint("STAGE_LEGACY", Map.of("stage", 9)).summary("STAGE_LEGACY", Map.of("status", "completed"))
                    .state();

            assertThat(StoryPipeline.resumeAction(legacy, definition)).isEqualTo("No automatic resume action available");
        }
    }

    @Nested
    class TargetStage {

        @ParameterizedTest(name = "{0} (tasks: {1}) -> {2}")
        @CsvSource(nullValues = "none", value = {
                "Backlog, false, STAGE_0",
                "Backlog, true, STAGE_1",
                "Todo, false, STAGE_2",
                "Todo, true, STAGE_2",
                "In Progress, true, STAGE_2",
                "To Rework, true, STAGE_2",
                "To Review, true, STAGE_3",
                "Done, true, none",
                "Postponed, false, none",
                "Canceled, true, none",
                "Someday, true, STAGE_0",
                "'', false, STAGE_0"})
        void routesEveryBoardStatus(String status, boolean hasTasks, String expected) {
            assertThat(StoryPipeline.targetStage(status, hasTasks)).isEqualTo(Optional.ofNullable(expected));
        }

        @Test
        void ignoresCaseAndSurroundingSpace() {
            assertThat(StoryPipeline.targetStage("  TO REVIEW ", false)).contains("STAGE_3");
            assertThat(StoryPipeline.targetStage("in progress", false)).contains("STAGE_2");
            assertThat(StoryPipeline.targetStage("DONE", false)).isEmpty();
        }

        @Test
        void treatsAMissingStatusAsANewStory() {
            assertThat(StoryPipeline.targetStage(null, false)).contains("STAGE_0");
        }
    }

    @Nested
    class Stages {

        @Test
        void mapsStageNumbersToStatesAndBack() {
            assertThat(StoryPipeline.stateOf(0)).isEqualTo("STAGE_0");
            assertThat(StoryPipeline.stateOf(3)).isEqualTo("STAGE_3");
            assertThat(StoryPipeline.stageNumber("STAGE_2")).contains(2);
            assertThat(StoryPipeline.stageNumber("DONE")).isEmpty();
            assertThatThrownBy(() -> StoryPipeline.stateOf(4)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("stage must be 0, 1, 2 or 3, got 4");
            assertThatThrownBy(() -> StoryPipeline.stateOf(-1)).isInstanceOf(IllegalArgumentException.class);
        }

        @Test
        void namesTheSkillOfAStateOrFallsBackToItsPluginOrId() {
            assertThat(StoryPipeline.skill(definition, "STAGE_3")).isEqualTo("ln-500");
            assertThat(StoryPipeline.skill(definition, "QUEUED")).isEqualTo("QUEUED");
            assertThat(StoryPipeline.skill(definition, "NOWHERE")).isEqualTo("NOWHERE");
            PipelineDefinition plain = PipelineDefinition.builder("plain").initial("A").stage("A", "acme-a", "")
                    .terminal("B", "").transition("A", "B").build();
            assertThat(StoryPipeline.skill(plain, "A")).isEqualTo("acme-a");
        }

        @Test
        void describesTheSkillWithItsRoleWhenTheStateHasOne() {
            assertThat(StoryPipeline.describedSkill(definition, "STAGE_0"))
                    .isEqualTo("ln-300 (the task-decomposition skill)");
            assertThat(StoryPipeline.describedSkill(definition, "QUEUED")).isEqualTo("QUEUED");
            PipelineDefinition plain = PipelineDefinition.builder("plain").initial("A").stage("A", "acme-a", "")
                    .terminal("B", "").transition("A", "B").build();
            assertThat(StoryPipeline.describedSkill(plain, "A")).isEqualTo("acme-a");
        }
    }

    @Nested
    class Inputs {

        @Test
        void carryTheRunsAttributesStoryAndCounters() {
            RunState run = RunHistory.story("US001").attributes(Map.of("business_answers", Map.of("auth", "JWT")))
                    .to("STAGE_1").state();

            Map<String, Object> inputs = StoryPipeline.inputs(run);

            assertThat(inputs).containsEntry("business_answers", Map.of("auth", "JWT"))
                    .containsEntry("story_id", "US001").containsEntry("story_title", "Title of US001")
                    .containsEntry("quality_cycles", 0).containsEntry("validation_retries", 0)
                    .doesNotContainKeys("rework_hint", "rework_focus");
        }

        @Test
        void giveAReworkTheFocusTheFailedGateSuggested() {
            // Given a FAIL with a rework hint, and the rework back in STAGE_2
            Map<String, Object> hint = Map.of("blocking_categories", List.of("tests"), "suggested_focus",
                    "Cover the login error paths");
            RunState run = RunHistory.story("US001").to("STAGE_3")
                    .summary("STAGE_3", Map.of("verdict", "FAIL", "metadata", Map.of("rework_hint", hint)))
                    .to("STAGE_2", "quality_cycles").state();

            // When
            Map<String, Object> inputs = StoryPipeline.inputs(run);

            // Then
            assertThat(inputs).containsEntry("rework_hint", hint)
                    .containsEntry("rework_focus", "Cover the login error paths")
                    .containsEntry("quality_cycles", 1);
        }

        @Test
        void fallBackToTheBlockingCategoriesWithoutASuggestedFocus() {
            RunState run = RunHistory.story("US001").to("STAGE_3")
                    .summary("STAGE_3", Map.of("verdict", "FAIL", "metadata",
                            Map.of("rework_hint", Map.of("blocking_categories", List.of("security", "tests")))))
                    .to("STAGE_2", "quality_cycles").state();

            assertThat(StoryPipeline.inputs(run)).containsEntry("rework_focus", List.of("security", "tests"));
        }

        @Test
        void giveNoFocusToAFirstExecutionOrToOtherStages() {
            RunState first = RunHistory.story("US001").to("STAGE_2").state();
            RunState gate = RunHistory.story("US001").to("STAGE_3")
                    .summary("STAGE_3", Map.of("verdict", "FAIL", "metadata",
                            Map.of("rework_hint", Map.of("suggested_focus", "x"))))
                    .state();

            assertThat(StoryPipeline.inputs(first)).doesNotContainKey("rework_focus");
            assertThat(StoryPipeline.inputs(gate)).doesNotContainKey("rework_focus");
        }

        @Test
        void ignoreAFailWithoutAHint() {
            RunState run = RunHistory.story("US001").to("STAGE_3").outcome(StageOutcome.completed().build())
                    .summary("STAGE_3", Map.of("verdict", "FAIL", "metadata", Map.of()))
                    .to("STAGE_2", "quality_cycles").state();

            assertThat(StoryPipeline.inputs(run)).doesNotContainKeys("rework_hint", "rework_focus");
        }
    }
}
