package dev.agentpipeline.stages;

import dev.agentpipeline.spi.FailureClass;
import dev.agentpipeline.spi.OutcomeStatus;
import dev.agentpipeline.spi.StageOutcome;
import dev.agentpipeline.spi.StageRegistry;
import dev.agentpipeline.testkit.TestStageContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The command stage with real child processes: small /bin/sh scripts written to a temporary directory. */
class CommandStageTest {

    /** Writes a valid envelope for STAGE_3 of US001 to the file named by its first argument. */
    private static final String PASSING_AGENT = """
            #!/bin/sh
            echo "reviewing US001"
            cat > "$1" <<'EOF'
            {"schema_version": "1", "summary_kind": "pipeline-stage", "run_id": "test-run", "identifier": "US001",
             "producer_skill": "review.sh", "produced_at": "2026-11-21T10:00:00Z",
             "payload": {"stage": 3, "story_id": "US001", "status": "completed", "final_result": "PASS",
                         "story_status": "Done", "verdict": "PASS", "quality_score": 87, "warnings": ["slow test"],
                         "metadata": {"notes": "All criteria met.", "metrics": {"coverage.line": 91.5},
                                      "rework_hint": {"blocking_categories": [], "suggested_focus": ""}}}}
            EOF
            """;

    @TempDir
    Path dir;
    Path workspace;
    Path attempt;
    final CommandStage stage = new CommandStage();

    @BeforeEach
    void directories() throws IOException {
        workspace = Files.createDirectories(dir.resolve("workspace"));
        attempt = Files.createDirectories(dir.resolve("attempt"));
    }

    @Test
    void mapsTheSummaryOfAProgramThatSucceeds() throws Exception {
        // Given
        script("review.sh", PASSING_AGENT);

        // When
        StageOutcome outcome = stage.run(context(Map.of("command", List.of("./review.sh", "{summary_file}"))).build());

        // Then
        assertThat(outcome.status()).isEqualTo(OutcomeStatus.COMPLETED);
        assertThat(outcome.verdict()).contains("PASS");
        assertThat(outcome.score("quality_score")).contains(87.0);
        assertThat(outcome.metrics()).containsEntry("coverage.line", 91.5);
        assertThat(outcome.notes()).isEqualTo("All criteria met.");
        assertThat(outcome.warnings()).containsExactly("slow test");
        assertThat(outcome.attribute("story_status")).contains("Done");
        assertThat(outcome.attribute("rework_hint")).isPresent();
        assertThat(Files.readString(attempt.resolve(CommandStage.STDOUT_LOG))).isEqualTo("reviewing US001\n");
        assertThat(outcome.attribute("command").map(c -> (Object) ((Map<?, ?>) c).get("exit_code"))).contains(0);
    }

    @Test
    void aReRunGetsTheProgressSavedBeforeItsCrash() throws Exception {
        // Given: an earlier attempt of this visit saved a phase checkpoint, then its worker died
        script("resume.sh", """
                #!/bin/sh
                printf '%s\\n' "$1" > resume.txt
                cp "$PIPELINE_PROGRESS_FILE" progress-copy.json
                """);
        TestStageContext context = context(Map.of("command", List.of("./resume.sh", "{resume_command}"),
                "summary", "optional"))
                .savedProgress(Map.of("state", Map.of("current_operation", "Expanding task 10"),
                        "resume_command", "Continue Phase 5 from checkpoint 3: task #10"))
                .build();

        // When
        StageOutcome outcome = stage.run(context);

        // Then the program gets the checkpoint's resume command and the whole checkpoint as a file
        assertThat(outcome.status()).isEqualTo(OutcomeStatus.COMPLETED);
        assertThat(Files.readAllLines(workspace.resolve("resume.txt")))
                .containsExactly("Continue Phase 5 from checkpoint 3: task #10");
        assertThat(Files.readString(workspace.resolve("progress-copy.json"))).contains("\"current_operation\"")
                .contains("Expanding task 10");
    }

