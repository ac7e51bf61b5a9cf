package dev.agentpipeline.cli;

import dev.agentpipeline.core.internal.Json;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static dev.agentpipeline.cli.Cli.at;
import static dev.agentpipeline.cli.Cli.objects;
import static dev.agentpipeline.cli.Cli.text;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code launch}, {@code worker}, {@code runs} and {@code decide --run}: a project's own pipeline that waits for a
 * signal and a person, driven from the command line as an agent and a person would.
 */
class WaitingCommandsTest {

    private static final String WAITS = """
            schema_version: 1
            id: waits
            initial: QUEUED
            states:
              QUEUED: {}
              WORK:
                signal: {format: json}
              ASK:
                gate:
                  question: "Ship ${signal.WORK.version}?"
                  options:
                    - {id: ship, label: Ship it, pros: [users get it today], cons: [no second look]}
                    - {id: hold, label: Hold it}
                  answerers: [lead]
              DONE: {terminal: true}
              HELD: {terminal: true}
            transitions:
              - {from: QUEUED, to: WORK}
              - from: WORK
                to: ASK
                guards:
                  - require: {signal.WORK.status: {eq: ok}}
                    reject: {code: not_ok, error: "The work is not ok", recovery: "Send an ok signal"}
              - from: ASK
                to: DONE
                guards:
                  - require: {decision.ASK.option: {eq: ship}}
                    reject: {code: not_shipped, error: "Not shipped", recovery: "Answer the gate"}
              - from: ASK
                to: HELD
                guards:
                  - require: {decision.ASK.option: {eq: hold}}
                    reject: {code: not_held, error: "Not held", recovery: "Answer the gate"}
            """;

    @TempDir
    Path project;

    private Cli cli;

    @BeforeEach
    void setUp() throws IOException {
        cli = new Cli(project);
        Files.createDirectories(project.resolve(".pipeline/pipelines"));
        Files.writeString(project.resolve(".pipeline/pipelines/waits.yaml"), WAITS);
    }

    private Map<String, Object> worker() {
        Cli.Result result = cli.run("worker", "--stop-when-idle", "1s", "--rescan", "200ms", "--lines", "json");
        assertThat(result.exitCode()).as(result.stderr()).isZero();
        for (String line : result.stderr().split("\n")) {
            assertThat(Json.parseObject(line)).as("every status line is a JSON object").isNotNull();
        }
        return Json.parseObject(result.stdout());
    }

    @Test
    void aRunWaitsForItsSignalAndAPersonAndTheWorkerDrivesItToTheEnd() {
        Map<String, Object> launched = cli.run("launch", "--pipeline", "waits", "--subject", "release-7").ok();
        String runId = text(launched, "run_id");
        assertThat(launched).containsEntry("status", "waiting");
        assertThat(at(launched, "waiting_for", "kind")).isEqualTo("signal");

        Map<String, Object> runs = cli.run("runs", "--format", "json").ok();
        assertThat(objects(runs, "runs")).singleElement().satisfies(run -> {
            assertThat(run).containsEntry("run_id", runId).containsEntry("phase", "WORK");
            assertThat(at(run, "waiting_for", "detail")).isEqualTo("WORK");
        });

        cli.run("signal", "--run", runId, "--json", "{\"status\": \"ok\", \"version\": \"1.4\"}",
                "--definition", ".pipeline/pipelines/waits.yaml").ok();
        Map<String, Object> first = worker();
        assertThat(first).containsEntry("stopped", "idle");

        Map<String, Object> asking = cli.run("runs", "--format", "json").ok();
        Map<String, Object> run = objects(asking, "runs").get(0);
        assertThat(run).containsEntry("phase", "ASK");
        Map<String, Object> gate = objects(run, "open_gates").get(0);
        assertThat(gate).containsEntry("question", "Ship 1.4?").containsEntry("may_answer", List.of("lead"));
        assertThat(objects(gate, "options").get(0)).containsEntry("id", "ship")
                .containsEntry("pros", List.of("users get it today"));
        String table = cli.run("runs", "--format", "table").stdout();
        assertThat(table).contains("waits for decision ASK-1", "ship) Ship it  + users get it today  - no second look",
                "answer: pipeline decide --run " + runId + " --option <id> --by <name>");

        assertThat(text(cli.run("decide", "--run", runId, "--option", "ship", "--by", "intern").error(), "code"))
                .isEqualTo("not_allowed");
        Map<String, Object> decided = cli.run("decide", "--run", runId, "--option", "SHIP", "--by", "lead",
                "--reason", "tested").ok();
        assertThat(decided).containsEntry("gate_id", "ASK-1").containsEntry("option", "ship")
                .containsEntry("by", "lead");
        assertThat(text(cli.run("decide", "--run", runId, "--option", "hold", "--by", "lead").error(), "code"))
                .isEqualTo("already_decided");

        worker();
        Map<String, Object> all = cli.run("runs", "--all", "--format", "json").ok();
        assertThat(objects(all, "runs").get(0)).containsEntry("phase", "DONE").containsEntry("final_result", "DONE");
        assertThat(objects(cli.run("runs", "--format", "json").ok(), "runs")).isEmpty();
    }

