package dev.agentpipeline.stages.evidence;

import dev.agentpipeline.spi.evidence.EvidenceCollectorRegistry;
import dev.agentpipeline.spi.evidence.EvidenceRequest;
import dev.agentpipeline.spi.evidence.EvidenceResult;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code junit} and {@code jacoco} collectors on real reports of this repository's own build (copied from
 * {@code pipeline-spi/target}), on hand-made failing, skipped and malformed ones, and against XML attacks.
 */
class EvidenceCollectorsTest {

    private static final String REAL = "/dev/agentpipeline/stages/evidence/real/";

    @TempDir
    Path workspace;

    private void copy(String resource, String to) throws IOException {
        try (InputStream in = EvidenceCollectorsTest.class.getResourceAsStream(resource)) {
            assertThat(in).as(resource).isNotNull();
            Path target = workspace.resolve(to);
            Files.createDirectories(target.getParent());
            Files.copy(in, target);
        }
    }

    private void write(String to, String text) throws IOException {
        Path target = workspace.resolve(to);
        Files.createDirectories(target.getParent());
        Files.writeString(target, text, StandardCharsets.UTF_8);
    }

    @Test
    void bothAreFoundWithServiceLoader() {
        EvidenceCollectorRegistry registry = EvidenceCollectorRegistry.load(getClass().getClassLoader());

        assertThat(registry.ids()).containsExactly("jacoco", "junit");
        assertThat(registry.require("junit").key()).isEqualTo("tests");
        assertThat(registry.require("jacoco").key()).isEqualTo("coverage");
    }

    @Nested
    class JUnitReports {

        private final JUnitReportCollector junit = new JUnitReportCollector();

        @Test
        void countsTheRealSurefireReportsOfThisBuild() throws IOException {
            // Given two real Surefire reports of pipeline-spi (37 + 10 passing tests)
            copy(REAL + "surefire-reports/TEST-dev.agentpipeline.spi.StageRegistryTest.xml",
                    "target/surefire-reports/TEST-dev.agentpipeline.spi.StageRegistryTest.xml");
            copy(REAL + "surefire-reports/TEST-dev.agentpipeline.spi.JsonValuesTest.xml",
                    "module-a/target/surefire-reports/TEST-dev.agentpipeline.spi.JsonValuesTest.xml");

            // When
            EvidenceResult result = junit.collect(EvidenceRequest.of(workspace));

            // Then
            assertThat(result.values()).containsEntry("run", 47).containsEntry("passed", 47)
                    .containsEntry("failed", 0).containsEntry("skipped", 0).containsEntry("failing", List.of());
            assertThat(result.reports()).containsExactly(
                    "module-a/target/surefire-reports/TEST-dev.agentpipeline.spi.JsonValuesTest.xml",
                    "target/surefire-reports/TEST-dev.agentpipeline.spi.StageRegistryTest.xml");
            assertThat(result.warnings()).isEmpty();
        }

        @Test
        void countsFailuresErrorsAndSkippedAndNamesTheFailingTests() throws IOException {
            write("target/failsafe-reports/TEST-acme.CheckoutIT.xml", """
                    <?xml version="1.0" encoding="UTF-8"?>
                    <testsuite name="acme.CheckoutIT" tests="5" failures="1" errors="1" skipped="1">
                      <testcase name="paysByCard" classname="acme.CheckoutIT" time="0.2"/>
                      <testcase name="refunds" classname="acme.CheckoutIT" time="0.1">
                        <failure message="expected 10 but was 9" type="org.opentest4j.AssertionFailedError">trace</failure>
                        <rerunFailure message="expected 10 but was 9"/>
                      </testcase>
                      <testcase name="sendsReceipt" classname="acme.CheckoutIT">
                        <error message="connection refused" type="java.net.ConnectException"/>
                      </testcase>
                      <testcase name="paysByInvoice" classname="acme.CheckoutIT"><skipped message="later"/></testcase>
                      <testcase name="flaky" classname="acme.CheckoutIT"><flakyFailure message="once"/></testcase>
                    </testsuite>
                    """);

            EvidenceResult result = junit.collect(EvidenceRequest.of(workspace));

            assertThat(result.values()).containsEntry("run", 5).containsEntry("passed", 2).containsEntry("failed", 2)
                    .containsEntry("failures", 1).containsEntry("errors", 1).containsEntry("skipped", 1)
                    .containsEntry("failing", List.of("acme.CheckoutIT.refunds", "acme.CheckoutIT.sendsReceipt"));
        }

