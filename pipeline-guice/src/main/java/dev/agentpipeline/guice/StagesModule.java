package dev.agentpipeline.guice;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.agentpipeline.spi.StageRegistry;
import org.apiguardian.api.API;

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

    /** The plugins visible to the class loader that loaded this module. */
    @Provides
    @Singleton
    StageRegistry stages() {
        return StageRegistry.load(StagesModule.class.getClassLoader());
    }
}
