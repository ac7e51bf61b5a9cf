package dev.agentpipeline.git;

import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.ResetCommand;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.diff.DiffAlgorithm;
import org.eclipse.jgit.diff.DiffFormatter;
import org.eclipse.jgit.diff.EditList;
import org.eclipse.jgit.diff.RawText;
import org.eclipse.jgit.diff.RawTextComparator;
import org.eclipse.jgit.dircache.DirCache;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.IndexDiff;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.patch.Patch;
import org.eclipse.jgit.patch.PatchApplier;
import org.eclipse.jgit.revwalk.RevTree;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.submodule.SubmoduleWalk;
import org.eclipse.jgit.treewalk.FileTreeIterator;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.eclipse.jgit.util.QuotedString;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The uncommitted changes of a repository's tracked files (what {@code git diff HEAD} shows: staged and unstaged
 * together), captured so that they can be carried into a new workspace.
 *
 * <p>Text files that were added or changed travel as a unified patch applied with JGit's {@code ApplyCommand}, so
 * they apply to a workspace whose base differs from the repository's HEAD as long as their context matches.
 * Binary files, symbolic links and deletions are carried whole, and only onto the same version they changed in
 * the repository (a binary file cannot be patched by context). Carrying is all or nothing: everything is checked
 * first (the patch with an in-memory dry run against the workspace's tree); if anything does not fit, nothing is
 * applied and the reason is returned as a warning. What is carried is left unstaged, as {@code git apply} does.
 * Immutable once captured.
 */
final class Carry {

    /** What the warning of a carry that did not apply starts with. */
    static final String CONFLICT_WARNING = "Patch conflicts -- continuing without uncommitted changes: ";

    static final Carry NONE = new Carry(List.of());

    private static final int ABBREV = 7;

    private enum Kind { ADD, MODIFY, DELETE }

    /** One changed path: its version in HEAD (absent for an added file) and in the working tree (absent if deleted). */
    private record Change(String path, Kind kind, ObjectId oldId, FileMode oldMode, byte[] oldContent,
                          byte[] newContent, FileMode newMode, boolean whole) {
    }

    private final List<Change> changes;

    private Carry(List<Change> changes) {
        this.changes = List.copyOf(changes);
    }

    boolean isEmpty() {
        return changes.isEmpty();
    }

    /** @return the paths carried, sorted */
    List<String> paths() {
        return changes.stream().map(Change::path).collect(Collectors.toList());
    }

    /**
     * Captures a repository's uncommitted changes to tracked files. Untracked and ignored files are not carried
     * (as with {@code git diff HEAD}); neither are submodules.
     *
     * @param repo a repository with a working tree
     * @return the changes, {@link #NONE} when there are none
     * @throws IOException if the repository cannot be read
     */
    static Carry capture(Repository repo) throws IOException {
        ObjectId head = repo.resolve(Constants.HEAD + "^{commit}");
        if (head == null) {
            return NONE;
        }
        IndexDiff diff = new IndexDiff(repo, head, new FileTreeIterator(repo));
        diff.setIgnoreSubmoduleMode(SubmoduleWalk.IgnoreSubmoduleMode.ALL);
        diff.diff();
        SortedSet<String> paths = new TreeSet<>();
        paths.addAll(diff.getAdded());
        paths.addAll(diff.getChanged());
        paths.addAll(diff.getRemoved());
        paths.addAll(diff.getMissing());
        paths.addAll(diff.getModified());
        paths.addAll(diff.getConflicting());
        if (paths.isEmpty()) {
            return NONE;
        }
        Set<String> removedFromIndex = diff.getRemoved();
        Path workTree = repo.getWorkTree().toPath();
        List<Change> changes = new ArrayList<>();
        try (RevWalk walk = new RevWalk(repo)) {
            RevTree headTree = walk.parseCommit(head).getTree();
            ObjectReader reader = walk.getObjectReader();
            for (String path : paths) {
                ObjectId oldId = null;
                FileMode oldMode = null;
                byte[] oldContent = null;
                try (TreeWalk tw = TreeWalk.forPath(reader, path, headTree)) {
                    if (tw != null && isFileMode(tw.getFileMode(0))) {
                        oldId = tw.getObjectId(0);
                        oldMode = tw.getFileMode(0);
                        oldContent = reader.open(oldId, Constants.OBJ_BLOB).getBytes(Integer.MAX_VALUE - 8);
                    }
                }
                byte[] newContent = null;
                FileMode newMode = null;
                Path file = workTree.resolve(path);
                if (!removedFromIndex.contains(path)) { // a path removed from the index is deleted, as git diff HEAD says
                    if (Files.isSymbolicLink(file)) {
                        newContent = Files.readSymbolicLink(file).toString().getBytes(StandardCharsets.UTF_8);
                        newMode = FileMode.SYMLINK;
                    } else if (Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                        newContent = Files.readAllBytes(file);
                        newMode = repo.getFS().supportsExecute() && repo.getFS().canExecute(file.toFile())
                                ? FileMode.EXECUTABLE_FILE : FileMode.REGULAR_FILE;
                    }
                }
                Change change = change(path, oldId, oldMode, oldContent, newContent, newMode);
                if (change != null) {
                    changes.add(change);
                }
            }
        }
        return new Carry(changes);
    }

    private static Change change(String path, ObjectId oldId, FileMode oldMode, byte[] oldContent, byte[] newContent,
                                 FileMode newMode) {
        if (oldId == null && newContent == null) {
            return null; // added to the index, then deleted from the working tree: git diff HEAD shows nothing
        }
        if (oldId == null) {
            return new Change(path, Kind.ADD, null, null, null, newContent, newMode,
                    newMode == FileMode.SYMLINK || RawText.isBinary(newContent));
        }
        if (newContent == null) {
            return new Change(path, Kind.DELETE, oldId, oldMode, oldContent, null, null, true);
        }
        if (oldMode == newMode && oldId.equals(blobId(newContent))) {
            return null; // changed and changed back
        }
        boolean whole = oldMode == FileMode.SYMLINK || newMode == FileMode.SYMLINK || RawText.isBinary(oldContent)
                || RawText.isBinary(newContent);
        return new Change(path, Kind.MODIFY, oldId, oldMode, oldContent, newContent, newMode, whole);
    }

    private static boolean isFileMode(FileMode mode) {
        return mode == FileMode.REGULAR_FILE || mode == FileMode.EXECUTABLE_FILE || mode == FileMode.SYMLINK;
    }

    private static ObjectId blobId(byte[] content) {
        try (ObjectInserter.Formatter formatter = new ObjectInserter.Formatter()) {
            return formatter.idFor(Constants.OBJ_BLOB, content);
        }
    }

    /**
     * Applies the changes to a freshly created workspace whose working tree matches its HEAD.
     *
     * @param workspace the workspace's repository
     * @return no warning when everything was carried, else the one warning that says why nothing was
     * @throws IOException if the workspace cannot be read or, after a failed apply, restored
     */
    List<String> applyTo(Repository workspace) throws IOException {
        if (changes.isEmpty()) {
            return List.of();
        }
        byte[] patch = textPatch();
        String problem;
        try (RevWalk walk = new RevWalk(workspace)) {
            RevTree tree = walk.parseCommit(workspace.resolve(Constants.HEAD + "^{commit}")).getTree();
            problem = check(workspace, walk.getObjectReader(), tree, patch);
        }
        if (problem != null) {
            return List.of(CONFLICT_WARNING + problem);
        }
        Path workTree = workspace.getWorkTree().toPath();
        try (Git git = Git.wrap(workspace)) {
            try {
                if (patch.length > 0) {
                    git.apply().setPatch(new ByteArrayInputStream(patch)).call();
                }
                for (Change change : changes) {
                    if (change.whole()) {
                        writeWhole(workspace, workTree, change);
                    }
                }
                // unstaged, as git apply leaves them: a mixed reset keeps the working tree and resets the index
                git.reset().setMode(ResetCommand.ResetType.MIXED).setRef(Constants.HEAD).call();
                return List.of();
            } catch (GitAPIException | IOException | RuntimeException e) {
                restore(git, workTree);
                return List.of(CONFLICT_WARNING + describe(e));
            }
        }
    }

    /** @return why the changes do not fit the workspace, or null when they do */
    private String check(Repository workspace, ObjectReader reader, RevTree tree, byte[] patch) throws IOException {
        List<String> problems = new ArrayList<>();
        for (Change change : changes) {
            ObjectId current = null;
            FileMode currentMode = null;
            try (TreeWalk tw = TreeWalk.forPath(reader, change.path(), tree)) {
                if (tw != null) {
                    current = tw.getObjectId(0);
                    currentMode = tw.getFileMode(0);
                }
            }
            if (change.kind() == Kind.ADD && current != null) {
                problems.add(change.path() + ": added in the repository, but it already exists in the workspace");
            } else if (change.kind() != Kind.ADD && current == null) {
                problems.add(change.path() + ": changed in the repository, but it does not exist in the workspace");
            } else if (change.kind() != Kind.ADD && change.whole()
                    && (!change.oldId().equals(current) || change.oldMode() != currentMode)) {
                problems.add(change.path() + ": " + (change.kind() == Kind.DELETE ? "deleted" : "a binary file or"
                        + " symbolic link changed") + " in the repository, but the workspace's version differs from"
                        + " the repository's HEAD version " + change.oldId().abbreviate(ABBREV).name());
            }
        }
        if (problems.isEmpty() && patch.length > 0) {
            Patch parsed = new Patch();
            parsed.parse(new ByteArrayInputStream(patch));
            if (!parsed.getErrors().isEmpty()) {
                problems.add("the patch cannot be read: " + parsed.getErrors());
            } else {
                try (DryRunInserter inserter = new DryRunInserter(workspace)) {
                    PatchApplier.Result result = new PatchApplier(workspace, (RevTree) tree, inserter)
                            .applyPatch(parsed);
                    result.getErrors().forEach(error -> problems.add(error.toString().strip()));
                }
            }
        }
        return problems.isEmpty() ? null : String.join("; ", problems);
    }

    /** The text changes as one {@code git diff} patch; empty when every change is carried whole. */
    byte[] textPatch() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (DiffFormatter formatter = new DiffFormatter(out)) {
            formatter.setContext(3);
            DiffAlgorithm histogram = DiffAlgorithm.getAlgorithm(DiffAlgorithm.SupportedAlgorithm.HISTOGRAM);
            for (Change change : changes) {
                if (change.whole()) {
                    continue;
                }
                RawText before = new RawText(change.kind() == Kind.ADD ? new byte[0] : change.oldContent());
                RawText after = new RawText(change.newContent());
                writeHeader(out, change);
                EditList edits = histogram.diff(RawTextComparator.DEFAULT, before, after);
                if (!edits.isEmpty()) {
                    line(out, "--- " + (change.kind() == Kind.ADD ? "/dev/null" : quote("a/" + change.path())));
                    line(out, "+++ " + quote("b/" + change.path()));
                    formatter.format(edits, before, after);
                    formatter.flush();
                }
            }
        }
        return out.toByteArray();
    }

    private static void writeHeader(OutputStream out, Change change) throws IOException {
        String a = quote("a/" + change.path());
        String b = quote("b/" + change.path());
        line(out, "diff --git " + a + " " + b);
        String oldAbbrev = change.kind() == Kind.ADD ? ObjectId.zeroId().abbreviate(ABBREV).name()
                : change.oldId().abbreviate(ABBREV).name();
        String newAbbrev = blobId(change.newContent()).abbreviate(ABBREV).name();
        if (change.kind() == Kind.ADD) {
            line(out, "new file mode " + mode(change.newMode()));
            line(out, "index " + oldAbbrev + ".." + newAbbrev);
        } else if (change.oldMode() != change.newMode()) {
            line(out, "old mode " + mode(change.oldMode()));
            line(out, "new mode " + mode(change.newMode()));
            line(out, "index " + oldAbbrev + ".." + newAbbrev);
        } else {
            line(out, "index " + oldAbbrev + ".." + newAbbrev + " " + mode(change.newMode()));
        }
    }

    private static String mode(FileMode mode) {
        return Integer.toOctalString(mode.getBits());
    }

    private static String quote(String path) {
        return QuotedString.GIT_PATH.quote(path);
    }

    private static void line(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.write('\n');
    }

    private static void writeWhole(Repository workspace, Path workTree, Change change) throws IOException {
        Path file = workTree.resolve(change.path());
        if (change.kind() == Kind.DELETE) {
            Files.deleteIfExists(file);
            return;
        }
        Files.createDirectories(file.getParent());
        if (Files.isSymbolicLink(file) || change.newMode() == FileMode.SYMLINK) {
            Files.deleteIfExists(file);
        }
        if (change.newMode() == FileMode.SYMLINK) {
            Files.createSymbolicLink(file, Path.of(new String(change.newContent(), StandardCharsets.UTF_8)));
            return;
        }
        Path temp = Files.createTempFile(file.getParent(), ".carry-", ".tmp");
        try {
            Files.write(temp, change.newContent());
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
        if (workspace.getFS().supportsExecute()) {
            workspace.getFS().setExecute(file.toFile(), change.newMode() == FileMode.EXECUTABLE_FILE);
        }
    }

    /** Undoes a partly applied carry: the workspace's index and working tree back to HEAD, added files removed. */
    private void restore(Git git, Path workTree) throws IOException {
        try {
            git.reset().setMode(ResetCommand.ResetType.HARD).setRef(Constants.HEAD).call();
        } catch (GitAPIException e) {
            throw new IOException("Cannot restore " + workTree + " after a failed carry: " + e.getMessage(), e);
        }
        DirCache index = git.getRepository().readDirCache();
        for (Change change : changes) {
            if (change.kind() == Kind.ADD && index.findEntry(change.path()) < 0) {
                Files.deleteIfExists(workTree.resolve(change.path()));
            }
        }
    }

    private static String describe(Exception e) {
        String message = e.getMessage();
        Throwable cause = e.getCause();
        if (cause != null && cause.getMessage() != null && (message == null || !message.contains(cause.getMessage()))) {
            message = (message == null ? "" : message + ": ") + cause.getMessage();
        }
        return message == null ? e.getClass().getSimpleName() : message.strip();
    }

    /** Computes the ids of what a dry run would write and keeps none of it; reads from the repository. */
    private static final class DryRunInserter extends ObjectInserter.Formatter {
        private final Repository repository;
        private final List<ObjectReader> readers = new ArrayList<>();

        DryRunInserter(Repository repository) {
            this.repository = repository;
        }

        @Override
        public ObjectId insert(int type, long length, InputStream in) throws IOException {
            return idFor(type, length, in);
        }

        @Override
        public ObjectReader newReader() {
            ObjectReader reader = repository.newObjectReader();
            readers.add(reader);
            return reader;
        }

        @Override
        public void close() {
            readers.forEach(ObjectReader::close);
        }
    }
}
