package dev.agentpipeline.examples.docs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentpipeline.core.definition.DefinitionException;
import dev.agentpipeline.core.definition.PipelineDefinition;
import dev.agentpipeline.core.definition.PipelineDefinitions;
import dev.agentpipeline.core.engine.DriveResult;
import dev.agentpipeline.core.engine.Orchestrator;
import dev.agentpipeline.core.engine.PipelineRuntime;
import dev.agentpipeline.core.engine.Signal;
import dev.agentpipeline.core.engine.StartRequest;
import dev.agentpipeline.core.guard.GuardRegistry;
import dev.agentpipeline.core.internal.Json;
import dev.agentpipeline.core.phase.PhasePipeline;
import dev.agentpipeline.core.internal.RunJson;
import dev.agentpipeline.core.run.RunEvent;
import dev.agentpipeline.core.run.RunState;
import dev.agentpipeline.core.signal.SignalInbox;
import dev.agentpipeline.core.store.FileRunStore;
import dev.agentpipeline.core.store.JournalEntry;
import dev.agentpipeline.core.story.CommandResult;
import dev.agentpipeline.core.story.StageSummaryEnvelope;
import dev.agentpipeline.core.story.StoryCommands;
import dev.agentpipeline.core.story.StoryPipeline;
import dev.agentpipeline.core.testing.FakeSleeper;
import dev.agentpipeline.core.testing.MutableClock;
import dev.agentpipeline.examples.demo.Demo;
import dev.agentpipeline.examples.embedding.EmbeddingExamples;
import dev.agentpipeline.examples.plugin.TodoGateStage;
import dev.agentpipeline.spi.Stage;
import dev.agentpipeline.spi.StageContext;
import dev.agentpipeline.spi.StageOutcome;
import dev.agentpipeline.spi.StageRegistry;
import dev.agentpipeline.stages.Scenario;
import dev.agentpipeline.stages.ScriptedStage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Runs real stories and validates every file, journal line and stage summary they produce against the JSON Schemas
 * of docs/schemas; checks that the schemas reject what the runtime never writes (so they are not vacuous), agree
 * with the runtime's own checks, and accept every example of docs/formats.md.
 */
class FormatsSchemaTest {

    private static final String STATE = "state.schema.json";
    private static final String CHECKPOINTS = "checkpoints.schema.json";
    private static final String ENTRY = "checkpoint-entry.schema.json";
    private static final String STORY_PAYLOAD = "checkpoint-entry.schema.json#/$defs/story_payload";
    private static final String GENERIC_PAYLOAD = "checkpoint-entry.schema.json#/$defs/generic_payload";
    private static final String MANIFEST = "manifest.schema.json";
    private static final String JOURNAL = "journal-entry.schema.json";
    private static final String SUMMARY = "stage-summary.schema.json";
    private static final String POINTER = "active-pointer.schema.json";
    private static final String SIGNAL_ENVELOPE = "signal-envelope.schema.json";
    private static final String DEFINITION = "pipeline-definition.schema.json";
    private static final String SCENARIO = "scenario.schema.json";
    private static final String LOOP_HEALTH = "common.schema.json#/$defs/loop_health_entry";

    private static final Set<String> EVENT_TYPES = Set.of("RUN_STARTED", "TRANSITIONED", "CHECKPOINT_RECORDED",
            "STAGE_SUMMARY_RECORDED", "LOOP_HEALTH_RECORDED", "RUN_PAUSED", "RUN_ENDED", "ATTRIBUTES_UPDATED",
            "ATTEMPT_STARTED", "ATTEMPT_FINISHED", "ATTEMPT_CRASHED", "RETRY_SCHEDULED", "PROGRESS_SAVED",
            "TIMER_SET", "TIMER_FIRED", "SIGNAL_RECEIVED", "DECISION_REQUESTED", "DECISION_RECORDED",
            "GATE_ESCALATED", "CHILD_STARTED", "CHILD_ENDED");

    @TempDir
    Path dir;

    private final List<String> problems = new ArrayList<>();
    private final Set<String> typesSeen = new TreeSet<>();
    private int filesChecked;

    // ------------------------------------------------------------------------------------------- real runs

    @Test
    void everyFileOfTheDemoRunMatchesItsSchema() throws IOException {
        // Given the demo: one NO-GO and its retry, one quality FAIL and its rework, then DONE
        Path project = dir.resolve("demo");
        Map<String, Object> answer = Demo.run(project, new PrintStream(new ByteArrayOutputStream(), true,
                StandardCharsets.UTF_8), Clock.systemUTC());
        String runId = (String) answer.get("run_id");
        FileRunStore store = FileRunStore.open(project.resolve(".pipeline"));

        // When / Then: the files on disk, every journal line, and every state the journal passed through
        checkRunFiles(store, runId, "demo");
        checkJournal(store, runId);
        checkEveryProjectionOfTheJournal(store, runId);
        assertThat(problems).isEmpty();
        assertThat(typesSeen).contains("RUN_STARTED", "TRANSITIONED", "ATTEMPT_STARTED", "ATTEMPT_FINISHED",
                "STAGE_SUMMARY_RECORDED", "CHECKPOINT_RECORDED", "ATTRIBUTES_UPDATED");
    }

