package dev.agentpipeline.cli;

import dev.agentpipeline.core.definition.PipelineDefinition;
import dev.agentpipeline.core.run.Ids;
import dev.agentpipeline.core.run.RunState;
import dev.agentpipeline.core.store.JournalEntry;
import dev.agentpipeline.core.store.RunStore;
import dev.agentpipeline.core.story.CommandResult;
import dev.agentpipeline.core.story.StoryPipeline;
import dev.agentpipeline.cli.progress.ProgressOutput;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code pipeline status --watch}: follows a story's run from another process until it ends or pauses, showing
 * its progress on stderr as {@code run} does (a live dashboard on a terminal, a line per step elsewhere), then
 * answers what {@code status} answers. It reads the run's journal every interval and replays what is new, so what
 * it shows is what is durable; it never writes and holds the run's lock only while it reads.
 *
 * @since 0.1
 */
final class StatusWatch {

    /** How often the journal is read unless {@code --interval-ms} says otherwise. */
    static final long DEFAULT_INTERVAL_MS = 1000;

    private StatusWatch() {
    }

    static CommandResult watch(CliInvocation call) {
        String story = call.value("--story");
        long interval = DEFAULT_INTERVAL_MS;
        String intervalText = call.value("--interval-ms");
        if (intervalText != null) {
            String text = intervalText.trim();
            if (!text.matches("[0-9]{1,7}") || Long.parseLong(text) < 10) {
                return PipelineMain.error("invalid_flag", "--interval-ms must be a whole number of milliseconds from"
                        + " 10 to 9999999 (got '" + intervalText + "')", "Pass for example --interval-ms 500.");
            }
            interval = Long.parseLong(text);
        }
        ProgressOutput.Mode mode;
        try {
            mode = RunCommands.progressMode(call);
        } catch (IllegalArgumentException e) {
            return RunCommands.invalidProgress(e);
        }
        RunStore store = call.get(RunStore.class);
        Optional<String> runId;
        if (story == null) {
            Map<String, String> active = store.activeRuns(StoryPipeline.ID);
            runId = active.size() == 1 ? active.values().stream().findFirst() : Optional.empty();
        } else {
            runId = store.activeRun(StoryPipeline.ID, Ids.requireSafe("story id", story));
        }
        if (runId.isPresent()) {
            try {
                follow(call, store, runId.get(), mode, interval);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // stopped watching: answer where the run stands now
            }
        }
        return call.storyCommands().status(story);
    }

    private static void follow(CliInvocation call, RunStore store, String runId, ProgressOutput.Mode mode,
                               long interval) throws InterruptedException {
        PipelineDefinition definition = call.get(PipelineDefinition.class);
        try (ProgressOutput progress = ProgressOutput.open(mode, call.progress(), definition, store,
                call.get(Clock.class))) {
            RunState state = null;
            long seen = 0;
            while (true) {
                List<JournalEntry> entries = store.journal(runId);
                for (JournalEntry entry : entries) {
                    if (entry.sequence() <= seen) {
                        continue;
                    }
                    state = state == null ? RunState.start(entry.sequence(), entry.event())
                            : state.apply(entry.sequence(), entry.event());
                    progress.onEvent(entry.event(), state);
                    seen = entry.sequence();
                }
                if (state == null || state.complete() || state.isPaused()) {
                    return;
                }
                Thread.sleep(interval);
            }
        }
    }
}
