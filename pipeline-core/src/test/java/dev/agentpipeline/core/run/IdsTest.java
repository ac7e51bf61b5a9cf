package dev.agentpipeline.core.run;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IdsTest {

    @ParameterizedTest
    @ValueSource(strings = {"US001", "PROJ-42", "a", "9lives", "story-us001-1767600000000-0a1b2c3d", "v1.2_rc"})
    void acceptsIdsThatAreSafeAsFileNames(String id) {
        assertThat(Ids.isSafe(id)).isTrue();
        assertThat(Ids.requireSafe("story id", id)).isEqualTo(id);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "''|it is empty",
            "a..b|it contains '..'",
            ".hidden|it starts with '.'",
            "-flag|it starts with '-'",
            "_x|it starts with '_'",
            "../etc|it contains '..'",
            "a/b|it contains '/' at position 2",
            "a\\b|it contains '\\' at position 2",
            "US 001|it contains a space at position 3",
            "US001;rm|it contains ';' at position 6"})
    void explainsWhyAnIdIsNotSafe(String id, String problem) {
        assertThat(Ids.isSafe(id)).isFalse();
        assertThatThrownBy(() -> Ids.requireSafe("story id", id))
                .isInstanceOfSatisfying(Ids.InvalidIdException.class, e -> assertThat(e.what()).isEqualTo("story id"))
                .hasMessage("Invalid story id '" + id + "': " + problem + ". Use 1 to 128 letters, digits, '.', '_' or"
                        + " '-', starting with a letter or digit (for example US001 or PROJ-42).");
    }

    @Test
    void rejectsNullTooLongAndControlCharacters() {
        assertThat(Ids.isSafe(null)).isFalse();
        assertThatThrownBy(() -> Ids.requireSafe("run id", null)).hasMessageContaining("Invalid run id '': it is empty");
        assertThatThrownBy(() -> Ids.requireSafe("run id", "a".repeat(129)))
                .hasMessageContaining("it is longer than 128 characters")
                .hasMessageContaining("a".repeat(80) + "...'");
        assertThatThrownBy(() -> Ids.requireSafe("run id", "a\nb"))
                .hasMessageContaining("Invalid run id 'a?b': it contains a control character at position 2");
        assertThat(Ids.isSafe("a".repeat(128))).isTrue();
    }

    @Test
    void slugsAreLowerCaseWordsJoinedBySingleDashes() {
        assertThat(Ids.slug("Login form (v2)!", 40)).isEqualTo("login-form-v2");
        assertThat(Ids.slug("  --US001--  ", 40)).isEqualTo("us001");
        assertThat(Ids.slug("Ünïcode only ✓", 40)).isEqualTo("n-code-only");
        assertThat(Ids.slug("abc def ghi", 8)).isEqualTo("abc-def");
        assertThat(Ids.slug("!!!", 10)).isEqualTo("untitled");
        assertThat(Ids.slug(null, 10)).isEqualTo("untitled");
    }
}