    @Test
    void everyFileAndAnswerOfTheCommandProtocolThroughALoopHealthPauseAndACancelMatchesItsSchema() throws IOException {
        // Given a runtime whose listener checks the files on disk after every durable event
        Path project = dir.resolve("commands");
        FileRunStore store = FileRunStore.open(project.resolve(".pipeline"));
        PipelineRuntime runtime = PipelineRuntime.builder().store(store).definition(StoryPipeline.definition())
                .clock(new MutableClock()).listener((event, state) -> checkRunFiles(store, state.runId(), event.type()))
                .build();
        StoryCommands commands = new StoryCommands(runtime, project);

        // When the ln-1000 skill drives a story into a NO-GO, a loop that keeps failing, a forced resume and a cancel
        answer(commands.start(StoryCommands.StartArgs.builder("US010").title("Search by tag")
                .projectBrief("{\"tech\":\"Java 17\"}").businessAnswers("{\"tags\":\"free text\"}").build()));
        answer(commands.advance("US010", "STAGE_0", false, false, null));
        answer(commands.checkpoint(StoryCommands.CheckpointArgs.builder("0").story("US010").planScore("4")
                .tasksRemaining("[\"T-001\",\"T-002\"]").lastAction("Tasks created").build()));
        answer(commands.recordStageSummary("US010", envelope(0, "completed", null, "Backlog", null)));
        answer(commands.advance("US010", "STAGE_1", false, false, null));
        answer(commands.checkpoint(StoryCommands.CheckpointArgs.builder("1").story("US010").readiness("4")
                .verdict("NO-GO").reason("AC 2 is vague").agentsInfo("codex").build()));
        answer(commands.recordStageSummary("US010", envelope(1, "completed", "NO-GO", "Backlog", 4)));
        answer(commands.advance("US010", "STAGE_1", false, false, null));
        for (int i = 0; i < 3; i++) {
            answer(commands.recordLoopHealth("US010", "1", "{\"error\":\"Stage 1 ASSERT failed at /tmp/x/"
                    + i + ".md\",\"progress_detected\":false}"));
        }
        answer(commands.status("US010"));
        answer(commands.resume("US010", null, true, "AC rewritten by the product owner"));
        answer(commands.pause("US010", "Waiting for the product owner"));
        answer(commands.cancel("US010", "Story withdrawn"));
        CommandResult after = commands.status("US010");

        // Then
        String runId = store.runIds().get(0);
        checkJournal(store, runId);
        checkEveryProjectionOfTheJournal(store, runId);
        assertThat(problems).isEmpty();
        assertThat(after.json()).containsEntry("active", false);
        assertThat(typesSeen).contains("LOOP_HEALTH_RECORDED", "RUN_PAUSED", "RUN_ENDED");
        RunState state = store.load(runId).orElseThrow().state();
        assertThat(state.finalResult()).contains("CANCELED");
        assertThat(filesChecked).isGreaterThan(20);
    }

    @Test
    void everyFileOfAnOrchestratedRunWithACrashARetryAndSavedProgressMatchesItsSchema() throws IOException {
        // Given stages 0-2 scripted (a rate limit in stage 2), the TODO gate in stage 3, and a worker that died
        Path project = dir.resolve("orchestrated");
        for (int i = 0; i < 60; i++) {
            write(project.resolve(String.format("src/F%02d.java", i)), "class F {}\n");
        }
        MutableClock clock = new MutableClock();
        FileRunStore store = FileRunStore.open(project.resolve(".pipeline"));
        PipelineDefinition story = StoryPipeline.definition()
                .withStagePlugin("STAGE_0", ScriptedStage.ID).withStagePlugin("STAGE_1", ScriptedStage.ID)
                .withStagePlugin("STAGE_2", ScriptedStage.ID).withStagePlugin("STAGE_3", TodoGateStage.ID);
        PipelineRuntime runtime = PipelineRuntime.builder().store(store).definition(story).clock(clock)
                .listener((event, state) -> checkRunFiles(store, state.runId(), event.type())).build();
        Scenario scenario = Scenario.parse("scenario", resource("story-dry-run.yaml"));
        Orchestrator orchestrator = StoryPipeline.orchestrator(runtime,
                        StageRegistry.of(new ScriptedStage(scenario), new TodoGateStage()), run -> project,
                        Optional.of("STAGE_0"))
                .sleeper(new FakeSleeper(clock)).build();
        String runId = runtime.start(StartRequest.builder("story", "US020").title("Export").build()).run().state()
                .runId();
        runtime.advance(runId, "STAGE_0");
        runtime.startAttempt(runId, ScriptedStage.ID, "0.1.0");   // its worker dies: the next drive finds it

        // When
        DriveResult result = orchestrator.drive(runId);
        runtime.complete(runId);

        // Then
        assertThat(result.status()).isEqualTo(DriveResult.Status.COMPLETED);
        checkJournal(store, runId);
        checkEveryProjectionOfTheJournal(store, runId);
        assertThat(problems).isEmpty();
        assertThat(typesSeen).contains("ATTEMPT_CRASHED", "RETRY_SCHEDULED", "PROGRESS_SAVED", "RUN_ENDED");
        assertThat(store.activeRun("story", "US020")).as("complete closes the run").isEmpty();
    }

