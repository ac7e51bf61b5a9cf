package dev.agentpipeline.spi.evidence;

import org.apiguardian.api.API;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * The JSON type of a field an {@link EvidenceCollector} declares, so that a definition's conditions on it are
 * checked when the definition loads ({@code gte} needs a {@link #NUMBER}).
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public enum EvidenceType {
    /** A JSON number. */
    NUMBER,
    /** A JSON string. */
    TEXT,
    /** {@code true} or {@code false}. */
    BOOLEAN,
    /** A JSON array. */
    LIST,
    /** A JSON object. */
    OBJECT
}
