package dev.agentpipeline.spi.evidence;

import org.apiguardian.api.API;

import java.util.Map;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * A plugin that reads what a stage left in its workspace - test reports, coverage reports - and returns it as
 * evidence for guards. Found with {@link java.util.ServiceLoader} by {@link EvidenceCollectorRegistry}; named by
 * its {@link #id()} in a definition's {@code collect: [junit, jacoco]}.
 *
 * <p>The runtime records the result under {@link #key()} in the checkpoint of the state it collected for, where a
 * guard reads it as {@code evidence.STATE.KEY.FIELD}: {@code evidence.STAGE_3.coverage.line: {gte: 80}}. The
 * fields a collector returns are declared by {@link #fields()}, so conditions on them are type-checked when the
 * definition loads.
 *
 * <p>A collector must not fail the run: reports that are missing, malformed or unreadable become
 * {@linkplain EvidenceResult#warnings() warnings} and leave their values absent (a guard that requires them then
 * rejects with its own error and recovery). It reads files only below the request's workspace, parses XML without
 * resolving external entities, and must be thread-safe and stateless.
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public interface EvidenceCollector {

    /**
     * @return the id a definition names it by: 1 to 64 characters of {@code [a-z0-9-]} starting with a letter,
     *     constant ({@code junit})
     */
    String id();

    /**
     * @return the key its evidence is recorded under: 1 to 64 characters of {@code [a-z0-9_]} starting with a
     *     letter, constant ({@code tests}); two collectors of one state cannot share a key
     */
    String key();

    /**
     * @return the fields its evidence may hold, with their types, constant and never null
     *     ({@code line -> NUMBER}); {@code reports} and {@code warnings} are added by the runtime
     */
    Map<String, EvidenceType> fields();

    /** @return one line on what it reads, never null */
    default String description() {
        return "";
    }

    /**
     * Reads the reports of a workspace.
     *
     * @param request the workspace and the report patterns
     * @return what was found, never null; missing or malformed reports are warnings, not exceptions
     */
    EvidenceResult collect(EvidenceRequest request);
}
