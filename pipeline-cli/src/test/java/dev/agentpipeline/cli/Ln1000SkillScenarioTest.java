package dev.agentpipeline.cli;

import static dev.agentpipeline.cli.Cli.at;
import static dev.agentpipeline.cli.Cli.object;
import static dev.agentpipeline.cli.Cli.objects;
import static dev.agentpipeline.cli.Cli.text;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentpipeline.core.story.StoryPipeline;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Replays the calls the ln-1000 story pipeline skill makes through the command line's entry point: the same
 * commands, flags and JSON fields, every guard rejection with its error and recovery text, and every resume action.
 */
class Ln1000SkillScenarioTest {

    private static final String US = "US001";

    @TempDir
    Path project;

    private Cli cli;
    private final Set<String> rejectionCodes = new TreeSet<>();

    @BeforeEach
    void setUp() {
        cli = new Cli(project);
    }

    // ------------------------------------------------------------------------------------------- helpers

    private Map<String, Object> start(String story) {
        return cli.run("start", "--story", story, "--title", "Login form", "--storage", "file",
                "--project-brief", "{\"name\":\"shop\",\"tech\":\"Java 17\",\"type\":\"API\"}",
                "--story-briefs", "{\"" + story + "\":{\"tech\":\"Java 17\",\"keyFiles\":\"unknown\"}}",
                "--business-answers", "{}", "--status-cache", "{}",
                "--skill-repo-path", "/skills", "--worktree-dir", ".hex-skills/worktrees/story-" + story,
                "--branch-name", "feature/" + story + "-login-form").ok();
    }

    private Map<String, Object> advance(String story, String to) {
        Map<String, Object> json = cli.run("advance", "--story", story, "--to", to).ok();
        assertThat(json).containsEntry("current_phase", to);
        return json;
    }

    /** Asserts a rejection on stdout with exit code 1 and that the run did not change. */
    private Map<String, Object> rejected(String story, String to, String code, String error, String recovery) {
        Map<String, Object> before = status(story);
        Map<String, Object> json = cli.run("advance", "--story", story, "--to", to).rejected();
        assertThat(json).containsEntry("error", error).containsEntry("recovery", recovery)
                .containsEntry("code", code);
        assertThat(status(story)).as("a rejection changes nothing").isEqualTo(before);
        rejectionCodes.add(code);
        return json;
    }

    private Map<String, Object> status(String story) {
        return cli.run("status", "--story", story).ok();
    }

    private String resumeAction(String story) {
        return text(status(story), "resume_action");
    }

    private Map<String, Object> checkpoint(String story, int stage, String... flags) {
        List<String> args = new ArrayList<>(List.of("checkpoint", "--story", story, "--stage", String.valueOf(stage)));
        args.addAll(List.of(flags));
        Map<String, Object> json = cli.run(args.toArray(String[]::new)).ok();
        assertThat(json).containsEntry("phase", "STAGE_" + stage).containsEntry("story_id", story);
        return json;
    }

    private Map<String, Object> summary(String story, Envelopes.Builder envelope) {
        return cli.run("record-stage-summary", "--story", story, "--payload", envelope.json()).ok();
    }

    /** Takes a fresh story from QUEUED through task decomposition into STAGE_1. */
    private void throughStage0(String story) {
        advance(story, "STAGE_0");
        checkpoint(story, 0, "--plan-score", "4", "--tasks-remaining", "[\"T-001\",\"T-002\"]",
                "--last-action", "Tasks created");
        summary(story, Envelopes.summary(story, 0));
        advance(story, "STAGE_1");
    }

    /** From STAGE_2: implements the story and moves it to the quality gate. */
    private void throughStage2(String story) {
        checkpoint(story, 2, "--tasks-completed", "[\"T-001\",\"T-002\"]", "--git-stats",
                "{\"files_changed\":3,\"lines_added\":40,\"lines_deleted\":2}", "--last-action",
                "Implementation complete");
        summary(story, Envelopes.summary(story, 2));
        advance(story, "STAGE_3");
    }

