package dev.agentpipeline.stages;

import dev.agentpipeline.spi.FailureClass;
import dev.agentpipeline.spi.OutcomeStatus;
import dev.agentpipeline.spi.StageOutcome;
import dev.agentpipeline.spi.StageRegistry;
import dev.agentpipeline.testkit.TestStageContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ScriptedStageTest {

    private static final String SCENARIO = """
            schema_version: 1
            states:
              STAGE_1:
                - verdict: NO-GO
                  scores: {readiness: 4}
                  attributes: {reason: "Acceptance criterion 2 is not testable"}
                - verdict: GO
                  scores: {readiness: 8}
              STAGE_2:
                - attempts:
                    - {status: failed, failure_class: rate_limited, message: "HTTP 429 from the model API"}
                    - {attributes: {story_status: To Review}, progress: [files_changed_delta]}
            """;

    @Test
    void repliesWithTheEntryOfEachVisit() throws Exception {
        // Given
        ScriptedStage stage = new ScriptedStage(Scenario.parse("scenario.yaml", SCENARIO));

        // When
        StageOutcome first = stage.run(TestStageContext.builder().state("STAGE_1").visit(1).build());
        StageOutcome second = stage.run(TestStageContext.builder().state("STAGE_1").visit(2).build());
        StageOutcome third = stage.run(TestStageContext.builder().state("STAGE_1").visit(3).build());

        // Then
        assertThat(first.verdict()).contains("NO-GO");
        assertThat(first.score("readiness")).contains(4.0);
        assertThat(first.attribute("reason")).contains("Acceptance criterion 2 is not testable");
        assertThat(second.verdict()).contains("GO");
        assertThat(third).as("the last entry repeats").isEqualTo(second);
    }

    @Test
    void repliesPerAttemptWithinAVisit() throws Exception {
        ScriptedStage stage = new ScriptedStage(Scenario.parse("scenario.yaml", SCENARIO));

        StageOutcome limited = stage.run(TestStageContext.builder().state("STAGE_2").attempt(1).build());
        StageOutcome done = stage.run(TestStageContext.builder().state("STAGE_2").attempt(2).build());

        assertThat(limited.status()).isEqualTo(OutcomeStatus.FAILED);
        assertThat(limited.failureClass()).isEqualTo(FailureClass.RATE_LIMITED);
        assertThat(limited.failure().orElseThrow().message()).isEqualTo("HTTP 429 from the model API");
        assertThat(done.status()).isEqualTo(OutcomeStatus.COMPLETED);
        assertThat(done.attribute("story_status")).contains("To Review");
    }

    @Test
    void readsTheScenarioNamedByTheRunsInput(@TempDir Path workspace) throws Exception {
        Files.writeString(workspace.resolve("dry-run.yaml"), SCENARIO);
        ScriptedStage discovered = (ScriptedStage) StageRegistry.load().require(ScriptedStage.ID);

        StageOutcome outcome = discovered.run(TestStageContext.builder().state("STAGE_1").workspace(workspace)
                .input(ScriptedStage.INPUT, "dry-run.yaml").build());

        assertThat(outcome.verdict()).contains("NO-GO");
    }

    @Test
    void namesTheScriptedStatesWhenAStateIsMissing() {
        ScriptedStage stage = new ScriptedStage(Scenario.parse("scenario.yaml", SCENARIO));

        assertThatThrownBy(() -> stage.run(TestStageContext.builder().state("STAGE_3").build()))
                .hasMessageContaining("no outcome for state STAGE_3")
                .hasMessageContaining("STAGE_1, STAGE_2");
    }

    @Test
    void needsTheScenarioInputWhenDiscovered() {
        ScriptedStage stage = new ScriptedStage();

        assertThatThrownBy(() -> stage.run(TestStageContext.builder().input("other", 1).build()))
                .hasMessageContaining("needs the input 'scenario_file'");
    }

    @Test
    void reportsTheLineOfAnUnknownField() {
        String text = "schema_version: 1\nstates:\n  STAGE_0:\n    - verdikt: GO\n";

        assertThatThrownBy(() -> Scenario.parse("bad.yaml", text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("bad.yaml:4:")
                .hasMessageContaining("unknown field 'verdikt'");
    }

    @Test
    void rejectsAnUnknownFailureClassAndAMissingVersion() {
        assertThatThrownBy(() -> Scenario.parse("bad.yaml",
                "schema_version: 1\nstates:\n  S:\n    - {status: failed, failure_class: exploded}\n"))
                .hasMessageContaining("Unknown failure class 'exploded'");
        assertThatThrownBy(() -> Scenario.parse("bad.yaml", "states: {S: [{verdict: GO}]}\n"))
                .hasMessageContaining("needs 'schema_version: 1'");
    }

    @Test
    void readsScoresMetricsWarningsAndProgress() {
        Scenario scenario = Scenario.parse("s.json", "{\"schema_version\":1,\"states\":{\"QA\":[{\"verdict\":\"PASS\","
                + "\"scores\":{\"quality_score\":91},\"metrics\":{\"coverage.line\":83.5},\"warnings\":[\"slow test\"],"
                + "\"notes\":\"ok\"}]}}");

        StageOutcome outcome = scenario.outcome("QA", 1, 1).orElseThrow();

        assertThat(outcome.metrics()).isEqualTo(Map.of("coverage.line", 83.5));
        assertThat(outcome.warnings()).isEqualTo(List.of("slow test"));
        assertThat(outcome.notes()).isEqualTo("ok");
        assertThat(scenario.outcome("OTHER", 1, 1)).isEmpty();
    }
}
