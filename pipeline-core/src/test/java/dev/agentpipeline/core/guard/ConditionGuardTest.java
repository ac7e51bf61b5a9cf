package dev.agentpipeline.core.guard;

import dev.agentpipeline.core.testing.RunHistory;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConditionGuardTest {

    private final GuardContext noGo = GuardContext.of(RunHistory.story("US001").to("STAGE_1")
            .summary("STAGE_1", Map.of("status", "completed", "verdict", "NO-GO", "readiness_score", 3.0)).state(),
            "STAGE_1", "STAGE_2");

    @Test
    void rejectsWithTheRenderedErrorAndRecoveryWhenAConditionFails() {
        // Given
        ConditionGuard guard = Guards.require(Condition.of("summary.STAGE_1.status", Operator.EQ, "completed"),
                        Condition.of("summary.STAGE_1.verdict", Operator.EQ, "GO"))
                .orReject("verdict_not_go", "Verdict is ${summary.STAGE_1.verdict}, not GO", "Fix validation issues");

        // When
        GuardResult result = guard.check(noGo);

        // Then
        assertThat(result.allowed()).isFalse();
        assertThat(result.code()).isEqualTo("verdict_not_go");
        assertThat(result.error()).isEqualTo("Verdict is NO-GO, not GO");
        assertThat(result.recovery()).isEqualTo("Fix validation issues");
        assertThat(result).hasToString("reject[verdict_not_go: Verdict is NO-GO, not GO / Fix validation issues]");
    }

    @Test
    void allowsWhenEveryConditionHolds() {
        ConditionGuard guard = Guards.require(Condition.of("summary.STAGE_1.readiness_score", Operator.LT, 5))
                .orReject("x", "y", "z");

        GuardResult result = guard.check(noGo);

        assertThat(result.allowed()).isTrue();
        assertThat(result).isSameAs(GuardResult.allow()).hasToString("allow");
        assertThat(result.code()).isNull();
        assertThat(result.error()).isNull();
        assertThat(result.recovery()).isNull();
    }

    @Test
    void rendersWholeNumberScoresWithoutFraction() {
        ConditionGuard guard = Guards.require(Condition.of("summary.STAGE_1.readiness_score", Operator.GTE, 5))
                .orReject("readiness_too_low", "Readiness ${summary.STAGE_1.readiness_score} < 5",
                        "Improve story quality");

        assertThat(guard.check(noGo).error()).isEqualTo("Readiness 3 < 5");
    }

    @Test
    void describesItsConditions() {
        ConditionGuard guard = Guards.require(Condition.exists("checkpoint.STAGE_1"),
                Condition.of("summary.STAGE_1.verdict", Operator.IN, java.util.List.of("GO"))).orReject("c", "e", "r");

        assertThat(guard.describe()).isEqualTo("checkpoint.STAGE_1 exists true and summary.STAGE_1.verdict in [GO]");
        assertThat(guard).hasToString("ConditionGuard[checkpoint.STAGE_1 exists true and summary.STAGE_1.verdict"
                + " in [GO] else c]");
    }

    @Test
    void needsAtLeastOneConditionAndAWellFormedRejection() {
        assertThatThrownBy(() -> Guards.require().orReject("c", "e", "r"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("A condition guard needs at least one condition");
        assertThatThrownBy(() -> Guards.require(Condition.exists("run.x")).orReject("c", "Bad ${", "r"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unclosed");
        assertThatThrownBy(() -> GuardResult.reject(" ", "e", "r")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> GuardResult.reject("c", "", "r")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> GuardResult.reject("c", "e", null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void rejectionsWithTheSameContentAreEqual() {
        assertThat(GuardResult.reject("c", "e", "r")).isEqualTo(GuardResult.reject("c", "e", "r"))
                .hasSameHashCodeAs(GuardResult.reject("c", "e", "r"))
                .isNotEqualTo(GuardResult.reject("c", "e", "other"));
    }

    @Test
    void aLambdaGuardDescribesItselfByItsClass() {
        Guard custom = context -> GuardResult.allow();

        assertThat(custom.describe()).isNotBlank();
    }
}
