package dev.agentpipeline.guice;

import org.apiguardian.api.API;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * Where a pipeline runtime keeps its runs and how long it waits for a run's lock: the inputs of
 * {@link PipelineModule}. Immutable.
 *
 * <pre>{@code
 * PipelineSettings settings = PipelineSettings.forProject(Path.of("/work/my-app"));
 * // projectDir /work/my-app, stateDir /work/my-app/.pipeline, lockTimeout 30 s
 * }</pre>
 *
 * @param projectDir the project the runs belong to; absolute and normalized, never null
 * @param stateDir the directory of the run store ({@code <project>/.pipeline} by default); absolute and
 *     normalized, never null; it may not exist yet (the first write creates it)
 * @param lockTimeout how long a command waits for a run's lock; positive, never null
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public record PipelineSettings(Path projectDir, Path stateDir, Duration lockTimeout) {

    /** The directory under the project that holds the run store, unless configured otherwise. */
    public static final String DEFAULT_STATE_DIR = ".pipeline";

    /** How long a command waits for a run's lock, unless configured otherwise. */
    public static final Duration DEFAULT_LOCK_TIMEOUT = Duration.ofSeconds(30);

    /**
     * Validates and normalizes.
     *
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if the lock timeout is zero or negative
     */
    public PipelineSettings {
        projectDir = Objects.requireNonNull(projectDir, "projectDir").toAbsolutePath().normalize();
        stateDir = Objects.requireNonNull(stateDir, "stateDir").toAbsolutePath().normalize();
        Objects.requireNonNull(lockTimeout, "lockTimeout");
        if (lockTimeout.isZero() || lockTimeout.isNegative()) {
            throw new IllegalArgumentException("lockTimeout must be positive, got " + lockTimeout);
        }
    }

    /**
     * The defaults for a project: runs in {@code <project>/.pipeline}, a 30 second lock timeout.
     *
     * @param projectDir the project directory
     * @return the settings
     */
    public static PipelineSettings forProject(Path projectDir) {
        Path project = Objects.requireNonNull(projectDir, "projectDir").toAbsolutePath().normalize();
        return new PipelineSettings(project, project.resolve(DEFAULT_STATE_DIR), DEFAULT_LOCK_TIMEOUT);
    }
}
