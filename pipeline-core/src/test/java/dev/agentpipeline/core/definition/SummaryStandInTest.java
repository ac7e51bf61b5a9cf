package dev.agentpipeline.core.definition;

import dev.agentpipeline.core.engine.PipelineException;
import dev.agentpipeline.core.engine.PipelineRuntime;
import dev.agentpipeline.core.engine.StartRequest;
import dev.agentpipeline.core.engine.StateMachine;
import dev.agentpipeline.core.guard.GuardContext;
import dev.agentpipeline.core.guard.GuardRegistry;
import dev.agentpipeline.core.guard.SummaryStandIn;
import dev.agentpipeline.core.run.RunState;
import dev.agentpipeline.core.run.SummaryPolicy;
import dev.agentpipeline.core.story.StoryPipeline;
import dev.agentpipeline.core.testing.InMemoryRunStore;
import dev.agentpipeline.core.testing.MutableClock;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * A state's {@code summary_stand_in}: how it loads (and what the loader refuses, with its location), and how guards
 * read it - only for runs whose summaries are optional, only without a fresh summary, only with a fresh checkpoint.
 */
class SummaryStandInTest {

    private static final String MINI = String.join("\n",
            "schema_version: 1",
            "id: mini",
            "initial: QUEUED",
            "states:",
            "  QUEUED: {}",
            "  WORK:",
            "    stage: acme-work",
            "    summary_stand_in: {status: completed, verdict: {checkpoint: result.verdict}, score: 7}",
            "  DONE:",
            "    terminal: true",
            "transitions:",
            "  - from: QUEUED",
            "    to: WORK",
            "  - from: WORK",
            "    to: DONE",
            "    guards:",
            "      - require: {summary.WORK.status: {eq: completed}}",
            "        reject: {code: work_summary_missing, error: \"Work summary missing\", recovery: Record it}",
            "      - require: {summary.WORK.verdict: {eq: PASS}}",
            "        reject: {code: not_passed, error: \"Verdict is ${summary.WORK.verdict}\", recovery: Fix it}",
            "");

    private static PipelineDefinition load(String yaml) {
        return PipelineDefinitions.fromYaml("mini.yaml", yaml, GuardRegistry.empty());
    }

    private static DefinitionProblem problem(String yaml) {
        DefinitionException e = catchThrowableOfType(DefinitionException.class, () -> load(yaml));
        assertThat(e).as("a DefinitionException").isNotNull();
        assertThat(e.problems()).hasSize(1);
        return e.problems().get(0);
    }

    @Test
    void loadsConstantsAndCheckpointFields() {
        SummaryStandIn standIn = load(MINI).summaryStandIns().get("WORK");

        assertThat(standIn.constants()).containsExactly(Map.entry("status", "completed"), Map.entry("score", 7L));
        assertThat(standIn.fromCheckpoint()).containsExactly(Map.entry("verdict", "result.verdict"));
        assertThat(load(MINI).state("WORK").orElseThrow().standIn()).contains(standIn);
        assertThat(load(MINI).summaryStandIns()).containsOnlyKeys("WORK");
        assertThat(standIn.apply(Map.of("result", Map.of("verdict", "PASS"))))
                .containsExactly(Map.entry("status", "completed"), Map.entry("verdict", "PASS"),
                        Map.entry("score", 7L));
        assertThat(standIn.apply(Map.of())).as("a field the checkpoint lacks is absent")
                .containsOnlyKeys("status", "score");
    }

    @Test
    void theShippedStoryPipelineDeclaresAStandInForEveryStage() {
        Map<String, SummaryStandIn> standIns = StoryPipeline.definition().summaryStandIns();

        assertThat(standIns).containsOnlyKeys(StoryPipeline.STAGES);
        assertThat(standIns.get("STAGE_1").fromCheckpoint()).containsEntry("verdict", "verdict")
                .containsEntry("readiness_score", "readiness");
        assertThat(standIns.get("STAGE_2").constants()).containsEntry("story_status", "To Review");
        assertThat(StoryPipeline.definition().withStagePlugin("STAGE_1", "other").summaryStandIns())
                .as("rebinding a stage keeps its stand-in").isEqualTo(standIns);
    }

    @Test
    void refusesWhatItCannotRead() {
        Map<String, String> broken = Map.of(
                "{checkpoint: ''}", "must be a constant or {checkpoint: FIELD}",
                "{checkpoint: verdict, also: x}", "must be a constant or {checkpoint: FIELD}",
                "{from: verdict}", "must be a constant or {checkpoint: FIELD}",
                "[PASS]", "must be a string, number or boolean, or {checkpoint: FIELD}",
                "~", "must be a string, number or boolean, or {checkpoint: FIELD}");
        broken.forEach((value, message) -> {
            DefinitionProblem problem = problem(MINI.replace("verdict: {checkpoint: result.verdict}",
                    "verdict: " + value));
            assertThat(problem.message()).as(value).contains("state WORK: summary_stand_in.verdict " + message);
            assertThat(problem.location().line()).as(value).isEqualTo(8);
        });
        assertThat(problem(MINI.replace("{status: completed, verdict: {checkpoint: result.verdict}, score: 7}", "{}"))
                .message()).contains("needs at least one field");
        assertThat(problem(MINI.replace("{status: completed, verdict: {checkpoint: result.verdict}, score: 7}",
                "completed")).message()).contains("summary_stand_in must be a mapping");
        assertThat(problem(MINI.replace("    terminal: true", "    terminal: true\n    summary_stand_in: {a: b}"))
                .message()).contains("state DONE: summary_stand_in is for states whose stage records a summary");
    }

