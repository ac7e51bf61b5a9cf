package dev.agentpipeline.cli;

import org.apiguardian.api.API;

import java.util.List;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * Adds commands to the {@code pipeline} command line. Implementations are found with {@link java.util.ServiceLoader}
 * (list the class in {@code META-INF/services/dev.agentpipeline.cli.CliExtension}); their commands follow the
 * standard ones in {@code pipeline help}. The sample runner adds {@code demo} this way.
 *
 * <pre>{@code
 * public final class HelloExtension implements CliExtension {
 *     public List<CliCommand> commands() {
 *         return List.of(CliCommand.of("hello", "Says hello.", List.of(),
 *                 call -> new CommandResult(CommandResult.OK, Map.of("ok", true, "hello", "world"))));
 *     }
 * }
 * }</pre>
 *
 * <p>A command whose name is taken (by a standard command or another extension) stops the command line with an
 * error that names the extension's class. Implementations need a public no-argument constructor and must be
 * thread-safe: the daemon runs commands of several calls at once.
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public interface CliExtension {

    /**
     * The commands to add.
     *
     * @return the commands, never null
     */
    List<CliCommand> commands();
}
