package dev.agentpipeline.core.internal;

import org.apiguardian.api.API;

import static org.apiguardian.api.API.Status.INTERNAL;

/** Thrown when text is not well-formed JSON; says where. */
@API(status = INTERNAL, since = "0.1")
public final class JsonSyntaxException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final int line;
    private final int column;

    /**
     * @param problem what is wrong
     * @param line 1-based line, 0 if unknown
     * @param column 1-based column, 0 if unknown
     */
    public JsonSyntaxException(String problem, int line, int column) {
        super(problem + (line > 0 ? " (line " + line + ", column " + column + ")" : ""));
        this.line = line;
        this.column = column;
    }

    /** @return the 1-based line, 0 if unknown */
    public int line() {
        return line;
    }

    /** @return the 1-based column, 0 if unknown */
    public int column() {
        return column;
    }
}
