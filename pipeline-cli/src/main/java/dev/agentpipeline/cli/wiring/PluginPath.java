package dev.agentpipeline.cli.wiring;

import dev.agentpipeline.spi.Stage;
import dev.agentpipeline.spi.evidence.EvidenceCollector;
import dev.agentpipeline.spi.tracker.TrackerFactory;
import dev.agentpipeline.spi.workspace.WorkspaceProviderFactory;

import org.apiguardian.api.API;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;

import static org.apiguardian.api.API.Status.INTERNAL;

/**
 * The plugin jars of one command-line call and the class loader that loads them: a child of the command line's own
 * loader ({@link URLClassLoader}), which every {@link java.util.ServiceLoader} lookup of the call uses (stages,
 * evidence collectors, trackers, workspace providers). Without plugin jars the loader is the command line's own.
 *
 * <table>
 *   <caption>Sources, in the order the loader reads them</caption>
 *   <tr><th>source</th><th>value</th><th>relative to</th></tr>
 *   <tr><td>{@value #OPTION}</td><td>jars or directories of jars, separated by {@code :} ({@code ;} on Windows)</td>
 *       <td>the working directory</td></tr>
 *   <tr><td>{@value CliSettings#PLUGIN_PATH_ENV}</td><td>the same</td><td>the working directory</td></tr>
 *   <tr><td>{@value #FOLDER}</td><td>every {@code *.jar} in it, by name</td><td>the project directory</td></tr>
 * </table>
 *
 * <p>{@link #resolve} checks everything it can before a command runs: each entry exists and is a jar (a zip), and
 * every class a jar lists in {@code META-INF/services/} for one of the plugin interfaces can be loaded and
 * implements it. Each problem is an {@link InvalidSettingsException} that names the entry and where it came from.
 * Two plugins with one id are found when the stages are loaded ({@link dev.agentpipeline.spi.StageRegistry}, whose
 * message names both classes and their jars).
 *
 * <pre>{@code
 * try (PluginPath plugins = PluginPath.resolve(workingDir, project, "acme-stages.jar", System.getenv())) {
 *     StageRegistry stages = StageRegistry.load(plugins.classLoader());
 * }
 * }</pre>
 *
 * <p>Not thread-safe to close while in use; {@link #close()} closes the jars (a call's last step).
 *
 * @since 0.1
 */
@API(status = INTERNAL, since = "0.1")
public final class PluginPath implements AutoCloseable {

    /** The global option naming plugin jars. */
    public static final String OPTION = "--plugin-path";
    /** The project's folder of plugin jars, relative to the project directory. */
    public static final String FOLDER = ".pipeline/plugins";

    /** The plugin interfaces whose {@code META-INF/services/} lists are checked. */
    static final List<Class<?>> SERVICES = List.of(Stage.class, EvidenceCollector.class, TrackerFactory.class,
            WorkspaceProviderFactory.class);

    private static final String SERVICES_DIR = "META-INF/services/";
    private static final PluginPath NONE = new PluginPath(List.of(), null);

    /**
     * One plugin jar.
     *
     * @param jar the jar, absolute and normalised
     * @param origin where it was named: {@value #OPTION}, {@value CliSettings#PLUGIN_PATH_ENV} or the folder
     */
    public record Jar(Path jar, String origin) {
        /** Validates. */
        public Jar {
            Objects.requireNonNull(jar, "jar");
            Objects.requireNonNull(origin, "origin");
        }
    }

    private final List<Jar> jars;
    private final URLClassLoader loader;

    private PluginPath(List<Jar> jars, URLClassLoader loader) {
        this.jars = List.copyOf(jars);
        this.loader = loader;
    }

    /** @return no plugin jars: the command line's own class loader */
    public static PluginPath none() {
        return NONE;
    }