    @Test
    void everyFileOfARunThatWaitsForSignalsTimersGatesAndAChildMatchesItsSchema() throws IOException {
        // Given the phase pipeline, its agents stages that only complete, and a clock the test moves
        Path project = dir.resolve("phases");
        MutableClock clock = new MutableClock();
        FileRunStore store = FileRunStore.open(project.resolve(".pipeline"));
        PipelineRuntime runtime = PipelineRuntime.builder().store(store).clock(clock)
                .definition(PhasePipeline.definition()).definition(PhasePipeline.deploymentStub())
                .listener((event, state) -> checkRunFiles(store, state.runId(), event.type())).build();
        List<Stage> agents = new ArrayList<>();
        for (String id : List.of(PhasePipeline.AGENT, PhasePipeline.INSTALL, PhasePipeline.FIX,
                PhasePipeline.DEPLOY_AGENT)) {
            agents.add(new Stage() {
                @Override
                public String id() {
                    return id;
                }

                @Override
                public StageOutcome run(StageContext context) {
                    return StageOutcome.completed().build();
                }
            });
        }
        Orchestrator orchestrator = Orchestrator.builder(runtime, StageRegistry.of(agents))
                .inputs(PhasePipeline::inputs).foreground(false).build();
        String runId = runtime.start(StartRequest.builder(PhasePipeline.ID, "shop").build()).run().state().runId();

        // When it runs phase 5, waits for its approval, escalates it on expiry, retries a transient error of
        // phase 6 after a backoff, and is canceled while phase 6 waits
        orchestrator.drive(runId);
        runtime.receiveSignal(runId, Signal.of("PHASE_5", phaseSignal(5, "success"), "test"));
        orchestrator.drive(runId);
        runtime.decide(runId, null, "approve", "lead", "looks right");
        orchestrator.drive(runId);
        runtime.receiveSignal(runId, Signal.of("PHASE_6", phaseSignal(6, "error"), "test"));
        DriveResult backoff = orchestrator.drive(runId);
        clock.set(backoff.waitingFor().until());
        orchestrator.drive(runId);
        runtime.cancel(runId, "test over");

        // And a child run, and a gate that escalates on expiry
        String escalating = """
                schema_version: 1
                id: escalating
                initial: ASK
                states:
                  ASK:
                    gate: {question: "Go?", options: [{id: go}], timeout: 1h, on_expiry: escalate, escalate_to: [cto]}
                  DEPLOY:
                    children: {pipeline: deployment}
                  DONE: {terminal: true}
                transitions:
                  - from: ASK
                    to: DEPLOY
                  - from: DEPLOY
                    to: DONE
                """;
        PipelineRuntime second = PipelineRuntime.builder().store(store).clock(clock)
                .definition(PipelineDefinitions.fromYaml("escalating.yaml", escalating, GuardRegistry.empty()))
                .definition(PhasePipeline.deploymentStub())
                .listener((event, state) -> checkRunFiles(store, state.runId(), event.type())).build();
        Orchestrator foreground = Orchestrator.builder(second, StageRegistry.of(agents)).build();
        String parent = second.start(StartRequest.builder("escalating", "release").build()).run().state().runId();
        Orchestrator.builder(second, StageRegistry.of(agents)).foreground(false).build().drive(parent);
        clock.advance(java.time.Duration.ofHours(1));
        Orchestrator.builder(second, StageRegistry.of(agents)).foreground(false).build().drive(parent);
        second.decide(parent, null, "go", "cto", null);
        DriveResult done = foreground.drive(parent);

        // Then
        assertThat(done.status()).isEqualTo(DriveResult.Status.COMPLETED);
        for (String id : store.runIds()) {
            checkJournal(store, id);
            checkEveryProjectionOfTheJournal(store, id);
        }
        assertThat(problems).isEmpty();
        assertThat(typesSeen).contains("TIMER_SET", "TIMER_FIRED", "SIGNAL_RECEIVED", "DECISION_REQUESTED",
                "DECISION_RECORDED", "GATE_ESCALATED", "CHILD_STARTED", "CHILD_ENDED");
    }

    private static Map<String, Object> phaseSignal(int phase, String status) {
        Map<String, Object> signal = new LinkedHashMap<>();
        signal.put("phase", phase);
        signal.put("status", status);
        if (status.equals("success")) {
            signal.put("completed_at", "2026-01-05T10:00:00Z");
            signal.put("summary", Map.of("tasks_analyzed", 18));
            signal.put("next_phase", phase + 1);
            signal.put("trigger_next", true);
        } else {
            signal.put("failed_at", "2026-01-05T10:00:00Z");
            signal.put("error", Map.of("type", "network_timeout", "message", "Network timeout"));
        }
        return signal;
    }

