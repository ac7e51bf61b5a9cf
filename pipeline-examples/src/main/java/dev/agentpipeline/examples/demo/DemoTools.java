package dev.agentpipeline.examples.demo;

import dev.agentpipeline.examples.demo.agents.CoverageReport;

import org.apiguardian.api.API;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.CodeSource;
import java.util.LinkedHashSet;
import java.util.Set;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * What the demo's test script needs from the process that runs the demo: the JDK (its {@code javac} and
 * {@code java}), JaCoCo's agent jar, and the class path of {@link CoverageReport}. Handed to the script through
 * the command stage's {@code env} settings. The phase demo ({@code examples.phasedemo}) uses them too.
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class DemoTools {

    /** The agent jar, copied into this module's classes by the build (maven-dependency-plugin, copy-jacoco-agent). */
    public static final String AGENT_RESOURCE = "jacocoagent.jar";

    private DemoTools() {
    }

    /**
     * @return the JDK that runs this process
     * @throws IllegalStateException if it is a runtime without {@code javac}
     */
    public static Path javaHome() {
        Path home = Path.of(System.getProperty("java.home"));
        if (!Files.isExecutable(home.resolve("bin/javac"))) {
            throw new IllegalStateException("The demo compiles its sample project with javac, and " + home
                    + " (java.home) is a Java runtime without it; run the demo with a JDK 17 or newer (JAVA_HOME)");
        }
        return home;
    }

    /**
     * Extracts the agent jar into a directory (again only when it differs from the copy there).
     *
     * @param dir where to put it
     * @return the agent jar
     */
    public static Path agentJar(Path dir) {
        try (InputStream in = DemoTools.class.getResourceAsStream(AGENT_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("The JaCoCo agent (" + AGENT_RESOURCE + ") is not among the resources"
                        + " of " + DemoTools.class.getName() + "; build pipeline-examples with Maven, which copies it");
            }
            byte[] bytes = in.readAllBytes();
            Path jar = dir.resolve(AGENT_RESOURCE);
            if (Files.isRegularFile(jar) && java.util.Arrays.equals(Files.readAllBytes(jar), bytes)) {
                return jar;
            }
            Files.createDirectories(dir);
            Path temp = Files.createTempFile(dir, "jacocoagent", ".tmp");
            Files.write(temp, bytes);
            Files.move(temp, jar, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return jar;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot extract the JaCoCo agent into " + dir, e);
        }
    }

    /**
     * @return the class path {@link CoverageReport} runs with: the jars or directories of it, JaCoCo and ASM (one
     *     jar, the command line's, when it runs from {@code pipeline-cli.jar})
     */
    public static String coverageReportClassPath() {
        Set<String> entries = new LinkedHashSet<>();
        for (Class<?> type : new Class<?>[] {CoverageReport.class, org.jacoco.core.analysis.Analyzer.class,
                org.jacoco.report.xml.XMLFormatter.class, org.objectweb.asm.ClassReader.class,
                org.objectweb.asm.commons.AnalyzerAdapter.class, org.objectweb.asm.tree.ClassNode.class}) {
            CodeSource source = type.getProtectionDomain().getCodeSource();
            if (source == null || source.getLocation() == null) {
                throw new IllegalStateException("Cannot tell where " + type.getName() + " was loaded from");
            }
            try {
                entries.add(Path.of(source.getLocation().toURI()).toString());
            } catch (URISyntaxException e) {
                throw new IllegalStateException("Cannot tell where " + type.getName() + " was loaded from", e);
            }
        }
        return String.join(java.io.File.pathSeparator, entries);
    }
}