    private void failQualityGate(String story) {
        checkpoint(story, 3, "--verdict", "FAIL", "--quality-score", "55", "--issues", "2 tests fail",
                "--agents-info", "codex", "--last-action", "Quality gate: FAIL");
        summary(story, Envelopes.summary(story, 3).verdict("FAIL").quality(55).storyStatus("To Rework")
                .metadata(Map.of("rework_hint", Map.of("blocking_categories", List.of("tests"),
                        "suggested_focus", "Fix the failing login tests"))));
    }

    // --------------------------------------------------------------------------------------------- tests

    @Test
    void drivesAStoryFromQueuedToDoneWithOneNoGoRetryAndOneQualityRework() {
        // Given no run yet: the skill's recovery check
        assertThat(cli.run("status").ok()).isEqualTo(Map.of("ok", true, "active", false));

        // When the skill starts the story
        Map<String, Object> started = start(US);
        assertThat(started).containsKeys("run_id", "manifest", "state", "checkpoints").doesNotContainKey("recovery");
        assertThat((String) started.get("run_id")).startsWith("story-us001-");
        assertThat(at(started, "state", "phase")).isEqualTo("QUEUED");
        assertThat(at(started, "state", "story_title")).isEqualTo("Login form");
        assertThat(at(started, "state", "branch_name")).isEqualTo("feature/US001-login-form");
        assertThat(at(started, "state", "project_brief")).isEqualTo(Map.of("name", "shop", "tech", "Java 17",
                "type", "API"));
        assertThat(at(started, "manifest", "storage_mode")).isEqualTo("file");
        assertThat(at(started, "manifest", "project_root")).isEqualTo(project.toAbsolutePath().normalize()
                .toString());
        Map<String, Object> status = cli.run("status").ok();
        assertThat(status).containsEntry("active", true).containsKeys("manifest", "state", "checkpoints", "paths");
        assertThat(at(status, "paths", "state")).asString().startsWith(project.resolve(".pipeline").toString());

        // Stage 0: task decomposition
        Map<String, Object> moved = advance(US, "STAGE_0");
        assertThat(moved).containsEntry("previous_phase", "QUEUED").containsEntry("counter_incremented", null)
                .containsEntry("run_id", started.get("run_id"));
        Map<String, Object> cp0 = checkpoint(US, 0, "--plan-score", "4", "--tasks-remaining",
                "[\"T-001\",\"T-002\"]", "--last-action", "Tasks created");
        assertThat(at(cp0, "checkpoint", "sequence")).isEqualTo(1L);
        assertThat(at(cp0, "checkpoint", "payload", "plan_score")).isEqualTo(4L);
        assertThat(at(cp0, "checkpoint", "payload", "tasks_remaining")).isEqualTo(List.of("T-001", "T-002"));
        Map<String, Object> recorded = summary(US, Envelopes.summary(US, 0));
        assertThat(at(recorded, "state", "stage_summaries")).isInstanceOf(Map.class);
        advance(US, "STAGE_1");

        // Stage 1: NO-GO, retried once, then GO
        checkpoint(US, 1, "--verdict", "NO-GO", "--readiness", "4", "--reason", "Acceptance criteria unclear",
                "--agents-info", "codex,gemini", "--last-action", "Validated");
        summary(US, Envelopes.summary(US, 1).verdict("NO-GO").readiness(4).storyStatus("Backlog"));
        rejected(US, "STAGE_2", "verdict_not_go", "Verdict is NO-GO, not GO", "Fix validation issues");
        Map<String, Object> retry = advance(US, "STAGE_1");
        assertThat(retry).containsEntry("previous_phase", "STAGE_1")
                .containsEntry("counter_incremented", "validation_retries");
        assertThat(at(retry, "state", "validation_retries")).isEqualTo(1L);
        checkpoint(US, 1, "--verdict", "GO", "--readiness", "8", "--agents-info", "codex,gemini",
                "--last-action", "Validated");
        summary(US, Envelopes.summary(US, 1).verdict("GO").readiness(8));
        advance(US, "STAGE_2");

        // Stage 2 and 3: a quality FAIL and one rework
        throughStage2(US);
        failQualityGate(US);
        rejected(US, "DONE", "quality_gate_not_passed", "Verdict FAIL not in PASS,CONCERNS,WAIVED",
                "Quality gate must pass");
        Map<String, Object> rework = advance(US, "STAGE_2");
        assertThat(rework).containsEntry("previous_phase", "STAGE_3")
                .containsEntry("counter_incremented", "quality_cycles");
        assertThat(at(rework, "state", "quality_cycles")).isEqualTo(1L);
        checkpoint(US, 2, "--tasks-completed", "[\"T-003\"]", "--git-stats",
                "{\"files_changed\":1,\"lines_added\":5,\"lines_deleted\":1}", "--last-action", "Rework complete");
        summary(US, Envelopes.summary(US, 2));
        advance(US, "STAGE_3");
        checkpoint(US, 3, "--verdict", "PASS", "--quality-score", "92", "--agents-info", "codex",
                "--last-action", "Quality gate: PASS");
        summary(US, Envelopes.summary(US, 3).verdict("PASS").quality(92));
        assertThat(resumeAction(US)).isEqualTo("Complete pipeline");
        Map<String, Object> done = advance(US, "DONE");

        // Then the run is done, with the older runtime's fields filled in
        Map<String, Object> state = object(done, "state");
        assertThat(state).containsEntry("phase", "DONE").containsEntry("complete", true)
                .containsEntry("validation_retries", 1L).containsEntry("quality_cycles", 1L);
        Map<String, Object> timestamps = object(state, "stage_timestamps");
        assertThat(timestamps).containsKeys("stage_0_start", "stage_0_end", "stage_1_start", "stage_1_end",
                "stage_2_start", "stage_2_end", "stage_3_start", "stage_3_end");
        assertThat(at(state, "git_stats")).isEqualTo(Map.of("files_changed", 1L, "lines_added", 5L,
                "lines_deleted", 1L));
        assertThat(at(state, "readiness_scores")).isEqualTo(Map.of(US, 8L));
        Map<String, Object> finalStatus = status(US);
        assertThat(finalStatus).containsEntry("active", false).containsEntry("resume_action", "Pipeline complete");
        Map<String, Object> closed = cli.run("complete", "--story", US).ok();
        assertThat(at(closed, "state", "phase")).isEqualTo("DONE");
        assertThat(at(closed, "state", "closed")).isEqualTo(true);
        assertThat(cli.run("status").ok()).as("a closed run is no longer current")
                .isEqualTo(Map.of("ok", true, "active", false));
    }

