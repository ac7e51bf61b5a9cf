package dev.agentpipeline.core.definition;

import dev.agentpipeline.core.story.StoryPipeline;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Stage files: states bound to plugins with settings, every problem with its file and line. */
class StageBindingsTest {

    @TempDir
    Path dir;

    @Test
    void bindsTheStoryStagesOfAFile() throws Exception {
        // Given
        Path file = dir.resolve("stages.yaml");
        Files.writeString(file, String.join("\n",
                "schema_version: 1",
                "stages:",
                "  STAGE_2:",
                "    plugin: pipeline-command",
                "    settings:",
                "      command: [./agents/implement.sh, \"{story_id}\"]",
                "  STAGE_3: {plugin: acme-gate}",
                ""));

        // When
        PipelineDefinition bound = StageBindings.fromYaml(file).applyTo(StoryPipeline.definition());

        // Then
        assertThat(bound.states().get("STAGE_2").stagePlugin()).contains("pipeline-command");
        assertThat(bound.states().get("STAGE_2").settings())
                .isEqualTo(Map.of("command", List.of("./agents/implement.sh", "{story_id}")));
        assertThat(bound.states().get("STAGE_3").stagePlugin()).contains("acme-gate");
        assertThat(bound.states().get("STAGE_3").settings()).isEmpty();
        assertThat(bound.states().get("STAGE_0").stagePlugin()).contains("story-decompose");
    }

    @Test
    void listsEveryProblemWithItsLine() {
        // Given
        String yaml = String.join("\n",
                "schema_version: 2",                                // 1
                "stages:",                                          // 2
                "  STAGE_1:",                                       // 3
                "    plugin: Not_An_Id",                            // 4
                "  STAGE_2:",                                       // 5
                "    plugin: pipeline-command",                     // 6
                "    settings: [a]",                                // 7
                "    timeout: 5",                                   // 8
                "  STAGE_3:",                                       // 9
                "    settings: {}",                                 // 10
                "");

        // When
        DefinitionException e = catchThrowableOfType(DefinitionException.class,
                () -> StageBindings.parse("stages.yaml", yaml));

        // Then
        assertThat(e.problems()).extracting(p -> p.location().line() + ": " + p.message()).containsExactly(
                "1: schema_version must be 1, got the number 2",
                "4: stage STAGE_1: plugin must be a plugin id (1 to 64 characters of a-z, 0-9 and '-', starting"
                        + " with a letter), got the text 'Not_An_Id'",
                "8: unknown key 'timeout' in stage STAGE_2; expected plugin, settings",
                "7: stage STAGE_2: settings must be a mapping (key: value lines), got a list",
                "10: stage STAGE_3 needs 'plugin:', the id of the stage plugin that works in it (for example"
                        + " pipeline-command)");
    }

    @Test
    void refusesAStateTheDefinitionDoesNotHave() {
        // Given
        StageBindings bindings = StageBindings.parse("stages.yaml", "schema_version: 1\nstages:\n  STAGE_9:\n"
                + "    plugin: pipeline-command\n");

        // When
        DefinitionException e = catchThrowableOfType(DefinitionException.class,
                () -> bindings.applyTo(StoryPipeline.definition()));

        // Then
        assertThat(e.getMessage()).contains("stages.yaml:3:").contains("stage STAGE_9: pipeline story has no such"
                + " state; states with plugins are STAGE_0, STAGE_1, STAGE_2, STAGE_3");
    }
}
