package dev.agentpipeline.spi;

import org.apiguardian.api.API;

import java.util.Locale;
import java.util.regex.Pattern;

import static org.apiguardian.api.API.Status.STABLE;

/**
 * Why an attempt failed, in the terms the loop-health and retry policies act on.
 *
 * <p>The classes and their wire names are those of the ln-1000 skill's loop-health contract. Some are
 * {@linkplain #isTransient() transient} (worth retrying after a wait), some {@linkplain #isBlocker() block}
 * the run until a person acts, the rest are domain failures counted by the no-progress and same-error
 * limits.
 *
 * @since 0.1
 */
@API(status = STABLE, since = "0.1")
public enum FailureClass {
    /** No failure. */
    NONE("none"),
    /** The agent produced no output for too long. */
    TIMEOUT_IDLE("timeout_idle"),
    /** The agent kept producing output but ran out of time. */
    TIMEOUT_PRODUCTIVE("timeout_productive"),
    /** The agent was refused a permission it needs. */
    PERMISSION_DENIAL("permission_denial"),
    /** A program or tool the stage needs is not installed. */
    TOOL_MISSING("tool_missing"),
    /** Credentials (API key, token, login) are missing or rejected. */
    AUTH_MISSING("auth_missing"),
    /** A service asked us to slow down (HTTP 429, quota). */
    RATE_LIMITED("rate_limited"),
    /** The agent stopped to ask a question instead of finishing. */
    ASKED_QUESTION("asked_question"),
    /** The agent or plugin failed for a reason of its own. */
    AGENT_ERROR("agent_error"),
    /** The cause could not be told. */
    UNKNOWN("unknown");

    private static final Pattern RATE = Pattern.compile("\\b(rate limit|rate_limited|too many requests|quota|429)\\b");
    private static final Pattern PERMISSION = Pattern.compile(
            "\\b(permission denied|not allowed|access denied|operation not permitted|blocked by permissions)\\b");
    private static final Pattern TOOL = Pattern.compile(
            "\\b(command not found|not found in path|enoent|tool missing|required tool)\\b");
    private static final Pattern AUTH = Pattern.compile(
            "\\b(auth|authentication|unauthorized|login required|api key|token missing|credentials)\\b");
    private static final Pattern QUESTION = Pattern.compile(
            "\\?\\s*$|should i|do you want|please confirm|need clarification");

    private final String wireName;

    FailureClass(String wireName) {
        this.wireName = wireName;
    }

    /**
     * The name used in JSON ({@code "rate_limited"}...).
     *
     * @return the wire name, never null
     */
    public String wireName() {
        return wireName;
    }

    /**
     * Whether waiting and trying again may help: timeouts and rate limits. Transient failures are retried with
     * backoff and do not count as domain failures.
     *
     * @return true for {@link #TIMEOUT_IDLE}, {@link #TIMEOUT_PRODUCTIVE} and {@link #RATE_LIMITED}
     */
    public boolean isTransient() {
        return this == TIMEOUT_IDLE || this == TIMEOUT_PRODUCTIVE || this == RATE_LIMITED;
    }

    /**
     * Whether only a person can fix the cause: missing permissions, tools or credentials. Such failures pause
     * the run at once.
     *
     * @return true for {@link #PERMISSION_DENIAL}, {@link #TOOL_MISSING} and {@link #AUTH_MISSING}
     */
    public boolean isBlocker() {
        return this == PERMISSION_DENIAL || this == TOOL_MISSING || this == AUTH_MISSING;
    }

    /**
     * Parses a wire name or an enum constant name, ignoring case.
     *
     * @param name the name to parse
     * @return the failure class
     * @throws IllegalArgumentException if the name is none of the known ones
     */
    public static FailureClass fromWireName(String name) {
        if (name != null) {
            String lower = name.trim().toLowerCase(Locale.ROOT);
            for (FailureClass failureClass : values()) {
                if (failureClass.wireName.equals(lower)) {
                    return failureClass;
                }
            }
        }
        StringBuilder known = new StringBuilder();
        for (FailureClass failureClass : values()) {
            known.append(known.length() == 0 ? "" : ", ").append(failureClass.wireName);
        }
        throw new IllegalArgumentException("Unknown failure class '" + name + "': use one of " + known);
    }

    /**
     * Tells the failure class from error text (an exception's message, the last lines a program wrote), for
     * failures that do not say their class themselves. The older ln-1000 runtime's rules, matched before digits are
     * normalized away: 429, "rate limit", "too many requests" or quota mean {@link #RATE_LIMITED}; "permission denied",
     * "access denied", "operation not permitted" {@link #PERMISSION_DENIAL}; "command not found", ENOENT
     * {@link #TOOL_MISSING}; auth, "unauthorized", "api key", credentials {@link #AUTH_MISSING}; a trailing question
     * {@link #ASKED_QUESTION}; anything else {@link #UNKNOWN}, and no text {@link #NONE}.
     *
     * <pre>{@code
     * FailureClass.classify("HTTP 429 Too Many Requests")   // RATE_LIMITED
     * }</pre>
     *
     * @param text error text, may be null
     * @return the class it reveals, never null
     * @since 0.1
     */
    public static FailureClass classify(String text) {
        if (text == null || text.isBlank()) {
            return NONE;
        }
        String lower = text.toLowerCase(Locale.ROOT).replace("\r\n", "\n").trim();
        if (RATE.matcher(lower).find()) {
            return RATE_LIMITED;
        }
        if (PERMISSION.matcher(lower).find()) {
            return PERMISSION_DENIAL;
        }
        if (TOOL.matcher(lower).find()) {
            return TOOL_MISSING;
        }
        if (AUTH.matcher(lower).find()) {
            return AUTH_MISSING;
        }
        if (QUESTION.matcher(lower).find()) {
            return ASKED_QUESTION;
        }
        return UNKNOWN;
    }
}
