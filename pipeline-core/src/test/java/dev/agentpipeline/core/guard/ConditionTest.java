package dev.agentpipeline.core.guard;

import dev.agentpipeline.core.testing.RunHistory;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Every operator against present, absent and null values. The values live in run attributes so that a path leads
 * to a value ({@code run.five}), to JSON null ({@code run.nothing}) or to nothing at all ({@code run.missing}).
 */
class ConditionTest {

    private static final GuardContext CONTEXT = context();

    private static GuardContext context() {
        Map<String, Object> attributes = new LinkedHashMap<>();
        attributes.put("five", 5L);
        attributes.put("five_double", 5.0);
        attributes.put("five_decimal", new BigDecimal("5.00"));
        attributes.put("seven_and_half", 7.5);
        attributes.put("verdict", "GO");
        attributes.put("number_text", "7");
        attributes.put("flag", true);
        attributes.put("nothing", null);
        attributes.put("tasks", List.of("T-1"));
        return GuardContext.of(RunHistory.of("demo", "A", Map.of(), attributes).state(), "A", "B");
    }

    private static boolean holds(String path, Operator operator, Object operand) {
        return Condition.of(path, operator, operand).test(CONTEXT);
    }

    private static boolean holdsIfPresent(String path, Operator operator, Object operand) {
        return Condition.of(path, operator, operand).optional().test(CONTEXT);
    }

    @Nested
    class Exists {

        @Test
        void trueHoldsForAPresentValueOnly() {
            assertThat(holds("run.verdict", Operator.EXISTS, true)).isTrue();
            assertThat(holds("run.tasks", Operator.EXISTS, true)).isTrue();
            assertThat(holds("run.missing", Operator.EXISTS, true)).isFalse();
            assertThat(holds("run.nothing", Operator.EXISTS, true)).isFalse();
            assertThat(Condition.exists("run.verdict")).isEqualTo(Condition.of("run.verdict", Operator.EXISTS, true));
        }

        @Test
        void falseHoldsForAnAbsentOrNullValueOnly() {
            assertThat(holds("run.missing", Operator.EXISTS, false)).isTrue();
            assertThat(holds("run.nothing", Operator.EXISTS, false)).isTrue();
            assertThat(holds("run.verdict", Operator.EXISTS, false)).isFalse();
        }
    }

    @Nested
    class Equality {

        @Test
        void comparesTextExactly() {
            assertThat(holds("run.verdict", Operator.EQ, "GO")).isTrue();
            assertThat(holds("run.verdict", Operator.EQ, "go")).isFalse();
            assertThat(holds("run.verdict", Operator.NE, "NO-GO")).isTrue();
            assertThat(holds("run.verdict", Operator.NE, "GO")).isFalse();
        }

        @Test
        void comparesNumbersByValueSoFiveEqualsFivePointZero() {
            assertThat(holds("run.five", Operator.EQ, 5.0)).isTrue();
            assertThat(holds("run.five_double", Operator.EQ, 5L)).isTrue();
            assertThat(holds("run.five_double", Operator.EQ, 5)).isTrue();
            assertThat(holds("run.five_decimal", Operator.EQ, 5)).isTrue();
            assertThat(holds("run.five", Operator.NE, 5.0)).isFalse();
            assertThat(holds("run.five", Operator.EQ, 5.000001)).isFalse();
        }

        @Test
        void doesNotConfuseANumberWithItsText() {
            assertThat(holds("run.number_text", Operator.EQ, 7)).isFalse();
            assertThat(holds("run.number_text", Operator.EQ, "7")).isTrue();
            assertThat(holds("run.five", Operator.EQ, "5")).isFalse();
        }

        @Test
        void comparesBooleans() {
            assertThat(holds("run.flag", Operator.EQ, true)).isTrue();
            assertThat(holds("run.flag", Operator.EQ, "true")).isFalse();
        }

