package dev.agentpipeline.examples.demo;

import dev.agentpipeline.cli.PipelineMain;
import dev.agentpipeline.core.internal.Json;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code pipeline demo}: the command the sample runner adds to the command line through {@link DemoCommand}. */
class DemoCommandTest {

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
    void theDemosAreCommandsOfTheRunnerAfterTheStandardOnes() {
        java.util.List<String> names = PipelineMain.allCommands().stream().map(c -> c.name()).toList();
        assertThat(names.subList(names.size() - 2, names.size())).containsExactly("demo", "phase-demo");
        assertThat(PipelineMain.commands()).extracting(c -> c.name()).doesNotContain("demo", "phase-demo");
        assertThat(PipelineMain.allCommands()).filteredOn(c -> c.name().equals("demo")).singleElement()
                .satisfies(demo -> assertThat(demo.options()).extracting(o -> o.name())
                        .containsExactly("--dir", "--progress"));
    }

    @Test
    void theDefaultDirectoryIsTheUsersOwn() {
        String user = System.getProperty("user.name");
        try {
            System.setProperty("user.name", "ana/../b c");
            assertThat(DemoCommand.defaultDirectory().getFileName().toString())
                    .isEqualTo("agent-pipeline-demo-ana_.._b_c");
            System.setProperty("user.name", "");
            assertThat(DemoCommand.defaultDirectory().getFileName().toString()).isEqualTo("agent-pipeline-demo");
        } finally {
            System.setProperty("user.name", user);
        }
        assertThat(DemoCommand.defaultDirectory().getParent())
                .isEqualTo(Path.of(System.getProperty("java.io.tmpdir")));
    }

    @Test
    void runsTheDemoInAGivenDirectoryAgainAndRefusesADirectoryOfSomethingElse() throws Exception {
        Answer first = pipeline("demo", "--dir", "sample");
        Answer second = pipeline("demo", "--dir", "sample");
        Files.writeString(project.resolve("mine.txt"), "not a demo");
        Answer refused = pipeline("demo", "--dir", ".");

        assertThat(first.exit()).as(first.progress()).isZero();
        assertThat(first.json()).containsEntry("final_phase", "DONE").containsEntry("quality_cycles", 1L)
                .containsEntry("story_id", "US-DEMO-1");
        assertThat(first.progress()).contains("Demo project: " + project.resolve("sample") + " (new)", "journal:");
        assertThat(first.json()).containsEntry("branch", "feature/US-DEMO-1-greet-users-by-name")
                .containsKey("final_commit");
        assertThat(project.resolve("sample/.git")).isDirectory();
        assertThat(project.resolve("sample/src/test/java/demo/GreetingTest.java")).as("on the story's branch only")
                .doesNotExist();
        assertThat(second.exit()).isZero();
        assertThat(second.json()).containsEntry("story_id", "US-DEMO-2").containsEntry("final_phase", "DONE");
        assertThat(Files.readString(project.resolve("sample/docs/tasks/reports/quality-trend.md")))
                .contains("US-DEMO-1", "US-DEMO-2");
        assertThat(refused.exit()).isEqualTo(2);
        assertThat(refused.json()).containsEntry("code", "invalid_dir");
    }

    @Test
    void demoWritesTheReportAndATrendRowInTheSampleProject() throws IOException {
        Answer answer = pipeline("demo", "--dir", "sample");

        assertThat(answer.exit()).isZero();
        Path reports = project.resolve("sample/docs/tasks/reports");
        assertThat(Path.of((String) answer.json().get("report")).getParent()).isEqualTo(reports);
        assertThat(answer.progress()).contains("report:      " + reports.resolve("pipeline-"));
        assertThat(Files.readAllLines(reports.resolve("quality-trend.md")))
                .filteredOn(line -> line.contains("| US-DEMO-1 | 100/100 | 1 | 0 |")).hasSize(1);
    }
}
