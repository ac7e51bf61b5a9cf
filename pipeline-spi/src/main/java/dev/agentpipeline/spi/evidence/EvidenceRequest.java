package dev.agentpipeline.spi.evidence;

import org.apiguardian.api.API;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * What an {@link EvidenceCollector} is asked to look at: the stage's workspace and, when the definition names them,
 * the report files to read. Immutable.
 *
 * @param workspace the directory the stage worked in, never null
 * @param reports glob patterns ({@link java.nio.file.FileSystem#getPathMatcher} syntax, {@code /} as separator)
 *     of report files relative to the workspace; empty for the collector's defaults. The runtime has checked that
 *     they are relative and never climb out of the workspace ({@code ..})
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public record EvidenceRequest(Path workspace, List<String> reports) {

    /** Validates and copies. */
    public EvidenceRequest {
        Objects.requireNonNull(workspace, "workspace");
        reports = List.copyOf(reports);
    }

    /**
     * @param workspace the directory the stage worked in
     * @return a request for the collector's default reports
     */
    public static EvidenceRequest of(Path workspace) {
        return new EvidenceRequest(workspace, List.of());
    }

    /**
     * @param defaults the collector's own patterns
     * @return the configured patterns, or the defaults when none are configured
     */
    public List<String> reportsOr(List<String> defaults) {
        return reports.isEmpty() ? List.copyOf(defaults) : reports;
    }
}
