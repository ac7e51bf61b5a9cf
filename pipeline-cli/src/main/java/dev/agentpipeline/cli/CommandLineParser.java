package dev.agentpipeline.cli;

import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.MissingParameterException;
import picocli.CommandLine.OverwrittenOptionException;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parses a command line with picocli, from a model built in code (no annotations, no reflection: cheap at
 * start-up). Every option is optional and every value a string; the commands validate them. Anything picocli
 * rejects becomes a {@link CliException} that names the option or word and how to fix it. One instance parses one
 * command line.
 */
final class CommandLineParser {

    static final String PROJECT_DIR = "--project-dir";
    static final String HELP_COMMAND = "help";

    /**
     * {@code --format} of a help: {@code text} (the default, for people) or {@code json} (the usage as one JSON
     * object, for programs). Every command accepts it beside {@code --help}; commands with a {@code --format} of
     * their own ({@code graph}, {@code board list}) read theirs otherwise.
     */
    static final String FORMAT = "--format";

    /** The {@link #FORMAT} of a help for people. */
    static final String TEXT = "text";

    /** The {@link #FORMAT} of a help for programs. */
    static final String JSON = "json";

    /**
     * Groups of two-word commands that run one of them when given alone: {@code pipeline board} is
     * {@code pipeline board list} (options need the full name). Other groups alone are {@code missing_command}.
     */
    static final Map<String, String> GROUP_DEFAULTS = Map.of("board", "board list");

    /** What a command line asks for. */
    enum Kind { USAGE, VERSION, COMMAND }

    /**
     * A parsed command line.
     *
     * @param kind usage, version or a command
     * @param command the command (for {@code USAGE}: the command whose usage is asked, or null for all)
     * @param values the options with a value that were given
     * @param flags the flags that were given
     * @param projectDir the {@code --project-dir} value, or null
     * @param format for {@code USAGE}: {@link #TEXT} or {@link #JSON}; else null
     * @param pluginPath the {@code --plugin-path} value, or null
     */
    record Parsed(Kind kind, CliCommand command, Map<String, String> values, Set<String> flags, String projectDir,
                  String format, String pluginPath) {

        /** Without {@code --plugin-path}: usage and version load no plugins. */
        Parsed(Kind kind, CliCommand command, Map<String, String> values, Set<String> flags, String projectDir) {
            this(kind, command, values, flags, projectDir, null, null);
        }

        /** @return a usage of the given command (null: of all) in the given format */
        static Parsed usage(CliCommand command, String projectDir, String format) {
            return new Parsed(Kind.USAGE, command, Map.of(), Set.of(), projectDir, format, null);
        }

        /** @return whether a usage is asked as JSON */
        boolean json() {
            return JSON.equals(format);
        }
    }

    private final Map<String, CliCommand> commands = new LinkedHashMap<>();
    private final CommandLine commandLine;

    CommandLineParser(List<CliCommand> commandList) {
        CommandSpec root = CommandSpec.create().name("pipeline");
        addGlobalOptions(root, true);
        addHelpFormat(root);
        Map<String, CommandSpec> groups = new LinkedHashMap<>();
        for (CliCommand command : commandList) {
            commands.put(command.name(), command);
            String[] words = command.name().split(" ");
            CommandSpec sub = CommandSpec.create().name(words[words.length - 1]);
            addGlobalOptions(sub, false);
            addOptions(sub, command);
            if (words.length == 1) {
                root.addSubcommand(command.name(), sub);
            } else {
                // A command of two words ("workspaces list"): the first word groups its siblings.
                CommandSpec group = groups.computeIfAbsent(words[0], name -> {
                    CommandSpec spec = CommandSpec.create().name(name);
                    addGlobalOptions(spec, false);
                    CliCommand byDefault = defaultOf(name, commandList);
                    if (byDefault != null) { // `pipeline board --all` is `pipeline board list --all`
                        addOptions(spec, byDefault);
                    } else {
                        addHelpFormat(spec);
                    }
                    root.addSubcommand(name, spec);
                    return spec;
                });
                group.addSubcommand(words[1], sub);
            }
        }
        CommandSpec help = CommandSpec.create().name(HELP_COMMAND);
        help.addPositional(PositionalParamSpec.builder().arity("0..2").type(List.class).auxiliaryTypes(String.class)
                .paramLabel("<command>").build());
        addGlobalOptions(help, false);
        addHelpFormat(help);
        root.addSubcommand(HELP_COMMAND, help);
        commandLine = new CommandLine(root);
        commandLine.setExpandAtFiles(false);          // "@notes.md" is a value, not a file to read
        commandLine.setAbbreviatedOptionsAllowed(false);
        commandLine.setOverwrittenOptionsAllowed(false);
        commandLine.setUnmatchedArgumentsAllowed(false);
        commandLine.setUnmatchedOptionsAllowedAsOptionParameters(true); // --readiness -1 is a value
        commandLine.setTrimQuotes(false);
    }

