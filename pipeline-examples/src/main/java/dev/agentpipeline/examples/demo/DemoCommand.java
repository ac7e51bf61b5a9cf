package dev.agentpipeline.examples.demo;

import dev.agentpipeline.cli.CliCommand;
import dev.agentpipeline.cli.CliExtension;
import dev.agentpipeline.cli.CliInvocation;
import dev.agentpipeline.cli.CliOption;
import dev.agentpipeline.cli.PipelineMain;
import dev.agentpipeline.cli.progress.ProgressOutput;
import dev.agentpipeline.core.story.CommandResult;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;

/**
 * The {@code pipeline demo} command, which the sample runner adds to the command line as a {@link CliExtension}
 * (listed in {@code META-INF/services}): a sample project driven from its board's backlog to DONE.
 *
 * @since 0.1
 */
public final class DemoCommand implements CliExtension {

    /**
     * The start of the demo's default directory's name, in the system's temporary directory; the user's name follows,
     * so that two users of one machine do not share a demo project. Every demo run without {@code --dir} adds to it.
     */
    public static final String DEMO_DIR = "agent-pipeline-demo";

    @Override
    public List<CliCommand> commands() {
        return List.of(CliCommand.of("demo", "Creates a sample project (or reuses the one an earlier demo made), picks"
                        + " the next story of its board and drives it through all four stages with example agents,"
                        + " scripts that change the code and run its tests with coverage: one NO-GO and its retry, one"
                        + " quality FAIL on measured coverage and its rework, then DONE. Each run adds a row to the"
                        + " project's quality trend. Progress goes to stderr; the answer says where the journal, state,"
                        + " checkpoints and the report (docs/tasks/reports/ of the sample project) are.",
                List.of(CliOption.value("--dir", "<dir>", "Where the sample project is: a new or empty directory, or"
                        + " one an earlier demo created (default: agent-pipeline-demo-<user> in the system's temporary"
                        + " directory)."), CliOption.PROGRESS),
                DemoCommand::demoProject));
    }

    /**
     * The demo's default directory: {@code agent-pipeline-demo-<user>} in the system's temporary directory, with the
     * user's name reduced to letters, digits, dots, dashes and underscores.
     *
     * @return the directory
     */
    public static Path defaultDirectory() {
        String user = System.getProperty("user.name", "");
        String safe = user.replaceAll("[^A-Za-z0-9._-]", "_");
        String name = safe.isEmpty() || safe.chars().allMatch(c -> c == '.') ? DEMO_DIR : DEMO_DIR + "-" + safe;
        return Path.of(System.getProperty("java.io.tmpdir")).resolve(name);
    }

    private static CommandResult demoProject(CliInvocation call) {
        Path dir;
        try {
            dir = call.value("--dir") != null ? call.settings().pipeline().projectDir().resolve(call.value("--dir"))
                    : defaultDirectory();
        } catch (InvalidPathException e) {
            return PipelineMain.error("invalid_path", "--dir is not a path: " + e.getMessage(), "Pass a directory.");
        }
        ProgressOutput.Mode mode;
        try {
            mode = call.progressMode();
        } catch (IllegalArgumentException e) {
            return PipelineMain.error("invalid_flag", e.getMessage(), "Pass --progress auto, live or lines.");
        }
        Map<String, Object> answer;
        try {
            answer = Demo.run(dir, call.progress(), Clock.systemDefaultZone(), mode);
        } catch (IllegalArgumentException e) {
            return PipelineMain.error("invalid_dir", e.getMessage(), "Pass --dir with a new or empty directory, or"
                    + " with the directory of an earlier demo.");
        } catch (IllegalStateException e) {
            return PipelineMain.error("demo_failed", e.getMessage(), "Run the demo with a JDK 17 or newer (JAVA_HOME),"
                    + " built with Maven.");
        }
        return new CommandResult(Boolean.TRUE.equals(answer.get("ok")) ? CommandResult.OK : CommandResult.REJECTED,
                answer);
    }
}
