package dev.agentpipeline.core.guard;

import org.apiguardian.api.API;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * Custom Java guards by the names YAML definitions use for them ({@code - custom: business-hours}). Immutable and
 * thread-safe.
 *
 * <pre>{@code
 * GuardRegistry guards = GuardRegistry.empty().with("business-hours", new BusinessHoursGuard());
 * PipelineDefinition definition = PipelineDefinitions.fromYaml(path, guards);
 * }</pre>
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class GuardRegistry {

    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_-]{0,63}");
    private static final GuardRegistry EMPTY = new GuardRegistry(Map.of());

    private final Map<String, Guard> guards;

    private GuardRegistry(Map<String, Guard> guards) {
        this.guards = guards;
    }

    /** @return a registry without guards */
    public static GuardRegistry empty() {
        return EMPTY;
    }

    /**
     * @param name the name YAML uses: 1 to 64 characters of {@code [a-z0-9_-]}, starting with a letter
     * @param guard the guard
     * @return a new registry with the guard added
     * @throws IllegalArgumentException if the name is malformed or taken
     */
    public GuardRegistry with(String name, Guard guard) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("Guard name '" + name
                    + "' must be 1 to 64 characters of a-z, 0-9, '_' or '-', starting with a letter");
        }
        if (guards.containsKey(name)) {
            throw new IllegalArgumentException("A guard named '" + name + "' is already registered");
        }
        Map<String, Guard> copy = new LinkedHashMap<>(guards);
        copy.put(name, Objects.requireNonNull(guard, "guard"));
        return new GuardRegistry(Collections.unmodifiableMap(copy));
    }

    /**
     * @param name a guard name
     * @return the guard, if registered
     */
    public Optional<Guard> find(String name) {
        return Optional.ofNullable(guards.get(name));
    }

    /** @return the registered names */
    public Set<String> names() {
        return guards.keySet();
    }
}
