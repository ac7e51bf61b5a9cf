package dev.agentpipeline.cli;

import static dev.agentpipeline.cli.Cli.at;
import static dev.agentpipeline.cli.Cli.text;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The call sequences of the older ln-1000 runtime's own tests (its smoke and isolation tests), through the command
 * line's entry point: the smoke sequence never records a stage summary, so it reaches DONE only when the run's
 * summaries are optional ({@code start --summaries optional} or {@code .pipeline.conf}), and the strict default
 * still rejects it; two stories each have their own {@code paths.active}; {@code status} tells a story that was
 * never started from one that ended.
 */
class OlderRuntimeCompatibilityTest {

    private static final String STORY = "PROJ-123";

    @TempDir
    Path project;

    private Cli cli;

    @BeforeEach
    void setUp() {
        cli = new Cli(project);
    }

    /** Each step as the older runtime's smoke test makes it: every answer must be exit code 0 and JSON. */
    private Map<String, Object> smokeSequenceAfterStart() {
        cli.run("advance", "--story", STORY, "--to", "STAGE_0").ok();
        cli.run("checkpoint", "--story", STORY, "--stage", "0", "--plan-score", "4", "--tasks-remaining", "[]",
                "--last-action", "plan complete").ok();
        cli.run("advance", "--story", STORY, "--to", "STAGE_1").ok();
        cli.run("checkpoint", "--story", STORY, "--stage", "1", "--verdict", "GO", "--readiness", "8",
                "--last-action", "validation complete").ok();
        cli.run("advance", "--story", STORY, "--to", "STAGE_2").ok();
        cli.run("checkpoint", "--story", STORY, "--stage", "2", "--tasks-remaining", "[]", "--tasks-completed", "[]",
                "--git-stats", "{}", "--last-action", "execution complete").ok();
        cli.run("advance", "--story", STORY, "--to", "STAGE_3").ok();
        cli.run("checkpoint", "--story", STORY, "--stage", "3", "--verdict", "PASS", "--quality-score", "90",
                "--last-action", "gate complete").ok();
        return cli.run("complete", "--story", STORY).ok();
    }

    @Test
    void theOlderRuntimesSmokeSequenceReachesDoneWithSummariesOptionalForTheRun() {
        Map<String, Object> started = cli.run("start", "--story", STORY, "--title", "Story title",
                "--summaries", "optional").ok();

        Map<String, Object> completed = smokeSequenceAfterStart();

        assertThat(at(started, "manifest", "summaries")).isEqualTo("optional");
        assertThat(at(completed, "state", "phase")).isEqualTo("DONE");
        assertThat(at(completed, "state", "final_result")).isEqualTo("DONE");
        assertThat(at(completed, "state", "stage_summaries")).isEqualTo(Map.of());
        Map<String, Object> status = cli.run("status", "--story", STORY).ok();
        assertThat(status).containsEntry("active", false).containsEntry("found", true)
                .containsEntry("final_result", "DONE").containsEntry("resume_action", "Pipeline complete");
    }

    @Test
    void theOlderRuntimesSmokeSequenceReachesDoneWithSummariesOptionalForTheProject() throws IOException {
        Files.writeString(project.resolve(".pipeline.conf"), "# callers of the older ln-1000 runtime\n"
                + "summaries = optional\n", StandardCharsets.UTF_8);

        Map<String, Object> started = cli.run("start", "--story", STORY, "--title", "Story title").ok();
        Map<String, Object> completed = smokeSequenceAfterStart();

        assertThat(at(started, "manifest", "summaries")).isEqualTo("optional");
        assertThat(at(completed, "state", "phase")).isEqualTo("DONE");
    }

    @Test
    void theStrictDefaultStillRejectsTheOlderRuntimesSmokeSequenceAtItsFirstAdvance() {
        Map<String, Object> started = cli.run("start", "--story", STORY, "--title", "Story title").ok();
        cli.run("advance", "--story", STORY, "--to", "STAGE_0").ok();
        cli.run("checkpoint", "--story", STORY, "--stage", "0", "--plan-score", "4", "--tasks-remaining", "[]",
                "--last-action", "plan complete").ok();

        Map<String, Object> rejected = cli.run("advance", "--story", STORY, "--to", "STAGE_1").rejected();

        assertThat(at(started, "manifest", "summaries")).isEqualTo("required");
        assertThat(rejected).containsEntry("code", "stage_0_summary_missing")
                .containsEntry("error", "Stage 0 summary missing or not completed")
                .containsEntry("recovery", "Record the stage summary of ln-300 (the task-decomposition skill)");
        assertThat(at(cli.run("status", "--story", STORY).ok(), "state", "phase")).isEqualTo("STAGE_0");
    }

