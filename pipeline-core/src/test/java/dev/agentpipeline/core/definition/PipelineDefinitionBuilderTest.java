package dev.agentpipeline.core.definition;

import dev.agentpipeline.core.guard.Condition;
import dev.agentpipeline.core.guard.Guards;
import dev.agentpipeline.core.guard.Operator;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** The Java builder validates like the YAML loader, with problems located at {@code <builder>}. */
class PipelineDefinitionBuilderTest {

    private static PipelineDefinition.Builder release() {
        return PipelineDefinition.builder("release")
                .initial("QUEUED")
                .counter(CounterDefinition.of("retries", 2))
                .state("QUEUED", "Waiting")
                .stage("BUILD", "acme-build", "Compile and test")
                .terminal("DONE", "Released")
                .transition("QUEUED", "BUILD")
                .transition(TransitionDefinition.builder("BUILD", "DONE")
                        .guard(Guards.require(Condition.of("outcome.BUILD.verdict", Operator.EQ, "PASS"))
                                .orReject("build_failed", "Build verdict is ${outcome.BUILD.verdict}", "Fix the build"))
                        .build())
                .transition(TransitionDefinition.builder("BUILD", "BUILD").increments("retries").build());
    }

    private static DefinitionException rejected(PipelineDefinition.Builder builder) {
        return catchThrowableOfType(DefinitionException.class, builder::build);
    }

    @Test
    void buildsTheExampleOfItsJavadoc() {
        PipelineDefinition definition = release().build();

        assertThat(definition.states().keySet()).containsExactly("QUEUED", "BUILD", "DONE");
        assertThat(definition.transitionsFrom("BUILD")).hasSize(2);
        assertThat(definition.transitionsFrom("DONE")).isEmpty();
        assertThat(definition.transition("DONE", "BUILD")).isEmpty();
        assertThat(definition.counter("retries").orElseThrow().code()).isEqualTo("retries_limit");
        assertThat(definition.counter("retries").orElseThrow().error().text())
                .isEqualTo("Counter retries reached its limit (${limit})");
        assertThat(definition).hasToString("PipelineDefinition[release, 3 states, 3 transitions]");
    }

    @Test
    void problemsOfBuiltDefinitionsArePlacedAtTheBuilder() {
        DefinitionException e = rejected(release().transition("BUILD", "SHIP"));

        assertThat(e.problems()).singleElement().satisfies(problem -> {
            assertThat(problem.location()).isEqualTo(SourceLocation.BUILDER);
            assertThat(problem.message()).isEqualTo("transition BUILD -> SHIP: unknown state 'SHIP'; states are"
                    + " QUEUED, BUILD, DONE");
        });
        assertThat(e).hasMessage("Invalid pipeline definition: <builder>: transition BUILD -> SHIP: unknown state"
                + " 'SHIP'; states are QUEUED, BUILD, DONE");
    }

    @Test
    void rejectsAMissingInitialState() {
        DefinitionException e = rejected(PipelineDefinition.builder("x").terminal("DONE", ""));

        assertThat(e.problems()).extracting(DefinitionProblem::message).containsExactly("pipeline x has no initial state");
    }

    @Test
    void rejectsStatesAndCountersDefinedTwice() {
        DefinitionException e = rejected(release().state("BUILD").counter(CounterDefinition.of("retries", 1)));

        assertThat(e.problems()).extracting(DefinitionProblem::message)
                .containsExactly("state BUILD is defined twice", "counter retries is defined twice");
    }

    @Test
    void reportsAStateDefinedTwiceTogetherWithAnUnknownCounter() {
        DefinitionException e = rejected(release().state("BUILD")
                .transition(TransitionDefinition.builder("DONE", "QUEUED").increments("loops").build()));

        assertThat(e.problems()).extracting(DefinitionProblem::message).containsExactly(
                "state BUILD is defined twice",
                "transition DONE -> QUEUED: DONE is terminal; a run that reached it has ended and cannot move on",
                "transition DONE -> QUEUED: increments unknown counter 'loops'; counters are retries");
    }

