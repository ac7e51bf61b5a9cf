package dev.agentpipeline.core.definition;

import java.util.Objects;

/**
 * One thing wrong with a definition, and where.
 *
 * @param location where, never null
 * @param message what is wrong and how to fix it, never null
 * @since 0.1
 */
public record DefinitionProblem(SourceLocation location, String message) {

    /** Validates. */
    public DefinitionProblem {
        Objects.requireNonNull(location, "location");
        Objects.requireNonNull(message, "message");
    }

    @Override
    public String toString() {
        return location + ": " + message;
    }
}
