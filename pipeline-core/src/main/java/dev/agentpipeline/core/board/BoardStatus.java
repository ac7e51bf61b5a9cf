package dev.agentpipeline.core.board;

import org.apiguardian.api.API;

import java.util.Locale;
import java.util.Optional;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * A status section of the kanban board ({@code ### To Review}), in the ln-1000 skill's order of selection priority.
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public enum BoardStatus {
    /** {@code ### Backlog}: stage 0 (no tasks yet) or stage 1 (tasks exist). */
    BACKLOG("Backlog"),
    /** {@code ### Todo}: validated; stage 2. */
    TODO("Todo"),
    /** {@code ### In Progress}: being implemented; stage 2. */
    IN_PROGRESS("In Progress"),
    /** {@code ### To Review}: implemented; stage 3, the quality gate. */
    TO_REVIEW("To Review"),
    /** {@code ### To Rework}: failed the quality gate; stage 2 again. */
    TO_REWORK("To Rework"),
    /** {@code ### Done}: nothing to do. */
    DONE("Done"),
    /** {@code ### Postponed}: nothing to do. */
    POSTPONED("Postponed"),
    /** {@code ### Canceled}: nothing to do. */
    CANCELED("Canceled");

    private final String label;

    BoardStatus(String label) {
        this.label = label;
    }

    /** @return the section's name on the board and in stage summaries ({@code "To Review"}), never null */
    public String label() {
        return label;
    }

    /**
     * Whether a story in this status is finished or set aside: Done, Postponed, Canceled.
     *
     * @return true for a status no stage starts from
     */
    public boolean isClosed() {
        return this == DONE || this == POSTPONED || this == CANCELED;
    }

    /**
     * The status of a section name or a summary's {@code story_status}: case, surrounding spaces and a leading
     * emoji or other non-letters are ignored ({@code "to review"}, {@code "✅ Done"}); {@code "Cancelled"} is
     * Canceled.
     *
     * @param name a name
     * @return the status, or empty if the name is none of the eight
     */
    public static Optional<BoardStatus> of(String name) {
        if (name == null) {
            return Optional.empty();
        }
        int start = 0;
        while (start < name.length() && !Character.isLetter(name.charAt(start))) {
            start++;
        }
        String key = name.substring(start).trim().toLowerCase(Locale.ROOT).replaceAll("\\s+", " ");
        if (key.equals("cancelled")) {
            return Optional.of(CANCELED);
        }
        for (BoardStatus status : values()) {
            if (status.label.toLowerCase(Locale.ROOT).equals(key)) {
                return Optional.of(status);
            }
        }
        return Optional.empty();
    }
}
