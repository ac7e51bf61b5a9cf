package dev.agentpipeline.core.board;

import org.apiguardian.api.API;

import java.util.Objects;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * The board cannot be read or changed as asked. The message says what and where ({@code file:line} where it
 * applies), {@link #fix()} how to fix it, and {@link #code()} is stable for programs: {@code board_missing},
 * {@code board_unreadable}, {@code not_a_board}, {@code story_not_on_board}, {@code duplicate_story},
 * {@code no_section}, {@code board_changed}, {@code io_error}.
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class BoardException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String code;
    private final String fix;

    /**
     * @param code a stable code
     * @param message what is wrong, and where
     * @param fix how to fix it
     * @param cause the underlying error, or null
     */
    public BoardException(String code, String message, String fix, Throwable cause) {
        super(message, cause);
        this.code = Objects.requireNonNull(code, "code");
        this.fix = Objects.requireNonNull(fix, "fix");
    }

    /** @return the stable code, never null */
    public String code() {
        return code;
    }

    /** @return how to fix it, never null */
    public String fix() {
        return fix;
    }
}
