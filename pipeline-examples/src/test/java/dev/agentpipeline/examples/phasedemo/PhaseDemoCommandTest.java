package dev.agentpipeline.examples.phasedemo;

import dev.agentpipeline.cli.PipelineMain;
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

/**
 * {@code pipeline phase-demo}: the command the sample runner adds through {@link PhaseDemoCommand}, here with a
 * person at its gates ({@code --stop-at-gates} and {@code pipeline decide}), as the docs tell a newcomer to try.
 */
class PhaseDemoCommandTest {

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

    @Test
    void theOptionsAndTheDefaultDirectory() {
        assertThat(PipelineMain.allCommands()).filteredOn(c -> c.name().equals("phase-demo")).singleElement()
                .satisfies(demo -> assertThat(demo.options()).extracting(o -> o.name())
                        .containsExactly("--dir", "--stop-at-gates"));
        String user = System.getProperty("user.name");
        try {
            System.setProperty("user.name", "ana/../b c");
            assertThat(PhaseDemoCommand.defaultDirectory().getFileName().toString())
                    .isEqualTo("agent-pipeline-phase-demo-ana_.._b_c");
        } finally {
            System.setProperty("user.name", user);
        }
        assertThat(PhaseDemoCommand.defaultDirectory().getParent())
                .isEqualTo(Path.of(System.getProperty("java.io.tmpdir")));
    }

    @Test
    void stopsAtEachGateWithTheCommandThatAnswersItAndGoesOnWithTheSameRunAfterAPersonsAnswers() throws Exception {
        // Given the phase demo stopped at its first gate, the task approval
        Answer first = pipeline("phase-demo", "--dir", "sample", "--stop-at-gates");
        assertThat(first.exit()).as(first.progress()).isEqualTo(1);
        String runId = (String) first.json().get("run_id");
        assertThat(first.json()).containsEntry("ok", false).containsEntry("final_phase", "APPROVE_TASKS");
        assertThat((String) first.json().get("next")).contains("bin/pipeline decide --project-dir "
                + project.resolve("sample") + " --run " + runId + " --option approve --by <your name>",
                "bin/pipeline phase-demo --dir " + project.resolve("sample") + " --stop-at-gates again");

        // When a person approves, and the demo goes on, and stops at phase 7's decision
        Answer approved = pipeline("decide", "--project-dir", "sample", "--run", runId, "--option", "approve",
                "--by", "ana");
        Answer second = pipeline("phase-demo", "--dir", "sample", "--stop-at-gates");
        Answer decided = pipeline("decide", "--project-dir", "sample", "--run", runId, "--option", "B", "--by", "ana",
                "--reason", "greet never fails");
        Answer third = pipeline("phase-demo", "--dir", "sample", "--stop-at-gates");

        // Then each demo went on with the same run, from where the person's answer left it, to DONE
        assertThat(approved.exit()).as(approved.json().toString()).isZero();
        assertThat(second.exit()).as(second.progress()).isEqualTo(1);
        assertThat(second.json()).containsEntry("run_id", runId).containsEntry("final_phase", "DECIDE_7");
        assertThat(second.progress()).contains("goes on with the unfinished run " + runId
                + " of an earlier demo, in APPROVE_TASKS (answered approve by ana)");
        assertThat(decided.exit()).isZero();
        assertThat(third.exit()).as(third.progress()).isZero();
        assertThat(third.json()).containsEntry("ok", true).containsEntry("run_id", runId)
                .containsEntry("final_phase", "DONE");
        assertThat(third.json().get("decisions").toString()).contains("option=approve, by=ana",
                "option=B, by=ana, reason=greet never fails");
        Path sample = project.resolve("sample");
        assertThat(Files.readString(sample.resolve("src/main/java/demo/Greeting.java")))
                .as("phase 7 did what the person chose").contains("return \"Hello, guest!\";");
        assertThat(Files.readString(sample.resolve("docs/decisions.md"))).contains("blank-name: guest (option B");
    }

    @Test
    void refusesADirectoryOfSomethingElse() throws Exception {
        Files.writeString(project.resolve("mine.txt"), "not a demo");

        Answer refused = pipeline("phase-demo", "--dir", ".");

        assertThat(refused.exit()).isEqualTo(2);
        assertThat(refused.json()).containsEntry("code", "invalid_dir");
        assertThat(project.resolve(".pipeline")).doesNotExist();
    }
}
