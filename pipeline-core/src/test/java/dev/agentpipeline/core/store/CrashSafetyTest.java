package dev.agentpipeline.core.store;

import dev.agentpipeline.core.engine.PipelineRuntime;
import dev.agentpipeline.core.engine.StartRequest;
import dev.agentpipeline.core.engine.StartResult;
import dev.agentpipeline.core.run.RunEvent;
import dev.agentpipeline.core.run.RunState;
import dev.agentpipeline.core.store.CrashChild.Ack;
import dev.agentpipeline.core.story.StoryPipeline;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static dev.agentpipeline.core.store.JournalFiles.JSON;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Kills a process that records pipeline steps with SIGKILL at random moments, again and again on the same store,
 * and checks after every kill that the store still loads, accepts no damaged entry and kept every step the process
 * acknowledged.
 *
 * <p>The kill moments come from a seeded {@link Random}: the seed is printed, and {@code -Dcrash.seed=N} replays
 * the same choices (the exact moments still depend on the machine's timing). {@code -Dcrash.kills=N} changes the
 * number of kills.
 */
class CrashSafetyTest {

    private static final int KILLS = Integer.getInteger("crash.kills", 60);
    private static final int MAX_ACKS_BEFORE_KILL = 20;
    private static final String STORY = "US042";

    @TempDir
    Path dir;

    @Test
    void keepsEveryAcknowledgedStepThroughRepeatedKills() {
        // Given
        long seed = Long.getLong("crash.seed", System.nanoTime());
        String context = "crash test seed " + seed + " (replay with -Dcrash.seed=" + seed + ")";
        System.out.println(context);
        Random random = new Random(seed);
        Path root = dir.resolve(".pipeline");
        Map<String, List<Ack>> acked = new LinkedHashMap<>();
        Stats stats = new Stats();
        Map<String, String> verified = new HashMap<>();
        long started = System.nanoTime();

        // The next child boots (JVM, classes, definition) while the current one works, and waits for GO before it
        // touches the store: only one child at a time works on the store.
        ChildJvm next = startChild(root, 1);
        try {
            for (int kill = 1; kill <= KILLS; kill++) {
                int acksBeforeKill = random.nextInt(MAX_ACKS_BEFORE_KILL + 1);
                long spinNanos = TimeUnit.MICROSECONDS.toNanos(random.nextInt(3000));
                String where = context + ", kill " + kill + " after " + acksBeforeKill + " acks";

                // When: a child records steps; we kill it after a random number of acknowledgements (and a random
                // spin, so that the kill lands anywhere in the next step: journal write, projections, pointer...)
                try (ChildJvm child = next) {
                    child.expectLine("READY");
                    child.send("GO");
                    next = kill < KILLS ? startChild(root, kill + 1) : null;
                    for (int n = 0; n < acksBeforeKill; n++) {
                        String line = child.readLine();
                        if (line == null) {
                            throw new AssertionError(where + ": the child stopped by itself: " + child.diagnostics());
                        }
                        Ack ack = Ack.parse(line);
                        acked.computeIfAbsent(ack.runId(), id -> new ArrayList<>()).add(ack);
                        stats.acks++;
                    }
                    spin(spinNanos);
                    child.kill();
                }
                assertThat(problems(dir.resolve("child-" + kill + ".err"))).as(where + ": the child's errors")
                        .isEmpty();

                // Then
                verify(root, acked, verified, stats, where);
            }
        } finally {
            if (next != null) {
                next.close();
            }
        }

        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
        System.out.println(context + ": " + KILLS + " kills, " + stats + ", " + temporaryFiles(root)
                + " temporary files left behind, " + seconds + " s");
        assertThat(stats.acks).as("acknowledged steps").isGreaterThan(KILLS);
        assertThat(stats.completedRuns).as("completed runs").isGreaterThan(0);
    }

    @Test
    void findsTheUnfinishedRunWhenACrashLeftThePointerOnTheEndedOne() {
        // Given: run 1 ended, but the process died before clearing the subject's pointer to it; run 2 was
        // started, but the process died before pointing the subject at it
        Path root = dir.resolve(".pipeline");
        PipelineRuntime dying = runtime(new DyingStore(FileRunStore.open(root), "clearActive"));
        String first = dying.start(StartRequest.builder(StoryPipeline.ID, STORY).build()).run().state().runId();
        assertThatThrownBy(() -> dying.cancel(first, "superseded")).isInstanceOf(SimulatedCrash.class);
        PipelineRuntime dyingAgain = runtime(new DyingStore(FileRunStore.open(root), "setActive"));
        assertThatThrownBy(() -> dyingAgain.start(StartRequest.builder(StoryPipeline.ID, STORY).build()))
                .isInstanceOf(SimulatedCrash.class);
        String second = FileRunStore.open(root).runIds().stream().filter(id -> !id.equals(first)).findFirst()
                .orElseThrow();

        // When: the next process starts the story
        PipelineRuntime next = runtime(FileRunStore.open(root));
        StartResult started = next.start(StartRequest.builder(StoryPipeline.ID, STORY).build());

        // Then: it finds run 2 instead of starting a third run and leaving run 2 unfinished forever
        assertThat(started.recovered()).isTrue();
        assertThat(started.run().state().runId()).isEqualTo(second);
        assertThat(next.store().runIds()).hasSize(2);
        assertThat(next.store().activeRun(StoryPipeline.ID, STORY)).contains(second);
    }

    private static PipelineRuntime runtime(RunStore store) {
        return PipelineRuntime.builder().store(store).definition(StoryPipeline.definition()).build();
    }

    /** The process dies (in the simulation: an error nobody catches) when it calls one method of the store. */
    private static final class SimulatedCrash extends Error {
        private static final long serialVersionUID = 1L;

        SimulatedCrash(String method) {
            super("simulated crash in " + method);
        }
    }

    /** A file store whose process dies on a chosen method, before the method does anything. */
    private static final class DyingStore implements RunStore {
        private final RunStore files;
        private final String dieIn;

        DyingStore(RunStore files, String dieIn) {
            this.files = files;
            this.dieIn = dieIn;
        }

        private void maybeDie(String method) {
            if (method.equals(dieIn)) {
                throw new SimulatedCrash(method);
            }
        }

        @Override
        public RunSnapshot append(String runId, long expectedSequence, List<? extends RunEvent> events) {
            maybeDie("append");
            return files.append(runId, expectedSequence, events);
        }

        @Override
        public Optional<RunSnapshot> load(String runId) {
            return files.load(runId);
        }

        @Override
        public List<JournalEntry> journal(String runId) {
            return files.journal(runId);
        }

        @Override
        public RunLock lock(String runId, Duration timeout) {
            return files.lock(runId, timeout);
        }

        @Override
        public java.util.Optional<dev.agentpipeline.core.store.RunClaim> tryClaim(String runId) {
            return files.tryClaim(runId);
        }

        @Override
        public RunLock lockSubject(String pipelineId, String subjectId, Duration timeout) {
            return files.lockSubject(pipelineId, subjectId, timeout);
        }

        @Override
        public List<String> runIds() {
            return files.runIds();
        }

        @Override
        public Optional<String> activeRun(String pipelineId, String subjectId) {
            return files.activeRun(pipelineId, subjectId);
        }

        @Override
        public Map<String, String> activeRuns(String pipelineId) {
            return files.activeRuns(pipelineId);
        }

        @Override
        public void setActive(String pipelineId, String subjectId, String runId) {
            maybeDie("setActive");
            files.setActive(pipelineId, subjectId, runId);
        }

        @Override
        public void clearActive(String pipelineId, String subjectId, String runId) {
            maybeDie("clearActive");
            files.clearActive(pipelineId, subjectId, runId);
        }
    }

    /**
     * The store after a kill: it loads, every line verifies, and every acknowledged step is there. A run whose files
     * are byte for byte those verified after an earlier kill (a run the children finished) is not checked again.
     */
    private static void verify(Path root, Map<String, List<Ack>> acked, Map<String, String> verified, Stats stats,
                               String where) {
        FileRunStore store = FileRunStore.open(root);
        List<String> runIds = store.runIds();
        assertThat(runIds).as(where).containsAll(acked.keySet());
        int completed = 0;
        int unfinished = 0;
        for (String runId : runIds) {
            Path runDir = store.runDirectory(runId);
            if (files(runDir).equals(verified.get(runId))) {
                completed++; // only finished runs stay unchanged across a child's life
                continue;
            }
            if (projectionBehind(runDir)) {
                stats.staleProjections++; // the kill fell between the journal append and the projection write
            }
            Optional<RunSnapshot> loaded = store.load(runId);
            List<Ack> acks = acked.getOrDefault(runId, List.of());
            if (loaded.isEmpty()) {
                // Only a run whose first append the kill interrupted, never acknowledged, loads as nothing.
                assertThat(acks).as(where + ": run %s does not load", runId).isEmpty();
                assertThat(store.journal(runId)).as(where).isEmpty();
                continue;
            }
            RunSnapshot run = loaded.get();
            stats.warnings += run.warnings().size();

            // No damaged entry is accepted: after the load cut any torn tail, every line is whole and verifies.
            List<JournalFiles.Line> lines = JournalFiles.lines(runDir.resolve("journal.jsonl"));
            for (int i = 0; i < lines.size(); i++) {
                JournalFiles.Line line = lines.get(i);
                assertThat(line.checksumValid()).as(where + ": checksum of %s line %d", runId, i + 1).isTrue();
                assertThat(line.seq()).as(where + ": sequence of %s line %d", runId, i + 1).isEqualTo(i + 1);
                assertThat(line.schemaVersion()).as(where).isEqualTo(1);
            }
            List<JournalEntry> journal = store.journal(runId);
            RunState replayed = RunState.replay(journal.stream().map(JournalEntry::event).toList());
            assertThat(run.sequence()).as(where + ": %s", runId)
                    .isEqualTo(lines.size()).isEqualTo(journal.size()).isEqualTo(replayed.sequence());
            assertThat(run.state().phase()).as(where).isEqualTo(replayed.phase());
            assertThat(JournalFiles.readJson(runDir.resolve("state.json")).get("journal_sequence").asLong())
                    .as(where + ": state.json of %s", runId).isEqualTo(run.sequence());

            // Every acknowledged step is in the journal, as the events it appended.
            for (Ack ack : acks) {
                assertThat((long) journal.size())
                        .as(where + ": %s lost acknowledged sequence %d", runId, ack.sequence())
                        .isGreaterThanOrEqualTo(ack.sequence());
                List<String> types = journal.subList((int) ack.sequence() - ack.types().size(), (int) ack.sequence())
                        .stream().map(entry -> entry.event().type()).toList();
                assertThat(types).as(where + ": %s entries up to %d", runId, ack.sequence())
                        .isEqualTo(ack.types());
            }
            if (run.state().complete()) {
                completed++;
                verified.put(runId, files(runDir));
            } else {
                unfinished++;
            }
        }
        stats.completedRuns = completed;
        // At most one run of the story is unfinished: a kill never makes the runtime lose track of a run.
        assertThat(unfinished).as(where + ": unfinished runs of the story").isLessThanOrEqualTo(1);
    }

    /** @return what a child wrote to its standard error, but the notice of the logging it was told to use */
    private static List<String> problems(Path stderr) {
        return contentOf(stderr).lines().filter(line -> !line.startsWith("SLF4J(I)")).toList();
    }

    /** @return how many temporary files of interrupted atomic writes lie in the store */
    private static long temporaryFiles(Path root) {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(file -> file.getFileName().toString().contains(".tmp-")).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean projectionBehind(Path runDir) {
        String journal = contentOf(runDir.resolve("journal.jsonl"));
        long lines = journal.chars().filter(c -> c == '\n').count();
        try {
            return JSON.readTree(contentOf(runDir.resolve("state.json"))).path("journal_sequence").asLong() < lines;
        } catch (IOException e) {
            return true;
        }
    }

    private ChildJvm startChild(Path root, int number) {
        return ChildJvm.start(CrashChild.class, dir.resolve("child-" + number + ".err"), root.toString(), STORY);
    }

    private static String files(Path runDir) {
        return contentOf(runDir.resolve("journal.jsonl")) + "\n--\n" + contentOf(runDir.resolve("state.json"));
    }

    private static String contentOf(Path file) {
        return Files.exists(file) ? new String(JournalFiles.read(file), StandardCharsets.ISO_8859_1) : "";
    }

    private static void spin(long nanos) {
        long until = System.nanoTime() + nanos;
        while (System.nanoTime() < until) {
            Thread.onSpinWait();
        }
    }

    private static final class Stats {
        int acks;
        int warnings;
        int completedRuns;
        int staleProjections;

        @Override
        public String toString() {
            return acks + " acknowledged steps, " + completedRuns + " completed runs, " + warnings
                    + " torn-tail warnings, " + staleProjections + " projections behind their journal";
        }
    }
}
