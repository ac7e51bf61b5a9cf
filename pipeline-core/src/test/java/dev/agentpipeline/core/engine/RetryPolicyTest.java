package dev.agentpipeline.core.engine;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.function.DoubleSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RetryPolicyTest {

    private static final DoubleSupplier MIDDLE = () -> 0.5;

    @Test
    void theDefaultsAreThreeRetriesAfterOneTwoAndFourMinutes() {
        RetryPolicy policy = RetryPolicy.defaults();

        assertThat(policy.maxTransientRetries()).isEqualTo(3);
        assertThat(policy.baseDelay()).isEqualTo(Duration.ofMinutes(1));
        assertThat(policy.multiplier()).isEqualTo(2.0);
        assertThat(policy.maxDelay()).isEqualTo(Duration.ofMinutes(8));
        assertThat(policy.jitter()).isEqualTo(0.2);
        assertThat(policy.failureDelay()).isZero();
        assertThat(policy.maxAttemptsPerVisit()).isEqualTo(10);
    }

    @Test
    void doublesTheWaitUpToItsCap() {
        RetryPolicy policy = RetryPolicy.defaults();

        assertThat(policy.transientDelay(1, MIDDLE)).isEqualTo(Duration.ofMinutes(1));
        assertThat(policy.transientDelay(2, MIDDLE)).isEqualTo(Duration.ofMinutes(2));
        assertThat(policy.transientDelay(3, MIDDLE)).isEqualTo(Duration.ofMinutes(4));
        assertThat(policy.transientDelay(4, MIDDLE)).isEqualTo(Duration.ofMinutes(8));
        assertThat(policy.transientDelay(9, MIDDLE)).isEqualTo(Duration.ofMinutes(8));
        assertThat(policy.transientDelay(0, MIDDLE)).isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void spreadsTheWaitByTheJitterEitherWay() {
        RetryPolicy policy = RetryPolicy.defaults();

        assertThat(policy.transientDelay(1, () -> 0.0)).isEqualTo(Duration.ofSeconds(48));
        assertThat(policy.transientDelay(1, () -> 0.75)).isEqualTo(Duration.ofSeconds(66));
        assertThat(policy.transientDelay(1, () -> 0.999_999)).isBetween(Duration.ofMillis(71_999),
                Duration.ofSeconds(72));
        assertThat(policy.transientDelay(4, () -> 0.999_999)).isLessThanOrEqualTo(Duration.ofSeconds(576));
    }

    @Test
    void withoutJitterTheRandomIsNotConsulted() {
        RetryPolicy exact = RetryPolicy.custom().jitter(0).baseDelay(Duration.ofSeconds(5)).multiplier(3).build();

        assertThat(exact.transientDelay(3, () -> {
            throw new AssertionError("random consulted");
        })).isEqualTo(Duration.ofSeconds(45));
    }

    @Test
    void rejectsValuesOutOfRange() {
        assertThatThrownBy(() -> RetryPolicy.custom().maxTransientRetries(-1).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessage("maxTransientRetries must be 0 or more, got -1");
        assertThatThrownBy(() -> RetryPolicy.custom().multiplier(0.5).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessage("multiplier must be at least 1, got 0.5");
        assertThatThrownBy(() -> RetryPolicy.custom().jitter(1.5).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessage("jitter must be between 0 and 1, got 1.5");
        assertThatThrownBy(() -> RetryPolicy.custom().baseDelay(Duration.ofSeconds(-1)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessage("delays must not be negative");
        assertThatThrownBy(() -> RetryPolicy.custom().maxAttemptsPerVisit(0).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessage("maxAttemptsPerVisit must be at least 1, got 0");
        assertThatThrownBy(() -> RetryPolicy.custom().failureDelay(null).build())
                .isInstanceOf(NullPointerException.class);
    }
}
