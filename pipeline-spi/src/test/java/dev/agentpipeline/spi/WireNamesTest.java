package dev.agentpipeline.spi;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WireNamesTest {

    @Test
    void failureClassesHaveTheLoopHealthContractsWireNames() {
        assertThat(Arrays.stream(FailureClass.values()).map(FailureClass::wireName))
                .containsExactly("none", "timeout_idle", "timeout_productive", "permission_denial", "tool_missing",
                        "auth_missing", "rate_limited", "asked_question", "agent_error", "unknown");
    }

    @ParameterizedTest
    @EnumSource(FailureClass.class)
    void failureClassesParseFromTheirWireNamesIgnoringCaseAndSpace(FailureClass failureClass) {
        assertThat(FailureClass.fromWireName(failureClass.wireName())).isEqualTo(failureClass);
        assertThat(FailureClass.fromWireName(" " + failureClass.wireName().toUpperCase() + " ")).isEqualTo(failureClass);
    }

    @Test
    void anUnknownFailureClassListsTheKnownOnes() {
        assertThatThrownBy(() -> FailureClass.fromWireName("oops"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Unknown failure class 'oops': use one of none, timeout_idle, timeout_productive,"
                        + " permission_denial, tool_missing, auth_missing, rate_limited, asked_question, agent_error,"
                        + " unknown");
        assertThatThrownBy(() -> FailureClass.fromWireName(null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void transientAndBlockingClassesAreThoseOfTheLoopHealthContract() {
        Set<FailureClass> transients = EnumSet.allOf(FailureClass.class).stream().filter(FailureClass::isTransient)
                .collect(Collectors.toSet());
        Set<FailureClass> blockers = EnumSet.allOf(FailureClass.class).stream().filter(FailureClass::isBlocker)
                .collect(Collectors.toSet());

        assertThat(transients).containsExactlyInAnyOrder(FailureClass.TIMEOUT_IDLE, FailureClass.TIMEOUT_PRODUCTIVE,
                FailureClass.RATE_LIMITED);
        assertThat(blockers).containsExactlyInAnyOrder(FailureClass.PERMISSION_DENIAL, FailureClass.TOOL_MISSING,
                FailureClass.AUTH_MISSING);
    }

    @Test
    void outcomeStatusesUseTheSummaryWireNames() {
        assertThat(OutcomeStatus.COMPLETED.wireName()).isEqualTo("completed");
        assertThat(OutcomeStatus.SKIPPED.wireName()).isEqualTo("skipped");
        assertThat(OutcomeStatus.FAILED.wireName()).isEqualTo("error");
        assertThat(OutcomeStatus.fromWireName("error")).isEqualTo(OutcomeStatus.FAILED);
        assertThat(OutcomeStatus.fromWireName("FAILED")).isEqualTo(OutcomeStatus.FAILED);
        assertThat(OutcomeStatus.fromWireName(" Completed ")).isEqualTo(OutcomeStatus.COMPLETED);
        assertThatThrownBy(() -> OutcomeStatus.fromWireName("done"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Unknown outcome status 'done': use one of completed, skipped, error");
    }

    @ParameterizedTest
    @EnumSource(ProgressSignal.class)
    void progressSignalsParseFromTheirWireNames(ProgressSignal signal) {
        assertThat(ProgressSignal.fromWireName(signal.wireName())).isEqualTo(signal);
    }

    @Test
    void anUnknownProgressSignalIsRejected() {
        assertThat(ProgressSignal.FILES_CHANGED_DELTA.wireName()).isEqualTo("files_changed_delta");
        assertThatThrownBy(() -> ProgressSignal.fromWireName("vibes"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Unknown progress signal 'vibes'");
    }
}
