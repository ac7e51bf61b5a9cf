package dev.agentpipeline.spi;

import org.apiguardian.api.API;

import java.util.Locale;

import static org.apiguardian.api.API.Status.STABLE;

/**
 * How an attempt of a stage ended.
 *
 * <p>The wire names ({@link #wireName()}) are those of the stage summaries the ln-1000 skill's stage skills write:
 * {@code completed}, {@code skipped} and {@code error}.
 *
 * @since 0.1
 */
@API(status = STABLE, since = "0.1")
public enum OutcomeStatus {
    /** The stage did its work; its verdict (which may still be a NO-GO or a FAIL) is meaningful. */
    COMPLETED("completed"),
    /** The stage decided there was nothing to do. */
    SKIPPED("skipped"),
    /** The stage could not do its work; {@link StageOutcome#failure()} says why. */
    FAILED("error");

    private final String wireName;

    OutcomeStatus(String wireName) {
        this.wireName = wireName;
    }

    /**
     * The name used in JSON files and on the command line.
     *
     * @return the wire name, never null
     */
    public String wireName() {
        return wireName;
    }

    /**
     * Parses a wire name ({@code completed}, {@code skipped}, {@code error}) or an enum constant name.
     *
     * @param name the name to parse
     * @return the status
     * @throws IllegalArgumentException if the name is none of the known ones
     */
    public static OutcomeStatus fromWireName(String name) {
        if (name != null) {
            String lower = name.trim().toLowerCase(Locale.ROOT);
            for (OutcomeStatus status : values()) {
                if (status.wireName.equals(lower) || status.name().toLowerCase(Locale.ROOT).equals(lower)) {
                    return status;
                }
            }
        }
        throw new IllegalArgumentException(
                "Unknown outcome status '" + name + "': use one of completed, skipped, error");
    }
}
