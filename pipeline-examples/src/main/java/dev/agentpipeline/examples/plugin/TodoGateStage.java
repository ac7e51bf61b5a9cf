package dev.agentpipeline.examples.plugin;

import dev.agentpipeline.spi.FailureClass;
import dev.agentpipeline.spi.ProgressSignal;
import dev.agentpipeline.spi.Stage;
import dev.agentpipeline.spi.StageContext;
import dev.agentpipeline.spi.StageOutcome;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Example stage plugin: a gate that fails while the workspace's source files contain {@code TODO} or {@code FIXME}
 * markers. Id {@value #ID}. It is compiled against {@code pipeline-spi} alone; {@code docs/plugin-guide.md} walks
 * through it.
 *
 * <p>It scans the source files under the workspace (by file extension, skipping hidden directories and build
 * output such as {@code target/}) in sorted order, {@value #BATCH_SIZE} files at a time, and saves its progress
 * after each batch, so that an attempt after a crash continues where the last one stopped. The outcome is verdict
 * {@code FAIL} with a {@code rework_hint} that lists the markers, or {@code PASS}; metric {@code todo.count} counts
 * the markers. The input {@value #MARKERS_INPUT} (a list of words) replaces the default markers.
 *
 * <p>Thread-safe: it keeps no state between calls.
 *
 * @since 0.1
 */
public final class TodoGateStage implements Stage {

    // snippet:id
    /** The plugin id: lower-case letters, digits and '-', and not the reserved prefix "pipeline-". */
    public static final String ID = "example-todo-gate";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String description() {
        return "Example: fails while source files contain TODO or FIXME markers";
    }
    // end:id

    /** Files scanned between two progress saves. */
    public static final int BATCH_SIZE = 50;
    /** The input that replaces the default markers: a list of words, for example {@code ["TODO", "XXX"]}. */
    public static final String MARKERS_INPUT = "todo_markers";
    /** Markers the rework hint lists at most; the metric counts all of them. */
    static final int LISTED = 20;

    private static final List<String> DEFAULT_MARKERS = List.of("TODO", "FIXME");
    private static final Set<String> EXTENSIONS = Set.of("java", "kt", "groovy", "scala", "js", "ts", "py", "go",
            "rs", "c", "h", "cpp", "cs", "rb", "sh");
    private static final Set<String> BUILD_DIRECTORIES = Set.of("target", "build", "node_modules", "out", "dist");

    // snippet:run
    @Override
    public StageOutcome run(StageContext context) throws IOException {
        Pattern marker = markerPattern(context.input(MARKERS_INPUT).orElse(DEFAULT_MARKERS));
        List<String> files = sourceFiles(context.workspace());

        // Progress belongs to the visit: continue an unfinished scan of an earlier attempt (a crash, a stop).
        Map<String, Object> last = context.progress().last().orElse(Map.of());
        boolean resume = Boolean.FALSE.equals(last.get("complete"));
        String scannedThrough = resume ? (String) last.get("scanned_through") : "";
        List<String> findings = new ArrayList<>(resume ? strings(last.get("findings")) : List.of());
        List<String> remaining = files.stream().filter(file -> file.compareTo(scannedThrough) > 0).toList();

        boolean saved = false;
        for (int start = 0; start < remaining.size(); start += BATCH_SIZE) {
            if (context.isCancelled()) {
                StageOutcome.Builder stopped = StageOutcome.failed(FailureClass.AGENT_ERROR,
                        "Stopped on request after " + (files.size() - remaining.size() + start) + " of "
                                + files.size() + " files");
                return saved ? stopped.progress(ProgressSignal.CHECKPOINT_DELTA).build() : stopped.build();
            }
            List<String> batch = remaining.subList(start, Math.min(start + BATCH_SIZE, remaining.size()));
            for (String file : batch) {
                findings.addAll(scan(context.workspace(), file, marker));
            }
            Map<String, Object> progress = new LinkedHashMap<>();
            progress.put("scanned_through", batch.get(batch.size() - 1));
            progress.put("findings", findings);
            progress.put("complete", start + BATCH_SIZE >= remaining.size());
            context.progress().save(progress);   // durable when it returns
            saved = true;
        }
        return outcome(files.size(), findings);
    }
    // end:run

    // snippet:outcome
    private static StageOutcome outcome(int scanned, List<String> findings) {
        if (findings.isEmpty()) {
            return StageOutcome.completed()
                    .verdict("PASS")
                    .metric("todo.count", 0)
                    .metric("files.scanned", scanned)
                    .notes("No TODO or FIXME markers in " + scanned + " source files.")
                    .build();
        }
        Map<String, Object> reworkHint = new LinkedHashMap<>();
        reworkHint.put("blocking_categories", List.of("todo-markers"));
        reworkHint.put("suggested_focus", "Resolve or remove the " + findings.size() + " TODO/FIXME markers");
        reworkHint.put("markers", findings.subList(0, Math.min(LISTED, findings.size())));
        return StageOutcome.completed()
                .verdict("FAIL")
                .metric("todo.count", findings.size())
                .metric("files.scanned", scanned)
                .attribute("issues", findings.size() + " TODO/FIXME markers, the first at " + findings.get(0))
                .attribute("rework_hint", reworkHint)
                .notes("Found " + findings.size() + " markers in " + scanned + " source files.")
                .build();
    }
    // end:outcome

    /** The source files under the workspace, as sorted paths relative to it with '/' separators. */
    static List<String> sourceFiles(Path workspace) throws IOException {
        List<String> files = new ArrayList<>();
        Files.walkFileTree(workspace, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) {
                String name = dir.getFileName() == null ? "" : dir.getFileName().toString();
                boolean skipped = !dir.equals(workspace) && (name.startsWith(".") || BUILD_DIRECTORIES.contains(name));
                return skipped ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                String name = file.getFileName().toString();
                int dot = name.lastIndexOf('.');
                if (attributes.isRegularFile() && dot > 0
                        && EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT))) {
                    files.add(workspace.relativize(file).toString().replace('\\', '/'));
                }
                return FileVisitResult.CONTINUE;
            }
        });
        Collections.sort(files);
        return files;
    }

    /** The markers of one file, as {@code "path:line: text"}. */
    private static List<String> scan(Path workspace, String file, Pattern marker) throws IOException {
        // Decoding replaces malformed bytes, so a binary or Latin-1 file cannot fail the scan.
        String text = new String(Files.readAllBytes(workspace.resolve(file)), StandardCharsets.UTF_8);
        List<String> found = new ArrayList<>();
        List<String> lines = text.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            if (marker.matcher(lines.get(i)).find()) {
                String line = lines.get(i).strip();
                found.add(file + ":" + (i + 1) + ": " + (line.length() > 120 ? line.substring(0, 117) + "..." : line));
            }
        }
        return found;
    }

    private static Pattern markerPattern(Object markers) {
        if (!(markers instanceof List<?> words) || words.isEmpty()
                || !words.stream().allMatch(word -> word instanceof String s && s.matches("\\w+"))) {
            throw new IllegalArgumentException("Input " + MARKERS_INPUT + " must be a non-empty list of words, such as"
                    + " [\"TODO\", \"FIXME\"]; got " + markers);
        }
        StringBuilder alternatives = new StringBuilder();
        for (Object word : words) {
            alternatives.append(alternatives.length() == 0 ? "" : "|").append(Pattern.quote((String) word));
        }
        return Pattern.compile("\\b(" + alternatives + ")\\b");
    }

    private static List<String> strings(Object value) {
        List<String> strings = new ArrayList<>();
        if (value instanceof List<?> list) {
            list.forEach(item -> strings.add(String.valueOf(item)));
        }
        return strings;
    }
}