    @Test
    void theJournalSchemaNamesEveryEventTypeOfTheRuntime() {
        JsonNode types = Schemas.node(read(DocsDirectory.SCHEMAS.resolve(JOURNAL))).at("/properties/type/enum");
        Set<String> named = new TreeSet<>();
        types.forEach(type -> named.add(type.asText()));

        assertThat(named).isEqualTo(new TreeSet<>(EVENT_TYPES));
        assertThat(RunEvent.class.getPermittedSubclasses()).as("a new event type needs its schema and its docs")
                .hasSize(EVENT_TYPES.size());
    }

    // -------------------------------------------------------------------------------- schemas are not vacuous

    @Test
    void theSchemasRejectWhatTheRuntimeNeverWrites() throws IOException {
        // Given valid documents of a real run
        Path project = dir.resolve("demo");
        Map<String, Object> answer = Demo.run(project, new PrintStream(new ByteArrayOutputStream(), true,
                StandardCharsets.UTF_8), Clock.systemUTC());
        Path run = Path.of((String) ((Map<?, ?>) answer.get("paths")).get("run_dir"));
        ObjectNode state = (ObjectNode) Schemas.node(read(run.resolve("state.json")));
        ObjectNode checkpoints = (ObjectNode) Schemas.node(read(run.resolve("checkpoints.json")));
        ObjectNode manifest = (ObjectNode) Schemas.node(read(run.resolve("manifest.json")));
        ObjectNode pointer = (ObjectNode) Schemas.node(read(project.resolve(".pipeline/active/story/US-DEMO-1.json")));
        List<String> lines = Files.readAllLines(run.resolve("journal.jsonl"));
        ObjectNode started = (ObjectNode) Schemas.node(lines.get(0));
        ObjectNode transitioned = (ObjectNode) Schemas.node(lines.get(1));
        ObjectNode finished = (ObjectNode) lines.stream().map(Schemas::node)
                .filter(line -> "ATTEMPT_FINISHED".equals(line.get("type").asText())).findFirst().orElseThrow();
        ObjectNode summary = (ObjectNode) state.get("stage_summaries").get("stage_3");
        for (var valid : List.of(Map.entry(STATE, state), Map.entry(CHECKPOINTS, checkpoints),
                Map.entry(MANIFEST, manifest), Map.entry(POINTER, pointer), Map.entry(JOURNAL, started),
                Map.entry(JOURNAL, transitioned), Map.entry(JOURNAL, finished), Map.entry(SUMMARY, summary))) {
            assertThat(Schemas.problems(valid.getKey(), valid.getValue())).as(valid.getKey()).isEmpty();
        }

        // When / Then: each change makes the document invalid
        rejects(STATE, state, "phase is required", s -> s.remove("phase"));
        rejects(STATE, state, "complete is a boolean", s -> s.put("complete", "yes"));
        rejects(STATE, state, "a paused run has its pause", s -> s.put("phase", "PAUSED"));
        rejects(STATE, state, "final_result is DONE or CANCELED", s -> s.put("final_result", "FAILED"));
        rejects(STATE, state, "an open run has no final_result", s -> s.put("complete", false));
        rejects(STATE, state, "timestamps have milliseconds", s -> s.put("updated_at", "2026-11-22T00:42:11Z"));
        rejects(STATE, state, "schema_version is 1", s -> s.put("schema_version", 2));
        rejects(STATE, state, "a story run has its counters", s -> s.remove("quality_cycles"));
        rejects(STATE, state, "pending_decision is null until gates exist", s -> s.put("pending_decision", "approve"));
        rejects(STATE, state, "story summaries are closed envelopes",
                s -> ((ObjectNode) s.get("stage_summaries").get("stage_0")).put("score", 3));
        rejects(STATE, state, "attempt status is running, finished or crashed",
                s -> ((ObjectNode) s.get("attempts").get(0)).put("status", "waiting"));
        rejects(STATE, state, "an error outcome has its failure",
                s -> ((ObjectNode) s.get("attempts").get(0).get("outcome")).put("status", "error"));
        rejects(STATE, state, "loop health entries are complete",
                s -> ((ObjectNode) s.get("loop_health").get("stages")).putObject("stage_1").put("attempts", 1));
        rejects(CHECKPOINTS, checkpoints, "_next_sequence starts at 1", c -> c.put("_next_sequence", 0));
        rejects(CHECKPOINTS, checkpoints, "entries are closed",
                c -> ((ObjectNode) c.get("STAGE_0")).put("note", "x"));
        rejects(CHECKPOINTS, checkpoints, "history entries have a payload",
                c -> ((ObjectNode) c.get("_history").get(0)).remove("payload"));
        rejects(CHECKPOINTS, checkpoints, "keys are state ids", c -> c.putObject("stage-0"));
        rejects(MANIFEST, manifest, "a story manifest has its project root", m -> m.remove("project_root"));
        rejects(MANIFEST, manifest, "storage is file or linear", m -> m.put("storage_mode", "s3"));
        rejects(POINTER, pointer, "run ids are safe", p -> p.put("run_id", "../elsewhere"));
        rejects(JOURNAL, started, "unknown event types", e -> e.put("type", "RUN_RESTARTED"));
        rejects(JOURNAL, started, "checksums are 8 lower-case hex digits", e -> e.put("crc32c", "6B4BDDCA"));
        rejects(JOURNAL, started, "sequences start at 1", e -> e.put("seq", 0));
        rejects(JOURNAL, started, "commit is true or absent", e -> e.put("commit", false));
        rejects(JOURNAL, started, "no unknown fields", e -> e.put("user", "me"));
        rejects(JOURNAL, transitioned, "TRANSITIONED says whether it is terminal",
                e -> ((ObjectNode) e.get("data")).remove("terminal"));
        rejects(JOURNAL, transitioned, "data matches the type",
                e -> e.put("type", "RUN_ENDED"));
        rejects(JOURNAL, finished, "outcomes carry their status",
                e -> ((ObjectNode) e.get("data").get("outcome")).put("status", "done"));
        rejects(JOURNAL, finished, "progress signals are known",
                e -> ((ArrayNode) e.get("data").get("outcome").get("progress")).add("felt_productive"));
        rejects(SUMMARY, summary, "summary_kind is pipeline-stage", s -> s.put("summary_kind", "stage"));
        rejects(SUMMARY, summary, "stages are 0 to 3", s -> ((ObjectNode) s.get("payload")).put("stage", 4));
        rejects(SUMMARY, summary, "status is completed, skipped or error",
                s -> ((ObjectNode) s.get("payload")).put("status", "done"));
        rejects(SUMMARY, summary, "the payload is closed", s -> ((ObjectNode) s.get("payload")).put("score", 1));
        rejects(SUMMARY, summary, "warnings are required", s -> ((ObjectNode) s.get("payload")).remove("warnings"));
        rejects(SUMMARY, summary, "produced_at is a date-time", s -> s.put("produced_at", "yesterday"));
    }