    /** Adds the command's options, and a hidden {@link #FORMAT} for its help when it has none of its own. */
    private static void addOptions(CommandSpec spec, CliCommand command) {
        for (CliOption option : command.options()) {
            spec.addOption(option.isFlag()
                    ? OptionSpec.builder(option.name()).arity("0").type(boolean.class).build()
                    : OptionSpec.builder(option.name()).arity("1").type(String.class)
                            .paramLabel(option.valueLabel()).build());
        }
        if (command.option(FORMAT) == null) {
            addHelpFormat(spec);
        }
    }

    /** Adds {@link #FORMAT}, for {@code --help --format json} only: given without {@code --help} it is unknown. */
    private static void addHelpFormat(CommandSpec spec) {
        spec.addOption(OptionSpec.builder(FORMAT).arity("1").type(String.class).paramLabel("<text|json>")
                .hidden(true).build());
    }

    /** @return the command {@code pipeline <group>} alone runs, or null */
    private static CliCommand defaultOf(String group, List<CliCommand> commandList) {
        String name = GROUP_DEFAULTS.get(group);
        for (CliCommand command : commandList) {
            if (command.name().equals(name)) {
                return command;
            }
        }
        return null;
    }

    private static void addGlobalOptions(CommandSpec spec, boolean root) {
        spec.addOption(OptionSpec.builder(PROJECT_DIR).arity("1").type(String.class).paramLabel("<dir>").build());
        spec.addOption(OptionSpec.builder(CliOption.PLUGIN_PATH.name()).arity("1").type(String.class)
                .paramLabel(CliOption.PLUGIN_PATH.valueLabel()).build());
        spec.addOption(OptionSpec.builder("-h", "--help").usageHelp(true).build());
        if (root) {
            spec.addOption(OptionSpec.builder("-V", "--version").versionHelp(true).build());
        }
    }

    /**
     * @param args the arguments
     * @return what they ask for
     * @throws CliException if they cannot be understood
     */
    Parsed parse(String[] args) throws CliException {
        ParseResult result;
        try {
            result = commandLine.parseArgs(args);
        } catch (ParameterException e) {
            throw translate(e);
        }
        String projectDir = result.matchedOptionValue(PROJECT_DIR, null);
        String pluginPath = pluginPath(result);
        String format = result.matchedOptionValue(FORMAT, null); // for a help; `pipeline --format json --help`
        if (result.isVersionHelpRequested()) {
            return new Parsed(Kind.VERSION, null, Map.of(), Set.of(), projectDir);
        }
        ParseResult sub = result.subcommand();
        if (result.isUsageHelpRequested()) {
            return Parsed.usage(sub == null ? null : commands.get(sub.commandSpec().name()), projectDir,
                    usageFormat(format, sub));
        }
        if (sub == null) {
            throw new CliException("missing_command", "No command given", "Usage: pipeline [--project-dir <dir>]"
                    + " <command> [options], with a command of " + String.join(", ", commands.keySet())
                    + "; `pipeline help` lists them and `pipeline help <command>` explains one.");
        }
        if (format != null) {
            throw unknownOption(FORMAT, null, List.of());
        }
        String name = sub.commandSpec().name();
        if (!sub.commandSpec().subcommands().isEmpty()) {
            ParseResult child = sub.subcommand();
            if (child == null && sub.isUsageHelpRequested()) {
                return Parsed.usage(null, projectDir, usageFormat(null, sub));
            }
            CliCommand byDefault = GROUP_DEFAULTS.containsKey(name) ? commands.get(GROUP_DEFAULTS.get(name)) : null;
            String groupProjectDir = sub.matchedOptionValue(PROJECT_DIR, null);
            if (groupProjectDir != null) {
                if (projectDir != null) {
                    throw new CliException("duplicate_option", "Option '" + PROJECT_DIR + "' was given twice",
                            "Give --project-dir once.");
                }
                projectDir = groupProjectDir;
            }
            if (child == null && byDefault != null) {
                // `pipeline board` alone: the group's default command, with the options given to the group
                return command(byDefault, sub, projectDir, pluginPath);
            }
            if (child == null) {
                throw new CliException("missing_command", "`pipeline " + name + "` needs one of "
                        + String.join(", ", sub.commandSpec().subcommands().keySet()), "For example: pipeline " + name
                        + " " + sub.commandSpec().subcommands().keySet().iterator().next() + ".");
            }
            for (OptionSpec option : sub.matchedOptions()) {
                String optionName = option.longestName();
                if (!PROJECT_DIR.equals(optionName) && !CliOption.PLUGIN_PATH.name().equals(optionName)
                        && !option.usageHelp()) { // `board --all move`: an option of the default, misplaced
                    throw new CliException("unknown_option", "Option '" + optionName + "' is not one of `pipeline "
                            + name + " " + child.commandSpec().name() + "`", "Options of `pipeline " + name + " "
                            + child.commandSpec().name() + "` come after it: "
                            + optionNames(name + " " + child.commandSpec().name()) + ". `pipeline help " + name
                            + " " + child.commandSpec().name() + "` explains them.");
                }
            }
            name = name + " " + child.commandSpec().name();
            sub = child;
        }
        String subProjectDir = sub.matchedOptionValue(PROJECT_DIR, null);
        if (subProjectDir != null) {
            if (projectDir != null) {
                throw new CliException("duplicate_option", "Option '" + PROJECT_DIR + "' was given twice (before and"
                        + " after '" + name + "')", "Give --project-dir once.");
            }
            projectDir = subProjectDir;
        }
        if (HELP_COMMAND.equals(name)) {
            List<String> words = sub.matchedPositionalValue(0, List.<String>of());
            String topic = words.isEmpty() ? null : String.join(" ", words);
            String helpFormat = usageFormat(null, sub);
            if (topic == null || HELP_COMMAND.equals(topic) || isGroup(topic)) {
                return Parsed.usage(null, projectDir, helpFormat);
            }
            CliCommand command = commands.get(topic);
            if (command == null) {
                throw unknownCommand(topic, List.of());
            }
            return Parsed.usage(command, projectDir, helpFormat);
        }
        CliCommand command = commands.get(name);
        if (sub.isUsageHelpRequested()) {
            return Parsed.usage(command, projectDir, usageFormat(null, sub));
        }
        return command(command, sub, projectDir, pluginPath);
    }

