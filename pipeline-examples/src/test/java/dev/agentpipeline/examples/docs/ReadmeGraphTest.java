package dev.agentpipeline.examples.docs;

import dev.agentpipeline.core.definition.DefinitionGraph;
import dev.agentpipeline.core.story.StoryPipeline;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The README's Mermaid graph of the story pipeline is what {@link DefinitionGraph} draws, so it never goes stale. */
class ReadmeGraphTest {

    @Test
    void theReadmesMermaidBlockIsTheStoryPipelinesGraph() {
        List<DocsDirectory.Block> mermaid = DocsDirectory.blocks(DocsDirectory.ROOT.resolve("README.md")).stream()
                .filter(block -> block.language().equals("mermaid")).toList();

        assertThat(mermaid).hasSize(1);
        assertThat(mermaid.get(0).joined() + "\n")
                .isEqualTo(DefinitionGraph.render(DefinitionGraph.Format.MERMAID, StoryPipeline.definition(), null));
    }
}
