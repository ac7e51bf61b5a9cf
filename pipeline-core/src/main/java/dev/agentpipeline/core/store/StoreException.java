package dev.agentpipeline.core.store;

import org.apiguardian.api.API;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * A store could not do what was asked. The message says what happened, where, and how to fix it;
 * {@link #code()} is stable for programs.
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public class StoreException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String code;
    private final String problem;
    private final String fix;

    /**
     * @param code a stable code ({@code run_not_found}, {@code io_error}...)
     * @param message what happened
     * @param fix how to fix it
     * @param cause the underlying error, or null
     */
    public StoreException(String code, String message, String fix, Throwable cause) {
        super(message + (fix == null || fix.isEmpty() ? "" : " " + fix), cause);
        this.code = code;
        this.problem = message;
        this.fix = fix == null ? "" : fix;
    }

    /** @return what happened, without the fix */
    public String problem() {
        return problem;
    }

    /** @return a stable, machine-readable code */
    public String code() {
        return code;
    }

    /** @return how to fix it, never null (may be empty) */
    public String fix() {
        return fix;
    }
}
