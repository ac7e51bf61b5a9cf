package dev.agentpipeline.cli.wiring;

import org.apiguardian.api.API;

import java.util.Objects;

import static org.apiguardian.api.API.Status.INTERNAL;

/**
 * A setting from the command line or the environment that cannot be used, with a stable {@link #code()}, what is
 * wrong ({@link #getMessage()}) and how to fix it ({@link #fix()}).
 *
 * @since 0.1
 */
@API(status = INTERNAL, since = "0.1")
public final class InvalidSettingsException extends Exception {

    private static final long serialVersionUID = 1L;

    private final String code;
    private final String fix;

    /**
     * @param code a stable, machine-readable code such as {@code project_dir_missing}
     * @param message what is wrong and where, never null
     * @param fix how to fix it, never null
     */
    public InvalidSettingsException(String code, String message, String fix) {
        super(Objects.requireNonNull(message, "message"), null, false, false);
        this.code = Objects.requireNonNull(code, "code");
        this.fix = Objects.requireNonNull(fix, "fix");
    }

    /** @return the stable code, never null */
    public String code() {
        return code;
    }

    /** @return how to fix the setting, never null */
    public String fix() {
        return fix;
    }
}
