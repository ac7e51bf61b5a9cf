package dev.agentpipeline.examples.demo;

import dev.agentpipeline.spi.Stage;
import dev.agentpipeline.spi.StageContext;
import dev.agentpipeline.spi.StageOutcome;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

/**
 * Example stage for task decomposition (STAGE_0): turns each acceptance criterion of the story file into a task
 * and writes the task list. Id {@value #ID}.
 *
 * @since 0.1
 */
public final class DemoDecomposeStage implements Stage {

    /** The plugin id. */
    public static final String ID = "demo-decompose";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String description() {
        return "Demo: one task per acceptance criterion";
    }

    @Override
    public StageOutcome run(StageContext context) throws Exception {
        String story = Files.readString(context.workspace().resolve(DemoProject.STORY_FILE));
        List<String> tasks = new ArrayList<>();
        StringBuilder list = new StringBuilder("# Tasks of " + DemoProject.STORY + "\n\n");
        for (String line : story.lines().toList()) {
            if (line.startsWith("- ")) {
                String task = String.format("T-%03d", tasks.size() + 1);
                tasks.add(task);
                list.append("- [ ] ").append(task).append(": make true: ").append(line.substring(2)).append('\n');
            }
        }
        DemoProject.write(context.workspace(), DemoProject.TASKS_FILE, list.toString());
        int planScore = tasks.isEmpty() ? 0 : Math.min(4, tasks.size() + 1);
        return StageOutcome.completed()
                .score("plan_score", planScore)
                .attribute("tasks_remaining", tasks)
                .attribute("last_action", "Tasks created")
                .notes("Created " + tasks.size() + " tasks, one per acceptance criterion, in " + DemoProject.TASKS_FILE)
                .build();
    }
}
