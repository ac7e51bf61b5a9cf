package dev.agentpipeline.spi.evidence;

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

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * The evidence collectors available to a runtime, by id: the one place where they are discovered and checked.
 *
 * <pre>{@code
 * EvidenceCollectorRegistry collectors = EvidenceCollectorRegistry.load();   // ServiceLoader
 * EvidenceResult coverage = collectors.require("jacoco").collect(EvidenceRequest.of(workspace));
 * }</pre>
 *
 * <p>Discovery rejects, with an {@link IllegalStateException} naming the classes involved, two collectors with the
 * same id and malformed ids or keys. Immutable and thread-safe.
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class EvidenceCollectorRegistry {

    private static final Pattern ID = Pattern.compile("[a-z][a-z0-9-]{0,63}");
    private static final Pattern KEY = Pattern.compile("[a-z][a-z0-9_]{0,63}");

    private final Map<String, EvidenceCollector> collectors;

    private EvidenceCollectorRegistry(Map<String, EvidenceCollector> collectors) {
        this.collectors = Collections.unmodifiableMap(collectors);
    }

    /**
     * Loads every collector visible to the current thread's context class loader.
     *
     * @return the registry, never null
     * @throws IllegalStateException if the collectors found cannot be used together, or one fails to load
     */
    public static EvidenceCollectorRegistry load() {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        return load(loader == null ? EvidenceCollectorRegistry.class.getClassLoader() : loader);
    }

    /**
     * Loads every collector visible to a class loader.
     *
     * @param classLoader where to look, not null
     * @return the registry, never null
     * @throws IllegalStateException if the collectors found cannot be used together, or one fails to load
     */
    public static EvidenceCollectorRegistry load(ClassLoader classLoader) {
        Objects.requireNonNull(classLoader, "classLoader");
        Iterator<EvidenceCollector> found = ServiceLoader.load(EvidenceCollector.class, classLoader).iterator();
        Map<String, EvidenceCollector> map = new LinkedHashMap<>();
        while (true) {
            EvidenceCollector collector;
            try {
                if (!found.hasNext()) {
                    break;
                }
                collector = found.next();
            } catch (ServiceConfigurationError error) {
                throw new IllegalStateException("An evidence collector listed in META-INF/services/"
                        + EvidenceCollector.class.getName() + " could not be loaded: " + error.getMessage()
                        + ". Check that the class exists, is public and has a public no-argument constructor.", error);
            }
            add(map, collector);
        }
        return new EvidenceCollectorRegistry(map);
    }

    /**
     * @param collectors the collectors
     * @return a registry of them, checked like discovered ones
     * @throws IllegalStateException if two share an id, or an id or key is malformed
     */
    public static EvidenceCollectorRegistry of(EvidenceCollector... collectors) {
        return of(List.of(collectors));
    }

    /**
     * @param collectors the collectors
     * @return a registry of them, checked like discovered ones
     * @throws IllegalStateException if two share an id, or an id or key is malformed
     */
    public static EvidenceCollectorRegistry of(Iterable<? extends EvidenceCollector> collectors) {
        Map<String, EvidenceCollector> map = new LinkedHashMap<>();
        for (EvidenceCollector collector : collectors) {
            add(map, Objects.requireNonNull(collector, "collector"));
        }
        return new EvidenceCollectorRegistry(map);
    }

    /**
     * @param id an id
     * @return whether it has the form of a collector id: 1 to 64 characters of {@code [a-z0-9-]}, starting with a
     *     letter
     */
    public static boolean isValidId(String id) {
        return id != null && ID.matcher(id).matches();
    }

    private static void add(Map<String, EvidenceCollector> map, EvidenceCollector collector) {
        String className = collector.getClass().getName();
        String id = collector.id();
        if (!isValidId(id)) {
            throw new IllegalStateException("Evidence collector " + className + " has the id '" + id
                    + "'; ids are 1 to 64 characters of lower-case letters, digits and '-', starting with a letter.");
        }
        String key = collector.key();
        if (key == null || !KEY.matcher(key).matches()) {
            throw new IllegalStateException("Evidence collector " + className + " has the key '" + key
                    + "'; keys are 1 to 64 characters of lower-case letters, digits and '_', starting with a letter.");
        }
        EvidenceCollector existing = map.putIfAbsent(id, collector);
        if (existing != null) {
            throw new IllegalStateException("Two evidence collectors have the id '" + id + "': "
                    + existing.getClass().getName() + " and " + className
                    + ". Ids must be unique: remove one jar from the class path or rename one collector's id.");
        }
    }

    /**
     * @param id a collector id
     * @return the collector, if registered
     */
    public Optional<EvidenceCollector> find(String id) {
        return Optional.ofNullable(collectors.get(id));
    }

    /**
     * @param id a collector id
     * @return the collector, never null
     * @throws IllegalArgumentException naming the registered ids, if none has this id
     */
    public EvidenceCollector require(String id) {
        EvidenceCollector collector = collectors.get(id);
        if (collector == null) {
            throw new IllegalArgumentException("No evidence collector with id '" + id + "'; available: "
                    + (collectors.isEmpty() ? "none" : String.join(", ", ids()))
                    + ". Add the collector's jar (pipeline-stages has junit and jacoco) to the class path.");
        }
        return collector;
    }

    /** @return the registered ids in sorted order, unmodifiable, never null */
    public Set<String> ids() {
        return Collections.unmodifiableSet(new TreeMap<>(collectors).keySet());
    }

    @Override
    public String toString() {
        return "EvidenceCollectorRegistry" + ids();
    }
}
