package dev.agentpipeline.spi;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

class StageOutcomeTest {

    @Test
    void completedOutcomeCarriesEverythingTheStageReported() {
        // When
        StageOutcome outcome = StageOutcome.completed()
                .verdict("GO")
                .score("readiness", 8)
                .metric("coverage.line", 83.5)
                .progress(ProgressSignal.NEW_EVIDENCE, ProgressSignal.FILES_CHANGED_DELTA)
                .notes("All criteria testable")
                .warning("slow tests")
                .attribute("story_status", "Todo")
                .build();

        // Then
        assertThat(outcome.status()).isEqualTo(OutcomeStatus.COMPLETED);
        assertThat(outcome.verdict()).contains("GO");
        assertThat(outcome.score("readiness")).contains(8.0);
        assertThat(outcome.score("quality_score")).isEmpty();
        assertThat(outcome.metrics()).containsExactly(entry("coverage.line", 83.5));
        assertThat(outcome.progress()).containsExactlyInAnyOrder(ProgressSignal.NEW_EVIDENCE,
                ProgressSignal.FILES_CHANGED_DELTA);
        assertThat(outcome.failure()).isEmpty();
        assertThat(outcome.failureClass()).isEqualTo(FailureClass.NONE);
        assertThat(outcome.notes()).isEqualTo("All criteria testable");
        assertThat(outcome.warnings()).containsExactly("slow tests");
        assertThat(outcome.attribute("story_status")).contains("Todo");
        assertThat(outcome).hasToString("StageOutcome[completed, verdict=GO, scores={readiness=8.0}]");
    }

    @Test
    void skippedOutcomeKeepsItsReasonAsNotes() {
        StageOutcome outcome = StageOutcome.skipped("Story already has tasks").build();

        assertThat(outcome.status()).isEqualTo(OutcomeStatus.SKIPPED);
        assertThat(outcome.notes()).isEqualTo("Story already has tasks");
        assertThat(outcome.failureClass()).isEqualTo(FailureClass.NONE);
    }

    @Test
    void failedOutcomeHasItsFailureClassAndMessage() {
        StageOutcome outcome = StageOutcome.failed(FailureClass.RATE_LIMITED, "HTTP 429 from the model API").build();

        assertThat(outcome.status()).isEqualTo(OutcomeStatus.FAILED);
        assertThat(outcome.failure()).contains(Failure.of(FailureClass.RATE_LIMITED, "HTTP 429 from the model API"));
        assertThat(outcome.failureClass()).isEqualTo(FailureClass.RATE_LIMITED);
        assertThat(outcome).hasToString("StageOutcome[error, failure=rate_limited: HTTP 429 from the model API]");
    }

