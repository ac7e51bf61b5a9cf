package dev.agentpipeline.core.board;

import dev.agentpipeline.core.run.Ids;

import org.apiguardian.api.API;

import java.util.Objects;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * A task to add under a story on the board ({@link KanbanBoard#withTasks}): written as
 * {@code     - [ID: T-001 Title](url)}, or {@code     - [T-001: Title](url)} under a story whose line or tasks use
 * that style.
 *
 * <pre>{@code
 * board.addTasks("US001", List.of(NewTask.of("T-001", "Add the form", "docs/tasks/T-001.md")));
 * }</pre>
 *
 * @param id the task's id, a {@linkplain Ids#isSafe safe id}; never null
 * @param title its title: one line without {@code [} or {@code ]}, not blank; never null
 * @param url the link's target, without spaces or parentheses; empty for none; never null
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public record NewTask(String id, String title, String url) {

    /**
     * Validates.
     *
     * @throws IllegalArgumentException if the id is not safe, the title is blank, spans lines or holds a bracket, or
     *     the url holds a space, a line break or a parenthesis
     */
    public NewTask {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(url, "url");
        if (!Ids.isSafe(id)) {
            throw new IllegalArgumentException("task id '" + id + "' is not a safe id (1 to 128 letters, digits, '.',"
                    + " '_' or '-', starting with a letter or digit)");
        }
        if (title.isBlank() || title.chars().anyMatch(c -> c == '[' || c == ']' || c == '\n' || c == '\r')) {
            throw new IllegalArgumentException("the title of task " + id + " must be one line of text without '['"
                    + " or ']', got '" + title + "'");
        }
        if (url.chars().anyMatch(c -> c == '(' || c == ')' || Character.isWhitespace(c))) {
            throw new IllegalArgumentException("the url of task " + id + " must have no spaces or parentheses, got '"
                    + url + "'");
        }
        title = title.trim();
    }

    /**
     * @param id the task's id
     * @param title its title
     * @param url the link's target, empty for none
     * @return the task
     * @throws IllegalArgumentException as the constructor does
     */
    public static NewTask of(String id, String title, String url) {
        return new NewTask(id, title, url);
    }
}
