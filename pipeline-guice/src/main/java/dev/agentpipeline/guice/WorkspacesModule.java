package dev.agentpipeline.guice;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.agentpipeline.spi.workspace.WorkspaceException;
import dev.agentpipeline.spi.workspace.WorkspaceProviderFactory;

import org.apiguardian.api.API;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.ServiceLoader;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * Guice binding of the workspace implementation: the {@link WorkspaceProviderFactory} with id {@value #GIT} found
 * with {@link ServiceLoader} ({@code pipeline-git} on the class path). Nothing is looked up until something asks.
 *
 * <pre>{@code
 * WorkspaceProvider git = injector.getInstance(WorkspaceProviderFactory.class)
 *         .open(projectDir, projectDir.resolve(".pipeline/worktrees"));
 * }</pre>
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class WorkspacesModule extends AbstractModule {

    /** The id of the git implementation. */
    public static final String GIT = "git";

    private final ClassLoader classLoader;

    /** The implementations visible to the class loader that loaded this module. */
    public WorkspacesModule() {
        this(WorkspacesModule.class.getClassLoader());
    }

    /**
     * The implementations visible to a class loader: for example a child loader of plugin jars, as the command
     * line's {@code --plugin-path} makes.
     *
     * @param classLoader where {@link ServiceLoader} looks, not null
     */
    public WorkspacesModule(ClassLoader classLoader) {
        this.classLoader = Objects.requireNonNull(classLoader, "classLoader");
    }

    /**
     * The git workspace implementation.
     *
     * @throws WorkspaceException if no implementation with id {@value #GIT} is on the class path
     */
    @Provides
    @Singleton
    WorkspaceProviderFactory workspaces() {
        List<String> found = new ArrayList<>();
        for (WorkspaceProviderFactory factory : ServiceLoader.load(WorkspaceProviderFactory.class,
                classLoader)) {
            if (GIT.equals(factory.id())) {
                return factory;
            }
            found.add(factory.id());
        }
        throw new WorkspaceException("no_workspace_provider", "No workspace implementation with id '" + GIT
                + "' on the class path (found: " + (found.isEmpty() ? "none" : String.join(", ", found)) + ")",
                "Put pipeline-git on the class path.", null);
    }
}
