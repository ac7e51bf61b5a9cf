package dev.agentpipeline.core.phase;

import dev.agentpipeline.core.engine.RunListener;
import dev.agentpipeline.core.internal.Json;
import dev.agentpipeline.core.internal.Times;
import dev.agentpipeline.core.run.RunEvent;
import dev.agentpipeline.core.run.RunState;
import dev.agentpipeline.core.store.SharedFiles;

import org.apiguardian.api.API;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * Intra-phase checkpoints of the phase pipeline: what a phase's agent saves while it works (the current operation,
 * the completed and pending ones, the command that resumes it), checked and mirrored as the phase pipeline
 * orchestrator's files {@code .taskmaster/.checkpoints/phaseN-checkpoint-M.json}. The journal is the truth (a
 * {@code PROGRESS_SAVED} event); after a crash the phase's stage gets its newest checkpoint back
 * ({@code StageContext.progress()}, the command stage's {@code {progress_file}}); the files are a view for people and
 * for agents written for the original layout.
 *
 * <pre>{@code
 * runtime.addListener(PhaseCheckpoints.mirror(projectDir.resolve(PhaseCheckpoints.DIRECTORY)));
 * }</pre>
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class PhaseCheckpoints {

    /** Where the original layout keeps them, relative to the project. */
    public static final String DIRECTORY = ".taskmaster/.checkpoints";

    private static final Logger LOG = LoggerFactory.getLogger(PhaseCheckpoints.class);

    private PhaseCheckpoints() {
    }

    /**
     * What is wrong with a phase checkpoint: {@code state} with {@code current_operation} (text),
     * {@code completed_operations} and {@code pending_operations} (lists of texts), and {@code resume_command} (text).
     *
     * @param checkpoint the saved progress
     * @return the problems, each with its JSON path; empty when it is a phase checkpoint
     */
    public static List<String> problems(Map<String, Object> checkpoint) {
        List<String> problems = new ArrayList<>();
        if (!(checkpoint.get("state") instanceof Map<?, ?> state)) {
            problems.add("$.state must be an object with current_operation, completed_operations and"
                    + " pending_operations");
        } else {
            if (!(state.get("current_operation") instanceof String)) {
                problems.add("$.state.current_operation must be a text");
            }
            for (String list : List.of("completed_operations", "pending_operations")) {
                if (!(state.get(list) instanceof List<?> items) || items.stream().anyMatch(i -> !(i instanceof String))) {
                    problems.add("$.state." + list + " must be a list of texts");
                }
            }
        }
        if (!(checkpoint.get("resume_command") instanceof String)) {
            problems.add("$.resume_command must be a text");
        }
        return problems;
    }

    /**
     * @param directory where to mirror the checkpoints ({@code <project>/.taskmaster/.checkpoints})
     * @return a listener that writes {@code phaseN-checkpoint-M.json} (M counts the phase's checkpoints in the run)
     *     atomically for every progress a phase of the phase pipeline saves; a file it cannot write is logged, never
     *     raised into the run
     */
    public static RunListener mirror(Path directory) {
        Objects.requireNonNull(directory, "directory");
        return (event, state) -> {
            if (!(event instanceof RunEvent.ProgressSaved saved) || !PhasePipeline.ID.equals(state.pipelineId())) {
                return;
            }
            Optional<Phase> phase = Phase.of(saved.stateId());
            if (phase.isEmpty()) {
                return;
            }
            int number = count(state, saved.stateId());
            Map<String, Object> file = new LinkedHashMap<>();
            file.put("phase", phase.get().number());
            file.put("checkpoint_number", number);
            file.put("created_at", Times.format(saved.at()));
            file.put("run_id", state.runId());
            saved.snapshot().forEach(file::putIfAbsent);
            Path target = directory.resolve("phase" + phase.get().number() + "-checkpoint-" + number + ".json");
            try {
                java.nio.file.Files.createDirectories(directory);
                SharedFiles.replace(target, (Json.pretty(file) + "\n").getBytes(StandardCharsets.UTF_8));
            } catch (IOException | RuntimeException e) {
                LOG.warn("Cannot mirror the checkpoint of {} to {}: {}", saved.stateId(), target, e.toString());
            }
        };
    }

    /** How many progress snapshots the state's phase saved in the run, this one included. */
    private static int count(RunState state, String stateId) {
        return state.progressCount(stateId);
    }
}
