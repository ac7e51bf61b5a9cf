package dev.agentpipeline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentpipeline.core.internal.Json;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/** Calls the command line in this JVM, as a process would, and captures its exit code, stdout and stderr. */
final class Cli {

    private final Path workingDir;
    private final Map<String, String> env;

    Cli(Path workingDir) {
        this(workingDir, Map.of());
    }

    Cli(Path workingDir, Map<String, String> env) {
        this.workingDir = workingDir;
        this.env = env;
    }

    Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exitCode;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            exitCode = new PipelineMain().run(args, o, e, workingDir, env);
        }
        return new Result(Arrays.asList(args), exitCode, out.toString(StandardCharsets.UTF_8),
                err.toString(StandardCharsets.UTF_8));
    }

    /** What one call answered. */
    record Result(java.util.List<String> args, int exitCode, String stdout, String stderr) {

        /** @return the answer of exit code 0, after checking it is one JSON object on stdout and nothing else */
        Map<String, Object> ok() {
            return expect(0);
        }

        /** @return the answer of exit code 1 (a guard rejection) on stdout */
        Map<String, Object> rejected() {
            return expect(1);
        }

        /** @return the answer of exit code 2 (an error) on stderr */
        Map<String, Object> error() {
            return expect(2);
        }

        Map<String, Object> expect(int code) {
            assertThat(exitCode).as("exit code of %s (stdout %s, stderr %s)", args, stdout, stderr).isEqualTo(code);
            String text = code == 2 ? stderr : stdout;
            String other = code == 2 ? stdout : stderr;
            assertThat(other).as("the other stream of %s", args).isEmpty();
            assertThat(text).as("answer of %s", args).endsWith("}\n");
            Map<String, Object> json = Json.parseObject(text);
            assertThat(text).as("answer of %s is pretty JSON", args).isEqualTo(Json.pretty(json) + "\n");
            assertThat(json).as("answer of %s", args).containsEntry("ok", code == 0);
            return json;
        }
    }

    /** Reads a nested value: {@code at(json, "state", "phase")}. */
    static Object at(Object json, Object... path) {
        Object value = json;
        for (Object step : path) {
            if (step instanceof Integer index) {
                assertThat(value).as("parent of %s", step).isInstanceOf(java.util.List.class);
                value = ((java.util.List<?>) value).get(index);
            } else {
                assertThat(value).as("parent of %s", step).isInstanceOf(Map.class);
                value = ((Map<?, ?>) value).get(step);
            }
        }
        return value;
    }

    /** Reads a nested JSON object. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> object(Object json, Object... path) {
        Object value = at(json, path);
        assertThat(value).as("value at %s", java.util.Arrays.toString(path)).isInstanceOf(Map.class);
        return (Map<String, Object>) value;
    }

    /** Reads a nested JSON array of objects. */
    @SuppressWarnings("unchecked")
    static java.util.List<Map<String, Object>> objects(Object json, Object... path) {
        Object value = at(json, path);
        assertThat(value).as("value at %s", java.util.Arrays.toString(path)).isInstanceOf(java.util.List.class);
        return (java.util.List<Map<String, Object>>) value;
    }

    /** Reads a nested string. */
    static String text(Object json, Object... path) {
        Object value = at(json, path);
        assertThat(value).as("value at %s", java.util.Arrays.toString(path)).isInstanceOf(String.class);
        return (String) value;
    }
}
