package dev.agentpipeline.bench;

import dev.agentpipeline.core.run.RunEvent;
import dev.agentpipeline.core.store.JournalEntry;
import dev.agentpipeline.core.store.RunClaim;
import dev.agentpipeline.core.store.RunLock;
import dev.agentpipeline.core.store.RunSnapshot;
import dev.agentpipeline.core.store.RunStore;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A store that hands every call to another and times the rescans of one thread: a rescan starts when that thread
 * lists the runs ({@link #runIds()}) and ends with the last run it loads afterwards. {@link WorkerAtScale} uses it to
 * tell which signals met a rescan of the worker's scheduler thread, which lists and loads only when it rescans.
 * The cost it adds is a thread-name comparison per call.
 */
final class ObservedStore implements RunStore {

    private final RunStore store;
    private final String threadName;
    private final List<WorkerAtScale.Rescan> rescans = new ArrayList<>();
    private WorkerAtScale.Rescan current;

    private final boolean listsRuns;

    ObservedStore(RunStore store, String threadName) {
        this(store, threadName, true);
    }

    private ObservedStore(RunStore store, String threadName, boolean listsRuns) {
        this.store = store;
        this.threadName = threadName;
        this.listsRuns = listsRuns;
    }

    /**
     * A store whose {@link #runIds()} is empty: for creating many runs in a new directory, where
     * {@code PipelineRuntime.start} would list every run the store has before each start, to look for a crashed
     * start's leftover of the same subject, and there is none.
     *
     * @param store the store
     * @return the store, without a listing
     */
    static ObservedStore unlisted(RunStore store) {
        return new ObservedStore(store, "", false);
    }

    /** @return the rescans so far, the last one possibly still going */
    synchronized List<WorkerAtScale.Rescan> rescans() {
        return List.copyOf(rescans);
    }

    private boolean observed() {
        return Thread.currentThread().getName().equals(threadName);
    }

    @Override
    public List<String> runIds() {
        if (!listsRuns) {
            return List.of();
        }
        if (observed()) {
            WorkerAtScale.Rescan rescan = new WorkerAtScale.Rescan(System.nanoTime());
            synchronized (this) {
                current = rescan;
                rescans.add(rescan);
            }
            List<String> ids = store.runIds();
            rescan.end = System.nanoTime();
            return ids;
        }
        return store.runIds();
    }

    @Override
    public Optional<RunSnapshot> load(String runId) {
        Optional<RunSnapshot> run = store.load(runId);
        if (observed()) {
            WorkerAtScale.Rescan rescan;
            synchronized (this) {
                rescan = current;
            }
            if (rescan != null) {
                rescan.end = System.nanoTime();
            }
        }
        return run;
    }

    @Override
    public RunSnapshot append(String runId, long expectedSequence, List<? extends RunEvent> events) {
        return store.append(runId, expectedSequence, events);
    }

    @Override
    public List<JournalEntry> journal(String runId) {
        return store.journal(runId);
    }

    @Override
    public RunLock lock(String runId, Duration timeout) {
        return store.lock(runId, timeout);
    }

    @Override
    public Optional<RunClaim> tryClaim(String runId) {
        return store.tryClaim(runId);
    }

    @Override
    public RunLock lockSubject(String pipelineId, String subjectId, Duration timeout) {
        return store.lockSubject(pipelineId, subjectId, timeout);
    }

    @Override
    public Optional<String> activeRun(String pipelineId, String subjectId) {
        return store.activeRun(pipelineId, subjectId);
    }

    @Override
    public Map<String, String> activeRuns(String pipelineId) {
        return store.activeRuns(pipelineId);
    }

    @Override
    public void setActive(String pipelineId, String subjectId, String runId) {
        store.setActive(pipelineId, subjectId, runId);
    }

    @Override
    public void clearActive(String pipelineId, String subjectId, String runId) {
        store.clearActive(pipelineId, subjectId, runId);
    }

    @Override
    public Map<String, String> locations(String runId) {
        return store.locations(runId);
    }

    @Override
    public Optional<String> pointerLocation(String pipelineId, String subjectId) {
        return store.pointerLocation(pipelineId, subjectId);
    }
}