    @Test
    void passesEachTemplateValueAsOneArgumentAndNeverThroughAShell() throws Exception {
        // Given: a title full of shell syntax
        script("args.sh", """
                #!/bin/sh
                printf '%s\\n' "$#" "$@" > args.txt
                """);
        TestStageContext context = context(Map.of("command", List.of("./args.sh", "{story_id}",
                "Title: {story_title}", "{{literal}}", "{input.depth}"), "summary", "optional"))
                .subject("US001", "Login; rm -rf / $(touch pwned) `id`")
                .input("depth", Map.of("level", 2))
                .build();

        // When
        StageOutcome outcome = stage.run(context);

        // Then
        assertThat(outcome.status()).isEqualTo(OutcomeStatus.COMPLETED);
        assertThat(Files.readAllLines(workspace.resolve("args.txt"))).containsExactly("4", "US001",
                "Title: Login; rm -rf / $(touch pwned) `id`", "{literal}", "{\"level\":2}");
        assertThat(workspace.resolve("pwned")).doesNotExist();
    }

    @Test
    void givesTheProgramOnlyTheAllowedEnvironmentAndThePipelineVariables() throws Exception {
        // Given
        script("env.sh", """
                #!/bin/sh
                env > env.txt
                """);
        TestStageContext context = context(Map.of("command", List.of("./env.sh"), "summary", "optional",
                "env", Map.of("AGENT_MODE", "review {stage}"))).build();

        // When
        stage.run(context);

        // Then
        Map<String, String> seen = new LinkedHashMap<>();
        for (String line : Files.readAllLines(workspace.resolve("env.txt"))) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                seen.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        Set<String> allowed = new HashSet<>(CommandSettings.DEFAULT_ENV_ALLOW);
        allowed.addAll(List.of("AGENT_MODE", "PWD", "SHLVL", "_", "OLDPWD"));
        assertThat(seen.keySet()).allMatch(name -> allowed.contains(name) || name.startsWith("PIPELINE_"),
                "only allowed or PIPELINE_ variables");
        assertThat(System.getenv().keySet()).as("the test's own environment has more to leak")
                .anyMatch(name -> !allowed.contains(name));
        assertThat(seen).containsEntry("PIPELINE_STORY_ID", "US001")
                .containsEntry("PIPELINE_STAGE", "STAGE_3")
                .containsEntry("PIPELINE_SUMMARY_FILE", attempt.resolve("summary.json").toString())
                .containsEntry("AGENT_MODE", "review STAGE_3");
    }

    @Test
    void feedsThePromptOnStandardInputAndKeepsItInTheAttemptDirectory() throws Exception {
        // Given
        script("agent.sh", """
                #!/bin/sh
                cat > stdin.txt
                """);
        TestStageContext context = context(Map.of("command", List.of("./agent.sh"), "summary", "optional",
                "prompt", "Rework {story_id}; focus: {rework_focus}", "stdin", "prompt"))
                .input("rework_focus", "Add a unit test for Greeting").build();

        // When
        stage.run(context);

        // Then
        String expected = "Rework US001; focus: Add a unit test for Greeting";
        assertThat(Files.readString(workspace.resolve("stdin.txt"))).isEqualTo(expected);
        assertThat(Files.readString(attempt.resolve(CommandStage.PROMPT_FILE))).isEqualTo(expected);
    }

    @Test
    void failsANonZeroExitAsAnAgentErrorWithTheLastLineOfItsErrors() throws Exception {
        // Given
        script("broken.sh", """
                #!/bin/sh
                echo "compiling"
                echo "error: Greeting.java:3: cannot find symbol" >&2
                exit 3
                """);

        // When
        StageOutcome outcome = stage.run(context(Map.of("command", List.of("./broken.sh"))).build());

        // Then
        assertThat(outcome.failureClass()).isEqualTo(FailureClass.AGENT_ERROR);
        assertThat(outcome.failure().orElseThrow().message())
                .endsWith("broken.sh exited with status 3: error: Greeting.java:3: cannot find symbol");
        assertThat(Files.readString(attempt.resolve(CommandStage.STDERR_LOG)))
                .isEqualTo("error: Greeting.java:3: cannot find symbol\n");
        assertThat(outcome.attribute("command").map(c -> (Object) ((Map<?, ?>) c).get("exit_code"))).contains(3);
    }

