package dev.agentpipeline.core.guard;

import dev.agentpipeline.core.run.RunState;
import dev.agentpipeline.core.testing.RunHistory;
import dev.agentpipeline.spi.FailureClass;
import dev.agentpipeline.spi.StageOutcome;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Evidence paths: what each one reads, and that only fresh evidence counts. */
class GuardContextTest {

    private static Map<String, Object> map(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }

    private static GuardContext at(RunHistory history) {
        RunState state = history.state();
        return GuardContext.of(state, state.workingState(), "NEXT");
    }

    @Nested
    class Checkpoints {

        @Test
        void readTheNewestCheckpointOfAState() {
            // Given two checkpoints of STAGE_1 in the same visit
            GuardContext context = at(RunHistory.story("US001").to("STAGE_1")
                    .checkpoint("STAGE_1", map("verdict", "NO-GO", "readiness", 3))
                    .checkpoint("STAGE_1", map("verdict", "GO", "readiness", 8)));

            // Then
            assertThat(context.value("checkpoint.STAGE_1.verdict")).contains("GO");
            assertThat(context.value("checkpoint.STAGE_1.readiness")).contains(8);
            assertThat(context.value("checkpoint.STAGE_1")).get().isEqualTo(map("verdict", "GO", "readiness", 8));
            assertThat(context.isPresent("checkpoint.STAGE_1.reason")).isFalse();
        }

        @Test
        void ignoreACheckpointFromAnEarlierVisit() {
            // Given STAGE_2 was checkpointed, then the story went to STAGE_3 and back for a rework
            GuardContext context = at(RunHistory.story("US001").to("STAGE_2").checkpoint("STAGE_2", map("stage", 2))
                    .to("STAGE_3").to("STAGE_2", "quality_cycles"));

            // Then
            assertThat(context.isPresent("checkpoint.STAGE_2")).isFalse();
            assertThat(context.value("checkpoint.STAGE_2.stage")).isEmpty();
        }

        @Test
        void keepAStateFreshWhileTheRunMovesOnUntilItIsEnteredAgain() {
            // Given STAGE_2's evidence from its latest visit, the run now in STAGE_3
            GuardContext context = at(RunHistory.story("US001").to("STAGE_2").checkpoint("STAGE_2", map("stage", 2))
                    .to("STAGE_3"));

            // Then
            assertThat(context.value("checkpoint.STAGE_2.stage")).contains(2);
        }
    }

    @Nested
    class Summaries {

        @Test
        void readThePayloadOfTheEnvelope() {
            GuardContext context = at(RunHistory.story("US001").to("STAGE_1")
                    .summary("STAGE_1", map("status", "completed", "verdict", "GO", "readiness_score", 8,
                            "metadata", map("rework_hint", map("suggested_focus", "tests")))));

            assertThat(context.value("summary.STAGE_1.verdict")).contains("GO");
            assertThat(context.value("summary.STAGE_1.readiness_score")).contains(8);
            assertThat(context.value("summary.STAGE_1.metadata.rework_hint.suggested_focus")).contains("tests");
            assertThat(context.isPresent("summary.STAGE_1.schema_version")).isFalse();
        }

        @Test
        void readASummaryWithoutEnvelopeAsItIs() {
            GuardContext context = at(RunHistory.story("US001").to("STAGE_1")
                    .rawSummary("STAGE_1", map("verdict", "GO")));

            assertThat(context.value("summary.STAGE_1.verdict")).contains("GO");
        }

        @Test
        void ignoreASummaryFromAnEarlierVisit() {
            // Given a NO-GO, then a retry of STAGE_1 (a new visit)
            GuardContext context = at(RunHistory.story("US001").to("STAGE_1")
                    .summary("STAGE_1", map("verdict", "NO-GO")).to("STAGE_1", "validation_retries"));

            assertThat(context.isPresent("summary.STAGE_1")).isFalse();
        }
    }

    @Nested
    class Outcomes {

        private final StageOutcome gate = StageOutcome.completed().verdict("PASS").score("quality_score", 91)
                .metric("coverage.line", 83.5).metric("coverage.branch", 71).metric("coverage", 1)
                .attribute("git_stats", map("files_changed", 4)).attribute("tasks", List.of("T-1", "T-2"))
                .warning("slow").notes("fine").build();

