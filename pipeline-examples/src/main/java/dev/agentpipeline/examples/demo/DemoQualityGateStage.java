package dev.agentpipeline.examples.demo;

import dev.agentpipeline.spi.Stage;
import dev.agentpipeline.spi.StageContext;
import dev.agentpipeline.spi.StageOutcome;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Example stage for the quality gate (STAGE_3): FAIL when the implementation has no test, with a rework hint that
 * asks for one; PASS otherwise. Id {@value #ID}.
 *
 * @since 0.1
 */
public final class DemoQualityGateStage implements Stage {

    /** The plugin id. */
    public static final String ID = "demo-quality-gate";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String description() {
        return "Demo: the implementation must come with a test";
    }

    @Override
    public StageOutcome run(StageContext context) {
        Path workspace = context.workspace();
        boolean hasSource = Files.exists(workspace.resolve(DemoProject.SOURCE_FILE));
        boolean hasTest = Files.exists(workspace.resolve(DemoProject.TEST_FILE));
        if (hasSource && !hasTest) {
            return StageOutcome.completed()
                    .verdict("FAIL")
                    .score("quality_score", 62)
                    .attribute("issues", "Greeting has no unit test")
                    .attribute("agents_info", "demo-reviewer")
                    .attribute("rework_hint", Map.of("blocking_categories", List.of("tests"),
                            "suggested_focus", "Add a unit test for Greeting"))
                    .notes("Blocking: " + DemoProject.SOURCE_FILE + " has no test.")
                    .build();
        }
        if (!hasSource) {
            return StageOutcome.completed()
                    .verdict("FAIL")
                    .score("quality_score", 0)
                    .attribute("issues", "Nothing was implemented")
                    .attribute("rework_hint", Map.of("blocking_categories", List.of("implementation"),
                            "suggested_focus", "Implement the story"))
                    .build();
        }
        return StageOutcome.completed()
                .verdict("PASS")
                .score("quality_score", 92)
                .attribute("agents_info", "demo-reviewer")
                .notes("Implementation and tests present; acceptance criteria covered.")
                .build();
    }
}
