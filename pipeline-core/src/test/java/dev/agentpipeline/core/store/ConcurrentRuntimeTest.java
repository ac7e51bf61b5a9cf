package dev.agentpipeline.core.store;

import com.fasterxml.jackson.databind.JsonNode;

import dev.agentpipeline.core.engine.CheckpointResult;
import dev.agentpipeline.core.engine.LoopHealthResult;
import dev.agentpipeline.core.engine.PipelineRuntime;
import dev.agentpipeline.core.engine.StartRequest;
import dev.agentpipeline.core.loop.LoopSignal;
import dev.agentpipeline.core.run.LoopHealthEntry;
import dev.agentpipeline.core.run.RunEvent;
import dev.agentpipeline.core.run.RunState;
import dev.agentpipeline.core.story.CommandResult;
import dev.agentpipeline.core.story.StoryCommands;
import dev.agentpipeline.core.story.StoryPipeline;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * One writer per run: many threads of one JVM, several stores on one directory, and another process, all changing
 * the same run through the real runtime, lose nothing and never write at the same time.
 */
class ConcurrentRuntimeTest {

    private static final int THREADS = 32;
    private static final String STORY = "US001";

    @TempDir
    Path dir;

    private Path root;
    private ExecutorService pool;

    @BeforeEach
    void setUp() {
        root = dir.resolve(".pipeline");
        pool = Executors.newFixedThreadPool(THREADS);
    }

    @AfterEach
    void tearDown() {
        pool.shutdownNow();
    }

    /** @return {@code stores} runtimes, each on its own {@link FileRunStore} of the same directory */
    private List<PipelineRuntime> runtimes(int stores, Path storeRoot) {
        List<PipelineRuntime> runtimes = new ArrayList<>();
        for (int i = 0; i < stores; i++) {
            runtimes.add(PipelineRuntime.builder().store(FileRunStore.open(storeRoot))
                    .definition(StoryPipeline.definition()).build());
        }
        return runtimes;
    }

    private static String runInStage0(PipelineRuntime runtime) {
        String runId = runtime.start(StartRequest.builder(StoryPipeline.ID, STORY).build()).run().state().runId();
        assertThat(runtime.advance(runId, "STAGE_0").allowed()).isTrue();
        return runId;
    }

    /** Runs the calls on {@link #THREADS} threads released at once, and returns their results in call order. */
    private <T> List<T> allAtOnce(IntFunction<T> call) throws Exception {
        CountDownLatch ready = new CountDownLatch(THREADS);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<T>> futures = new ArrayList<>();
        for (int i = 0; i < THREADS; i++) {
            int n = i;
            Callable<T> task = () -> {
                ready.countDown();
                go.await();
                return call.apply(n);
            };
            futures.add(pool.submit(task));
        }
        assertThat(ready.await(30, TimeUnit.SECONDS)).isTrue();
        go.countDown();
        List<T> results = new ArrayList<>();
        for (Future<T> future : futures) {
            results.add(future.get(60, TimeUnit.SECONDS));
        }
        return results;
    }

    private static List<Integer> oneToThreads() {
        return IntStream.rangeClosed(1, THREADS).boxed().toList();
    }

    // ------------------------------------------------------------------------------------------- one JVM

    @ParameterizedTest(name = "{0} store(s) on the directory")
    @ValueSource(ints = {1, 2})
    void recordsTheCheckpointOfEveryThreadWithItsOwnSequence(int stores) throws Exception {
        // Given
        List<PipelineRuntime> runtimes = runtimes(stores, root);
        String runId = runInStage0(runtimes.get(0));

        // When
        List<CheckpointResult> results = allAtOnce(n -> runtimes.get(n % stores)
                .checkpoint(runId, "STAGE_0", Map.of("thread", n)));

        // Then
        assertThat(results).extracting(r -> r.checkpoint().sequence())
                .containsExactlyInAnyOrderElementsOf(oneToThreads());
        RunState run = FileRunStore.open(root).load(runId).orElseThrow().state();
        assertThat(run.checkpoints()).hasSize(THREADS);
        assertThat(run.checkpoints()).extracting(c -> ((Number) c.payload().get("thread")).intValue())
                .containsExactlyInAnyOrderElementsOf(IntStream.range(0, THREADS).boxed().toList());
        assertThat(run.sequence()).isEqualTo(2 + THREADS);
        JsonNode checkpoints = JournalFiles.readJson(FileRunStore.open(root).runDirectory(runId)
                .resolve("checkpoints.json"));
        assertThat(checkpoints.get("_history")).hasSize(THREADS);
        assertThat(checkpoints.get("_next_sequence").asInt()).isEqualTo(THREADS + 1);
        assertThat(JournalFiles.lines(FileRunStore.open(root).runDirectory(runId).resolve("journal.jsonl")))
                .allMatch(JournalFiles.Line::checksumValid)
                .extracting(JournalFiles.Line::seq).containsExactlyElementsOf(
                        IntStream.rangeClosed(1, 2 + THREADS).mapToObj(Long::valueOf).toList());
    }

