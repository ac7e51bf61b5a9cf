package dev.agentpipeline.examples.phasedemo;

import dev.agentpipeline.core.run.RunEvent;
import dev.agentpipeline.core.run.Timer;
import dev.agentpipeline.core.store.FileRunStore;
import dev.agentpipeline.core.store.JournalEntry;
import dev.agentpipeline.spi.evidence.EvidenceRequest;
import dev.agentpipeline.spi.evidence.EvidenceResult;
import dev.agentpipeline.stages.evidence.JacocoReportCollector;

import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The phase demo end to end, with real child processes: the sample's scripts run by the command stage write their
 * signals into the project's signal directory, the command line's launch, worker (with its signal watcher) and
 * decide drive the run, and phase 7 measures the sample's tests with javac, java and the JaCoCo agent of this JDK.
 * What is asserted is read back from the journals.
 */
class PhaseDemoTest {

    @Test
    void thePhasePipelineRunsToDoneThroughABackoffTwoDecisionsMeasuredThresholdsAndADeploymentChild(
            @TempDir Path dir) throws Exception {
        // Given a new directory
        Path project = dir.resolve("phases");
        ByteArrayOutputStream progress = new ByteArrayOutputStream();

        // When the phase demo runs, answering the gates
        Map<String, Object> answer = PhaseDemo.run(project, new PrintStream(progress, true, StandardCharsets.UTF_8),
                true, "pipeline phase-demo");

        // Then the run ended DONE
        String printed = progress.toString(StandardCharsets.UTF_8);
        assertThat(answer).as(printed).containsEntry("ok", true).containsEntry("final_phase", "DONE")
                .containsEntry("final_result", "DONE");
        String runId = (String) answer.get("run_id");
        FileRunStore store = FileRunStore.open(project.resolve(".pipeline"));
        List<RunEvent> journal = store.journal(runId).stream().map(JournalEntry::event).toList();
        List<RunEvent.Transitioned> transitions = events(journal, RunEvent.Transitioned.class);
        assertThat(transitions.get(transitions.size() - 1)).satisfies(end -> {
            assertThat(end.from()).isEqualTo("PHASE_11");
            assertThat(end.to()).isEqualTo("DONE");
            assertThat(end.terminal()).isTrue();
        });
        assertThat(store.load(runId).orElseThrow().state().finalResult()).contains("DONE");

        // Phase 6's transient error waited for one backoff timer of 1 s, which fired once, before the phase ran again
        List<RunEvent.TimerSet> timers = events(journal, RunEvent.TimerSet.class);
        assertThat(timers).singleElement().satisfies(timer -> {
            assertThat(timer.stateId()).isEqualTo("PHASE_6");
            assertThat(timer.purpose()).isEqualTo(Timer.BACKOFF);
            assertThat(Duration.between(timer.at(), timer.due())).isEqualTo(Duration.ofSeconds(1));
        });
        List<RunEvent.TimerFired> fired = events(journal, RunEvent.TimerFired.class);
        assertThat(fired).singleElement().satisfies(f -> {
            assertThat(f.timerId()).isEqualTo(timers.get(0).timerId());
            assertThat(f.at()).isAfterOrEqualTo(timers.get(0).due());
        });
        assertThat(events(journal, RunEvent.SignalReceived.class).stream().filter(s -> s.stateId().equals("PHASE_6"))
                .map(s -> s.payload().get("status")).toList()).containsExactly("error", "success");
        assertThat(events(journal, RunEvent.Transitioned.class)).filteredOn(t -> t.from().equals("PHASE_6")
                && t.to().equals("PHASE_6")).singleElement()
                .satisfies(t -> assertThat(t.counterIncremented()).isEqualTo("transient_retries_6"));

        // Two gates were answered once each, as pipeline decide answers them: the task approval and phase 7's
        // decision, whose options were the agent's own
        Map<String, String> gateStates = new HashMap<>();
        events(journal, RunEvent.DecisionRequested.class).forEach(d -> gateStates.put(d.gateId(), d.stateId()));
        assertThat(events(journal, RunEvent.DecisionRequested.class)).filteredOn(d -> d.stateId().equals("DECIDE_7"))
                .singleElement().satisfies(d -> assertThat(d.request().options()).extracting(o -> o.label())
                        .startsWith("Reject a blank name with an IllegalArgumentException"));
        List<RunEvent.DecisionRecorded> decisions = events(journal, RunEvent.DecisionRecorded.class);
        assertThat(decisions).extracting(d -> gateStates.get(d.gateId()), RunEvent.DecisionRecorded::option,
                RunEvent.DecisionRecorded::by).containsExactly(
                org.assertj.core.groups.Tuple.tuple("APPROVE_TASKS", "approve", "demo"),
                org.assertj.core.groups.Tuple.tuple("DECIDE_7", "A", "demo"));

        // Phase 7's signal carried what its test run measured, and it met 80/70: the numbers are those of the
        // JaCoCo report the sample's tests wrote
        RunEvent.SignalReceived phase7 = events(journal, RunEvent.SignalReceived.class).stream()
                .filter(s -> s.stateId().equals("PHASE_7") && "success".equals(s.payload().get("status")))
                .reduce((a, b) -> b).orElseThrow();
        @SuppressWarnings("unchecked")
        Map<String, Object> summary = (Map<String, Object>) phase7.payload().get("summary");
        assertThat(((Number) summary.get("coverage_line")).doubleValue()).isGreaterThanOrEqualTo(80);
        assertThat(((Number) summary.get("coverage_branch")).doubleValue()).isGreaterThanOrEqualTo(70);
        assertThat(summary).containsEntry("all_tests_passing", true).containsEntry("decision", "A");
        assertThat(((Number) summary.get("tests_written")).intValue()).isEqualTo(5);
        EvidenceResult report = new JacocoReportCollector().collect(new EvidenceRequest(project,
                List.of("reports/phase7/jacoco.xml")));
        assertThat(((Number) report.values().get("line")).doubleValue())
                .isEqualTo(((Number) summary.get("coverage_line")).doubleValue());
        assertThat(((Number) report.values().get("branch")).doubleValue())
                .isEqualTo(((Number) summary.get("coverage_branch")).doubleValue());
        assertThat(Files.readString(project.resolve("reports/phase7/tests.env"))).contains("TESTS_RUN=5",
                "TESTS_FAILED=0");

        // Each phase worked in a git worktree of its own, whose branch was merged back into main: the project's
        // checkout holds the phases' work, and nothing of the runs shows up in git
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Object>> worktrees = (Map<String, Map<String, Object>>) answer.get("worktrees");
        assertThat(worktrees.keySet()).containsExactly("phase-5-task-1", "phase-6-task-1", "phase-7-task-1",
                "phase-9-task-1", "phase-10-task-1");
        assertThat(worktrees.values()).allSatisfy(w -> assertThat(w).containsKey("merged")
                .doesNotContainKey("conflicts"));
        try (Git git = Git.open(project.toFile())) {
            assertThat(git.getRepository().getBranch()).isEqualTo(PhaseDemoProject.BASE_BRANCH);
            List<String> messages = new java.util.ArrayList<>();
            git.log().call().forEach(commit -> messages.add(commit.getShortMessage()));
            assertThat(messages).contains("Phase 7: phase-7-task-1")
                    .anyMatch(m -> m.matches("Merge phase-7-task-1 \\(phase/greeting-[0-9a-f]{8}-7-task-1\\) into main"));
            assertThat(git.status().call().isClean()).as("the state directory ignores itself").isTrue();
        }
        assertThat(project.resolve("src/main/java/demo/Greeting.java")).content()
                .contains("throw new IllegalArgumentException(\"name must not be blank\");");

        // Phase 11 started the stub deployment pipeline as a child run, which ended DONE before the parent did
        List<RunEvent.ChildStarted> children = events(journal, RunEvent.ChildStarted.class);
        assertThat(children).singleElement().satisfies(c -> {
            assertThat(c.stateId()).isEqualTo("PHASE_11");
            assertThat(c.pipelineId()).isEqualTo("deployment");
        });
        String child = children.get(0).childRunId();
        assertThat(events(journal, RunEvent.ChildEnded.class)).singleElement().satisfies(c -> {
            assertThat(c.childRunId()).isEqualTo(child);
            assertThat(c.result()).isEqualTo("DONE");
        });
        assertThat(store.load(child).orElseThrow().state().phase()).isEqualTo("DONE");
        assertThat(Files.readString(project.resolve("releases/current")).strip()).isEqualTo(child);
        assertThat(project.resolve("releases/" + child + "/greeting.jar")).isNotEmptyFile();

        // The signals came as files the agents wrote, consumed by the worker's watcher
        assertThat(events(journal, RunEvent.SignalReceived.class)).extracting(s -> s.source())
                .allSatisfy(source -> assertThat(source).startsWith(".signals/phase").endsWith("-complete.json"));
        assertThat(Files.readString(project.resolve(PhaseDemo.DIRECTORY).resolve("worker.log")))
                .contains("signal phase5-complete.json: accepted", "worker started");

        // The answer tells the story, and so did the progress
        assertThat(answer.get("transient_retry").toString()).contains("error_type=network_timeout",
                "backoff_ms=1000", "phase=6");
        assertThat(answer.get("child_run").toString()).contains("run_id=" + child, "result=DONE", "stub=true");
        assertThat(answer.get("commands").toString()).contains("pipeline launch --pipeline phase",
                "pipeline worker", "pipeline decide --run " + runId + " --option approve --by demo",
                "pipeline decide --run " + runId + " --option A --by demo");
        assertThat(printed).contains("Phase demo project: " + project.toAbsolutePath() + " (new)",
                "PHASE_6       -> PHASE_6  (transient_retries_6 1)", "backoff until",
                "APPROVE_TASKS asks a person: Approve the task breakdown? 3 tasks analysed",
                "DECIDE_7      answered A by demo",
                "-> PHASE_9  (thresholds met: tests passing 5/5, line coverage",
                "started (pipeline deployment, the stub until the deployment pipeline exists)",
                "DONE          run ended DONE", "reached DONE");
    }

    private static <T extends RunEvent> List<T> events(List<RunEvent> journal, Class<T> type) {
        return journal.stream().filter(type::isInstance).map(type::cast).toList();
    }
}
