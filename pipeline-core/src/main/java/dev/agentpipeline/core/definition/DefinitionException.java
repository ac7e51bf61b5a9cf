package dev.agentpipeline.core.definition;

import org.apiguardian.api.API;

import java.util.List;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * Thrown when a pipeline definition is invalid. Lists every problem found, each with its file, line and column:
 * <pre>
 * Invalid pipeline definition (2 problems):
 *   story.yaml:41:9: transition STAGE_3 -&gt; STAGE_9: unknown state 'STAGE_9'; states are QUEUED, STAGE_0, ...
 *   story.yaml:12:3: cycle STAGE_2 -&gt; STAGE_3 -&gt; STAGE_2 has no bounded counter; ...
 * </pre>
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class DefinitionException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient List<DefinitionProblem> problems;

    /**
     * @param problems the problems, at least one
     */
    public DefinitionException(List<DefinitionProblem> problems) {
        super(message(problems));
        this.problems = List.copyOf(problems);
    }

    private static String message(List<DefinitionProblem> problems) {
        if (problems.size() == 1) {
            return "Invalid pipeline definition: " + problems.get(0);
        }
        StringBuilder text = new StringBuilder("Invalid pipeline definition (" + problems.size() + " problems):");
        for (DefinitionProblem problem : problems) {
            text.append("\n  ").append(problem);
        }
        return text.toString();
    }

    /** @return the problems, never empty */
    public List<DefinitionProblem> problems() {
        return problems;
    }
}
