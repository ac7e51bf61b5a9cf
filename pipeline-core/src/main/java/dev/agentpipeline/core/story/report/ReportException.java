package dev.agentpipeline.core.story.report;

import org.apiguardian.api.API;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * A report or the quality trend could not be written. The message says what happened and where (a trend file that
 * cannot be read names its line), {@link #fix()} how to fix it, and {@link #code()} is stable for programs
 * ({@code trend_unreadable}, {@code io_error}).
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public class ReportException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String code;
    private final String problem;
    private final String fix;

    /**
     * @param code a stable code
     * @param problem what happened, and where
     * @param fix how to fix it
     * @param cause the underlying error, or null
     */
    public ReportException(String code, String problem, String fix, Throwable cause) {
        super(problem + (fix == null || fix.isEmpty() ? "" : " " + fix), cause);
        this.code = code;
        this.problem = problem;
        this.fix = fix == null ? "" : fix;
    }

    /** @return a stable, machine-readable code, never null */
    public String code() {
        return code;
    }

    /** @return what happened, without the fix, never null */
    public String problem() {
        return problem;
    }

    /** @return how to fix it, never null (may be empty) */
    public String fix() {
        return fix;
    }
}
