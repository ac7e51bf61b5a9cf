package dev.agentpipeline.spi.tracker;

import org.apiguardian.api.API;

import java.util.Objects;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * A tracker could not do what was asked: the message says what and where, {@link #code()} is stable for programs,
 * {@link #fix()} says what to do.
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public class TrackerException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String code;
    private final String fix;

    /**
     * @param code a stable code, such as {@code story_not_on_board}
     * @param message what went wrong and where
     * @param fix what to do about it
     * @param cause the cause, or null
     */
    public TrackerException(String code, String message, String fix, Throwable cause) {
        super(message, cause);
        this.code = Objects.requireNonNull(code, "code");
        this.fix = fix == null ? "" : fix;
    }

    /** @return the stable code */
    public String code() {
        return code;
    }

    /** @return what to do about it */
    public String fix() {
        return fix;
    }
}
