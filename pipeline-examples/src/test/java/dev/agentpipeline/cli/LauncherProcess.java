package dev.agentpipeline.cli;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Runs {@code bin/pipeline} as a child process the way a user's shell would, for the launcher tests: an argument list,
 * stdin from {@code /dev/null}, none of the caller's {@code PIPELINE_*} or JVM option variables, {@code CI=true}
 * (no daemon unless asked), output to files in a scratch directory, at most 5 minutes.
 */
final class LauncherProcess {

    /** What a call answered. */
    record Run(int exitCode, String stdout, String stderr) {
    }

    private LauncherProcess() {
    }

    /**
     * The checkout's root, whose {@code bin/pipeline} the launcher tests run; skips the calling test (a JUnit
     * assumption) when Failsafe did not set it, the runner jar was not built in this build, or there is no bash.
     */
    static Path repositoryOrSkip() {
        String root = System.getProperty("pipeline.repository.root");
        String jar = System.getProperty("pipeline.cli.jar");
        assumeTrue(root != null && jar != null, "pipeline.repository.root and pipeline.cli.jar are set by the"
                + " Failsafe configuration of pipeline-examples/pom.xml; run this test with `mvn verify`");
        assumeTrue(Files.isRegularFile(Path.of(jar)), "the CLI jar " + jar + " was not built in this build;"
                + " run `mvn verify` (package builds it) to test the launcher");
        assumeTrue(new File("/bin/bash").canExecute() || new File("/usr/bin/bash").canExecute(),
                "bin/pipeline is a bash script; this system has no bash");
        return Path.of(root).toAbsolutePath().normalize();
    }

    static Run run(Path scratch, Path script, Path directory, Map<String, String> extraEnv, String... args)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(script.toString());
        command.addAll(List.of(args));
        Path out = Files.createTempFile(scratch, "out", ".txt");
        Path err = Files.createTempFile(scratch, "err", ".txt");
        ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(key -> key.startsWith("PIPELINE_") || key.equals("JAVA_TOOL_OPTIONS")
                || key.equals("JDK_JAVA_OPTIONS") || key.equals("_JAVA_OPTIONS"));
        env.put("CI", "true");
        env.putAll(extraEnv);
        Process process = builder.start();
        if (!process.waitFor(5, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError("bin/pipeline " + List.of(args) + " did not finish in 5 minutes");
        }
        return new Run(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }
}
