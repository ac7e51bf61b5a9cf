package dev.agentpipeline.cli;

import dev.agentpipeline.spi.Stage;

import org.apiguardian.api.API;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/**
 * Builds small plugin jars for tests: Java sources compiled against the SPI of the test's class path, plus
 * {@code META-INF/services} lists, in a jar of their own.
 */
final class PluginJars {

    private PluginJars() {
    }

    /**
     * The source of a stage that writes {@code <id>.ran} into its workspace and completes with a PASS and a quality
     * score of 90 (what the quality gate's guard wants).
     *
     * @param packageName the package, for example {@code acme}
     * @param className the simple class name
     * @param id the stage id
     * @return the source
     */
    static String stageSource(String packageName, String className, String id) {
        return "package " + packageName + ";\n"
                + "public final class " + className + " implements dev.agentpipeline.spi.Stage {\n"
                + "  public String id() { return \"" + id + "\"; }\n"
                + "  public dev.agentpipeline.spi.StageOutcome run(dev.agentpipeline.spi.StageContext context)\n"
                + "      throws Exception {\n"
                + "    java.nio.file.Files.writeString(context.workspace().resolve(\"" + id + ".ran\"), \""
                + className + "\");\n"
                + "    return dev.agentpipeline.spi.StageOutcome.completed().verdict(\"PASS\")\n"
                + "        .score(\"quality_score\", 90).build();\n"
                + "  }\n"
                + "}\n";
    }

    /**
     * Compiles sources and writes them, with service lists, into a jar.
     *
     * @param dir where to compile (a temporary directory)
     * @param jar the jar to write
     * @param sources class name (qualified) to source
     * @param services service interface name to the lines of its list (may name classes that do not exist)
     * @return the jar
     */
    static Path build(Path dir, Path jar, java.util.Map<String, String> sources,
                             java.util.Map<String, String> services) throws IOException {
        Path src = Files.createTempDirectory(dir, "src");
        Path classes = Files.createTempDirectory(dir, "classes");
        List<String> args = new ArrayList<>(List.of("-d", classes.toString(), "-classpath", classPath(),
                "-proc:none", "-nowarn", "--release", "17"));
        for (java.util.Map.Entry<String, String> source : sources.entrySet()) {
            Path file = src.resolve(source.getKey().replace('.', '/') + ".java");
            Files.createDirectories(file.getParent());
            Files.writeString(file, source.getValue());
            args.add(file.toString());
        }
        if (!sources.isEmpty()) {
            JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
            ByteArrayOutputStream errors = new ByteArrayOutputStream();
            int exit = compiler.run(null, errors, errors, args.toArray(new String[0]));
            if (exit != 0) {
                throw new IllegalStateException("javac failed: " + errors.toString(StandardCharsets.UTF_8));
            }
        }
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file);
             Stream<Path> files = Files.walk(classes)) {
            for (Path path : (Iterable<Path>) files.filter(Files::isRegularFile).sorted()::iterator) {
                out.putNextEntry(new JarEntry(classes.relativize(path).toString().replace('\\', '/')));
                out.write(Files.readAllBytes(path));
                out.closeEntry();
            }
            for (java.util.Map.Entry<String, String> list : services.entrySet()) {
                out.putNextEntry(new JarEntry("META-INF/services/" + list.getKey()));
                out.write((list.getValue() + "\n").getBytes(StandardCharsets.UTF_8));
                out.closeEntry();
            }
        }
        return jar;
    }

    /**
     * A jar of one stage class, registered as a stage.
     *
     * @return the jar
     */
    static Path stageJar(Path dir, String jarName, String packageName, String className, String id)
            throws IOException {
        return build(dir, dir.resolve(jarName), java.util.Map.of(packageName + "." + className,
                stageSource(packageName, className, id)), java.util.Map.of(Stage.class.getName(),
                packageName + "." + className));
    }

    /** The SPI's and API Guardian's locations: what a plugin compiles against. */
    private static String classPath() {
        try {
            return Path.of(Stage.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                    + java.io.File.pathSeparator
                    + Path.of(API.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
