package dev.agentpipeline.stages.evidence;

import dev.agentpipeline.spi.evidence.EvidenceCollector;
import dev.agentpipeline.spi.evidence.EvidenceRequest;
import dev.agentpipeline.spi.evidence.EvidenceResult;
import dev.agentpipeline.spi.evidence.EvidenceType;

import org.xml.sax.Attributes;
import org.xml.sax.SAXException;
import org.xml.sax.helpers.DefaultHandler;

import org.apiguardian.api.API;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * Reads JaCoCo XML coverage reports into coverage percentages: {@code coverage.line}, {@code branch} and
 * {@code instruction} (0 to 100, two decimals) with their {@code _covered} and {@code _missed} counts, from the
 * report-level counters. Id {@code jacoco}, key {@code coverage}.
 *
 * <p>Default reports: {@code target/site/jacoco/jacoco.xml} in the workspace and any module below it, and Gradle's
 * {@code build/reports/jacoco/test/jacocoTestReport.xml}. Several reports (one per module) are added up, counter by
 * counter. A percentage whose counter has nothing to cover (no branches) is left out. The report's DOCTYPE is read
 * without loading its DTD; external entities are never resolved. Thread-safe and stateless.
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class JacocoReportCollector implements EvidenceCollector {

    static final List<String> DEFAULT_REPORTS = List.of(
            "{target,**/target}/site/jacoco/jacoco.xml",
            "{build,**/build}/reports/jacoco/test/jacocoTestReport.xml");

    /** The report-level counters read, in the order their fields are written. */
    private static final List<String> COUNTERS = List.of("LINE", "BRANCH", "INSTRUCTION");

    private static final Map<String, EvidenceType> FIELDS = declaredFields();

    private static Map<String, EvidenceType> declaredFields() {
        Map<String, EvidenceType> fields = new LinkedHashMap<>();
        for (String counter : COUNTERS) {
            String name = counter.toLowerCase(Locale.ROOT);
            fields.put(name, EvidenceType.NUMBER);
            fields.put(name + "_covered", EvidenceType.NUMBER);
            fields.put(name + "_missed", EvidenceType.NUMBER);
        }
        return Collections.unmodifiableMap(fields);
    }

    @Override
    public String id() {
        return "jacoco";
    }

    @Override
    public String key() {
        return "coverage";
    }

    @Override
    public Map<String, EvidenceType> fields() {
        return FIELDS;
    }

    @Override
    public String description() {
        return "JaCoCo XML coverage reports: line, branch and instruction coverage";
    }

    @Override
    public EvidenceResult collect(EvidenceRequest request) {
        List<String> globs = request.reportsOr(DEFAULT_REPORTS);
        List<String> warnings = new ArrayList<>();
        List<String> files = ReportFiles.find(request.workspace(), globs, warnings);
        if (files.isEmpty()) {
            warnings.add("no JaCoCo XML report matched " + String.join(", ", globs) + " in " + request.workspace()
                    + "; run the tests with the JaCoCo agent and its report goal (jacoco:report), or name the"
                    + " reports with 'reports:'");
            return new EvidenceResult(Map.of(), List.of(), warnings);
        }
        long[][] total = new long[COUNTERS.size()][2];
        List<String> read = new ArrayList<>();
        for (String file : files) {
            long[][] counts = new long[COUNTERS.size()][2];
            Handler handler = new Handler(counts);
            String problem = SafeXml.parse(request.workspace().resolve(file), file, handler);
            if (problem == null && !handler.sawCounter) {
                problem = file + ": a JaCoCo report without report-level counters (an empty report?)";
            }
            if (problem != null) {
                warnings.add(problem + "; left out of the coverage");
                continue;
            }
            for (int i = 0; i < COUNTERS.size(); i++) {
                total[i][0] += counts[i][0];
                total[i][1] += counts[i][1];
            }
            read.add(file);
        }
        if (read.isEmpty()) {
            return new EvidenceResult(Map.of(), List.of(), warnings);
        }
        Map<String, Object> values = new LinkedHashMap<>();
        for (int i = 0; i < COUNTERS.size(); i++) {
            String name = COUNTERS.get(i).toLowerCase(Locale.ROOT);
            long covered = total[i][0];
            long missed = total[i][1];
            if (covered + missed > 0) {
                values.put(name, BigDecimal.valueOf(covered * 100).divide(BigDecimal.valueOf(covered + missed), 2,
                        RoundingMode.HALF_UP).doubleValue());
            }
            values.put(name + "_covered", covered);
            values.put(name + "_missed", missed);
        }
        return new EvidenceResult(values, read, warnings);
    }

    /** Reads the counters that are direct children of {@code <report>}: the whole report's totals. */
    private static final class Handler extends DefaultHandler {
        private final long[][] counts;
        private int depth;
        boolean sawCounter;

        Handler(long[][] counts) {
            this.counts = counts;
        }

        @Override
        public void startElement(String uri, String localName, String qName, Attributes attributes)
                throws SAXException {
            depth++;
            if (depth == 1 && !qName.equals("report")) {
                throw new SAXException("not a JaCoCo XML report (its root element is <" + qName + ">, not <report>)");
            }
            if (depth == 2 && qName.equals("counter")) {
                int index = COUNTERS.indexOf(attributes.getValue("type"));
                if (index >= 0) {
                    counts[index][0] = number(attributes, "covered");
                    counts[index][1] = number(attributes, "missed");
                    sawCounter = true;
                }
            }
        }

        private static long number(Attributes attributes, String name) throws SAXException {
            String value = attributes.getValue(name);
            try {
                long number = Long.parseLong(value == null ? "" : value.trim());
                if (number < 0) {
                    throw new NumberFormatException();
                }
                return number;
            } catch (NumberFormatException e) {
                throw new SAXException("counter " + attributes.getValue("type") + " has " + name + "=\"" + value
                        + "\", not a whole number 0 or more");
            }
        }

        @Override
        public void endElement(String uri, String localName, String qName) {
            depth--;
        }
    }
}
