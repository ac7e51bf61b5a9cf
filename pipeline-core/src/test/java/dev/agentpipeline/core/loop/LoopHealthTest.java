package dev.agentpipeline.core.loop;

import dev.agentpipeline.core.run.LoopHealthEntry;
import dev.agentpipeline.core.testing.MutableClock;
import dev.agentpipeline.spi.FailureClass;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Instant;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The loop-health judge, exactly as the ln-1000 skill's loop-health contract defines it. */
class LoopHealthTest {

    private static final LoopHealthPolicy DEFAULTS = LoopHealthPolicy.defaults();
    private Instant now = MutableClock.START;

    private LoopSignal failure(String error) {
        now = now.plusSeconds(60);
        return LoopSignal.fromPayload(Map.of("error", error), now);
    }

    private LoopSignal progress(String error) {
        now = now.plusSeconds(60);
        return LoopSignal.fromPayload(Map.of("error", error, "files_changed_delta", true), now);
    }

    private LoopSignal of(FailureClass failureClass) {
        now = now.plusSeconds(60);
        return LoopSignal.fromPayload(Map.of("failure_class", failureClass.wireName(), "error", "x"), now);
    }

    private static LoopHealthEntry fold(LoopSignal... signals) {
        LoopHealthEntry entry = LoopHealthEntry.EMPTY;
        for (LoopSignal signal : signals) {
            entry = LoopHealth.update(entry, signal, DEFAULTS);
        }
        return entry;
    }

    @Test
    void theDefaultPolicyIsTheContracts() {
        assertThat(DEFAULTS.noProgressLimit()).isEqualTo(3);
        assertThat(DEFAULTS.sameErrorLimit()).isEqualTo(3);
        assertThat(DEFAULTS.immediatePause()).containsExactlyInAnyOrder(FailureClass.PERMISSION_DENIAL,
                FailureClass.TOOL_MISSING, FailureClass.AUTH_MISSING);
        assertThat(DEFAULTS.defer()).containsExactly(FailureClass.RATE_LIMITED);
    }

    @Test
    void aFirstFailureIsCountedWithoutPausing() {
        LoopSignal signal = failure("Test LoginTest failed: expected 200 but was 500");

        LoopHealthEntry entry = fold(signal);

        assertThat(entry.attempts()).isEqualTo(1);
        assertThat(entry.noProgressCount()).isEqualTo(1);
        assertThat(entry.sameErrorCount()).isEqualTo(1);
        assertThat(entry.pauseRecommended()).isFalse();
        assertThat(entry.pauseCategory()).isNull();
        assertThat(entry.pauseReason()).isNull();
        assertThat(entry.lastFailureClass()).isEqualTo("unknown");
        assertThat(entry.lastErrorSignature()).isEqualTo("test logintest failed: expected <num> but was <num>");
        assertThat(entry.lastEvidenceKey()).isEqualTo(entry.lastErrorSignature());
        assertThat(entry.lastProgressDetected()).isFalse();
        assertThat(entry.lastSignalAt()).isEqualTo(signal.recordedAt());
        assertThat(entry.history()).hasSize(1);
    }

    @Test
    void theSameErrorThreeTimesWithoutProgressPauses() {
        // Given the same failure with other numbers each time (the same normalized signature)
        LoopHealthEntry twice = fold(failure("Build failed at step 3"), failure("Build failed at step 4"));
        assertThat(twice.pauseRecommended()).isFalse();
        assertThat(twice.sameErrorCount()).isEqualTo(2);

        // When
        LoopHealthEntry thrice = LoopHealth.update(twice, failure("Build failed at step 5"), DEFAULTS);

        // Then
        assertThat(thrice.sameErrorCount()).isEqualTo(3);
        assertThat(thrice.pauseRecommended()).isTrue();
        assertThat(thrice.pauseCategory()).isEqualTo("same_error");
        assertThat(thrice.pauseReason()).isEqualTo("Same error repeated 3 times without progress");
    }