        @Test
        void anAbsentOrNullValueEqualsNothingAndDiffersFromEverything() {
            assertThat(holds("run.missing", Operator.EQ, "GO")).isFalse();
            assertThat(holds("run.nothing", Operator.EQ, "GO")).isFalse();
            assertThat(holds("run.missing", Operator.NE, "GO")).isTrue();
            assertThat(holds("run.nothing", Operator.NE, "GO")).isTrue();
        }
    }

    @Nested
    class Membership {

        @Test
        void inHoldsWhenTheValueEqualsAnItem() {
            assertThat(holds("run.verdict", Operator.IN, List.of("PASS", "GO"))).isTrue();
            assertThat(holds("run.verdict", Operator.IN, List.of("PASS", "CONCERNS"))).isFalse();
            assertThat(holds("run.five", Operator.IN, List.of(4, 5.0))).isTrue();
        }

        @Test
        void notInHoldsWhenTheValueEqualsNoItem() {
            assertThat(holds("run.verdict", Operator.NOT_IN, List.of("FAIL", "NO-GO"))).isTrue();
            assertThat(holds("run.verdict", Operator.NOT_IN, List.of("GO"))).isFalse();
            assertThat(holds("run.five_double", Operator.NOT_IN, List.of(5))).isFalse();
        }

        @Test
        void anAbsentOrNullValueIsInNoList() {
            assertThat(holds("run.missing", Operator.IN, List.of("GO"))).isFalse();
            assertThat(holds("run.nothing", Operator.IN, List.of("GO"))).isFalse();
            assertThat(holds("run.missing", Operator.NOT_IN, List.of("GO"))).isTrue();
            assertThat(holds("run.nothing", Operator.NOT_IN, List.of("GO"))).isTrue();
        }
    }

    @Nested
    class Ordering {

        @ParameterizedTest(name = "7.5 {0} {1} is {2}")
        @CsvSource({"GT, 7, true", "GT, 7.5, false", "GTE, 7.5, true", "GTE, 8, false", "LT, 8, true",
                "LT, 7.5, false", "LTE, 7.5, true", "LTE, 7, false"})
        void comparesNumbers(Operator operator, double operand, boolean expected) {
            assertThat(holds("run.seven_and_half", operator, operand)).isEqualTo(expected);
        }

        @Test
        void comparesWholeNumbersWithFractions() {
            assertThat(holds("run.five", Operator.GTE, 5.0)).isTrue();
            assertThat(holds("run.five", Operator.LT, 5.1)).isTrue();
            assertThat(holds("run.five_decimal", Operator.LTE, 5)).isTrue();
        }

        @Test
        void aValueThatIsNotANumberFailsEveryComparison() {
            for (Operator operator : List.of(Operator.GT, Operator.GTE, Operator.LT, Operator.LTE)) {
                assertThat(holds("run.number_text", operator, 0)).as(operator.yamlName()).isFalse();
                assertThat(holds("run.flag", operator, 0)).as(operator.yamlName()).isFalse();
            }
        }

        @Test
        void anAbsentOrNullValueFailsEveryComparison() {
            for (Operator operator : List.of(Operator.GT, Operator.GTE, Operator.LT, Operator.LTE)) {
                assertThat(holds("run.missing", operator, 5)).as(operator.yamlName()).isFalse();
                assertThat(holds("run.nothing", operator, 5)).as(operator.yamlName()).isFalse();
            }
        }
    }

    @Nested
    class Optional {

        @Test
        void anOptionalConditionHoldsForAnAbsentOrNullValueWhateverItsOperator() {
            for (Operator operator : Operator.values()) {
                Object operand = operator == Operator.EXISTS ? true
                        : operator == Operator.IN || operator == Operator.NOT_IN ? List.of("GO")
                        : operator.numeric() ? 5 : "GO";
                assertThat(holdsIfPresent("run.missing", operator, operand)).as(operator.yamlName()).isTrue();
                assertThat(holdsIfPresent("run.nothing", operator, operand)).as(operator.yamlName()).isTrue();
            }
        }

        @Test
        void anOptionalConditionStillJudgesAPresentValue() {
            assertThat(holdsIfPresent("run.five", Operator.GTE, 5)).isTrue();
            assertThat(holdsIfPresent("run.five", Operator.GTE, 6)).isFalse();
            assertThat(holdsIfPresent("run.verdict", Operator.EQ, "NO-GO")).isFalse();
        }