    @Test
    void classifiesRateLimitsAndMissingCredentialsFromTheOutput() throws Exception {
        // Given
        script("limited.sh", """
                #!/bin/sh
                echo "API error: HTTP 429 Too Many Requests" >&2
                exit 1
                """);
        script("noauth.sh", """
                #!/bin/sh
                echo "Invalid API key. Please run /login" >&2
                exit 1
                """);

        // When
        StageOutcome limited = stage.run(context(Map.of("command", List.of("./limited.sh"))).build());
        StageOutcome noAuth = stage.run(context(Map.of("command", List.of("./noauth.sh"))).build());

        // Then
        assertThat(limited.failureClass()).isEqualTo(FailureClass.RATE_LIMITED);
        assertThat(noAuth.failureClass()).isEqualTo(FailureClass.AUTH_MISSING);
    }

    @Test
    void reportsAMissingProgramAsAMissingTool() throws Exception {
        // Given: a program on no PATH, a path to no file, and a script whose own command is missing (status 127)
        script("calls-missing.sh", """
                #!/bin/sh
                no-such-tool-0d1f --version
                """);

        // When
        StageOutcome bare = stage.run(context(Map.of("command", List.of("no-such-agent-0d1f", "-p", "x"))).build());
        StageOutcome path = stage.run(context(Map.of("command", List.of("./agents/missing.sh"))).build());
        StageOutcome inner = stage.run(context(Map.of("command", List.of("./calls-missing.sh"))).build());

        // Then
        assertThat(bare.failureClass()).isEqualTo(FailureClass.TOOL_MISSING);
        assertThat(bare.failure().orElseThrow().message()).startsWith("Program 'no-such-agent-0d1f' not found");
        assertThat(path.failureClass()).isEqualTo(FailureClass.TOOL_MISSING);
        assertThat(path.failure().orElseThrow().message()).contains(workspace.resolve("agents/missing.sh").toString());
        assertThat(inner.failureClass()).isEqualTo(FailureClass.TOOL_MISSING);
        assertThat(inner.failure().orElseThrow().message()).contains("status 127");
    }

    @Test
    void stopsAProgramThatKeepsWritingAtTheTimeLimitAsAProductiveTimeout() throws Exception {
        // Given: output every 50 ms, forever
        script("busy.sh", """
                #!/bin/sh
                while true; do echo working; sleep 0.05; done
                """);
        TestStageContext context = context(Map.of("command", List.of("./busy.sh"), "timeout_seconds", 1,
                "idle_timeout_seconds", 30)).build();

        // When
        StageOutcome outcome = stage.run(context);

        // Then
        assertThat(outcome.failureClass()).isEqualTo(FailureClass.TIMEOUT_PRODUCTIVE);
        assertThat(outcome.failure().orElseThrow().message()).contains("time limit of 1 s");
        assertThat(Files.readString(attempt.resolve(CommandStage.STDOUT_LOG))).startsWith("working\n");
    }

    @Test
    void stopsASilentProgramAndItsChildrenAsAnIdleTimeout() throws Exception {
        // Given: one line, then a child process that sleeps without a word
        script("stuck.sh", """
                #!/bin/sh
                echo "thinking"
                sleep 60 &
                echo $! > child.pid
                wait
                """);
        TestStageContext context = context(Map.of("command", List.of("./stuck.sh"), "timeout_seconds", 60,
                "idle_timeout_seconds", 0.5)).build();

        // When
        StageOutcome outcome = stage.run(context);

        // Then
        assertThat(outcome.failureClass()).isEqualTo(FailureClass.TIMEOUT_IDLE);
        assertThat(outcome.failure().orElseThrow().message()).contains("wrote nothing for 0.5 s");
        assertNotRunning(workspace.resolve("child.pid"));
    }