    @Test
    void theSummarySchemaAgreesWithTheRuntimesEnvelopeCheck() {
        Map<String, Object> valid = Json.parseObject(envelope(3, "completed", "FAIL", "To Rework", null));
        List<Consumer<Map<String, Object>>> changes = List.of(
                e -> { },
                e -> e.put("summary_kind", "report"),
                e -> e.remove("run_id"),
                e -> e.put("identifier", ""),
                e -> e.put("produced_at", "2026-11-21T10:00:00+02:00"),
                e -> e.put("produced_at", "21.11.2026"),
                e -> e.put("extra", true),
                e -> e.put("schema_version", 1),
                e -> payload(e).put("stage", 7),
                e -> payload(e).put("stage", "3"),
                e -> payload(e).put("status", "failed"),
                e -> payload(e).put("story_status", ""),
                e -> payload(e).remove("final_result"),
                e -> payload(e).put("verdict", 5),
                e -> payload(e).put("verdict", null),
                e -> payload(e).put("quality_score", "high"),
                e -> payload(e).put("quality_score", 71.5),
                e -> payload(e).put("warnings", List.of("slow", 3)),
                e -> payload(e).put("metadata", "none"),
                e -> payload(e).put("metadata", Map.of("rework_hint", Map.of("suggested_focus", "Add tests"))),
                e -> payload(e).remove("metadata"),
                e -> payload(e).put("artifact_path", null),
                e -> payload(e).put("colour", "red"));
        for (int i = 0; i < changes.size(); i++) {
            Map<String, Object> envelope = Json.parseObject(Json.compact(valid));
            changes.get(i).accept(envelope);
            boolean runtimeAccepts = StageSummaryEnvelope.validate(envelope).isEmpty();
            boolean schemaAccepts = Schemas.problems(SUMMARY, envelope).isEmpty();
            assertThat(schemaAccepts).as("change %d: %s; runtime says %s", i, Json.compact(envelope),
                    StageSummaryEnvelope.validate(envelope)).isEqualTo(runtimeAccepts);
        }
    }

