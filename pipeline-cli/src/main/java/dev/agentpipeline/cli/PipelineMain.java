package dev.agentpipeline.cli;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Module;
import com.google.inject.util.Modules;

import dev.agentpipeline.core.internal.Json;
import dev.agentpipeline.core.story.CommandResult;
import dev.agentpipeline.core.story.StoryPipeline;
import dev.agentpipeline.cli.wiring.CliModule;
import dev.agentpipeline.cli.wiring.CliSettings;
import dev.agentpipeline.cli.wiring.InvalidSettingsException;
import dev.agentpipeline.cli.wiring.PluginPath;
import dev.agentpipeline.guice.PipelineModule;
import dev.agentpipeline.guice.StagesModule;
import dev.agentpipeline.guice.WorkspacesModule;
import dev.agentpipeline.spi.StageDiscoveryException;
import dev.agentpipeline.spi.workspace.WorkspaceException;

import org.slf4j.LoggerFactory;

import org.apiguardian.api.API;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.function.Supplier;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * The {@code pipeline} command line: the story pipeline's step-by-step commands (those of the older ln-1000 runtime) ({@code start}, {@code status},
 * {@code advance}, {@code checkpoint}...) over {@link dev.agentpipeline.core.story.StoryCommands}, run from the
 * directory of the project it manages.
 *
 * <pre>
 * $ pipeline start --story US001 --title "Login form"
 * $ pipeline advance --story US001 --to STAGE_0
 * $ pipeline status --story US001
 * </pre>
 *
 * <p>Every answer, errors included, is one JSON object: exit code 0 with the answer on stdout, 1 for a guard
 * rejection ({@code {ok: false, error, recovery}} on stdout), 2 for any other error ({@code {ok: false, error,
 * code, fix}} on stderr). Tests and embedders call {@link #run} instead of {@link #main}: it never exits the JVM
 * and never throws. Thread-safe: each call parses and wires afresh.
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class PipelineMain {

    private final List<CliCommand> commands;
    private final Thread preloader;
    private final Supplier<Optional<Terminal>> terminal;

    /** A command line with the {@linkplain #allCommands() standard commands and those of extensions}. */
    public PipelineMain() {
        this(allCommands());
    }

    /**
     * A command line with other commands.
     *
     * @param commands the commands, in the order {@code pipeline help} lists them
     * @throws IllegalArgumentException if two commands have the same name or one is named {@code help}
     */
    public PipelineMain(List<CliCommand> commands) {
        this(commands, (Thread) null);
    }

    /**
     * A command line whose commands ask their questions on the given terminal instead of the process's: for tests
     * that play the person.
     *
     * @param commands the commands
     * @param terminal the terminal, or empty to behave as when not on one
     */
    PipelineMain(List<CliCommand> commands, Optional<Terminal> terminal) {
        this(commands, null, () -> terminal);
    }

    private PipelineMain(List<CliCommand> commands, Thread preloader) {
        this(commands, preloader, Terminal::system);
    }

    private PipelineMain(List<CliCommand> commands, Thread preloader, Supplier<Optional<Terminal>> terminal) {
        Set<String> names = new HashSet<>();
        for (CliCommand command : commands) {
            if (!names.add(command.name()) || CommandLineParser.HELP_COMMAND.equals(command.name())) {
                throw new IllegalArgumentException("command name '" + command.name() + "' is taken");
            }
        }
        this.commands = List.copyOf(commands);
        this.preloader = preloader;
        this.terminal = terminal;
    }

    /**
     * The standard subcommands, in the order {@code pipeline help} lists them. To add a subcommand, add one line
     * here.
     *
     * @return the commands
     */
    public static List<CliCommand> commands() {
        return List.of(
                StoryCliCommands.start(),
                StoryCliCommands.status(),
                StoryCliCommands.advance(),
                StoryCliCommands.checkpoint(),
                StoryCliCommands.recordStageSummary(),
                StoryCliCommands.recordLoopHealth(),
                StoryCliCommands.pause(),
                StoryCliCommands.resume(),
                StoryCliCommands.decide(),
                SignalCommands.signal(),
                WaitingCommands.launch(),
                WaitingCommands.worker(),
                WaitingCommands.runs(),
                WaitingCommands.progress(),
                StoryCliCommands.cancel(),
                StoryCliCommands.complete(),
                StoryCliCommands.repair(),
                RunCommands.run(),
                GraphCommands.graph(),
                ReportCommands.report(),
                WorkspaceCommands.list(),
                WorkspaceCommands.prune(),
                BoardCommands.list(),
                BoardCommands.move());
    }

    /**
     * The standard subcommands followed by those of every {@link CliExtension} that {@link ServiceLoader} finds with
     * this class's loader (the sample runner adds {@code demo} this way), in the order {@code pipeline help} lists
     * them.
     *
     * @return the commands
     * @throws IllegalStateException if an extension cannot be loaded, or adds a command whose name is taken (the
     *     message names the extension's class)
     */
    public static List<CliCommand> allCommands() {
        List<CliCommand> all = new java.util.ArrayList<>(commands());
        Set<String> names = new HashSet<>();
        all.forEach(command -> names.add(command.name()));
        try {
            for (CliExtension extension : ServiceLoader.load(CliExtension.class, PipelineMain.class.getClassLoader())) {
                for (CliCommand command : extension.commands()) {
                    if (!names.add(command.name()) || CommandLineParser.HELP_COMMAND.equals(command.name())) {
                        throw new IllegalStateException("The command line extension " + extension.getClass().getName()
                                + " adds the command '" + command.name() + "', whose name is taken; rename it.");
                    }
                    all.add(command);
                }
            }
        } catch (ServiceConfigurationError e) {
            throw new IllegalStateException("A command line extension listed in META-INF/services/"
                    + CliExtension.class.getName() + " cannot be loaded: " + e.getMessage(), e);
        }
        return List.copyOf(all);
    }

    /**
     * The Guice modules of a call. To bind more (plugins, trackers...), add a module here.
     *
     * @param settings the call's settings
     * @return the modules
     */
    static List<Module> modules(CliSettings settings) {
        ClassLoader plugins = settings.plugins().classLoader();
        return List.of(new CliModule(settings), new PipelineModule(), new StagesModule(plugins),
                new WorkspacesModule(plugins));
    }

    /**
     * Runs the command line in this process and exits with its exit code.
     *
     * @param args the arguments
     */
    public static void main(String[] args) {
        System.exit(runProcess(args));
    }

    /**
     * Runs the command line as {@link #main} does - on this process's standard streams, environment and working
     * directory, with this JVM {@linkplain #prepareProcess prepared} for it - but returns the exit code instead of
     * exiting, for launchers with more to do once the answer is written
     * ({@link dev.agentpipeline.cli.daemon.PipelineClient} starts its daemon then).
     *
     * @param args the arguments
     * @return the exit code: 0, 1 or 2
     */
    public static int runProcess(String[] args) {
        Map<String, String> env = System.getenv();
        prepareProcess(env);
        PrintStream out = utf8(FileDescriptor.out);
        PrintStream err = utf8(FileDescriptor.err);
        int exitCode = new PipelineMain(allCommands(), startPreloader()).run(args, out, err,
                Path.of("").toAbsolutePath(), env);
        out.flush();
        err.flush();
        return exitCode;
    }

    /**
     * Settings of this JVM that must be made before the first logger or injector exists: logs off (SLF4J bound to
     * its no-op provider, so Logback is not even loaded) unless {@value CliSettings#LOG_ENV} asks for a level,
     * which Logback then reads from the system property {@code pipeline.log}; and Guice without bytecode
     * generation or stack-trace collection (this command line uses neither, and both cost start-up time).
     * System properties already set win. {@link dev.agentpipeline.cli.daemon.PipelineDaemon} calls it with an
     * empty environment: a daemon never logs through SLF4J.
     *
     * @param env the environment of the process
     */
    public static void prepareProcess(Map<String, String> env) {
        String level;
        try {
            level = CliSettings.logLevel(env);
        } catch (InvalidSettingsException e) {
            level = "off"; // reported as an error by run(), before anything logs
        }
        if ("off".equals(level)) {
            setIfAbsent("slf4j.provider", "org.slf4j.helpers.NOP_FallbackServiceProvider");
            setIfAbsent("slf4j.internal.verbosity", "ERROR");
        } else {
            setIfAbsent("pipeline.log", level);
        }
        setIfAbsent("guice_bytecode_gen_option", "DISABLED");
        setIfAbsent("guice_include_stack_traces", "OFF");
    }

    /**
     * Loads the story pipeline's definition on a second thread while this one parses the command line and creates
     * the injector: the definition (YAML) is the slowest single step of a call, and StoryPipeline caches it, so
     * PipelineModule finds it loaded. A failure is left for the main thread to meet and answer.
     */
    private static Thread startPreloader() {
        Thread thread = new Thread(() -> {
            try {
                StoryPipeline.definition();
            } catch (Throwable ignored) { // loaded again, and answered, by the main thread
                // nothing to do here: a background thread has no one to answer
            }
        }, "pipeline-preload");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }

    private static PrintStream utf8(FileDescriptor descriptor) {
        return new PrintStream(new BufferedOutputStream(new FileOutputStream(descriptor), 1 << 14), false,
                StandardCharsets.UTF_8);
    }

    /**
     * Runs one command line.
     *
     * @param args the arguments, never null
     * @param out where answers of exit code 0 and 1 go
     * @param err where answers of exit code 2 go
     * @param workingDir the directory the command runs in: the project, unless {@code --project-dir} says otherwise
     * @param env the environment ({@value CliSettings#STATE_DIR_ENV}, {@value CliSettings#LOCK_TIMEOUT_ENV},
     *     {@value CliSettings#LOG_ENV})
     * @return the exit code: 0, 1 or 2
     */
    public int run(String[] args, PrintStream out, PrintStream err, Path workingDir, Map<String, String> env) {
        Objects.requireNonNull(out, "out");
        Objects.requireNonNull(err, "err");
        try {
            CommandResult result = execute(Objects.requireNonNull(args, "args"),
                    Objects.requireNonNull(workingDir, "workingDir"), Objects.requireNonNull(env, "env"), err);
            if (result.exitCode() == CommandResult.OK && result.json().get(DOCUMENT) instanceof String document) {
                out.print(document.endsWith("\n") ? document : document + "\n"); // graph: the document, not JSON
                out.flush();
            } else {
                print(result.toStderr() ? err : out, result.json());
            }
            return result.exitCode();
        } catch (WorkspaceException e) { // the project's repository, not a bug: say what is wrong and how to fix it
            CommandResult result = error(e.code(), e.getMessage(), e.fix());
            print(err, result.json());
            return result.exitCode();
        } catch (Throwable t) { // every answer is JSON, whatever happened
            CommandResult plugin = pluginError(t);
            if (plugin != null) {
                print(err, plugin.json());
                return plugin.exitCode();
            }
            return internalError(t, err);
        }
    }

    /**
     * The answer to plugins that cannot be used together or loaded (two stages with one id, a class that cannot be
     * created), wherever it was thrown: Guice wraps what a provider throws.
     *
     * @return the error answer, or null when the failure is not about plugins
     */
    private static CommandResult pluginError(Throwable thrown) {
        for (Throwable t = thrown; t != null; t = t.getCause()) {
            if (t instanceof StageDiscoveryException || t instanceof ServiceConfigurationError) {
                return error("invalid_plugin", t.getMessage(), "Remove or fix the jar the message names: a jar of"
                        + " --plugin-path, of " + CliSettings.PLUGIN_PATH_ENV + " or in the project's "
                        + PluginPath.FOLDER + "/ (or of the class path). Stage ids must be unique: rename one"
                        + " plugin's id or load only one of the two jars.");
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return null;
    }

    private CommandResult execute(String[] args, Path workingDir, Map<String, String> env, PrintStream progress) {
        CommandLineParser.Parsed parsed;
        try {
            parsed = new CommandLineParser(commands).parse(args);
        } catch (CliException e) {
            return error(e.code(), e.getMessage(), e.fix());
        }
        switch (parsed.kind()) {
            case VERSION:
                return new CommandResult(CommandResult.OK, Usage.version());
            case USAGE:
                if (!parsed.json()) { // text for people; --format json for programs
                    return text(parsed.command() == null ? Usage.allText(commands) : Usage.text(parsed.command()));
                }
                return new CommandResult(CommandResult.OK, parsed.command() == null ? Usage.all(commands)
                        : Usage.of(parsed.command()));
            default:
                break;
        }
        CliSettings settings;
        try {
            settings = CliSettings.resolve(workingDir, parsed.projectDir(), parsed.pluginPath(), env);
        } catch (InvalidSettingsException e) {
            return error(e.code(), e.getMessage(), e.fix());
        }
        CliInvocation call = new CliInvocation(parsed.command(), parsed.values(), parsed.flags(), settings,
                () -> createInjector(settings),
                overrides -> Guice.createInjector(Modules.override(modules(settings)).with(overrides)), progress,
                terminal);
        // Lookups that use the thread's context class loader (evidence collectors, and ServiceLoader.load(type))
        // see the plugin jars too; the jars are closed when the command has answered.
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        boolean plugins = !settings.plugins().isEmpty();
        if (plugins) {
            thread.setContextClassLoader(settings.plugins().classLoader());
        }
        try {
            return Objects.requireNonNull(parsed.command().handler().execute(call), "a command answered null");
        } finally {
            if (plugins) {
                thread.setContextClassLoader(previous);
            }
            settings.plugins().close();
        }
    }

    private Injector createInjector(CliSettings settings) {
        Injector injector = Guice.createInjector(modules(settings)); // creates no singleton yet
        if (preloader != null) {
            try {
                preloader.join(); // the definition is ready before PipelineModule asks for it
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return injector;
    }

    private static void print(PrintStream stream, Map<String, Object> json) {
        stream.print(Json.pretty(json) + "\n");
        stream.flush();
    }

    /**
     * An answer for people (exit code 0): text printed as it is on stdout instead of JSON ({@code board list
     * --format table}), as a {@link #DOCUMENT}.
     *
     * @param text the text, ending with a newline
     * @return the answer
     */
    static CommandResult text(String text) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("ok", true);
        json.put(DOCUMENT, text);
        return new CommandResult(CommandResult.OK, json);
    }

    /**
     * The key of a successful answer that is a document ({@code graph}'s Mermaid or DOT): the command line prints
     * its text as it is instead of the JSON answer.
     */
    static final String DOCUMENT = "document";

    /**
     * An error answer (exit code 2): {@code {ok: false, error, code, fix}}.
     *
     * @param code the stable code
     * @param message what is wrong
     * @param fix what to do
     * @return the answer
     */
    public static CommandResult error(String code, String message, String fix) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("ok", false);
        json.put("error", message);
        json.put("code", code);
        json.put("fix", fix);
        return new CommandResult(CommandResult.ERROR, json);
    }

    private static int internalError(Throwable t, PrintStream err) {
        try {
            LoggerFactory.getLogger(PipelineMain.class).error("Internal error", t);
            String message = t.getMessage() == null ? "" : ": " + t.getMessage();
            if (message.length() > 500) {
                message = message.substring(0, 497) + "...";
            }
            print(err, error("internal_error", "Internal error: " + t.getClass().getName() + message,
                    "This is a bug in pipeline, not in the input. `pipeline status` shows what the run recorded;"
                            + " rerun with " + CliSettings.LOG_ENV + "=debug for the stack trace on stderr and"
                            + " report it with the command line.").json());
        } catch (Throwable again) { // out of memory, a closed stream...: the shortest possible answer
            err.print("{\n  \"ok\": false,\n  \"error\": \"Internal error\",\n  \"code\": \"internal_error\"\n}\n");
            err.flush();
        }
        return CommandResult.ERROR;
    }
}
