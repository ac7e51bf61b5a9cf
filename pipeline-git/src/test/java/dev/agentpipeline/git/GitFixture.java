package dev.agentpipeline.git;

import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.StoredConfig;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.URIish;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Real repositories for tests: made with JGit, inspected with JGit and, where it says so, the git command line. */
final class GitFixture {

    private GitFixture() {
    }

    /**
     * A repository with one commit on {@code branch}: {@code README.md} and {@code src/app.txt} (ten lines).
     */
    static Git repository(Path dir, String branch) throws GitAPIException, IOException {
        Git git = Git.init().setDirectory(dir.toFile()).setInitialBranch(branch).call();
        StoredConfig config = git.getRepository().getConfig();
        config.setString("user", null, "name", "Test Author");
        config.setString("user", null, "email", "test@example.com");
        config.save();
        write(dir.resolve("README.md"), "# Project\n");
        write(dir.resolve("src/app.txt"), lines(1, 10));
        commitAll(git, "Initial commit");
        return git;
    }

    /** An empty repository: no commit at all. */
    static Git emptyRepository(Path dir) throws GitAPIException {
        return Git.init().setDirectory(dir.toFile()).setInitialBranch("main").call();
    }

    static String lines(int from, int to) {
        StringBuilder text = new StringBuilder();
        for (int i = from; i <= to; i++) {
            text.append("line ").append(i).append('\n');
        }
        return text.toString();
    }

    static void write(Path file, String content) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, content, StandardCharsets.UTF_8);
    }

    static String read(Path file) throws IOException {
        return Files.readString(file, StandardCharsets.UTF_8);
    }

    static RevCommit commitAll(Git git, String message) throws GitAPIException {
        git.add().addFilepattern(".").setAll(true).call();
        return git.commit().setMessage(message).setSign(false).call();
    }

    /** Writes files and commits them on the branch checked out. */
    static RevCommit commitFiles(Git git, String message, Map<String, String> files)
            throws GitAPIException, IOException {
        Path workTree = git.getRepository().getWorkTree().toPath();
        for (Map.Entry<String, String> file : files.entrySet()) {
            write(workTree.resolve(file.getKey()), file.getValue());
        }
        return commitAll(git, message);
    }

    /** A bare repository, added to {@code git} as {@code origin} and given the branch checked out. */
    static Git bareOrigin(Git git, Path dir) throws GitAPIException, IOException, java.net.URISyntaxException {
        Git bare = Git.init().setBare(true).setDirectory(dir.toFile()).setInitialBranch("main").call();
        git.remoteAdd().setName("origin").setUri(new URIish(dir.toUri().toURL())).call();
        String branch = git.getRepository().getFullBranch();
        git.push().setRemote("origin").setRefSpecs(new RefSpec(branch + ":" + branch)).call();
        git.fetch().setRemote("origin").setRefSpecs(new RefSpec("+refs/heads/*:refs/remotes/origin/*")).call();
        return bare;
    }

    static ObjectId resolve(Repository repo, String revision) throws IOException {
        return repo.resolve(revision);
    }

    static Repository open(Path gitDir) throws IOException {
        return new FileRepositoryBuilder().setGitDir(gitDir.toFile()).setMustExist(true).build();
    }

    static RevCommit commit(Repository repo, ObjectId id) throws IOException {
        try (RevWalk walk = new RevWalk(repo)) {
            RevCommit commit = walk.parseCommit(id);
            walk.parseBody(commit);
            return commit;
        }
    }

    /** Every ref of a repository and what it points to (symbolic refs by target name). */
    static Map<String, String> refs(Repository repo) throws IOException {
        Map<String, String> refs = new TreeMap<>();
        for (Ref ref : repo.getRefDatabase().getRefs()) {
            refs.put(ref.getName(), ref.isSymbolic() ? "-> " + ref.getTarget().getName()
                    : String.valueOf(ref.getObjectId() == null ? null : ref.getObjectId().name()));
        }
        Ref head = repo.exactRef(Constants.HEAD);
        refs.put(Constants.HEAD, head == null ? "none" : head.isSymbolic() ? "-> " + head.getTarget().getName()
                : head.getObjectId().name());
        return refs;
    }

    /** Every file of a directory tree (outside .git directories) with a digest of its content. */
    static Map<String, String> files(Path dir) throws IOException {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : (Iterable<Path>) paths::iterator) {
                Path relative = dir.relativize(path);
                if (relative.toString().isEmpty() || relative.startsWith(".git")
                        || !Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                files.put(relative.toString(), digest(Files.readAllBytes(path)));
            }
        }
        return files;
    }

    static String digest(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs the git command line and returns stdout; fails the test unless it exits with 0. */
    static String git(Path dir, String... args) {
        List<String> command = new ArrayList<>();
        command.add("git");
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
        builder.environment().put("LC_ALL", "C");
        builder.environment().put("GIT_TERMINAL_PROMPT", "0");
        try {
            Process process = builder.start();
            process.getOutputStream().close();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            Thread drain = new Thread(() -> {
                try (InputStream in = process.getErrorStream()) {
                    in.transferTo(err);
                } catch (IOException ignored) {
                    // the process ended
                }
            });
            drain.start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(process.waitFor(2, TimeUnit.MINUTES)).as("%s finished", command).isTrue();
            drain.join();
            assertThat(process.exitValue()).as("%s in %s: %s", command, dir, err.toString(StandardCharsets.UTF_8))
                    .isZero();
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
