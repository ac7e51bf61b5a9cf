package dev.agentpipeline.stages;

import dev.agentpipeline.spi.Stage;
import dev.agentpipeline.spi.StageContext;
import dev.agentpipeline.spi.StageOutcome;

import org.apiguardian.api.API;

import java.nio.file.Path;
import java.util.Objects;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * A stage that replays outcomes from a {@link Scenario}: for dry runs of a pipeline definition (does the
 * pipeline do what you expect on a NO-GO, a FAIL, a rate limit?), for demos, and for tests. Id
 * {@value #ID}.
 *
 * <p>Bound to several states at once, it answers each with the scenario's entry for that state, visit and
 * attempt. Created by {@link java.util.ServiceLoader}, it reads the scenario named by the run's input
 * {@value #INPUT} (a path, relative to the stage's workspace); created with {@link #ScriptedStage(Scenario)}, it
 * replays the given one.
 *
 * <pre>{@code
 * Scenario scenario = Scenario.load(Path.of("dry-run.yaml"));
 * StageRegistry stages = StageRegistry.of(new ScriptedStage(scenario));
 * PipelineDefinition dryRun = StoryPipeline.definition()
 *         .withStagePlugin("STAGE_0", ScriptedStage.ID).withStagePlugin("STAGE_1", ScriptedStage.ID)
 *         .withStagePlugin("STAGE_2", ScriptedStage.ID).withStagePlugin("STAGE_3", ScriptedStage.ID);
 * }</pre>
 *
 * <p>A state the scenario does not script fails with a message naming the state and the scenario's states.
 * Thread-safe.
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class ScriptedStage implements Stage {

    /** The plugin id. */
    public static final String ID = "pipeline-scripted";
    /** The input that names the scenario file when the scenario is not given to the constructor. */
    public static final String INPUT = "scenario_file";

    private final Scenario scenario;

    /** For {@link java.util.ServiceLoader}: reads the scenario from the run's {@value #INPUT} input. */
    public ScriptedStage() {
        this.scenario = null;
    }

    /**
     * @param scenario the outcomes to replay
     */
    public ScriptedStage(Scenario scenario) {
        this.scenario = Objects.requireNonNull(scenario, "scenario");
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String description() {
        return "Replays outcomes from a scenario file (dry runs, demos, tests)";
    }

    @Override
    public StageOutcome run(StageContext context) {
        Scenario script = scenario;
        if (script == null) {
            Object file = context.input(INPUT).orElseThrow(() -> new IllegalArgumentException("Stage " + ID
                    + " needs the input '" + INPUT + "' naming a scenario file, or a Scenario given to its"
                    + " constructor"));
            script = Scenario.load(context.workspace().resolve(Path.of(file.toString())));
        }
        Scenario chosen = script;
        return chosen.outcome(context.stateId(), context.visit(), context.attempt())
                .orElseThrow(() -> new IllegalArgumentException("The scenario scripts no outcome for state "
                        + context.stateId() + "; it scripts " + String.join(", ", chosen.states())));
    }
}
