package dev.agentpipeline.core.board;

import org.apiguardian.api.API;

import java.util.Objects;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * A task line under a story on the board ({@code     - [ID: T-001 Add the form](url)}, at four spaces or more).
 *
 * @param id the task's id, or null when the line names none
 * @param title the task's title, or the line's text when it is not a link; never null
 * @param line the line's number in the board file, from 1
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public record BoardTask(String id, String title, int line) {

    /** Validates. */
    public BoardTask {
        Objects.requireNonNull(title, "title");
    }
}