    @Test
    void theDefinitionSchemaAcceptsTheShippedDefinitionsAndRejectsWhatTheLoaderRejects() {
        String story = resource(StoryPipeline.class, "story-pipeline.yaml");
        String release = resource("release-pipeline.yaml");
        assertThat(Schemas.problems(DEFINITION, Schemas.yaml(story))).isEmpty();
        assertThat(Schemas.problems(DEFINITION, Schemas.yaml(release))).isEmpty();
        GuardRegistry guards = GuardRegistry.empty().with("within-todo-baseline",
                new EmbeddingExamples.WithinBaselineGuard());

        Map<String, String> broken = new LinkedHashMap<>();
        broken.put("an unknown key", story.replace("initial: QUEUED", "initial: QUEUED\nowner: me"));
        broken.put("an unknown operator", story.replace("{eq: GO}", "{equals: GO}"));
        broken.put("a condition without an operator", story.replace("{eq: GO}", "{optional: true}"));
        broken.put("a numeric operator with text", story.replace("{gte: 5, optional: true}", "{gte: five}"));
        broken.put("an evidence path of no kind", story.replace("summary.STAGE_1.verdict: {eq: GO}",
                "verdict: {eq: GO}"));
        broken.put("a negative limit", story.replace("limit: 1\n    code: validation_retry_exhausted",
                "limit: -1\n    code: validation_retry_exhausted"));
        broken.put("an unclosed placeholder", story.replace("Verdict is ${summary.STAGE_1.verdict}, not GO",
                "Verdict is ${summary.STAGE_1.verdict, not GO"));
        broken.put("a terminal state with a stage", story.replace("    terminal: true",
                "    terminal: true\n    stage: story-done"));
        broken.put("a guard that is custom and declarative", release.replace("      - custom: within-todo-baseline",
                "      - custom: within-todo-baseline\n        require: {run.phase: {eq: CHECK}}"));
        broken.put("a malformed plugin id", story.replace("stage: story-execute", "stage: Story_Execute"));
        broken.put("the reserved state PAUSED", story.replace("  DONE:\n", "  PAUSED: {}\n  DONE:\n"));
        broken.put("another schema version", story.replace("schema_version: 1", "schema_version: 2"));
        broken.forEach((what, yaml) -> {
            assertThat(yaml).as(what).isNotEqualTo(yaml.contains("release") ? release : story);
            assertThatThrownBy(() -> PipelineDefinitions.fromYaml(what + ".yaml", yaml, guards))
                    .as("the loader rejects %s", what).isInstanceOf(DefinitionException.class);
            assertThat(Schemas.problems(DEFINITION, Schemas.yaml(yaml))).as("the schema rejects %s", what)
                    .isNotEmpty();
        });

        Map<String, String> valid = new LinkedHashMap<>();
        valid.put("a state without a description", story.replace("  QUEUED:\n    description: Waiting; the story's"
                + " board status decides the first stage.\n", "  QUEUED: {}\n"));
        valid.put("a null state", story.replace("  QUEUED:\n    description: Waiting; the story's"
                + " board status decides the first stage.\n", "  QUEUED: ~\n"));
        valid.put("two operators on one path", story.replace("{gte: 5, optional: true}", "{gte: 5, lte: 10}"));
        valid.put("a counter with a limit only", story.replace("limit: 1\n    code: validation_retry_exhausted\n"
                + "    error: \"Validation retry exhausted\"\n    recovery: \"Escalate to user\"", "limit: 1"));
        valid.put("a described custom guard", release.replace("      - custom: within-todo-baseline",
                "      - custom: within-todo-baseline\n        description: Compares with the baseline"));
        valid.forEach((what, yaml) -> {
            assertThat(yaml).as(what).isNotEqualTo(yaml.contains("release") ? release : story);
            PipelineDefinitions.fromYaml(what + ".yaml", yaml, guards);
            assertThat(Schemas.problems(DEFINITION, Schemas.yaml(yaml))).as("the schema accepts %s", what).isEmpty();
        });

        // An empty value is a state with nothing to say, for the loader as for YAML tools and the schema
        String empty = story.replace("  QUEUED:\n    description: Waiting; the story's board status decides the first"
                + " stage.\n", "  QUEUED:\n");
        PipelineDefinitions.fromYaml("empty.yaml", empty, guards);
        assertThat(Schemas.problems(DEFINITION, Schemas.yaml(empty))).isEmpty();

        // A transition to no state is an error for both
        String emptyTargets = story.replace("to: [STAGE_0, STAGE_1, STAGE_2, STAGE_3]",
                "to: [STAGE_0, STAGE_1, STAGE_2, STAGE_3]\n  - from: QUEUED\n    to: []");
        assertThatThrownBy(() -> PipelineDefinitions.fromYaml("targets.yaml", emptyTargets, guards))
                .hasMessageContaining("'to' is an empty list");
        assertThat(Schemas.problems(DEFINITION, Schemas.yaml(emptyTargets))).isNotEmpty();
    }