    @Test
    void rejectsATransitionDefinedTwice() {
        DefinitionException e = rejected(release().transition("QUEUED", "BUILD"));

        assertThat(e.problems()).extracting(DefinitionProblem::message)
                .containsExactly("transition QUEUED -> BUILD is defined twice; merge their guards");
    }

    @Test
    void rejectsMalformedIds() {
        DefinitionException e = rejected(PipelineDefinition.builder("Release!")
                .initial("QUEUED")
                .counter(CounterDefinition.of("Retries", 1))
                .state("QUEUED")
                .stage("build-step", "Acme_Build", "")
                .terminal("DONE", "")
                .transition("QUEUED", "build-step")
                .transition("build-step", "DONE"));

        assertThat(e.problems()).extracting(DefinitionProblem::message).containsExactlyInAnyOrder(
                "pipeline id 'Release!' must be 1 to 64 characters of a-z, 0-9, '_' or '-', starting with a letter",
                "state id 'build-step' must be 1 to 64 characters of letters, digits and '_', starting with a letter",
                "state build-step: stage plugin id 'Acme_Build' must be 1 to 64 characters of a-z, 0-9 and '-',"
                        + " starting with a letter",
                "counter id 'Retries' must be 1 to 64 characters of a-z, 0-9 and '_', starting with a letter");
    }

    @Test
    void rejectsACounterNamedLikeAFieldOfTheRunState() {
        DefinitionException e = rejected(release().counter(CounterDefinition.of("phase", 1)));

        assertThat(e.problems()).extracting(DefinitionProblem::message)
                .containsExactly("counter id 'phase' is reserved for a field of the run state; choose another name");
    }

    @Test
    void rejectsAPipelineWithoutTerminalState() {
        DefinitionException e = rejected(PipelineDefinition.builder("loop")
                .initial("A")
                .counter(CounterDefinition.of("turns", 3))
                .state("A")
                .transition(TransitionDefinition.builder("A", "A").increments("turns").build()));

        assertThat(e.problems()).extracting(DefinitionProblem::message).containsExactly(
                "pipeline loop has no terminal state; mark the state runs end in with terminal: true");
    }

    @Test
    void aBoundedCounterAnywhereOnACycleIsEnough() {
        // Given BUILD -> TEST -> BUILD where only the way back counts
        PipelineDefinition definition = PipelineDefinition.builder("ci")
                .initial("BUILD")
                .counter(CounterDefinition.of("rounds", 3))
                .stage("BUILD", "acme-build", "")
                .stage("TEST", "acme-test", "")
                .terminal("DONE", "")
                .transition("BUILD", "TEST")
                .transition("TEST", "DONE")
                .transition(TransitionDefinition.builder("TEST", "BUILD").increments("rounds").build())
                .build();

        assertThat(definition.transitionsFrom("TEST")).hasSize(2);
    }

    @Test
    void rejectsAnEvidencePathWithAnUnknownRoot() {
        assertThatThrownBy(() -> Condition.of("outcomes.BUILD.verdict", Operator.EQ, "PASS"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must start with checkpoint.STATE, summary.STATE, outcome.STATE,"
                        + " evidence.STATE, signal.STATE, decision.STATE, children.STATE, counter.NAME or run.");
    }

    @Test
    void withCounterLimitValidatesTheNewDefinition() {
        PipelineDefinition definition = release().build();

        PipelineDefinition none = definition.withCounterLimit("retries", 0);

        assertThat(none.counter("retries").orElseThrow().limit()).isZero();
        assertThat(none.counter("retries").orElseThrow().code()).isEqualTo("retries_limit");
        assertThat(definition.counter("retries").orElseThrow().limit()).isEqualTo(2);
    }

    @Test
    void counterAndSourceLocationRecordsCheckTheirArguments() {
        assertThatThrownBy(() -> CounterDefinition.of("x", -1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("counter x: limit must be 0 or more, got -1");
        assertThat(new SourceLocation("a.yaml", 3, 7)).hasToString("a.yaml:3:7");
        assertThat(new SourceLocation("a.yaml", 0, 0)).hasToString("a.yaml");
        assertThat(SourceLocation.BUILDER).hasToString("<builder>");
    }
}
