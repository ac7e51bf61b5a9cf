package dev.agentpipeline.cli.wiring;

import dev.agentpipeline.guice.PipelineSettings;
import org.apiguardian.api.API;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

import static org.apiguardian.api.API.Status.INTERNAL;

/**
 * The settings of one {@code pipeline} command-line call, from its working directory, its {@code --project-dir}
 * option and its environment, validated before anything is read or written. Immutable.
 *
 * <table>
 *   <caption>Sources</caption>
 *   <tr><th>setting</th><th>source</th><th>default</th></tr>
 *   <tr><td>project directory</td><td>{@code --project-dir <dir>} (relative to the working directory)</td>
 *       <td>the working directory</td></tr>
 *   <tr><td>state directory</td><td>{@value #STATE_DIR_ENV} (relative to the project directory)</td>
 *       <td>{@code <project>/.pipeline}</td></tr>
 *   <tr><td>lock timeout</td><td>{@value #LOCK_TIMEOUT_ENV}, milliseconds</td><td>30000</td></tr>
 *   <tr><td>log level</td><td>{@value #LOG_ENV}: off, error, warn, info, debug or trace</td><td>off</td></tr>
 *   <tr><td>plugin jars</td><td>{@code --plugin-path}, {@value #PLUGIN_PATH_ENV} and the project's
 *       {@code .pipeline/plugins/} folder (see {@link PluginPath})</td><td>none</td></tr>
 * </table>
 *
 * <pre>{@code
 * CliSettings settings = CliSettings.resolve(Path.of(""), null, System.getenv());
 * }</pre>
 *
 * @param pipeline where the runs are and how long to wait for a lock, never null
 * @param logLevel the log level, lower case ({@code off} when logging is off), never null
 * @param plugins the plugin jars and their class loader, never null ({@link PluginPath#none()} without); the call
 *     that resolved the settings closes them when it ends
 * @since 0.1
 */
@API(status = INTERNAL, since = "0.1")
public record CliSettings(PipelineSettings pipeline, String logLevel, PluginPath plugins) {

    /** Environment variable naming the state directory. */
    public static final String STATE_DIR_ENV = "PIPELINE_STATE_DIR";
    /** Environment variable giving the lock timeout in milliseconds. */
    public static final String LOCK_TIMEOUT_ENV = "PIPELINE_LOCK_TIMEOUT_MS";
    /** Environment variable turning logs (to stderr) on. */
    public static final String LOG_ENV = "PIPELINE_LOG";
    /** Environment variable naming plugin jars (or directories of jars), as {@code --plugin-path} does. */
    public static final String PLUGIN_PATH_ENV = "PIPELINE_PLUGIN_PATH";
    /** The accepted values of {@value #LOG_ENV}. */
    public static final List<String> LOG_LEVELS = List.of("off", "error", "warn", "info", "debug", "trace");

    private static final long MAX_LOCK_TIMEOUT_MS = 86_400_000L;

    /**
     * Validates.
     *
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if the log level is not one of {@link #LOG_LEVELS}
     */
    public CliSettings {
        Objects.requireNonNull(pipeline, "pipeline");
        Objects.requireNonNull(logLevel, "logLevel");
        Objects.requireNonNull(plugins, "plugins");
        if (!LOG_LEVELS.contains(logLevel)) {
            throw new IllegalArgumentException("logLevel must be one of " + LOG_LEVELS + ", got " + logLevel);
        }
    }

    /**
     * Settings without plugin jars.
     *
     * @param pipeline where the runs are and how long to wait for a lock
     * @param logLevel the log level, lower case
     */
    public CliSettings(PipelineSettings pipeline, String logLevel) {
        this(pipeline, logLevel, PluginPath.none());
    }

    /**
     * Resolves and validates the settings of a call without {@code --plugin-path}: see
     * {@link #resolve(Path, String, String, Map)}.
     *
     * @param workingDir the directory the command runs in
     * @param projectDirOption the {@code --project-dir} value, or null when not given
     * @param env the environment
     * @return the settings
     * @throws InvalidSettingsException naming the option or variable that is wrong, and how to fix it
     */
    public static CliSettings resolve(Path workingDir, String projectDirOption, Map<String, String> env)
            throws InvalidSettingsException {
        return resolve(workingDir, projectDirOption, null, env);
    }

