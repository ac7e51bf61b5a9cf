package dev.agentpipeline.cli;

import static dev.agentpipeline.cli.Cli.at;
import static dev.agentpipeline.cli.Cli.objects;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentpipeline.core.internal.Json;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

/**
 * Twenty {@code pipeline checkpoint} processes on one run at the same time: the older ln-1000 runtime lost 13 of 20 to
 * "Runtime already running"; here every one waits for the run's lock and records its checkpoint.
 */
class ConcurrentCheckpointProcessesTest {

    private static final int PROCESSES = 20;
    private static final String STORY = "US-CONC";

    @TempDir
    Path project;

    @TempDir
    Path output;

    @Test
    void twentyCheckpointProcessesOnOneRunAllSucceedWithDistinctSequences() throws Exception {
        // Given a run in STAGE_0
        Cli cli = new Cli(project);
        cli.run("start", "--story", STORY, "--title", "Concurrency").ok();
        cli.run("advance", "--story", STORY, "--to", "STAGE_0").ok();

        // When 20 processes checkpoint it at once
        List<Process> processes = new ArrayList<>();
        for (int i = 0; i < PROCESSES; i++) {
            processes.add(checkpointProcess(i));
        }
        List<Long> sequences = new ArrayList<>();
        for (int i = 0; i < PROCESSES; i++) {
            Process process = processes.get(i);
            boolean finished = process.waitFor(3, TimeUnit.MINUTES);
            if (!finished) {
                processes.forEach(Process::destroyForcibly);
            }
            assertThat(finished).as("process %d finished", i).isTrue();
            String stdout = Files.readString(output.resolve(i + ".out"), StandardCharsets.UTF_8);
            String stderr = Files.readString(output.resolve(i + ".err"), StandardCharsets.UTF_8);
            assertThat(process.exitValue()).as("exit code of process %d (stdout %s, stderr %s)", i, stdout, stderr)
                    .isZero();
            assertThat(stderr).as("stderr of process %d", i).isEmpty();
            Map<String, Object> answer = Json.parseObject(stdout);
            assertThat(answer).containsEntry("ok", true).containsEntry("phase", "STAGE_0");
            assertThat(at(answer, "checkpoint", "payload", "last_action")).isEqualTo("worker " + i);
            sequences.add((Long) at(answer, "checkpoint", "sequence"));
        }

        // Then each got its own sequence number, and the history holds all twenty
        Set<Long> expected = LongStream.rangeClosed(1, PROCESSES).boxed().collect(Collectors.toCollection(TreeSet::new));
        assertThat(new TreeSet<>(sequences)).isEqualTo(expected);
        Map<String, Object> status = cli.run("status", "--story", STORY).ok();
        List<Map<String, Object>> history = objects(status, "checkpoints", "_history");
        assertThat(history).hasSize(PROCESSES);
        assertThat(history).extracting(entry -> entry.get("sequence")).containsExactlyElementsOf(expected);
        assertThat(at(status, "checkpoints", "_next_sequence")).isEqualTo((long) PROCESSES + 1);
        assertThat(at(status, "state", "journal_sequence")).isEqualTo(2L + PROCESSES);
    }

    private Process checkpointProcess(int index) throws IOException {
        List<String> command = List.of(javaExecutable(), "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-XX:-UsePerfData", "-Xshare:auto", "-cp", testClassPath(), PipelineMain.class.getName(),
                "checkpoint", "--story", STORY, "--stage", "0", "--last-action", "worker " + index,
                "--tasks-completed", "[\"T-" + index + "\"]");
        ProcessBuilder builder = new ProcessBuilder(command).directory(project.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(nullDevice()))
                .redirectOutput(output.resolve(index + ".out").toFile())
                .redirectError(output.resolve(index + ".err").toFile());
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(key -> key.startsWith("PIPELINE_") || key.equals("JAVA_TOOL_OPTIONS")
                || key.equals("JDK_JAVA_OPTIONS") || key.equals("_JAVA_OPTIONS"));
        env.put("PIPELINE_LOCK_TIMEOUT_MS", "120000");
        return builder.start();
    }

    private static java.io.File nullDevice() {
        return new java.io.File(System.getProperty("os.name").startsWith("Windows") ? "NUL" : "/dev/null");
    }

    private static String javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** The test's class path: Surefire's real one when it runs the tests through a manifest-only jar. */
    private static String testClassPath() {
        String surefire = System.getProperty("surefire.test.class.path");
        return surefire != null && !surefire.isBlank() ? surefire : System.getProperty("java.class.path");
    }
}
