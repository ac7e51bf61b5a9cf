package dev.agentpipeline.core.loop;

import dev.agentpipeline.core.testing.MutableClock;
import dev.agentpipeline.spi.FailureClass;
import dev.agentpipeline.spi.ProgressSignal;
import dev.agentpipeline.spi.StageOutcome;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Classifying loop-health payloads (of record-loop-health) and stage outcomes. */
class LoopSignalTest {

    private static final Instant NOW = MutableClock.START;

    @Test
    void combinesTheTextFieldsToClassifyAndSign() {
        LoopSignal signal = LoopSignal.fromPayload(Map.of("stdout", "running tests", "stderr",
                "npx: command not found"), NOW);

        assertThat(signal.failureClass()).isEqualTo(FailureClass.TOOL_MISSING);
        assertThat(signal.errorSignature()).isEqualTo("npx: command not found\nrunning tests".replace("\n", " "));
        assertThat(signal.evidenceKey()).isEqualTo(signal.errorSignature());
        assertThat(signal.progressDetected()).isFalse();
        assertThat(signal.recordedAt()).isEqualTo(NOW);
    }

    @Test
    void aDeclaredKnownFailureClassWinsOverTheText() {
        LoopSignal declared = LoopSignal.fromPayload(Map.of("failure_class", "timeout_idle", "error", "HTTP 429"), NOW);
        LoopSignal unknownDeclared = LoopSignal.fromPayload(Map.of("failure_class", "meltdown", "error", "HTTP 429"),
                NOW);

        assertThat(declared.failureClass()).isEqualTo(FailureClass.TIMEOUT_IDLE);
        assertThat(unknownDeclared.failureClass()).isEqualTo(FailureClass.RATE_LIMITED);
    }

    @Test
    void noTextAtAllIsNoFailureSignedByItsClass() {
        LoopSignal signal = LoopSignal.fromPayload(Map.of(), NOW);

        assertThat(signal.failureClass()).isEqualTo(FailureClass.NONE);
        assertThat(signal.errorSignature()).isEqualTo("none");
        assertThat(signal.evidenceKey()).isEqualTo("none");
        assertThat(signal.reason()).isNull();
    }

    @Test
    void anExplicitSignatureAndEvidenceKeyWin() {
        LoopSignal signal = LoopSignal.fromPayload(Map.of("error", "Expected 3 got 4", "error_signature",
                "ASSERT /tmp/a/b.txt", "evidence_key", "task-7", "reason", "flaky"), NOW);

        assertThat(signal.errorSignature()).isEqualTo("assert <path>");
        assertThat(signal.evidenceKey()).isEqualTo("task-7");
        assertThat(signal.reason()).isEqualTo("flaky");
    }

    @ParameterizedTest
    @ValueSource(strings = {"progress_detected", "artifact_delta", "checkpoint_delta", "status_delta",
            "files_changed_delta", "scenario_improved", "metric_improved", "new_evidence"})
    void anyProgressFieldIsProgress(String field) {
        assertThat(LoopSignal.fromPayload(Map.of("error", "E", field, true), NOW).progressDetected()).isTrue();
        assertThat(LoopSignal.fromPayload(Map.of("error", "E", field, false), NOW).progressDetected()).isFalse();
    }

    @Test
    void progressFieldsAreTruthyLikeInTheOlderRuntime() {
        assertThat(LoopSignal.fromPayload(Map.of("files_changed_delta", 3), NOW).progressDetected()).isTrue();
        assertThat(LoopSignal.fromPayload(Map.of("files_changed_delta", 0), NOW).progressDetected()).isFalse();
        assertThat(LoopSignal.fromPayload(Map.of("new_evidence", "summary.json"), NOW).progressDetected()).isTrue();
        assertThat(LoopSignal.fromPayload(Map.of("new_evidence", ""), NOW).progressDetected()).isFalse();
        assertThat(LoopSignal.fromPayload(Map.of("artifact_delta", List.of()), NOW).progressDetected()).isTrue();
    }

    @Test
    void progressSignalsCountAsProgressAndAreKept() {
        LoopSignal signal = LoopSignal.fromPayload(Map.of("error", "E", "progress_signals",
                Map.of("log_written", true)), NOW);

        assertThat(signal.progressDetected()).isTrue();
        assertThat(signal.logWritten()).isTrue();
        assertThat(signal.outputWritten()).isFalse();
        assertThat(signal.sessionCaptured()).isFalse();
    }

    @Test
    void structuredErrorTextIsReadAsJson() {
        LoopSignal signal = LoopSignal.fromPayload(Map.of("error", Map.of("message", "Permission denied")), NOW);

        assertThat(signal.failureClass()).isEqualTo(FailureClass.PERMISSION_DENIAL);
        assertThat(signal.errorSignature()).isEqualTo("{\"message\":\"permission denied\"}");
    }

    @Test
    void anOutcomeGivesItsClassMessageAndProgress() {
        LoopSignal failed = LoopSignal.fromOutcome(StageOutcome.failed(FailureClass.AGENT_ERROR,
                "3 tests failed in /tmp/x/y").progress(ProgressSignal.FILES_CHANGED_DELTA).build(), NOW);
        LoopSignal completed = LoopSignal.fromOutcome(StageOutcome.completed().build(), NOW);

        assertThat(failed.failureClass()).isEqualTo(FailureClass.AGENT_ERROR);
        assertThat(failed.errorSignature()).isEqualTo("<num> tests failed in <path>");
        assertThat(failed.progressDetected()).isTrue();
        assertThat(completed.failureClass()).isEqualTo(FailureClass.NONE);
        assertThat(completed.progressDetected()).isFalse();
    }

    @Test
    void serializesAsTheContractsHistoryEntry() {
        LoopSignal signal = LoopSignal.fromPayload(Map.of("error", "E", "reason", "r", "progress_signals",
                Map.of("output_written", true)), NOW);

        Map<String, Object> json = signal.toJson();

        assertThat(json).containsOnlyKeys("failure_class", "progress_detected", "error_signature", "evidence_key",
                "reason", "progress_signals", "recorded_at");
        assertThat(json).containsEntry("failure_class", "unknown").containsEntry("progress_detected", true)
                .containsEntry("error_signature", "e").containsEntry("reason", "r")
                .containsEntry("recorded_at", "2026-01-05T09:00:00.000Z")
                .containsEntry("progress_signals", Map.of("output_written", true, "log_written", false,
                        "session_captured", false));
    }
}
