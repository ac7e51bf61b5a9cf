package dev.agentpipeline.cli;

import com.google.inject.Injector;
import com.google.inject.Module;

import dev.agentpipeline.core.story.StoryCommands;
import dev.agentpipeline.cli.progress.ProgressOutput;
import dev.agentpipeline.cli.wiring.CliSettings;

import org.apiguardian.api.API;

import java.io.PrintStream;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * One call of a {@link CliCommand}: the option values it was given, its settings, and the objects it works with
 * (from a Guice injector that is created on first use, so a command that needs nothing costs nothing). Not
 * thread-safe: one call, one thread.
 *
 * <pre>{@code
 * CommandResult answer = call.storyCommands().pause(call.value("--story"), call.value("--reason"));
 * }</pre>
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class CliInvocation {

    private final CliCommand command;
    private final Map<String, String> values;
    private final Set<String> flags;
    private final CliSettings settings;
    private final Supplier<Injector> injectorFactory;
    private final Function<Module, Injector> overridingFactory;
    private final PrintStream progress;
    private final Supplier<Optional<Terminal>> terminal;
    private Injector injector;

    CliInvocation(CliCommand command, Map<String, String> values, Set<String> flags, CliSettings settings,
                  Supplier<Injector> injectorFactory, Function<Module, Injector> overridingFactory,
                  PrintStream progress, Supplier<Optional<Terminal>> terminal) {
        this.command = command;
        this.values = Map.copyOf(values);
        this.flags = Set.copyOf(flags);
        this.settings = settings;
        this.injectorFactory = injectorFactory;
        this.overridingFactory = overridingFactory;
        this.progress = progress;
        this.terminal = terminal;
    }

    /**
     * How this call shows progress, from its {@link CliOption#PROGRESS} option, the environment and whether it runs
     * on a terminal.
     *
     * @return the mode
     * @throws IllegalArgumentException if the option's value is none of auto, live and lines (the message says so)
     */
    public ProgressOutput.Mode progressMode() {
        return ProgressOutput.Mode.choose(value(CliOption.PROGRESS.name()),
                System.getenv(), terminal().isPresent());
    }

    /**
     * The person at the terminal, to ask what must not be guessed; questions go to {@link #progress()}.
     *
     * @return the terminal, or empty when the command does not run on one (an agent, a pipe, CI)
     */
    Optional<Terminal> terminal() {
        return terminal.get();
    }

    /**
     * An injector of the call's modules in which the given module's bindings replace theirs (a definition bound to
     * other plugins, for example). Each call creates a new injector.
     *
     * @param overrides the bindings to use instead
     * @return the injector, never null
     */
    public Injector injector(Module overrides) {
        return Objects.requireNonNull(overridingFactory.apply(Objects.requireNonNull(overrides, "overrides")),
                "injector");
    }

    /**
     * Where a long-running command reports its progress, line by line, for people: the error stream, so the
     * answer on stdout stays one JSON object.
     *
     * @return the stream, never null
     */
    public PrintStream progress() {
        return progress;
    }

    /** @return the command being called, never null */
    public CliCommand command() {
        return command;
    }

    /**
     * The value of an option with a value.
     *
     * @param option the long name, {@code --story}
     * @return the value as given (possibly empty), or null when the option was not given
     * @throws IllegalArgumentException if the command declares no such option with a value
     */
    public String value(String option) {
        CliOption declared = command.option(option);
        if (declared == null || declared.isFlag()) {
            throw new IllegalArgumentException("command " + command.name() + " has no option " + option
                    + " with a value");
        }
        return values.get(option);
    }

    /**
     * Whether a flag was given.
     *
     * @param option the long name, {@code --force}
     * @return true when given
     * @throws IllegalArgumentException if the command declares no such flag
     */
    public boolean flag(String option) {
        CliOption declared = command.option(option);
        if (declared == null || !declared.isFlag()) {
            throw new IllegalArgumentException("command " + command.name() + " has no flag " + option);
        }
        return flags.contains(option);
    }

    /** @return the call's settings (project directory, state directory, lock timeout), never null */
    public CliSettings settings() {
        return settings;
    }

    /**
     * An object from the call's injector ({@link dev.agentpipeline.guice.PipelineModule} and the modules
     * of {@link PipelineMain}); the injector is created on the first call.
     *
     * @param type what to get
     * @param <T> its type
     * @return the instance, never null
     */
    public <T> T get(Class<T> type) {
        if (injector == null) {
            injector = Objects.requireNonNull(injectorFactory.get(), "injector");
        }
        return injector.getInstance(type);
    }

    /**
     * An object from the call's injector by its key (a named binding).
     *
     * @param key what to get
     * @param <T> its type
     * @return the instance, never null
     */
    <T> T get(com.google.inject.Key<T> key) {
        if (injector == null) {
            injector = Objects.requireNonNull(injectorFactory.get(), "injector");
        }
        return injector.getInstance(key);
    }

    /** @return the story pipeline's commands for the call's project, never null */
    public StoryCommands storyCommands() {
        return get(StoryCommands.class);
    }
}
