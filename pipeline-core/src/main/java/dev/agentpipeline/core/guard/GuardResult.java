package dev.agentpipeline.core.guard;

import org.apiguardian.api.API;

import java.util.Objects;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * The verdict of a guard: allow, or reject with a stable {@code code}, an {@code error} saying what is wrong and a
 * {@code recovery} saying what to do. Immutable.
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class GuardResult {

    private static final GuardResult ALLOW = new GuardResult(null, null, null);

    private final String code;
    private final String error;
    private final String recovery;

    private GuardResult(String code, String error, String recovery) {
        this.code = code;
        this.error = error;
        this.recovery = recovery;
    }

    /** @return the result that lets the transition happen */
    public static GuardResult allow() {
        return ALLOW;
    }

    /**
     * A rejection.
     *
     * @param code a stable, machine-readable code ({@code verdict_not_go}), not blank
     * @param error what is wrong ({@code "Verdict is NO-GO, not GO"}), not blank
     * @param recovery what to do about it ({@code "Fix validation issues"}), not null
     * @return the rejection
     * @throws IllegalArgumentException if code or error is blank
     */
    public static GuardResult reject(String code, String error, String recovery) {
        if (code == null || code.isBlank()) {
            throw new IllegalArgumentException("A rejection needs a code");
        }
        if (error == null || error.isBlank()) {
            throw new IllegalArgumentException("A rejection needs an error message");
        }
        return new GuardResult(code, error, Objects.requireNonNull(recovery, "recovery"));
    }

    /** @return whether the transition may happen */
    public boolean allowed() {
        return code == null;
    }

    /** @return the rejection code; null when allowed */
    public String code() {
        return code;
    }

    /** @return what is wrong; null when allowed */
    public String error() {
        return error;
    }

    /** @return what to do about it; null when allowed */
    public String recovery() {
        return recovery;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof GuardResult that && Objects.equals(code, that.code)
                && Objects.equals(error, that.error) && Objects.equals(recovery, that.recovery);
    }

    @Override
    public int hashCode() {
        return Objects.hash(code, error, recovery);
    }

    @Override
    public String toString() {
        return allowed() ? "allow" : "reject[" + code + ": " + error + " / " + recovery + "]";
    }
}
