package dev.agentpipeline.core.definition;

import org.apiguardian.api.API;

import java.util.List;
import java.util.Objects;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * An evidence collector a state runs after each completed attempt: its id and, optionally, the report files it
 * reads. Written in YAML as {@code collect: [junit, {id: jacoco, reports: ["build/jacoco/*.xml"]}]}. Immutable.
 *
 * @param id the collector's id ({@code junit}); see {@code dev.agentpipeline.spi.evidence.EvidenceCollector}
 * @param reports glob patterns of the report files, relative to the stage's workspace; empty for the collector's
 *     defaults
 * @param location where it was defined
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public record CollectorDefinition(String id, List<String> reports, SourceLocation location) {

    /** Validates and copies. */
    public CollectorDefinition {
        Objects.requireNonNull(id, "id");
        reports = List.copyOf(reports);
        Objects.requireNonNull(location, "location");
    }

    /**
     * @param id the collector's id
     * @return the collector with its default reports
     */
    public static CollectorDefinition of(String id) {
        return new CollectorDefinition(id, List.of(), SourceLocation.BUILDER);
    }

    /**
     * @param id the collector's id
     * @param reports glob patterns of its report files, relative to the workspace
     * @return the collector reading those reports
     */
    public static CollectorDefinition of(String id, String... reports) {
        return new CollectorDefinition(id, List.of(reports), SourceLocation.BUILDER);
    }
}