        @Test
        void exposeStatusVerdictScoresMetricsAttributesAndWarnings() {
            GuardContext context = at(RunHistory.story("US001").to("STAGE_3").outcome(gate));

            assertThat(context.value("outcome.STAGE_3.status")).contains("completed");
            assertThat(context.value("outcome.STAGE_3.verdict")).contains("PASS");
            assertThat(context.value("outcome.STAGE_3.failure_class")).contains("none");
            assertThat(context.value("outcome.STAGE_3.notes")).contains("fine");
            assertThat(context.value("outcome.STAGE_3.scores.quality_score")).contains(91.0);
            assertThat(context.value("outcome.STAGE_3.attributes.git_stats.files_changed")).contains(4);
            assertThat(context.value("outcome.STAGE_3.attributes.tasks.1")).contains("T-2");
            assertThat(context.value("outcome.STAGE_3.attributes.tasks.2")).isEmpty();
            assertThat(context.value("outcome.STAGE_3.attributes.tasks.x")).isEmpty();
            assertThat(context.value("outcome.STAGE_3.warnings.0")).contains("slow");
        }

        @Test
        void readDottedMetricNamesWithTheLongestMatchingKey() {
            GuardContext context = at(RunHistory.story("US001").to("STAGE_3").outcome(gate));

            assertThat(context.value("outcome.STAGE_3.metrics.coverage.line")).contains(83.5);
            assertThat(context.value("outcome.STAGE_3.metrics.coverage.branch")).contains(71.0);
            assertThat(context.value("outcome.STAGE_3.metrics.coverage")).contains(1.0);
            assertThat(context.isPresent("outcome.STAGE_3.metrics.coverage.function")).isFalse();
        }

        @Test
        void fallBackToShorterKeysWhenALongerOneLeadsNowhere() {
            // Given both a flat key "a.b" and a nested a -> b -> c
            GuardContext context = at(RunHistory.story("US001").to("STAGE_3").outcome(StageOutcome.completed()
                    .attribute("a.b", 1).attribute("a", map("b", map("c", 2))).build()));

            assertThat(context.value("outcome.STAGE_3.attributes.a.b")).contains(1);
            assertThat(context.value("outcome.STAGE_3.attributes.a.b.c")).contains(2);
        }

        @Test
        void exposeTheFailureClassOfAFailedAttempt() {
            GuardContext context = at(RunHistory.story("US001").to("STAGE_2")
                    .outcome(StageOutcome.failed(FailureClass.TOOL_MISSING, "git: command not found").build()));

            assertThat(context.value("outcome.STAGE_2.status")).contains("error");
            assertThat(context.value("outcome.STAGE_2.failure_class")).contains("tool_missing");
            assertThat(context.isPresent("outcome.STAGE_2.verdict")).isTrue();
            assertThat(context.value("outcome.STAGE_2.verdict")).isEmpty();
        }

        @Test
        void ignoreAnOutcomeFromAnEarlierVisit() {
            GuardContext context = at(RunHistory.story("US001").to("STAGE_3").outcome(gate).to("STAGE_2", "quality_cycles")
                    .to("STAGE_3"));

            assertThat(context.isPresent("outcome.STAGE_3")).isFalse();
        }

        @Test
        void ignoreAnAttemptThatIsStillRunning() {
            GuardContext context = at(RunHistory.story("US001").to("STAGE_3").startAttempt("acme-gate"));

            assertThat(context.isPresent("outcome.STAGE_3")).isFalse();
        }
    }

    @Nested
    class CountersAndRun {

        @Test
        void readCountersByName() {
            GuardContext context = at(RunHistory.story("US001").to("STAGE_1").to("STAGE_1", "validation_retries"));

            assertThat(context.value("counter.validation_retries")).contains(1);
            assertThat(context.value("counter.quality_cycles")).contains(0);
            assertThat(context.isPresent("counter.unknown")).isFalse();
        }

        @Test
        void readThePhaseSubjectTitleAndAttributes() {
            GuardContext context = at(RunHistory.story("US001").to("STAGE_2")
                    .attributes(map("git_stats", map("files_changed", 3), "gone", null)));

            assertThat(context.value("run.phase")).contains("STAGE_2");
            assertThat(context.value("run.subject")).contains("US001");
            assertThat(context.value("run.title")).contains("Title of US001");
            assertThat(context.value("run.git_stats.files_changed")).contains(3);
            assertThat(context.isPresent("run.gone")).isFalse();
        }

        @Test
        void unknownRootsAndPathsWithoutADotLeadNowhere() {
            GuardContext context = at(RunHistory.story("US001"));

            assertThat(context.isPresent("verdict")).isFalse();
            assertThat(context.isPresent("anything.else")).isFalse();
            assertThat(context.isPresent("checkpoint.STAGE_9")).isFalse();
        }

        @Test
        void aNullValueIsPresentButHasNoValue() {
            GuardContext context = GuardContext.of(RunHistory.of("demo", "A", Map.of(), map("nothing", null)).state(),
                    "A", "B");

            assertThat(context.isPresent("run.nothing")).isTrue();
            assertThat(context.value("run.nothing")).isEmpty();
            assertThat(context.from()).isEqualTo("A");
            assertThat(context.to()).isEqualTo("B");
        }
    }
}
