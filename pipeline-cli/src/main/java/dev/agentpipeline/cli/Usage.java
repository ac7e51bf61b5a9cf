package dev.agentpipeline.cli;

import dev.agentpipeline.cli.wiring.CliSettings;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/** The answers of {@code pipeline help} and {@code pipeline --version}, as JSON objects. */
final class Usage {

    static final String SYNOPSIS = "pipeline [--project-dir <dir>] <command> [options]";

    private Usage() {
    }

    /** @return the usage of every command */
    static Map<String, Object> all(List<CliCommand> commands) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("ok", true);
        json.put("usage", SYNOPSIS);
        json.put("description", "Drives a story through task decomposition (STAGE_0), validation (STAGE_1),"
                + " execution (STAGE_2) and the quality gate (STAGE_3) as a durable, guarded state machine. Runs in"
                + " the project's directory; every answer is one JSON object.");
        List<Object> list = new ArrayList<>();
        for (CliCommand command : commands) {
            list.add(command(command));
        }
        json.put("commands", list);
        json.put("global_options", List.of(
                option(CommandLineParser.PROJECT_DIR, "<dir>", "The project's directory (default: the current"
                        + " directory); it must exist. Before or after the command."),
                option(CliOption.PLUGIN_PATH.name(), CliOption.PLUGIN_PATH.valueLabel(),
                        CliOption.PLUGIN_PATH.description()),
                option("--help", null, "This usage as JSON; `pipeline help <command>` or `pipeline <command> --help`"
                        + " for one command."),
                option("--version", null, "The version as JSON.")));
        List<Object> environment = new ArrayList<>();
        environment.add(variable(CliSettings.STATE_DIR_ENV, "The state directory (default <project>/.pipeline);"
                + " relative to the project directory."));
        environment.add(variable(CliSettings.LOCK_TIMEOUT_ENV, "How long a command waits for a run's lock, in"
                + " milliseconds (default 30000)."));
        environment.add(variable(CliSettings.LOG_ENV, "Logs to stderr at this level: debug, info, warn, error or"
                + " trace (default off)."));
        environment.add(variable(CliSettings.PLUGIN_PATH_ENV, "Plugin jars, or directories of jars, to load, as"
                + " --plugin-path names them (relative to the working directory); with those of --plugin-path."));
        json.put("environment", environment);
        Map<String, Object> exitCodes = new LinkedHashMap<>();
        exitCodes.put("0", "success: the answer on stdout");
        exitCodes.put("1", "guard rejection: {ok: false, error, recovery} on stdout, nothing changed");
        exitCodes.put("2", "error: {ok: false, error, code, fix} on stderr");
        json.put("exit_codes", exitCodes);
        return json;
    }

    /** @return the usage of one command */
    static Map<String, Object> of(CliCommand command) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("ok", true);
        json.putAll(command(command));
        return json;
    }

    private static Map<String, Object> command(CliCommand command) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("name", command.name());
        StringBuilder synopsis = new StringBuilder("pipeline ").append(command.name());
        List<Object> options = new ArrayList<>();
        for (CliOption option : command.options()) {
            synopsis.append(" [").append(option.name());
            if (!option.isFlag()) {
                synopsis.append(' ').append(option.valueLabel());
            }
            synopsis.append(']');
            options.add(option(option.name(), option.valueLabel(), option.description()));
        }
        json.put("usage", synopsis.toString());
        json.put("description", command.description());
        json.put("options", options);
        return json;
    }

    private static Map<String, Object> option(String name, String value, String description) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("name", name);
        if (value != null) {
            json.put("value", value);
        }
        json.put("description", description);
        return json;
    }

    private static Map<String, Object> variable(String name, String description) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("name", name);
        json.put("description", description);
        return json;
    }

    /** @return {@code {ok, name, version, java}} */
    static Map<String, Object> version() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("ok", true);
        json.put("name", "pipeline");
        json.put("version", version(Usage.class));
        json.put("java", System.getProperty("java.version"));
        return json;
    }

    private static String version(Class<?> anchor) {
        Properties properties = new Properties();
        try (InputStream in = anchor.getResourceAsStream("pipeline-cli.properties")) {
            if (in != null) {
                properties.load(in);
            }
        } catch (IOException e) {
            return "unknown";
        }
        return properties.getProperty("version", "unknown");
    }
}
