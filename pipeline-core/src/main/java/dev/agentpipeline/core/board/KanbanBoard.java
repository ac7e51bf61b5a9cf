package dev.agentpipeline.core.board;

import dev.agentpipeline.core.run.Ids;

import org.apiguardian.api.API;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * The kanban board of the ln-1000 skill ({@value #DEFAULT_PATH}), read: its stories with their status, epic and tasks,
 * and the stage each should start at. Immutable; {@link #move} and {@link #withTasks} answer a new board whose text
 * differs from this one's only in the lines they change.
 *
 * <pre>
 * ### Backlog
 *
 * **Epic 1: Greetings**
 *
 *   - [ID: US001 Greet by name](docs/tasks/US001.md)
 *     _(tasks not created yet)_
 *
 * ### To Review
 *
 * **Epic 2: Accounts**
 *
 *   - [PROJ-42: Login form](https://linear.app/acme/issue/PROJ-42) APPROVED
 *     - [ID: T-001 Add the form](docs/tasks/T-001.md)
 * </pre>
 *
 * <p>Status sections are level-3 headings ({@code ### Backlog}, {@code ### Todo}, {@code ### In Progress},
 * {@code ### To Review}, {@code ### To Rework}, {@code ### Done}, {@code ### Postponed}, {@code ### Canceled}; case
 * and a leading emoji do not matter); any other heading of level 1 to 3 ends a status section. An epic is a bold
 * line at column 0. A story is a list item at two spaces whose link text is {@code ID: <id> <title>} or
 * {@code <id>: <title>}; anything may precede the link (an emoji) and follow it (markers). Task lines are list items
 * at four spaces or more below a story; {@code _(tasks not created yet)_} marks a story without tasks. Lines that
 * look like stories but cannot be read (no link, an unsafe id, outside a status section, an id that is already on
 * the board) are not stories: each becomes a {@linkplain #warnings() warning} with its {@code file:line}.
 *
 * <pre>{@code
 * KanbanBoard board = KanbanBoard.read(project.resolve(KanbanBoard.DEFAULT_PATH));
 * board.next().ifPresent(story -> System.out.println(story.id() + " -> " + story.targetStage().orElseThrow()));
 * }</pre>
 *
 * <p>Thread-safe (immutable).
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class KanbanBoard {

    /** Where the ln-1000 skill keeps the board, relative to the project directory. */
    public static final String DEFAULT_PATH = "docs/tasks/kanban_board.md";

    private static final Pattern HEADING = Pattern.compile("^(#{1,6})\\s+(.*?)\\s*#*\\s*$");
    private static final Pattern EPIC = Pattern.compile("^\\*\\*(.+?)\\*\\*\\s*$");
    private static final Pattern STORY_ITEM = Pattern.compile("^ {2}[-*+]\\s+(.*)$");
    private static final Pattern TASK_ITEM = Pattern.compile("^(?: {4,}|\\t+)[-*+]\\s+(.*)$");
    private static final Pattern ID_LINK = Pattern.compile(
            "\\[ID:\\s*([^\\s\\]]+)(?:\\s+([^\\]]*?))?\\s*\\]\\(([^)\\s]*)\\)(.*)$");
    private static final Pattern COLON_LINK = Pattern.compile(
            "\\[([A-Za-z0-9][A-Za-z0-9_.-]*):\\s*(?:US\\d+\\s+)?([^\\]]*?)\\s*\\]\\(([^)\\s]*)\\)(.*)$");
    private static final String NO_TASKS = "_(tasks not created yet)_";

    private final String source;
    private final String bom;
    private final List<Line> lines;
    private final String newline;
    private final boolean finalNewline;
    private final List<BoardStory> stories;
    private final Map<String, List<BoardStory>> byId;
    private final Map<String, int[]> blocks;
    private final Map<String, Integer> epicLines;
    private final List<String> warnings;

    private KanbanBoard(String source, String bom, List<Line> lines, String newline, boolean finalNewline) {
        this.source = source;
        this.bom = bom;
        this.lines = List.copyOf(lines);
        this.newline = newline;
        this.finalNewline = finalNewline;
        Parser parser = new Parser();
        parser.run();
        this.stories = List.copyOf(parser.stories);
        Map<String, List<BoardStory>> ids = new LinkedHashMap<>();
        for (BoardStory story : stories) {
            ids.computeIfAbsent(story.id(), id -> new ArrayList<>()).add(story);
        }
        ids.replaceAll((id, list) -> List.copyOf(list));
        this.byId = Map.copyOf(ids);
        this.blocks = Map.copyOf(parser.blocks);
        this.epicLines = Map.copyOf(parser.epicLines);
        this.warnings = List.copyOf(parser.warnings);
        if (!parser.sawSection) {
            throw new BoardException("not_a_board", source + " has no status section (### Backlog, ### Todo,"
                    + " ### In Progress, ### To Review, ### To Rework, ### Done...), so it is not a kanban board",
                    "Give " + source + " a level-3 heading for each status, with the stories under them as"
                            + " '  - [ID: US001 Title](url)'.", null);
        }
    }

    /**
     * Reads a board from its text.
     *
     * @param text the board's Markdown, never null
     * @param source where it comes from, for messages ({@code docs/tasks/kanban_board.md}); never null
     * @return the board
     * @throws BoardException {@code not_a_board} if the text has no status section
     */
    public static KanbanBoard parse(String text, String source) {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(source, "source");
        String bom = text.startsWith("\uFEFF") ? "\uFEFF" : "";
        String body = text.substring(bom.length());
        List<Line> lines = new ArrayList<>();
        String newline = null;
        int start = 0;
        while (start < body.length()) {
            int end = body.indexOf('\n', start);
            if (end < 0) {
                lines.add(new Line(body.substring(start), null)); // the last line, without a terminator
                break;
            }
            boolean crlf = end > start && body.charAt(end - 1) == '\r';
            String terminator = crlf ? "\r\n" : "\n";
            newline = newline == null ? terminator : newline;
            lines.add(new Line(body.substring(start, crlf ? end - 1 : end), terminator));
            start = end + 1;
        }
        newline = newline == null ? "\n" : newline;
        boolean finalNewline = body.isEmpty() || body.endsWith("\n");
        if (!finalNewline) {
            Line last = lines.remove(lines.size() - 1);
            lines.add(new Line(last.text(), newline)); // text() leaves it out again while this line is the last
        }
        return new KanbanBoard(source, bom, lines, newline, finalNewline);
    }

    /**
     * Reads a board file (UTF-8).
     *
     * @param file the file
     * @return the board
     * @throws BoardException {@code board_missing}, {@code board_unreadable} (not UTF-8, an I/O error) or
     *     {@code not_a_board}
     */
    public static KanbanBoard read(Path file) {
        Objects.requireNonNull(file, "file");
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new BoardException("board_missing", "There is no board at " + file, "Create it with a section"
                    + " for each status (### Backlog, ### Todo, ### In Progress, ### To Review, ### To Rework,"
                    + " ### Done) and the stories under them, or name the story's stage yourself (run --from-stage"
                    + " or --board-status).", e);
        } catch (IOException e) {
            throw new BoardException("board_unreadable", "Cannot read the board " + file + ": " + e.getMessage(),
                    "Check that the file is readable.", e);
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new BoardException("board_unreadable", "The board " + file + " is not UTF-8 text", "Save it as"
                    + " UTF-8.", e);
        }
        return parse(text, file.toString());
    }

    /** @return where the board comes from, as given to {@link #parse} or {@link #read}; never null */
    public String source() {
        return source;
    }

    /**
     * The board's text: byte for byte the text it was read from (line terminators, a byte-order mark and a missing
     * final newline included) until {@link #move} or {@link #withTasks} change it, and then different only in the
     * lines they changed. Lines they add end as the board's first line does.
     *
     * @return the text, never null
     */
    public String text() {
        StringBuilder text = new StringBuilder(bom);
        for (int i = 0; i < lines.size(); i++) {
            text.append(lines.get(i).text());
            if (i < lines.size() - 1 || finalNewline) {
                text.append(lines.get(i).end());
            }
        }
        return text.toString();
    }

    /** @return every story, in the order of the board's lines; never null */
    public List<BoardStory> stories() {
        return stories;
    }

    /**
     * The stories a run can start for, in the ln-1000 skill's order of selection: To Review, To Rework, In Progress,
     * Todo, Backlog with tasks, Backlog without; the board's order within each. Done, Postponed and Canceled stories
     * are left out.
     *
     * @return the stories, never null
     */
    public List<BoardStory> available() {
        return stories.stream().filter(story -> !story.status().isClosed())
                .sorted(Comparator.comparingInt(BoardStory::priority)).toList();
    }

    /** @return the first of {@link #available()}, or empty when no story is open */
    public Optional<BoardStory> next() {
        List<BoardStory> open = available();
        return open.isEmpty() ? Optional.empty() : Optional.of(open.get(0));
    }

    /**
     * Problems that did not stop the board from being read, each {@code file:line: what}: lines that look like
     * stories but are not, repeated ids, repeated sections.
     *
     * @return the warnings, never null
     */
    public List<String> warnings() {
        return warnings;
    }

    /**
     * A story by id (exact, case-sensitive, as the run store's ids are).
     *
     * @param id the story id
     * @return the story, or empty if it is not on the board
     * @throws BoardException {@code duplicate_story} if the id is on the board more than once
     */
    public Optional<BoardStory> story(String id) {
        List<BoardStory> found = byId.getOrDefault(id, List.of());
        if (found.size() > 1) {
            StringBuilder where = new StringBuilder();
            for (BoardStory story : found) {
                where.append(where.length() == 0 ? "" : ", ").append(source).append(':').append(story.line())
                        .append(" (").append(story.status().label()).append(')');
            }
            throw new BoardException("duplicate_story", "Story " + id + " is on the board more than once: " + where,
                    "Keep one line for " + id + " on the board and delete the others.", null);
        }
        return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
    }

    /**
     * A story by id that must be on the board.
     *
     * @param id the story id
     * @return the story
     * @throws BoardException {@code story_not_on_board} or {@code duplicate_story}
     */
    public BoardStory require(String id) {
        return story(id).orElseThrow(() -> new BoardException("story_not_on_board", "Story " + id + " is not on"
                + " the board " + source, "Add it as '  - [ID: " + id + " Title](url)' under a status section, or"
                + " check the id (ids are case-sensitive).", null));
    }

    /**
     * The board with a story moved to another status section: its line and the lines below it that belong to it
     * (tasks, markers) leave their section - and their epic's heading too if no other story stays under it - and
     * join the same epic in the new section, after its last story (the epic's heading is added at the end of the
     * section if missing; a story without epic goes after the last story above the section's first epic). Nothing
     * else changes, so moving a story back gives the same bytes when it was the last of its epic in its section
     * (otherwise it comes back after the epic's other stories). A story already in that status gives this board.
     *
     * @param id the story id
     * @param to the status section to move it to
     * @return the new board, or this one if nothing changes
     * @throws BoardException {@code story_not_on_board}, {@code duplicate_story}, or {@code no_section} if the board
     *     has no section for {@code to}
     */
    public KanbanBoard move(String id, BoardStatus to) {
        Objects.requireNonNull(to, "to");
        BoardStory story = require(id);
        if (story.status() == to) {
            return this;
        }
        if (sectionLine(lines, to) < 0) {
            throw new BoardException("no_section", "The board " + source + " has no '### " + to.label()
                    + "' section to move " + id + " to", "Add the line '### " + to.label() + "' to " + source
                    + ".", null);
        }
        List<Line> edited = new ArrayList<>(lines);
        int[] block = blocks.get(id);
        List<Line> moved = new ArrayList<>(edited.subList(block[0], block[1] + 1));
        edited.subList(block[0], block[1] + 1).clear();
        if (block[0] == edited.size()) {
            trimTrailingBlanks(edited); // they separated the story from what came before; nothing follows now
        }
        Integer epicLine = epicLines.get(id);
        if (epicLine != null) {
            removeEpicIfEmpty(edited, epicLine);
        }
        insert(edited, to, story.epic(), moved, newline);
        return new KanbanBoard(source, bom, edited, newline, finalNewline);
    }

    /**
     * The board with tasks added under a story, in the board's own style: each a task line
     * {@code     - [ID: T-001 Title](url)} (or {@code     - [T-001: Title](url)} when the story's tasks, or else its
     * own line, use that form), indented and bulleted - emoji included - as the story's first task line, or else the
     * board's first. They go after the story's last task, or in place of its {@code _(tasks not created yet)_}
     * marker, or else right after the story. A task whose id is already under the story is not added again, so
     * adding the same tasks twice changes nothing the second time. Nothing else changes.
     *
     * @param storyId the story
     * @param tasks the tasks, in order; never null
     * @return the new board, or this one if every task is already there
     * @throws BoardException {@code story_not_on_board} or {@code duplicate_story}
     */
    public KanbanBoard withTasks(String storyId, List<NewTask> tasks) {
        Objects.requireNonNull(tasks, "tasks");
        BoardStory story = require(storyId);
        java.util.Set<String> present = new java.util.HashSet<>();
        story.tasks().forEach(task -> present.add(task.id()));
        List<NewTask> missing = new ArrayList<>();
        for (NewTask task : tasks) {
            if (present.add(Objects.requireNonNull(task, "task").id())) {
                missing.add(task);
            }
        }
        if (missing.isEmpty()) {
            return this;
        }
        String prefix = "    - ";
        Boolean idStyle = null;
        List<String> styleLines = new ArrayList<>();
        story.tasks().forEach(task -> styleLines.add(lines.get(task.line() - 1).text()));
        stories.forEach(other -> other.tasks().forEach(task -> styleLines.add(lines.get(task.line() - 1).text())));
        for (String line : styleLines) {
            int bracket = line.indexOf('[');
            if (bracket > 0 && link(line) != null) {
                prefix = line.substring(0, bracket);
                break;
            }
        }
        for (BoardTask task : story.tasks()) {
            String line = lines.get(task.line() - 1).text();
            if (task.id() != null) {
                idStyle = ID_LINK.matcher(line).find();
                break;
            }
        }
        if (idStyle == null) {
            idStyle = ID_LINK.matcher(lines.get(story.line() - 1).text()).find();
        }
        List<Line> added = new ArrayList<>();
        for (NewTask task : missing) {
            String link = idStyle ? "[ID: " + task.id() + " " + task.title() + "]"
                    : "[" + task.id() + ": " + task.title() + "]";
            added.add(new Line(prefix + link + "(" + task.url() + ")", newline));
        }
        List<Line> edited = new ArrayList<>(lines);
        int[] block = blocks.get(storyId);
        int marker = -1;
        for (int i = block[0] + 1; i <= block[1]; i++) {
            if (lines.get(i).text().trim().equals(NO_TASKS)) {
                marker = i;
            }
        }
        if (story.hasTasks()) {
            edited.addAll(story.tasks().get(story.tasks().size() - 1).line(), added);
        } else if (marker >= 0) {
            edited.remove(marker);
            edited.addAll(marker, added);
        } else {
            edited.addAll(block[0] + 1, added);
        }
        return new KanbanBoard(source, bom, edited, newline, finalNewline);
    }

    /** Removes an epic heading with no line but blank ones before the next heading, epic or end, and its blanks. */
    private void removeEpicIfEmpty(List<Line> lines, int epic) {
        int next = epic + 1;
        while (next < lines.size() && lines.get(next).isBlank()) {
            next++;
        }
        if (next == lines.size() || isSectionBoundary(lines.get(next).text())
                || EPIC.matcher(lines.get(next).text()).matches()) {
            lines.subList(epic, next).clear();
            if (epic == lines.size()) {
                trimTrailingBlanks(lines);
            } else if (epic > 0 && !lines.get(epic - 1).isBlank()) {
                lines.add(epic, new Line("", newline)); // keep what came before apart from what follows
            }
        }
    }

    private static void trimTrailingBlanks(List<Line> lines) {
        while (!lines.isEmpty() && lines.get(lines.size() - 1).isBlank()) {
            lines.remove(lines.size() - 1);
        }
    }

    private static boolean isSectionBoundary(String line) {
        int level = headingLevel(line);
        return level > 0 && level <= 3;
    }

    /**
     * Inserts a story's lines into a section: after the last story of its epic there (the epic's heading is added at
     * the end of the section if missing), or for a story without epic after the last story before the section's
     * first epic. Blank lines are added only to separate a new group from what is around it.
     */
    private static void insert(List<Line> lines, BoardStatus to, String epic, List<Line> block, String newline) {
        int heading = sectionLine(lines, to);
        int end = heading + 1;
        while (end < lines.size() && !isSectionBoundary(lines.get(end).text())) {
            end++;
        }
        int from = heading + 1;
        boolean group = epic == null;
        if (epic != null) {
            for (int i = heading + 1; i < end; i++) {
                Matcher matcher = EPIC.matcher(lines.get(i).text());
                if (matcher.matches() && matcher.group(1).trim().equals(epic)) {
                    from = i + 1;
                    group = true;
                    break;
                }
            }
        }
        Line blank = new Line("", newline);
        List<Line> added = new ArrayList<>();
        int at;
        if (group) {
            int until = from;
            while (until < end && !EPIC.matcher(lines.get(until).text()).matches()) {
                until++;
            }
            int last = lastStoryLine(lines, from, until);
            if (last >= 0) {
                lines.addAll(last + 1, block); // joins the stories there, spaced as they are
                return;
            }
            at = until;
            while (at - 1 >= from && lines.get(at - 1).isBlank()) {
                at--;
            }
            if (at == from) {
                added.add(blank); // a heading, a blank line, the stories
            }
        } else {
            at = end;
            while (at - 1 > heading && lines.get(at - 1).isBlank()) {
                at--;
            }
            added.add(blank);
            added.add(new Line("**" + epic + "**", newline));
            added.add(blank);
        }
        added.addAll(block);
        if (at < lines.size() && (isSectionBoundary(lines.get(at).text())
                || EPIC.matcher(lines.get(at).text()).matches())) {
            added.add(blank); // a blank line before the next heading
        }
        lines.addAll(at, added);
    }

    /** The last line of a story's item (its line, tasks, marker, continuation) in {@code [from, to)}, or -1. */
    private static int lastStoryLine(List<Line> lines, int from, int to) {
        int last = -1;
        boolean inStory = false;
        for (int i = from; i < to; i++) {
            String text = lines.get(i).text();
            if (STORY_ITEM.matcher(text).matches()) {
                inStory = true;
                last = i;
            } else if (!inStory || text.isBlank()) {
                continue;
            } else if (TASK_ITEM.matcher(text).matches() || text.trim().equals(NO_TASKS) || text.startsWith("   ")
                    || text.startsWith("\t")) {
                last = i;
            } else {
                inStory = false;
            }
        }
        return last;
    }

    private static int sectionLine(List<Line> lines, BoardStatus status) {
        for (int i = 0; i < lines.size(); i++) {
            Matcher matcher = HEADING.matcher(lines.get(i).text());
            if (matcher.matches() && matcher.group(1).length() == 3
                    && BoardStatus.of(matcher.group(2)).orElse(null) == status) {
                return i;
            }
        }
        return -1;
    }

    private static int headingLevel(String line) {
        Matcher matcher = HEADING.matcher(line);
        return matcher.matches() ? matcher.group(1).length() : 0;
    }

    /** One pass over the lines. */
    private final class Parser {
        final List<BoardStory> stories = new ArrayList<>();
        final Map<String, int[]> blocks = new LinkedHashMap<>();
        final Map<String, Integer> epicLines = new LinkedHashMap<>();
        final List<String> warnings = new ArrayList<>();
        final Map<BoardStatus, Integer> sections = new EnumMap<>(BoardStatus.class);
        final Map<String, Integer> firstLine = new LinkedHashMap<>();
        boolean sawSection;

        private BoardStatus status;
        private String epic;
        private int epicLine = -1;
        private Pending story;

        void run() {
            for (int i = 0; i < lines.size(); i++) {
                line(i, lines.get(i).text());
            }
            finish();
        }

        private void line(int index, String line) {
            Matcher heading = HEADING.matcher(line);
            if (heading.matches()) {
                int level = heading.group(1).length();
                finish();
                if (level <= 3) {
                    status = level == 3 ? BoardStatus.of(heading.group(2)).orElse(null) : null;
                    epic = null;
                    epicLine = -1;
                    if (status != null) {
                        sawSection = true;
                        Integer earlier = sections.putIfAbsent(status, index);
                        if (earlier != null) {
                            warn(index, "a second '### " + status.label() + "' section (the first is on line "
                                    + (earlier + 1) + "); stories are moved into the first");
                        }
                    }
                }
                return;
            }
            Matcher epicMatcher = EPIC.matcher(line);
            if (epicMatcher.matches()) {
                finish();
                epic = epicMatcher.group(1).trim();
                epicLine = index;
                return;
            }
            Matcher item = STORY_ITEM.matcher(line);
            if (item.matches()) {
                finish();
                storyLine(index, item.group(1));
                return;
            }
            if (story == null) {
                return;
            }
            if (line.isBlank()) {
                return; // may separate a story from its tasks; not part of the story unless more follows
            }
            Matcher task = TASK_ITEM.matcher(line);
            if (task.matches()) {
                story.tasks.add(task(index, task.group(1)));
                story.last = index;
            } else if (line.trim().equals(NO_TASKS)) {
                story.tasksNotCreated = true;
                story.last = index;
            } else if (line.startsWith("   ") || line.startsWith("\t")) {
                story.last = index; // a continuation of the story's item
            } else {
                finish(); // prose at the margin: the story ended
            }
        }

        private void storyLine(int index, String item) {
            String[] link = link(item);
            if (status == null) {
                if (link != null) {
                    warn(index, "story " + link[0] + " is not under a status section (### Backlog, ### Todo...), so"
                            + " it is not read");
                }
                return;
            }
            if (link == null) {
                warn(index, "a list item at two spaces that is not a story link '[ID: US001 Title](url)' or"
                        + " '[PROJ-42: Title](url)', so it is not read");
                return;
            }
            if (!Ids.isSafe(link[0])) {
                warn(index, "story id '" + link[0] + "' is not a safe id (1 to 128 letters, digits, '.', '_' or"
                        + " '-', starting with a letter or digit), so the story is not read");
                return;
            }
            Integer earlier = firstLine.putIfAbsent(link[0], index);
            if (earlier != null) {
                warn(index, "story " + link[0] + " is also on line " + (earlier + 1) + "; commands that name it"
                        + " fail until one of the lines is removed");
            }
            story = new Pending(index, link, status, epic, epicLine);
        }

        private BoardTask task(int index, String item) {
            String[] link = link(item);
            if (link == null) {
                return new BoardTask(null, item.trim(), index + 1);
            }
            return new BoardTask(link[0], link[1], index + 1);
        }

        private void finish() {
            if (story == null) {
                return;
            }
            Pending done = story;
            story = null;
            BoardStory read = new BoardStory(done.link[0], done.link[1], done.link[2], done.status, done.epic,
                    done.tasks, done.tasksNotCreated, done.link[3], done.first + 1);
            stories.add(read);
            blocks.putIfAbsent(read.id(), new int[] {done.first, done.last});
            if (done.epicLine >= 0) {
                epicLines.putIfAbsent(read.id(), done.epicLine);
            }
        }

        private void warn(int index, String message) {
            warnings.add(source + ":" + (index + 1) + ": " + message);
        }
    }

    /** {id, title, url, markers}, or null if the item has no story link. */
    private static String[] link(String item) {
        Matcher matcher = ID_LINK.matcher(item);
        if (!matcher.find()) {
            matcher = COLON_LINK.matcher(item);
            if (!matcher.find()) {
                return null;
            }
        }
        String title = matcher.group(2) == null ? "" : matcher.group(2).trim();
        return new String[] {matcher.group(1), title, matcher.group(3), matcher.group(4).trim()};
    }

    /** A line of the board without its terminator, and the terminator ({@code \n} or {@code \r\n}). */
    private record Line(String text, String end) {
        boolean isBlank() {
            return text.isBlank();
        }
    }

    /** A story being read. */
    private static final class Pending {
        final int first;
        final String[] link;
        final BoardStatus status;
        final String epic;
        final int epicLine;
        final List<BoardTask> tasks = new ArrayList<>();
        boolean tasksNotCreated;
        int last;

        Pending(int first, String[] link, BoardStatus status, String epic, int epicLine) {
            this.first = first;
            this.link = link;
            this.status = status;
            this.epic = epic;
            this.epicLine = epicLine;
            this.last = first;
        }
    }
}
