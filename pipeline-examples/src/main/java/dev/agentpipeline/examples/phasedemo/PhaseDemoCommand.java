package dev.agentpipeline.examples.phasedemo;

import dev.agentpipeline.cli.CliCommand;
import dev.agentpipeline.cli.CliExtension;
import dev.agentpipeline.cli.CliInvocation;
import dev.agentpipeline.cli.CliOption;
import dev.agentpipeline.cli.PipelineMain;
import dev.agentpipeline.core.story.CommandResult;

import org.apiguardian.api.API;

import java.io.UncheckedIOException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * The {@code pipeline phase-demo} command, which the sample runner adds to the command line as a
 * {@link CliExtension} (listed in {@code META-INF/services}): the phase pipeline run on a sample project by scripts
 * that write signals, driven by {@code launch}, a worker and {@code decide} ({@link PhaseDemo}).
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class PhaseDemoCommand implements CliExtension {

    /**
     * The start of the phase demo's default directory's name, in the system's temporary directory; the user's name
     * follows, so that two users of one machine do not share a project.
     */
    public static final String DEMO_DIR = "agent-pipeline-phase-demo";

    @Override
    public List<CliCommand> commands() {
        return List.of(CliCommand.of("phase-demo", "Creates a sample project (or reuses the one an earlier phase demo"
                        + " made) and runs the phase pipeline on it with example agents, scripts that write their phase"
                        + " signals: launch, then a worker with the signal watcher in this process. Phase 6's first"
                        + " try times out and runs again after a 1 s backoff; phase 7 asks a decision, then measures"
                        + " its tests and coverage (80/70 required); phase 11 runs the stub deployment pipeline as a"
                        + " child run. The demo answers the task approval and the decision as `pipeline decide` would"
                        + " (each with its first option), unless --stop-at-gates. Progress on stderr; the answer"
                        + " names the run, its phases and durations, the retry, the decisions, the child run and the"
                        + " files.",
                List.of(CliOption.value("--dir", "<dir>", "Where the sample project is: a new or empty directory, or"
                                + " one an earlier phase demo created (default: agent-pipeline-phase-demo-<user> in the"
                                + " system's temporary directory)."),
                        CliOption.flag("--stop-at-gates", "Stop at the first gate and say which pipeline decide"
                                + " command answers it; the next phase-demo goes on with the same run.")),
                PhaseDemoCommand::phaseDemo));
    }

    /**
     * The phase demo's default directory: {@code agent-pipeline-phase-demo-<user>} in the system's temporary
     * directory, with the user's name reduced to letters, digits, dots, dashes and underscores.
     *
     * @return the directory
     */
    public static Path defaultDirectory() {
        String user = System.getProperty("user.name", "");
        String safe = user.replaceAll("[^A-Za-z0-9._-]", "_");
        String name = safe.isEmpty() || safe.chars().allMatch(c -> c == '.') ? DEMO_DIR : DEMO_DIR + "-" + safe;
        return Path.of(System.getProperty("java.io.tmpdir")).resolve(name);
    }

    private static CommandResult phaseDemo(CliInvocation call) {
        Path dir;
        try {
            dir = call.value("--dir") != null ? call.settings().pipeline().projectDir().resolve(call.value("--dir"))
                    : defaultDirectory();
        } catch (InvalidPathException e) {
            return PipelineMain.error("invalid_path", "--dir is not a path: " + e.getMessage(), "Pass a directory.");
        }
        boolean stop = call.flag("--stop-at-gates");
        String again = "bin/pipeline phase-demo" + (call.value("--dir") != null ? " --dir " + dir.toAbsolutePath()
                .normalize() : "") + (stop ? " --stop-at-gates" : "");
        Map<String, Object> answer;
        try {
            answer = PhaseDemo.run(dir, call.progress(), !stop, again);
        } catch (IllegalArgumentException e) {
            return PipelineMain.error("invalid_dir", e.getMessage(), "Pass --dir with a new or empty directory, or"
                    + " with the directory of an earlier phase demo.");
        } catch (IllegalStateException | UncheckedIOException e) {
            return PipelineMain.error("demo_failed", e.getMessage(), "Run the phase demo with a JDK 17 or newer"
                    + " (JAVA_HOME), built with Maven; the attempts' logs are under .pipeline/runs/ of its project.");
        }
        return new CommandResult(Boolean.TRUE.equals(answer.get("ok")) ? CommandResult.OK : CommandResult.REJECTED,
                answer);
    }
}
