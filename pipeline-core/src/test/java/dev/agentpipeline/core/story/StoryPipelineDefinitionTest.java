package dev.agentpipeline.core.story;

import dev.agentpipeline.core.definition.CounterDefinition;
import dev.agentpipeline.core.definition.DefinitionException;
import dev.agentpipeline.core.definition.GuardDefinition;
import dev.agentpipeline.core.definition.PipelineDefinition;
import dev.agentpipeline.core.definition.SourceLocation;
import dev.agentpipeline.core.definition.StateDefinition;
import dev.agentpipeline.core.definition.TransitionDefinition;
import dev.agentpipeline.core.guard.Condition;
import dev.agentpipeline.core.guard.ConditionGuard;
import dev.agentpipeline.core.guard.Guards;
import dev.agentpipeline.core.guard.MessageTemplate;
import dev.agentpipeline.core.guard.Operator;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The shipped {@code story-pipeline.yaml}, and the same pipeline written with the Java builder. */
class StoryPipelineDefinitionTest {

    private final PipelineDefinition story = StoryPipeline.definition();

    @Test
    void hasTheStoryStatesWithTheirPluginsAndSkills() {
        assertThat(story.id()).isEqualTo("story");
        assertThat(story.initialState()).isEqualTo("QUEUED");
        assertThat(story.states().keySet()).containsExactly("QUEUED", "STAGE_0", "STAGE_1", "STAGE_2", "STAGE_3",
                "DONE");
        assertThat(story.state("STAGE_0").orElseThrow().stagePlugin()).contains("story-decompose");
        assertThat(story.state("STAGE_1").orElseThrow().stagePlugin()).contains("story-validate");
        assertThat(story.state("STAGE_2").orElseThrow().stagePlugin()).contains("story-execute");
        assertThat(story.state("STAGE_3").orElseThrow().stagePlugin()).contains("story-quality-gate");
        assertThat(story.state("QUEUED").orElseThrow().stagePlugin()).isEmpty();
        assertThat(story.isTerminal("DONE")).isTrue();
        assertThat(story.isTerminal("STAGE_3")).isFalse();
        assertThat(StoryPipeline.STAGES).extracting(stage -> StoryPipeline.skill(story, stage))
                .containsExactly("ln-300", "ln-310", "ln-400", "ln-500");
        assertThat(StoryPipeline.STAGES).extracting(stage -> StoryPipeline.describedSkill(story, stage))
                .containsExactly("ln-300 (the task-decomposition skill)", "ln-310 (the story-validation skill)",
                        "ln-400 (the story-execution skill)", "ln-500 (the quality-gate skill)");
        assertThat(story.state("STAGE_2").orElseThrow().properties())
                .containsEntry("name", "Implementation").containsEntry("output_status", "To Review");
    }

    @Test
    void hasTheDefaultCountersAndLimits() {
        assertThat(story.counters().keySet()).containsExactly("validation_retries", "quality_cycles", "crash_count");
        CounterDefinition retries = story.counter("validation_retries").orElseThrow();
        assertThat(retries.limit()).isEqualTo(1);
        assertThat(retries.code()).isEqualTo("validation_retry_exhausted");
        assertThat(retries.error().text()).isEqualTo("Validation retry exhausted");
        assertThat(retries.recovery().text()).isEqualTo("Escalate to user");
        CounterDefinition cycles = story.counter("quality_cycles").orElseThrow();
        assertThat(cycles.limit()).isEqualTo(2);
        assertThat(cycles.error().render(null, Map.of("limit", 2))).isEqualTo("Quality cycle limit reached (2)");
        assertThat(story.counter("crash_count").orElseThrow().limit()).isEqualTo(1);
    }

    @Test
    void hasExactlyTheStoryTransitions() {
        List<String> pairs = new ArrayList<>();
        for (TransitionDefinition t : story.transitions()) {
            pairs.add(t.from() + "->" + t.to() + (t.increments() == null ? "" : " +" + t.increments()));
        }

        assertThat(pairs).containsExactly("QUEUED->STAGE_0", "QUEUED->STAGE_1", "QUEUED->STAGE_2", "QUEUED->STAGE_3",
                "STAGE_0->STAGE_1", "STAGE_1->STAGE_2", "STAGE_1->STAGE_1 +validation_retries", "STAGE_2->STAGE_3",
                "STAGE_3->DONE", "STAGE_3->STAGE_2 +quality_cycles");
    }

