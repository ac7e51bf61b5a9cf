package dev.agentpipeline.core.definition;

import dev.agentpipeline.core.guard.Guard;

import org.apiguardian.api.API;

import java.util.Objects;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * A guard of a transition, with where it was defined.
 *
 * @param guard the guard
 * @param location where it was defined
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public record GuardDefinition(Guard guard, SourceLocation location) {

    /** Validates. */
    public GuardDefinition {
        Objects.requireNonNull(guard, "guard");
        Objects.requireNonNull(location, "location");
    }
}
