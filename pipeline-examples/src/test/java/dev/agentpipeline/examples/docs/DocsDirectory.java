package dev.agentpipeline.examples.docs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** The repository's docs directory and the fenced code blocks of its pages. */
final class DocsDirectory {

    /** The repository root: the tests run in the module directory, so it is the parent. */
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final Path DOCS = ROOT.resolve("docs");
    static final Path SCHEMAS = DOCS.resolve("schemas");

    private static final Pattern FENCE = Pattern.compile("^(\\s*)```(\\S*)\\s*$");
    private static final Pattern MARKER = Pattern.compile("^\\s*<!--\\s*([a-z-]+):\\s*(.*?)\\s*-->\\s*$");

    private DocsDirectory() {
    }

    /**
     * A fenced code block of a page.
     *
     * @param page the page
     * @param line the 1-based line of its opening fence
     * @param language the fence's info string ({@code java}, {@code json}...), may be empty
     * @param text the lines between the fences
     * @param markerKind the kind of the marker comment on the line right above the fence ({@code snippet}...), or null
     * @param markerValue the marker's value (a path, a schema file...), or null
     */
    record Block(Path page, int line, String language, List<String> text, String markerKind, String markerValue) {

        String where() {
            return ROOT.relativize(page) + ":" + line;
        }

        String joined() {
            return String.join("\n", text);
        }
    }

    /** @return the README and the Markdown pages of docs/, sorted */
    static List<Path> pages() {
        try (Stream<Path> files = Files.list(DOCS)) {
            return Stream.concat(Stream.of(ROOT.resolve("README.md")),
                    files.filter(file -> file.toString().endsWith(".md")).sorted()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return every fenced block of every page */
    static List<Block> blocks() {
        List<Block> blocks = new ArrayList<>();
        for (Path page : pages()) {
            blocks.addAll(blocks(page));
        }
        return blocks;
    }

    /** @return the fenced blocks of one page, each with the marker right above its opening fence */
    static List<Block> blocks(Path page) {
        List<String> lines;
        try {
            lines = Files.readAllLines(page);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Block> blocks = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            Matcher open = FENCE.matcher(lines.get(i));
            if (!open.matches()) {
                continue;
            }
            String language = open.group(2);
            int end = i + 1;
            while (end < lines.size() && !lines.get(end).trim().equals("```")) {
                end++;
            }
            if (end == lines.size()) {
                throw new AssertionError(page + ":" + (i + 1) + ": a code block is never closed");
            }
            String kind = null;
            String value = null;
            if (i > 0) {
                Matcher marker = MARKER.matcher(lines.get(i - 1));
                if (marker.matches()) {
                    kind = marker.group(1);
                    value = marker.group(2);
                }
            }
            blocks.add(new Block(page, i + 1, language, List.copyOf(lines.subList(i + 1, end)), kind, value));
            i = end;
        }
        return blocks;
    }
}
