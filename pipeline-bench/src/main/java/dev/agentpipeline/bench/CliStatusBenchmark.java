package dev.agentpipeline.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The whole-process time of {@code bin/pipeline status} versus a JVM hello world, in the same run.
 *
 * <p><b>What it compares.</b> Each operation starts a process with {@link ProcessBuilder} (an argument list, no
 * shell), reads its whole output and waits for it to exit:
 * <ul>
 *   <li>{@code CLI_STATUS}: the launcher {@code bin/pipeline status}, run in an empty temporary project
 *       directory, where it prints {@code {"ok":true,"active":false}};</li>
 *   <li>{@code JAVA_HELLO}: {@code java -cp <dir> Hello}, a class compiled at setup (with {@code javax.tools}) that
 *       prints the same line, started with the {@code java} of the JDK running the benchmark.</li>
 * </ul>
 * A non-zero exit fails the benchmark with the process's output. Setup runs each command once first, so a
 * launcher that builds the CLI on first use does it before the measurement.
 *
 * <p><b>Finding the launcher.</b> {@code -p launcher=/path/to/bin/pipeline}; by default ({@code auto}) the first
 * {@code bin/pipeline} found from the working directory upwards. Without one the benchmark fails at setup with a
 * message that says so: the CLI ({@code pipeline-examples}) must exist before this can be measured. Run it with
 * the JDK the launcher uses, so that both processes start the same JVM.
 *
 * <p><b>Target.</b> {@code CLI_STATUS} median ({@code p0.50}) at most 2x the {@code JAVA_HELLO} median. Results:
 * {@code docs/benchmarks.md}.
 *
 * <p><b>Run it</b> (from the repository root; about 3 minutes):
 * <pre>
 * mvn -B -q -pl pipeline-bench -am package -DskipTests
 * java -jar pipeline-bench/target/benchmarks.jar CliStatus -f 1 -wi 2 -w 5s -i 5 -r 10s
 * # the ratio in short alternating rounds (see Rounds):
 * java -cp pipeline-bench/target/benchmarks.jar dev.agentpipeline.bench.Rounds 6 CLI_STATUS JAVA_HELLO \
 *     CliStatus -f 1 -wi 1 -w 3s -i 2 -r 5s
 * </pre>
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 5, time = 10)
@Fork(1)
public class CliStatusBenchmark {

    /** The programs compared. */
    public enum Program {
        /** {@code bin/pipeline status} in an empty project. */
        CLI_STATUS,
        /** {@code java -cp <dir> Hello}. */
        JAVA_HELLO
    }

    /** What the CLI prints for a project without runs (and what Hello prints too). */
    static final String EXPECTED_STATUS = "{\"ok\":true,\"active\":false}";

    private static final String HELLO_SOURCE = "public class Hello {\n"
            + "    public static void main(String[] args) {\n"
            + "        System.out.println(\"{\\\"ok\\\":true,\\\"active\\\":false}\");\n"
            + "    }\n"
            + "}\n";

    /** The process to start, ready to go. */
    @State(Scope.Thread)
    public static class Command {
        @Param
        Program program;

        /** The launcher's path, or {@code auto} to search {@code bin/pipeline} from the working directory up. */
        @Param("auto")
        String launcher;

        Path workDir;
        ProcessBuilder builder;

        @Setup(Level.Trial)
        public void setUp() throws IOException, InterruptedException {
            Path cli = findLauncher(launcher); // both programs need it: the comparison means nothing without it
            workDir = Files.createTempDirectory("pipeline-cli-bench-");
            if (program == Program.CLI_STATUS) {
                Path project = Files.createDirectories(workDir.resolve("project"));
                builder = new ProcessBuilder(List.of(cli.toString(), "status")).directory(project.toFile());
            } else {
                Path classes = compileHello(workDir.resolve("hello"));
                Path java = Path.of(System.getProperty("java.home"), "bin", "java");
                builder = new ProcessBuilder(List.of(java.toString(), "-cp", classes.toString(), "Hello"))
                        .directory(workDir.toFile());
            }
            builder.redirectErrorStream(true);
            String output = execute(builder, TimeUnit.MINUTES.toMillis(15)); // may build the CLI on first use
            if (!output.replaceAll("\\s+", "").contains("\"ok\":true")) { // the CLI prints pretty JSON
                throw new IllegalStateException(builder.command() + " did not print " + EXPECTED_STATUS
                        + "; it printed:\n" + output);
            }
            System.out.println("# " + builder.command() + " in " + builder.directory() + " prints "
                    + output.replaceAll("\\s+", ""));
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            BenchFiles.delete(workDir);
        }
    }

    /**
     * Starts the program and waits for it to exit.
     *
     * @param command the program
     * @return its output
     * @throws IOException if it cannot start
     * @throws InterruptedException if interrupted while waiting
     */
    @Benchmark
    public String startAndWait(Command command) throws IOException, InterruptedException {
        return execute(command.builder, TimeUnit.MINUTES.toMillis(1));
    }

    static String execute(ProcessBuilder builder, long timeoutMillis) throws IOException, InterruptedException {
        Process process = builder.start();
        String output;
        try (InputStream in = process.getInputStream()) {
            output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (!process.waitFor(timeoutMillis, TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException(builder.command() + " did not exit within " + timeoutMillis + " ms");
        }
        if (process.exitValue() != 0) {
            throw new IllegalStateException(builder.command() + " in " + builder.directory() + " exited with "
                    + process.exitValue() + ":\n" + output);
        }
        return output;
    }

    static Path findLauncher(String launcher) {
        if (!"auto".equals(launcher)) {
            Path path = Path.of(launcher).toAbsolutePath();
            if (!Files.isRegularFile(path) || !Files.isExecutable(path)) {
                throw new IllegalStateException("The launcher " + path + " (-p launcher=...) does not exist or is"
                        + " not executable.");
            }
            return path;
        }
        Path start = Path.of("").toAbsolutePath();
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("bin").resolve("pipeline");
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("No executable bin/pipeline in " + start + " or above: the CLI launcher does"
                + " not exist yet, so CliStatusBenchmark cannot run. Run it from the repository root once"
                + " pipeline-examples ships bin/pipeline, or pass -p launcher=/path/to/bin/pipeline.");
    }

    static Path compileHello(Path dir) throws IOException {
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        if (compiler == null) {
            throw new IllegalStateException("No Java compiler in " + System.getProperty("java.home")
                    + ": run the benchmark with a JDK, not a JRE.");
        }
        Files.createDirectories(dir);
        Path source = dir.resolve("Hello.java");
        Files.writeString(source, HELLO_SOURCE);
        ByteArrayOutputStream errors = new ByteArrayOutputStream();
        int status = compiler.run(null, null, errors, "--release", "17", "-d", dir.toString(), source.toString());
        if (status != 0) {
            throw new UncheckedIOException(new IOException("Cannot compile " + source + ":\n"
                    + errors.toString(StandardCharsets.UTF_8)));
        }
        return dir;
    }
}
