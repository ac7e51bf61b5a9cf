package dev.agentpipeline.examples.demo;

import dev.agentpipeline.spi.Stage;
import dev.agentpipeline.spi.StageContext;
import dev.agentpipeline.spi.StageOutcome;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Example stage for validation (STAGE_1): a criterion without a concrete, checkable result makes the story NO-GO.
 * Like the seeds' validator it fixes what it can while reporting NO-GO, so the retry finds a GO. Id {@value #ID}.
 *
 * @since 0.1
 */
public final class DemoValidateStage implements Stage {

    /** The plugin id. */
    public static final String ID = "demo-validate";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String description() {
        return "Demo: every acceptance criterion must name a checkable result";
    }

    @Override
    public StageOutcome run(StageContext context) throws Exception {
        Path file = context.workspace().resolve(DemoProject.STORY_FILE);
        String story = Files.readString(file);
        for (String line : story.lines().toList()) {
            if (line.startsWith("- ") && line.toLowerCase(Locale.ROOT).contains("quickly")) {
                String fixed = story.replace(line, "- `greet` answers within 10 ms for names up to 100 characters");
                Files.writeString(file, fixed);
                return StageOutcome.completed()
                        .verdict("NO-GO")
                        .score("readiness", 4)
                        .attribute("reason", "Acceptance criterion '" + line.substring(2) + "' is not testable")
                        .attribute("agents_info", "demo-validator")
                        .notes("Rewrote the vague criterion into a measurable one; validation must run again.")
                        .build();
            }
        }
        return StageOutcome.completed()
                .verdict("GO")
                .score("readiness", 8)
                .attribute("agents_info", "demo-validator")
                .notes("Every acceptance criterion names a checkable result.")
                .build();
    }
}