    /** The call of a command with the options matched in {@code matched} (its own, or its group's). */
    private Parsed command(CliCommand command, ParseResult matched, String projectDir, String pluginPath)
            throws CliException {
        if (command.option(FORMAT) == null && matched.hasMatchedOption(FORMAT)) {
            throw unknownOption(FORMAT, command.name(), List.of()); // the hidden --format of a help, without --help
        }
        Map<String, String> values = new LinkedHashMap<>();
        Set<String> flags = new LinkedHashSet<>();
        for (CliOption option : command.options()) {
            if (!matched.hasMatchedOption(option.name())) {
                continue;
            }
            if (option.isFlag()) {
                flags.add(option.name());
            } else {
                values.put(option.name(), matched.matchedOptionValue(option.name(), (String) null));
            }
        }
        return new Parsed(Kind.COMMAND, command, values, flags, projectDir, null, pluginPath);
    }

    /**
     * The {@code --plugin-path} value, wherever it was given: before the command, after a group's name or after
     * the command.
     */
    private static String pluginPath(ParseResult result) throws CliException {
        String name = CliOption.PLUGIN_PATH.name();
        String value = null;
        for (ParseResult level = result; level != null; level = level.subcommand()) {
            String here = level.matchedOptionValue(name, null);
            if (here != null) {
                if (value != null) {
                    throw new CliException("duplicate_option", "Option '" + name + "' was given twice (before and"
                            + " after the command)", "Give " + name + " once, with every jar separated by '"
                            + java.io.File.pathSeparator + "'.");
                }
                value = here;
            }
        }
        return value;
    }

    /**
     * The format a help is asked in: the {@code --format} given before the command, else the command's (or the
     * help command's) own.
     *
     * @throws CliException if it is neither text nor json
     */
    private static String usageFormat(String given, ParseResult sub) throws CliException {
        String format = given;
        for (ParseResult level = sub; format == null && level != null; level = level.subcommand()) {
            format = level.matchedOptionValue(FORMAT, null);
        }
        if (format == null) {
            return TEXT;
        }
        String chosen = format.trim().toLowerCase(java.util.Locale.ROOT);
        if (!chosen.equals(TEXT) && !chosen.equals(JSON)) {
            throw new CliException("invalid_flag", "--format of a help must be text or json (got '" + shorten(format)
                    + "')", "Pass --format json for the usage as JSON (for programs), or leave --format out for"
                    + " text: pipeline help run --format json.");
        }
        return chosen;
    }