    @Test
    void stopsTheProcessTreeWhenTheRunIsCanceled() throws Exception {
        // Given: a long silent child; the run is canceled once it started
        script("long.sh", """
                #!/bin/sh
                sleep 60 &
                echo $! > child.pid
                wait
                """);
        TestStageContext context = context(Map.of("command", List.of("./long.sh"))).build();
        CompletableFuture<Void> canceller = CompletableFuture.runAsync(() -> {
            while (!Files.exists(workspace.resolve("child.pid"))) {
                Thread.onSpinWait();
            }
            context.cancel();
        });

        // When
        StageOutcome outcome = stage.run(context);

        // Then
        canceller.get(30, TimeUnit.SECONDS);
        assertThat(outcome.failureClass()).isEqualTo(FailureClass.AGENT_ERROR);
        assertThat(outcome.failure().orElseThrow().message()).startsWith("Stopped on request");
        assertNotRunning(workspace.resolve("child.pid"));
    }

    @Test
    void failsASummaryWithTheWrongSchemaNamingTheBadFields() throws Exception {
        // Given: stage is a string, status unknown, one field too many
        script("sloppy.sh", """
                #!/bin/sh
                cat > "$PIPELINE_SUMMARY_FILE" <<'EOF'
                {"schema_version": "1", "summary_kind": "pipeline-stage", "run_id": "r", "identifier": "US001",
                 "producer_skill": "sloppy", "produced_at": "2026-11-21T10:00:00Z",
                 "payload": {"stage": "three", "story_id": "US001", "status": "done", "final_result": "PASS",
                             "story_status": "Done", "warnings": [], "score": 8}}
                EOF
                """);

        // When
        StageOutcome outcome = stage.run(context(Map.of("command", List.of("./sloppy.sh"))).build());

        // Then
        assertThat(outcome.failureClass()).isEqualTo(FailureClass.AGENT_ERROR);
        assertThat(outcome.failure().orElseThrow().message())
                .startsWith("Invalid stage summary in " + attempt.resolve("summary.json") + ": $.payload has an"
                        + " unknown field 'score'")
                .contains("(and 2 more)");
        assertThat(outcome.attribute("summary_problems").orElseThrow()).asList()
                .anySatisfy(p -> assertThat(p.toString()).startsWith("$.payload.stage must be an integer 0..3"))
                .anySatisfy(p -> assertThat(p.toString()).startsWith("$.payload.status must be one of"));
    }

    @Test
    void failsASummaryOfAnotherStoryOrStageAndOneThatIsNotJson() throws Exception {
        // Given
        script("other.sh", PASSING_AGENT.replace("\"story_id\": \"US001\"", "\"story_id\": \"US002\""));
        script("garbled.sh", """
                #!/bin/sh
                printf '{"schema_version": "1",\\n "payload": [' > "$PIPELINE_SUMMARY_FILE"
                """);

        // When
        StageOutcome other = stage.run(context(Map.of("command", List.of("./other.sh", "{summary_file}"))).build());
        StageOutcome garbled = stage.run(context(Map.of("command", List.of("./garbled.sh"))).build());

        // Then
        assertThat(other.failure().orElseThrow().message()).contains("$.payload.story_id must be \"US001\"");
        assertThat(garbled.failureClass()).isEqualTo(FailureClass.AGENT_ERROR);
        assertThat(garbled.failure().orElseThrow().message()).startsWith("Invalid stage summary: "
                + attempt.resolve("summary.json") + ":2:").contains("not valid JSON");
    }