    @Test
    void theBuilderRefusesBlankNamesTwiceDeclaredFieldsAndNonScalars() {
        assertThatThrownBy(() -> SummaryStandIn.builder().constant(" ", "x")).hasMessageContaining("needs a name");
        assertThatThrownBy(() -> SummaryStandIn.builder().constant("a", "x").fromCheckpoint("a", "b"))
                .hasMessageContaining("declared twice");
        assertThatThrownBy(() -> SummaryStandIn.builder().constant("a", List.of())).hasMessageContaining("string");
        assertThatThrownBy(() -> SummaryStandIn.builder().fromCheckpoint("a", "")).hasMessageContaining("checkpoint");
        assertThatThrownBy(() -> SummaryStandIn.builder().build()).hasMessageContaining("at least one field");
    }

    @Test
    void aDefinitionBuiltInJavaDeclaresItWithTheBuilder() {
        PipelineDefinition definition = PipelineDefinition.builder("mini").initial("QUEUED").state("QUEUED", "")
                .stage("WORK", "acme-work", "").terminal("DONE", "")
                .summaryStandIn("WORK", SummaryStandIn.builder().constant("status", "completed").build())
                .transition("QUEUED", "WORK").transition("WORK", "DONE").build();

        assertThat(definition.summaryStandIns()).containsOnlyKeys("WORK");
        assertThatThrownBy(() -> PipelineDefinition.builder("mini").initial("QUEUED").state("QUEUED", "")
                .summaryStandIn("WORK", SummaryStandIn.builder().constant("status", "completed").build()).build())
                .hasMessageContaining("summaryStandIn: state WORK is not defined");
    }

    // ------------------------------------------------------------------------------------------ reading

    private static PipelineRuntime runtime() {
        return PipelineRuntime.builder().store(new InMemoryRunStore()).definition(load(MINI))
                .clock(new MutableClock()).build();
    }

    private static String started(PipelineRuntime runtime, SummaryPolicy policy) {
        StartRequest.Builder request = StartRequest.builder("mini", "S-1");
        if (policy != null) {
            request.summaries(policy);
        }
        String runId = runtime.start(request.build()).run().state().runId();
        runtime.advance(runId, "WORK");
        return runId;
    }

    @Test
    void underRequiredSummariesTheStandInIsNeverRead() {
        PipelineRuntime runtime = runtime();
        for (SummaryPolicy policy : new SummaryPolicy[] {null, SummaryPolicy.REQUIRED}) {
            String runId = started(runtime, policy);
            runtime.checkpoint(runId, "WORK", Map.of("result", Map.of("verdict", "PASS")));
            RunState run = runtime.load(runId).state();

            assertThat(SummaryPolicy.of(run)).isEqualTo(SummaryPolicy.REQUIRED);
            assertThat(GuardContext.of(run, "WORK", "DONE", load(MINI).summaryStandIns()).summary("WORK")).isEmpty();
            assertThat(runtime.evaluate(runId, "DONE").guardResult().code()).isEqualTo("work_summary_missing");
            runtime.cancel(runId, null);
        }
    }

    @Test
    void underOptionalSummariesTheFreshCheckpointStandsInAndARecordedSummaryWins() {
        PipelineRuntime runtime = runtime();
        String runId = started(runtime, SummaryPolicy.OPTIONAL);
        assertThat(runtime.evaluate(runId, "DONE").guardResult().code()).as("no checkpoint, no stand-in")
                .isEqualTo("work_summary_missing");

        runtime.checkpoint(runId, "WORK", Map.of("result", Map.of("verdict", "FAIL")));
        assertThat(runtime.evaluate(runId, "DONE").guardResult().error()).isEqualTo("Verdict is FAIL");
        RunState run = runtime.load(runId).state();
        assertThat(GuardContext.of(run, "WORK", "DONE").summary("WORK")).as("a context without stand-ins").isEmpty();
        assertThat(StateMachine.decide(load(MINI), run, "DONE", null).allowed()).isFalse();

        runtime.checkpoint(runId, "WORK", Map.of("result", Map.of("verdict", "PASS")));
        assertThat(runtime.evaluate(runId, "DONE").allowed()).isTrue();

        runtime.recordSummary(runId, "WORK", Map.of("payload", Map.of("status", "completed", "verdict", "NO")));
        assertThat(runtime.evaluate(runId, "DONE").guardResult().error()).isEqualTo("Verdict is NO");
    }

    @Test
    void theRuntimeRefusesAPolicyItDoesNotKnow() {
        PipelineRuntime runtime = runtime();

        assertThatThrownBy(() -> runtime.start(StartRequest.builder("mini", "S-1")
                .manifest(SummaryPolicy.MANIFEST_KEY, "sometimes").build()))
                .isInstanceOf(PipelineException.class).hasMessageContaining("must be required or optional");
        assertThat(SummaryPolicy.parse(" OPTIONAL ")).contains(SummaryPolicy.OPTIONAL);
        assertThat(SummaryPolicy.parse("yes")).isEmpty();
        assertThat(SummaryPolicy.of(Map.of(SummaryPolicy.MANIFEST_KEY, 1))).isEqualTo(SummaryPolicy.REQUIRED);
    }
}
