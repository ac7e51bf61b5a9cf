package com.example.stages;

import dev.agentpipeline.spi.Stage;
import dev.agentpipeline.spi.StageContext;
import dev.agentpipeline.spi.StageOutcome;

/** A well-behaved third-party plugin. */
public final class LintStage implements Stage {

    @Override
    public String id() {
        return "example-lint";
    }

    @Override
    public StageOutcome run(StageContext context) {
        return StageOutcome.completed().verdict("PASS").build();
    }
}