    @Test
    void badValuesOfTheSwitchAreErrorsThatSayWhatWhereAndHowToFix() throws IOException {
        Map<String, Object> flag = cli.run("start", "--story", STORY, "--summaries", "sometimes").error();
        assertThat(flag).containsEntry("code", "invalid_flag")
                .containsEntry("error", "--summaries must be required or optional (got 'sometimes')");
        assertThat(text(flag, "fix")).contains("--summaries optional");

        Path settings = project.resolve(".pipeline.conf");
        Files.writeString(settings, "summaries = yes\n", StandardCharsets.UTF_8);
        Map<String, Object> file = cli.run("start", "--story", STORY).error();
        assertThat(file).containsEntry("code", "invalid_config")
                .containsEntry("error", settings.toAbsolutePath().normalize() + " line 1: summaries must be"
                        + " required or optional (got 'yes')");
        assertThat(text(file, "fix")).contains("summaries = optional");
        assertThat(project.resolve(".pipeline")).as("nothing was started").doesNotExist();
    }

    @Test
    void twoStoriesHaveTheirOwnActivePointerPathsAsTheOlderRuntimesIsolationTestExpects() {
        assertThat(cli.run("start", "--story", "ALPHA-1", "--title", "Alpha").ok()).containsEntry("ok", true);
        assertThat(cli.run("start", "--story", "BETA-2", "--title", "Beta").ok()).containsEntry("ok", true);

        Map<String, Object> ambiguous = cli.run("status").rejected();
        Map<String, Object> alpha = cli.run("status", "--story", "ALPHA-1").ok();
        Map<String, Object> beta = cli.run("status", "--story", "BETA-2").ok();

        assertThat(text(ambiguous, "error")).contains("Multiple active pipeline runs");
        assertThat(at(alpha, "state", "story_id")).isEqualTo("ALPHA-1");
        assertThat(at(beta, "state", "story_id")).isEqualTo("BETA-2");
        String alphaPointer = text(alpha, "paths", "active");
        String betaPointer = text(beta, "paths", "active");
        assertThat(alphaPointer).isNotEqualTo(betaPointer)
                .isEqualTo(project.resolve(".pipeline/active/story/ALPHA-1.json").toString());
        assertThat(betaPointer).isEqualTo(project.resolve(".pipeline/active/story/BETA-2.json").toString());
        assertThat(Path.of(alphaPointer)).exists();
        assertThat(Path.of(betaPointer)).exists();
    }

    @Test
    void statusTellsAStoryThatWasNeverStartedFromOneThatEnded() {
        cli.run("start", "--story", "US001", "--title", "Login form").ok();
        cli.run("cancel", "--story", "US001", "--reason", "Descoped").ok();

        Map<String, Object> never = cli.run("status", "--story", "NEVER-STARTED").ok();
        Map<String, Object> ended = cli.run("status", "--story", "US001").ok();

        assertThat(never).containsEntry("active", false).containsEntry("found", false)
                .containsEntry("story_id", "NEVER-STARTED").doesNotContainKeys("state", "run_id");
        assertThat(text(never, "message")).contains("NEVER-STARTED was never started");
        assertThat(text(never, "paths", "active")).endsWith("NEVER-STARTED.json");
        assertThat(ended).containsEntry("active", false).containsEntry("found", true)
                .containsEntry("final_phase", "DONE").containsEntry("final_result", "CANCELED")
                .containsEntry("run_id", at(ended, "state", "run_id")).containsKeys("ended_at", "manifest");
        assertThat(text(ended, "message")).contains("ended CANCELED").contains("(Descoped)");
        assertThat(List.of(never.get("ok"), ended.get("ok"))).containsOnly(true);
    }
}