    @Test
    void theSameErrorCountGrowsOnlyWhileTheSignatureRepeats() {
        LoopHealthEntry entry = fold(failure("Error A"), failure("Error A"), failure("Error B"));

        assertThat(entry.sameErrorCount()).isEqualTo(1);
        assertThat(entry.noProgressCount()).isEqualTo(3);
    }

    @Test
    void threeDifferentFailuresWithoutProgressPauseForNoProgress() {
        LoopHealthEntry entry = fold(failure("Error A"), failure("Error B"), failure("Error C"));

        assertThat(entry.pauseRecommended()).isTrue();
        assertThat(entry.pauseCategory()).isEqualTo("no_progress");
        assertThat(entry.pauseReason()).isEqualTo("No progress recorded for 3 attempts");
    }

    @Test
    void progressResetsBothCounts() {
        // Given two identical failures, then an attempt that changed files but failed the same way
        LoopHealthEntry entry = fold(failure("Error A"), failure("Error A"), progress("Error A"));

        // Then
        assertThat(entry.noProgressCount()).isZero();
        assertThat(entry.sameErrorCount()).isZero();
        assertThat(entry.pauseRecommended()).isFalse();
        assertThat(entry.lastProgressDetected()).isTrue();

        // And counting starts again
        LoopHealthEntry next = fold(failure("Error A"), failure("Error A"), progress("Error A"), failure("Error A"),
                failure("Error A"));
        assertThat(next.sameErrorCount()).isEqualTo(2);
        assertThat(next.noProgressCount()).isEqualTo(2);
        assertThat(next.pauseRecommended()).isFalse();
    }

    @Test
    void repeatedProseIsNotProgress() {
        // A changed message is not evidence; only the progress fields are
        LoopHealthEntry entry = fold(failure("I tried a different approach"), failure("I refactored a lot"),
                failure("Almost there, one more try"));

        assertThat(entry.pauseRecommended()).isTrue();
        assertThat(entry.pauseCategory()).isEqualTo("no_progress");
    }

    @ParameterizedTest
    @EnumSource(value = FailureClass.class, names = {"PERMISSION_DENIAL", "TOOL_MISSING", "AUTH_MISSING"})
    void blockersPauseAtOnce(FailureClass blocker) {
        LoopHealthEntry entry = fold(of(blocker));

        assertThat(entry.pauseRecommended()).isTrue();
        assertThat(entry.pauseCategory()).isEqualTo(blocker.wireName());
        assertThat(entry.pauseReason()).isEqualTo("Immediate blocker: " + blocker.wireName());
        assertThat(entry.attempts()).isEqualTo(1);
    }

    @Test
    void aBlockerPausesEvenWithProgress() {
        now = now.plusSeconds(1);
        LoopSignal signal = LoopSignal.fromPayload(Map.of("error", "git push: Permission denied",
                "files_changed_delta", true), now);

        LoopHealthEntry entry = fold(signal);

        assertThat(entry.pauseRecommended()).isTrue();
        assertThat(entry.pauseCategory()).isEqualTo("permission_denial");
        assertThat(entry.noProgressCount()).isZero();
    }

    @Test
    void aRateLimitDefersWithoutCountingAsADomainFailure() {
        LoopHealthEntry entry = fold(failure("HTTP 429 Too Many Requests"));

        assertThat(entry.pauseRecommended()).isTrue();
        assertThat(entry.pauseCategory()).isEqualTo("rate_limited");
        assertThat(entry.pauseReason()).isEqualTo("Rate limited; defer retry without counting as domain failure");
    }

    @ParameterizedTest
    @EnumSource(value = FailureClass.class, names = {"TIMEOUT_IDLE", "TIMEOUT_PRODUCTIVE", "ASKED_QUESTION",
            "AGENT_ERROR", "UNKNOWN", "NONE"})
    void otherClassesCountTowardsTheLimits(FailureClass failureClass) {
        assertThat(fold(of(failureClass)).pauseRecommended()).isFalse();
        assertThat(fold(of(failureClass), of(failureClass), of(failureClass)).pauseCategory()).isEqualTo("same_error");
    }

