package dev.agentpipeline.core.story.report;

import dev.agentpipeline.core.engine.PipelineRuntime;
import dev.agentpipeline.core.engine.StartRequest;
import dev.agentpipeline.core.run.RunState;
import dev.agentpipeline.core.story.StoryPipeline;
import dev.agentpipeline.core.testing.MutableClock;
import dev.agentpipeline.core.testing.StoryRuns;

import java.nio.file.Path;

/**
 * A second process for {@link StoryReportsTest}: writes the reports (and trend rows) of new runs of stories
 * {@code US-<prefix>-<n>} into a project. Arguments: the project directory, the prefix, how many.
 */
public final class ReportWriterChild {

    private ReportWriterChild() {
    }

    public static void main(String[] args) {
        writeReports(Path.of(args[0]), args[1], Integer.parseInt(args[2]));
    }

    static void writeReports(Path project, String prefix, int count) {
        MutableClock clock = new MutableClock();
        PipelineRuntime runtime = StoryRuns.runtime(clock);
        for (int i = 0; i < count; i++) {
            RunState run = runtime.start(StartRequest.builder(StoryPipeline.ID, "US-" + prefix + "-" + i).build())
                    .run().state();
            StoryReports.builder(project).build().write(run, clock);
        }
    }
}
