package dev.agentpipeline.spi;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JsonValuesTest {

    @Test
    void scalarsAreReturnedAsTheyAre() {
        assertThat(JsonValues.copyOf(null)).isNull();
        assertThat(JsonValues.copyOf("text")).isEqualTo("text");
        assertThat(JsonValues.copyOf(true)).isEqualTo(true);
        assertThat(JsonValues.copyOf(7)).isEqualTo(7);
        assertThat(JsonValues.copyOf(7L)).isEqualTo(7L);
        assertThat(JsonValues.copyOf((short) 7)).isEqualTo((short) 7);
        assertThat(JsonValues.copyOf((byte) 7)).isEqualTo((byte) 7);
        assertThat(JsonValues.copyOf(2.5)).isEqualTo(2.5);
        assertThat(JsonValues.copyOf(2.5f)).isEqualTo(2.5f);
        assertThat(JsonValues.copyOf(new BigDecimal("1.10"))).isEqualTo(new BigDecimal("1.10"));
        assertThat(JsonValues.copyOf(BigInteger.TEN)).isEqualTo(BigInteger.TEN);
    }

    @Test
    void copiesNestedStructuresDeeplyKeepingMapOrder() {
        // Given
        List<Object> tasks = new ArrayList<>(List.of("T-001", "T-002"));
        Map<String, Object> inner = new LinkedHashMap<>();
        inner.put("z", 1);
        inner.put("a", tasks);
        inner.put("none", null);
        Map<String, Object> outer = new LinkedHashMap<>();
        outer.put("second", inner);
        outer.put("first", "x");

        // When
        @SuppressWarnings("unchecked")
        Map<String, Object> copy = (Map<String, Object>) JsonValues.copyOf(outer);
        tasks.add("T-003");
        inner.put("late", true);

        // Then
        assertThat(copy.keySet()).containsExactly("second", "first");
        @SuppressWarnings("unchecked")
        Map<String, Object> innerCopy = (Map<String, Object>) copy.get("second");
        assertThat(innerCopy.keySet()).containsExactly("z", "a", "none");
        assertThat(innerCopy.get("a")).isEqualTo(List.of("T-001", "T-002"));
        assertThat(innerCopy).containsEntry("none", null);
    }

    @Test
    void copiesAreUnmodifiableAtEveryLevel() {
        @SuppressWarnings("unchecked")
        Map<String, Object> copy = (Map<String, Object>) JsonValues.copyOf(
                Map.of("list", List.of(Map.of("k", "v"))));

        assertThatThrownBy(() -> copy.put("x", 1)).isInstanceOf(UnsupportedOperationException.class);
        @SuppressWarnings("unchecked")
        List<Object> list = (List<Object>) copy.get("list");
        assertThatThrownBy(() -> list.add(1)).isInstanceOf(UnsupportedOperationException.class);
        @SuppressWarnings("unchecked")
        Map<String, Object> element = (Map<String, Object>) list.get(0);
        assertThatThrownBy(() -> element.remove("k")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void rejectsAValueThatIsNotJsonCompatibleNamingItsPath() {
        // Given a path object in the third task of a list inside a map
        Map<String, Object> value = Map.of("tasks", Arrays.asList("T-001", "T-002", Path.of("/tmp/x")));

        // When / Then
        assertThatThrownBy(() -> JsonValues.copyOf(value))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("$.tasks[2] is a ")
                .hasMessageContaining("use null, String, Boolean, Number, List or Map<String, ?>");
    }

    @Test
    void namesNestedMapPathsWithDots() {
        assertThatThrownBy(() -> JsonValues.copyOf(Map.of("git", Map.of("stats", Set.of(1)))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("$.git.stats is a ");
    }

    @Test
    void rejectsTheTopLevelValueWithTheRootPath() {
        assertThatThrownBy(() -> JsonValues.copyOf(new Object()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("$ is a java.lang.Object");
    }

    @Test
    void rejectsNumbersJsonCannotRepresent() {
        assertThatThrownBy(() -> JsonValues.copyOf(List.of(1.0, Double.NaN)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("$[1] is NaN, which JSON cannot represent");
        assertThatThrownBy(() -> JsonValues.copyOf(Map.of("score", Float.POSITIVE_INFINITY)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("$.score is Infinity, which JSON cannot represent");
    }

    @Test
    void rejectsMapKeysThatAreNotStrings() {
        Map<Object, Object> map = new HashMap<>();
        map.put(42, "answer");

        assertThatThrownBy(() -> JsonValues.copyOf(Map.of("outer", map)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("$.outer has a key that is not a string: 42");
    }

    @Test
    void copyOfMapTreatsNullAsEmpty() {
        assertThat(JsonValues.copyOfMap(null)).isEmpty();
    }

    @Test
    void copyOfMapCopiesAndChecksValues() {
        Map<String, Object> source = new LinkedHashMap<>();
        source.put("b", 1);
        source.put("a", List.of("x"));

        Map<String, Object> copy = JsonValues.copyOfMap(source);
        source.put("c", 2);

        assertThat(copy.keySet()).containsExactly("b", "a");
        assertThatThrownBy(() -> JsonValues.copyOfMap(Map.of("when", new Object())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("$.when is a java.lang.Object");
    }
}
