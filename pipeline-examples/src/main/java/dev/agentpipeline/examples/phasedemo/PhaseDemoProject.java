package dev.agentpipeline.examples.phasedemo;

import org.apiguardian.api.API;
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
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * The phase demo's sample project: a small Java project without a build tool in a git repository (branch
 * {@value #BASE_BRANCH}), the feature its phases build ({@code docs/feature.md}), and one example agent per phase -
 * POSIX scripts in {@code agents/} that the command stage runs and that write their phase signals into
 * {@code .taskmaster/.signals/}. Each phase works in a git worktree of its own ({@code core.phase.PhaseWorkspaces}),
 * so the scripts find everything they need in what the earlier phases committed. Paths are relative to the project
 * directory.
 *
 * <pre>
 * .agent-pipeline-phase-demo   marks the directory as a phase demo project, so later runs reuse it
 * docs/feature.md              the feature: greet users by name (one criterion leaves a decision open)
 * agents/phase5-decompose.sh   phase 5: tasks into .taskmaster/tasks/tasks.json
 * agents/phase6-specs.sh       phase 6: specs into docs/specs/ (its first visit times out: a transient error)
 * agents/phase7-implement.sh   phase 7: asks how a blank name is handled, then writes the code and tests and
 *                              measures them with agents/test.sh (JaCoCo), keeping the reports in reports/phase7/
 * agents/phase9-integration.sh phase 9: integration points from the sources, tested per phase 7's test reports
 * agents/phase10-validate.sh   phase 10: the command line end to end and a readiness score
 * agents/deploy.sh             the stub deployment pipeline's stage: a jar in releases/
 * agents/build.sh              compiles the classes and the command line (phase 10 and the deployment)
 * agents/install.sh, fix.sh    the recoveries (dependency install, fix cycle) every phase is bound to
 * agents/signal.sh             sourced by the agents: writes a phase signal
 * agents/test.sh               builds and tests the project with a JDK alone (the demo's)
 * tools/TestRunner.java        the project's small test runner (the demo's)
 * tools/GreetCli.java          the project's command line, which phase 10 runs
 * src/main/java/demo/Names.java existing code, with its test
 * </pre>
 *
 * <p>The files are resources: the phase demo's own under {@code phasedemo/sample/}, and those it shares with the
 * story demo under {@code demo/sample/}. Not thread-safe: one phase demo at a time per directory.
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class PhaseDemoProject {

    /** The file that marks a directory as a phase demo project. */
    public static final String MARKER = ".agent-pipeline-phase-demo";
    /** The branch of the sample project. */
    public static final String BASE_BRANCH = "main";
    /** The subject of the demo's runs: what the phases build. */
    public static final String SUBJECT = "greeting";
    /** The title of the demo's runs. */
    public static final String TITLE = "Greet users by name";

    private static final String OWN = "/dev/agentpipeline/examples/phasedemo/sample/";
    private static final String SHARED = "/dev/agentpipeline/examples/demo/sample/";
    private static final String AUTHOR = "Agent Pipeline phase demo";

    /** The sample's files: resource to path in the project. */
    private static final Map<String, String> FILES = files();

    private PhaseDemoProject() {
    }

    private static Map<String, String> files() {
        Map<String, String> files = new LinkedHashMap<>();
        files.put(OWN + "agent-pipeline-phase-demo", MARKER);
        files.put(OWN + "gitignore", ".gitignore");
        files.put(OWN + "README.md", "README.md");
        files.put(OWN + "docs/feature.md", "docs/feature.md");
        for (String agent : new String[] {"signal.sh", "phase5-decompose.sh", "phase6-specs.sh", "phase7-implement.sh",
                "phase9-integration.sh", "phase10-validate.sh", "deploy.sh", "install.sh", "fix.sh", "build.sh"}) {
            files.put(OWN + "agents/" + agent, "agents/" + agent);
        }
        files.put(OWN + "tools/GreetCli.java", "tools/GreetCli.java");
        files.put(SHARED + "agents/test.sh", "agents/test.sh");
        files.put(SHARED + "tools/TestRunner.java", "tools/TestRunner.java");
        files.put(SHARED + "src/main/java/demo/Names.java", "src/main/java/demo/Names.java");
        files.put(SHARED + "src/test/java/demo/NamesTest.java", "src/test/java/demo/NamesTest.java");
        files.put(SHARED + "src/test/java/demo/Check.java", "src/test/java/demo/Check.java");
        return Map.copyOf(files);
    }

    /**
     * Makes the directory ready: a new or empty directory gets the sample project (a new git repository with one
     * commit); the project of an earlier phase demo is reused as it is (its runs, finished or not, are in
     * {@code .pipeline/}).
     *
     * @param dir the project directory
     * @return whether the project was created by this call
     * @throws IllegalArgumentException if the directory is not empty and not a phase demo project
     */
    public static boolean prepare(Path dir) {
        try {
            if (!Files.isDirectory(dir) || isEmpty(dir)) {
                create(dir);
                return true;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create the phase demo project in " + dir, e);
        }
        if (!Files.isRegularFile(dir.resolve(MARKER)) || !Files.isDirectory(dir.resolve(".git"))) {
            throw new IllegalArgumentException("The phase demo directory " + dir + " is not empty and is not a phase"
                    + " demo project (it has no " + MARKER + " and .git); pass a new or empty directory, or one an"
                    + " earlier phase demo created");
        }
        return false;
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (var entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        }
    }

    private static void create(Path dir) throws IOException {
        for (Map.Entry<String, String> file : FILES.entrySet()) {
            Path target = dir.resolve(file.getValue());
            try (InputStream in = PhaseDemoProject.class.getResourceAsStream(file.getKey())) {
                Objects.requireNonNull(in, () -> "resource " + file.getKey());
                Files.createDirectories(target.getParent());
                Files.writeString(target, new String(in.readAllBytes(), StandardCharsets.UTF_8), StandardCharsets.UTF_8);
            }
            if (file.getValue().endsWith(".sh")) {
                Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
        }
        PersonIdent author = new PersonIdent(AUTHOR, "demo@agentpipeline.dev");
        try (Git git = Git.init().setDirectory(dir.toFile()).setInitialBranch(BASE_BRANCH).call()) {
            git.add().addFilepattern(".").call();
            git.commit().setMessage("Greeting service: the sample project of the Agent Pipeline phase demo")
                    .setAuthor(author).setCommitter(author).setSign(false).call();
        } catch (GitAPIException e) {
            throw new IllegalStateException("Cannot commit the phase demo project in " + dir + ": " + e.getMessage(),
                    e);
        }
    }
}
