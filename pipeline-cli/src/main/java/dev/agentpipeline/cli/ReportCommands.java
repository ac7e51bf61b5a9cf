package dev.agentpipeline.cli;

import dev.agentpipeline.core.run.Ids;
import dev.agentpipeline.core.run.RunState;
import dev.agentpipeline.core.store.CorruptRunException;
import dev.agentpipeline.core.store.RunSnapshot;
import dev.agentpipeline.core.store.RunStore;
import dev.agentpipeline.core.store.StoreException;
import dev.agentpipeline.core.story.CommandResult;
import dev.agentpipeline.core.story.StoryPipeline;
import dev.agentpipeline.core.story.report.ReportException;
import dev.agentpipeline.core.story.report.StoryReports;
import dev.agentpipeline.guice.PipelineSettings;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The pipeline report: {@code report} (re)writes a run's {@code docs/tasks/reports/pipeline-{date}.md} and its row of
 * {@code quality-trend.md}, and {@code run} and {@code demo} write them when the run ends or pauses
 * ({@link #writeAfterDrive}).
 *
 * @since 0.1
 */
final class ReportCommands {

    private ReportCommands() {
    }

    /** @return {@code report}: (re)writes the report and trend row of a run */
    static CliCommand report() {
        return CliCommand.of("report", "Writes (or rewrites) the pipeline report of a story's run to"
                        + " docs/tasks/reports/pipeline-{date}.md and its row of docs/tasks/reports/quality-trend.md,"
                        + " which says whether quality is improving, stable or declining. A run has one report and one"
                        + " row however often this is called.",
                List.of(CliOption.value("--story", "<id>", "The story whose newest run to report (default: the"
                                + " newest run of any story)."),
                        CliOption.value("--run", "<run-id>", "The run to report (wins over --story).")),
                ReportCommands::reportRun);
    }

    private static CommandResult reportRun(CliInvocation call) {
        RunStore store = call.get(RunStore.class);
        String runId;
        try {
            runId = call.value("--run") != null ? Ids.requireSafe("run id", call.value("--run"))
                    : newestRun(store, call.value("--story") == null ? null
                    : Ids.requireSafe("story id", call.value("--story"))).orElse(null);
        } catch (Ids.InvalidIdException e) {
            return PipelineMain.error("invalid_id", e.getMessage(), "Ids are letters, digits, '.', '_' and '-'.");
        } catch (StoreException e) {
            return PipelineMain.error(e.code(), e.problem(), e.fix());
        }
        if (runId == null) {
            return PipelineMain.error("run_not_found", "No pipeline run found" + (call.value("--story") == null ? ""
                    : " for story " + call.value("--story")) + ".", "Start one with `pipeline run --story <id>`, or pass"
                    + " --run <run id>; run ids are the directory names under .pipeline/runs.");
        }
        Optional<RunSnapshot> run;
        try {
            run = store.load(runId);
        } catch (StoreException e) {
            return PipelineMain.error(e.code(), e.problem(), e.fix());
        }
        if (run.isEmpty()) {
            return PipelineMain.error("run_not_found", "Run not found: " + runId + ".", "Pass the id of a run: the"
                    + " directory names under .pipeline/runs.");
        }
        RunState state = run.get().state();
        try {
            StoryReports.Written written = reports(call.settings().pipeline()).write(state, Clock.systemDefaultZone());
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("ok", true);
            json.put("run_id", state.runId());
            json.put("story_id", state.subjectId());
            json.put("phase", state.phase());
            json.putAll(fields(written));
            return new CommandResult(CommandResult.OK, json);
        } catch (ReportException e) {
            return PipelineMain.error(e.code(), e.problem(), e.fix());
        } catch (StoreException e) {
            return PipelineMain.error(e.code(), e.problem(), e.fix());
        } catch (Ids.InvalidIdException e) {
            return PipelineMain.error("invalid_id", e.getMessage(), "Ids are letters, digits, '.', '_' and '-'.");
        }
    }

    /**
     * The run to report: the story's current run, else its newest; without a story, the newest run of the story
     * pipeline. Runs whose files are damaged are skipped in the search (naming one with {@code --run} says why).
     */
    static Optional<String> newestRun(RunStore store, String story) {
        if (story != null) {
            Optional<String> active = store.activeRun(StoryPipeline.ID, story);
            if (active.isPresent()) {
                return active;
            }
        }
        List<RunState> runs = new ArrayList<>();
        for (String id : store.runIds()) {
            try {
                store.load(id).map(RunSnapshot::state).filter(s -> s.pipelineId().equals(StoryPipeline.ID))
                        .filter(s -> story == null || s.subjectId().equals(story)).ifPresent(runs::add);
            } catch (CorruptRunException e) {
                // not this one
            }
        }
        return runs.stream().max(Comparator.comparing(RunState::updatedAt).thenComparing(RunState::runId))
                .map(RunState::runId);
    }

    /** The project's report writer, locking beside the runs. */
    static StoryReports reports(PipelineSettings settings) {
        return StoryReports.builder(settings.projectDir()).lockFile(settings.stateDir().resolve("reports.lock"))
                .lockTimeout(settings.lockTimeout()).build();
    }

    private static Map<String, Object> fields(StoryReports.Written written) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("report", written.report().toString());
        json.put("trend", written.trend().toString());
        json.put("trend_direction", written.direction().wireName());
        json.put("row_added", written.rowAdded());
        if (!written.warnings().isEmpty()) {
            json.put("trend_warnings", new ArrayList<Object>(written.warnings()));
        }
        return json;
    }

    /**
     * After {@code run} or {@code demo} drove a run: writes its report and trend row if the run ended or paused (the
     * the ln-1000 skill writes its report at the end of the pipeline, for DONE and PAUSED alike; a stopped run is still being
     * worked on), says where on the progress stream, and adds {@code report}, {@code trend} and
     * {@code trend_direction} to the answer. A report that cannot be written does not fail the command: the answer
     * gets {@code report_error} instead, and the progress stream says why.
     *
     * @param settings the project and state directories
     * @param run the run after the drive
     * @param clock the zone of the report's date
     * @param progress where to say it
     * @param answer the answer to add to
     */
    static void writeAfterDrive(PipelineSettings settings, RunState run, Clock clock, PrintStream progress,
                                Map<String, Object> answer) {
        if (!run.complete() && !run.isPaused()) {
            return;
        }
        try {
            StoryReports.Written written = reports(settings).write(run, clock);
            answer.putAll(fields(written));
            progress.println("Report: " + written.report() + " (quality trend: " + written.direction().wireName()
                    + ", " + relative(settings.projectDir(), written.trend()) + ")");
            written.warnings().forEach(warning -> progress.println("Warning: " + warning));
        } catch (ReportException | StoreException | Ids.InvalidIdException e) {
            Map<String, Object> error = new LinkedHashMap<>();
            String code = e instanceof ReportException r ? r.code() : e instanceof StoreException s ? s.code()
                    : "invalid_id";
            error.put("code", code);
            error.put("error", e.getMessage());
            answer.put("report_error", error);
            progress.println("The report could not be written: " + e.getMessage());
        }
    }

    private static String relative(Path project, Path file) {
        return file.startsWith(project) ? project.relativize(file).toString() : file.toString();
    }
}