    /**
     * Resolves and validates the settings of a call. Reads the file system (does the project directory exist? are
     * the plugin jars jars?), creates nothing on disk, and opens the plugin jars, if any: close
     * {@link #plugins()} when the call ends.
     *
     * @param workingDir the directory the command runs in
     * @param projectDirOption the {@code --project-dir} value, or null when not given
     * @param pluginPathOption the {@code --plugin-path} value, or null when not given
     * @param env the environment
     * @return the settings
     * @throws InvalidSettingsException naming the option, variable or file that is wrong, and how to fix it
     */
    public static CliSettings resolve(Path workingDir, String projectDirOption, String pluginPathOption,
                                      Map<String, String> env) throws InvalidSettingsException {
        Objects.requireNonNull(workingDir, "workingDir");
        Objects.requireNonNull(env, "env");
        Path project = projectDir(workingDir, projectDirOption);
        Path stateDir = stateDir(project, env.get(STATE_DIR_ENV));
        Duration lockTimeout = lockTimeout(env.get(LOCK_TIMEOUT_ENV));
        String logLevel = logLevel(env);
        PluginPath plugins = PluginPath.resolve(workingDir.toAbsolutePath(), project, pluginPathOption,
                env.get(PLUGIN_PATH_ENV));
        return new CliSettings(new PipelineSettings(project, stateDir, lockTimeout), logLevel, plugins);
    }

    /**
     * The log level {@value #LOG_ENV} asks for.
     *
     * @param env the environment
     * @return the level, lower case; {@code off} when the variable is unset or empty
     * @throws InvalidSettingsException if the value is not one of {@link #LOG_LEVELS}
     */
    public static String logLevel(Map<String, String> env) throws InvalidSettingsException {
        String value = env.get(LOG_ENV);
        if (value == null || value.isBlank()) {
            return "off";
        }
        String level = value.trim().toLowerCase(Locale.ROOT);
        if (!LOG_LEVELS.contains(level)) {
            throw new InvalidSettingsException("invalid_env", LOG_ENV + " must be one of " + String.join(", ",
                    LOG_LEVELS) + " (got '" + printable(value) + "')", "Unset " + LOG_ENV + " for no logs, or set"
                    + " it to debug, info or warn to log to stderr.");
        }
        return level;
    }

    private static Path projectDir(Path workingDir, String option) throws InvalidSettingsException {
        Path project;
        if (option == null) {
            project = workingDir;
        } else {
            if (option.isEmpty()) {
                throw new InvalidSettingsException("invalid_option", "--project-dir is empty",
                        "Pass the project's directory, for example --project-dir /work/my-app, or leave the option"
                                + " out to use the current directory.");
            }
            project = path("--project-dir", option, "Pass an existing directory.");
            project = workingDir.resolve(project);
        }
        project = project.toAbsolutePath().normalize();
        String where = option == null ? "the current directory" : "--project-dir";
        if (!Files.exists(project)) {
            throw new InvalidSettingsException("project_dir_missing", "Project directory " + project
                    + " does not exist (" + where + ")", "Run pipeline from the project's directory, or pass"
                    + " --project-dir <existing directory>; nothing was created.");
        }
        if (!Files.isDirectory(project)) {
            throw new InvalidSettingsException("project_dir_not_directory", "Project directory " + project
                    + " is not a directory (" + where + ")", "Pass the directory of the project, not a file.");
        }
        return project;
    }

    private static Path stateDir(Path project, String value) throws InvalidSettingsException {
        if (value == null || value.isEmpty()) {
            return project.resolve(PipelineSettings.DEFAULT_STATE_DIR);
        }
        Path dir = project.resolve(path(STATE_DIR_ENV, value, "Set it to a directory path, or unset it to use "
                + "<project>/" + PipelineSettings.DEFAULT_STATE_DIR + ".")).normalize();
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new InvalidSettingsException("invalid_env", STATE_DIR_ENV + " names " + dir
                    + ", which is a file, not a directory", "Set " + STATE_DIR_ENV + " to a directory (it is created"
                    + " on the first write), or unset it to use <project>/" + PipelineSettings.DEFAULT_STATE_DIR
                    + ".");
        }
        return dir;
    }

    private static Duration lockTimeout(String value) throws InvalidSettingsException {
        if (value == null || value.isBlank()) {
            return PipelineSettings.DEFAULT_LOCK_TIMEOUT;
        }
        long millis;
        try {
            millis = Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            millis = -1;
        }
        if (millis < 1 || millis > MAX_LOCK_TIMEOUT_MS) {
            throw new InvalidSettingsException("invalid_env", LOCK_TIMEOUT_ENV + " must be a whole number of"
                    + " milliseconds from 1 to " + MAX_LOCK_TIMEOUT_MS + " (got '" + printable(value) + "')",
                    "Set for example " + LOCK_TIMEOUT_ENV + "=30000, or unset it for the default of 30 seconds.");
        }
        return Duration.ofMillis(millis);
    }

    private static Path path(String what, String value, String fix) throws InvalidSettingsException {
        try {
            return Path.of(value);
        } catch (InvalidPathException e) {
            throw new InvalidSettingsException("invalid_path", what + " is not a valid path: " + e.getReason()
                    + " ('" + printable(value) + "')", fix);
        }
    }

    private static String printable(String value) {
        StringBuilder out = new StringBuilder();
        value.codePoints().limit(80).forEach(c -> {
            if (Character.isISOControl(c)) {
                out.append(String.format("\\u%04x", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return value.codePointCount(0, value.length()) > 80 ? out + "..." : out.toString();
    }
}
