package dev.agentpipeline.core.engine;

import dev.agentpipeline.core.definition.CollectorDefinition;
import dev.agentpipeline.core.definition.DefinitionException;
import dev.agentpipeline.core.definition.PipelineDefinition;
import dev.agentpipeline.core.definition.PipelineDefinitions;
import dev.agentpipeline.core.guard.Condition;
import dev.agentpipeline.core.guard.GuardRegistry;
import dev.agentpipeline.core.guard.Guards;
import dev.agentpipeline.core.guard.Operator;
import dev.agentpipeline.core.definition.TransitionDefinition;
import dev.agentpipeline.core.run.Pause;
import dev.agentpipeline.core.run.RunState;
import dev.agentpipeline.core.store.FileRunStore;
import dev.agentpipeline.core.testing.FakeSleeper;
import dev.agentpipeline.core.testing.LineCoverageCollector;
import dev.agentpipeline.core.testing.MutableClock;
import dev.agentpipeline.spi.Stage;
import dev.agentpipeline.spi.StageContext;
import dev.agentpipeline.spi.StageOutcome;
import dev.agentpipeline.spi.StageRegistry;
import dev.agentpipeline.spi.evidence.EvidenceCollectorRegistry;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Evidence collectors named by a state's {@code collect:}: how definitions declare and check them, and how the
 * orchestrator records what they find for guards ({@code evidence.GATE.coverage.line}). The collector is core's
 * test collector {@link LineCoverageCollector} (id {@code line-coverage}, key {@code coverage}), found with
 * ServiceLoader.
 */
class EvidenceCollectionTest {

    private static final String GATE_PIPELINE = """
            schema_version: 1
            id: gated
            initial: QUEUED
            states:
              QUEUED:
              TEST:
                stage: acme-tests
                collect: [line-coverage]
              DONE: {terminal: true}
            transitions:
              - {from: QUEUED, to: TEST}
              - from: TEST
                to: DONE
                guards:
                  - require: {evidence.TEST.coverage.line: {gte: 80}}
                    reject: {code: coverage_too_low, error: "Line coverage ${evidence.TEST.coverage.line} < 80", recovery: "Add tests for the uncovered lines"}
            """;

    private static PipelineDefinition load(String yaml) {
        return PipelineDefinitions.fromYaml("t.yaml", yaml, GuardRegistry.empty());
    }

    @Nested
    class Definitions {

        @Test
        void readsCollectFromYamlAsIdsOrIdsWithReports() {
            PipelineDefinition definition = load(GATE_PIPELINE.replace("collect: [line-coverage]",
                    "collect: [{id: line-coverage, reports: [reports/line.txt]}]"));

            CollectorDefinition collector = definition.state("TEST").orElseThrow().collect().get(0);
            assertThat(collector.id()).isEqualTo("line-coverage");
            assertThat(collector.reports()).containsExactly("reports/line.txt");
            assertThat(collector.location().toString()).isEqualTo("t.yaml:8:15");
            assertThat(definition.collectsEvidence()).isTrue();
            assertThat(load(GATE_PIPELINE).state("TEST").orElseThrow().collect())
                    .extracting(CollectorDefinition::id).containsExactly("line-coverage");
        }

        @Test
        void rejectsAnUnknownCollectorWithItsLocationAndWhatIsAvailable() {
            assertThatThrownBy(() -> load(GATE_PIPELINE.replace("collect: [line-coverage]", "collect: [jacocco]")))
                    .isInstanceOf(DefinitionException.class)
                    .hasMessageContaining("t.yaml:8:15: ")
                    .hasMessageContaining("state TEST: no evidence collector with id 'jacocco'; available: line-coverage."
                            + " Add the collector's jar to the class path or change 'collect:'.");
        }

        @Test
        void typeChecksEvidencePathsAgainstTheCollectorsFields() {
            String wrongKey = GATE_PIPELINE.replace("{evidence.TEST.coverage.line: {gte: 80}}",
                    "{evidence.TEST.tests.failed: {eq: 0}}");
            String wrongField = GATE_PIPELINE.replace("{evidence.TEST.coverage.line: {gte: 80}}",
                    "{evidence.TEST.coverage.lines: {gte: 80}}");
            String wrongType = GATE_PIPELINE.replace("{evidence.TEST.coverage.line: {gte: 80}}",
                    "{evidence.TEST.coverage.tool: {gte: 80}, evidence.TEST.coverage.line: {eq: high}}");

            assertThatThrownBy(() -> load(wrongKey)).hasMessageContaining(
                    "evidence path 'evidence.TEST.tests.failed': state TEST records coverage (line-coverage), not 'tests'");
            assertThatThrownBy(() -> load(wrongField)).hasMessageContaining(
                    "collector line-coverage gives no field 'lines'; its fields are ");
            assertThatThrownBy(() -> load(wrongType)).isInstanceOf(DefinitionException.class)
                    .hasMessageContaining("'gte' compares numbers, but tool of line-coverage is text")
                    .hasMessageContaining("line of line-coverage is number and never equals 'high'");
        }