    @Test
    void theScenarioSchemaAcceptsTheDryRunAndRejectsAnUnknownField() {
        String scenario = resource("story-dry-run.yaml");
        assertThat(Schemas.problems(SCENARIO, Schemas.yaml(scenario))).isEmpty();
        Scenario.parse("story-dry-run.yaml", scenario);

        String broken = scenario.replace("- verdict: GO", "- verdict: GO\n      score: 8");
        assertThat(Schemas.problems(SCENARIO, Schemas.yaml(broken))).isNotEmpty();
        assertThatThrownBy(() -> Scenario.parse("broken.yaml", broken)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown field 'score'");
    }

    @Test
    void theSignalInboxWritesItsSchemaAndTheSchemaRejectsWhatItNeverWrites() {
        String envelope = new String(SignalInbox.envelope("phases-p1-1767600000000-0a1b2c3d",
                Signal.of("PHASE_7", Map.of("phase", 7, "status", "success"), "cli")), StandardCharsets.UTF_8);
        ObjectNode node = (ObjectNode) Schemas.node(envelope);

        assertThat(Schemas.problems(SIGNAL_ENVELOPE, node)).isEmpty();
        assertThat(SignalInbox.read("phases-p1-1767600000000-0a1b2c3d~PHASE_7~n.json",
                envelope.getBytes(StandardCharsets.UTF_8)).signal().payload()).containsEntry("phase", 7L);
        rejects(SIGNAL_ENVELOPE, node, "run ids are safe", e -> e.put("run_id", "../elsewhere"));
        rejects(SIGNAL_ENVELOPE, node, "names have no '~'", e -> e.put("name", "PHASE~7"));
        rejects(SIGNAL_ENVELOPE, node, "the payload is an object", e -> e.put("payload", "done"));
        rejects(SIGNAL_ENVELOPE, node, "schema_version is 1", e -> e.put("schema_version", 2));
    }

    // -------------------------------------------------------------------------------------- the docs' examples

    @Test
    void everyExampleOfTheDocsMatchesItsSchemaAndEveryCounterexampleDoesNot() {
        int examples = 0;
        for (DocsDirectory.Block block : DocsDirectory.blocks()) {
            if ("example".equals(block.markerKind())) {
                examples++;
                assertThat(Schemas.problems(block.markerValue(), parse(block))).as(block.where()).isEmpty();
            } else if ("example-lines".equals(block.markerKind())) {
                examples++;
                for (String line : block.text()) {
                    assertThat(Schemas.problems(block.markerValue(), Schemas.node(line))).as(block.where() + " " + line)
                            .isEmpty();
                    assertThat(crcHolds(line)).as("checksum of " + line).isTrue();
                }
            } else if ("counterexample".equals(block.markerKind())) {
                examples++;
                assertThat(Schemas.problems(block.markerValue(), parse(block))).as(block.where()).isNotEmpty();
            }
        }
        assertThat(examples).as("docs/formats.md shows examples of every format").isGreaterThanOrEqualTo(8);
    }

    // ------------------------------------------------------------------------------------------------ helpers

    /** Validates the run's projection files and the subject's pointer as they are on disk right now. */
    private void checkRunFiles(FileRunStore store, String runId, String when) {
        Path run = store.runDirectory(runId);
        check(STATE, run.resolve("state.json"), when);
        check(CHECKPOINTS, run.resolve("checkpoints.json"), when);
        check(MANIFEST, run.resolve("manifest.json"), when);
        try (Stream<Path> pointers = Files.exists(store.root().resolve("active"))
                ? Files.walk(store.root().resolve("active")) : Stream.empty()) {
            pointers.filter(p -> p.toString().endsWith(".json")).forEach(p -> check(POINTER, p, when));
        } catch (IOException e) {
            problems.add(when + ": " + e);
        }
        Map<String, Object> checkpoints = Json.parseObject(read(run.resolve("checkpoints.json")));
        String payloadSchema = payloadSchema(store, runId);
        for (Object entry : (List<?>) checkpoints.get("_history")) {
            Object payload = ((Map<?, ?>) entry).get("payload");
            Schemas.problems(payloadSchema, payload).forEach(p -> problems.add(when + ": checkpoint payload " + p));
        }
    }

    /** The story pipeline's checkpoints have its own payload; the orchestrator records others generically. */
    private static String payloadSchema(FileRunStore store, String runId) {
        return store.load(runId).map(run -> run.state().pipelineId()).filter("story"::equals).isPresent()
                ? STORY_PAYLOAD : GENERIC_PAYLOAD;
    }

    private void check(String schema, Path file, String when) {
        filesChecked++;
        Schemas.problems(schema, read(file)).forEach(p -> problems.add(when + ": " + file.getFileName() + " " + p));
    }

    /** Validates every journal line, its checksum and sequence, and every recorded stage summary. */
    private void checkJournal(FileRunStore store, String runId) throws IOException {
        List<String> lines = Files.readAllLines(store.runDirectory(runId).resolve("journal.jsonl"));
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            Schemas.problems(JOURNAL, line).forEach(p -> problems.add("journal line: " + p + " in " + line));
            JsonNode entry = Schemas.node(line);
            typesSeen.add(entry.get("type").asText());
            if (entry.get("seq").asLong() != i + 1) {
                problems.add("journal line " + (i + 1) + " has seq " + entry.get("seq"));
            }
            if (!crcHolds(line)) {
                problems.add("journal line " + (i + 1) + " fails the documented checksum");
            }
            if (entry.get("type").asText().equals("STAGE_SUMMARY_RECORDED")) {
                JsonNode summary = entry.get("data").get("summary");
                if (summary.get("summary_kind").asText().equals("stage-outcome")) {
                    Schemas.problems(GENERIC_PAYLOAD, summary.get("payload"))
                            .forEach(p -> problems.add("summary payload " + p));
                } else {
                    Schemas.problems(SUMMARY, summary).forEach(p -> problems.add("summary " + p));
                }
            }
            if (entry.get("type").asText().equals("CHECKPOINT_RECORDED")) {
                Schemas.problems(payloadSchema(store, runId), entry.get("data").get("payload"))
                        .forEach(p -> problems.add("checkpoint payload " + p));
            }
        }
        assertThat(Schemas.node(lines.get(lines.size() - 1)).get("commit").asBoolean())
                .as("the last line closes its append").isTrue();
    }