        @Test
        @SuppressWarnings("unchecked")
    void readsGradleReportsWrappedInTestsuitesAndCapsTheFailingNames() throws IOException {
            StringBuilder xml = new StringBuilder("<testsuites><testsuite name=\"a.B\">");
            for (int i = 0; i < 25; i++) {
                xml.append("<testcase classname=\"a.B\" name=\"t").append(i).append("\"><failure/></testcase>");
            }
            xml.append("</testsuite></testsuites>");
            write("build/test-results/test/TEST-a.B.xml", xml.toString());

            EvidenceResult result = junit.collect(EvidenceRequest.of(workspace));

            assertThat(result.values()).containsEntry("run", 25).containsEntry("failed", 25);
            assertThat((List<Object>) result.values().get("failing")).hasSize(JUnitReportCollector.MAX_FAILING)
                    .startsWith("a.B.t0");
        }

        @Test
        void leavesOutMalformedAndForeignReportsWithAWarningNamingTheFileAndLine() throws IOException {
            write("target/surefire-reports/TEST-good.xml", "<testsuite><testcase classname=\"g\" name=\"ok\"/></testsuite>");
            write("target/surefire-reports/TEST-torn.xml", "<testsuite>\n<testcase name=\"x\">\n</testsuite>");
            write("target/surefire-reports/TEST-pom.xml", "<project><modelVersion>4.0.0</modelVersion></project>");

            EvidenceResult result = junit.collect(EvidenceRequest.of(workspace));

            assertThat(result.values()).containsEntry("run", 1).containsEntry("passed", 1);
            assertThat(result.reports()).containsExactly("target/surefire-reports/TEST-good.xml");
            assertThat(result.warnings()).hasSize(2);
            assertThat(result.warnings().get(0)).startsWith("target/surefire-reports/TEST-pom.xml: not a JUnit XML report")
                    .endsWith("left out of the test counts");
            assertThat(result.warnings().get(1)).startsWith("target/surefire-reports/TEST-torn.xml:3: not well-formed XML");
        }

        @Test
        void findsNothingWithAWarningThatSaysWhereItLookedAndWhatToDo() {
            EvidenceResult result = junit.collect(EvidenceRequest.of(workspace));

            assertThat(result.found()).isFalse();
            assertThat(result.warnings()).singleElement().asString()
                    .contains("no JUnit XML report matched {target,**/target}/{surefire,failsafe}-reports/TEST-*.xml")
                    .contains("run the tests");
        }

        @Test
        void readsOnlyTheConfiguredReportsWhenPatternsAreGiven() throws IOException {
            write("target/surefire-reports/TEST-a.xml", "<testsuite><testcase name=\"a\"/></testsuite>");
            write("reports/junit/all.xml", "<testsuite><testcase name=\"b\"><skipped/></testcase></testsuite>");

            EvidenceResult result = junit.collect(new EvidenceRequest(workspace, List.of("reports/**/*.xml")));

            assertThat(result.values()).containsEntry("run", 1).containsEntry("skipped", 1);
            assertThat(result.reports()).containsExactly("reports/junit/all.xml");
        }

        @Test
        void neverResolvesAnExternalEntity() throws IOException {
            // Given a file outside the workspace whose content, if it were included, would add a failing test
            Path outside = Files.writeString(workspace.resolveSibling(workspace.getFileName() + "-outside.xml"),
                    "<testcase classname=\"evil\" name=\"injected\"><failure/></testcase>");
            try {
                write("target/surefire-reports/TEST-evil.xml", "<?xml version=\"1.0\"?>\n"
                        + "<!DOCTYPE testsuite [<!ENTITY xxe SYSTEM \"" + outside.toUri() + "\">]>\n"
                        + "<testsuite>&xxe;<testcase classname=\"good\" name=\"passes\"/></testsuite>");

                // When
                EvidenceResult result = junit.collect(EvidenceRequest.of(workspace));

                // Then the entity is skipped: one passing test, nothing injected
                assertThat(result.values()).as(result.warnings().toString()).containsEntry("run", 1)
                        .containsEntry("failed", 0);
                assertThat(result.warnings()).isEmpty();
            } finally {
                Files.delete(outside);
            }
        }

        @Test
        void survivesAnEntityExpansionBomb() throws IOException {
            StringBuilder xml = new StringBuilder("<?xml version=\"1.0\"?>\n<!DOCTYPE testsuite [<!ENTITY a0 \"lol\">");
            for (int i = 1; i < 12; i++) {
                xml.append("<!ENTITY a").append(i).append(" \"").append(("&a" + (i - 1) + ";").repeat(10)).append("\">");
            }
            xml.append("]>\n<testsuite><testcase name=\"&a11;\"/></testsuite>");
            write("target/surefire-reports/TEST-bomb.xml", xml.toString());

            EvidenceResult result = junit.collect(EvidenceRequest.of(workspace));

            assertThat(result.found()).isFalse();
            assertThat(result.warnings()).singleElement().asString().startsWith("target/surefire-reports/TEST-bomb.xml");
        }
    }

    @Nested
    class JacocoReports {

        private final JacocoReportCollector jacoco = new JacocoReportCollector();

