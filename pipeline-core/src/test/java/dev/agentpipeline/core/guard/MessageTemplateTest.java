package dev.agentpipeline.core.guard;

import dev.agentpipeline.core.testing.RunHistory;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MessageTemplateTest {

    private static String render(String template, Object value) {
        return MessageTemplate.of(template).render(name -> value);
    }

    @Test
    void textWithoutPlaceholdersIsReturnedAsItIs() {
        MessageTemplate template = MessageTemplate.of("Stage 0 checkpoint missing");

        assertThat(template.placeholders()).isEmpty();
        assertThat(template.render(name -> "unused")).isEqualTo("Stage 0 checkpoint missing");
        assertThat(template.text()).isEqualTo("Stage 0 checkpoint missing");
        assertThat(template).hasToString("Stage 0 checkpoint missing");
    }

    @Test
    void fillsEveryPlaceholderInOrder() {
        MessageTemplate template = MessageTemplate.of("Verdict ${ a.b } then ${c}${d}.");

        assertThat(template.placeholders()).containsExactly("a.b", "c", "d");
        assertThat(template.render(name -> name.toUpperCase())).isEqualTo("Verdict A.B then CD.");
    }

    @Test
    void printsNullAndAbsentValuesAsNull() {
        assertThat(render("Verdict is ${v}, not GO", null)).isEqualTo("Verdict is null, not GO");
        assertThat(render("Verdict is ${v}, not GO", GuardContext.ABSENT)).isEqualTo("Verdict is null, not GO");
    }

    @Test
    void printsWholeNumbersWithoutAFraction() {
        assertThat(render("Readiness ${r} < 5", 3.0)).isEqualTo("Readiness 3 < 5");
        assertThat(render("Readiness ${r} < 5", 3.0f)).isEqualTo("Readiness 3 < 5");
        assertThat(render("Readiness ${r} < 5", 3L)).isEqualTo("Readiness 3 < 5");
        assertThat(render("Readiness ${r} < 5", 3)).isEqualTo("Readiness 3 < 5");
        assertThat(render("Readiness ${r} < 5", -2.0)).isEqualTo("Readiness -2 < 5");
        assertThat(render("Readiness ${r} < 5", new BigDecimal("3.00"))).isEqualTo("Readiness 3 < 5");
    }

    @Test
    void printsFractionsAsTheyAre() {
        assertThat(render("${x}", 4.5)).isEqualTo("4.5");
        assertThat(render("${x}", new BigDecimal("4.50"))).isEqualTo("4.5");
        assertThat(render("${x}", 1e20)).isEqualTo("1.0E20");
    }

    @Test
    void printsObjectsAndArraysAsCompactJson() {
        Map<String, Object> hint = new LinkedHashMap<>();
        hint.put("blocking_categories", List.of("tests", "security"));
        hint.put("suggested_focus", null);

        assertThat(render("Hint: ${h}", hint))
                .isEqualTo("Hint: {\"blocking_categories\":[\"tests\",\"security\"],\"suggested_focus\":null}");
        assertThat(render("${h}", Arrays.asList(1, "two", true))).isEqualTo("[1,\"two\",true]");
    }

    @Test
    void printsBooleansAndText() {
        assertThat(render("${x}", true)).isEqualTo("true");
        assertThat(render("${x}", "In Progress")).isEqualTo("In Progress");
    }

    @Test
    void rejectsAnUnclosedOrEmptyPlaceholder() {
        assertThatThrownBy(() -> MessageTemplate.of("Verdict ${summary.STAGE_1.verdict"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unclosed '${' at character 9 of \"Verdict ${summary.STAGE_1.verdict\"");
        assertThatThrownBy(() -> MessageTemplate.of("Verdict ${ }"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("empty placeholder '${}' in \"Verdict ${ }\"");
    }

    @Test
    void variablesWinOverEvidenceAndAMissingContextLeavesNull() {
        GuardContext context = GuardContext.of(RunHistory.story("US001").to("STAGE_1").state(), "STAGE_1", "STAGE_1");
        MessageTemplate template = MessageTemplate.of("${limit} ${run.phase} ${counter.validation_retries} ${x}");

        assertThat(template.render(context, Map.of("limit", 2, "run.phase", "overridden")))
                .isEqualTo("2 overridden 0 null");
        assertThat(template.render(null, Map.of("limit", 1))).isEqualTo("1 null null null");
    }
}