    @ParameterizedTest(name = "{0} store(s) on the directory")
    @ValueSource(ints = {1, 2})
    void countsTheLoopHealthSignalOfEveryThread(int stores) throws Exception {
        // Given
        List<PipelineRuntime> runtimes = runtimes(stores, root);
        String runId = runInStage0(runtimes.get(0));

        // When: signals with progress, so that none pauses the run
        List<LoopHealthResult> results = allAtOnce(n -> runtimes.get(n % stores).recordLoopHealth(runId, "stage_0",
                LoopSignal.fromPayload(Map.of("progress_detected", true), Instant.now())));

        // Then: no increment was lost
        assertThat(results).extracting(r -> r.entry().attempts()).containsExactlyInAnyOrderElementsOf(oneToThreads());
        assertThat(results).noneMatch(LoopHealthResult::paused);
        RunState run = FileRunStore.open(root).load(runId).orElseThrow().state();
        LoopHealthEntry entry = run.loopHealth().get("stage_0");
        assertThat(entry.attempts()).isEqualTo(THREADS);
        assertThat(entry.noProgressCount()).isZero();
        assertThat(run.isPaused()).isFalse();
        assertThat(FileRunStore.open(root).journal(runId)).extracting(e -> e.event().type())
                .filteredOn("LOOP_HEALTH_RECORDED"::equals).hasSize(THREADS);
    }

    @Test
    void answersEveryThreadOfTheCheckpointCommand() throws Exception {
        // Given
        PipelineRuntime runtime = runtimes(1, root).get(0);
        StoryCommands commands = new StoryCommands(runtime, dir);
        assertThat(commands.start(StoryCommands.StartArgs.builder(STORY).title("Login form").build()).exitCode())
                .isEqualTo(CommandResult.OK);
        assertThat(commands.advance(STORY, "STAGE_0", false, false, null).exitCode()).isEqualTo(CommandResult.OK);

        // When
        List<CommandResult> results = allAtOnce(n -> commands.checkpoint(StoryCommands.CheckpointArgs.builder("0")
                .story(STORY).planScore("4").lastAction("thread " + n).build()));

        // Then
        assertThat(results).allSatisfy(r -> assertThat(r.exitCode()).as("%s", r.json()).isEqualTo(CommandResult.OK));
        assertThat(results).extracting(r -> ((Number) ((Map<?, ?>) r.json().get("checkpoint")).get("sequence"))
                .intValue()).containsExactlyInAnyOrderElementsOf(oneToThreads());
        Map<String, Object> status = commands.status(STORY).json();
        assertThat((List<?>) ((Map<?, ?>) status.get("checkpoints")).get("_history")).hasSize(THREADS);
    }

    @Test
    void sharesTheLockOfAStoreReachedThroughAnotherPath() throws Exception {
        // Given: two stores on one directory, one of them through a symbolic link
        Files.createDirectories(root);
        Path link = Files.createSymbolicLink(dir.resolve("link"), root);
        List<PipelineRuntime> runtimes = new ArrayList<>(runtimes(1, root));
        runtimes.addAll(runtimes(1, link));
        String runId = runInStage0(runtimes.get(0));

        // When
        List<CheckpointResult> results = allAtOnce(n -> runtimes.get(n % 2)
                .checkpoint(runId, "STAGE_0", Map.of("thread", n)));

        // Then
        assertThat(results).extracting(r -> r.checkpoint().sequence())
                .containsExactlyInAnyOrderElementsOf(oneToThreads());
        assertThat(FileRunStore.open(root).journal(runId)).hasSize(2 + THREADS);
    }

    // ------------------------------------------------------------------------------------------- processes

    private String createRun(FileRunStore store) {
        String runId = "story-us001-1-cafe";
        List<RunEvent> events = StoreEvents.journalOf(runId, 2);
        store.append(runId, 0, events.subList(0, 1));
        store.append(runId, 1, events.subList(1, 2));
        return runId;
    }

