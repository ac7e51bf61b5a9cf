package dev.agentpipeline.core.loop;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Normalized error signatures, as the ln-1000 skill's loop-health contract defines them. */
class ErrorSignaturesTest {

    @Test
    void noTextGivesAnEmptySignature() {
        assertThat(ErrorSignatures.normalize(null)).isEmpty();
        assertThat(ErrorSignatures.normalize("")).isEmpty();
        assertThat(ErrorSignatures.normalize("   \n ")).isEmpty();
    }

    @Test
    void lowerCasesAndCollapsesWhiteSpace() {
        assertThat(ErrorSignatures.normalize("  Build   FAILED\r\n\tsee   log  ")).isEqualTo("build failed see log");
    }

    @Test
    void replacesUnixAndWindowsPaths() {
        assertThat(ErrorSignatures.normalize("Cannot read /home/dev/project/src/App.java (missing)"))
                .isEqualTo("cannot read <path> (missing)");
        assertThat(ErrorSignatures.normalize("Cannot read C:\\Users\\dev\\App.java"))
                .isEqualTo("cannot read <path>");
        assertThat(ErrorSignatures.normalize("Cannot read D:/work/App.java")).isEqualTo("cannot read <path>");
    }

    @Test
    void keepsASingleSegmentThatIsNotAPath() {
        assertThat(ErrorSignatures.normalize("and/or")).isEqualTo("and/or");
        assertThat(ErrorSignatures.normalize("cd /tmp")).isEqualTo("cd /tmp");
    }

    @Test
    void replacesUuidsTimestampsAndNumbers() {
        assertThat(ErrorSignatures.normalize("Session 3F2504E0-4F89-11D3-9A0C-0305E82C3301 expired"))
                .isEqualTo("session <uuid> expired");
        assertThat(ErrorSignatures.normalize("Timed out at 2026-01-05T09:00:00.123Z"))
                .isEqualTo("timed out at <timestamp>");
        assertThat(ErrorSignatures.normalize("Expected 3 tests, 12 failed after 45s"))
                .isEqualTo("expected <num> tests, <num> failed after 45s");
    }

    @Test
    void keepsDigitsInsideWordsAsTheOlderRuntimeDoes() {
        // The loop-health contract replaces whole numbers (\b\d+\b); ids such as US001 stay recognizable.
        assertThat(ErrorSignatures.normalize("Story US001 failed on line 42")).isEqualTo("story us001 failed on line <num>");
    }

    @Test
    void theSameFailureWithOtherPathsIdsTimesAndNumbersHasTheSameSignature() {
        String first = ErrorSignatures.normalize("AssertionError at /tmp/run-1/src/LoginTest.java:42 (run "
                + "123e4567-e89b-12d3-a456-426614174000, 2026-01-05T09:00:00Z): expected 200 but was 500");
        String second = ErrorSignatures.normalize("AssertionError at /var/ci/build/src/LoginTest.java:57 (run "
                + "00000000-0000-0000-0000-000000000001, 2026-01-06T17:30:12.5Z): expected 200 but was 502");

        assertThat(first).isEqualTo(second)
                .isEqualTo("assertionerror at <path> (run <uuid>, <timestamp>): expected <num> but was <num>");
    }

    @Test
    void cutsSignaturesAt240Characters() {
        String signature = ErrorSignatures.normalize("x".repeat(1000));

        assertThat(signature).hasSize(ErrorSignatures.MAX_LENGTH).hasSize(240);
        assertThat(ErrorSignatures.normalize("y".repeat(240))).hasSize(240);
        assertThat(ErrorSignatures.normalize("y".repeat(239))).hasSize(239);
    }
}
