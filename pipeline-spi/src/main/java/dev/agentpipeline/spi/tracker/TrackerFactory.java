package dev.agentpipeline.spi.tracker;

import org.apiguardian.api.API;

import java.nio.file.Path;
import java.util.Map;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * Opens {@link Tracker}s: how an implementation is found with {@link java.util.ServiceLoader} (list it in
 * {@code META-INF/services/dev.agentpipeline.spi.tracker.TrackerFactory}).
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public interface TrackerFactory {

    /** @return the implementation's id ({@code file}) */
    String id();

    /**
     * Opens the tracker of a project.
     *
     * @param projectDir the project's directory
     * @param settings the implementation's settings (documented by each), never null
     * @return the tracker
     * @throws TrackerException if a setting is invalid
     */
    Tracker open(Path projectDir, Map<String, String> settings);
}