    @Test
    void remembersWhereEachPartWasWritten() {
        SourceLocation stage2 = story.state("STAGE_2").orElseThrow().location();
        SourceLocation rework = story.transition("STAGE_3", "STAGE_2").orElseThrow().location();

        assertThat(stage2.source()).isEqualTo("story-pipeline.yaml");
        assertThat(stage2.line()).isPositive();
        assertThat(rework.line()).isGreaterThan(stage2.line());
        assertThat(rework.toString()).matches("story-pipeline\\.yaml:\\d+:\\d+");
    }

    @Test
    void theJavaBuilderProducesTheSameDefinitionAsTheYaml() {
        // When
        PipelineDefinition built = storyInJava();

        // Then
        assertThat(describe(built)).containsExactlyElementsOf(describe(story));
        assertThat(built.location()).isEqualTo(SourceLocation.BUILDER);
    }

    @Test
    void limitsCanBeChangedWithoutTouchingTheShippedDefinition() {
        // When
        PipelineDefinition strict = StoryPipeline.definition(new StoryLimits(0, 1, 3));

        // Then
        assertThat(strict.counter("validation_retries").orElseThrow().limit()).isZero();
        assertThat(strict.counter("quality_cycles").orElseThrow().limit()).isEqualTo(1);
        assertThat(strict.counter("crash_count").orElseThrow().limit()).isEqualTo(3);
        assertThat(strict.counter("quality_cycles").orElseThrow().error().text())
                .isEqualTo("Quality cycle limit reached (${limit})");
        assertThat(story.counter("quality_cycles").orElseThrow().limit()).isEqualTo(2);
        assertThat(StoryPipeline.definition(StoryLimits.DEFAULTS).counters())
                .isEqualTo(story.counters());
        assertThatThrownBy(() -> new StoryLimits(-1, 0, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void withCounterLimitAndWithStagePluginCheckTheirArguments() {
        assertThatThrownBy(() -> story.withCounterLimit("retries", 3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Pipeline story has no counter 'retries'; counters are validation_retries, quality_cycles,"
                        + " crash_count");
        assertThatThrownBy(() -> story.withCounterLimit("quality_cycles", -1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("limit must be 0 or more");
        assertThatThrownBy(() -> story.withStagePlugin("STAGE_9", "acme-x"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("Pipeline story has no state 'STAGE_9'");
        assertThatThrownBy(() -> story.withStagePlugin("STAGE_2", "Not Valid"))
                .isInstanceOf(DefinitionException.class)
                .hasMessageContaining("stage plugin id 'Not Valid' must be 1 to 64 characters");
    }

    @Test
    void withStagePluginBindsAnotherPluginToOneState() {
        PipelineDefinition custom = story.withStagePlugin("STAGE_2", "acme-codex");

        assertThat(custom.state("STAGE_2").orElseThrow().stagePlugin()).contains("acme-codex");
        assertThat(custom.state("STAGE_2").orElseThrow().properties()).containsEntry("skill", "ln-400");
        assertThat(story.state("STAGE_2").orElseThrow().stagePlugin()).contains("story-execute");
        assertThat(describe(custom)).hasSameSizeAs(describe(story));
    }

    // ------------------------------------------------------------------------------------------ the Java version

    private static Guards.Requirement require(String path, Operator operator, Object operand) {
        return Guards.require(Condition.of(path, operator, operand));
    }

    private static StateDefinition stage(String id, String description, String plugin, String skill, String role,
                                         String name, String outputStatus) {
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("skill", skill);
        properties.put("skill_role", role);
        properties.put("name", name);
        properties.put("output_status", outputStatus);
        return new StateDefinition(id, description, plugin, false, properties, SourceLocation.BUILDER);
    }

    private static CounterDefinition counter(String id, int limit, String code, String error, String recovery) {
        return new CounterDefinition(id, limit, code, MessageTemplate.of(error), MessageTemplate.of(recovery),
                SourceLocation.BUILDER);
    }

    static PipelineDefinition storyInJava() {
        String queued = "Start at the stage the story's board status asks for.";
        return PipelineDefinition.builder("story")
                .title("Story pipeline")
                .description(StoryPipeline.definition().description())
                .initial("QUEUED")
                .counter(counter("validation_retries", 1, "validation_retry_exhausted", "Validation retry exhausted",
                        "Escalate to user"))
                .counter(counter("quality_cycles", 2, "quality_cycle_limit", "Quality cycle limit reached (${limit})",
                        "Escalate to user"))
                .counter(counter("crash_count", 1, "crash_limit", "Worker crashed ${value} times (limit ${limit})",
                        "Inspect the stage logs, fix the cause, then resume"))
                .state("QUEUED", "Waiting; the story's board status decides the first stage.")
                .state(stage("STAGE_0", "Task decomposition", "story-decompose", "ln-300", "the task-decomposition skill",
                        "Task Planning", "Backlog"))
                .state(stage("STAGE_1", "Validation", "story-validate", "ln-310", "the story-validation skill", "Validation",
                        "Todo"))
                .state(stage("STAGE_2", "Execution", "story-execute", "ln-400", "the story-execution skill",
                        "Implementation", "To Review"))
                .state(stage("STAGE_3", "Quality gate", "story-quality-gate", "ln-500", "the quality-gate skill",
                        "Quality Gate", "Done"))
                .terminal("DONE", "The story passed its quality gate (or the run was canceled).")
                .transition(TransitionDefinition.builder("QUEUED", "STAGE_0").description(queued).build())
                .transition(TransitionDefinition.builder("QUEUED", "STAGE_1").description(queued).build())
                .transition(TransitionDefinition.builder("QUEUED", "STAGE_2").description(queued).build())
                .transition(TransitionDefinition.builder("QUEUED", "STAGE_3").description(queued).build())
                .transition(TransitionDefinition.builder("STAGE_0", "STAGE_1")
                        .description("Tasks exist; validate the story.")
                        .guard(require("checkpoint.STAGE_0", Operator.EXISTS, true).orReject(
                                "stage_0_checkpoint_missing", "Stage 0 checkpoint missing",
                                "Run ln-300 (the task-decomposition skill) first and record its checkpoint"))
                        .guard(require("summary.STAGE_0.status", Operator.EQ, "completed").orReject(
                                "stage_0_summary_missing", "Stage 0 summary missing or not completed",
                                "Record the stage summary of ln-300 (the task-decomposition skill)"))
                        .build())
                .transition(TransitionDefinition.builder("STAGE_1", "STAGE_2")
                        .description("The story is GO; implement it.")
                        .guard(require("checkpoint.STAGE_1", Operator.EXISTS, true).orReject(
                                "stage_1_checkpoint_missing", "Stage 1 checkpoint missing",
                                "Run ln-310 (the story-validation skill) first and record its checkpoint"))
                        .guard(require("summary.STAGE_1.status", Operator.EQ, "completed").orReject(
                                "stage_1_summary_missing", "Stage 1 summary missing or not completed",
                                "Record the stage summary of ln-310 (the story-validation skill)"))
                        .guard(require("summary.STAGE_1.verdict", Operator.EQ, "GO").orReject("verdict_not_go",
                                "Verdict is ${summary.STAGE_1.verdict}, not GO", "Fix validation issues"))
                        .guard(Guards.require(Condition.of("summary.STAGE_1.readiness_score", Operator.GTE, 5L)
                                .optional()).orReject("readiness_too_low",
                                "Readiness ${summary.STAGE_1.readiness_score} < 5", "Improve story quality"))
                        .guard(Guards.require(Condition.of("checkpoint.STAGE_1.verdict", Operator.EQ, "GO").optional())
                                .orReject("checkpoint_verdict_not_go",
                                        "Checkpoint verdict is ${checkpoint.STAGE_1.verdict}, not GO",
                                        "Checkpoint stage 1 with the verdict of its summary"))
                        .build())
                .transition(TransitionDefinition.builder("STAGE_1", "STAGE_1")
                        .description("Retry validation once after a NO-GO.")
                        .increments("validation_retries")
                        .guard(require("summary.STAGE_1.verdict", Operator.EQ, "NO-GO").orReject(
                                "stage_1_no_go_missing", "Stage 1 NO-GO summary missing",
                                "Record the NO-GO stage summary of ln-310 (the story-validation skill)"
                                + " before retrying validation"))
                        .build())
                .transition(TransitionDefinition.builder("STAGE_2", "STAGE_3")
                        .description("The story is implemented; run the quality gate.")
                        .guard(require("checkpoint.STAGE_2", Operator.EXISTS, true).orReject(
                                "stage_2_checkpoint_missing", "Stage 2 checkpoint missing",
                                "Run ln-400 (the story-execution skill) first and record its checkpoint"))
                        .guard(require("summary.STAGE_2.status", Operator.EQ, "completed").orReject(
                                "stage_2_summary_missing", "Stage 2 summary missing or not completed",
                                "Record the stage summary of ln-400 (the story-execution skill)"))
                        .guard(require("summary.STAGE_2.story_status", Operator.EQ, "To Review").orReject(
                                "story_not_to_review", "Story status ${summary.STAGE_2.story_status} is not To Review",
                                "Finish execution stage"))
                        .build())
                .transition(TransitionDefinition.builder("STAGE_3", "DONE")
                        .description("The quality gate passed.")
                        .guard(require("checkpoint.STAGE_3", Operator.EXISTS, true).orReject(
                                "stage_3_checkpoint_missing", "Stage 3 checkpoint missing",
                                "Run ln-500 (the quality-gate skill) first and record its checkpoint"))
                        .guard(require("summary.STAGE_3.status", Operator.EQ, "completed").orReject(
                                "stage_3_summary_missing", "Stage 3 summary missing or not completed",
                                "Record the stage summary of ln-500 (the quality-gate skill)"))
                        .guard(require("summary.STAGE_3.verdict", Operator.IN, List.of("PASS", "CONCERNS", "WAIVED"))
                                .orReject("quality_gate_not_passed",
                                        "Verdict ${summary.STAGE_3.verdict} not in PASS,CONCERNS,WAIVED",
                                        "Quality gate must pass"))
                        .build())
                .transition(TransitionDefinition.builder("STAGE_3", "STAGE_2")
                        .description("The quality gate failed; rework the story.")
                        .increments("quality_cycles")
                        .guard(require("summary.STAGE_3.verdict", Operator.EQ, "FAIL").orReject(
                                "stage_3_fail_missing", "Stage 3 FAIL summary missing",
                                "Record the FAIL stage summary of ln-500 (the quality-gate skill) before the rework"))
                        .build())
                .build();
    }

    /** Everything a definition means, without where it was written: equal lists mean equivalent definitions. */
    static List<String> describe(PipelineDefinition d) {
        List<String> lines = new ArrayList<>();
        lines.add("pipeline " + d.id() + " '" + d.title() + "' initial=" + d.initialState() + " description="
                + d.description());
        d.counters().values().forEach(c -> lines.add("counter " + c.id() + " limit=" + c.limit() + " code=" + c.code()
                + " error=" + c.error().text() + " recovery=" + c.recovery().text()));
        d.states().values().forEach(s -> lines.add("state " + s.id() + " stage=" + s.stage() + " terminal="
                + s.terminal() + " properties=" + s.properties() + " description=" + s.description()));
        for (TransitionDefinition t : d.transitions()) {
            lines.add("transition " + t.from() + "->" + t.to() + " increments=" + t.increments() + " description="
                    + t.description());
            for (GuardDefinition g : t.guards()) {
                ConditionGuard guard = (ConditionGuard) g.guard();
                lines.add("  guard " + guard.conditions() + " else " + guard.code() + ": " + guard.error().text()
                        + " / " + guard.recovery().text());
            }
        }
        return lines;
    }
}
