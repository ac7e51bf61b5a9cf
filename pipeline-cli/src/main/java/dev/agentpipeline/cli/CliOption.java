package dev.agentpipeline.cli;

import org.apiguardian.api.API;

import java.util.Objects;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * One option of a {@link CliCommand}: a long name such as {@code --story}, whether it takes a value, and what it
 * means. No option is required by the parser: the command says what it needs, in its own words.
 *
 * <pre>{@code
 * CliOption story = CliOption.value("--story", "<id>", "The story, for example US001.");
 * CliOption force = CliOption.flag("--force", "Override the guards of a paused run.");
 * }</pre>
 *
 * @param name the long name, {@code --} followed by lower-case letters, digits and dashes; never null
 * @param valueLabel the value's placeholder in the usage ({@code <id>}), or null for a flag without value
 * @param description what the option means, one sentence; never null
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public record CliOption(String name, String valueLabel, String description) {

    /**
     * {@code --progress}: how a command that drives a run shows its progress on stderr. A command with this option
     * reads it with {@link CliInvocation#progressMode()}.
     */
    public static final CliOption PROGRESS = CliOption.value("--progress", "<auto|live|lines>", "How progress shows"
            + " on stderr: a dashboard repainted in place (live), a line per step (lines), or live on a terminal and"
            + " lines elsewhere (auto, the default).");

    /**
     * {@code --plugin-path}: a global option (before or after any command) naming plugin jars, or directories of
     * jars, that the call loads in a class loader of their own; see {@link dev.agentpipeline.cli.wiring.PluginPath}.
     */
    public static final CliOption PLUGIN_PATH = CliOption.value(
            dev.agentpipeline.cli.wiring.PluginPath.OPTION, "<jar-or-dir>[:<jar-or-dir>...]", "Plugin jars (stages,"
            + " evidence collectors, trackers, workspace providers), or directories of jars, to load for this call;"
            + " with those of " + dev.agentpipeline.cli.wiring.CliSettings.PLUGIN_PATH_ENV + " and every *.jar in"
            + " the project's " + dev.agentpipeline.cli.wiring.PluginPath.FOLDER + "/. Before or after the command.");

    /**
     * Validates.
     *
     * @throws IllegalArgumentException if the name is not a long option name or the description is blank
     */
    public CliOption {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(description, "description");
        if (!name.matches("--[a-z][a-z0-9-]*")) {
            throw new IllegalArgumentException("option name must look like --story, got '" + name + "'");
        }
        if (description.isBlank()) {
            throw new IllegalArgumentException("option " + name + " needs a description");
        }
    }

    /**
     * An option with a string value.
     *
     * @param name the long name, {@code --story}
     * @param valueLabel the value's placeholder, {@code <id>}
     * @param description what it means
     * @return the option
     */
    public static CliOption value(String name, String valueLabel, String description) {
        return new CliOption(name, Objects.requireNonNull(valueLabel, "valueLabel"), description);
    }

    /**
     * A boolean flag without value: given means true.
     *
     * @param name the long name, {@code --force}
     * @param description what it means
     * @return the option
     */
    public static CliOption flag(String name, String description) {
        return new CliOption(name, null, description);
    }

    /** @return whether this is a flag without value */
    public boolean isFlag() {
        return valueLabel == null;
    }
}
