package dev.agentpipeline.examples.demo.agents;

import org.jacoco.core.analysis.Analyzer;
import org.jacoco.core.analysis.CoverageBuilder;
import org.jacoco.core.analysis.IBundleCoverage;
import org.jacoco.core.analysis.ICounter;
import org.jacoco.core.tools.ExecFileLoader;
import org.jacoco.report.DirectorySourceFileLocator;
import org.jacoco.report.IReportVisitor;
import org.jacoco.report.xml.XMLFormatter;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * A command-line program that writes a JaCoCo XML report (the {@code jacoco} evidence collector's input) from the
 * execution data a JaCoCo agent recorded ({@code jacoco.exec}) and the classes it measured, as JaCoCo's Maven
 * plugin's {@code report} goal does - without Maven. The demo's sample project runs it from its test script:
 *
 * <pre>
 * java -cp &lt;the command line's class path&gt; dev.agentpipeline.examples.demo.agents.CoverageReport \
 *     build/jacoco.exec build/classes src/main/java build/jacoco.xml build/coverage.env
 * </pre>
 *
 * <p>Besides the XML it writes the whole report's line and branch counters as shell variables
 * ({@code LINE_COVERED=12}, {@code LINE_MISSED=3}, {@code BRANCH_COVERED=...}, {@code BRANCH_MISSED=...}) for a script
 * to source, so a POSIX script can judge coverage without parsing XML. Both files are written to a temporary file
 * and renamed into place. A missing execution data file or classes directory is an error (exit status 1, the
 * exception on stderr).
 *
 * @since 0.1
 */
public final class CoverageReport {

    private CoverageReport() {
    }

    /**
     * Writes the report.
     *
     * @param args the execution data file, the classes directory, the sources directory, the XML report to write and
     *     the shell variables file to write
     * @throws IOException if a file cannot be read or written
     * @throws IllegalArgumentException if the arguments are not five, or the execution data or classes are missing
     */
    public static void main(String[] args) throws IOException {
        if (args.length != 5) {
            throw new IllegalArgumentException("Usage: CoverageReport <jacoco.exec> <classes dir> <sources dir>"
                    + " <report.xml> <coverage.env>; got " + args.length + " arguments");
        }
        Counters counters = write(Path.of(args[0]), Path.of(args[1]), Path.of(args[2]), Path.of(args[3]),
                Path.of(args[4]));
        if (counters.lineCovered() + counters.lineMissed() == 0) {
            throw new IllegalStateException("No lines to cover in " + args[1] + ": were the classes compiled with"
                    + " debug information (javac -g)?");
        }
    }

    /**
     * Writes the XML report and the shell variables.
     *
     * @param exec the execution data the agent wrote
     * @param classes the directory of the measured classes
     * @param sources the directory of their sources (for the report's source file names; may be absent)
     * @param xml the report to write
     * @param env the shell variables file to write
     * @return the report's line and branch counters
     * @throws IOException if a file cannot be read or written
     * @throws IllegalArgumentException if the execution data or the classes are missing
     */
    public static Counters write(Path exec, Path classes, Path sources, Path xml, Path env) throws IOException {
        if (!Files.isRegularFile(exec)) {
            throw new IllegalArgumentException("No execution data at " + exec + ": run the tests under the JaCoCo"
                    + " agent (-javaagent:jacocoagent.jar=destfile=" + exec + ") first");
        }
        if (!Files.isDirectory(classes)) {
            throw new IllegalArgumentException("No classes at " + classes + ": compile them first");
        }
        ExecFileLoader loader = new ExecFileLoader();
        loader.load(exec.toFile());
        CoverageBuilder coverage = new CoverageBuilder();
        new Analyzer(loader.getExecutionDataStore(), coverage).analyzeAll(classes.toFile());
        String name = xml.toAbsolutePath().getParent().getParent() != null
                ? String.valueOf(xml.toAbsolutePath().getParent().getParent().getFileName()) : "project";
        IBundleCoverage bundle = coverage.getBundle(name);

        Files.createDirectories(xml.toAbsolutePath().getParent());
        Path xmlTemp = xml.resolveSibling(xml.getFileName() + ".tmp");
        try (OutputStream out = Files.newOutputStream(xmlTemp)) {
            IReportVisitor visitor = new XMLFormatter().createVisitor(out);
            visitor.visitInfo(loader.getSessionInfoStore().getInfos(), loader.getExecutionDataStore().getContents());
            visitor.visitBundle(bundle, new DirectorySourceFileLocator(sources.toFile(), "UTF-8", 4));
            visitor.visitEnd();
        }
        Files.move(xmlTemp, xml, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);

        ICounter lines = bundle.getLineCounter();
        ICounter branches = bundle.getBranchCounter();
        Counters counters = new Counters(lines.getCoveredCount(), lines.getMissedCount(), branches.getCoveredCount(),
                branches.getMissedCount());
        Files.createDirectories(env.toAbsolutePath().getParent());
        Path envTemp = env.resolveSibling(env.getFileName() + ".tmp");
        Files.writeString(envTemp, "LINE_COVERED=" + counters.lineCovered() + "\nLINE_MISSED=" + counters.lineMissed()
                + "\nBRANCH_COVERED=" + counters.branchCovered() + "\nBRANCH_MISSED=" + counters.branchMissed() + "\n",
                StandardCharsets.UTF_8);
        Files.move(envTemp, env, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return counters;
    }

    /**
     * The whole report's line and branch counters.
     *
     * @param lineCovered lines with at least one instruction run
     * @param lineMissed lines with none run
     * @param branchCovered branches taken
     * @param branchMissed branches not taken
     * @since 0.1
     */
    public record Counters(int lineCovered, int lineMissed, int branchCovered, int branchMissed) {
    }
}
