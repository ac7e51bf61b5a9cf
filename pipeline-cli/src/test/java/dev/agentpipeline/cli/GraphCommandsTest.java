package dev.agentpipeline.cli;

import dev.agentpipeline.core.definition.DefinitionGraph;
import dev.agentpipeline.core.internal.Json;
import dev.agentpipeline.core.story.StoryPipeline;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code pipeline graph}: the document itself on stdout, errors as JSON on stderr. */
class GraphCommandsTest {

    @TempDir
    Path project;

    private record Output(int exit, String out, String err) {
        Map<String, Object> error() {
            return Json.parseObject(err);
        }
    }

    private Output pipeline(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = new PipelineMain().run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), project, Map.of());
        return new Output(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void printsTheStoryPipelineAsMermaidByDefaultAndAsDot() {
        Output mermaid = pipeline("graph");
        Output dot = pipeline("graph", "--format", "DOT");

        assertThat(mermaid.exit()).isZero();
        assertThat(mermaid.err()).isEmpty();
        assertThat(mermaid.out()).isEqualTo(DefinitionGraph.render(DefinitionGraph.Format.MERMAID,
                StoryPipeline.definition(), null));
        assertThat(dot.out()).startsWith("digraph").isEqualTo(DefinitionGraph.render(DefinitionGraph.Format.DOT,
                StoryPipeline.definition(), null));
        assertThat(project).isEmptyDirectory();
    }

    @Test
    void marksTheCurrentStateOfAStorysRun() {
        assertThat(pipeline("start", "--story", "US001").exit()).isZero();
        assertThat(pipeline("advance", "--story", "US001", "--to", "STAGE_0").exit()).isZero();

        Output marked = pipeline("graph", "--story", "US001");

        assertThat(marked.exit()).isZero();
        assertThat(marked.out()).contains("class s_STAGE_0 current").isNotEqualTo(pipeline("graph").out());
    }

    @Test
    void drawsADefinitionFileAndRefusesWhatItCannotDraw() throws Exception {
        Files.writeString(project.resolve("tiny.yaml"), """
                schema_version: 1
                id: tiny
                initial: START
                states:
                  START: {description: Waiting}
                  END: {terminal: true}
                transitions:
                  - {from: START, to: END}
                """);

        Output tiny = pipeline("graph", "--definition", "tiny.yaml", "--format", "dot");
        Output badFormat = pipeline("graph", "--format", "png");
        Output noRun = pipeline("graph", "--story", "US404");
        Output noFile = pipeline("graph", "--definition", "missing.yaml");

        assertThat(tiny.exit()).isZero();
        assertThat(tiny.out()).startsWith("digraph").contains("START").contains("END");
        assertThat(badFormat.exit()).isEqualTo(2);
        assertThat(badFormat.out()).isEmpty();
        assertThat(badFormat.error()).containsEntry("code", "invalid_flag");
        assertThat(noRun.error()).containsEntry("code", "run_not_found");
        assertThat(noFile.error()).containsEntry("code", "definition_missing");
    }
}
