package dev.agentpipeline.core.engine;

import dev.agentpipeline.core.run.Attempt;
import dev.agentpipeline.core.run.RunState;
import dev.agentpipeline.spi.JsonValues;
import dev.agentpipeline.spi.StageContext;
import dev.agentpipeline.spi.StageOutcome;
import dev.agentpipeline.spi.StageProgress;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

/** The {@link StageContext} the orchestrator gives a stage attempt. */
final class RuntimeStageContext implements StageContext {

    private final PipelineRuntime runtime;
    private final RunState run;
    private final Attempt attempt;
    private final Path workspace;
    private final Map<String, Object> inputs;
    private final BooleanSupplier cancelled;
    private final AtomicReference<Map<String, Object>> lastProgress;
    private final Map<String, Object> settings;
    private final Path attemptDirectory;

    RuntimeStageContext(PipelineRuntime runtime, RunState run, Attempt attempt, Path workspace,
                        Map<String, Object> inputs, BooleanSupplier cancelled) {
        this(runtime, run, attempt, workspace, inputs, cancelled, Map.of(), null);
    }

    RuntimeStageContext(PipelineRuntime runtime, RunState run, Attempt attempt, Path workspace,
                        Map<String, Object> inputs, BooleanSupplier cancelled, Map<String, Object> settings,
                        Path attemptDirectory) {
        this.settings = JsonValues.copyOfMap(settings);
        this.attemptDirectory = attemptDirectory;
        this.runtime = runtime;
        this.run = run;
        this.attempt = attempt;
        this.workspace = workspace;
        this.inputs = JsonValues.copyOfMap(inputs);
        this.cancelled = cancelled;
        this.lastProgress = new AtomicReference<>(run.freshProgress(attempt.stateId()).orElse(null));
    }

    @Override
    public String runId() {
        return run.runId();
    }

    @Override
    public String pipelineId() {
        return run.pipelineId();
    }

    @Override
    public String subjectId() {
        return run.subjectId();
    }

    @Override
    public String subjectTitle() {
        return run.title();
    }

    @Override
    public String stateId() {
        return attempt.stateId();
    }

    @Override
    public int attempt() {
        return attempt.number();
    }

    @Override
    public int visit() {
        return Math.max(1, run.visitCount(attempt.stateId()));
    }

    @Override
    public String attemptId() {
        return attempt.attemptId();
    }

    @Override
    public Path workspace() {
        return workspace;
    }

    @Override
    public Map<String, Object> inputs() {
        return inputs;
    }

    @Override
    public Optional<StageOutcome> previousOutcome(String stateId) {
        return run.latestOutcome(stateId);
    }

    @Override
    public StageProgress progress() {
        return new StageProgress() {
            @Override
            public Optional<Map<String, Object>> last() {
                return Optional.ofNullable(lastProgress.get());
            }

            @Override
            public void save(Map<String, ?> snapshot) {
                Map<String, Object> copy = JsonValues.copyOfMap(snapshot);
                runtime.saveProgress(run.runId(), attempt.attemptId(), copy);
                lastProgress.set(copy);
            }
        };
    }

    @Override
    public boolean isCancelled() {
        return cancelled.getAsBoolean();
    }

    @Override
    public Clock clock() {
        return runtime.clock();
    }

    @Override
    public Map<String, Object> settings() {
        return settings;
    }

    @Override
    public Optional<Path> attemptDirectory() {
        return Optional.ofNullable(attemptDirectory);
    }
}
