package dev.agentpipeline.core.phase;

import dev.agentpipeline.core.definition.DefinitionException;
import dev.agentpipeline.core.definition.PipelineDefinition;
import dev.agentpipeline.core.definition.PipelineDefinitions;
import dev.agentpipeline.core.definition.StageBindings;
import dev.agentpipeline.core.guard.GuardRegistry;
import dev.agentpipeline.core.run.Ids;

import org.apiguardian.api.API;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * The pipelines a project can run besides the story pipeline, found by id when a run of them is first touched
 * (hand it to {@code PipelineRuntime.Builder.definitions}):
 * <ul>
 *   <li>the project's own definitions, {@code .pipeline/pipelines/<id>.yaml};</li>
 *   <li>else the shipped ones: the phase pipeline ({@value PhasePipeline#ID}, with the project's
 *       {@link PhaseConfig}) and the stub deployment pipeline ({@value PhasePipeline#DEPLOYMENT_STUB_ID});</li>
 *   <li>either way bound to plugins by the project's stage file {@code .pipeline/stages/<id>.yaml} when it has one
 *       (the format of {@code run --stages}).</li>
 * </ul>
 * A file that cannot be read is an error naming the file and every problem, not a pipeline that is silently
 * missing.
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class ProjectPipelines implements Function<String, Optional<PipelineDefinition>> {

    /** The project's definitions directory. */
    public static final String DEFINITIONS = ".pipeline/pipelines";
    /** The project's stage files directory. */
    public static final String STAGES = ".pipeline/stages";

    private final Path project;
    private final GuardRegistry guards;

    private ProjectPipelines(Path project, GuardRegistry guards) {
        this.project = Objects.requireNonNull(project, "project");
        this.guards = Objects.requireNonNull(guards, "guards");
    }

    /**
     * @param project the project directory
     * @return the pipelines of that project
     */
    public static ProjectPipelines of(Path project) {
        return new ProjectPipelines(project, GuardRegistry.empty());
    }

    /**
     * @param pipelineId a pipeline id
     * @return its definition bound to the project's plugins, or empty when the project has none of that id
     * @throws DefinitionException if the project's definition or stage file of that pipeline is invalid
     * @throws dev.agentpipeline.core.engine.PipelineException if {@code .pipeline/phase.conf} is invalid
     */
    @Override
    public Optional<PipelineDefinition> apply(String pipelineId) {
        if (!Ids.isSafe(pipelineId)) {
            return Optional.empty();
        }
        Path own = project.resolve(DEFINITIONS).resolve(pipelineId + ".yaml");
        PipelineDefinition definition;
        if (Files.isRegularFile(own)) {
            definition = PipelineDefinitions.fromYaml(own, guards);
        } else if (PhasePipeline.ID.equals(pipelineId)) {
            definition = PhasePipeline.definition(PhaseConfig.read(project).settings());
        } else if (PhasePipeline.DEPLOYMENT_STUB_ID.equals(pipelineId)) {
            definition = PhasePipeline.deploymentStub();
        } else {
            return Optional.empty();
        }
        Path stages = project.resolve(STAGES).resolve(pipelineId + ".yaml");
        if (Files.isRegularFile(stages)) {
            definition = StageBindings.fromYaml(stages).applyTo(definition);
        }
        return Optional.of(definition);
    }
}
