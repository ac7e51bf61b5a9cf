package dev.agentpipeline.cli;

import dev.agentpipeline.core.definition.PipelineDefinition;
import dev.agentpipeline.core.definition.PipelineDefinitions;
import dev.agentpipeline.core.engine.PipelineRuntime;
import dev.agentpipeline.core.engine.Signal;
import dev.agentpipeline.core.engine.StartRequest;
import dev.agentpipeline.core.guard.GuardRegistry;
import dev.agentpipeline.core.internal.Json;
import dev.agentpipeline.core.phase.PhasePipeline;
import dev.agentpipeline.core.signal.SignalInbox;
import dev.agentpipeline.core.signal.SignalWatcher;
import dev.agentpipeline.core.store.FileRunStore;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static dev.agentpipeline.cli.Cli.text;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code pipeline signal}: checks everything it can before it publishes into the inbox, and what it publishes is
 * what the watcher records.
 */
class SignalCommandsTest {

    private static final String DEFINITION = """
            schema_version: 1
            id: phases
            initial: QUEUED
            states:
              QUEUED: {}
              PHASE_7:
                signal: {file: phase7-complete.json, format: phase}
              PHASE_8:
                signal: {name: REVIEWED}
              DONE: {terminal: true}
            transitions:
              - {from: QUEUED, to: PHASE_7}
              - {from: PHASE_7, to: PHASE_8}
              - {from: PHASE_8, to: DONE}
            """;

    @TempDir
    Path project;

    private Cli cli;
    private PipelineRuntime runtime;
    private FileRunStore store;
    private String runId;

    @BeforeEach
    void setUp() throws IOException {
        cli = new Cli(project);
        Files.writeString(project.resolve("phases.yaml"), DEFINITION);
        PipelineDefinition definition = PipelineDefinitions.fromYaml(project.resolve("phases.yaml"),
                GuardRegistry.empty());
        store = FileRunStore.open(project.resolve(".pipeline"));
        runtime = PipelineRuntime.builder().store(store).definition(definition).build();
        runId = runtime.start(StartRequest.builder("phases", "P1").build()).run().state().runId();
        assertThat(runtime.advance(runId, "PHASE_7").allowed()).isTrue();
    }

    private static Map<String, Object> success() {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("phase", 7);
        payload.put("status", "success");
        payload.put("completed_at", "2026-03-02T09:59:00Z");
        payload.put("summary", Map.of("tests_written", 12, "tests_passing", 12));
        payload.put("trigger_next", true);
        payload.put("next_phase", 8);
        return payload;
    }

    private List<Path> inboxFiles() throws IOException {
        Path inbox = project.resolve(".pipeline/inbox");
        if (!Files.isDirectory(inbox)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(inbox)) {
            return files.toList();
        }
    }

    @Test
    void publishesTheSignalOfTheStateTheRunWorksInAndTheWatcherRecordsIt() throws IOException {
        Files.writeString(project.resolve("phase7-complete.json"), Json.pretty(success()));

        Map<String, Object> answer = cli.run("signal", "--run", runId, "--file", "phase7-complete.json",
                "--definition", "phases.yaml").ok();

        String signalId = Signal.of("PHASE_7", success(), "x").id();
        assertThat(answer).containsEntry("run_id", runId).containsEntry("name", "PHASE_7")
                .containsEntry("state", "PHASE_7").containsEntry("signal_id", signalId)
                .containsEntry("already_recorded", false);
        Path file = Path.of(text(answer, "file"));
        assertThat(inboxFiles()).containsExactly(file);
        assertThat(SignalInbox.address(file.getFileName().toString()).runId()).isEqualTo(runId);
        assertThat(text(answer, "next")).contains("A worker watching " + project.resolve(".pipeline/inbox"));

        try (SignalWatcher watcher = SignalWatcher.builder(runtime, SignalInbox.of(store)).build()) {
            assertThat(watcher.scanOnce()).isEqualTo(new SignalWatcher.Scan(1, 0, 0));
        }
        assertThat(runtime.load(runId).state().signals()).singleElement().satisfies(signal -> {
            assertThat(signal.signalId()).isEqualTo(signalId);
            assertThat(signal.source()).isEqualTo("cli");
        });

        Map<String, Object> again = cli.run("signal", "--run", runId, "--json", Json.compact(success()),
                "--definition", "phases.yaml").ok();
        assertThat(again).containsEntry("already_recorded", true);
        assertThat(text(again, "next")).contains("recorded this signal before");
    }

    @Test
    void aRunOfThePhasePipelineNeedsNoDefinitionFile() {
        PipelineRuntime phases = PipelineRuntime.builder().store(store).definition(PhasePipeline.definition())
                .definition(PhasePipeline.deploymentStub()).build();
        String phaseRun = phases.start(StartRequest.builder(PhasePipeline.ID, "P7").build()).run().state().runId();
        assertThat(phases.advance(phaseRun, "PHASE_5").allowed()).isTrue();
        Map<String, Object> payload = success();
        payload.put("phase", 5);
        payload.put("next_phase", 6);

        Map<String, Object> answer = cli.run("signal", "--run", phaseRun, "--json", Json.compact(payload)).ok();

        assertThat(answer).containsEntry("name", "PHASE_5").containsEntry("state", "PHASE_5");
    }