        @Test
        void readsTheReportLevelCountersOfTheRealReportOfThisBuild() throws IOException {
            // Given pipeline-spi's real report: LINE missed 67 covered 326, BRANCH 27/145, INSTRUCTION 325/1700
            copy(REAL + "site/jacoco/jacoco.xml", "target/site/jacoco/jacoco.xml");

            EvidenceResult result = jacoco.collect(EvidenceRequest.of(workspace));

            assertThat(result.values()).containsEntry("line", 82.95).containsEntry("line_covered", 326L)
                    .containsEntry("line_missed", 67L).containsEntry("branch", 84.30)
                    .containsEntry("branch_covered", 145L).containsEntry("branch_missed", 27L)
                    .containsEntry("instruction", 83.95);
            assertThat(result.reports()).containsExactly("target/site/jacoco/jacoco.xml");
            assertThat(result.warnings()).isEmpty();
        }

        @Test
        void addsUpTheReportsOfSeveralModules() throws IOException {
            copy(REAL + "site/jacoco/jacoco.xml", "a/target/site/jacoco/jacoco.xml");
            write("b/target/site/jacoco/jacoco.xml", report(107, 0, 0, 0));

            EvidenceResult result = jacoco.collect(EvidenceRequest.of(workspace));

            // 326 covered of 500 lines
            assertThat(result.values()).containsEntry("line", 65.2).containsEntry("line_missed", 174L);
            assertThat(result.reports()).hasSize(2);
        }

        @Test
        void leavesOutThePercentageOfACounterWithNothingToCover() throws IOException {
            write("target/site/jacoco/jacoco.xml", report(1, 9, 0, 0));

            EvidenceResult result = jacoco.collect(EvidenceRequest.of(workspace));

            assertThat(result.values()).containsEntry("line", 90.0).doesNotContainKey("branch")
                    .containsEntry("branch_covered", 0L);
        }

        @Test
        void warnsAboutBrokenReportsAndFindsNothingInThem() throws IOException {
            write("target/site/jacoco/jacoco.xml", "<report name=\"x\"><counter type=\"LINE\" missed=\"-1\" covered=\"2\"/></report>");
            write("m/target/site/jacoco/jacoco.xml", "<report name=\"x\"><counter type=\"LINE\"");

            EvidenceResult result = jacoco.collect(EvidenceRequest.of(workspace));

            assertThat(result.found()).isFalse();
            assertThat(result.warnings()).hasSize(2);
            assertThat(result.warnings().get(0)).contains("m/target/site/jacoco/jacoco.xml:1: not well-formed XML");
            assertThat(result.warnings().get(1)).contains("counter LINE has missed=\"-1\", not a whole number 0 or more");
        }

        @Test
        void readsTheDoctypeWithoutFetchingTheDtdAndNeverResolvesAnExternalEntity() throws IOException {
            // Given a DTD that cannot be fetched (loading it would fail the parse) and an entity whose content, if
            // it were included, would replace the line counter
            Path outside = Files.writeString(workspace.resolveSibling(workspace.getFileName() + "-outside.xml"),
                    "<counter type=\"LINE\" missed=\"0\" covered=\"1000\"/>");
            try {
                write("target/site/jacoco/jacoco.xml", "<?xml version=\"1.0\"?>\n"
                        + "<!DOCTYPE report PUBLIC \"-//JACOCO//DTD Report 1.1//EN\" \"http://127.0.0.1:9/report.dtd\" ["
                        + "<!ENTITY xxe SYSTEM \"" + outside.toUri() + "\">]>\n"
                        + "<report name=\"x\"><counter type=\"LINE\" missed=\"1\" covered=\"3\"/>&xxe;</report>");

                EvidenceResult result = jacoco.collect(EvidenceRequest.of(workspace));

                assertThat(result.values()).as(result.warnings().toString()).containsEntry("line", 75.0)
                        .containsEntry("line_covered", 3L);
                assertThat(result.warnings()).isEmpty();
            } finally {
                Files.delete(outside);
            }
        }

        private String report(long lineMissed, long lineCovered, long branchMissed, long branchCovered) {
            return "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><!DOCTYPE report PUBLIC"
                    + " \"-//JACOCO//DTD Report 1.1//EN\" \"report.dtd\"><report name=\"b\">"
                    + "<package name=\"p\"><counter type=\"LINE\" missed=\"1000\" covered=\"0\"/></package>"
                    + "<counter type=\"INSTRUCTION\" missed=\"0\" covered=\"10\"/>"
                    + "<counter type=\"BRANCH\" missed=\"" + branchMissed + "\" covered=\"" + branchCovered + "\"/>"
                    + "<counter type=\"LINE\" missed=\"" + lineMissed + "\" covered=\"" + lineCovered + "\"/></report>";
        }
    }
}
