package dev.agentpipeline.spi.workspace;

import org.apiguardian.api.API;

import java.util.Objects;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * A workspace operation failed: the repository is not a git repository, a branch name is unsafe, removing a
 * workspace would lose unmerged work... The message says what and where; {@link #fix()} what to do; {@link #code()}
 * is stable for programs.
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class WorkspaceException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** The stable code. */
    private final String code;
    /** What to do. */
    private final String fix;

    /**
     * @param code a stable code ({@code not_a_repository}, {@code unmerged_work}, {@code unsafe_name}...)
     * @param message what went wrong, and where
     * @param fix what to do about it
     * @param cause the underlying error, or null
     */
    public WorkspaceException(String code, String message, String fix, Throwable cause) {
        super(message, cause);
        this.code = Objects.requireNonNull(code, "code");
        this.fix = fix == null ? "" : fix;
    }

    /** @return the stable code, never null */
    public String code() {
        return code;
    }

    /** @return what to do about it, never null (may be empty) */
    public String fix() {
        return fix;
    }
}