    @Test
    void aFailureNeedsAClassOtherThanNone() {
        assertThatThrownBy(() -> StageOutcome.failed(FailureClass.NONE, "nothing"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("other than NONE");
        assertThatThrownBy(() -> StageOutcome.failed(null, "x")).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> StageOutcome.failed(FailureClass.AGENT_ERROR, null))
                .isInstanceOf(NullPointerException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "\t"})
    void rejectsABlankVerdict(String verdict) {
        assertThatThrownBy(() -> StageOutcome.completed().verdict(verdict))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("verdict must not be blank");
    }

    @Test
    void aNullVerdictClearsIt() {
        StageOutcome outcome = StageOutcome.completed().verdict("GO").verdict(null).build();

        assertThat(outcome.verdict()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(doubles = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY})
    void rejectsScoresAndMetricsThatAreNotFinite(double value) {
        assertThatThrownBy(() -> StageOutcome.completed().score("readiness", value))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("readiness must be a finite number");
        assertThatThrownBy(() -> StageOutcome.completed().metric("coverage.line", value))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("coverage.line must be a finite number");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "  "})
    void rejectsBlankNames(String name) {
        assertThatThrownBy(() -> StageOutcome.completed().score(name, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("score name must not be blank");
        assertThatThrownBy(() -> StageOutcome.completed().metric(name, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("metric name must not be blank");
        assertThatThrownBy(() -> StageOutcome.completed().attribute(name, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("attribute name must not be blank");
    }

    @Test
    void rejectsAttributesThatAreNotJsonCompatibleNamingThePath() {
        assertThatThrownBy(() -> StageOutcome.completed().attribute("git_stats", Map.of("when", new Object())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("$.when is a java.lang.Object");
    }

    @Test
    void rejectsNullWarningsAndProgressSignals() {
        assertThatThrownBy(() -> StageOutcome.completed().warning(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> StageOutcome.completed().progress((ProgressSignal) null))
                .isInstanceOf(NullPointerException.class);
    }

    @Test
    void nullNotesMeanNone() {
        assertThat(StageOutcome.completed().notes(null).build().notes()).isEmpty();
        assertThat(StageOutcome.completed().build().notes()).isEmpty();
    }

    @Test
    void anOutcomeCannotChangeAfterItWasBuilt() {
        // Given
        List<Object> tasks = new ArrayList<>(List.of("T-001"));
        Map<String, Object> stats = new LinkedHashMap<>(Map.of("files_changed", 3));
        StageOutcome.Builder builder = StageOutcome.completed().attribute("tasks", tasks).attribute("git_stats", stats)
                .score("readiness", 7).warning("first");
        StageOutcome outcome = builder.build();

        // When the builder and the values handed to it change afterwards
        tasks.add("T-002");
        stats.put("files_changed", 99);
        builder.score("readiness", 1).warning("second").verdict("NO-GO");

        // Then
        assertThat(outcome.attribute("tasks")).contains(List.of("T-001"));
        assertThat(outcome.attribute("git_stats")).contains(Map.of("files_changed", 3));
        assertThat(outcome.scores()).containsExactly(entry("readiness", 7.0));
        assertThat(outcome.warnings()).containsExactly("first");
        assertThat(outcome.verdict()).isEmpty();
    }

    @Test
    void itsCollectionsAreUnmodifiable() {
        StageOutcome outcome = StageOutcome.completed().score("s", 1).metric("m", 1).warning("w")
                .attribute("list", List.of(1)).progress(ProgressSignal.NEW_EVIDENCE).build();

        assertThatThrownBy(() -> outcome.scores().put("x", 1.0)).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> outcome.metrics().clear()).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> outcome.warnings().add("x")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> outcome.attributes().put("x", 1)).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> outcome.progress().clear()).isInstanceOf(UnsupportedOperationException.class);
        @SuppressWarnings("unchecked")
        List<Object> list = (List<Object>) outcome.attributes().get("list");
        assertThatThrownBy(() -> list.add(2)).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void toBuilderDerivesAnEqualOutcomeThatCanBeChanged() {
        // Given
        StageOutcome original = StageOutcome.failed(FailureClass.AGENT_ERROR, "tests failed").verdict("FAIL")
                .score("quality_score", 40).metric("tests.failed", 3).progress(ProgressSignal.CHECKPOINT_DELTA)
                .notes("n").warning("w").attribute("issues", List.of("flaky")).build();

        // When
        StageOutcome copy = original.toBuilder().build();
        StageOutcome changed = original.toBuilder().verdict("CONCERNS").build();

        // Then
        assertThat(copy).isEqualTo(original).hasSameHashCodeAs(original);
        assertThat(changed).isNotEqualTo(original);
        assertThat(changed.verdict()).contains("CONCERNS");
        assertThat(changed.failure()).isEqualTo(original.failure());
        assertThat(original.verdict()).contains("FAIL");
    }

    @Test
    void outcomesWithTheSameContentAreEqual() {
        StageOutcome a = StageOutcome.completed().verdict("PASS").score("quality_score", 90).build();
        StageOutcome b = StageOutcome.completed().verdict("PASS").score("quality_score", 90.0).build();
        StageOutcome c = StageOutcome.completed().verdict("PASS").score("quality_score", 91).build();

        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b).isNotEqualTo(c).isNotEqualTo(null).isNotEqualTo("PASS");
        assertThat(a).isEqualTo(a);
    }
}