    /**
     * Finds, checks and loads the plugin jars of a call.
     *
     * @param workingDir the directory the command runs in (option and variable entries are relative to it)
     * @param project the project directory (its {@value #FOLDER} folder is read)
     * @param option the {@value #OPTION} value, or null
     * @param variable the {@value CliSettings#PLUGIN_PATH_ENV} value, or null
     * @return the plugin path, {@link #none()} when no source names a jar
     * @throws InvalidSettingsException naming the entry, its source and how to fix it: a path that does not exist
     *     or is not a jar ({@code invalid_plugin_path}), a jar whose service list names a class that cannot be loaded
     *     ({@code invalid_plugin})
     */
    public static PluginPath resolve(Path workingDir, Path project, String option, String variable)
            throws InvalidSettingsException {
        List<Jar> jars = new ArrayList<>();
        entries(jars, workingDir, option, OPTION);
        entries(jars, workingDir, variable, CliSettings.PLUGIN_PATH_ENV);
        Path folder = project.resolve(FOLDER);
        if (Files.isDirectory(folder)) {
            jarsIn(jars, folder, FOLDER + "/");
        }
        if (jars.isEmpty()) {
            return NONE;
        }
        List<Jar> unique = new ArrayList<>();
        Set<Path> seen = new HashSet<>();
        for (Jar jar : jars) {
            Path key;
            try {
                key = jar.jar().toRealPath();
            } catch (IOException e) {
                key = jar.jar();
            }
            if (seen.add(key)) {
                unique.add(jar);
            }
        }
        URL[] urls = new URL[unique.size()];
        for (int i = 0; i < urls.length; i++) {
            try {
                urls[i] = unique.get(i).jar().toUri().toURL();
            } catch (MalformedURLException e) {
                throw new InvalidSettingsException("invalid_plugin_path", "The plugin jar " + unique.get(i).jar()
                        + " (" + unique.get(i).origin() + ") has no URL: " + e.getMessage(), "Name the jar by"
                        + " another path.");
            }
        }
        URLClassLoader loader = new URLClassLoader("pipeline-plugins", urls, PluginPath.class.getClassLoader());
        PluginPath plugins = new PluginPath(unique, loader);
        try {
            for (Jar jar : unique) {
                checkServices(jar, loader);
            }
        } catch (InvalidSettingsException | RuntimeException e) {
            plugins.close();
            throw e;
        }
        return plugins;
    }

    private static void entries(List<Jar> jars, Path workingDir, String value, String origin)
            throws InvalidSettingsException {
        if (value == null || value.isBlank()) {
            return;
        }
        String separator = java.io.File.pathSeparator;
        int start = 0;
        while (start <= value.length()) {
            int end = value.indexOf(separator, start);
            if (end < 0) {
                end = value.length();
            }
            String entry = value.substring(start, end).trim();
            start = end + separator.length();
            if (entry.isEmpty()) {
                continue;
            }
            Path path;
            try {
                path = workingDir.resolve(Path.of(entry)).toAbsolutePath().normalize();
            } catch (InvalidPathException e) {
                throw new InvalidSettingsException("invalid_plugin_path", "The plugin path entry '" + entry
                        + "' of " + origin + " is not a valid path: " + e.getReason(), fix(origin));
            }
            if (!Files.exists(path)) {
                throw new InvalidSettingsException("invalid_plugin_path", "The plugin path entry '" + entry
                        + "' of " + origin + " does not exist (" + path + ")", fix(origin));
            }
            if (Files.isDirectory(path)) {
                jarsIn(jars, path, origin);
            } else {
                checkZip(path, "The plugin path entry '" + entry + "' of " + origin, origin);
                jars.add(new Jar(path, origin));
            }
        }
    }

