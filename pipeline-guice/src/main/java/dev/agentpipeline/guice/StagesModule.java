package dev.agentpipeline.guice;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.agentpipeline.spi.StageRegistry;
import org.apiguardian.api.API;

import java.util.Objects;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * Guice binding of the stage plugins: every {@link dev.agentpipeline.spi.Stage} on the class path, found with
 * {@link java.util.ServiceLoader} and checked by {@link StageRegistry} (duplicate, malformed and reserved ids are
 * errors that name the classes).
 *
 * <pre>{@code
 * Injector injector = Guice.createInjector(new PipelineModule(), new StagesModule(), settingsModule);
 * StageRegistry stages = injector.getInstance(StageRegistry.class);
 * }</pre>
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class StagesModule extends AbstractModule {

    private final ClassLoader classLoader;

    /** The plugins visible to the class loader that loaded this module. */
    public StagesModule() {
        this(StagesModule.class.getClassLoader());
    }

    /**
     * The plugins visible to a class loader: for example a child loader of plugin jars, as the command line's
     * {@code --plugin-path} makes.
     *
     * @param classLoader where {@link java.util.ServiceLoader} looks, not null
     */
    public StagesModule(ClassLoader classLoader) {
        this.classLoader = Objects.requireNonNull(classLoader, "classLoader");
    }

    /** The plugins visible to this module's class loader. */
    @Provides
    @Singleton
    StageRegistry stages() {
        return StageRegistry.load(classLoader);
    }
}