    @Test
    void aNamedSignalOfAnotherStateIsPublishedWithAWordAboutWhenItCounts() {
        Map<String, Object> answer = cli.run("signal", "--run", runId, "--name", "REVIEWED", "--json",
                "{\"approved\": true}", "--definition", "phases.yaml").ok();

        assertThat(answer).containsEntry("name", "REVIEWED").containsEntry("state", "PHASE_8");
        assertThat(text(answer, "next")).contains("is in PHASE_7, not PHASE_8: the signal counts only during a"
                + " visit of PHASE_8 that it came in");
    }

    @Test
    void anUnknownRunIsAnErrorAndNothingIsPublished() throws IOException {
        Map<String, Object> error = cli.run("signal", "--run", "phases-p9-1-deadbeef", "--json", "{}",
                "--definition", "phases.yaml").error();
        Map<String, Object> unsafe = cli.run("signal", "--run", "../x", "--json", "{}").error();
        Map<String, Object> missing = cli.run("signal", "--json", "{}").error();

        assertThat(error).containsEntry("code", "run_not_found");
        assertThat(text(error, "error")).contains("Run phases-p9-1-deadbeef does not exist");
        assertThat(text(error, "fix")).contains("pipeline status");
        assertThat(unsafe).containsEntry("code", "invalid_id");
        assertThat(missing).containsEntry("code", "missing_flag");
        assertThat(inboxFiles()).isEmpty();
    }

    @Test
    void anUnknownNameIsAnErrorListingTheSignalsTheRunWaitsFor() throws IOException {
        Map<String, Object> error = cli.run("signal", "--run", runId, "--name", "PHASE_9", "--json", "{}",
                "--definition", "phases.yaml").error();

        assertThat(error).containsEntry("code", "unknown_signal");
        assertThat(text(error, "error")).isEqualTo("Pipeline phases waits for no signal named 'PHASE_9'; its"
                + " signals are PHASE_7, REVIEWED");
        assertThat(text(error, "fix")).isEqualTo("Pass --name with one of them.");
        assertThat(inboxFiles()).isEmpty();
    }

    @Test
    void anInvalidPayloadIsAnErrorWithEveryProblemsJsonPath() throws IOException {
        Map<String, Object> wrong = success();
        wrong.put("status", "done");
        Map<String, Object> success = success();
        success.remove("trigger_next");
        success.put("next_phase", "eight");

        Map<String, Object> status = cli.run("signal", "--run", runId, "--json", Json.compact(wrong),
                "--definition", "phases.yaml").error();
        Map<String, Object> fields = cli.run("signal", "--run", runId, "--json", Json.compact(success),
                "--definition", "phases.yaml").error();
        Map<String, Object> notJson = cli.run("signal", "--run", runId, "--json", "{\"phase\": 7,",
                "--definition", "phases.yaml").error();
        Map<String, Object> both = cli.run("signal", "--run", runId, "--json", "{}", "--file", "x.json").error();

        assertThat(status).containsEntry("code", "invalid_signal")
                .containsEntry("problems", List.of("$.status must be \"success\" or \"error\", got \"done\""));
        assertThat(text(status, "error")).isEqualTo("Signal 'PHASE_7' does not have the phase format: $.status must"
                + " be \"success\" or \"error\", got \"done\"");
        assertThat(fields).containsEntry("problems", List.of("$.trigger_next must be true or false, got nothing",
                "$.next_phase must be a whole number or null, got \"eight\""));
        assertThat(text(fields, "error")).endsWith("(and 1 more)");
        assertThat(notJson).containsEntry("code", "invalid_json");
        assertThat(text(notJson, "error")).startsWith("--json is not a JSON object: ");
        assertThat(both).containsEntry("code", "invalid_flag");
        assertThat(inboxFiles()).isEmpty();
    }

    @Test
    void aRunOfAnotherPipelineNeedsItsDefinitionAndAnEndedRunTakesNoSignal() throws IOException {
        Map<String, Object> noDefinition = cli.run("signal", "--run", runId, "--json", "{}").error();
        runtime.cancel(runId, "Dropped");
        Map<String, Object> ended = cli.run("signal", "--run", runId, "--json", Json.compact(success()),
                "--definition", "phases.yaml").error();

        assertThat(noDefinition).containsEntry("code", "unknown_pipeline");
        assertThat(text(noDefinition, "fix")).isEqualTo("Put it in .pipeline/pipelines/phases.yaml, or pass it: --definition FILE.yaml.");
        assertThat(ended).containsEntry("code", "run_ended");
        assertThat(text(ended, "error")).contains("already ended (CANCELED)");
        assertThat(inboxFiles()).isEmpty();
    }

    @Test
    void withoutANameARunInAStateThatWaitsForNoSignalIsAnError() throws IOException {
        String queued = runtime.start(StartRequest.builder("phases", "P2").build()).run().state().runId();

        Map<String, Object> error = cli.run("signal", "--run", queued, "--json", "{}", "--definition",
                "phases.yaml").error();

        assertThat(error).containsEntry("code", "signal_name_required");
        assertThat(text(error, "error")).contains("works in QUEUED, which waits for no signal");
        assertThat(inboxFiles()).isEmpty();
    }

    @Test
    void helpShowsTheUsageOptionsAndAnExample() {
        String help = cli.run("help", "signal").stdout();

        assertThat(help).startsWith("Usage: pipeline signal [--run <run-id>] [--name <signal>] [--file <path>]")
                .contains("Options:", "--definition <file>", "Examples:", "pipeline signal --run");
    }
}
