package dev.agentpipeline.cli.wiring;

import dev.agentpipeline.guice.PipelineSettings;
import dev.agentpipeline.guice.PipelineModule;
import com.google.inject.AbstractModule;
import com.google.inject.Key;
import com.google.inject.multibindings.Multibinder;
import com.google.inject.name.Named;
import com.google.inject.name.Names;
import dev.agentpipeline.core.engine.RunListener;
import dev.agentpipeline.core.phase.PhaseCheckpoints;
import dev.agentpipeline.core.worker.WakeUps;
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

    @Override
    protected void configure() {
        Multibinder<RunListener> listeners = Multibinder.newSetBinder(binder(), RunListener.class);
        listeners.addBinding().to(Key.get(RunListener.class, Names.named(WAKE_UPS)));
        listeners.addBinding().to(Key.get(RunListener.class, Names.named(PHASE_CHECKPOINTS)));
    }

    /** The name of the listener that mirrors the phase pipeline's checkpoints into the project. */
    public static final String PHASE_CHECKPOINTS = "phase-checkpoints";

    /** Writes the phase pipeline's checkpoints as {@code .taskmaster/.checkpoints/phaseN-checkpoint-M.json}. */
    @Provides
    @Singleton
    @Named(PHASE_CHECKPOINTS)
    RunListener phaseCheckpoints(PipelineSettings settings) {
        return PhaseCheckpoints.mirror(settings.projectDir().resolve(PhaseCheckpoints.DIRECTORY));
    }

    /** The name of the listener that tells a worker in another process that a run may move ({@link WakeUps}). */
    public static final String WAKE_UPS = "wake-ups";

    /** Tells a running {@code pipeline worker} at once when a command of this call lets a run move. */
    @Provides
    @Singleton
    @Named(WAKE_UPS)
    RunListener wakeUps(PipelineSettings settings) {
        return WakeUps.in(settings.stateDir().resolve(WakeUps.DIRECTORY)).listener();
    }

    /** Where the runs are and how long to wait for a lock. */
    @Provides
    @Singleton
    PipelineSettings pipelineSettings(CliSettings cli) {
        return cli.pipeline();
    }
}
