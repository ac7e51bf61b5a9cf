package dev.agentpipeline.spi.evidence;

import dev.agentpipeline.spi.JsonValues;

import org.apiguardian.api.API;

import java.util.List;
import java.util.Map;
import java.util.Objects;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * What an {@link EvidenceCollector} found: JSON-compatible values (recorded under the collector's
 * {@linkplain EvidenceCollector#key() key}) and warnings about reports that were missing or could not be read.
 * Immutable.
 *
 * <pre>{@code
 * EvidenceResult.of(Map.of("line", 82.95, "line_covered", 326, "line_missed", 67), List.of("target/site/jacoco/jacoco.xml"));
 * EvidenceResult.none("no JaCoCo report matched target/site/jacoco/jacoco.xml; run the tests with the JaCoCo agent and its report goal");
 * }</pre>
 *
 * @param values the evidence, keyed by the collector's declared fields; empty when nothing was found
 * @param reports the report files that were read, relative to the workspace
 * @param warnings what went wrong: a report missing, malformed or unreadable; never a reason to fail the run
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public record EvidenceResult(Map<String, Object> values, List<String> reports, List<String> warnings) {

    /** Validates and copies (deeply: the values must be JSON-compatible). */
    public EvidenceResult {
        values = JsonValues.copyOfMap(Objects.requireNonNull(values, "values"));
        reports = List.copyOf(reports);
        warnings = List.copyOf(warnings);
    }

    /**
     * @param values what was found
     * @param reports the files read
     * @return a result without warnings
     */
    public static EvidenceResult of(Map<String, ?> values, List<String> reports) {
        return new EvidenceResult(JsonValues.copyOfMap(values), reports, List.of());
    }

    /**
     * @param warning why nothing was found
     * @return a result without values
     */
    public static EvidenceResult none(String warning) {
        return new EvidenceResult(Map.of(), List.of(), List.of(warning));
    }

    /** @return whether the collector found anything */
    public boolean found() {
        return !values.isEmpty();
    }
}
