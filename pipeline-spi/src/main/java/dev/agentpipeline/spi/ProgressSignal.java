package dev.agentpipeline.spi;

import org.apiguardian.api.API;

import java.util.Locale;

import static org.apiguardian.api.API.Status.STABLE;

/**
 * Objective evidence that an attempt moved the work forward, even if it did not finish it.
 *
 * <p>The loop-health policy resets its no-progress and same-error counts when an attempt reports any of
 * these. Repeating the same prose, or failing the same assertion again, is not progress and has no signal.
 *
 * @since 0.1
 */
@API(status = STABLE, since = "0.1")
public enum ProgressSignal {
    /** A new stage summary or artifact was produced. */
    NEW_EVIDENCE("new_evidence"),
    /** A new intra-stage checkpoint was saved. */
    CHECKPOINT_DELTA("checkpoint_delta"),
    /** The subject moved to the status the stage expects (for example "To Review"). */
    STATUS_DELTA("status_delta"),
    /** An artifact the stage owns changed. */
    ARTIFACT_DELTA("artifact_delta"),
    /** Files in the workspace changed. */
    FILES_CHANGED_DELTA("files_changed_delta"),
    /** A tracked metric (tests passing, coverage...) improved. */
    METRIC_IMPROVED("metric_improved");

    private final String wireName;

    ProgressSignal(String wireName) {
        this.wireName = wireName;
    }

    /**
     * The name used in loop-health payloads ({@code "files_changed_delta"}...).
     *
     * @return the wire name, never null
     */
    public String wireName() {
        return wireName;
    }

    /**
     * Parses a wire name, ignoring case.
     *
     * @param name the name
     * @return the signal
     * @throws IllegalArgumentException if unknown
     */
    public static ProgressSignal fromWireName(String name) {
        if (name != null) {
            String lower = name.trim().toLowerCase(Locale.ROOT);
            for (ProgressSignal signal : values()) {
                if (signal.wireName.equals(lower)) {
                    return signal;
                }
            }
        }
        throw new IllegalArgumentException("Unknown progress signal '" + name + "'");
    }
}