    /** Every {@code *.jar} of a directory, by name; not its subdirectories. */
    private static void jarsIn(List<Jar> jars, Path dir, String origin) throws InvalidSettingsException {
        List<Path> found = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.jar")) {
            for (Path file : files) {
                if (Files.isRegularFile(file)) {
                    found.add(file.toAbsolutePath().normalize());
                }
            }
        } catch (IOException e) {
            throw new InvalidSettingsException("invalid_plugin_path", "Cannot list the plugin jars of " + dir + " ("
                    + origin + "): " + e.getMessage(), "Make the directory readable, or name its jars one by one.");
        }
        found.sort(null);
        for (Path file : found) {
            checkZip(file, "The plugin jar " + file.getFileName() + " in " + dir + " (" + origin + ")", origin);
            jars.add(new Jar(file, origin));
        }
    }

    private static void checkZip(Path file, String what, String origin) throws InvalidSettingsException {
        try (JarFile jar = new JarFile(file.toFile())) {
            jar.size();
        } catch (ZipException e) {
            throw new InvalidSettingsException("invalid_plugin_path", what + " is not a jar (" + file + ": "
                    + e.getMessage() + ")", fix(origin));
        } catch (IOException | SecurityException e) {
            throw new InvalidSettingsException("invalid_plugin_path", what + " cannot be read (" + file + ": "
                    + e.getMessage() + ")", fix(origin));
        }
    }

    private static String fix(String origin) {
        if (origin.startsWith(FOLDER)) {
            return "Remove the file from " + FOLDER + "/ of the project, or replace it with the plugin's jar (every"
                    + " *.jar there is loaded).";
        }
        return "Fix " + origin + ": a list of plugin jars or directories of jars, separated by '"
                + java.io.File.pathSeparator + "', for example " + (origin.equals(OPTION) ? OPTION + " " : origin
                + "=") + "build/libs/acme-stages.jar; relative paths start at the working directory.";
    }

    /** Loads every class a jar lists for a plugin interface: a missing one is an error naming the jar. */
    private static void checkServices(Jar jar, ClassLoader loader) throws InvalidSettingsException {
        try (JarFile file = new JarFile(jar.jar().toFile())) {
            for (Class<?> service : SERVICES) {
                ZipEntry list = file.getEntry(SERVICES_DIR + service.getName());
                if (list == null) {
                    continue;
                }
                for (String name : providers(file, list)) {
                    checkProvider(jar, service, name, loader);
                }
            }
        } catch (IOException e) {
            throw new InvalidSettingsException("invalid_plugin_path", "The plugin jar " + jar.jar().getFileName()
                    + " (" + jar.origin() + ") cannot be read: " + e.getMessage(), fix(jar.origin()));
        }
    }

    private static List<String> providers(JarFile file, ZipEntry list) throws IOException {
        List<String> names = new ArrayList<>();
        try (InputStream in = file.getInputStream(list);
             BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                int comment = line.indexOf('#');
                String name = (comment >= 0 ? line.substring(0, comment) : line).trim();
                if (!name.isEmpty()) {
                    names.add(name);
                }
            }
        }
        return names;
    }

    private static void checkProvider(Jar jar, Class<?> service, String name, ClassLoader loader)
            throws InvalidSettingsException {
        String where = "The plugin jar " + jar.jar().getFileName() + " (" + jar.origin() + ", " + jar.jar()
                + ") lists " + name + " in " + SERVICES_DIR + service.getName();
        Class<?> type;
        try {
            type = Class.forName(name, false, loader);
        } catch (ClassNotFoundException | LinkageError e) {
            throw new InvalidSettingsException("invalid_plugin", where + ", but that class cannot be loaded: " + e,
                    "Rebuild the jar so that it contains " + name + " and the classes it needs (put the jars it"
                            + " depends on on the plugin path too), or remove the line from " + SERVICES_DIR
                            + service.getName() + ".");
        }
        if (!service.isAssignableFrom(type)) {
            throw new InvalidSettingsException("invalid_plugin", where + ", but that class does not implement "
                    + service.getName(), "List only implementations of " + service.getName() + " in "
                    + SERVICES_DIR + service.getName() + ", or build the plugin against this pipeline's SPI.");
        }
    }

    /** @return the plugin jars, in the order the loader reads them; empty without plugins */
    public List<Jar> jars() {
        return jars;
    }

    /** @return whether a source named at least one jar */
    public boolean isEmpty() {
        return jars.isEmpty();
    }

    /** @return the loader of the plugin jars (a child of the command line's), or the command line's own without */
    public ClassLoader classLoader() {
        return loader != null ? loader : PluginPath.class.getClassLoader();
    }

    /**
     * Where a jar of this path came from, for messages.
     *
     * @param location a class's code source location, as {@link java.security.CodeSource#getLocation()} gives it
     * @return the jar and its source, for example {@code acme.jar from --plugin-path}, or null when it is none of
     *     these jars
     */
    public String describe(URL location) {
        if (location == null) {
            return null;
        }
        for (Jar jar : jars) {
            try {
                if (jar.jar().toUri().toURL().equals(location)) {
                    return jar.jar().getFileName() + " from " + jar.origin();
                }
            } catch (MalformedURLException e) {
                // not this one
            }
        }
        return null;
    }

    /** Closes the jars of the loader; a no-op without plugins. Classes not yet loaded cannot be loaded after. */
    @Override
    public void close() {
        if (loader != null) {
            try {
                loader.close();
            } catch (IOException ignored) {
                // the jars are read-only: nothing is lost
            }
        }
    }

    @Override
    public String toString() {
        return "PluginPath" + jars;
    }
}
