package dev.agentpipeline.cli.wiring;

import dev.agentpipeline.guice.PipelineSettings;
import dev.agentpipeline.guice.PipelineModule;
import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;

import org.apiguardian.api.API;

import java.util.Objects;

import static org.apiguardian.api.API.Status.INTERNAL;

/**
 * Guice bindings of one command-line call: its validated {@link CliSettings} and, from them, the
 * {@link PipelineSettings} that {@link PipelineModule} needs.
 *
 * <pre>{@code
 * CliSettings settings = CliSettings.resolve(workingDir, projectDirOption, System.getenv());
 * Injector injector = Guice.createInjector(new CliModule(settings), new PipelineModule());
 * }</pre>
 *
 * @since 0.1
 */
@API(status = INTERNAL, since = "0.1")
public final class CliModule extends AbstractModule {

    private final CliSettings settings;

    /**
     * @param settings the call's settings, already validated (see {@link CliSettings#resolve})
     */
    public CliModule(CliSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /** The call's settings, as resolved from its options and environment. */
    @Provides
    @Singleton
    CliSettings cliSettings() {
        return settings;
    }

    /** Where the runs are and how long to wait for a lock. */
    @Provides
    @Singleton
    PipelineSettings pipelineSettings(CliSettings cli) {
        return cli.pipeline();
    }
}
