package dev.agentpipeline.examples.demo;

import dev.agentpipeline.spi.ProgressSignal;
import dev.agentpipeline.spi.Stage;
import dev.agentpipeline.spi.StageContext;
import dev.agentpipeline.spi.StageOutcome;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Example stage for execution (STAGE_2): writes the implementation, and on a rework whose focus asks for tests,
 * the tests, into its workspace. Reports the files and lines it wrote; the checkpoint's {@code git_stats} come from
 * the workspace's diff against its base. Id {@value #ID}.
 *
 * @since 0.1
 */
public final class DemoExecuteStage implements Stage {

    /** The plugin id. */
    public static final String ID = "demo-execute";

    static final String SOURCE = """
            package demo;

            /** Greets users by name. */
            public final class Greeting {
                private Greeting() {
                }

                /**
                 * @param name the user's name, not blank
                 * @return the greeting
                 */
                public static String greet(String name) {
                    if (name == null || name.isBlank()) {
                        throw new IllegalArgumentException("name must not be blank");
                    }
                    return "Hello, " + name + "!";
                }
            }
            """;

    static final String TEST = """
            package demo;

            import static org.junit.jupiter.api.Assertions.assertEquals;
            import static org.junit.jupiter.api.Assertions.assertThrows;

            import org.junit.jupiter.api.Test;

            class GreetingTest {
                @Test
                void greetsByName() {
                    assertEquals("Hello, Ada!", Greeting.greet("Ada"));
                }

                @Test
                void rejectsBlankNames() {
                    assertThrows(IllegalArgumentException.class, () -> Greeting.greet(" "));
                }
            }
            """;

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String description() {
        return "Demo: writes the implementation, and tests when a rework asks for them";
    }

    @Override
    public StageOutcome run(StageContext context) throws Exception {
        Path workspace = context.workspace();
        List<String> changed = new ArrayList<>();
        long added = 0;
        if (!Files.exists(workspace.resolve(DemoProject.SOURCE_FILE))) {
            DemoProject.write(workspace, DemoProject.SOURCE_FILE, SOURCE);
            changed.add(DemoProject.SOURCE_FILE);
            added += DemoProject.lines(SOURCE);
        }
        String focus = String.valueOf(context.input("rework_focus").orElse(""));
        if (focus.toLowerCase(java.util.Locale.ROOT).contains("test")
                && !Files.exists(workspace.resolve(DemoProject.TEST_FILE))) {
            DemoProject.write(workspace, DemoProject.TEST_FILE, TEST);
            changed.add(DemoProject.TEST_FILE);
            added += DemoProject.lines(TEST);
        }
        StageOutcome.Builder outcome = StageOutcome.completed()
                .attribute("story_status", "To Review")
                .attribute("tasks_completed", List.of("T-001", "T-002", "T-003"))
                .attribute("last_action", "Implementation complete")
                .metric("files_written", changed.size())
                .metric("lines_written", added)
                .notes(changed.isEmpty() ? "Nothing left to change." : "Wrote " + String.join(", ", changed)
                        + (focus.isEmpty() ? "" : " (rework focus: " + focus + ")"));
        if (!changed.isEmpty()) {
            outcome.progress(ProgressSignal.FILES_CHANGED_DELTA);
        }
        return outcome.build();
    }
}
