package dev.agentpipeline.stages.evidence;

import dev.agentpipeline.spi.evidence.EvidenceCollector;
import dev.agentpipeline.spi.evidence.EvidenceRequest;
import dev.agentpipeline.spi.evidence.EvidenceResult;
import dev.agentpipeline.spi.evidence.EvidenceType;

import org.xml.sax.Attributes;
import org.xml.sax.SAXException;
import org.xml.sax.helpers.DefaultHandler;

import org.apiguardian.api.API;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * Reads JUnit XML test reports - Maven Surefire's and Failsafe's {@code TEST-*.xml}, Gradle's - into test counts:
 * {@code tests.run}, {@code passed}, {@code failed} (failures and errors), {@code failures}, {@code errors},
 * {@code skipped} and the names of the first {@value #MAX_FAILING} failing tests ({@code failing}). Id
 * {@code junit}, key {@code tests}.
 *
 * <p>Default reports: {@code target/surefire-reports/TEST-*.xml} and {@code target/failsafe-reports/TEST-*.xml}, in
 * the workspace and any module below it, and Gradle's {@code build/test-results/**}{@code /TEST-*.xml}. Counts come
 * from the {@code testcase} elements (a test that failed is counted once, whatever reruns it had). A report that is
 * not well-formed, or not a JUnit report, is a warning and is left out. Thread-safe and stateless.
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class JUnitReportCollector implements EvidenceCollector {

    /** How many failing tests are named. */
    public static final int MAX_FAILING = 20;

    static final List<String> DEFAULT_REPORTS = List.of(
            "{target,**/target}/{surefire,failsafe}-reports/TEST-*.xml",
            "{build,**/build}/test-results/**/TEST-*.xml");

    private static final Map<String, EvidenceType> FIELDS = declaredFields();

    private static Map<String, EvidenceType> declaredFields() {
        Map<String, EvidenceType> fields = new LinkedHashMap<>();
        for (String count : List.of("run", "passed", "failed", "failures", "errors", "skipped")) {
            fields.put(count, EvidenceType.NUMBER);
        }
        fields.put("failing", EvidenceType.LIST);
        return java.util.Collections.unmodifiableMap(fields);
    }

    @Override
    public String id() {
        return "junit";
    }

    @Override
    public String key() {
        return "tests";
    }

    @Override
    public Map<String, EvidenceType> fields() {
        return FIELDS;
    }

    @Override
    public String description() {
        return "JUnit XML test reports (Surefire, Failsafe, Gradle): tests run, failed, skipped";
    }

    @Override
    public EvidenceResult collect(EvidenceRequest request) {
        List<String> globs = request.reportsOr(DEFAULT_REPORTS);
        List<String> warnings = new ArrayList<>();
        List<String> files = ReportFiles.find(request.workspace(), globs, warnings);
        if (files.isEmpty()) {
            warnings.add("no JUnit XML report matched " + String.join(", ", globs) + " in " + request.workspace()
                    + "; run the tests (mvn verify) in the stage, or name the reports with 'reports:'");
            return new EvidenceResult(Map.of(), List.of(), warnings);
        }
        Counts total = new Counts();
        List<String> read = new ArrayList<>();
        for (String file : files) {
            Counts counts = new Counts();
            String problem = SafeXml.parse(request.workspace().resolve(file), file, new Handler(counts, file));
            if (problem != null) {
                warnings.add(problem + "; left out of the test counts");
            } else {
                total.add(counts);
                read.add(file);
            }
        }
        if (read.isEmpty()) {
            return new EvidenceResult(Map.of(), List.of(), warnings);
        }
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("run", total.run);
        values.put("passed", total.run - total.failures - total.errors - total.skipped);
        values.put("failed", total.failures + total.errors);
        values.put("failures", total.failures);
        values.put("errors", total.errors);
        values.put("skipped", total.skipped);
        values.put("failing", total.failing);
        return new EvidenceResult(values, read, warnings);
    }

    /** The counts of one or more reports. */
    private static final class Counts {
        int run;
        int failures;
        int errors;
        int skipped;
        final List<String> failing = new ArrayList<>();

        void add(Counts other) {
            run += other.run;
            failures += other.failures;
            errors += other.errors;
            skipped += other.skipped;
            for (String name : other.failing) {
                if (failing.size() < MAX_FAILING) {
                    failing.add(name);
                }
            }
        }
    }

    /** Counts the test cases of one report. */
    private static final class Handler extends DefaultHandler {
        private final Counts counts;
        private final String file;
        private int depth;
        private String testName;
        private String outcome;

        Handler(Counts counts, String file) {
            this.counts = counts;
            this.file = file;
        }

        @Override
        public void startElement(String uri, String localName, String qName, Attributes attributes)
                throws SAXException {
            depth++;
            if (depth == 1 && !qName.equals("testsuite") && !qName.equals("testsuites")) {
                throw new SAXException("not a JUnit XML report (its root element is <" + qName
                        + ">, not <testsuite> or <testsuites>)");
            }
            switch (qName) {
                case "testcase" -> {
                    String classname = attributes.getValue("classname");
                    String name = attributes.getValue("name");
                    testName = (classname == null || classname.isEmpty() ? "" : classname + ".")
                            + (name == null ? "?" : name);
                    outcome = null;
                }
                case "failure", "error", "skipped" -> {
                    if (testName != null && outcome == null) {
                        outcome = qName;
                    }
                }
                default -> {
                    // properties, system-out, rerunFailure, flakyFailure...: not counted
                }
            }
        }

        @Override
        public void endElement(String uri, String localName, String qName) {
            depth--;
            if (qName.equals("testcase") && testName != null) {
                counts.run++;
                if ("failure".equals(outcome) || "error".equals(outcome)) {
                    if ("failure".equals(outcome)) {
                        counts.failures++;
                    } else {
                        counts.errors++;
                    }
                    if (counts.failing.size() < MAX_FAILING) {
                        counts.failing.add(testName);
                    }
                } else if ("skipped".equals(outcome)) {
                    counts.skipped++;
                }
                testName = null;
            }
        }

        @Override
        public String toString() {
            return "JUnit report " + file;
        }
    }
}
