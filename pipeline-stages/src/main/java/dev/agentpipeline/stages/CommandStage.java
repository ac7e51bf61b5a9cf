package dev.agentpipeline.stages;

import dev.agentpipeline.spi.FailureClass;
import dev.agentpipeline.spi.Stage;
import dev.agentpipeline.spi.StageContext;
import dev.agentpipeline.spi.StageOutcome;

import org.apiguardian.api.API;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.LongSupplier;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * A stage that runs an external program - a coding agent's command line, a build, a script - and reads the stage
 * summary it writes. Id {@value #ID}; its {@linkplain CommandSettings settings} come from the state's
 * {@code settings:} in the definition.
 *
 * <p>One attempt:
 * <ol>
 *   <li>The settings are read and every template checked; a bad setting fails the attempt before anything
 *       starts, naming the setting.</li>
 *   <li>In the attempt's directory ({@code StageContext.attemptDirectory()}, else a new temporary one) the prompt is
 *       written to {@code prompt.md}, an old {@code summary.json} is removed, and the program's output goes to
 *       {@code stdout.log} and {@code stderr.log}.</li>
 *   <li>The program runs as an argument list, never through a shell, in the stage's workspace, with an environment
 *       of the allowed variables only, plus {@code PIPELINE_RUN_ID}, {@code PIPELINE_STORY_ID},
 *       {@code PIPELINE_STAGE}, {@code PIPELINE_ATTEMPT}, {@code PIPELINE_ATTEMPT_ID}, {@code PIPELINE_WORKSPACE},
 *       {@code PIPELINE_ATTEMPT_DIR}, {@code PIPELINE_SUMMARY_FILE}, {@code PIPELINE_PROMPT_FILE} and
 *       {@code PIPELINE_PROGRESS_FILE}. A program
 *       named without a '/' is looked up on that environment's {@code PATH}; a path is relative to the
 *       workspace.</li>
 *   <li>It ends by itself, or is stopped with all its descendant processes: at the time limit
 *       ({@code timeout_productive}), after a silence of the idle limit ({@code timeout_idle}), or when the run is
 *       paused, canceled or stopped ({@link StageContext#isCancelled()}).</li>
 *   <li>Exit status 0 reads {@code {summary_file}}: the stage summary envelope, checked against its closed
 *       schema ({@link dev.agentpipeline.spi.SummaryEnvelope}) and mapped to the outcome. Any other status is a
 *       failed outcome: 127 or a program that cannot be found {@code tool_missing}, 126 {@code permission_denial},
 *       otherwise the class the end of its output reveals ({@link FailureClass#classify(String)}: a rate limit,
 *       missing credentials...), else {@code agent_error}.</li>
 * </ol>
 * Every outcome carries the attribute {@code command}: {@code {program, exit_code, stdout_log, stderr_log,
 * summary_file, attempt_dir, duration_ms}}. Thread-safe: it keeps no state between calls.
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class CommandStage implements Stage {

    /** The plugin id. */
    public static final String ID = "pipeline-command";
    /** The file the program's standard output goes to, in the attempt's directory. */
    public static final String STDOUT_LOG = "stdout.log";
    /** The file the program's standard error goes to, in the attempt's directory. */
    public static final String STDERR_LOG = "stderr.log";
    /** The file the program writes its stage summary to, in the attempt's directory. */
    public static final String SUMMARY_FILE = "summary.json";
    /** The file that holds the rendered prompt, in the attempt's directory. */
    public static final String PROMPT_FILE = "prompt.md";
    /**
     * The file in the attempt directory that holds the newest intra-stage progress saved in this visit (by an
     * earlier attempt that crashed, or with {@code pipeline progress}), {@code {}} when none: {@code {progress_file}}.
     */
    public static final String PROGRESS_FILE = "progress.json";

    private static final Duration POLL = Duration.ofMillis(50);
    private static final Duration KILL_GRACE = Duration.ofSeconds(2);
    private static final int TAIL_CHARS = 4000;

    private final LongSupplier nanoTime;

    /** For {@link java.util.ServiceLoader}. */
    public CommandStage() {
        this(System::nanoTime);
    }

    /** With another monotonic time source, in nanoseconds (for tests). */
    CommandStage(LongSupplier nanoTime) {
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String description() {
        return "Runs a program (a coding agent, a script) and reads the stage summary it writes";
    }

    @Override
    public StageOutcome run(StageContext context) throws IOException, InterruptedException {
        CommandSettings settings;
        try {
            settings = CommandSettings.parse(context.settings());
        } catch (IllegalArgumentException e) {
            return StageOutcome.failed(FailureClass.AGENT_ERROR, "Invalid settings of " + ID + " in state "
                    + context.stateId() + ": " + e.getMessage() + ". Fix the state's settings in the definition"
                    + " (or the --stages file).").build();
        }
        Path directory = context.attemptDirectory().isPresent() ? context.attemptDirectory().get()
                : Files.createTempDirectory("pipeline-command-");
        Files.createDirectories(directory);
        Path stdout = directory.resolve(STDOUT_LOG);
        Path stderr = directory.resolve(STDERR_LOG);
        Path summary = directory.resolve(SUMMARY_FILE);
        Path promptFile = directory.resolve(PROMPT_FILE);
        Files.deleteIfExists(summary);

        Map<String, String> variables = variables(context, directory, stdout, stderr, summary, promptFile);
        Function<String, String> values = Template.values(variables, context.inputs());
        List<String> command = new ArrayList<>();
        Map<String, String> environment;
        try {
            variables.put("prompt", Template.render(settings.prompt(), "prompt", values));
            for (int i = 0; i < settings.command().size(); i++) {
                command.add(Template.render(settings.command().get(i), "command[" + i + "]", values));
            }
            environment = environment(settings, values, variables);
        } catch (IllegalArgumentException e) {
            return StageOutcome.failed(FailureClass.AGENT_ERROR, "Invalid settings of " + ID + " in state "
                    + context.stateId() + ": " + e.getMessage()).build();
        }
        writeAtomically(promptFile, variables.get("prompt"));
        writeAtomically(directory.resolve(PROGRESS_FILE), variables.get("progress"));

        Map<String, Object> report = new LinkedHashMap<>();
        report.put("program", command.get(0));
        report.put("exit_code", null);
        report.put("stdout_log", stdout.toString());
        report.put("stderr_log", stderr.toString());
        report.put("summary_file", summary.toString());
        report.put("attempt_dir", directory.toString());

        Path program = ProgramRun.locate(command.get(0), context.workspace(), environment.get("PATH"));
        if (program == null) {
            return withReport(StageOutcome.failed(FailureClass.TOOL_MISSING, "Program '" + command.get(0)
                    + "' not found: " + ProgramRun.whereLooked(command.get(0), context.workspace(),
                    environment.get("PATH")) + ". Install it, or fix 'command' in the state's settings."), report);
        }
        if (!Files.isExecutable(program)) {
            return withReport(StageOutcome.failed(FailureClass.PERMISSION_DENIAL, "Program " + program
                    + " is not executable (permission denied). Make it executable (chmod +x) or run it through"
                    + " its interpreter, for example [\"sh\", \"" + command.get(0) + "\"]."), report);
        }
        command.set(0, program.toString());

        ProgramRun.Result result = new ProgramRun(command, context.workspace(), environment,
                settings.stdin() == CommandSettings.Stdin.PROMPT ? promptFile : null, stdout, stderr,
                settings.timeout(), settings.idleTimeout(), POLL, KILL_GRACE, nanoTime)
                .run(context::isCancelled);
        report.put("exit_code", result.exitCode());
        report.put("duration_ms", result.elapsed().toMillis());
        String name = command.get(0);
        switch (result.end()) {
            case START_FAILED:
                return withReport(StageOutcome.failed(startFailure(result.error()), "Cannot start " + name + ": "
                        + result.error()), report);
            case TIMEOUT:
                return withReport(StageOutcome.failed(FailureClass.TIMEOUT_PRODUCTIVE, name + " was still running"
                        + " after the time limit of " + seconds(settings.timeout()) + " and was stopped; its output"
                        + " is in " + stdout + " and " + stderr), report);
            case IDLE:
                return withReport(StageOutcome.failed(FailureClass.TIMEOUT_IDLE, name + " wrote nothing for "
                        + seconds(settings.idleTimeout()) + " and was stopped; its output is in " + stdout
                        + " and " + stderr), report);
            case CANCELLED:
                return withReport(StageOutcome.failed(FailureClass.AGENT_ERROR, "Stopped on request: " + name
                        + " and its child processes were stopped"), report);
            default:
                break;
        }
        if (result.exitCode() != 0) {
            return withReport(exitFailure(name, result.exitCode(), stdout, stderr), report);
        }
        return withReport(SummaryReader.read(summary, settings.summary(), context, name), report);
    }

    private static Map<String, String> variables(StageContext context, Path directory, Path stdout, Path stderr,
                                                 Path summary, Path promptFile) {
        Map<String, String> variables = new LinkedHashMap<>();
        variables.put("run_id", context.runId());
        variables.put("pipeline", context.pipelineId());
        variables.put("story_id", context.subjectId());
        variables.put("story_title", context.subjectTitle());
        variables.put("subject_id", context.subjectId());
        variables.put("subject_title", context.subjectTitle());
        variables.put("stage", context.stateId());
        variables.put("stage_number", stageNumber(context.stateId()));
        variables.put("attempt", Integer.toString(context.attempt()));
        variables.put("visit", Integer.toString(context.visit()));
        variables.put("attempt_id", context.attemptId());
        variables.put("workspace", context.workspace().toAbsolutePath().toString());
        variables.put("attempt_dir", directory.toAbsolutePath().toString());
        variables.put("summary_file", summary.toAbsolutePath().toString());
        variables.put("stdout_file", stdout.toAbsolutePath().toString());
        variables.put("stderr_file", stderr.toAbsolutePath().toString());
        variables.put("prompt_file", promptFile.toAbsolutePath().toString());
        variables.put("prompt", "");
        Map<String, Object> saved = context.progress().last().orElse(Map.of());
        variables.put("progress", JsonText.write(saved));
        variables.put("progress_file", directory.resolve(PROGRESS_FILE).toAbsolutePath().toString());
        variables.put("resume_command", saved.get("resume_command") instanceof String resume ? resume : "");
        Map<String, Object> inputs = context.inputs();
        variables.put("rework_focus", JsonText.text(inputs.get("rework_focus")));
        variables.put("rework_hint", JsonText.text(inputs.get("rework_hint")));
        variables.put("business_answers", JsonText.text(inputs.get("business_answers")));
        variables.put("inputs", JsonText.write(inputs));
        return variables;
    }

    /** The trailing digits of a state id ({@code STAGE_2} -> {@code 2}), else the empty string. */
    static String stageNumber(String stateId) {
        int start = stateId.length();
        while (start > 0 && Character.isDigit(stateId.charAt(start - 1))) {
            start--;
        }
        return stateId.substring(start);
    }

    private static Map<String, String> environment(CommandSettings settings, Function<String, String> values,
                                                   Map<String, String> variables) {
        Map<String, String> environment = new LinkedHashMap<>();
        Map<String, String> parent = System.getenv();
        for (String name : settings.envAllow()) {
            String value = parent.get(name);
            if (value != null) {
                environment.put(name, value);
            }
        }
        settings.env().forEach((name, template) -> environment.put(name, Template.render(template, "env." + name,
                values)));
        environment.put("PIPELINE_RUN_ID", variables.get("run_id"));
        environment.put("PIPELINE_STORY_ID", variables.get("story_id"));
        environment.put("PIPELINE_STAGE", variables.get("stage"));
        environment.put("PIPELINE_ATTEMPT", variables.get("attempt"));
        environment.put("PIPELINE_ATTEMPT_ID", variables.get("attempt_id"));
        environment.put("PIPELINE_WORKSPACE", variables.get("workspace"));
        environment.put("PIPELINE_ATTEMPT_DIR", variables.get("attempt_dir"));
        environment.put("PIPELINE_SUMMARY_FILE", variables.get("summary_file"));
        environment.put("PIPELINE_PROMPT_FILE", variables.get("prompt_file"));
        environment.put("PIPELINE_PROGRESS_FILE", variables.get("progress_file"));
        return environment;
    }

    private static FailureClass startFailure(String error) {
        String text = String.valueOf(error);
        if (text.contains("error=2,") || text.contains("No such file")) {
            return FailureClass.TOOL_MISSING;
        }
        if (text.contains("error=13,") || text.contains("Permission denied")) {
            return FailureClass.PERMISSION_DENIAL;
        }
        FailureClass classified = FailureClass.classify(text);
        return classified == FailureClass.NONE || classified == FailureClass.UNKNOWN
                ? FailureClass.AGENT_ERROR : classified;
    }

    /** A non-zero exit: 127 and 126 by their shell meaning, otherwise what the end of the output says. */
    static StageOutcome.Builder exitFailure(String name, int exitCode, Path stdout, Path stderr) throws IOException {
        String errTail = ProgramRun.tail(stderr, TAIL_CHARS);
        String outTail = ProgramRun.tail(stdout, TAIL_CHARS);
        String last = lastLine(errTail).isEmpty() ? lastLine(outTail) : lastLine(errTail);
        String message = name + " exited with status " + exitCode + (last.isEmpty() ? "" : ": " + last);
        if (exitCode == 127) {
            return StageOutcome.failed(FailureClass.TOOL_MISSING, message + " (status 127: a command it runs was"
                    + " not found)");
        }
        if (exitCode == 126) {
            return StageOutcome.failed(FailureClass.PERMISSION_DENIAL, message + " (status 126: a command it runs"
                    + " could not be executed)");
        }
        FailureClass failureClass = FailureClass.classify(errTail);
        if (failureClass == FailureClass.NONE || failureClass == FailureClass.UNKNOWN) {
            failureClass = FailureClass.classify(outTail);
        }
        if (failureClass == FailureClass.NONE || failureClass == FailureClass.UNKNOWN) {
            failureClass = FailureClass.AGENT_ERROR;
        }
        return StageOutcome.failed(failureClass, message);
    }

    private static String lastLine(String text) {
        String[] lines = text.strip().split("\\R");
        String line = lines.length == 0 ? "" : lines[lines.length - 1].strip();
        return line.length() > 300 ? line.substring(0, 297) + "..." : line;
    }

    private static StageOutcome withReport(StageOutcome.Builder outcome, Map<String, Object> report) {
        return outcome.attribute("command", report).build();
    }

    private static String seconds(Duration duration) {
        long millis = duration.toMillis();
        return millis % 1000 == 0 ? millis / 1000 + " s" : String.format(java.util.Locale.ROOT, "%.1f s",
                millis / 1000.0);
    }

    /** Writes a file so that a reader sees the old content or the new, never a part. */
    static void writeAtomically(Path file, String text) throws IOException {
        Path temp = Files.createTempFile(file.getParent(), "." + file.getFileName(), ".tmp");
        try {
            Files.writeString(temp, text, StandardCharsets.UTF_8);
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}