        @Test
        void optionalReturnsACopy() {
            Condition required = Condition.of("run.five", Operator.GTE, 5);
            Condition optional = required.optional();

            assertThat(required.isOptional()).isFalse();
            assertThat(optional.isOptional()).isTrue();
            assertThat(optional).isNotEqualTo(required);
            assertThat(optional).hasToString("run.five gte 5 (if present)");
            assertThat(required).hasToString("run.five gte 5");
            assertThat(optional).isEqualTo(required.optional()).hasSameHashCodeAs(required.optional());
        }
    }

    @Nested
    class Validation {

        @ParameterizedTest
        @ValueSource(strings = {"", " ", ".run.x", "run.x.", "run..x", "checkpoint"})
        void rejectsMalformedPaths(String path) {
            assertThatThrownBy(() -> Condition.of(path, Operator.EQ, "x")).isInstanceOf(IllegalArgumentException.class);
        }

        @Test
        void rejectsAnUnknownRoot() {
            assertThatThrownBy(() -> Condition.of("verdict.STAGE_1", Operator.EQ, "GO"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("evidence path 'verdict.STAGE_1' must start with checkpoint.STATE, summary.STATE,"
                            + " outcome.STATE, evidence.STATE, signal.STATE, decision.STATE, children.STATE,"
                            + " counter.NAME or run.");
            assertThatThrownBy(() -> Condition.of(null, Operator.EQ, "GO"))
                    .isInstanceOf(IllegalArgumentException.class).hasMessage("malformed evidence path 'null'");
        }

        @Test
        void existsTakesABoolean() {
            assertThatThrownBy(() -> Condition.of("run.x", Operator.EXISTS, "yes"))
                    .isInstanceOf(IllegalArgumentException.class).hasMessage("'exists' takes true or false, got 'yes'");
        }

        @Test
        void comparisonsTakeANumber() {
            assertThatThrownBy(() -> Condition.of("run.x", Operator.GTE, "five"))
                    .isInstanceOf(IllegalArgumentException.class).hasMessage("'gte' takes a number, got 'five'");
            assertThatThrownBy(() -> Condition.of("run.x", Operator.LT, null))
                    .isInstanceOf(IllegalArgumentException.class).hasMessage("'lt' takes a number, got null");
        }

        @Test
        void membershipTakesANonEmptyListOfScalars() {
            assertThatThrownBy(() -> Condition.of("run.x", Operator.IN, List.of()))
                    .isInstanceOf(IllegalArgumentException.class).hasMessage("'in' takes a non-empty list, got []");
            assertThatThrownBy(() -> Condition.of("run.x", Operator.NOT_IN, "GO"))
                    .isInstanceOf(IllegalArgumentException.class).hasMessage("'not_in' takes a non-empty list, got 'GO'");
            assertThatThrownBy(() -> Condition.of("run.x", Operator.IN, Arrays.asList("GO", null)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("'in' compares with a string, number or boolean, got null");
        }

        @Test
        void equalityTakesAScalar() {
            assertThatThrownBy(() -> Condition.of("run.x", Operator.EQ, Map.of("a", 1)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("'eq' compares with a string, number or boolean, got {a=1}");
            assertThatThrownBy(() -> Condition.of("run.x", Operator.NE, null))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("'ne' compares with a string, number or boolean, got null");
            assertThatThrownBy(() -> Condition.of("run.x", Operator.EQ, new Object()))
                    .isInstanceOf(IllegalArgumentException.class);
        }

        @Test
        void operatorsHaveLowerCaseYamlNames() {
            assertThat(Arrays.stream(Operator.values()).map(Operator::yamlName))
                    .containsExactly("exists", "eq", "ne", "in", "not_in", "gt", "gte", "lt", "lte");
            assertThat(Operator.fromYamlName("not_in")).isEqualTo(Operator.NOT_IN);
            assertThatThrownBy(() -> Operator.fromYamlName("EQ")).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