    /** Validates the projections of every prefix of the journal: every state.json the run ever had, and more. */
    private void checkEveryProjectionOfTheJournal(FileRunStore store, String runId) {
        List<JournalEntry> journal = store.journal(runId);
        List<RunEvent> events = new ArrayList<>();
        for (JournalEntry entry : journal) {
            events.add(entry.event());
            RunState state = RunState.replay(events);
            String at = "after seq " + entry.sequence() + " " + entry.event().type() + ": ";
            Schemas.problems(STATE, RunJson.state(state)).forEach(p -> problems.add(at + "state " + p));
            Schemas.problems(CHECKPOINTS, RunJson.checkpoints(state)).forEach(p -> problems.add(at + "checkpoints " + p));
            Schemas.problems(MANIFEST, RunJson.manifest(state)).forEach(p -> problems.add(at + "manifest " + p));
            checkInvariants(at, RunJson.checkpoints(state));
        }
    }

    /** What formats.md says of checkpoints.json beyond its schema. */
    private void checkInvariants(String at, Map<String, Object> checkpoints) {
        List<?> history = (List<?>) checkpoints.get("_history");
        for (int i = 0; i < history.size(); i++) {
            if (((Number) ((Map<?, ?>) history.get(i)).get("sequence")).intValue() != i + 1) {
                problems.add(at + "checkpoint sequences are not 1, 2, 3...");
            }
        }
        if (((Number) checkpoints.get("_next_sequence")).intValue() != history.size() + 1) {
            problems.add(at + "_next_sequence is not the last sequence + 1");
        }
        for (Object item : history) {
            String phase = (String) ((Map<?, ?>) item).get("phase");
            Object newest = history.stream().filter(h -> phase.equals(((Map<?, ?>) h).get("phase")))
                    .reduce((a, b) -> b).orElseThrow();
            if (!newest.equals(checkpoints.get(phase))) {
                problems.add(at + phase + " is not its newest history entry");
            }
        }
    }

    /** Validates the parts of a command's answer that have a schema. */
    private void answer(CommandResult result) {
        Map<String, Object> json = result.json();
        assertThat(result.exitCode()).as(Json.compact(json)).isEqualTo(CommandResult.OK);
        String command = "answer " + Json.compact(json).substring(0, Math.min(60, Json.compact(json).length()));
        Map<String, String> schemas = Map.of("state", STATE, "checkpoints", CHECKPOINTS, "manifest", MANIFEST,
                "checkpoint", ENTRY, "loop_health", LOOP_HEALTH);
        schemas.forEach((field, schema) -> {
            if (json.get(field) != null) {
                filesChecked++;
                Schemas.problems(schema, json.get(field)).forEach(p -> problems.add(command + ": " + field + " " + p));
            }
        });
        if (json.get("checkpoint") instanceof Map<?, ?> checkpoint) {
            Schemas.problems(STORY_PAYLOAD, checkpoint.get("payload")).forEach(p -> problems.add(command + ": " + p));
        }
    }

    private static void rejects(String schema, ObjectNode valid, String what, Consumer<ObjectNode> change) {
        ObjectNode changed = valid.deepCopy();
        change.accept(changed);
        assertThat(Schemas.problems(schema, changed)).as("%s rejects a document where not: %s", schema, what)
                .isNotEmpty();
    }

    /** The checksum as docs/formats.md describes it. */
    static boolean crcHolds(String line) {
        // snippet:crc
        int field = line.lastIndexOf(",\"crc32c\":\"");          // the last field: ,"crc32c":"xxxxxxxx"}
        if (field < 0 || !line.endsWith("\"}")) {
            return false;
        }
        byte[] body = (line.substring(0, field) + "}").getBytes(StandardCharsets.UTF_8);
        CRC32C crc = new CRC32C();                                  // java.util.zip.CRC32C
        crc.update(body, 0, body.length);
        return String.format("%08x", crc.getValue()).equals(line.substring(field + 11, line.length() - 2));
        // end:crc
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> payload(Map<String, Object> envelope) {
        return (Map<String, Object>) envelope.get("payload");
    }

    private static String envelope(int stage, String status, String verdict, String storyStatus, Integer readiness) {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("stage", stage);
        payload.put("story_id", "US010");
        payload.put("status", status);
        payload.put("final_result", verdict == null ? "COMPLETED" : verdict);
        payload.put("story_status", storyStatus);
        payload.put("verdict", verdict);
        payload.put("readiness_score", readiness);
        payload.put("warnings", List.of());
        payload.put("metadata", Map.of());
        Map<String, Object> envelope = new LinkedHashMap<>();
        envelope.put("schema_version", "1");
        envelope.put("summary_kind", "pipeline-stage");
        envelope.put("run_id", "run-from-the-skill");
        envelope.put("identifier", "US010");
        envelope.put("producer_skill", "ln-3" + (stage == 0 ? "00" : "10"));
        envelope.put("produced_at", "2026-11-21T10:00:00Z");
        envelope.put("payload", payload);
        return Json.compact(envelope);
    }

    private static JsonNode parse(DocsDirectory.Block block) {
        return block.language().equals("yaml") ? Schemas.yaml(block.joined()) : Schemas.node(block.joined());
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new AssertionError("Cannot read " + file, e);
        }
    }

    private static void write(Path file, String content) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
    }

    private static String resource(String name) {
        return resource(EmbeddingExamples.class, name);
    }

    private static String resource(Class<?> anchor, String name) {
        try (InputStream in = anchor.getResourceAsStream(name)) {
            assertThat(in).as(name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
