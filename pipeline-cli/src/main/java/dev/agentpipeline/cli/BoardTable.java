package dev.agentpipeline.cli;

import dev.agentpipeline.core.board.BoardStatus;
import dev.agentpipeline.core.board.BoardStory;

import java.util.ArrayList;
import java.util.List;

/**
 * The board's stories as a table for people, in the ln-1000 skill's layout: {@code #, Story, Title, Status, Stage, Epic},
 * columns aligned, long titles and epics cut with an ellipsis. Widths count code points, so a wide emoji in a title
 * can shift the columns right of it by one.
 *
 * <pre>
 * #  Story  Title          Status              Stage    Epic
 * 1  US003  Say goodbye    To Review           STAGE_3  Epic 2: Farewells
 * 2  US001  Greet by name  Backlog (no tasks)  STAGE_0  Epic 1: Greetings
 * </pre>
 */
final class BoardTable {

    static final int TITLE_WIDTH = 40;
    static final int EPIC_WIDTH = 30;

    private BoardTable() {
    }

    /**
     * @param stories the stories, numbered from 1 in this order
     * @return the table, a line per story after the header, each ending with {@code \n}; never null
     */
    static String render(List<BoardStory> stories) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"#", "Story", "Title", "Status", "Stage", "Epic"});
        int number = 1;
        for (BoardStory story : stories) {
            rows.add(new String[] {String.valueOf(number++), story.id(), cut(story.title(), TITLE_WIDTH),
                    status(story), story.targetStage().orElse("-"),
                    story.epic() == null ? "-" : cut(story.epic(), EPIC_WIDTH)});
        }
        int[] widths = new int[6];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], length(row[i]));
            }
        }
        StringBuilder table = new StringBuilder();
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.length; i++) {
                line.append(row[i]);
                if (i < row.length - 1) {
                    line.append(" ".repeat(widths[i] - length(row[i]) + 2));
                }
            }
            table.append(line.toString().stripTrailing()).append('\n');
        }
        return table.toString();
    }

    /** The ln-1000 skill's status column: Backlog says whether the story has tasks. */
    static String status(BoardStory story) {
        if (story.status() == BoardStatus.BACKLOG) {
            return story.hasTasks() ? "Backlog (tasks)" : "Backlog (no tasks)";
        }
        return story.status().label();
    }

    /** The text, or its first {@code width - 1} code points and an ellipsis. */
    static String cut(String text, int width) {
        if (length(text) <= width) {
            return text;
        }
        return text.substring(0, text.offsetByCodePoints(0, width - 1)).stripTrailing() + "…";
    }

    private static int length(String text) {
        return text.codePointCount(0, text.length());
    }
}