    private CliException translate(ParameterException e) {
        CommandLine where = e.getCommandLine();
        boolean atRoot = where == null || where.getParent() == null;
        String commandName = where == null ? "pipeline" : qualifiedName(where);
        String qualified = atRoot ? "pipeline" : "pipeline " + commandName;
        if (e instanceof UnmatchedArgumentException unmatched && !unmatched.getUnmatched().isEmpty()) {
            String word = unmatched.getUnmatched().get(0);
            if (atRoot && !word.startsWith("-")) {
                return unknownCommand(word, unmatched.getSuggestions());
            }
            if (!where.getSubcommands().isEmpty() && !word.startsWith("-")) {
                return unknownCommand(commandName + " " + word, unmatched.getSuggestions());
            }
            if (word.startsWith("-") && word.length() > 1) {
                return unknownOption(word, atRoot ? null : commandName, unmatched.getSuggestions());
            }
            return new CliException("unexpected_argument", "Unexpected argument '" + shorten(word) + "' for `"
                    + qualified + "`", "`" + qualified + "` takes options only (--name value); quote a value that"
                    + " contains spaces, for example --reason 'Waiting for review'.");
        }
        if (e instanceof MissingParameterException missing && !missing.getMissing().isEmpty()) {
            ArgSpec spec = missing.getMissing().get(0);
            if (spec instanceof OptionSpec option) {
                String name = option.longestName();
                return new CliException("missing_value", "Option '" + name + "' of `" + qualified + "` needs a"
                        + " value", "Pass " + name + " " + option.paramLabel() + " (an empty value is " + name
                        + " '').");
            }
        }
        if (e instanceof OverwrittenOptionException overwritten && overwritten.getOverwritten() instanceof OptionSpec o) {
            return new CliException("duplicate_option", "Option '" + o.longestName() + "' of `" + qualified
                    + "` was given twice", "Give " + o.longestName() + " once.");
        }
        return new CliException("invalid_arguments", "Cannot read the arguments of `" + qualified + "`: "
                + e.getMessage(), "Run `pipeline help" + (atRoot ? "" : " " + commandName) + "` for the usage.");
    }

    /**
     * @param word the option
     * @param commandName the command it was given to, or null for {@code pipeline} itself
     * @param suggestions picocli's suggestions, possibly empty
     * @return the error that says which options the command has
     */
    private CliException unknownOption(String word, String commandName, List<String> suggestions) {
        String qualified = commandName == null ? "pipeline" : "pipeline " + commandName;
        return new CliException("unknown_option", "Unknown option '" + shorten(word) + "' for `" + qualified
                + "`", "Options of `" + qualified + "`: " + optionNames(commandName) + didYouMean(suggestions)
                + ". `pipeline help" + (commandName == null ? "" : " " + commandName) + "` explains them.");
    }

    private static String qualifiedName(CommandLine where) {
        String name = where.getCommandName();
        for (CommandLine parent = where.getParent(); parent != null && parent.getParent() != null;
                parent = parent.getParent()) {
            name = parent.getCommandName() + " " + name;
        }
        return name;
    }

    private boolean isGroup(String word) {
        return commands.keySet().stream().anyMatch(name -> name.startsWith(word + " "));
    }

    private CliException unknownCommand(String word, List<String> suggestions) {
        return new CliException("unknown_command", "Unknown command '" + shorten(word) + "'", "Commands: "
                + String.join(", ", commands.keySet()) + ", help" + didYouMean(suggestions)
                + ". `pipeline help` lists their options.");
    }

    private String optionNames(String commandName) {
        List<String> names = new ArrayList<>();
        if (commandName == null) {
            names.add(PROJECT_DIR);
            names.add(CliOption.PLUGIN_PATH.name());
            names.add("--help");
            names.add("--version");
            return String.join(", ", names);
        }
        CliCommand command = commands.get(commandName);
        if (command != null) {
            command.options().forEach(option -> names.add(option.name()));
        }
        names.add(PROJECT_DIR);
        names.add(CliOption.PLUGIN_PATH.name());
        names.add("--help");
        return String.join(", ", names);
    }

    private static String didYouMean(List<String> suggestions) {
        if (suggestions == null || suggestions.isEmpty()) {
            return "";
        }
        return " (did you mean " + String.join(" or ", suggestions.subList(0, Math.min(3, suggestions.size())))
                + "?)";
    }

    private static String shorten(String word) {
        return word.length() > 60 ? word.substring(0, 57) + "..." : word;
    }
}
