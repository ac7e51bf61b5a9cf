package dev.agentpipeline.examples.cli;

import dev.agentpipeline.core.internal.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class RunCommandsTest {

    @TempDir
    Path project;

    private record Answer(int exit, Map<String, Object> json, String progress) {
    }

    private Answer pipeline(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = new PipelineMain().run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), project, Map.of());
        String stdout = out.toString(StandardCharsets.UTF_8);
        String stderr = err.toString(StandardCharsets.UTF_8);
        if (exit == 2) {
            return new Answer(exit, Json.parseObject(stderr.substring(stderr.lastIndexOf("\n{") + 1)), stderr);
        }
        return new Answer(exit, Json.parseObject(stdout), stderr);
    }

    private static final String DRY_RUN = """
            schema_version: 1
            states:
              STAGE_0:
                - {scores: {plan_score: 4}, attributes: {tasks_remaining: [T-001]}}
              STAGE_1:
                - {verdict: NO-GO, scores: {readiness: 3}, attributes: {reason: vague}}
                - {verdict: GO, scores: {readiness: 8}}
              STAGE_2:
                - {attributes: {story_status: To Review}}
              STAGE_3:
                - {verdict: PASS, scores: {quality_score: 90}}
            """;

    @Test
    void dryRunsAStoryWithAScenarioToDone() throws Exception {
        // Given
        Files.writeString(project.resolve("dry-run.yaml"), DRY_RUN);

        // When
        Answer answer = pipeline("run", "--story", "US001", "--title", "Login form", "--scenario", "dry-run.yaml");

        // Then
        assertThat(answer.exit()).isZero();
        assertThat(answer.json()).containsEntry("ok", true).containsEntry("status", "completed")
                .containsEntry("final_phase", "DONE").containsEntry("validation_retries", 1L);
        assertThat(answer.progress()).contains("STAGE_1 completed: NO-GO", "STAGE_3 -> DONE");
        Answer status = pipeline("status", "--story", "US001");
        assertThat(status.json()).containsEntry("active", false).containsEntry("resume_action", "Pipeline complete");
    }

    @Test
    void pausesWhenTheScenarioFailsTheGateBeyondTheLimitAndSaysWhatToDo() throws Exception {
        Files.writeString(project.resolve("fails.yaml"), DRY_RUN.replace("{verdict: PASS, scores: {quality_score: 90}}",
                "{verdict: FAIL, scores: {quality_score: 40}}"));

        Answer answer = pipeline("run", "--story", "US002", "--scenario", "fails.yaml", "--from-stage", "2",
                "--max-quality-cycles", "1");

        assertThat(answer.exit()).isEqualTo(1);
        assertThat(answer.json()).containsEntry("status", "paused").containsEntry("final_phase", "PAUSED")
                .containsEntry("reason", "Quality cycle limit reached (1)").containsEntry("next_action",
                        "Escalate to user").containsEntry("quality_cycles", 1L);
    }

    @Test
    void namesTheAvailablePluginsWhenAStageHasNone() {
        Answer answer = pipeline("run", "--story", "US003");

        assertThat(answer.exit()).isEqualTo(2);
        assertThat(answer.json()).containsEntry("code", "missing_plugin");
        assertThat((String) answer.json().get("error")).contains("story-decompose", "pipeline-scripted",
                "demo-decompose");
        assertThat(project.resolve(".pipeline")).as("no run was started").doesNotExist();
    }

    @Test
    void retriesARateLimitAfterTheGivenDelay() throws Exception {
        Files.writeString(project.resolve("limited.yaml"), DRY_RUN.replace(
                "  STAGE_2:\n    - {attributes: {story_status: To Review}}\n",
                "  STAGE_2:\n    - attempts:\n        - {status: failed, failure_class: rate_limited, message: \"HTTP 429\"}\n"
                        + "        - {attributes: {story_status: To Review}}\n"));

        Answer answer = pipeline("run", "--story", "US005", "--scenario", "limited.yaml", "--from-stage", "2",
                "--retry-delay-ms", "1");

        assertThat(answer.exit()).isZero();
        assertThat(answer.progress()).contains("retry after", "(rate_limited)");
    }

    @Test
    void rejectsPluginBindingsForUnknownStages() {
        Answer answer = pipeline("run", "--story", "US004", "--plugins", "{\"STAGE_9\":\"x\"}");

        assertThat(answer.exit()).isEqualTo(2);
        assertThat(answer.json()).containsEntry("code", "invalid_flag");
        assertThat(project.resolve(".pipeline")).doesNotExist();
    }

    @Test
    void runsTheDemoInAGivenDirectory() {
        Answer answer = pipeline("demo", "--dir", "sample");

        assertThat(answer.exit()).isZero();
        assertThat(answer.json()).containsEntry("final_phase", "DONE").containsEntry("quality_cycles", 1L);
        assertThat(answer.progress()).contains("Demo project: " + project.resolve("sample"), "journal:");
        assertThat(project.resolve("sample/src/test/java/demo/GreetingTest.java")).exists();
    }
}