    @Test
    void answersEveryGuardRejectionOfTheStoryPipelineWithTheOlderRuntimesTexts() {
        start(US);
        // QUEUED
        rejected(US, "DONE", "invalid_transition", "Invalid transition: QUEUED->DONE", "Check pipeline state graph");
        rejected(US, "STAGE_9", "unknown_state", "Invalid transition: QUEUED->STAGE_9", "Check pipeline state graph");
        // STAGE_0
        advance(US, "STAGE_0");
        rejected(US, "STAGE_3", "invalid_transition", "Invalid transition: STAGE_0->STAGE_3",
                "Check pipeline state graph");
        rejected(US, "STAGE_1", "stage_0_checkpoint_missing", "Stage 0 checkpoint missing", "Run ln-300 (the task-decomposition skill) first and record its checkpoint");
        checkpoint(US, 0, "--plan-score", "3");
        rejected(US, "STAGE_1", "stage_0_summary_missing", "Stage 0 summary missing or not completed",
                "Record the stage summary of ln-300 (the task-decomposition skill)");
        summary(US, Envelopes.summary(US, 0));
        advance(US, "STAGE_1");
        // STAGE_1
        rejected(US, "STAGE_2", "stage_1_checkpoint_missing", "Stage 1 checkpoint missing", "Run ln-310 (the story-validation skill) first and record its checkpoint");
        rejected(US, "STAGE_1", "stage_1_no_go_missing", "Stage 1 NO-GO summary missing",
                "Record the NO-GO stage summary of ln-310 (the story-validation skill) before retrying validation");
        checkpoint(US, 1, "--verdict", "NO-GO", "--readiness", "4");
        rejected(US, "STAGE_2", "stage_1_summary_missing", "Stage 1 summary missing or not completed",
                "Record the stage summary of ln-310 (the story-validation skill)");
        summary(US, Envelopes.summary(US, 1).verdict("GO").readiness(4));
        rejected(US, "STAGE_2", "readiness_too_low", "Readiness 4 < 5", "Improve story quality");
        summary(US, Envelopes.summary(US, 1).verdict("GO").readiness(8));
        rejected(US, "STAGE_2", "checkpoint_verdict_not_go", "Checkpoint verdict is NO-GO, not GO",
                "Checkpoint stage 1 with the verdict of its summary");
        summary(US, Envelopes.summary(US, 1).verdict("NO-GO").readiness(4));
        rejected(US, "STAGE_2", "verdict_not_go", "Verdict is NO-GO, not GO", "Fix validation issues");
        advance(US, "STAGE_1");
        checkpoint(US, 1, "--verdict", "NO-GO", "--readiness", "3");
        summary(US, Envelopes.summary(US, 1).verdict("NO-GO").readiness(3));
        rejected(US, "STAGE_1", "validation_retry_exhausted", "Validation retry exhausted", "Escalate to user");

        // A second story for STAGE_2, STAGE_3 and the quality cycle limit
        String other = "PROJ-42";
        start(other);
        throughStage0(other);
        checkpoint(other, 1, "--verdict", "GO", "--readiness", "9");
        summary(other, Envelopes.summary(other, 1).verdict("GO").readiness(9));
        advance(other, "STAGE_2");
        rejected(other, "STAGE_3", "stage_2_checkpoint_missing", "Stage 2 checkpoint missing", "Run ln-400 (the story-execution skill) first and record its checkpoint");
        checkpoint(other, 2, "--git-stats", "{\"files_changed\":1}");
        rejected(other, "STAGE_3", "stage_2_summary_missing", "Stage 2 summary missing or not completed",
                "Record the stage summary of ln-400 (the story-execution skill)");
        summary(other, Envelopes.summary(other, 2).storyStatus("In Progress"));
        rejected(other, "STAGE_3", "story_not_to_review", "Story status In Progress is not To Review",
                "Finish execution stage");
        summary(other, Envelopes.summary(other, 2));
        advance(other, "STAGE_3");
        rejected(other, "DONE", "stage_3_checkpoint_missing", "Stage 3 checkpoint missing", "Run ln-500 (the quality-gate skill) first and record its checkpoint");
        rejected(other, "STAGE_2", "stage_3_fail_missing", "Stage 3 FAIL summary missing",
                "Record the FAIL stage summary of ln-500 (the quality-gate skill) before the rework");
        checkpoint(other, 3, "--verdict", "FAIL", "--quality-score", "40", "--issues", "tests fail");
        rejected(other, "DONE", "stage_3_summary_missing", "Stage 3 summary missing or not completed",
                "Record the stage summary of ln-500 (the quality-gate skill)");
        for (int cycle = 1; cycle <= 2; cycle++) {
            failQualityGate(other);
            rejected(other, "DONE", "quality_gate_not_passed", "Verdict FAIL not in PASS,CONCERNS,WAIVED",
                    "Quality gate must pass");
            assertThat(at(advance(other, "STAGE_2"), "state", "quality_cycles")).isEqualTo((long) cycle);
            throughStage2(other);
        }
        failQualityGate(other);
        rejected(other, "STAGE_2", "quality_cycle_limit", "Quality cycle limit reached (2)", "Escalate to user");

        // Then every rejection code of story-pipeline.yaml was seen, except the crash limit: only the
        // orchestrator counts crashed workers, no command of the older runtime's protocol can reach it
        Set<String> codes = rejectionCodesOfTheDefinition();
        codes.remove("crash_limit");
        codes.add("invalid_transition");
        codes.add("unknown_state");
        assertThat(rejectionCodes).isEqualTo(codes);
    }