    @Test
    void signalsWithoutSignatureNeverCountAsTheSameError() {
        LoopHealthEntry entry = LoopHealthEntry.EMPTY;
        for (int i = 0; i < 2; i++) {
            entry = LoopHealth.update(entry, new LoopSignal(FailureClass.UNKNOWN, false, "", "", null, false, false,
                    false, now), DEFAULTS);
        }

        assertThat(entry.sameErrorCount()).isEqualTo(1);
        assertThat(entry.lastErrorSignature()).isNull();
        assertThat(entry.noProgressCount()).isEqualTo(2);
    }

    @Test
    void keepsTheTenNewestSignalsInItsHistory() {
        LoopHealthEntry entry = LoopHealthEntry.EMPTY;
        for (int i = 1; i <= 12; i++) {
            entry = LoopHealth.update(entry, progress("attempt " + i + " done"), DEFAULTS);
        }

        assertThat(entry.attempts()).isEqualTo(12);
        assertThat(entry.history()).hasSize(10);
        assertThat(entry.history().get(0)).containsEntry("evidence_key", "attempt <num> done");
        assertThat(entry.history().get(0).get("recorded_at")).isEqualTo("2026-01-05T09:03:00.000Z");
        assertThat(entry.history().get(9).get("recorded_at")).isEqualTo("2026-01-05T09:12:00.000Z");
    }

    @Test
    void aCustomPolicyChangesTheLimitsAndClasses() {
        // Given
        LoopHealthPolicy strict = LoopHealthPolicy.custom().sameErrorLimit(2).noProgressLimit(5)
                .immediatePause(Set.of(FailureClass.ASKED_QUESTION)).defer(Set.of()).build();

        // Then
        LoopHealthEntry same = LoopHealth.update(LoopHealth.update(LoopHealthEntry.EMPTY, failure("E"), strict),
                failure("E"), strict);
        assertThat(same.pauseCategory()).isEqualTo("same_error");
        assertThat(LoopHealth.update(LoopHealthEntry.EMPTY, of(FailureClass.ASKED_QUESTION), strict).pauseCategory())
                .isEqualTo("asked_question");
        assertThat(LoopHealth.update(LoopHealthEntry.EMPTY, of(FailureClass.RATE_LIMITED), strict).pauseRecommended())
                .isFalse();
        assertThat(LoopHealth.update(LoopHealthEntry.EMPTY, of(FailureClass.PERMISSION_DENIAL), strict)
                .pauseRecommended()).isFalse();
    }

    @Test
    void aPolicyValidatesAndCopies() {
        assertThatThrownBy(() -> LoopHealthPolicy.custom().noProgressLimit(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("noProgressLimit must be at least 1, got 0");
        assertThatThrownBy(() -> LoopHealthPolicy.custom().sameErrorLimit(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("sameErrorLimit must be at least 1, got 0");
        assertThatThrownBy(() -> new LoopHealthPolicy(0, 1, Set.of(), Set.of()))
                .isInstanceOf(IllegalArgumentException.class);
        Set<FailureClass> classes = EnumSet.of(FailureClass.TOOL_MISSING);
        LoopHealthPolicy.Builder builder = LoopHealthPolicy.custom().immediatePause(classes);
        LoopHealthPolicy policy = builder.build();
        classes.add(FailureClass.AUTH_MISSING);
        builder.immediatePause(Set.of());
        assertThat(policy.immediatePause()).containsExactly(FailureClass.TOOL_MISSING);
    }

    @Test
    void resolvingAnEntryResetsItsCountsAndKeepsItsHistory() {
        LoopHealthEntry paused = fold(failure("E"), failure("E"), failure("E"));

        LoopHealthEntry resolved = paused.resolved();

        assertThat(resolved.pauseRecommended()).isFalse();
        assertThat(resolved.noProgressCount()).isZero();
        assertThat(resolved.sameErrorCount()).isZero();
        assertThat(resolved.pauseCategory()).isNull();
        assertThat(resolved.history()).isEqualTo(paused.history());
        assertThat(resolved.lastErrorSignature()).isEqualTo(paused.lastErrorSignature());
        Map<String, Object> copy = new LinkedHashMap<>(resolved.history().get(0));
        assertThat(copy).containsKey("failure_class");
    }
}
