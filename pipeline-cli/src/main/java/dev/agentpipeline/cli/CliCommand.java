package dev.agentpipeline.cli;

import dev.agentpipeline.core.story.CommandResult;

import org.apiguardian.api.API;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * One subcommand of the {@code pipeline} command line: its name, its options and what it does. The command line
 * parses the options, then calls {@link Handler#execute(CliInvocation)} and prints the {@link CommandResult}.
 * Register a command in {@link PipelineMain#commands()}.
 *
 * <pre>{@code
 * CliCommand status = CliCommand.of("status", "Shows the story's run and what to do next.",
 *         List.of(CliOption.value("--story", "<id>", "The story; optional when one run is active.")),
 *         call -> call.storyCommands().status(call.value("--story")));
 * }</pre>
 *
 * @param name the name: one or two words of lower-case letters and dashes ({@code record-stage-summary},
 *     {@code workspaces list}); never null
 * @param description what the command does, one or two sentences; never null
 * @param options its options (besides the global {@code --project-dir} and {@code --help}); never null
 * @param handler what it does; never null
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public record CliCommand(String name, String description, List<CliOption> options, Handler handler) {

    /** The options every command accepts, so they are not declared by commands. */
    static final Set<String> RESERVED_OPTIONS = Set.of("--project-dir", "--help", "--version");

    /**
     * What a command does: reads its options and answers with a JSON object and an exit code.
     *
     * @since 0.1
     */
    @FunctionalInterface
    public interface Handler {
        /**
         * Executes the command.
         *
         * @param call the parsed options and access to the runtime, never null
         * @return the answer, never null
         */
        CommandResult execute(CliInvocation call);
    }

    /**
     * Validates and copies the options.
     *
     * @throws IllegalArgumentException if the name is malformed, an option is declared twice or is reserved
     */
    public CliCommand {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(handler, "handler");
        if (!name.matches("[a-z][a-z-]*( [a-z][a-z-]*)?")) {
            throw new IllegalArgumentException("command name must be one or two words of lower-case letters and"
                    + " dashes, got '" + name + "'");
        }
        options = List.copyOf(options);
        Set<String> seen = new HashSet<>();
        for (CliOption option : options) {
            if (!seen.add(option.name())) {
                throw new IllegalArgumentException("command " + name + " declares " + option.name() + " twice");
            }
            if (RESERVED_OPTIONS.contains(option.name())) {
                throw new IllegalArgumentException("command " + name + " cannot declare " + option.name()
                        + ": every command has it");
            }
        }
    }

    /**
     * @param name the name
     * @param description what it does
     * @param options its options
     * @param handler what it does
     * @return the command
     */
    public static CliCommand of(String name, String description, List<CliOption> options, Handler handler) {
        return new CliCommand(name, description, options, handler);
    }

    /**
     * @param optionName a long option name
     * @return the option of that name, or null if this command has none
     */
    CliOption option(String optionName) {
        for (CliOption option : options) {
            if (option.name().equals(optionName)) {
                return option;
            }
        }
        return null;
    }
}