    private static Set<String> rejectionCodesOfTheDefinition() {
        String yaml;
        try (InputStream in = StoryPipeline.class.getResourceAsStream("story-pipeline.yaml")) {
            yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        Set<String> codes = new TreeSet<>();
        Matcher m = Pattern.compile("code: ([a-z0-9_]+)").matcher(yaml);
        while (m.find()) {
            codes.add(m.group(1));
        }
        assertThat(codes).hasSizeGreaterThan(15);
        return codes;
    }

    @Test
    void answersEveryResumeActionOfTheStoryPipeline() {
        Set<String> seen = new LinkedHashSet<>();
        start(US);
        seen.add(resumeAction(US));
        advance(US, "STAGE_0");
        seen.add(resumeAction(US));
        checkpoint(US, 0, "--plan-score", "4");
        seen.add(resumeAction(US));
        summary(US, Envelopes.summary(US, 0));
        seen.add(resumeAction(US));
        advance(US, "STAGE_1");
        checkpoint(US, 1, "--verdict", "NO-GO", "--readiness", "4");
        summary(US, Envelopes.summary(US, 1).verdict("NO-GO").readiness(4));
        seen.add(resumeAction(US));
        advance(US, "STAGE_1");
        checkpoint(US, 1, "--verdict", "GO", "--readiness", "8");
        summary(US, Envelopes.summary(US, 1).verdict("GO").readiness(8));
        advance(US, "STAGE_2");
        checkpoint(US, 2, "--git-stats", "{\"files_changed\":2,\"lines_added\":10,\"lines_deleted\":0}");
        summary(US, Envelopes.summary(US, 2).storyStatus("In Progress"));
        seen.add(resumeAction(US));
        summary(US, Envelopes.summary(US, 2));
        advance(US, "STAGE_3");
        failQualityGate(US);
        seen.add(resumeAction(US));
        advance(US, "STAGE_2");
        throughStage2(US);
        checkpoint(US, 3, "--verdict", "CONCERNS", "--quality-score", "80");
        summary(US, Envelopes.summary(US, 3).verdict("CONCERNS").quality(80));
        seen.add(resumeAction(US));
        cli.run("pause", "--story", US, "--reason", "Waiting for the product owner").ok();
        seen.add(resumeAction(US));
        cli.run("resume", "--story", US).ok();
        advance(US, "DONE");
        seen.add(resumeAction(US));

        assertThat(seen).containsExactly(
                "Determine target stage from kanban, then advance",
                "Invoke ln-300 (the task-decomposition skill) for STAGE_0 and write its checkpoint",
                "Read the stage summary of ln-300 (the task-decomposition skill) and record it",
                "Advance to STAGE_1 and invoke ln-310 (the story-validation skill)",
                "Retry STAGE_1: advance to STAGE_1 and invoke ln-310 (the story-validation skill)",
                "Blocked: Story status In Progress is not To Review. Finish execution stage",
                "Rework: advance to STAGE_2 and invoke ln-400 (the story-execution skill)",
                "Complete pipeline",
                "Paused: Waiting for the product owner",
                "Pipeline complete");
    }

    @Test
    void startOnAnUnfinishedRunAnswersRecoveryWithItsResumeAction() {
        Map<String, Object> first = start(US);
        advance(US, "STAGE_0");
        checkpoint(US, 0, "--plan-score", "2");

        Map<String, Object> again = start(US);

        assertThat(again).containsEntry("recovery", true)
                .containsEntry("resume_action", "Read the stage summary of ln-300 (the task-decomposition skill) and record it")
                .containsKeys("manifest", "state", "checkpoints");
        assertThat(at(again, "state", "run_id")).isEqualTo(first.get("run_id"));
        assertThat(at(again, "state", "phase")).isEqualTo("STAGE_0");
        assertThat(at(again, "checkpoints", "STAGE_0", "payload", "plan_score")).isEqualTo(2L);
    }

    @Test
    void pausesResumesCancelsAndCompletesAsTheSkillDoes() {
        start(US);
        throughStage0(US);
        // pause, then resume into the stage the run paused in
        Map<String, Object> paused = cli.run("pause", "--story", US, "--reason", "Stage 1 artifact missing").ok();
        assertThat(at(paused, "state", "phase")).isEqualTo("PAUSED");
        assertThat(at(paused, "state", "paused_reason")).isEqualTo("Stage 1 artifact missing");
        assertThat(resumeAction(US)).isEqualTo("Paused: Stage 1 artifact missing");
        rejected(US, "STAGE_2", "stage_1_checkpoint_missing", "Stage 1 checkpoint missing", "Run ln-310 (the story-validation skill) first and record its checkpoint");
        Map<String, Object> resumed = cli.run("resume", "--story", US).ok();
        assertThat(resumed).containsEntry("previous_phase", "PAUSED").containsEntry("current_phase", "STAGE_1")
                .containsEntry("resumed_from", "PAUSED");
        // advance --resolve out of a pause still goes through the guards
        cli.run("pause", "--story", US, "--reason", "Reviewer away").ok();
        Map<String, Object> stillGuarded = cli.run("advance", "--story", US, "--to", "STAGE_2", "--resolve")
                .rejected();
        assertThat(stillGuarded).containsEntry("error", "Stage 1 checkpoint missing");
        assertThat(cli.run("advance", "--story", US, "--to", "STAGE_1", "--resolve").ok())
                .containsEntry("current_phase", "STAGE_1");
        // advance --force out of a pause overrides the guards and records why
        cli.run("pause", "--story", US, "--reason", "Validator down").ok();
        Map<String, Object> forced = cli.run("advance", "--story", US, "--to", "STAGE_2", "--force", "--reason",
                "Validated by hand").ok();
        assertThat(forced).containsEntry("current_phase", "STAGE_2").containsEntry("override", "Validated by hand");
        // resume --force needs a reason
        cli.run("pause", "--story", US, "--reason", "again").ok();
        Map<String, Object> noReason = cli.run("resume", "--story", US, "--force").error();
        assertThat(noReason).containsEntry("error", "resume --force requires --reason")
                .containsEntry("code", "missing_flag");
        cli.run("resume", "--story", US, "--to", "STAGE_2").ok();
        // complete is guarded like advance --to DONE
        Map<String, Object> notYet = cli.run("complete", "--story", US).rejected();
        assertThat(notYet).containsEntry("error", "Invalid transition: STAGE_2->DONE");
        // cancel ends the run
        Map<String, Object> canceled = cli.run("cancel", "--story", US, "--reason", "Descoped").ok();
        assertThat(at(canceled, "state", "phase")).isEqualTo("DONE");
        assertThat(at(canceled, "state", "complete")).isEqualTo(true);
        assertThat(at(canceled, "state", "final_result")).isEqualTo("CANCELED");
        assertThat(cli.run("status", "--story", US).ok()).containsEntry("active", false)
                .containsEntry("found", true).containsEntry("final_result", "CANCELED");
        Map<String, Object> nothing = cli.run("cancel", "--story", US).error();
        assertThat(nothing).containsEntry("code", "no_active_run");
    }

    @Test
    void answersTheCheckpointsObjectWithHistorySequenceAndNewestEntryPerStage() {
        start(US);
        advance(US, "STAGE_0");
        checkpoint(US, 0, "--plan-score", "2", "--last-action", "first plan");
        checkpoint(US, 0, "--plan-score", "4", "--last-action", "better plan");
        summary(US, Envelopes.summary(US, 0));
        advance(US, "STAGE_1");
        Map<String, Object> go = checkpoint(US, 1, "--verdict", "GO", "--readiness", "7");
        assertThat(at(go, "checkpoint", "sequence")).isEqualTo(3L);

        Map<String, Object> checkpoints = object(status(US), "checkpoints");

        assertThat(checkpoints).containsEntry("_next_sequence", 4L)
                .containsKeys("STAGE_0", "STAGE_1", "_history").doesNotContainKeys("STAGE_2", "STAGE_3");
        List<Map<String, Object>> history = objects(checkpoints, "_history");
        assertThat(history).hasSize(3);
        for (int i = 0; i < history.size(); i++) {
            Map<String, Object> entry = history.get(i);
            assertThat(entry).containsOnlyKeys("sequence", "phase", "created_at", "payload")
                    .containsEntry("sequence", (long) i + 1);
            assertThat((String) entry.get("created_at")).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
        }
        assertThat(history).extracting(e -> e.get("phase")).containsExactly("STAGE_0", "STAGE_0", "STAGE_1");
        assertThat(checkpoints.get("STAGE_0")).as("newest entry of the stage").isEqualTo(history.get(1));
        assertThat(checkpoints.get("STAGE_1")).isEqualTo(history.get(2));
        Map<String, Object> payload = object(history.get(1), "payload");
        assertThat(payload).containsEntry("stage", 0L).containsEntry("plan_score", 4L)
                .containsEntry("last_action", "better plan").containsEntry("tasks_completed", List.of())
                .containsEntry("tasks_remaining", List.of()).containsKeys("started_at", "completed_at");
        assertThat(at(history.get(2), "payload", "verdict")).isEqualTo("GO");
        assertThat(at(history.get(2), "payload", "readiness")).isEqualTo(7L);
    }

    @Test
    void recordLoopHealthPausesTheRunAfterThreeIdenticalNoProgressFailures() {
        start(US);
        throughStage0(US);
        checkpoint(US, 1, "--verdict", "GO", "--readiness", "9");
        summary(US, Envelopes.summary(US, 1).verdict("GO").readiness(9));
        advance(US, "STAGE_2");
        String signal = "{\"error\":\"Stage 2 ASSERT failed\",\"progress_detected\":false}";

        Map<String, Object> first = cli.run("record-loop-health", "--story", US, "--stage", "2", "--payload", signal)
                .ok();
        Map<String, Object> second = cli.run("record-loop-health", "--story", US, "--stage", "2", "--payload",
                signal).ok();
        Map<String, Object> third = cli.run("record-loop-health", "--story", US, "--stage", "2", "--payload", signal)
                .ok();

        assertThat(at(first, "pause", "pause")).isEqualTo(false);
        assertThat(at(first, "state", "phase")).isEqualTo("STAGE_2");
        assertThat(first).containsKeys("loop_health");
        assertThat(at(second, "pause", "pause")).isEqualTo(false);
        assertThat(at(third, "pause", "pause")).isEqualTo(true);
        assertThat(at(third, "pause", "reason")).asString().isNotBlank();
        assertThat(at(third, "state", "phase")).isEqualTo("PAUSED");
        String reason = text(third, "state", "paused_reason");
        assertThat(reason).startsWith("stage_2 loop health pause - ");
        assertThat(resumeAction(US)).isEqualTo("Paused: " + reason);
        // the skill then escalates; a person resumes into the stage through its guards
        assertThat(cli.run("resume", "--story", US).ok()).containsEntry("current_phase", "STAGE_2");
    }

    @Test
    void recordLoopHealthPausesAtOnceOnAPermissionDenial() {
        start(US);
        advance(US, "STAGE_0");

        Map<String, Object> answer = cli.run("record-loop-health", "--story", US, "--stage", "0", "--payload",
                "{\"error\":\"bash: permission denied: ./gradlew\",\"progress_detected\":false}").ok();

        assertThat(at(answer, "pause", "pause")).isEqualTo(true);
        assertThat(at(answer, "pause", "category")).isEqualTo("permission_denial");
        assertThat(text(answer, "state", "paused_reason")).startsWith("stage_0 loop health pause - ");
    }
}
