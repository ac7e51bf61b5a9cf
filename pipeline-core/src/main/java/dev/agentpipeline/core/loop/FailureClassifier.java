package dev.agentpipeline.core.loop;

import dev.agentpipeline.spi.FailureClass;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Tells the failure class from error text, for attempts that did not say it themselves.
 *
 * <p>429 and quota mean {@code rate_limited}; "permission denied" {@code permission_denial}; "command not found"
 * or ENOENT {@code tool_missing}; auth, API key or token {@code auth_missing}; a trailing question
 * {@code asked_question}; anything else {@code unknown}, and no text {@code none}. Unlike the seeds' runtime, the
 * patterns are matched before numbers are normalized away, so "HTTP 429" is recognized.
 *
 * @since 0.1
 */
public final class FailureClassifier {

    private static final Pattern RATE = Pattern.compile("\\b(rate limit|rate_limited|too many requests|quota|429)\\b");
    private static final Pattern PERMISSION = Pattern.compile(
            "\\b(permission denied|not allowed|access denied|operation not permitted|blocked by permissions)\\b");
    private static final Pattern TOOL = Pattern.compile(
            "\\b(command not found|not found in path|enoent|tool missing|required tool)\\b");
    private static final Pattern AUTH = Pattern.compile(
            "\\b(auth|authentication|unauthorized|login required|api key|token missing|credentials)\\b");
    private static final Pattern QUESTION = Pattern.compile(
            "\\?\\s*$|should i|do you want|please confirm|need clarification");

    private FailureClassifier() {
    }

    /**
     * @param text error text, may be null
     * @return the class it reveals
     */
    public static FailureClass classify(String text) {
        if (text == null || text.isBlank()) {
            return FailureClass.NONE;
        }
        String lower = text.toLowerCase(Locale.ROOT).replace("\r\n", "\n").trim();
        if (RATE.matcher(lower).find()) {
            return FailureClass.RATE_LIMITED;
        }
        if (PERMISSION.matcher(lower).find()) {
            return FailureClass.PERMISSION_DENIAL;
        }
        if (TOOL.matcher(lower).find()) {
            return FailureClass.TOOL_MISSING;
        }
        if (AUTH.matcher(lower).find()) {
            return FailureClass.AUTH_MISSING;
        }
        if (QUESTION.matcher(lower).find()) {
            return FailureClass.ASKED_QUESTION;
        }
        return FailureClass.UNKNOWN;
    }
}
