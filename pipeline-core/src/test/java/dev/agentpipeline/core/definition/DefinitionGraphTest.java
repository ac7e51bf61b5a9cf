package dev.agentpipeline.core.definition;

import dev.agentpipeline.core.definition.DefinitionGraph.Format;
import dev.agentpipeline.core.engine.PipelineRuntime;
import dev.agentpipeline.core.engine.StartRequest;
import dev.agentpipeline.core.run.RunState;
import dev.agentpipeline.core.store.FileRunStore;
import dev.agentpipeline.core.story.StoryPipeline;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The story pipeline drawn as Mermaid and DOT (golden files), with and without a run marked. */
class DefinitionGraphTest {

    @TempDir
    Path storeDir;

    private static String golden(String name) throws IOException {
        try (InputStream in = DefinitionGraphTest.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private RunState runInStage1() {
        PipelineRuntime runtime = PipelineRuntime.builder().store(FileRunStore.open(storeDir))
                .definition(StoryPipeline.definition()).build();
        String runId = runtime.start(StartRequest.builder("story", "US001").build()).run().state().runId();
        runtime.advance(runId, "STAGE_1");
        return runtime.load(runId).state();
    }

    @Test
    void drawsTheStoryPipelineAsItsGoldenMermaidAndDot() throws IOException {
        assertThat(DefinitionGraph.render(Format.MERMAID, StoryPipeline.definition(), null))
                .isEqualTo(golden("story-pipeline.mmd"));
        assertThat(DefinitionGraph.render(Format.DOT, StoryPipeline.definition(), null))
                .isEqualTo(golden("story-pipeline.dot"));
    }

    @Test
    void marksARunsCurrentStateAndCountersAsUsedOfLimit() {
        RunState run = runInStage1();

        String mermaid = DefinitionGraph.render(Format.MERMAID, StoryPipeline.definition(), run);
        String dot = DefinitionGraph.render(Format.DOT, StoryPipeline.definition(), run);

        assertThat(mermaid).contains("s_STAGE_1[\"STAGE_1<br/>story-validate<br/>current\"]")
                .contains("class s_STAGE_1 current\n").contains("validation_retries 0/1").contains("quality_cycles 0/2");
        assertThat(dot).contains("\"STAGE_1\" [label=\"STAGE_1\\nstory-validate\\ncurrent\", shape=box,"
                + " style=\"filled,bold\", fillcolor=\"#fff3c4\"")
                .contains("validation_retries 0/1");
    }

    @Test
    void writesDotWhoseBracesBalanceAndWhoseEdgesJoinDeclaredNodes() {
        String dot = DefinitionGraph.render(Format.DOT, StoryPipeline.definition(), runInStage1());

        assertThat(dot.chars().filter(c -> c == '{').count()).isEqualTo(dot.chars().filter(c -> c == '}').count());
        Set<String> nodes = new HashSet<>();
        Matcher node = Pattern.compile("(?m)^    (\"[^\"]+\") \\[label=").matcher(dot);
        while (node.find()) {
            nodes.add(node.group(1));
        }
        Matcher edge = Pattern.compile("(?m)^    (\"[^\"]+\") -> (\"[^\"]+\")").matcher(dot);
        int edges = 0;
        while (edge.find()) {
            edges++;
            assertThat(nodes).contains(edge.group(1), edge.group(2));
        }
        assertThat(nodes).hasSize(6);
        assertThat(edges).isEqualTo(StoryPipeline.definition().transitions().size());
    }

    @Test
    void escapesWhatWouldEndAQuotedLabel() {
        assertThat(DefinitionGraph.dotText("a \"b\" \\ c\nd")).isEqualTo("\"a \\\"b\\\" \\\\ c\\nd\"");
        assertThat(DefinitionGraph.mermaidText("a \"b\" | #c")).isEqualTo("a #quot;b#quot; #124; #35;c");
        assertThatThrownBy(() -> Format.fromName("svg")).hasMessage("unknown graph format 'svg'; use mermaid or dot");
    }
}
