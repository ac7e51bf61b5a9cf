package dev.agentpipeline.core.definition;

import dev.agentpipeline.core.guard.Guard;

import java.util.Objects;

/**
 * A guard of a transition, with where it was defined.
 *
 * @param guard the guard
 * @param location where it was defined
 * @since 0.1
 */
public record GuardDefinition(Guard guard, SourceLocation location) {

    /** Validates. */
    public GuardDefinition {
        Objects.requireNonNull(guard, "guard");
        Objects.requireNonNull(location, "location");
    }
}
