package dev.agentpipeline.core.loop;

import dev.agentpipeline.spi.FailureClass;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/** Telling the failure class from error text. */
class FailureClassifierTest {

    @Test
    void noTextIsNoFailure() {
        assertThat(FailureClassifier.classify(null)).isEqualTo(FailureClass.NONE);
        assertThat(FailureClassifier.classify(" \n")).isEqualTo(FailureClass.NONE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"HTTP 429 Too Many Requests", "Error 429 after 3 retries at 2026-01-05T09:00:00Z",
            "status=429", "Quota exceeded for model gpt-x (limit 10000 tokens/min)", "rate limit reached",
            "You are rate_limited", "Too many requests, slow down"})
    void recognizesRateLimitsEvenAmongOtherDigits(String text) {
        assertThat(FailureClassifier.classify(text)).isEqualTo(FailureClass.RATE_LIMITED);
    }

    @ParameterizedTest
    @ValueSource(strings = {"bash: /usr/local/bin/deploy: Permission denied", "Operation not permitted",
            "Access denied for user 'ci'", "Tool call blocked by permissions", "Writing outside the workspace is not allowed"})
    void recognizesPermissionDenials(String text) {
        assertThat(FailureClassifier.classify(text)).isEqualTo(FailureClass.PERMISSION_DENIAL);
    }

    @ParameterizedTest
    @ValueSource(strings = {"sh: 1: gradle: command not found", "Error: spawn npx ENOENT", "mvn: not found in PATH",
            "required tool jq is not installed"})
    void recognizesMissingTools(String text) {
        assertThat(FailureClassifier.classify(text)).isEqualTo(FailureClass.TOOL_MISSING);
    }

    @ParameterizedTest
    @ValueSource(strings = {"401 Unauthorized", "Missing API key for provider", "auth failed", "Authentication required",
            "GITHUB token missing", "No credentials found", "login required"})
    void recognizesMissingCredentials(String text) {
        assertThat(FailureClassifier.classify(text)).isEqualTo(FailureClass.AUTH_MISSING);
    }

    @ParameterizedTest
    @ValueSource(strings = {"Should the login use JWT or sessions?", "Which database do you prefer?  \n",
            "Should I continue with the migration", "Do you want me to delete the old tests",
            "Please confirm the API contract", "I need clarification on the acceptance criteria"})
    void recognizesAnAgentThatAskedAQuestion(String text) {
        assertThat(FailureClassifier.classify(text)).isEqualTo(FailureClass.ASKED_QUESTION);
    }

    @Test
    void aQuestionMarkInsideTheTextIsNotAQuestion() {
        assertThat(FailureClassifier.classify("Parse error near '?' in query, aborting"))
                .isEqualTo(FailureClass.UNKNOWN);
    }

    @Test
    void rateLimitsWinOverOtherMatches() {
        assertThat(FailureClassifier.classify("429: permission denied until quota resets"))
                .isEqualTo(FailureClass.RATE_LIMITED);
        assertThat(FailureClassifier.classify("permission denied: command not found"))
                .isEqualTo(FailureClass.PERMISSION_DENIAL);
    }

    @Test
    void anythingElseIsUnknown() {
        assertThat(FailureClassifier.classify("NullPointerException in LoginService")).isEqualTo(FailureClass.UNKNOWN);
        assertThat(FailureClassifier.classify("expected 4290 items")).isEqualTo(FailureClass.UNKNOWN);
    }
}
