package dev.agentpipeline.core.story;

import org.apiguardian.api.API;

import java.util.Map;
import java.util.Objects;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * The answer to one command of the older ln-1000 runtime's protocol: a JSON object and an exit code. Exit code 0 is
 * success (JSON on stdout), 1 a guard rejection ({@code {ok: false, error, recovery}} on stdout), 2 any other
 * error ({@code {ok: false, error, code, fix}} on stderr).
 *
 * @param exitCode 0, 1 or 2
 * @param json the answer (JSON-compatible), never null
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public record CommandResult(int exitCode, Map<String, Object> json) {

    /** Exit code of success. */
    public static final int OK = 0;
    /** Exit code of a guard rejection. */
    public static final int REJECTED = 1;
    /** Exit code of any other error. */
    public static final int ERROR = 2;

    /** Validates. */
    public CommandResult {
        if (exitCode < 0 || exitCode > 2) {
            throw new IllegalArgumentException("exit code must be 0, 1 or 2, got " + exitCode);
        }
        Objects.requireNonNull(json, "json");
    }

    /** @return whether the answer belongs on stderr (exit code 2) */
    public boolean toStderr() {
        return exitCode == ERROR;
    }
}