    private ChildJvm lockInAnotherProcess(String runId, String expected) {
        ChildJvm child = ChildJvm.start(LockHolderChild.class, dir.resolve("lock-child.err"), root.toString(), runId,
                "30000");
        child.expectLine(expected);
        return child;
    }

    @Test
    void makesAnAppendTimeOutWhileAnotherProcessHoldsTheLock() {
        // Given
        FileRunStore impatient = FileRunStore.builder(root).lockTimeout(Duration.ofMillis(200)).build();
        String runId = createRun(impatient);
        Path journal = impatient.runDirectory(runId).resolve("journal.jsonl");

        try (ChildJvm child = lockInAnotherProcess(runId, "LOCKED")) {
            // When / Then
            assertThatThrownBy(() -> impatient.append(runId, 2, List.of(StoreEvents.checkpoint(1))))
                    .isInstanceOf(LockTimeoutException.class)
                    .hasMessageContaining(runId);
            assertThatThrownBy(() -> impatient.lock(runId, Duration.ofMillis(200)))
                    .isInstanceOf(LockTimeoutException.class);
            assertThat(JournalFiles.lines(journal)).hasSize(2);

            // When the other process releases
            child.send("release");
            child.expectLine("RELEASED");
            assertThat(child.awaitExit()).isZero();
        }

        // Then
        assertThat(impatient.append(runId, 2, List.of(StoreEvents.checkpoint(1))).sequence()).isEqualTo(3);
        assertThat(JournalFiles.lines(journal)).hasSize(3);
    }

    @Test
    void makesAnAppendWaitForAnotherProcessToRelease() throws Exception {
        // Given
        FileRunStore patient = FileRunStore.open(root);
        String runId = createRun(patient);

        try (ChildJvm child = lockInAnotherProcess(runId, "LOCKED")) {
            // When: we append while the other process holds the lock
            Thread[] appender = new Thread[1];
            CountDownLatch asking = new CountDownLatch(1);
            CompletableFuture<Long> append = CompletableFuture.supplyAsync(() -> {
                appender[0] = Thread.currentThread();
                asking.countDown();
                return patient.append(runId, 2, List.of(StoreEvents.checkpoint(1))).sequence();
            }, pool);
            assertThat(asking.await(30, TimeUnit.SECONDS)).isTrue();
            awaitWaiting(appender[0]);
            assertThat(append).isNotDone();
            child.send("release");

            // Then: it went through once the lock was free
            assertThat(append.get(60, TimeUnit.SECONDS)).isEqualTo(3);
            child.expectLine("RELEASED");
        }
    }

    @Test
    void takesOverTheLockOfAProcessThatDied() {
        // Given
        FileRunStore impatient = FileRunStore.builder(root).lockTimeout(Duration.ofMillis(200)).build();
        String runId = createRun(impatient);
        ChildJvm child = lockInAnotherProcess(runId, "LOCKED");

        // When
        child.kill();
        child.close();

        // Then
        assertThat(impatient.append(runId, 2, List.of(StoreEvents.checkpoint(1))).sequence()).isEqualTo(3);
    }

    @Test
    void keepsTheLockWhenAnotherStoreOfThisJvmGivesUpWaiting() throws Exception {
        // Given: this JVM holds the run's lock through one store
        FileRunStore store = FileRunStore.open(root);
        String runId = createRun(store);
        Path link = Files.createSymbolicLink(dir.resolve("link"), root);
        FileRunStore throughLink = FileRunStore.open(link);

        try (RunLock held = store.lock(runId, Duration.ofSeconds(1))) {
            // When: a thread waits for it through a store on another path to the same directory, and gives up
            assertThatThrownBy(() -> CompletableFuture.supplyAsync(
                    () -> throughLink.lock(runId, Duration.ofMillis(100)), pool).get(30, TimeUnit.SECONDS))
                    .cause().isInstanceOf(LockTimeoutException.class);

            // Then: another process still cannot take it
            try (ChildJvm child = ChildJvm.start(LockHolderChild.class, dir.resolve("lock-child.err"),
                    root.toString(), runId, "200")) {
                assertThat(child.readLine()).as("the other process").isEqualTo("TIMEOUT");
            }
        }
    }

    /** Waits until a thread waits (for the lock it polls, parked between tries). */
    private static void awaitWaiting(Thread thread) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (thread.getState() != Thread.State.TIMED_WAITING && thread.getState() != Thread.State.WAITING) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(thread + " never waited; it is " + thread.getState());
            }
            Thread.onSpinWait();
        }
    }
}
