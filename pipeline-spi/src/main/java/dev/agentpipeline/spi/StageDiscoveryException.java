package dev.agentpipeline.spi;

import org.apiguardian.api.API;

import static org.apiguardian.api.API.Status.STABLE;

/**
 * Thrown when the stage plugins found on the class path cannot be used together: two plugins share an id,
 * an id is malformed, or a plugin outside this library uses the reserved {@code pipeline-} prefix.
 *
 * <p>The message names the plugin classes involved and what to change.
 *
 * @since 0.1
 */
@API(status = STABLE, since = "0.1")
public final class StageDiscoveryException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what is wrong and how to fix it
     */
    public StageDiscoveryException(String message) {
        super(message);
    }

    /**
     * Creates the exception with a cause.
     *
     * @param message what is wrong and how to fix it
     * @param cause the underlying error
     */
    public StageDiscoveryException(String message, Throwable cause) {
        super(message, cause);
    }
}