    @Test
    void requiresASummaryUnlessItIsOptional() throws Exception {
        // Given
        script("quiet.sh", "#!/bin/sh\nexit 0\n");

        // When
        StageOutcome required = stage.run(context(Map.of("command", List.of("./quiet.sh"))).build());
        StageOutcome optional = stage.run(context(Map.of("command", List.of("./quiet.sh"), "summary", "optional"))
                .build());

        // Then
        assertThat(required.failure().orElseThrow().message()).contains("wrote no stage summary to "
                + attempt.resolve("summary.json"));
        assertThat(optional.status()).isEqualTo(OutcomeStatus.COMPLETED);
        assertThat(optional.verdict()).isEmpty();
    }

    @Test
    void refusesAnUnknownPlaceholderBeforeStartingAnything() throws Exception {
        // Given
        script("marker.sh", "#!/bin/sh\ntouch started\n");

        // When
        StageOutcome outcome = stage.run(context(Map.of("command", List.of("./marker.sh", "{stroy_id}"),
                "summary", "optional")).build());

        // Then
        assertThat(outcome.failureClass()).isEqualTo(FailureClass.AGENT_ERROR);
        assertThat(outcome.failure().orElseThrow().message()).startsWith("Invalid settings of pipeline-command in"
                + " state STAGE_3: setting 'command[1]' uses the unknown placeholder {stroy_id}; known: run_id,");
        assertThat(workspace.resolve("started")).doesNotExist();
    }

    @Test
    void runsTheShippedExampleGateOnARealWorkspace() throws Exception {
        // Given: the example script of examples/agents, and a workspace with one marker
        Path gate = Path.of("../examples/agents/todo-gate.sh").toAbsolutePath().normalize();
        assertThat(gate).isExecutable();
        Files.createDirectories(workspace.resolve("src"));
        Files.writeString(workspace.resolve("src/Export.java"), "class Export {\n    // TODO escape commas\n}\n");
        Map<String, Object> settings = Map.of("command", List.of(gate.toString(), "{summary_file}"));

        // When
        StageOutcome failing = stage.run(context(settings).build());
        Files.writeString(workspace.resolve("src/Export.java"), "class Export {\n}\n");
        StageOutcome passing = stage.run(context(settings).build());

        // Then
        assertThat(failing.status()).isEqualTo(OutcomeStatus.COMPLETED);
        assertThat(failing.verdict()).contains("FAIL");
        assertThat(failing.attribute("story_status")).contains("To Rework");
        assertThat(failing.metrics()).containsEntry("todo.count", 1.0);
        assertThat(failing.attribute("rework_hint").orElseThrow()).asString()
                .contains("Resolve the 1 TODO/FIXME markers");
        assertThat(passing.verdict()).contains("PASS");
        assertThat(passing.score("quality_score")).contains(100.0);
    }

    @Test
    void isFoundByTheServiceLoader() {
        assertThat(StageRegistry.load(CommandStage.class.getClassLoader()).find(CommandStage.ID))
                .hasValueSatisfying(found -> assertThat(found).isInstanceOf(CommandStage.class));
    }

    private TestStageContext.Builder context(Map<String, Object> settings) {
        return TestStageContext.builder()
                .subject("US001", "Login form")
                .state("STAGE_3")
                .workspace(workspace)
                .attemptDirectory(attempt)
                .settings(settings);
    }

    private Path script(String name, String text) throws IOException {
        Path file = workspace.resolve(name);
        Files.writeString(file, text.stripIndent(), StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwx------"));
        return file;
    }

    private static void assertNotRunning(Path pidFile) throws Exception {
        long pid = Long.parseLong(Files.readString(pidFile).trim());
        ProcessHandle.of(pid).ifPresent(handle -> {
            try {
                handle.onExit().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new AssertionError("process " + pid + " still runs: " + Arrays.toString(
                        handle.info().arguments().orElse(new String[0])), e);
            }
        });
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).as("child %d", pid).isNotEqualTo(
                java.util.Optional.of(true));
    }
}
