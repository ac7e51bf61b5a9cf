package dev.agentpipeline.stages.evidence;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** Finds report files below a workspace by glob patterns, without following symbolic links. */
final class ReportFiles {

    /** Directories never searched: version control, the pipeline's own state (with its worktrees), dependencies. */
    private static final Set<String> SKIPPED = Set.of(".git", ".pipeline", "node_modules", ".gradle", ".idea");
    /** How many files a search looks at before it gives up (a workspace is a project, not a disk). */
    static final int MAX_VISITED = 200_000;
    /** Reports larger than this are not read. */
    static final long MAX_BYTES = 64L * 1024 * 1024;

    private ReportFiles() {
    }

    /**
     * The files found, as paths relative to the workspace with {@code /} separators, sorted.
     *
     * @param workspace the directory to search
     * @param globs the patterns, relative to the workspace
     * @param warnings where to say that the search was cut short
     * @return the matching regular files
     */
    static List<String> find(Path workspace, List<String> globs, List<String> warnings) {
        List<PathMatcher> matchers = new ArrayList<>();
        for (String glob : globs) {
            try {
                matchers.add(FileSystems.getDefault().getPathMatcher("glob:" + glob));
            } catch (IllegalArgumentException e) {
                warnings.add("report pattern '" + glob + "' is not a valid glob (" + e.getMessage() + "); it was ignored");
            }
        }
        TreeSet<String> found = new TreeSet<>();
        if (!Files.isDirectory(workspace) || matchers.isEmpty()) {
            if (!Files.isDirectory(workspace)) {
                warnings.add("workspace " + workspace + " is not a directory");
            }
            return List.of();
        }
        int[] visited = {0};
        try {
            Files.walkFileTree(workspace, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                    if (!dir.equals(workspace) && SKIPPED.contains(dir.getFileName().toString())) {
                        return FileVisitResult.SKIP_SUBTREE;
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    if (++visited[0] > MAX_VISITED) {
                        warnings.add("stopped looking for reports after " + MAX_VISITED + " files in " + workspace
                                + "; name the reports with 'reports:' patterns in the definition");
                        return FileVisitResult.TERMINATE;
                    }
                    if (attrs.isRegularFile()) {
                        Path relative = workspace.relativize(file);
                        for (PathMatcher matcher : matchers) {
                            if (matcher.matches(relative)) {
                                found.add(relative.toString().replace(file.getFileSystem().getSeparator(), "/"));
                                break;
                            }
                        }
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    return FileVisitResult.CONTINUE; // an unreadable corner of the workspace holds no report we can use
                }
            });
        } catch (IOException e) {
            warnings.add("cannot search " + workspace + " for reports: " + e);
        }
        return List.copyOf(found);
    }
}
