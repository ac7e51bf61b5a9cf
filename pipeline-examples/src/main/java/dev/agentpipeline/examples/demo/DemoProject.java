package dev.agentpipeline.examples.demo;

import dev.agentpipeline.core.board.BoardStatus;
import dev.agentpipeline.core.board.BoardStory;
import dev.agentpipeline.core.board.KanbanBoard;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.PersonIdent;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The demo's sample project: a small Java project without a build tool in a git repository (branch
 * {@value #BASE_BRANCH}), with a kanban board holding the demo story, and the example agents - POSIX scripts in
 * {@code agents/} that the command stage runs - which decompose, validate, implement and test it for real. Paths are
 * relative to the project directory.
 *
 * <pre>
 * .agent-pipeline-demo          marks the directory as a demo project, so later demo runs reuse it
 * agents/*.sh                   the example agents (decompose, validate, implement, quality-gate) and test.sh
 * tools/TestRunner.java         the project's own small test runner: JUnit XML reports, as Surefire writes them
 * src/main/java/demo/Names.java existing code, with its test
 * docs/tasks/kanban_board.md    the board: US-DEMO-1 in Backlog (later runs add US-DEMO-2, ...)
 * docs/tasks/US-DEMO-1/story.md the story, with one acceptance criterion that is not testable
 * </pre>
 *
 * <p>The project's files are resources of this class ({@code sample/}); the board and the stories are written here.
 * Not thread-safe: one demo at a time per directory.
 *
 * @since 0.1
 */
public final class DemoProject {

    /** The prefix of the demo stories' ids; the first is {@code US-DEMO-1}. */
    public static final String STORY_PREFIX = "US-DEMO-";
    /** The demo story's title (every copy of it has the same). */
    public static final String TITLE = "Greet users by name";
    /** The source file the implementation agent writes. */
    public static final String SOURCE_FILE = "src/main/java/demo/Greeting.java";
    /** The test the implementation agent writes when the quality gate asks for tests. */
    public static final String TEST_FILE = "src/test/java/demo/GreetingTest.java";
    /** The branch of the sample project, which the stories' branches start from. */
    public static final String BASE_BRANCH = "main";
    /** The file that marks a directory as a demo project. */
    public static final String MARKER = ".agent-pipeline-demo";
    /** The author and committer of the demo's commits on the base branch. */
    static final String AUTHOR = "Agent Pipeline demo";
    /** The criterion the validation agent finds untestable on its first visit. */
    static final String VAGUE_CRITERION = "- Greets users quickly";

    /** The sample's files: resource name (under {@code sample/}) to path in the project. */
    private static final Map<String, String> SAMPLE_FILES = Map.ofEntries(
            Map.entry("agent-pipeline-demo", MARKER),
            Map.entry("gitignore", ".gitignore"),
            Map.entry("README.md", "README.md"),
            Map.entry("agents/summary.sh", "agents/summary.sh"),
            Map.entry("agents/decompose.sh", "agents/decompose.sh"),
            Map.entry("agents/validate.sh", "agents/validate.sh"),
            Map.entry("agents/implement.sh", "agents/implement.sh"),
            Map.entry("agents/quality-gate.sh", "agents/quality-gate.sh"),
            Map.entry("agents/test.sh", "agents/test.sh"),
            Map.entry("tools/TestRunner.java", "tools/TestRunner.java"),
            Map.entry("src/main/java/demo/Names.java", "src/main/java/demo/Names.java"),
            Map.entry("src/test/java/demo/NamesTest.java", "src/test/java/demo/NamesTest.java"),
            Map.entry("src/test/java/demo/Check.java", "src/test/java/demo/Check.java"));
    private static final String BOARD_HEADER = "# Kanban Board\n\n### Backlog\n";
    private static final String BOARD_SECTIONS = "\n### Todo\n\n### In Progress\n\n### To Review\n\n### To Rework\n\n"
            + "### Done\n";
    private static final Pattern BACKLOG = Pattern.compile("(?m)^###\\s+Backlog\\s*$");
    private static final Pattern DEMO_ID = Pattern.compile(Pattern.quote(STORY_PREFIX) + "([0-9]{1,6})");

    private DemoProject() {
    }

    /**
     * What {@link #prepare} found or did.
     *
     * @param created whether the project was created by this call (else an earlier demo's was reused)
     * @param addedStory the story added to the board's Backlog for this run, or null when an open story was there
     * @since 0.1
     */
    public record Prepared(boolean created, String addedStory) {
    }

    /**
     * Makes the directory ready for a demo run: a new or empty directory gets the sample project (a new git
     * repository with one commit); an earlier demo's project is reused, and gets a new copy of the demo story on its
     * board when no story there is open. Changes of earlier runs to the board and reports are committed on
     * {@value #BASE_BRANCH} first, so the story's branch starts from them and carries nothing else.
     *
     * @param dir the project directory
     * @return what was done; never null
     * @throws IllegalArgumentException if the directory is not empty and not a demo project
     */
    public static Prepared prepare(Path dir) {
        try {
            if (!Files.isDirectory(dir) || isEmpty(dir)) {
                create(dir);
                return new Prepared(true, null);
            }
            if (!Files.isRegularFile(dir.resolve(MARKER)) || !Files.isDirectory(dir.resolve(".git"))) {
                throw new IllegalArgumentException("The demo directory " + dir + " is not empty and is not a demo"
                        + " project (it has no " + MARKER + " and .git); pass a new or empty directory, or one an"
                        + " earlier demo created");
            }
            Path boardFile = dir.resolve(KanbanBoard.DEFAULT_PATH);
            KanbanBoard board = KanbanBoard.read(boardFile);
            String added = null;
            if (board.next().isEmpty()) {
                int number = 1;
                for (BoardStory story : board.stories()) {
                    Matcher id = DEMO_ID.matcher(story.id());
                    if (id.matches()) {
                        number = Math.max(number, Integer.parseInt(id.group(1)) + 1);
                    }
                }
                added = STORY_PREFIX + number;
                write(dir, storyFile(added), story(added));
                Matcher backlog = BACKLOG.matcher(board.text());
                if (!backlog.find()) {
                    throw new IllegalArgumentException(boardFile + " has no '### Backlog' section to add " + added
                            + " to");
                }
                String text = board.text().substring(0, backlog.end()) + "\n" + boardEntry(added)
                        + board.text().substring(backlog.end());
                if (KanbanBoard.parse(text, boardFile.toString()).story(added).map(BoardStory::status)
                        .filter(BoardStatus.BACKLOG::equals).isEmpty()) {
                    throw new IllegalStateException("Could not add " + added + " to the Backlog of " + boardFile);
                }
                Files.writeString(boardFile, text, StandardCharsets.UTF_8);
            }
            commit(dir, added == null ? "Demo: the board and reports of earlier runs"
                    : "Demo: add " + added + " to the board", false);
            return new Prepared(false, added);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot prepare the demo project in " + dir, e);
        }
    }

    /**
     * @param storyId a story's id
     * @return its story file, relative to the project
     */
    public static String storyFile(String storyId) {
        return "docs/tasks/" + storyId + "/story.md";
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (var entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        }
    }

    private static void create(Path dir) throws IOException {
        for (Map.Entry<String, String> file : SAMPLE_FILES.entrySet()) {
            try (InputStream in = DemoProject.class.getResourceAsStream("sample/" + file.getKey())) {
                Objects.requireNonNull(in, () -> "resource sample/" + file.getKey() + " of " + DemoProject.class);
                write(dir, file.getValue(), new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
            if (file.getValue().endsWith(".sh")) {
                Files.setPosixFilePermissions(dir.resolve(file.getValue()), PosixFilePermissions.fromString("rwxr-xr-x"));
            }
        }
        String first = STORY_PREFIX + 1;
        write(dir, storyFile(first), story(first));
        write(dir, KanbanBoard.DEFAULT_PATH, BOARD_HEADER + "\n" + boardEntry(first) + BOARD_SECTIONS);
        commit(dir, "Greeting service: the sample project of the Agent Pipeline demo", true);
    }

    private static String story(String id) {
        return "# " + id + ": " + TITLE + "\n\n"
                + "As a user I want to be greeted by my name, so that the service feels personal.\n\n"
                + "## Acceptance criteria\n\n"
                + "- `greet(\"Ada\")` returns `Hello, Ada!`\n"
                + "- White space around and inside a name is tidied: `greet(\"  Ada   Lovelace \")` returns"
                + " `Hello, Ada Lovelace!`\n"
                + VAGUE_CRITERION + "\n"
                + "- A blank name is rejected with an IllegalArgumentException\n\n"
                + "<!-- ORCHESTRATOR_BRIEF_START -->\ntech: Java 17, no build tool (agents/test.sh)\nkeyFiles: "
                + SOURCE_FILE + "\n<!-- ORCHESTRATOR_BRIEF_END -->\n";
    }

    private static String boardEntry(String id) {
        return "**Epic 1: Greetings**\n\n  - [ID: " + id + " " + TITLE + "](" + storyFile(id) + ")\n"
                + "    _(tasks not created yet)_\n";
    }

    /** Commits the project (all of it when it is new, else docs/tasks: the board, stories and reports). */
    private static void commit(Path dir, String message, boolean init) {
        PersonIdent author = new PersonIdent(AUTHOR, "demo@agentpipeline.dev");
        try (Git git = init ? Git.init().setDirectory(dir.toFile()).setInitialBranch(BASE_BRANCH).call()
                : Git.open(dir.toFile())) {
            String paths = init ? "." : "docs/tasks";
            if (!init && git.status().addPath(paths).call().isClean()) {
                return;
            }
            git.add().addFilepattern(paths).call();
            git.add().addFilepattern(paths).setUpdate(true).call(); // deletions too
            git.commit().setMessage(message).setAuthor(author).setCommitter(author).setSign(false).call();
        } catch (GitAPIException | IOException e) {
            throw new IllegalStateException("Cannot commit the demo project in " + dir + ": " + e.getMessage(), e);
        }
    }

    static void write(Path dir, String relative, String content) throws IOException {
        Path file = dir.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content, StandardCharsets.UTF_8);
    }

}
