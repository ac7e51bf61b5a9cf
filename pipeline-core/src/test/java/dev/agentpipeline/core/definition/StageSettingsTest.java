package dev.agentpipeline.core.definition;

import dev.agentpipeline.core.guard.GuardRegistry;
import dev.agentpipeline.core.story.StoryPipeline;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** A state's {@code settings:} for its stage plugin: loaded from YAML and the builder, immutable, checked. */
class StageSettingsTest {

    private static final String YAML = String.join("\n",
            "schema_version: 1",                                                    // 1
            "id: mini",                                                             // 2
            "initial: QUEUED",                                                      // 3
            "states:",                                                              // 4
            "  QUEUED: {}",                                                         // 5
            "  WORK:",                                                              // 6
            "    stage: pipeline-command",                                          // 7
            "    settings:",                                                        // 8
            "      command: [./agents/work.sh, \"{story_id}\"]",                   // 9
            "      timeout_seconds: 90",                                            // 10
            "      env: {MODE: ci}",                                                // 11
            "  DONE: {terminal: true}",                                             // 12
            "transitions:",                                                         // 13
            "  - {from: QUEUED, to: WORK}",                                         // 14
            "  - {from: WORK, to: DONE}",                                           // 15
            "");

    @Test
    void loadsTheSettingsOfAStateAsPlainImmutableValues() {
        // When
        PipelineDefinition definition = PipelineDefinitions.fromYaml("mini.yaml", YAML, GuardRegistry.empty());

        // Then
        Map<String, Object> settings = definition.states().get("WORK").settings();
        assertThat(settings).containsEntry("command", List.of("./agents/work.sh", "{story_id}"))
                .containsEntry("timeout_seconds", 90L)
                .containsEntry("env", Map.of("MODE", "ci"));
        assertThatThrownBy(() -> settings.put("x", 1)).isInstanceOf(UnsupportedOperationException.class);
        assertThat(definition.states().get("QUEUED").settings()).isEmpty();
    }

    @Test
    void rejectsSettingsOnAStateWithoutAPluginAndSettingsThatAreNotAMapping() {
        // Given
        String withoutPlugin = YAML.replace("  QUEUED: {}", "  QUEUED: {settings: {a: 1}}");
        String notAMapping = YAML.replace("    settings:\n", "    settings: [a, b]\n    other:\n");

        // When
        DefinitionException first = catchThrowableOfType(DefinitionException.class,
                () -> PipelineDefinitions.fromYaml("mini.yaml", withoutPlugin, GuardRegistry.empty()));
        DefinitionException second = catchThrowableOfType(DefinitionException.class,
                () -> PipelineDefinitions.fromYaml("mini.yaml", notAMapping, GuardRegistry.empty()));

        // Then
        assertThat(first.getMessage()).contains("mini.yaml:5:").contains("state QUEUED has settings but no stage"
                + " plugin");
        assertThat(second.getMessage()).contains("mini.yaml:8:").contains("state WORK settings must be a mapping");
    }

    @Test
    void bindsAPluginWithSettingsInJavaAndDropsThemWhenRebound() {
        // When
        PipelineDefinition bound = StoryPipeline.definition().withStagePlugin("STAGE_2", "pipeline-command",
                Map.of("command", List.of("./implement.sh")));
        PipelineDefinition rebound = bound.withStagePlugin("STAGE_2", "acme-implement");
        PipelineDefinition built = PipelineDefinition.builder("mini").initial("QUEUED").state("QUEUED")
                .stage("WORK", "pipeline-command", "", Map.of("command", List.of("make")))
                .terminal("DONE", "").transition("QUEUED", "WORK").transition("WORK", "DONE").build();

        // Then
        assertThat(bound.states().get("STAGE_2").settings()).containsEntry("command", List.of("./implement.sh"));
        assertThat(rebound.states().get("STAGE_2").settings()).isEmpty();
        assertThat(built.states().get("WORK").settings()).containsEntry("command", List.of("make"));
        assertThatThrownBy(() -> bound.withStagePlugin("DONE", "pipeline-command", Map.of()))
                .hasMessageContaining("terminal");
        assertThatThrownBy(() -> bound.withStagePlugin("STAGE_2", "pipeline-command", Map.of("x", new Object())))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
