package dev.agentpipeline.core.testing;

import dev.agentpipeline.core.run.Ids;
import dev.agentpipeline.core.run.RunEvent;
import dev.agentpipeline.core.run.RunState;
import dev.agentpipeline.core.store.ConcurrentAppendException;
import dev.agentpipeline.core.store.JournalEntry;
import dev.agentpipeline.core.store.LockTimeoutException;
import dev.agentpipeline.core.store.RunLock;
import dev.agentpipeline.core.store.RunSnapshot;
import dev.agentpipeline.core.store.RunStore;
import dev.agentpipeline.core.store.StoreException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link RunStore} in memory, for tests in which the store is not the subject. It honours the contract of
 * {@link RunStore}: appends are atomic (all events or none), optimistic concurrency on the expected sequence,
 * sequences 1, 2, 3... without gaps, reentrant per-run and per-subject locks with a bounded wait, and ids checked
 * like the file store checks them. Nothing survives the JVM, of course. Thread-safe.
 */
public final class InMemoryRunStore implements RunStore {

    private final Map<String, Journal> runs = new ConcurrentHashMap<>();
    private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();
    private final Map<String, String> active = new ConcurrentHashMap<>();

    private static final class Journal {
        final List<RunEvent> events = new ArrayList<>();
        RunState state;
    }

    @Override
    public RunSnapshot append(String runId, long expectedSequence, List<? extends RunEvent> events) {
        Ids.requireSafe("run id", runId);
        Objects.requireNonNull(events, "events");
        if (events.isEmpty()) {
            throw new IllegalArgumentException("append needs at least one event");
        }
        try (RunLock ignored = lock(runId, Duration.ofSeconds(5))) {
            Journal journal = runs.get(runId);
            long actual = journal == null ? 0 : journal.events.size();
            if (journal == null && expectedSequence != 0) {
                throw new StoreException("run_not_found", "Run " + runId + " does not exist.", "Start the run first.",
                        null);
            }
            if (actual != expectedSequence) {
                throw new ConcurrentAppendException(runId, expectedSequence, actual);
            }
            // Fold first: an event the state refuses leaves the journal untouched (all or nothing).
            RunState state = journal == null ? null : journal.state;
            long sequence = expectedSequence;
            for (RunEvent event : events) {
                sequence++;
                state = state == null ? RunState.start(sequence, event) : state.apply(sequence, event);
            }
            Journal target = journal == null ? new Journal() : journal;
            target.events.addAll(events);
            target.state = state;
            runs.putIfAbsent(runId, target);
            return new RunSnapshot(state, List.of());
        }
    }

    @Override
    public Optional<RunSnapshot> load(String runId) {
        Ids.requireSafe("run id", runId);
        try (RunLock ignored = lock(runId, Duration.ofSeconds(5))) {
            Journal journal = runs.get(runId);
            return journal == null ? Optional.empty() : Optional.of(new RunSnapshot(journal.state, List.of()));
        }
    }

    @Override
    public List<JournalEntry> journal(String runId) {
        try (RunLock ignored = lock(runId, Duration.ofSeconds(5))) {
            Journal journal = runs.get(runId);
            if (journal == null) {
                return List.of();
            }
            List<JournalEntry> entries = new ArrayList<>();
            for (int i = 0; i < journal.events.size(); i++) {
                entries.add(new JournalEntry(i + 1, journal.events.get(i)));
            }
            return Collections.unmodifiableList(entries);
        }
    }

    private final Map<String, ReentrantLock> claims = new ConcurrentHashMap<>();

    @Override
    public java.util.Optional<dev.agentpipeline.core.store.RunClaim> tryClaim(String runId) {
        ReentrantLock claim = claims.computeIfAbsent(runId, k -> new ReentrantLock());
        if (!claim.tryLock()) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(new dev.agentpipeline.core.store.RunClaim() {
            @Override
            public long token() {
                return 0;
            }

            @Override
            public void close() {
                claim.unlock();
            }
        });
    }

    @Override
    public RunLock lock(String runId, Duration timeout) {
        return acquire("run:" + Ids.requireSafe("run id", runId), timeout, "Run " + runId);
    }

    @Override
    public RunLock lockSubject(String pipelineId, String subjectId, Duration timeout) {
        return acquire("subject:" + pipelineId + "/" + Ids.requireSafe("subject id", subjectId), timeout,
                "Subject " + subjectId + " of pipeline " + pipelineId);
    }

    private RunLock acquire(String key, Duration timeout, String what) {
        ReentrantLock lock = locks.computeIfAbsent(key, k -> new ReentrantLock(true));
        try {
            if (!lock.tryLock(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                throw new LockTimeoutException(what, timeout);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted", "Interrupted while waiting for " + what + ".", "", e);
        }
        return lock::unlock;
    }

    @Override
    public List<String> runIds() {
        return new ArrayList<>(new TreeMap<>(runs).keySet());
    }

    @Override
    public Optional<String> activeRun(String pipelineId, String subjectId) {
        return Optional.ofNullable(active.get(key(pipelineId, subjectId)));
    }

    @Override
    public Map<String, String> activeRuns(String pipelineId) {
        Map<String, String> result = new TreeMap<>();
        active.forEach((key, runId) -> {
            if (key.startsWith(pipelineId + "/")) {
                result.put(key.substring(pipelineId.length() + 1), runId);
            }
        });
        return result;
    }

    @Override
    public void setActive(String pipelineId, String subjectId, String runId) {
        active.put(key(pipelineId, subjectId), Ids.requireSafe("run id", runId));
    }

    @Override
    public void clearActive(String pipelineId, String subjectId, String runId) {
        active.remove(key(pipelineId, subjectId), runId);
    }

    private static String key(String pipelineId, String subjectId) {
        return Ids.requireSafe("pipeline id", pipelineId) + "/" + Ids.requireSafe("subject id", subjectId);
    }

    /**
     * Appends an event as if an earlier process had written it (a crash leaves such traces), bypassing the runtime.
     *
     * @param runId the run
     * @param event the event
     * @return the run afterwards
     */
    public RunSnapshot inject(String runId, RunEvent event) {
        long sequence = load(runId).orElseThrow().sequence();
        return append(runId, sequence, List.of(event));
    }

    @Override
    public String toString() {
        return "InMemoryRunStore" + runIds();
    }
}
