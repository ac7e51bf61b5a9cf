package dev.agentpipeline.stages;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The command stage's settings: read from a definition's values or built in Java, checked before anything runs. */
class CommandSettingsTest {

    @Test
    void readsEverySettingAndWritesThemBack() {
        // Given
        Map<String, Object> values = Map.of("command", List.of("claude", "-p", "{prompt}"),
                "prompt", "Implement {story_id}", "stdin", "prompt", "timeout_seconds", 1800L,
                "idle_timeout_seconds", 2.5, "env_allow", List.of("ANTHROPIC_API_KEY"), "env", Map.of("MODE", "ci"),
                "summary", "optional");

        // When
        CommandSettings settings = CommandSettings.parse(values);

        // Then
        assertThat(settings.command()).containsExactly("claude", "-p", "{prompt}");
        assertThat(settings.stdin()).isEqualTo(CommandSettings.Stdin.PROMPT);
        assertThat(settings.timeout()).isEqualTo(Duration.ofMinutes(30));
        assertThat(settings.idleTimeout()).isEqualTo(Duration.ofMillis(2500));
        assertThat(settings.envAllow()).containsAll(CommandSettings.DEFAULT_ENV_ALLOW).contains("ANTHROPIC_API_KEY");
        assertThat(settings.summary()).isEqualTo(CommandSettings.Summary.OPTIONAL);
        assertThat(CommandSettings.parse(settings.toMap())).isEqualTo(settings);
        assertThat(CommandSettings.builder("make", "test").build().toMap()).containsEntry("timeout_seconds", 3600.0)
                .containsEntry("summary", "required");
    }

    @Test
    void namesTheSettingThatIsWrong() {
        assertThatThrownBy(() -> CommandSettings.parse(Map.of("command", List.of("make"), "timout_seconds", 5)))
                .hasMessage("unknown setting 'timout_seconds'; the settings of pipeline-command are command, env,"
                        + " env_allow, idle_timeout_seconds, prompt, stdin, summary, timeout_seconds");
        assertThatThrownBy(() -> CommandSettings.parse(Map.of("command", "make test")))
                .hasMessageStartingWith("setting 'command' must be a non-empty list");
        assertThatThrownBy(() -> CommandSettings.parse(Map.of("command", List.of("make"), "timeout_seconds", 0)))
                .hasMessageStartingWith("setting 'timeout_seconds' must be a number of seconds above 0");
        assertThatThrownBy(() -> CommandSettings.parse(Map.of("command", List.of("make"), "stdin", "file")))
                .hasMessage("setting 'stdin' must be one of none, prompt, got \"file\"");
        assertThatThrownBy(() -> CommandSettings.parse(Map.of("command", List.of("make"),
                "env_allow", List.of("PIPELINE_STAGE"))))
                .hasMessageContaining("the prefix PIPELINE_ is reserved");
        assertThatThrownBy(() -> CommandSettings.parse(Map.of("command", List.of("make"), "env",
                Map.of("A B", "x")))).hasMessageContaining("'A B', which is not an environment variable name");
    }

    @Test
    void checksTemplatesAsTheyAreRead() {
        assertThatThrownBy(() -> CommandSettings.parse(Map.of("command", List.of("make", "{stroy_id}"))))
                .hasMessageStartingWith("setting 'command[1]' uses the unknown placeholder {stroy_id}; known: run_id,");
        assertThatThrownBy(() -> CommandSettings.parse(Map.of("command", List.of("make"), "prompt", "Fix {story_id")))
                .hasMessageStartingWith("setting 'prompt' has a '{' at position 4 that is never closed");
        assertThatThrownBy(() -> CommandSettings.parse(Map.of("command", List.of("make"), "env",
                Map.of("X", "a}b")))).hasMessageStartingWith("setting 'env.X' has a '}' at position 1 without a '{'");
        assertThat(Template.render("{{\"id\": \"{story_id}\"}} {input.depth}", "t",
                Template.values(Map.of("story_id", "US1"), Map.of("depth", List.of(1, 2)))))
                .isEqualTo("{\"id\": \"US1\"} [1,2]");
    }
}
