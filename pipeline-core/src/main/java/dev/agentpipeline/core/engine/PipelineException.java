package dev.agentpipeline.core.engine;

import org.apiguardian.api.API;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * A runtime operation could not be carried out: the run does not exist, has ended, is not paused... Guard
 * rejections are not exceptions (see {@link TransitionResult}); this is for requests that make no sense in the
 * run's situation. The message says what and {@link #fix()} what to do; {@link #code()} is stable.
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class PipelineException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String code;
    private final String problem;
    private final String fix;

    /**
     * @param code a stable code ({@code run_not_found}, {@code run_ended}...)
     * @param message what is wrong
     * @param fix what to do
     */
    public PipelineException(String code, String message, String fix) {
        super(message + (fix.isEmpty() ? "" : " " + fix));
        this.code = code;
        this.problem = message;
        this.fix = fix;
    }

    /** @return what is wrong, without the fix */
    public String problem() {
        return problem;
    }

    /** @return the stable code */
    public String code() {
        return code;
    }

    /** @return what to do, never null */
    public String fix() {
        return fix;
    }
}
