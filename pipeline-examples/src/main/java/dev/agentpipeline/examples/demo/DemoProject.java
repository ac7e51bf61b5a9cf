package dev.agentpipeline.examples.demo;

import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.PersonIdent;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The demo's sample project: a git repository (branch {@value #BASE_BRANCH}, one commit) with a story with acceptance
 * criteria, a board, and the files the example stages write. Paths are relative to the project directory.
 *
 * @since 0.1
 */
public final class DemoProject {

    /** The demo story's id. */
    public static final String STORY = "US-DEMO-1";
    /** The demo story's title. */
    public static final String TITLE = "Greet users by name";
    /** The story file the validation stage reads (and fixes). */
    public static final String STORY_FILE = "docs/tasks/" + STORY + "/story.md";
    /** The task list the decomposition stage writes. */
    public static final String TASKS_FILE = "docs/tasks/" + STORY + "/tasks.md";
    /** The source file the execution stage writes. */
    public static final String SOURCE_FILE = "src/main/java/demo/Greeting.java";
    /** The test the execution stage writes when the quality gate asks for tests. */
    public static final String TEST_FILE = "src/test/java/demo/GreetingTest.java";
    /** The branch of the sample project's first commit, which the story's branch starts from. */
    public static final String BASE_BRANCH = "main";
    /** The author and committer of the sample project's first commit. */
    static final String AUTHOR = "Agent Pipeline demo";
    /** The criterion the validation stage finds untestable on its first visit. */
    static final String VAGUE_CRITERION = "- Greets users quickly";

    private DemoProject() {
    }

    /**
     * Writes the sample project into an empty (or new) directory, and commits it to a new git repository there.
     *
     * @param dir the project directory
     * @throws IllegalArgumentException if the directory exists and is not empty
     */
    public static void create(Path dir) {
        try {
            if (Files.isDirectory(dir)) {
                try (var entries = Files.list(dir)) {
                    if (entries.findAny().isPresent()) {
                        throw new IllegalArgumentException("The demo directory " + dir + " is not empty; pass a new or"
                                + " empty directory");
                    }
                }
            }
            write(dir, "README.md", "# Greeting service\n\nA tiny sample project for the Agent Pipeline demo.\n");
            write(dir, STORY_FILE, "# " + STORY + ": " + TITLE + "\n\n"
                    + "As a user I want to be greeted by my name, so that the service feels personal.\n\n"
                    + "## Acceptance criteria\n\n"
                    + "- `greet(\"Ada\")` returns `Hello, Ada!`\n"
                    + VAGUE_CRITERION + "\n"
                    + "- A blank name is rejected with an IllegalArgumentException\n\n"
                    + "<!-- ORCHESTRATOR_BRIEF_START -->\ntech: Java 17\nkeyFiles: " + SOURCE_FILE
                    + "\n<!-- ORCHESTRATOR_BRIEF_END -->\n");
            write(dir, "docs/tasks/kanban_board.md", "# Kanban Board\n\n### Backlog\n\n**Epic 1: Greetings**\n\n"
                    + "  - [ID: " + STORY + " " + TITLE + "](" + STORY_FILE + ")\n    _(tasks not created yet)_\n\n"
                    + "### Todo\n\n### In Progress\n\n### To Review\n\n### To Rework\n\n### Done\n");
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create the demo project in " + dir, e);
        }
        PersonIdent author = new PersonIdent(AUTHOR, "demo@agentpipeline.dev");
        try (Git git = Git.init().setDirectory(dir.toFile()).setInitialBranch(BASE_BRANCH).call()) {
            git.add().addFilepattern(".").call();
            git.commit().setMessage("Greeting service: the sample project of the Agent Pipeline demo")
                    .setAuthor(author).setCommitter(author).setSign(false).call();
        } catch (GitAPIException e) {
            throw new IllegalStateException("Cannot make the demo project in " + dir + " a git repository: "
                    + e.getMessage(), e);
        }
    }

    static void write(Path dir, String relative, String content) throws IOException {
        Path file = dir.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content, StandardCharsets.UTF_8);
    }

    static long lines(String content) {
        return content.lines().count();
    }
}
