package dev.agentpipeline.guice;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.multibindings.Multibinder;
import com.google.inject.Singleton;

import dev.agentpipeline.core.definition.PipelineDefinition;
import dev.agentpipeline.core.engine.PipelineRuntime;
import dev.agentpipeline.core.phase.ProjectPipelines;
import dev.agentpipeline.core.engine.RunListener;
import dev.agentpipeline.core.store.FileRunStore;
import dev.agentpipeline.core.store.RunStore;
import dev.agentpipeline.core.story.StoryCommands;
import dev.agentpipeline.core.story.StoryPipeline;

import org.apiguardian.api.API;

import java.time.Clock;
import java.util.Set;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * Guice bindings of the story pipeline runtime: the clock, the file run store, the story pipeline's definition
 * (and, found when a run of them is touched, the project's other pipelines: {@link ProjectPipelines}),
 * the {@link PipelineRuntime} and the story pipeline's step-by-step commands ({@link StoryCommands}). It needs a
 * {@link PipelineSettings} binding from another module (the command line binds it from its options).
 *
 * <p>To embed the runtime in an application, copy this:
 * <pre>{@code
 * Injector injector = Guice.createInjector(
 *         new PipelineModule(),
 *         binder -> binder.bind(PipelineSettings.class).toInstance(PipelineSettings.forProject(projectDir)));
 * StoryCommands commands = injector.getInstance(StoryCommands.class);
 * CommandResult status = commands.status("US001");
 * }</pre>
 * Every binding is a lazy singleton: nothing is read or created until something asks for it, and creating the
 * store creates no file.
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class PipelineModule extends AbstractModule {

    /** The UTC system clock; bind another {@link Clock} in a test to control time. */
    @Provides
    @Singleton
    Clock clock() {
        return Clock.systemUTC();
    }

    /** Runs as files under {@link PipelineSettings#stateDir()}, shared safely between processes. */
    @Provides
    @Singleton
    RunStore runStore(PipelineSettings settings, Clock clock) {
        return FileRunStore.builder(settings.stateDir())
                .lockTimeout(settings.lockTimeout())
                .clock(clock)
                .build();
    }

    /** The story pipeline, with its default limits. */
    @Provides
    @Singleton
    PipelineDefinition definition() {
        return StoryPipeline.definition();
    }

    @Override
    protected void configure() {
        // Listeners are contributed by other modules (a progress printer, metrics...); none by default.
        Multibinder.newSetBinder(binder(), RunListener.class);
    }

    /** The runtime that applies every change to a run, telling every bound {@link RunListener}. */
    @Provides
    @Singleton
    PipelineRuntime runtime(RunStore store, PipelineDefinition definition, Clock clock, PipelineSettings settings,
                            Set<RunListener> listeners) {
        PipelineRuntime.Builder builder = PipelineRuntime.builder()
                .store(store)
                .definition(definition)
                .definitions(ProjectPipelines.of(settings.projectDir()))
                .clock(clock)
                .lockTimeout(settings.lockTimeout());
        listeners.forEach(builder::listener);
        return builder.build();
    }

    /** The story pipeline's commands (start, status, advance, checkpoint...) for the project. */
    @Provides
    @Singleton
    StoryCommands storyCommands(PipelineRuntime runtime, PipelineSettings settings) {
        return new StoryCommands(runtime, settings.projectDir());
    }
}
