package dev.agentpipeline.core.worker;

import dev.agentpipeline.core.engine.PipelineRuntime;
import dev.agentpipeline.core.engine.RunListener;
import dev.agentpipeline.core.run.Ids;
import dev.agentpipeline.core.run.RunEvent;
import dev.agentpipeline.core.run.RunState;

import org.apiguardian.api.API;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * Tells a worker in another process that a run may move now: an empty file {@code <wake dir>/<run id>} that the
 * worker watches for (and removes), so that a decision taken or a run resumed by a command is acted on at once
 * rather than at the worker's next rescan. Install {@link #listener()} on a runtime that does not drive runs itself
 * (the command line's).
 *
 * <pre>{@code
 * PipelineRuntime runtime = PipelineRuntime.builder()
 *         .store(store)
 *         .listener(WakeUps.in(stateDirectory.resolve(WakeUps.DIRECTORY)).listener())
 *         .build();
 * }</pre>
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class WakeUps {

    /** The wake directory's name in a state directory ({@code .pipeline/wake}). */
    public static final String DIRECTORY = "wake";

    private static final Logger LOG = LoggerFactory.getLogger(WakeUps.class);

    private final Path directory;

    private WakeUps(Path directory) {
        this.directory = Objects.requireNonNull(directory, "directory");
    }

    /**
     * @param directory the wake directory
     * @return wake-ups written there
     */
    public static WakeUps in(Path directory) {
        return new WakeUps(directory);
    }

    /** @return the wake directory */
    public Path directory() {
        return directory;
    }

    /**
     * Asks the worker to look at a run now. Never fails: a wake-up that cannot be written is logged, and the
     * worker's rescan finds the change anyway.
     *
     * @param runId the run
     */
    public void wake(String runId) {
        try {
            Path file = directory.resolve(Ids.requireSafe("run id", runId));
            try {
                Files.createFile(file);
            } catch (java.nio.file.NoSuchFileException e) {
                Files.createDirectories(directory);
                Files.createFile(file);
            }
        } catch (FileAlreadyExistsException e) {
            // already asked
        } catch (IOException | RuntimeException e) {
            LOG.debug("Cannot write the wake-up of run {}: {}", runId, e.toString());
        }
    }

    /**
     * @return a listener that wakes a run when a decision is recorded, a signal received or the run resumed, and a
     *     parent when its child ends
     */
    public RunListener listener() {
        return (event, state) -> {
            if (wakes(event)) {
                wake(state.runId());
            }
            parentToWake(event, state).ifPresent(this::wake);
        };
    }

    /** Whether an event can let its run move: a decision, a signal, an escalation, a resume, a child's end. */
    static boolean wakes(RunEvent event) {
        return event instanceof RunEvent.DecisionRecorded || event instanceof RunEvent.SignalReceived
                || event instanceof RunEvent.GateEscalated || event instanceof RunEvent.ChildEnded
                || event instanceof RunEvent.Transitioned t && RunState.PAUSED.equals(t.from());
    }

    /** The parent of a run that just ended, whose state may now move. */
    static java.util.Optional<String> parentToWake(RunEvent event, RunState state) {
        boolean ended = event instanceof RunEvent.Ended || event instanceof RunEvent.Transitioned t && t.terminal();
        if (ended && state.manifest().get(PipelineRuntime.PARENT_RUN) instanceof String parent) {
            return java.util.Optional.of(parent);
        }
        return java.util.Optional.empty();
    }
}
