package dev.agentpipeline.core.loop;

import dev.agentpipeline.spi.FailureClass;
import org.apiguardian.api.API;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;


/**
 * Tells the failure class from error text, for attempts that did not say it themselves.
 *
 * <p>429 and quota mean {@code rate_limited}; "permission denied" {@code permission_denial}; "command not found"
 * or ENOENT {@code tool_missing}; auth, API key or token {@code auth_missing}; a trailing question
 * {@code asked_question}; anything else {@code unknown}, and no text {@code none}. Unlike the older ln-1000 runtime,
 * the patterns are matched before numbers are normalized away, so "HTTP 429" is recognized. The rules live in the SPI
 * ({@link FailureClass#classify(String)}), so plugins that run programs classify their output the same way.
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class FailureClassifier {

    private FailureClassifier() {
    }

    /**
     * @param text error text, may be null
     * @return the class it reveals
     */
    public static FailureClass classify(String text) {
        return FailureClass.classify(text);
    }
}
