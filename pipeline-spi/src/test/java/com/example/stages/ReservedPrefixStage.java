package com.example.stages;

import dev.agentpipeline.spi.Stage;
import dev.agentpipeline.spi.StageContext;
import dev.agentpipeline.spi.StageOutcome;

/** A third-party plugin (outside dev.agentpipeline) that tries to use the reserved "pipeline-" prefix. */
public final class ReservedPrefixStage implements Stage {

    @Override
    public String id() {
        return "pipeline-lint";
    }

    @Override
    public StageOutcome run(StageContext context) {
        return StageOutcome.completed().build();
    }
}
