package dev.agentpipeline.git;

import dev.agentpipeline.spi.workspace.WorkspaceException;

import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Where a repository's parts are: its working tree, its git directory (a linked worktree's own administrative
 * directory when opened inside one) and the common directory that holds the objects, refs and config. Immutable.
 *
 * @param workTree the working tree's top directory (real path)
 * @param gitDir the git directory of that working tree
 * @param commonDir the directory shared by all working trees of the repository (real path)
 */
record Layout(Path workTree, Path gitDir, Path commonDir) {

    /**
     * Finds the repository whose working tree holds a directory, looking upwards for {@code .git} (a directory, or
     * the file of a linked worktree).
     *
     * @param start a directory inside a working tree
     * @return where the repository is
     * @throws WorkspaceException ({@code not_a_repository}) if there is none
     */
    static Layout locate(Path start) {
        Path absolute = start.toAbsolutePath().normalize();
        if (!Files.isDirectory(absolute)) {
            throw new WorkspaceException("not_a_repository", absolute + " is not a directory, so it is not inside a"
                    + " git working tree.", "Open the provider on a directory inside a repository's working tree.",
                    null);
        }
        Path real;
        try {
            real = absolute.toRealPath();
        } catch (IOException e) {
            throw new WorkspaceException("not_a_repository", "Cannot read " + absolute + ": " + e.getMessage(),
                    "Check that the directory exists and is readable.", e);
        }
        for (Path dir = real; dir != null; dir = dir.getParent()) {
            if (Files.exists(dir.resolve(Constants.DOT_GIT), LinkOption.NOFOLLOW_LINKS)) {
                return open(dir, absolute);
            }
        }
        throw new WorkspaceException("not_a_repository", absolute + " is not inside a git working tree: neither it"
                + " nor any directory above it has a .git (bare repositories have no working tree to work in).",
                "Make it a repository with `git init` and commit once (git add -A && git commit -m 'Initial commit'),"
                        + " or open the provider on a directory inside an existing repository's working tree.", null);
    }

    private static Layout open(Path workTree, Path asked) {
        try {
            Path gitDir = gitDirOf(workTree);
            try (Repository repo = build(workTree, gitDir)) {
                return new Layout(workTree, repo.getDirectory().toPath().toAbsolutePath().normalize(),
                        repo.getCommonDirectory().toPath().toRealPath());
            }
        } catch (IOException | IllegalArgumentException e) {
            throw new WorkspaceException("not_a_repository", "Cannot open the git repository of " + workTree
                    + " (asked for " + asked + "): " + e.getMessage(),
                    "Check the repository with `git -C " + workTree + " status`; a .git file must point to an"
                            + " existing git directory.", e);
        }
    }

    /** Opens the repository of this layout; close it after use. */
    Repository open() throws IOException {
        return build(workTree, gitDir);
    }

    static Repository build(Path workTree, Path gitDir) throws IOException {
        return new FileRepositoryBuilder().setWorkTree(workTree.toFile()).setGitDir(gitDir.toFile())
                .setMustExist(true).build();
    }

    /**
     * The git directory of a working tree: {@code .git} itself, or where the {@code gitdir:} line of a linked
     * worktree's {@code .git} file points.
     *
     * @param workTree a working tree's top directory
     * @return its git directory (absolute)
     * @throws IOException if there is no {@code .git}, or its file cannot be read
     */
    static Path gitDirOf(Path workTree) throws IOException {
        Path dotGit = workTree.resolve(Constants.DOT_GIT);
        if (Files.isDirectory(dotGit, LinkOption.NOFOLLOW_LINKS)) {
            return dotGit;
        }
        if (!Files.isRegularFile(dotGit, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(dotGit + " is neither a directory nor a file");
        }
        String content = Files.readString(dotGit, StandardCharsets.UTF_8).strip();
        if (!content.startsWith("gitdir:")) {
            throw new IOException(dotGit + " does not start with 'gitdir:'");
        }
        return workTree.resolve(content.substring("gitdir:".length()).strip()).normalize();
    }

    /**
     * The working trees of the repository that have a branch checked out: the main one and every linked worktree
     * whose directory exists.
     *
     * @return the checkouts
     * @throws IOException if the administrative files cannot be read
     */
    List<Checkout> checkouts() throws IOException {
        List<Checkout> checkouts = new ArrayList<>();
        try (Repository common = new FileRepositoryBuilder().setGitDir(commonDir.toFile()).setMustExist(true)
                .build()) {
            if (!common.isBare()) {
                headRef(commonDir).ifPresent(ref -> checkouts.add(new Checkout(common.getWorkTree().toPath(),
                        commonDir, ref)));
            }
        }
        Path worktrees = commonDir.resolve("worktrees");
        if (Files.isDirectory(worktrees)) {
            try (Stream<Path> admins = Files.list(worktrees)) {
                for (Path admin : (Iterable<Path>) admins::iterator) {
                    Path gitdirFile = admin.resolve("gitdir");
                    Optional<String> ref = headRef(admin);
                    if (ref.isEmpty() || !Files.isRegularFile(gitdirFile)) {
                        continue;
                    }
                    Path dotGit = admin.resolve(Files.readString(gitdirFile, StandardCharsets.UTF_8).strip());
                    Path tree = dotGit.getParent();
                    if (tree != null && Files.exists(dotGit)) {
                        checkouts.add(new Checkout(tree.normalize(), admin, ref.get()));
                    }
                }
            }
        }
        return checkouts;
    }

    private static Optional<String> headRef(Path gitDir) throws IOException {
        Path head = gitDir.resolve(Constants.HEAD);
        if (!Files.isRegularFile(head)) {
            return Optional.empty();
        }
        String content = Files.readString(head, StandardCharsets.UTF_8).strip();
        return content.startsWith("ref:") ? Optional.of(content.substring(4).strip()) : Optional.empty();
    }

    /**
     * A working tree with a branch checked out.
     *
     * @param workTree its directory
     * @param gitDir its git directory
     * @param ref the full name of the branch checked out ({@code refs/heads/main})
     */
    record Checkout(Path workTree, Path gitDir, String ref) {

        Repository open() throws IOException {
            return build(workTree, gitDir);
        }
    }
}