        @Test
        void rejectsMalformedCollectDeclarationsWithEveryProblem() {
            String yaml = GATE_PIPELINE
                    .replace("collect: [line-coverage]",
                            "collect: [line-coverage, {id: Line_Cov, reports: [/etc/passwd, ../up.xml, \"a/{b\"]}, line-coverage]")
                    .replace("  QUEUED:\n", "  QUEUED: {collect: [line-coverage]}\n")
                    .replace("{evidence.TEST.coverage.line: {gte: 80}}", "{evidence.DONE.coverage.line: {gte: 80}}");

            assertThatThrownBy(() -> load(yaml)).isInstanceOf(DefinitionException.class).satisfies(e -> {
                String message = e.getMessage();
                assertThat(message).contains("state QUEUED collects evidence but has no stage plugin")
                        .contains("collector id 'Line_Cov' must be 1 to 64 characters of a-z, 0-9 and '-'")
                        .contains("collector 'line-coverage' is named twice")
                        .contains("report pattern '/etc/passwd' is absolute")
                        .contains("report pattern '../up.xml' climbs out of the workspace")
                        .contains("report pattern 'a/{b' is not a valid glob")
                        .contains("evidence path 'evidence.DONE.coverage.line' reads what the collectors of DONE found,"
                                + " but DONE has none");
            });
        }

        @Test
        void buildsTheSameModelInJava() {
            PipelineDefinition built = PipelineDefinition.builder("gated").initial("QUEUED")
                    .state("QUEUED")
                    .stage("TEST", "acme-tests", "")
                    .collect("TEST", CollectorDefinition.of("line-coverage"))
                    .terminal("DONE", "")
                    .transition("QUEUED", "TEST")
                    .transition(TransitionDefinition.builder("TEST", "DONE")
                            .guard(Guards.require(Condition.of("evidence.TEST.coverage.line", Operator.GTE, 80))
                                    .orReject("coverage_too_low", "Line coverage too low", "Add tests"))
                            .build())
                    .build();

            built.checkCollectors(EvidenceCollectorRegistry.of(new LineCoverageCollector()));
            assertThat(built.state("TEST").orElseThrow().collect()).isEqualTo(load(GATE_PIPELINE).state("TEST")
                    .orElseThrow().collect().stream().map(c -> CollectorDefinition.of(c.id())).toList());
            assertThatThrownBy(() -> built.checkCollectors(EvidenceCollectorRegistry.of()))
                    .hasMessageContaining("no evidence collector with id 'line-coverage'; available: none");
        }
    }

    @Nested
    class Orchestration {

        @TempDir
        Path storeDir;
        @TempDir
        Path workspace;

        private final MutableClock clock = new MutableClock();

        /** Writes the coverage it is given into the workspace, as a build with a coverage agent would. */
        private Stage tests(String coverage) {
            return new Stage() {
                @Override
                public String id() {
                    return "acme-tests";
                }

                @Override
                public StageOutcome run(StageContext context) throws IOException {
                    Files.writeString(context.workspace().resolve("coverage.txt"), coverage);
                    return StageOutcome.completed().build();
                }
            };
        }

        private RunState drive(String coverage) {
            PipelineRuntime runtime = PipelineRuntime.builder()
                    .store(FileRunStore.builder(storeDir).clock(clock).build())
                    .definition(load(GATE_PIPELINE)).clock(clock).build();
            String runId = runtime.start(StartRequest.builder("gated", "S1").build()).run().state().runId();
            Orchestrator orchestrator = Orchestrator.builder(runtime, StageRegistry.of(tests(coverage)))
                    .workspace(run -> workspace)
                    .sleeper(new FakeSleeper(clock))
                    .build();
            orchestrator.drive(runId);
            return runtime.load(runId).state();
        }

        @Test
        void passesTheGateWhenTheCollectedCoverageIsHighEnough() {
            RunState run = drive("85.5");

            assertThat(run.phase()).isEqualTo("DONE");
            Map<String, Object> payload = run.latestCheckpoint("TEST").orElseThrow().payload();
            assertThat(payload.get("evidence")).isEqualTo(Map.of("coverage",
                    Map.of("line", 85.5, "tool", "test", "reports", List.of("coverage.txt"))));
        }

        @Test
        void pausesWithTheGuardsErrorAndRecoveryWhenItIsNot() {
            RunState run = drive("61.25");

            assertThat(run.isPaused()).isTrue();
            Pause pause = run.pause().orElseThrow();
            assertThat(pause.reason()).isEqualTo("Line coverage 61.25 < 80");
            assertThat(pause.nextAction()).isEqualTo("Add tests for the uncovered lines");
        }

        @Test
        void recordsAFailingCollectorAsAWarningAndLetsTheGuardReject() {
            RunState run = drive("throw");

            assertThat(run.isPaused()).isTrue();
            assertThat(run.pause().orElseThrow().reason()).isEqualTo("Line coverage null < 80");
            @SuppressWarnings("unchecked")
            Map<String, Object> coverage = (Map<String, Object>) ((Map<String, Object>) run.latestCheckpoint("TEST")
                    .orElseThrow().payload().get("evidence")).get("coverage");
            assertThat(coverage).containsEntry("reports", List.of());
            assertThat(coverage.get("warnings")).asString()
                    .contains("collector line-coverage failed: java.lang.IllegalStateException: collector broke");
        }
    }
}
