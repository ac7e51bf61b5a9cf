package dev.agentpipeline.core.story;

import dev.agentpipeline.core.engine.PipelineRuntime;
import dev.agentpipeline.core.internal.Json;
import dev.agentpipeline.core.run.SummaryPolicy;
import dev.agentpipeline.core.store.FileRunStore;
import dev.agentpipeline.core.testing.InMemoryRunStore;
import dev.agentpipeline.core.testing.MutableClock;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The switch that makes stage summaries optional: per run ({@code start --summaries optional}, recorded in the
 * run's manifest and honoured by every later command) and per project ({@code .pipeline.conf}). Under it, the
 * older ln-1000 runtime's call sequence - checkpoints and advances, never a stage summary - reaches DONE, and the
 * verdict guards and loops judge the checkpoints; by default the same sequence is rejected at the first advance.
 */
class StoryCommandsSummariesTest {

    private static final String US = "PROJ-123";

    @TempDir
    Path project;

    private final MutableClock clock = new MutableClock();
    private FileRunStore store;
    private StoryCommands commands;

    @BeforeEach
    void setUp() {
        commands = commands();
    }

    /** Commands as a new process gets them: a fresh runtime and store over the same state directory. */
    private StoryCommands commands() {
        store = FileRunStore.builder(project.resolve(".pipeline")).clock(clock).build();
        PipelineRuntime runtime = PipelineRuntime.builder().store(store).definition(StoryPipeline.definition())
                .clock(clock).build();
        return new StoryCommands(runtime, project);
    }

    private static Map<String, Object> ok(CommandResult result) {
        assertThat(result.exitCode()).as("%s", Json.compact(result.json())).isEqualTo(CommandResult.OK);
        return result.json();
    }

    private static Map<String, Object> rejected(CommandResult result) {
        assertThat(result.exitCode()).as("%s", Json.compact(result.json())).isEqualTo(CommandResult.REJECTED);
        return result.json();
    }

    private static Map<String, Object> error(CommandResult result) {
        assertThat(result.exitCode()).as("%s", Json.compact(result.json())).isEqualTo(CommandResult.ERROR);
        return result.json();
    }

    private Map<String, Object> start(String summaries) {
        return ok(commands.start(StoryCommands.StartArgs.builder(US).title("Story title").summaries(summaries)
                .build()));
    }

    private CommandResult advance(String to) {
        return commands.advance(US, to, false, false, null);
    }

    private Map<String, Object> checkpoint(StoryCommands.CheckpointArgs.Builder args) {
        return ok(commands.checkpoint(args.story(US).build()));
    }

    private static StoryCommands.CheckpointArgs.Builder stage(int stage) {
        return StoryCommands.CheckpointArgs.builder(String.valueOf(stage));
    }

    private String resumeAction() {
        return (String) ok(commands.status(US)).get("resume_action");
    }

    private void config(String text) throws IOException {
        Files.writeString(project.resolve(".pipeline.conf"), text, StandardCharsets.UTF_8);
    }

    /** The older ln-1000 runtime's smoke test, step by step: no stage summary is ever recorded. */
    private Map<String, Object> olderRuntimeSmokeSequence() {
        ok(advance("STAGE_0"));
        checkpoint(stage(0).planScore("4").tasksRemaining("[]").lastAction("plan complete"));
        assertThat(resumeAction()).isEqualTo("Advance to STAGE_1 and invoke ln-310 (the story-validation skill)");
        ok(advance("STAGE_1"));
        checkpoint(stage(1).verdict("GO").readiness("8").lastAction("validation complete"));
        ok(advance("STAGE_2"));
        checkpoint(stage(2).tasksCompleted("[]").gitStats("{}").lastAction("execution complete"));
        ok(advance("STAGE_3"));
        checkpoint(stage(3).verdict("PASS").qualityScore("90").lastAction("gate complete"));
        assertThat(resumeAction()).isEqualTo("Complete pipeline");
        return ok(commands.complete(US));
    }

    // ------------------------------------------------------------------------------------------ per run

    @Test
    void byDefaultSummariesAreRequiredAndTheOlderRuntimesSequenceIsRejectedAtTheFirstAdvance() {
        Map<String, Object> started = start(null);
        ok(advance("STAGE_0"));
        checkpoint(stage(0).planScore("4").tasksRemaining("[]").lastAction("plan complete"));

        Map<String, Object> rejection = rejected(advance("STAGE_1"));

        assertThat(((Map<?, ?>) started.get("manifest")).get("summaries")).isEqualTo("required");
        assertThat(rejection).containsEntry("code", "stage_0_summary_missing")
                .containsEntry("error", "Stage 0 summary missing or not completed")
                .containsEntry("recovery", "Record the stage summary of ln-300 (the task-decomposition skill)");
        assertThat(resumeAction()).isEqualTo("Read the stage summary of ln-300 (the task-decomposition skill) and record it");
    }

    @Test
    void withOptionalSummariesTheOlderRuntimesSequenceReachesDone() {
        Map<String, Object> started = start("optional");

        Map<String, Object> completed = olderRuntimeSmokeSequence();

        assertThat(((Map<?, ?>) started.get("manifest")).get("summaries")).isEqualTo("optional");
        Map<?, ?> state = (Map<?, ?>) completed.get("state");
        assertThat(state.get("phase")).isEqualTo("DONE");
        assertThat(state.get("final_result")).isEqualTo("DONE");
        assertThat((Map<?, ?>) state.get("stage_summaries")).as("nothing was made up").isEmpty();
    }

    @Test
    void theRunKeepsItsChoiceForEveryLaterCommandWithoutTheFlag() throws IOException {
        start("optional");
        config("summaries = required\n");   // changing the project's setting later changes nothing for this run
        commands = commands();              // every later command as a new process

        Map<String, Object> completed = olderRuntimeSmokeSequence();

        assertThat(((Map<?, ?>) completed.get("state")).get("phase")).isEqualTo("DONE");
        assertThat(SummaryPolicy.of(store.load(store.runIds().get(0)).orElseThrow().state()))
                .isEqualTo(SummaryPolicy.OPTIONAL);
        String journal = Files.readString(store.runDirectory(store.runIds().get(0)).resolve("journal.jsonl"));
        assertThat(journal.lines().findFirst().orElseThrow()).contains("\"summaries\":\"optional\"");
    }

    @Test
    void aBadFlagValueIsAnErrorAndStartsNothing() {
        Map<String, Object> json = error(commands.start(StoryCommands.StartArgs.builder(US).summaries("maybe")
                .build()));

        assertThat(json).containsEntry("code", "invalid_flag")
                .containsEntry("error", "--summaries must be required or optional (got 'maybe')");
        assertThat((String) json.get("fix")).contains("--summaries optional").contains(".pipeline.conf");
        assertThat(store.runIds()).isEmpty();
    }

    @Test
    void theFlagIgnoresCaseAndBlanks() {
        assertThat(((Map<?, ?>) start(" Optional ").get("manifest")).get("summaries")).isEqualTo("optional");
    }

    @Test
    void aRecoveredRunKeepsItsOwnChoiceAndSaysSo() {
        start(null);

        Map<String, Object> again = start("optional");

        assertThat(again).containsEntry("recovery", true);
        assertThat(((Map<?, ?>) again.get("manifest")).get("summaries")).isEqualTo("required");
        assertThat((List<?>) again.get("warnings")).singleElement().asString()
                .contains("keeps summaries required");
    }

    // -------------------------------------------------------------------------------------- per project

    @Test
    void theProjectsSettingMakesSummariesOptionalForRunsStartedWithoutTheFlag() throws IOException {
        config("# callers written for the older ln-1000 runtime\n\nsummaries = optional\n");

        Map<String, Object> started = start(null);
        Map<String, Object> completed = olderRuntimeSmokeSequence();

        assertThat(((Map<?, ?>) started.get("manifest")).get("summaries")).isEqualTo("optional");
        assertThat(((Map<?, ?>) completed.get("state")).get("phase")).isEqualTo("DONE");
    }

    @Test
    void theFlagWinsOverTheProjectsSetting() throws IOException {
        config("summaries=optional");

        start("required");
        ok(advance("STAGE_0"));
        checkpoint(stage(0).planScore("4"));

        assertThat(rejected(advance("STAGE_1"))).containsEntry("code", "stage_0_summary_missing");
    }

    @Test
    void aBadProjectSettingIsAnErrorNamingTheFileAndLineAndStartsNothing() throws IOException {
        Path file = project.resolve(".pipeline.conf");
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("summaries = maybe\n", file + " line 1: summaries must be required or optional (got 'maybe')");
        cases.put("# ok\nsummary = optional\n", file + " line 2: unknown setting 'summary' (known: summaries)");
        cases.put("summaries optional\n", file + " line 1: 'summaries optional' is not a key = value line");
        cases.put("summaries = optional\nsummaries = required\n", file + " line 2: 'summaries' is set twice");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            config(c.getKey());

            Map<String, Object> json = error(commands.start(StoryCommands.StartArgs.builder(US).build()));

            assertThat(json).as(c.getKey()).containsEntry("code", "invalid_config")
                    .containsEntry("error", c.getValue());
            assertThat((String) json.get("fix")).as(c.getKey()).isNotBlank();
            assertThat(error(commands.start(StoryCommands.StartArgs.builder(US).summaries("optional").build())))
                    .as("a broken file is reported even when the flag decides").containsEntry("code", "invalid_config");
        }
        assertThat(store.runIds()).isEmpty();
    }

    @Test
    void aSettingsFileThatIsNotUtf8OrIsADirectoryIsAnError() throws IOException {
        Files.write(project.resolve(".pipeline.conf"), new byte[] {'s', '=', (byte) 0xC3, (byte) 0x28});
        assertThat(error(commands.start(StoryCommands.StartArgs.builder(US).build())).get("error").toString())
                .contains("is not UTF-8 text");

        Files.delete(project.resolve(".pipeline.conf"));
        Files.createDirectories(project.resolve(".pipeline.conf"));
        assertThat(error(commands.start(StoryCommands.StartArgs.builder(US).build())).get("error").toString())
                .contains("is a directory");
    }

    @Test
    void theSettingsFileIsTheProjectsWhateverTheStoreAndAnEmbedderMayNameAnotherOrNone() throws IOException {
        config("summaries = optional\n");
        PipelineRuntime memory = PipelineRuntime.builder().store(new InMemoryRunStore())
                .definition(StoryPipeline.definition()).clock(clock).build();

        Map<String, Object> fromProject = ok(new StoryCommands(memory, project)
                .start(StoryCommands.StartArgs.builder("US001").build()));
        Map<String, Object> noFile = ok(new StoryCommands(memory, project, null)
                .start(StoryCommands.StartArgs.builder("US002").build()));
        Map<String, Object> flag = ok(new StoryCommands(memory, project, null)
                .start(StoryCommands.StartArgs.builder("US003").summaries("optional").build()));

        assertThat(((Map<?, ?>) fromProject.get("manifest")).get("summaries")).isEqualTo("optional");
        assertThat(((Map<?, ?>) noFile.get("manifest")).get("summaries")).isEqualTo("required");
        assertThat(((Map<?, ?>) flag.get("manifest")).get("summaries")).isEqualTo("optional");
    }

    // ------------------------------------------------------------- verdicts and loops fall back to checkpoints

    @Test
    void underOptionalSummariesVerdictGuardsAndLoopsJudgeTheCheckpoints() {
        start("optional");
        ok(advance("STAGE_1"));
        checkpoint(stage(1).verdict("NO-GO").readiness("4").reason("AC 2 is vague"));

        assertThat(rejected(advance("STAGE_2"))).containsEntry("code", "verdict_not_go")
                .containsEntry("error", "Verdict is NO-GO, not GO");
        assertThat(resumeAction()).isEqualTo("Retry STAGE_1: advance to STAGE_1 and invoke ln-310 (the story-validation skill)");
        Map<String, Object> retried = ok(advance("STAGE_1"));
        assertThat(retried).containsEntry("counter_incremented", "validation_retries");
        assertThat(rejected(advance("STAGE_2"))).as("the NO-GO checkpoint belongs to the last visit")
                .containsEntry("code", "stage_1_checkpoint_missing");
        checkpoint(stage(1).verdict("GO").readiness("4"));
        assertThat(rejected(advance("STAGE_2"))).containsEntry("code", "readiness_too_low")
                .containsEntry("error", "Readiness 4 < 5");
        checkpoint(stage(1).verdict("GO").readiness("8"));
        ok(advance("STAGE_2"));
        checkpoint(stage(2).gitStats("{\"files_changed\":2}"));
        ok(advance("STAGE_3"));
        checkpoint(stage(3).verdict("FAIL").qualityScore("40").issues("tests fail"));

        assertThat(rejected(commands.complete(US))).containsEntry("code", "quality_gate_not_passed")
                .containsEntry("error", "Verdict FAIL not in PASS,CONCERNS,WAIVED");
        assertThat(resumeAction()).isEqualTo("Rework: advance to STAGE_2 and invoke ln-400 (the story-execution skill)");
        assertThat(ok(advance("STAGE_2"))).containsEntry("counter_incremented", "quality_cycles");
        assertThat(rejected(advance("STAGE_3"))).containsEntry("code", "stage_2_checkpoint_missing");
        checkpoint(stage(2));
        ok(advance("STAGE_3"));
        checkpoint(stage(3).verdict("CONCERNS").qualityScore("75"));
        assertThat(((Map<?, ?>) ok(commands.complete(US)).get("state")).get("phase")).isEqualTo("DONE");
    }

    @Test
    void underOptionalSummariesARecordedSummaryStillCountsAndWinsOverTheCheckpoint() {
        String runId = (String) start("optional").get("run_id");
        ok(advance("STAGE_1"));
        checkpoint(stage(1).verdict("GO").readiness("8"));
        ok(commands.recordStageSummary(US, Json.compact(envelope(runId, 1, "completed", "NO-GO", "Backlog"))));

        assertThat(rejected(advance("STAGE_2"))).containsEntry("code", "verdict_not_go")
                .containsEntry("error", "Verdict is NO-GO, not GO");
    }

    @Test
    void underOptionalSummariesARecordedErrorSummaryStillBlocks() {
        String runId = (String) start("optional").get("run_id");
        ok(advance("STAGE_0"));
        checkpoint(stage(0).planScore("4"));
        ok(commands.recordStageSummary(US, Json.compact(envelope(runId, 0, "error", null, "Backlog"))));

        assertThat(rejected(advance("STAGE_1"))).containsEntry("code", "stage_0_summary_missing");
    }

    @Test
    void underOptionalSummariesTheCheckpointIsStillRequired() {
        start("optional");
        ok(advance("STAGE_0"));

        assertThat(rejected(advance("STAGE_1"))).containsEntry("code", "stage_0_checkpoint_missing")
                .containsEntry("error", "Stage 0 checkpoint missing").containsEntry("recovery", "Run ln-300 (the task-decomposition skill) first and record its checkpoint");
        assertThat(resumeAction()).isEqualTo("Invoke ln-300 (the task-decomposition skill) for STAGE_0 and write its checkpoint");
    }

    private static Map<String, Object> envelope(String runId, int stage, String status, String verdict,
                                                String storyStatus) {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("stage", stage);
        payload.put("story_id", US);
        payload.put("status", status);
        payload.put("final_result", verdict == null ? status.toUpperCase(java.util.Locale.ROOT) : verdict);
        payload.put("story_status", storyStatus);
        if (verdict != null) {
            payload.put("verdict", verdict);
        }
        payload.put("warnings", List.of());
        payload.put("metadata", Map.of());
        Map<String, Object> envelope = new LinkedHashMap<>();
        envelope.put("schema_version", "1.0.0");
        envelope.put("summary_kind", "pipeline-stage");
        envelope.put("run_id", runId);
        envelope.put("identifier", US);
        envelope.put("producer_skill", "ln-310");
        envelope.put("produced_at", "2026-01-05T09:00:00Z");
        envelope.put("payload", payload);
        return envelope;
    }
}
