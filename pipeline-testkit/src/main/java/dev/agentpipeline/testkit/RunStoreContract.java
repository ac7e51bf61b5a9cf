package dev.agentpipeline.testkit;

import dev.agentpipeline.core.run.Pause;
import dev.agentpipeline.core.run.RunEvent;
import dev.agentpipeline.core.run.RunState;
import dev.agentpipeline.core.store.ConcurrentAppendException;
import dev.agentpipeline.core.store.CorruptRunException;
import dev.agentpipeline.core.store.JournalEntry;
import dev.agentpipeline.core.store.LockTimeoutException;
import dev.agentpipeline.core.store.RunLock;
import dev.agentpipeline.core.store.RunSnapshot;
import dev.agentpipeline.core.store.RunStore;
import dev.agentpipeline.core.store.StoreException;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.apiguardian.api.API;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * The {@link RunStore} contract, as its Javadoc states it: every store implementation's test extends this class and
 * supplies a fresh, empty store.
 *
 * <pre>{@code
 * class PostgresRunStoreTest extends RunStoreContract {
 *     @Override
 *     protected RunStore newStore() {
 *         return PostgresRunStore.create(dataSource, schemaForThisTest());
 *     }
 * }
 * }</pre>
 *
 * <p>The tests never sleep and assert no durations: lock timeouts are only checked to end in
 * {@link LockTimeoutException}. Events carry millisecond timestamps so that they compare equal after a round trip.
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public abstract class RunStoreContract {

    /** A short wait for a lock that must time out. */
    protected static final Duration SHORT = Duration.ofMillis(100);
    /** A wait long enough that it only ends when the lock is released. */
    protected static final Duration LONG = Duration.ofSeconds(30);

    private static final Instant T0 = Instant.parse("2026-01-15T10:00:00.000Z");

    /** The store under test, fresh for every test. */
    protected RunStore store;

    /**
     * @return a new, empty store; called before every test
     */
    protected abstract RunStore newStore();

    private ExecutorService threads;

    @BeforeEach
    void createStore() {
        store = newStore();
        threads = Executors.newCachedThreadPool();
    }

    @AfterEach
    void stopThreads() {
        threads.shutdownNow();
    }

    /**
     * Runs work on a thread of its own (never on the calling thread, which may hold a lock).
     *
     * @param work the work
     * @param <T> its result
     * @return its future
     */
    protected <T> CompletableFuture<T> onAnotherThread(Supplier<T> work) {
        return CompletableFuture.supplyAsync(work, threads);
    }

    // ------------------------------------------------------------------------------------------- events

    /**
     * @param n a number
     * @return the instant {@code n} seconds after a fixed epoch, with millisecond precision
     */
    public static Instant at(int n) {
        return T0.plusSeconds(n);
    }

    /**
     * @param runId a run id
     * @return the first event of a story run for subject {@code US001}
     */
    public static RunEvent.Started started(String runId) {
        return new RunEvent.Started(at(0), runId, "story", "US001", "Login form", "QUEUED",
                Map.of("quality_cycles", 0), Map.of("story_id", "US001", "budget", 3L), Map.of("owner", "ana"));
    }

    /**
     * @param from the state left
     * @param to the state entered
     * @return a transition through the guards
     */
    public static RunEvent.Transitioned transitioned(String from, String to) {
        return new RunEvent.Transitioned(at(1), from, to, null, null, false);
    }

    /**
     * @param checkpointSequence the checkpoint's own sequence number
     * @return a STAGE_0 checkpoint
     */
    public static RunEvent.CheckpointRecorded checkpoint(int checkpointSequence) {
        return new RunEvent.CheckpointRecorded(at(2 + checkpointSequence), "STAGE_0", checkpointSequence,
                Map.of("plan_score", 4L, "tasks", List.of("T-1", "T-2")));
    }

    /**
     * @param runId a run id
     * @param n how many events, at least 2
     * @return a journal of {@code n} events: started, into STAGE_0, then checkpoints
     */
    public static List<RunEvent> journalOf(String runId, int n) {
        List<RunEvent> events = new ArrayList<>();
        events.add(started(runId));
        events.add(transitioned("QUEUED", "STAGE_0"));
        for (int i = 1; events.size() < n; i++) {
            events.add(checkpoint(i));
        }
        return events;
    }

    /**
     * Creates a run with {@code n} events, appended one by one.
     *
     * @param runId the run
     * @param n how many events, at least 2
     * @return the run after the last append
     */
    protected RunSnapshot createRun(String runId, int n) {
        RunSnapshot run = null;
        long sequence = 0;
        for (RunEvent event : journalOf(runId, n)) {
            run = store.append(runId, sequence++, List.of(event));
        }
        return run;
    }

    private static List<RunEvent> events(List<JournalEntry> entries) {
        return entries.stream().map(JournalEntry::event).toList();
    }

    // ------------------------------------------------------------------------------------------- append and load

    @Test
    void loadsWhatWasAppended() {
        // Given
        List<RunEvent> events = journalOf("run-1", 5);
        RunEvent.Paused paused = new RunEvent.Paused(at(9), new Pause("Waiting for review", "manual", "stage_0",
                Map.of("attempts", 2L), "Review the plan, then resume", "STAGE_0"));

        // When
        store.append("run-1", 0, events.subList(0, 1));
        store.append("run-1", 1, events.subList(1, 5));
        RunSnapshot appended = store.append("run-1", 5, List.of(paused));

        // Then
        RunSnapshot loaded = store.load("run-1").orElseThrow();
        assertThat(loaded.sequence()).isEqualTo(6).isEqualTo(appended.sequence());
        assertThat(loaded.warnings()).isEmpty();
        RunState state = loaded.state();
        assertThat(state.runId()).isEqualTo("run-1");
        assertThat(state.subjectId()).isEqualTo("US001");
        assertThat(state.phase()).isEqualTo(RunState.PAUSED);
        assertThat(state.pausedFrom()).contains("STAGE_0");
        assertThat(state.checkpoints()).extracting(c -> c.sequence()).containsExactly(1, 2, 3);
        assertThat(state.manifest()).containsEntry("budget", 3L);
        assertThat(state.attributes()).containsEntry("owner", "ana");
        List<RunEvent> all = new ArrayList<>(events);
        all.add(paused);
        assertThat(events(store.journal("run-1"))).containsExactlyElementsOf(all);
    }

    @Test
    void appendReturnsTheRunAsLoadWouldRebuildIt() {
        // Given
        createRun("run-1", 3);

        // When
        RunSnapshot appended = store.append("run-1", 3, List.of(checkpoint(2)));

        // Then
        RunState loaded = store.load("run-1").orElseThrow().state();
        RunState replayed = RunState.replay(events(store.journal("run-1")));
        assertThat(appended.state().sequence()).isEqualTo(loaded.sequence()).isEqualTo(replayed.sequence());
        assertThat(appended.state().checkpoints()).isEqualTo(loaded.checkpoints()).isEqualTo(replayed.checkpoints());
        assertThat(appended.state().phase()).isEqualTo(loaded.phase()).isEqualTo(replayed.phase());
    }

    @Test
    void numbersJournalEntriesFromOneWithoutGaps() {
        // Given
        store.append("run-1", 0, List.of(started("run-1")));
        store.append("run-1", 1, List.of(transitioned("QUEUED", "STAGE_0"), checkpoint(1), checkpoint(2)));
        store.append("run-1", 4, List.of(checkpoint(3)));

        // When
        List<JournalEntry> journal = store.journal("run-1");

        // Then
        assertThat(journal).extracting(JournalEntry::sequence).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(journal).extracting(e -> e.event().type()).containsExactly("RUN_STARTED", "TRANSITIONED",
                "CHECKPOINT_RECORDED", "CHECKPOINT_RECORDED", "CHECKPOINT_RECORDED");
    }

    @Test
    void rejectsAnAppendThatExpectsAnOlderSequenceAndAppendsNothing() {
        // Given
        createRun("run-1", 4);

        // When / Then
        assertThatThrownBy(() -> store.append("run-1", 3, List.of(checkpoint(3))))
                .isInstanceOf(ConcurrentAppendException.class)
                .satisfies(e -> assertThat(((StoreException) e).code()).isEqualTo("concurrent_append"));
        assertThat(store.journal("run-1")).hasSize(4);
        assertThat(store.load("run-1").orElseThrow().sequence()).isEqualTo(4);
    }

    @Test
    void rejectsAnAppendThatExpectsANewerSequenceAndAppendsNothing() {
        // Given
        createRun("run-1", 4);

        // When / Then
        assertThatThrownBy(() -> store.append("run-1", 5, List.of(checkpoint(3))))
                .isInstanceOf(ConcurrentAppendException.class);
        assertThat(store.journal("run-1")).hasSize(4);
    }

    @Test
    void appendsNothingWhenABatchCannotBeApplied() {
        // Given
        createRun("run-1", 3);

        // When: the second event of the batch is a second RUN_STARTED, which no run can fold
        assertThatThrownBy(() -> store.append("run-1", 3, List.of(checkpoint(2), started("run-1"))))
                .isInstanceOf(RuntimeException.class);

        // Then
        assertThat(store.journal("run-1")).hasSize(3);
        assertThat(store.append("run-1", 3, List.of(checkpoint(2))).sequence()).isEqualTo(4);
    }

    @Test
    void refusesAnEmptyAppend() {
        // Given
        createRun("run-1", 2);

        // When / Then
        assertThatThrownBy(() -> store.append("run-1", 2, List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThat(store.journal("run-1")).hasSize(2);
    }

    @Test
    void refusesToCreateARunTwice() {
        // Given
        createRun("run-1", 3);

        // When / Then
        assertThatThrownBy(() -> store.append("run-1", 0, List.of(started("run-1"))))
                .isInstanceOf(ConcurrentAppendException.class);
        assertThat(store.journal("run-1")).hasSize(3);
        assertThat(store.load("run-1").orElseThrow().state().phase()).isEqualTo("STAGE_0");
    }

    @Test
    void refusesToAppendToARunThatDoesNotExist() {
        // When / Then
        assertThatThrownBy(() -> store.append("missing", 1, List.of(checkpoint(1))))
                .isInstanceOf(StoreException.class);
        assertThat(store.load("missing")).isEmpty();
        assertThat(store.runIds()).doesNotContain("missing");
    }

    @Test
    void loadsNothingForAnUnknownRun() {
        // Given
        createRun("run-1", 2);

        // When / Then
        assertThat(store.load("run-2")).isEmpty();
        assertThat(store.journal("run-2")).isEmpty();
    }

    @Test
    void keepsRunsApart() {
        // Given
        createRun("run-1", 5);
        createRun("run-2", 2);

        // When
        store.append("run-2", 2, List.of(checkpoint(1)));

        // Then
        assertThat(store.journal("run-1")).hasSize(5);
        assertThat(store.journal("run-2")).hasSize(3);
        assertThat(store.load("run-2").orElseThrow().state().checkpoints()).hasSize(1);
        assertThat(store.runIds()).containsExactlyInAnyOrder("run-1", "run-2");
    }

    @Test
    void listsNoRunsWhenEmpty() {
        assertThat(store.runIds()).isEmpty();
        assertThat(store.activeRuns("story")).isEmpty();
    }

    @Test
    void loadsTheSameRunFromEveryThread() throws Exception {
        // Given
        createRun("run-1", 6);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            // When
            List<Future<RunSnapshot>> loads = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                loads.add(pool.submit(() -> store.load("run-1").orElseThrow()));
            }

            // Then
            for (Future<RunSnapshot> load : loads) {
                assertThat(load.get(30, TimeUnit.SECONDS).sequence()).isEqualTo(6);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    // ------------------------------------------------------------------------------------------- locks

    @Test
    void letsTheOwningThreadTakeItsLockAgain() throws Exception {
        // Given
        createRun("run-1", 2);

        // When
        try (RunLock outer = store.lock("run-1", SHORT)) {
            try (RunLock inner = store.lock("run-1", SHORT)) {
                // Then: an append from the owner takes the lock again too
                assertThat(store.append("run-1", 2, List.of(checkpoint(1))).sequence()).isEqualTo(3);
            }
            // still owned after the inner release
            assertThat(tryLockFromAnotherThread("run-1", SHORT)).isFalse();
        }
        assertThat(tryLockFromAnotherThread("run-1", SHORT)).isTrue();
    }

    @Test
    void makesAnotherThreadTimeOutWhileTheLockIsHeld() throws Exception {
        // Given
        createRun("run-1", 2);

        try (RunLock held = store.lock("run-1", SHORT)) {
            // When
            CompletableFuture<RunLock> other = onAnotherThread(() -> store.lock("run-1", SHORT));

            // Then
            assertThatThrownBy(() -> other.get(30, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(LockTimeoutException.class)
                    .satisfies(e -> assertThat(((StoreException) e).code()).isEqualTo("lock_timeout"));
        }
    }

    @Test
    void makesAnotherThreadWaitUntilTheOwnerReleases() throws Exception {
        // Given
        createRun("run-1", 2);
        CountDownLatch asking = new CountDownLatch(1);
        CompletableFuture<Long> other;
        Thread[] waiter = new Thread[1];
        try (RunLock held = store.lock("run-1", SHORT)) {
            // When: another thread asks with a long timeout while we hold the lock
            other = onAnotherThread(() -> {
                waiter[0] = Thread.currentThread();
                asking.countDown();
                try (RunLock lock = store.lock("run-1", LONG)) {
                    return store.append("run-1", 2, List.of(checkpoint(1))).sequence();
                }
            });
            assertThat(asking.await(30, TimeUnit.SECONDS)).isTrue();
            awaitBlocked(waiter[0]);
            assertThat(other).isNotDone();
        }

        // Then: it gets the lock once we release it, instead of failing at once
        assertThat(other.get(30, TimeUnit.SECONDS)).isEqualTo(3);
    }

    @Test
    void locksEachRunOnItsOwn() throws Exception {
        // Given
        createRun("run-1", 2);
        createRun("run-2", 2);

        // When
        try (RunLock held = store.lock("run-1", SHORT)) {
            // Then
            assertThat(tryLockFromAnotherThread("run-2", SHORT)).isTrue();
            assertThat(onAnotherThread(() -> store.append("run-2", 2, List.of(checkpoint(1))))
                    .get(30, TimeUnit.SECONDS).sequence()).isEqualTo(3);
        }
    }

    @Test
    void locksASubjectForOneOwnerAtATime() throws Exception {
        // Given
        try (RunLock held = store.lockSubject("story", "US001", SHORT)) {
            // When
            CompletableFuture<RunLock> sameSubject = onAnotherThread(
                    () -> store.lockSubject("story", "US001", SHORT));
            CompletableFuture<RunLock> otherSubject = onAnotherThread(() -> {
                try (RunLock lock = store.lockSubject("story", "US002", SHORT)) {
                    return lock;
                }
            });

            // Then
            assertThatThrownBy(() -> sameSubject.get(30, TimeUnit.SECONDS))
                    .cause().isInstanceOf(LockTimeoutException.class);
            assertThat(otherSubject.get(30, TimeUnit.SECONDS)).isNotNull();
            try (RunLock again = store.lockSubject("story", "US001", SHORT)) {
                assertThat(again).isNotNull(); // reentrant for the owner
            }
        }
    }

    /**
     * Waits until a thread is blocked (waiting for a lock). Stores whose waiting threads stay runnable (a blocking
     * network read) may override this.
     *
     * @param thread the thread
     */
    protected void awaitBlocked(Thread thread) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (thread.getState() != Thread.State.TIMED_WAITING && thread.getState() != Thread.State.WAITING) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(thread + " never blocked; it is " + thread.getState());
            }
            Thread.onSpinWait();
        }
    }

    private boolean tryLockFromAnotherThread(String runId, Duration timeout)
            throws InterruptedException, ExecutionException, TimeoutException {
        return onAnotherThread(() -> {
            try (RunLock lock = store.lock(runId, timeout)) {
                return true;
            } catch (LockTimeoutException e) {
                return false;
            }
        }).get(30, TimeUnit.SECONDS);
    }

    // ------------------------------------------------------------------------------------------- active runs

    @Test
    void pointsASubjectAtItsCurrentRun() {
        // Given
        createRun("run-1", 2);
        createRun("run-2", 2);

        // When
        store.setActive("story", "US001", "run-1");
        store.setActive("story", "US002", "run-2");

        // Then
        assertThat(store.activeRun("story", "US001")).contains("run-1");
        assertThat(store.activeRun("story", "US002")).contains("run-2");
        assertThat(store.activeRun("story", "US003")).isEmpty();
        assertThat(store.activeRun("other", "US001")).isEmpty();
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("US001", "run-1");
        expected.put("US002", "run-2");
        assertThat(store.activeRuns("story")).isEqualTo(expected);
        assertThat(store.activeRuns("other")).isEmpty();
    }

    @Test
    void movesASubjectToItsNewRun() {
        // Given
        createRun("run-1", 2);
        createRun("run-2", 2);
        store.setActive("story", "US001", "run-1");

        // When
        store.setActive("story", "US001", "run-2");

        // Then
        assertThat(store.activeRun("story", "US001")).contains("run-2");
        assertThat(store.activeRuns("story")).containsExactly(Map.entry("US001", "run-2"));
    }

    @Test
    void clearsTheCurrentRunOnlyIfItIsStillTheSame() {
        // Given
        createRun("run-1", 2);
        createRun("run-2", 2);
        store.setActive("story", "US001", "run-2");

        // When: a late command of the old run clears
        store.clearActive("story", "US001", "run-1");

        // Then
        assertThat(store.activeRun("story", "US001")).contains("run-2");

        // When: the current run clears
        store.clearActive("story", "US001", "run-2");

        // Then
        assertThat(store.activeRun("story", "US001")).isEmpty();
        assertThat(store.activeRuns("story")).isEmpty();
        store.clearActive("story", "US001", "run-2"); // clearing nothing is fine
        assertThat(store.activeRun("story", "US001")).isEmpty();
    }

    @Test
    void keepsRunsWhenTheirPointerIsCleared() {
        // Given
        createRun("run-1", 3);
        store.setActive("story", "US001", "run-1");

        // When
        store.clearActive("story", "US001", "run-1");

        // Then
        assertThat(store.load("run-1")).map(RunSnapshot::sequence).isEqualTo(Optional.of(3L));
        assertThat(store.runIds()).contains("run-1");
    }
}
