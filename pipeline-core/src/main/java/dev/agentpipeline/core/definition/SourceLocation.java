package dev.agentpipeline.core.definition;

import org.apiguardian.api.API;

import java.util.Objects;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * Where a part of a definition was written: a file (or resource) with line and column, or the Java builder.
 *
 * @param source the file or resource name; {@code "<builder>"} for definitions built in Java
 * @param line 1-based line, 0 when unknown
 * @param column 1-based column, 0 when unknown
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public record SourceLocation(String source, int line, int column) {

    /** The location of parts built with the Java builder. */
    public static final SourceLocation BUILDER = new SourceLocation("<builder>", 0, 0);

    /** Validates. */
    public SourceLocation {
        Objects.requireNonNull(source, "source");
    }

    @Override
    public String toString() {
        return line > 0 ? source + ":" + line + ":" + column : source;
    }
}
