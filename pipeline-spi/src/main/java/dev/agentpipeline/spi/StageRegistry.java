package dev.agentpipeline.spi;

import org.apiguardian.api.API;

import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

import static org.apiguardian.api.API.Status.STABLE;

/**
 * The stage plugins available to a runtime, by id: the one place where plugins are discovered and checked.
 *
 * <pre>{@code
 * StageRegistry stages = StageRegistry.load();              // ServiceLoader, thread context class loader
 * Stage validate = stages.require("pipeline-validate");    // StageNotFoundException names what exists
 * }</pre>
 *
 * <p>Discovery rejects, with a {@link StageDiscoveryException} naming the classes involved: two plugins with
 * the same id, an id that is not 1 to 64 characters of {@code [a-z0-9-]} starting with a letter, and an id
 * with the reserved prefix {@code pipeline-} on a class outside {@code dev.agentpipeline}. Immutable and
 * thread-safe.
 *
 * @since 0.1
 */
@API(status = STABLE, since = "0.1")
public final class StageRegistry {

    /** The prefix reserved for the stage plugins that ship with this library. */
    public static final String RESERVED_PREFIX = "pipeline-";

    private static final Pattern ID = Pattern.compile("[a-z][a-z0-9-]{0,63}");
    private static final String OWN_PACKAGE = "dev.agentpipeline.";

    private final Map<String, Stage> stages;

    private StageRegistry(Map<String, Stage> stages) {
        this.stages = Collections.unmodifiableMap(stages);
    }

    /**
     * Loads every stage plugin visible to the current thread's context class loader.
     *
     * @return the registry, never null
     * @throws StageDiscoveryException if the plugins found cannot be used together, or one fails to load
     */
    public static StageRegistry load() {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        return load(loader == null ? StageRegistry.class.getClassLoader() : loader);
    }

    /**
     * Loads every stage plugin visible to a class loader.
     *
     * @param classLoader where to look, not null
     * @return the registry, never null
     * @throws StageDiscoveryException if the plugins found cannot be used together, or one fails to load
     */
    public static StageRegistry load(ClassLoader classLoader) {
        Objects.requireNonNull(classLoader, "classLoader");
        Iterator<Stage> found = ServiceLoader.load(Stage.class, classLoader).iterator();
        Map<String, Stage> stages = new LinkedHashMap<>();
        while (true) {
            Stage stage;
            try {
                if (!found.hasNext()) {
                    break;
                }
                stage = found.next();
            } catch (ServiceConfigurationError error) {
                throw new StageDiscoveryException("A stage plugin listed in META-INF/services/"
                        + Stage.class.getName() + " could not be loaded: " + error.getMessage()
                        + ". Check that the class exists, is public and has a public no-argument constructor.",
                        error);
            }
            add(stages, stage);
        }
        return new StageRegistry(stages);
    }

    /**
     * A registry of the given plugins, checked like discovered ones.
     *
     * @param stages the plugins
     * @return the registry, never null
     * @throws StageDiscoveryException if two plugins share an id, or an id is malformed or reserved
     */
    public static StageRegistry of(Stage... stages) {
        return of(List.of(stages));
    }

    /**
     * A registry of the given plugins, checked like discovered ones.
     *
     * @param stages the plugins
     * @return the registry, never null
     * @throws StageDiscoveryException if two plugins share an id, or an id is malformed or reserved
     */
    public static StageRegistry of(Iterable<? extends Stage> stages) {
        Map<String, Stage> map = new LinkedHashMap<>();
        for (Stage stage : stages) {
            add(map, Objects.requireNonNull(stage, "stage"));
        }
        return new StageRegistry(map);
    }

    /**
     * A registry with this registry's plugins and the given ones.
     *
     * @param more the plugins to add
     * @return a new registry, never null
     * @throws StageDiscoveryException if an id is taken, malformed or reserved
     */
    public StageRegistry with(Stage... more) {
        Map<String, Stage> map = new LinkedHashMap<>(stages);
        for (Stage stage : more) {
            add(map, Objects.requireNonNull(stage, "stage"));
        }
        return new StageRegistry(map);
    }

    /**
     * Checks a stage id's form, without looking it up.
     *
     * @param id the id
     * @return true if the id is 1 to 64 characters of {@code [a-z0-9-]} starting with a letter
     */
    public static boolean isValidId(String id) {
        return id != null && ID.matcher(id).matches();
    }

    private static void add(Map<String, Stage> stages, Stage stage) {
        String className = stage.getClass().getName();
        String id;
        try {
            id = stage.id();
        } catch (RuntimeException e) {
            throw new StageDiscoveryException("Stage plugin " + className + " failed to give its id: " + e
                    + ". id() must return a constant and must not depend on configuration.", e);
        }
        if (!isValidId(id)) {
            throw new StageDiscoveryException("Stage plugin " + className + " has the id '" + id
                    + "'; ids are 1 to 64 characters of lower-case letters, digits and '-', starting with a letter.");
        }
        if (id.startsWith(RESERVED_PREFIX) && !className.startsWith(OWN_PACKAGE)) {
            throw new StageDiscoveryException("Stage plugin " + className + " uses the id '" + id
                    + "', but the prefix '" + RESERVED_PREFIX + "' is reserved for the plugins of this library."
                    + " Choose an id with a prefix of your own, such as 'acme-" + id.substring(RESERVED_PREFIX.length())
                    + "'.");
        }
        Stage existing = stages.putIfAbsent(id, stage);
        if (existing != null) {
            throw new StageDiscoveryException("Two stage plugins have the id '" + id + "': "
                    + describe(existing) + " and " + describe(stage)
                    + ". Ids must be unique: remove one jar from the class path or rename one plugin's id.");
        }
    }

    private static String describe(Stage stage) {
        Class<?> type = stage.getClass();
        String location = "";
        try {
            if (type.getProtectionDomain() != null && type.getProtectionDomain().getCodeSource() != null) {
                location = " (from " + type.getProtectionDomain().getCodeSource().getLocation() + ")";
            }
        } catch (SecurityException ignored) {
            // location is only decoration
        }
        return type.getName() + location;
    }

    /**
     * Finds a plugin.
     *
     * @param id the plugin id
     * @return the plugin, if registered
     */
    public Optional<Stage> find(String id) {
        return Optional.ofNullable(stages.get(id));
    }

    /**
     * Returns a plugin that must exist.
     *
     * @param id the plugin id
     * @return the plugin, never null
     * @throws StageNotFoundException naming the available ids, if none has this id
     */
    public Stage require(String id) {
        Stage stage = stages.get(id);
        if (stage == null) {
            throw new StageNotFoundException(id, ids());
        }
        return stage;
    }

    /** @return the registered ids in sorted order, unmodifiable, never null */
    public Set<String> ids() {
        return Collections.unmodifiableSet(new TreeMap<>(stages).keySet());
    }

    /** @return the number of registered plugins */
    public int size() {
        return stages.size();
    }

    @Override
    public String toString() {
        return "StageRegistry" + ids();
    }
}
