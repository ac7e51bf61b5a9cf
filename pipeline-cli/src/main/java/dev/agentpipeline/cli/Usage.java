package dev.agentpipeline.cli;

import dev.agentpipeline.cli.wiring.CliSettings;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The answers of {@code pipeline help} and {@code pipeline --version}: the usage as text for people (the default)
 * or, with {@code --format json}, as one JSON object for programs; the version as JSON.
 */
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
                option("--help", null, "This usage, as text; `pipeline help <command>` or `pipeline <command>"
                        + " --help` for one command. With --format json, as JSON."),
                option(CommandLineParser.FORMAT, "<text|json>", "With --help or help: text (the default, for"
                        + " people) or json (the usage as one JSON object, for programs)."),
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

    /** The width help text is wrapped to. */
    static final int WIDTH = 100;

    /** Where an option's description starts, after its name and value. */
    private static final int COLUMN = 32;

    /** The launcher's environment variables, beside those of {@link CliSettings}: for the text only. */
    private static final List<String[]> LAUNCHER_ENVIRONMENT = List.of(
            new String[] {"JAVA_HOME", "The JDK to run with (17 or newer; default: java on the PATH)."},
            new String[] {"PIPELINE_DAEMON", "auto, on or off: serve quick commands from a warm daemon (default auto:"
                    + " on, except when CI is set)."},
            new String[] {"PIPELINE_DAEMON_IDLE_SECONDS", "How long a daemon lives without a request (default 600)."},
            new String[] {"PIPELINE_DAEMON_DIR", "Where the daemon's socket, lock and log live (default"
                    + " bin/.daemon/ of the checkout)."},
            new String[] {"PIPELINE_CDS", "off runs without the class-data-sharing archives."});

    /** A few examples per command, for the text; commands without any show none. */
    private static final Map<String, List<String>> EXAMPLES = Map.ofEntries(
            Map.entry("start", List.of("pipeline start --story US001 --title \"Login form\"")),
            Map.entry("status", List.of("pipeline status --story US001",
                    "pipeline status --story US001 --watch")),
            Map.entry("advance", List.of("pipeline advance --story US001 --to STAGE_1",
                    "pipeline advance --story US001 --to STAGE_2 --force --reason \"Reviewed by hand\"")),
            Map.entry("checkpoint", List.of("pipeline checkpoint --story US001 --stage 0 --plan-score 4"
                    + " --tasks-remaining '[\"T-001\"]'",
                    "pipeline checkpoint --story US001 --stage 1 --verdict GO --readiness 8")),
            Map.entry("pause", List.of("pipeline pause --story US001 --reason \"Waiting for review\"")),
            Map.entry("resume", List.of("pipeline resume --story US001")),
            Map.entry("decide", List.of("pipeline decide --run phase-shop-1767600000000-9f8e7d6c --option approve --by lead",
                    "pipeline decide --story US001 --answers '{\"payment\":\"Stripe\"}'")),
            Map.entry("launch", List.of("pipeline launch --pipeline phase --subject shop")),
            Map.entry("worker", List.of("pipeline worker", "pipeline worker --threads 8 --lines json",
                    "pipeline worker --stop-when-idle 30s   # for scripts: stop once nothing moved for 30 s")),
            Map.entry("runs", List.of("pipeline runs", "pipeline runs --all --format json")),
            Map.entry("progress", List.of("pipeline progress --run \"$PIPELINE_RUN_ID\" --file checkpoint.json")),
            Map.entry("signal", List.of("pipeline signal --run phase-p1-1767600000000-0a1b2c3d --file"
                    + " phase7-complete.json",
                    "pipeline signal --run release-r7-1767600000000-9f8e7d6c --name APPROVED --json"
                    + " '{\"approved\":true}' --definition release.yaml")),
            Map.entry("run", List.of(
                    "pipeline run --story US001 --scenario examples/stages/dry-run.yaml   # a dry run, scripted",
                    "pipeline run --story US001 --stages stages.yaml                      # stages bound to agents",
                    "pipeline run --from-board                                            # pick from the board")),
            Map.entry("graph", List.of("pipeline graph --format dot | dot -Tsvg > story.svg",
                    "pipeline graph --story US001")),
            Map.entry("report", List.of("pipeline report --story US001")),
            Map.entry("workspaces prune", List.of("pipeline workspaces prune --force")),
            Map.entry("board list", List.of("pipeline board", "pipeline board --all --format json")),
            Map.entry("board move", List.of("pipeline board move --story US001 --to \"In Progress\"")));

    /**
     * The usage of every command as text for people: what the command line does, its commands, global options,
     * environment and exit codes.
     *
     * @param commands the commands
     * @return the text, ending with a newline
     */
    static String allText(List<CliCommand> commands) {
        StringBuilder text = new StringBuilder();
        text.append("Usage: ").append(SYNOPSIS).append("\n\n");
        paragraph(text, "Drives a story through task decomposition (STAGE_0), validation (STAGE_1), execution"
                + " (STAGE_2) and the quality gate (STAGE_3) as a durable, guarded state machine. Run it in the"
                + " project's directory. Every answer of a command is one JSON object (for agents); this help is"
                + " text, and `pipeline help --format json` answers it as JSON.", "");
        text.append("\nCommands:\n");
        for (CliCommand command : commands) {
            row(text, command.name(), firstSentence(command.description()));
        }
        row(text, CommandLineParser.HELP_COMMAND + " [<command>]", "Shows this help, or the options of one command.");
        text.append("\nGlobal options:\n");
        row(text, CommandLineParser.PROJECT_DIR + " <dir>", "The project's directory (default: the current"
                + " directory); it must exist. Before or after the command.");
        row(text, CliOption.PLUGIN_PATH.name() + " " + CliOption.PLUGIN_PATH.valueLabel(),
                CliOption.PLUGIN_PATH.description());
        row(text, "-h, --help", "This help; `pipeline help <command>` or `pipeline <command> --help` for one"
                + " command.");
        row(text, CommandLineParser.FORMAT + " <text|json>", "With --help or help: text (the default) or json (for"
                + " programs).");
        row(text, "-V, --version", "The version, as JSON.");
        text.append("\nEnvironment:\n");
        row(text, CliSettings.STATE_DIR_ENV, "The state directory, relative to the project (default .pipeline).");
        row(text, CliSettings.LOCK_TIMEOUT_ENV, "How long a command waits for a run's lock, in milliseconds (default"
                + " 30000).");
        row(text, CliSettings.LOG_ENV, "Logs to stderr at this level: trace, debug, info, warn or error (default"
                + " off).");
        row(text, CliSettings.PLUGIN_PATH_ENV, "Plugin jars, or directories of jars, to load, separated by '"
                + java.io.File.pathSeparator + "' (with --plugin-path and " + dev.agentpipeline.cli.wiring.PluginPath.FOLDER + "/).");
        for (String[] variable : LAUNCHER_ENVIRONMENT) {
            row(text, variable[0], variable[1]);
        }
        text.append("\nThe daemon (answered by bin/pipeline itself):\n");
        row(text, "daemon status", "Whether a warm daemon serves the quick commands of this checkout, as JSON.");
        row(text, "daemon stop", "Stops it (it also stops after PIPELINE_DAEMON_IDLE_SECONDS without a request).");
        text.append("\nExit codes:\n");
        row(text, "0", "Success: the answer on stdout.");
        row(text, "1", "A guard rejection (nothing changed), or a run that needs a person: on stdout.");
        row(text, "2", "Any other error: {ok: false, error, code, fix} on stderr; nothing changed.");
        text.append("\nExamples:\n");
        for (String example : List.of("pipeline start --story US001 --title \"Login form\"",
                "pipeline run --story US001 --scenario examples/stages/dry-run.yaml",
                "pipeline board", "pipeline help run")) {
            text.append("  ").append(example).append('\n');
        }
        text.append("\nDocumentation: docs/cli.md of the agent-pipeline repository.\n");
        return text.toString();
    }

    /**
     * The usage of one command as text for people: its usage line, description, options and examples.
     *
     * @param command the command
     * @return the text, ending with a newline
     */
    static String text(CliCommand command) {
        StringBuilder text = new StringBuilder();
        String prefix = "Usage: ";
        String synopsis = synopsis(command);
        int open = synopsis.indexOf(" [");
        if (open < 0) {
            text.append(prefix).append(synopsis).append('\n');
        } else { // the options wrapped under the command's name
            String head = synopsis.substring(0, open);
            String indent = " ".repeat(prefix.length() + head.length() + 1);
            StringBuilder line = new StringBuilder(prefix).append(head);
            for (String part : synopsis.substring(open + 1).split("(?<=\\]) (?=\\[)")) {
                if (line.length() + 1 + part.length() > WIDTH && line.length() > indent.length()) {
                    text.append(line).append('\n');
                    line = new StringBuilder(indent).append(part);
                } else {
                    line.append(' ').append(part);
                }
            }
            text.append(line).append('\n');
        }
        text.append('\n');
        paragraph(text, command.description(), "");
        if (!command.options().isEmpty()) {
            text.append("\nOptions:\n");
            for (CliOption option : command.options()) {
                row(text, option.isFlag() ? option.name() : option.name() + " " + option.valueLabel(),
                        option.description());
            }
        }
        text.append("\nGlobal options:\n");
        row(text, CommandLineParser.PROJECT_DIR + " <dir>", "The project's directory (default: the current"
                + " directory).");
        row(text, CliOption.PLUGIN_PATH.name() + " " + CliOption.PLUGIN_PATH.valueLabel(), "Plugin jars to load for"
                + " this call (see pipeline help).");
        row(text, "-h, --help", "This help; with --format json, as JSON.");
        List<String> examples = EXAMPLES.getOrDefault(command.name(), List.of());
        if (!examples.isEmpty()) {
            text.append("\nExamples:\n");
            examples.forEach(example -> text.append("  ").append(example).append('\n'));
        }
        return text.toString();
    }

    /** Appends a name and its description in two columns, the description wrapped (on its own lines if long). */
    private static void row(StringBuilder text, String name, String description) {
        String head = "  " + name;
        if (head.length() + 2 > COLUMN) {
            text.append(head).append('\n');
            head = "";
        }
        List<String> lines = wrap(description, WIDTH - COLUMN);
        for (int i = 0; i < lines.size(); i++) {
            String start = i == 0 ? head : "";
            text.append(start).append(" ".repeat(COLUMN - start.length())).append(lines.get(i)).append('\n');
        }
        if (lines.isEmpty()) {
            text.append(head).append('\n');
        }
    }

    /** Appends a paragraph wrapped to {@link #WIDTH} with the given indentation. */
    private static void paragraph(StringBuilder text, String paragraph, String indent) {
        for (String line : wrap(paragraph, WIDTH - indent.length())) {
            text.append(indent).append(line).append('\n');
        }
    }

    /**
     * @param text words separated by spaces
     * @param width the width of a line
     * @return the lines, none longer than the width unless a single word is
     */
    static List<String> wrap(String text, int width) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : text.trim().split("\\s+")) {
            if (word.isEmpty()) {
                continue;
            }
            if (line.length() > 0 && line.length() + 1 + word.length() > width) {
                lines.add(line.toString());
                line.setLength(0);
            }
            if (line.length() > 0) {
                line.append(' ');
            }
            line.append(word);
        }
        if (line.length() > 0) {
            lines.add(line.toString());
        }
        return lines;
    }

    /** @return the first sentence of a description: up to the first ". " */
    private static String firstSentence(String description) {
        int end = description.indexOf(". ");
        return end < 0 ? description : description.substring(0, end + 1);
    }

    private static String synopsis(CliCommand command) {
        StringBuilder synopsis = new StringBuilder("pipeline ").append(command.name());
        for (CliOption option : command.options()) {
            synopsis.append(" [").append(option.name());
            if (!option.isFlag()) {
                synopsis.append(' ').append(option.valueLabel());
            }
            synopsis.append(']');
        }
        return synopsis.toString();
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