    @Test
    void aPhaseSavesItsCheckpointWhichIsJournaledAndMirroredInTheOriginalLayout() throws IOException {
        String runId = text(cli.run("launch", "--pipeline", "phase", "--subject", "shop", "--no-drive").ok(),
                "run_id");
        var runtime = dev.agentpipeline.core.engine.PipelineRuntime.builder()
                .store(dev.agentpipeline.core.store.FileRunStore.open(project.resolve(".pipeline")))
                .definitions(dev.agentpipeline.core.phase.ProjectPipelines.of(project)).build();
        runtime.advance(runId, "PHASE_5");
        String attempt = runtime.startAttempt(runId, "phase-agent", "1").attempt().attemptId(); // the agent runs
        String checkpoint = "{\"state\": {\"current_operation\": \"Expanding task 10\","
                + " \"completed_operations\": [\"Analyzed complexity\"], \"pending_operations\": [\"Expand task 11\"]},"
                + " \"resume_command\": \"Continue Phase 5 from checkpoint 1: task #10\"}";

        Map<String, Object> saved = cli.run("progress", "--run", runId, "--json", checkpoint).ok();

        assertThat(saved).containsEntry("attempt_id", attempt).containsEntry("checkpoint_number", 1L);
        Path mirrored = project.resolve(".taskmaster/.checkpoints/phase5-checkpoint-1.json");
        Map<String, Object> file = Json.parseObject(Files.readString(mirrored));
        assertThat(file).containsEntry("phase", 5L).containsEntry("checkpoint_number", 1L)
                .containsEntry("resume_command", "Continue Phase 5 from checkpoint 1: task #10");
        assertThat(runtime.load(runId).state().freshProgress("PHASE_5")).get()
                .satisfies(p -> assertThat(p).containsEntry("resume_command",
                        "Continue Phase 5 from checkpoint 1: task #10"));

        Map<String, Object> invalid = cli.run("progress", "--run", runId, "--json", "{\"step\": 3}").error();
        assertThat(invalid).containsEntry("code", "invalid_progress");
        assertThat(invalid.get("problems").toString()).contains("$.resume_command must be a text");
    }

    @Test
    void aRunOfAnyPipelineIsPausedResumedAndCanceledByItsId() {
        String runId = text(cli.run("launch", "--pipeline", "waits", "--subject", "r8").ok(), "run_id");
        dev.agentpipeline.core.engine.PipelineRuntime.builder()
                .store(dev.agentpipeline.core.store.FileRunStore.open(project.resolve(".pipeline")))
                .definitions(dev.agentpipeline.core.phase.ProjectPipelines.of(project)).build()
                .pause(runId, dev.agentpipeline.core.engine.PauseRequest.of("hold on"));

        Map<String, Object> resumed = cli.run("resume", "--run", runId).ok();
        assertThat(resumed).containsEntry("phase", "WORK");
        Map<String, Object> canceled = cli.run("cancel", "--run", runId, "--reason", "not needed").ok();
        assertThat(canceled).containsEntry("final_result", "CANCELED");
        assertThat(text(cli.run("resume", "--run", "nope").error(), "code")).isEqualTo("run_not_found");
    }

    @Test
    void launchNamesWhatIsWrongBeforeAnythingStarts() {
        assertThat(text(cli.run("launch", "--pipeline", "nope", "--subject", "x").error(), "code"))
                .isEqualTo("unknown_pipeline");
        assertThat(text(cli.run("launch", "--pipeline", "waits").error(), "code")).isEqualTo("missing_flag");
        assertThat(text(cli.run("launch", "--pipeline", "phase", "--subject", "shop").error(), "code"))
                .isEqualTo("missing_plugin");
        assertThat(text(cli.run("decide", "--run", "no-such-run", "--option", "x").error(), "code"))
                .isEqualTo("run_not_found");
        assertThat(text(cli.run("worker", "--threads", "0").error(), "code")).isEqualTo("invalid_flag");
    }
}
