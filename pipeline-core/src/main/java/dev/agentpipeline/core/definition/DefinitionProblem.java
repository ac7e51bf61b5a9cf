package dev.agentpipeline.core.definition;

import org.apiguardian.api.API;

import java.util.Objects;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * One thing wrong with a definition, and where.
 *
 * @param location where, never null
 * @param message what is wrong and how to fix it, never null
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
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
