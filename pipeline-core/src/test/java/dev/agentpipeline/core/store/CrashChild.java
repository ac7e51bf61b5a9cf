package dev.agentpipeline.core.store;

import dev.agentpipeline.core.engine.LoopHealthResult;
import dev.agentpipeline.core.engine.PauseRequest;
import dev.agentpipeline.core.engine.PipelineRuntime;
import dev.agentpipeline.core.engine.StartRequest;
import dev.agentpipeline.core.engine.StartResult;
import dev.agentpipeline.core.engine.TransitionResult;
import dev.agentpipeline.core.loop.LoopSignal;
import dev.agentpipeline.core.run.RunState;
import dev.agentpipeline.core.story.StoryPipeline;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The process {@link CrashSafetyTest} kills: it drives stories through the story pipeline with the real runtime
 * and file store, forever, and after every call that appended prints {@code ACK <run id> <sequence> <types>}
 * (the journal sequence the call returned, the event types it appended) and flushes. Each step is decided from
 * the run as loaded, so a new child continues wherever the killed one stopped.
 *
 * <p>One story run goes through every kind of append: start, transitions, checkpoints with attributes (two events
 * in one append), summaries, loop health with progress, loop health that pauses the run (two events), a manual
 * pause, resumes, and completion (two events); then the next run starts.
 *
 * <p>Arguments: the store's root directory, the story id. It prints {@code READY} once it is ready, and starts when
 * it reads {@code GO} on its standard input.
 */
public final class CrashChild {

    private static final long MAX_STEPS = 100_000; // a child nobody kills ends by itself

    private CrashChild() {
    }

    /** What one call appended. */
    record Ack(String runId, long sequence, List<String> types) {

        static Ack parse(String line) {
            String[] parts = line.split(" ");
            if (parts.length != 4 || !parts[0].equals("ACK")) {
                throw new AssertionError("not an acknowledgement: " + line);
            }
            return new Ack(parts[1], Long.parseLong(parts[2]), List.of(parts[3].split(",")));
        }

        String line() {
            return "ACK " + runId + " " + sequence + " " + String.join(",", types);
        }
    }

    public static void main(String[] args) {
        FileRunStore store = FileRunStore.open(Path.of(args[0]));
        String story = args[1];
        PipelineRuntime runtime = PipelineRuntime.builder().store(store).definition(StoryPipeline.definition()).build();
        PrintStream out = System.out;
        out.println("READY");
        out.flush();
        try {
            if (!"GO".equals(new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine())) {
                return;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (long i = 0; i < MAX_STEPS && !out.checkError(); i++) {
            Optional<Ack> ack = step(runtime, story);
            if (ack.isPresent()) {
                out.println(ack.get().line());
                out.flush();
            }
        }
    }

    /** Makes the next call for the story; empty when it appended nothing (a start that found the run). */
    static Optional<Ack> step(PipelineRuntime runtime, String story) {
        Optional<RunState> current = runtime.current(StoryPipeline.ID, story).map(run -> run.state());
        if (current.isEmpty() || current.get().complete()) {
            StartResult started = runtime.start(StartRequest.builder(StoryPipeline.ID, story).title("Crash test")
                    .attribute("owner", "crash-test").build());
            return started.recovered() ? Optional.empty()
                    : Optional.of(ack(0, started.run().state(), "RUN_STARTED"));
        }
        RunState s = current.get();
        String runId = s.runId();
        if (s.isPaused()) {
            return Optional.of(ack(s, allowed(runtime.resume(runId, null)), "TRANSITIONED"));
        }
        String phase = s.phase();
        if (phase.equals("QUEUED")) {
            return Optional.of(ack(s, allowed(runtime.advance(runId, "STAGE_0")), "TRANSITIONED"));
        }
        int stage = StoryPipeline.stageNumber(phase).orElseThrow(() -> new IllegalStateException(s.toString()));
        if (s.freshCheckpoint(phase).isEmpty()) {
            Map<String, Object> payload = new LinkedHashMap<>();
            payload.put("stage", stage);
            payload.put("verdict", verdict(stage));
            payload.put("tasks_completed", List.of("T-" + s.sequence()));
            return Optional.of(ack(s, runtime.checkpoint(runId, phase, payload, Map.of("last_checkpoint", phase))
                    .run().state(), "CHECKPOINT_RECORDED", "ATTRIBUTES_UPDATED"));
        }
        if (s.freshSummary(phase).isEmpty()) {
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("status", "completed");
            summary.put("story_id", story);
            summary.put("stage", stage);
            summary.put("verdict", verdict(stage));
            summary.put("readiness_score", 8);
            summary.put("story_status", "To Review");
            return Optional.of(ack(s, runtime.recordSummary(runId, phase, summary).state(), "STAGE_SUMMARY_RECORDED"));
        }
        boolean resumedInThisVisit = s.lastResumeSequence() > s.visitStart(phase);
        if (stage == 1 && !resumedInThisVisit) {
            return Optional.of(ack(s, runtime.pause(runId, PauseRequest.of("Crash test: review the validation"))
                    .state(), "RUN_PAUSED"));
        }
        if (stage == 2 && !resumedInThisVisit) {
            // The same error without progress, until loop health pauses the run.
            LoopSignal failing = LoopSignal.fromPayload(Map.of("error", "Stage 2 ASSERT failed in LoginTest"),
                    Instant.now());
            LoopHealthResult result = runtime.recordLoopHealth(runId, "stage_2", failing);
            return Optional.of(result.paused()
                    ? ack(s, result.run().state(), "LOOP_HEALTH_RECORDED", "RUN_PAUSED")
                    : ack(s, result.run().state(), "LOOP_HEALTH_RECORDED"));
        }
        String scope = "stage_" + stage;
        if (!s.loopHealth().containsKey(scope)) {
            LoopSignal progress = LoopSignal.fromPayload(Map.of("progress_detected", true), Instant.now());
            return Optional.of(ack(s, runtime.recordLoopHealth(runId, scope, progress).run().state(),
                    "LOOP_HEALTH_RECORDED"));
        }
        if (stage < 3) {
            return Optional.of(ack(s, allowed(runtime.advance(runId, StoryPipeline.stateOf(stage + 1))),
                    "TRANSITIONED"));
        }
        return Optional.of(ack(s, allowed(runtime.complete(runId)), "TRANSITIONED", "RUN_ENDED"));
    }

    private static String verdict(int stage) {
        return stage == 1 ? "GO" : stage == 3 ? "PASS" : "n/a";
    }

    private static RunState allowed(TransitionResult result) {
        if (!result.allowed()) {
            throw new IllegalStateException("the runtime rejected a step of the crash test: "
                    + result.decision().guardResult().error());
        }
        return result.run().state();
    }

    private static Ack ack(RunState before, RunState after, String... types) {
        return ack(before.sequence(), after, types);
    }

    /** Checks that the call appended exactly the events it should have, and acknowledges them. */
    private static Ack ack(long before, RunState after, String... types) {
        if (after.sequence() != before + types.length) {
            throw new IllegalStateException("expected " + List.of(types) + " after sequence " + before + ", the run"
                    + " is at " + after.sequence());
        }
        return new Ack(after.runId(), after.sequence(), List.of(types));
    }
}
