package dev.agentpipeline.examples.docs;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Keeps the code of the docs true: a fenced block right below {@code <!-- snippet: PATH#REGION -->} must be the
 * region of that file between the comment lines {@code // snippet:REGION} and {@code // end:REGION} ({@code #} for
 * YAML), and a block below {@code <!-- snippet: PATH -->} the whole file, indentation aside; a block below
 * {@code <!-- excerpt: PATH -->} must be consecutive lines of the file. Every substantial Java block of the plugin
 * and embedding guides must be such a snippet, every region of the example code must be shown, and every relative
 * link of the docs must lead somewhere.
 */
class DocSnippetsTest {

    private static final Set<String> KINDS = Set.of("snippet", "excerpt", "example", "example-lines", "counterexample");
    private static final Set<String> GUIDES = Set.of("plugin-guide.md", "embedding.md");
    /** Java blocks longer than this many lines in the guides must come from compiled code. */
    private static final int SUBSTANTIAL = 4;
    /** The example code whose regions the docs show. */
    private static final List<String> EXAMPLE_SOURCES = List.of(
            "pipeline-examples/src/main/java/dev/agentpipeline/examples/plugin/TodoGateStage.java",
            "pipeline-examples/src/main/java/dev/agentpipeline/examples/plugin/TodoCountCollector.java",
            "pipeline-examples/src/test/java/dev/agentpipeline/examples/plugin/TodoGateStageTest.java",
            "pipeline-examples/src/main/java/dev/agentpipeline/examples/embedding/EmbeddingExamples.java");
    private static final Pattern REGION_MARK = Pattern.compile("^\\s*(//|#)\\s*(snippet|end):([A-Za-z0-9_-]+)\\s*$");
    private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");

    @Test
    void everySnippetAndExcerptIsTheCodeItNames() {
        List<String> problems = new ArrayList<>();
        int checked = 0;
        for (DocsDirectory.Block block : DocsDirectory.blocks()) {
            if ("snippet".equals(block.markerKind()) || "excerpt".equals(block.markerKind())) {
                checked++;
                problems.addAll(check(block, DocsDirectory.ROOT));
            }
        }
        assertThat(problems).isEmpty();
        assertThat(checked).as("snippets and excerpts in docs/").isGreaterThanOrEqualTo(15);
    }

    @Test
    void everySubstantialJavaBlockOfTheGuidesComesFromCompiledCode() {
        List<String> unchecked = new ArrayList<>();
        for (DocsDirectory.Block block : DocsDirectory.blocks()) {
            if (GUIDES.contains(block.page().getFileName().toString()) && block.language().equals("java")
                    && block.text().size() > SUBSTANTIAL && !"snippet".equals(block.markerKind())) {
                unchecked.add(block.where() + " has " + block.text().size() + " lines of Java without a snippet marker");
            }
        }
        assertThat(unchecked).isEmpty();
    }

    @Test
    void everyRegionOfTheExampleCodeIsShownInTheDocs() {
        Set<String> shown = new HashSet<>();
        for (DocsDirectory.Block block : DocsDirectory.blocks()) {
            if ("snippet".equals(block.markerKind())) {
                shown.add(block.markerValue());
            }
        }
        Set<String> hidden = new TreeSet<>();
        for (String source : EXAMPLE_SOURCES) {
            for (String region : regions(DocsDirectory.ROOT.resolve(source)).keySet()) {
                if (!shown.contains(source + "#" + region)) {
                    hidden.add(source + "#" + region);
                }
            }
        }
        assertThat(hidden).as("regions no page shows").isEmpty();
    }

    @Test
    void everyMarkerAboveACodeBlockIsOneThisBuildChecks() {
        List<String> unknown = new ArrayList<>();
        for (DocsDirectory.Block block : DocsDirectory.blocks()) {
            if (block.markerKind() != null && !KINDS.contains(block.markerKind())) {
                unknown.add(block.where() + ": <!-- " + block.markerKind() + ": --> is not one of " + KINDS);
            }
        }
        assertThat(unknown).isEmpty();
    }

    @Test
    void everyRelativeLinkOfTheDocsLeadsToAFileAndHeadingThatExist() throws IOException {
        List<String> broken = new ArrayList<>();
        for (Path page : DocsDirectory.pages()) {
            List<String> lines = Files.readAllLines(page);
            boolean inCode = false;
            for (int i = 0; i < lines.size(); i++) {
                if (lines.get(i).trim().startsWith("```")) {
                    inCode = !inCode;
                }
                Matcher link = LINK.matcher(lines.get(i));
                while (!inCode && link.find()) {
                    String target = link.group(1);
                    if (target.matches("^[a-z]+:.*")) {
                        continue; // https:, mailto:
                    }
                    String file = target.contains("#") ? target.substring(0, target.indexOf('#')) : target;
                    String anchor = target.contains("#") ? target.substring(target.indexOf('#') + 1) : null;
                    Path resolved = file.isEmpty() ? page : page.getParent().resolve(file).normalize();
                    String where = DocsDirectory.ROOT.relativize(page) + ":" + (i + 1) + ": (" + target + ")";
                    if (!Files.exists(resolved)) {
                        broken.add(where + " names a file that does not exist");
                    } else if (anchor != null && !anchors(resolved).contains(anchor)) {
                        broken.add(where + " names a heading that " + resolved.getFileName() + " does not have");
                    }
                }
            }
        }
        assertThat(broken).isEmpty();
    }

    // ------------------------------------------------------------------------------------------------- the check

    /** What is wrong with one snippet or excerpt block; empty when it is the code it names. */
    static List<String> check(DocsDirectory.Block block, Path root) {
        String value = block.markerValue();
        String path = value.contains("#") ? value.substring(0, value.indexOf('#')) : value;
        Path file = root.resolve(path);
        if (!Files.isRegularFile(file)) {
            return List.of(block.where() + ": " + path + " does not exist");
        }
        List<String> shown = normalize(block.text());
        if (block.markerKind().equals("excerpt")) {
            List<String> lines = read(file);
            for (int start = 0; start + shown.size() <= lines.size(); start++) {
                if (normalize(lines.subList(start, start + shown.size())).equals(shown)) {
                    return List.of();
                }
            }
            return List.of(block.where() + ": the block is not a run of consecutive lines of " + path);
        }
        List<String> expected;
        if (value.contains("#")) {
            String region = value.substring(value.indexOf('#') + 1);
            List<String> lines = regions(file).get(region);
            if (lines == null) {
                return List.of(block.where() + ": " + path + " has no region '" + region + "' (between '// snippet:"
                        + region + "' and '// end:" + region + "')");
            }
            expected = normalize(lines);
        } else {
            expected = normalize(read(file));
        }
        if (expected.equals(shown)) {
            return List.of();
        }
        for (int i = 0; i < Math.max(expected.size(), shown.size()); i++) {
            String want = i < expected.size() ? expected.get(i) : "<end>";
            String got = i < shown.size() ? shown.get(i) : "<end>";
            if (!want.equals(got)) {
                return List.of(block.where() + ": differs from " + value + " at its line " + (i + 1) + ":\n  code: "
                        + want + "\n  docs: " + got);
            }
        }
        throw new AssertionError("unreachable");
    }

    /** The regions of a file by name: the lines between its snippet and end marks, other marks left out. */
    static Map<String, List<String>> regions(Path file) {
        Map<String, List<String>> regions = new LinkedHashMap<>();
        Map<String, List<String>> open = new LinkedHashMap<>();
        for (String line : read(file)) {
            Matcher mark = REGION_MARK.matcher(line);
            if (mark.matches()) {
                String name = mark.group(3);
                if (mark.group(2).equals("snippet")) {
                    if (regions.containsKey(name) || open.containsKey(name)) {
                        throw new AssertionError(file + " defines region '" + name + "' twice");
                    }
                    open.put(name, new ArrayList<>());
                } else {
                    List<String> lines = open.remove(name);
                    if (lines == null) {
                        throw new AssertionError(file + " ends region '" + name + "' that never started");
                    }
                    regions.put(name, lines);
                }
                continue;
            }
            open.values().forEach(lines -> lines.add(line));
        }
        if (!open.isEmpty()) {
            throw new AssertionError(file + " never ends region(s) " + open.keySet());
        }
        return regions;
    }

    /** Trailing spaces, leading and trailing blank lines and the common indentation removed. */
    static List<String> normalize(List<String> lines) {
        List<String> trimmed = new ArrayList<>();
        for (String line : lines) {
            trimmed.add(line.stripTrailing());
        }
        while (!trimmed.isEmpty() && trimmed.get(0).isEmpty()) {
            trimmed.remove(0);
        }
        while (!trimmed.isEmpty() && trimmed.get(trimmed.size() - 1).isEmpty()) {
            trimmed.remove(trimmed.size() - 1);
        }
        int indent = Integer.MAX_VALUE;
        for (String line : trimmed) {
            if (!line.isEmpty()) {
                indent = Math.min(indent, line.length() - line.stripLeading().length());
            }
        }
        List<String> result = new ArrayList<>();
        for (String line : trimmed) {
            result.add(line.isEmpty() ? "" : line.substring(indent));
        }
        return result;
    }

    /** GitHub's anchors of a page's headings. */
    static Set<String> anchors(Path page) {
        Set<String> anchors = new HashSet<>();
        boolean inCode = false;
        for (String line : read(page)) {
            if (line.trim().startsWith("```")) {
                inCode = !inCode;
            }
            if (!inCode && line.startsWith("#")) {
                String heading = line.replaceFirst("^#+\\s*", "").trim().toLowerCase(Locale.ROOT);
                anchors.add(heading.replaceAll("[^a-z0-9 _-]", "").replace(' ', '-'));
            }
        }
        return anchors;
    }

    private static List<String> read(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The check itself bites: it finds a changed line, a missing region, and accepts another indentation. */
    @Nested
    class TheCheckBites {

        @TempDir
        Path root;

        @Test
        void aBlockThatDiffersFromItsRegionIsReported() throws IOException {
            Files.writeString(root.resolve("A.java"), "class A {\n    // snippet:greet\n    String greet() {\n"
                    + "        return \"hi\";\n    }\n    // end:greet\n}\n");
            Files.writeString(root.resolve("page.md"), "<!-- snippet: A.java#greet -->\n```java\nString greet() {\n"
                    + "    return \"hello\";\n}\n```\n");

            List<String> problems = check(DocsDirectory.blocks(root.resolve("page.md")).get(0), root);

            assertThat(problems).singleElement().asString().contains("at its line 2")
                    .contains("code:     return \"hi\";").contains("docs:     return \"hello\";");
        }

        @Test
        void aBlockThatMatchesWithOtherIndentationPasses() throws IOException {
            Files.writeString(root.resolve("A.java"), "class A {\n    // snippet:greet\n    String greet() {\n"
                    + "        return \"hi\";\n    }\n    // end:greet\n}\n");
            Files.writeString(root.resolve("page.md"), "<!-- snippet: A.java#greet -->\n```java\n  String greet() {\n"
                    + "      return \"hi\";\n  }\n```\n");

            assertThat(check(DocsDirectory.blocks(root.resolve("page.md")).get(0), root)).isEmpty();
        }

        @Test
        void aMissingRegionAndAnExcerptThatIsNotInTheFileAreReported() throws IOException {
            Files.writeString(root.resolve("a.yaml"), "states:\n  A: {}\n  B: {terminal: true}\n");
            Files.writeString(root.resolve("page.md"), "<!-- snippet: a.yaml#nope -->\n```yaml\nstates:\n```\n\n"
                    + "<!-- excerpt: a.yaml -->\n```yaml\n  A: {}\n  C: {}\n```\n\n<!-- excerpt: a.yaml -->\n```yaml\n"
                    + "A: {}\nB: {terminal: true}\n```\n");
            List<DocsDirectory.Block> blocks = DocsDirectory.blocks(root.resolve("page.md"));

            assertThat(check(blocks.get(0), root)).singleElement().asString().contains("has no region 'nope'");
            assertThat(check(blocks.get(1), root)).singleElement().asString().contains("not a run of consecutive lines");
            assertThat(check(blocks.get(2), root)).isEmpty();
        }
    }
}
