package dev.agentpipeline.core.engine;

import dev.agentpipeline.spi.FailureClass;

import org.apiguardian.api.API;

import java.time.Duration;
import java.util.Objects;
import java.util.function.DoubleSupplier;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * How the orchestrator retries failed attempts. Immutable; build with {@link #custom()}.
 *
 * <p>Transient failures ({@link FailureClass#isTransient()}: timeouts and rate limits) are retried up to
 * {@code maxTransientRetries} times per visit, waiting {@code baseDelay * multiplier^(n-1)} (capped at
 * {@code maxDelay}) with up to {@code jitter} of random spread; they do not count as domain failures. The
 * defaults are the phase pipeline orchestrator's: 3 retries after 1, 2 and 4 minutes. Other failures are judged by loop
 * health and retried after {@code failureDelay}, at most {@code maxAttemptsPerVisit} attempts per visit of a state.
 *
 * <pre>{@code
 * RetryPolicy quick = RetryPolicy.custom().baseDelay(Duration.ofSeconds(5)).maxTransientRetries(5).build();
 * }</pre>
 *
 * @param maxTransientRetries retries of transient failures per visit, at least 0
 * @param baseDelay the first transient retry's wait
 * @param multiplier the growth of the wait, at least 1
 * @param maxDelay the longest wait
 * @param jitter the random spread, 0 to 1 (0.2 = up to 20% shorter or longer)
 * @param failureDelay the wait before retrying a non-transient failure
 * @param maxAttemptsPerVisit attempts of one state per visit before the run pauses, at least 1; resuming the run
 *     grants as many again
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public record RetryPolicy(int maxTransientRetries, Duration baseDelay, double multiplier, Duration maxDelay,
                          double jitter, Duration failureDelay, int maxAttemptsPerVisit) {

    /**
     * Validates.
     *
     * @throws IllegalArgumentException if a value is out of range
     */
    public RetryPolicy {
        if (maxTransientRetries < 0) {
            throw new IllegalArgumentException("maxTransientRetries must be 0 or more, got " + maxTransientRetries);
        }
        Objects.requireNonNull(baseDelay, "baseDelay");
        Objects.requireNonNull(maxDelay, "maxDelay");
        Objects.requireNonNull(failureDelay, "failureDelay");
        if (baseDelay.isNegative() || maxDelay.isNegative() || failureDelay.isNegative()) {
            throw new IllegalArgumentException("delays must not be negative");
        }
        if (multiplier < 1) {
            throw new IllegalArgumentException("multiplier must be at least 1, got " + multiplier);
        }
        if (jitter < 0 || jitter > 1) {
            throw new IllegalArgumentException("jitter must be between 0 and 1, got " + jitter);
        }
        if (maxAttemptsPerVisit < 1) {
            throw new IllegalArgumentException("maxAttemptsPerVisit must be at least 1, got " + maxAttemptsPerVisit);
        }
    }

    /** @return the default policy: 3 transient retries after 1, 2, 4 minutes; 10 attempts per visit */
    public static RetryPolicy defaults() {
        return custom().build();
    }

    /** @return a builder starting from the defaults */
    public static Builder custom() {
        return new Builder();
    }

    /**
     * The wait before a transient retry.
     *
     * @param retry the retry's number, 1 for the first
     * @param random gives numbers in [0, 1) for the jitter
     * @return the wait, never negative
     */
    public Duration transientDelay(int retry, DoubleSupplier random) {
        double millis = baseDelay.toMillis() * Math.pow(multiplier, Math.max(0, retry - 1));
        millis = Math.min(millis, maxDelay.toMillis());
        double spread = jitter == 0 ? 0 : (random.getAsDouble() * 2 - 1) * jitter;
        return Duration.ofMillis(Math.max(0, Math.round(millis * (1 + spread))));
    }

    /**
     * Builds a {@link RetryPolicy}.
     *
     * @since 0.1
     */
    public static final class Builder {
        private int maxTransientRetries = 3;
        private Duration baseDelay = Duration.ofMinutes(1);
        private double multiplier = 2;
        private Duration maxDelay = Duration.ofMinutes(8);
        private double jitter = 0.2;
        private Duration failureDelay = Duration.ZERO;
        private int maxAttemptsPerVisit = 10;

        private Builder() {
        }

        /**
         * @param value retries of transient failures per visit
         * @return this builder
         */
        public Builder maxTransientRetries(int value) {
            this.maxTransientRetries = value;
            return this;
        }

        /**
         * @param value the first wait
         * @return this builder
         */
        public Builder baseDelay(Duration value) {
            this.baseDelay = value;
            return this;
        }

        /**
         * @param value the growth factor
         * @return this builder
         */
        public Builder multiplier(double value) {
            this.multiplier = value;
            return this;
        }

        /**
         * @param value the longest wait
         * @return this builder
         */
        public Builder maxDelay(Duration value) {
            this.maxDelay = value;
            return this;
        }

        /**
         * @param value the random spread, 0 to 1
         * @return this builder
         */
        public Builder jitter(double value) {
            this.jitter = value;
            return this;
        }

        /**
         * @param value the wait before retrying a non-transient failure
         * @return this builder
         */
        public Builder failureDelay(Duration value) {
            this.failureDelay = value;
            return this;
        }

        /**
         * @param value attempts per visit before pausing
         * @return this builder
         */
        public Builder maxAttemptsPerVisit(int value) {
            this.maxAttemptsPerVisit = value;
            return this;
        }

        /**
         * @return the policy
         * @throws IllegalArgumentException if a value is out of range
         */
        public RetryPolicy build() {
            return new RetryPolicy(maxTransientRetries, baseDelay, multiplier, maxDelay, jitter, failureDelay,
                    maxAttemptsPerVisit);
        }
    }
}
