package dev.agentpipeline.spi;

import org.apiguardian.api.API;

import java.util.Set;

import static org.apiguardian.api.API.Status.STABLE;

/**
 * Thrown when a pipeline needs a stage plugin that no jar on the class path provides.
 *
 * @since 0.1
 */
@API(status = STABLE, since = "0.1")
public final class StageNotFoundException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String stageId;

    /**
     * Creates the exception.
     *
     * @param stageId the id that was asked for
     * @param available the ids that are available
     */
    public StageNotFoundException(String stageId, Set<String> available) {
        super("No stage plugin with id '" + stageId + "'. Available: "
                + (available.isEmpty() ? "none" : String.join(", ", available))
                + ". Put the jar that provides it on the class path and list its class in "
                + "META-INF/services/" + Stage.class.getName() + ".");
        this.stageId = stageId;
    }

    /** @return the id that was asked for, never null */
    public String stageId() {
        return stageId;
    }
}
