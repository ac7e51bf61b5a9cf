package dev.agentpipeline.core.worker;

import dev.agentpipeline.core.definition.PipelineDefinition;
import dev.agentpipeline.core.engine.DriveResult;
import dev.agentpipeline.core.engine.Orchestrator;
import dev.agentpipeline.core.engine.PipelineRuntime;
import dev.agentpipeline.core.engine.RunListener;
import dev.agentpipeline.core.engine.Wait;
import dev.agentpipeline.core.engine.Waits;
import dev.agentpipeline.core.run.Ids;
import dev.agentpipeline.core.run.RunEvent;
import dev.agentpipeline.core.run.RunState;
import dev.agentpipeline.core.store.RunSnapshot;

import org.apiguardian.api.API;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Supplier;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * Drives every run of a store that can move - a stage to run, a signal arrived, a timer due, a decision answered,
 * a child ended - with a bounded pool of threads, and keeps an index of what the others wait for.
 *
 * <pre>{@code
 * try (Worker worker = Worker.builder(runtime, () -> Orchestrator.builder(runtime, StageRegistry.load()))
 *         .threads(4)
 *         .wakeDirectory(stateDirectory.resolve(WakeUps.DIRECTORY))
 *         .listener(change -> log.info(change.line()))
 *         .build()) {
 *     worker.start();
 *     ...                                   // runs move while the worker is open
 * }                                         // close: stages see cancellation, nothing is lost
 * }</pre>
 *
 * <p>How it knows what can move:
 * <ul>
 *   <li>On {@link #start()} it reads every unfinished run and computes what it waits for ({@link Waits}); runs that
 *       wait for nothing are driven, timers go into a queue of due times.</li>
 *   <li>Events this process appends wake their run (a signal received, a decision recorded, a resume, a child
 *       started or ended); a watched wake directory ({@link WakeUps}) carries the same from other processes; a
 *       rescan every {@link Builder#rescanEvery(Duration)} finds what both missed, by each journal's sequence.</li>
 *   <li>A drive answers where it left the run ({@link DriveResult}); a run that waits holds no thread.</li>
 * </ul>
 * One driver per run at a time: in this process by the index, across processes by the store's claim
 * ({@link dev.agentpipeline.core.store.RunStore#tryClaim}); a run another process drives is {@code BUSY} and looked
 * at again at the next rescan. A store with leases and fencing tokens (several machines) fits behind the same claim.
 *
 * <p>{@link #close()} stops gracefully: no new drive starts, running stages see cancellation through
 * {@code StageContext.isCancelled()}, their attempts are recorded as interrupted (run again by the next driver, not
 * judged), and it waits up to the shutdown grace before interrupting what is left.
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class Worker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Worker.class);

    private final PipelineRuntime runtime;
    private final Supplier<Orchestrator.Builder> orchestrators;
    private final int threads;
    private final Duration rescanEvery;
    private final Duration shutdownGrace;
    private final WorkerListener listener;
    private final Path wakeDirectory;
    private final List<Function<Worker, AutoCloseable>> companions;
    private final Clock clock;

    private final ExecutorService pool;
    private final Map<String, RunStatus> index = new ConcurrentHashMap<>();
    private final Map<String, Long> seen = new ConcurrentHashMap<>();
    /** Runs seen ended: a run never starts again, so rescans skip them. */
    private final Set<String> ended = ConcurrentHashMap.newKeySet();
    private final Map<String, Orchestrator> active = new ConcurrentHashMap<>();
    private final ThreadLocal<String> drivingHere = new ThreadLocal<>();

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    /** Guarded by {@link #lock}. */
    private final LinkedHashSet<String> runnable = new LinkedHashSet<>();
    /** Guarded by {@link #lock}. */
    private final TreeMap<Instant, Set<String>> due = new TreeMap<>();
    /** Guarded by {@link #lock}. */
    private final Map<String, Instant> dueOf = new HashMap<>();
    /** Guarded by {@link #lock}. */
    private final Set<String> driving = new HashSet<>();
    /** Guarded by {@link #lock}: woken while being driven, so driven once more afterwards. */
    private final Set<String> again = new HashSet<>();

    private final List<AutoCloseable> started = new ArrayList<>();
    private final RunListener wakeListener = this::heard;
    private volatile boolean running;
    private volatile boolean closed;
    private Thread scheduler;
    private Thread wakeWatcher;
    private WatchService wakeService;
    private Instant nextRescan = Instant.MIN;

    private Worker(Builder b) {
        this.runtime = b.runtime;
        this.orchestrators = b.orchestrators;
        this.threads = b.threads;
        this.rescanEvery = b.rescanEvery;
        this.shutdownGrace = b.shutdownGrace;
        this.listener = b.listener;
        this.wakeDirectory = b.wakeDirectory;
        this.companions = List.copyOf(b.companions);
        this.clock = runtime.clock();
        AtomicInteger number = new AtomicInteger();
        ThreadFactory factory = task -> {
            Thread thread = new Thread(task, "pipeline-worker-" + number.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
        this.pool = Executors.newFixedThreadPool(threads, factory);
    }

    /**
     * @param runtime the runtime whose runs to drive
     * @param orchestrators gives a fresh orchestrator builder for each drive (the worker turns its foreground off):
     *     the stages, recorder, workspaces and limits the runs need
     * @return a builder
     */
    public static Builder builder(PipelineRuntime runtime, Supplier<Orchestrator.Builder> orchestrators) {
        return new Builder(runtime, orchestrators);
    }

    /** @return the runtime it drives runs of */
    public PipelineRuntime runtime() {
        return runtime;
    }

    /**
     * Reads every unfinished run, starts the scheduler, the wake directory's watcher and the companions (a signal
     * watcher), and begins driving.
     *
     * @return this worker
     * @throws IllegalStateException if it was started or closed before
     */
    public synchronized Worker start() {
        if (running || closed) {
            throw new IllegalStateException(closed ? "A closed worker cannot start again; build a new one"
                    : "The worker is already started");
        }
        running = true;
        runtime.addListener(wakeListener);
        rescan();
        lock.lock();
        try {
            nextRescan = clock.instant().plus(rescanEvery);
        } finally {
            lock.unlock();
        }
        if (wakeDirectory != null) {
            startWakeWatcher();
        }
        for (Function<Worker, AutoCloseable> companion : companions) {
            started.add(companion.apply(this));
        }
        scheduler = new Thread(this::schedule, "pipeline-worker-scheduler");
        scheduler.setDaemon(true);
        scheduler.start();
        LOG.info("Worker started: {} threads, {} runs known", threads, index.size());
        return this;
    }

    /**
     * Asks the worker to look at a run now (a signal came for it, a person answered its gate). Safe from any thread;
     * a run being driven is driven once more afterwards.
     *
     * @param runId the run
     */
    public void wake(String runId) {
        if (closed || ended.contains(runId)) {
            return;
        }
        lock.lock();
        try {
            if (driving.contains(runId)) {
                again.add(runId);
            } else {
                unschedule(runId);
                runnable.add(runId);
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Makes the scheduler look at its due times now (after a test moved its clock). */
    public void poke() {
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until nothing is runnable, being driven or due (by the runtime's clock).
     *
     * @param timeout how long to wait at most
     * @return whether it became idle in time
     * @throws InterruptedException if interrupted while waiting
     */
    public boolean awaitIdle(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while (true) {
                boolean dueNow = !due.isEmpty() && !due.firstKey().isAfter(clock.instant());
                if (runnable.isEmpty() && driving.isEmpty() && again.isEmpty() && !dueNow) {
                    return true;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                changed.signalAll();
                changed.awaitNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)));
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * @return where each run the worker knows stands, by run id (ended runs leave the index)
     */
    public Map<String, RunStatus> index() {
        return Map.copyOf(index);
    }

    /** @return how many runs are being driven now */
    public int driving() {
        lock.lock();
        try {
            return driving.size();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stops gracefully: no new drive starts, running stages see cancellation, and it waits up to the shutdown grace
     * for them before interrupting them. Runs stay as their journals say; the next worker goes on.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            running = false;
        }
        runtime.removeListener(wakeListener);
        lock.lock();
        try {
            runnable.clear();
            again.clear();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        for (AutoCloseable companion : started) {
            try {
                companion.close();
            } catch (Exception e) {
                LOG.warn("Closing {} failed: {}", companion, e.toString());
            }
        }
        if (wakeService != null) {
            try {
                wakeService.close();
            } catch (IOException e) {
                LOG.debug("Closing the wake watcher failed", e);
            }
        }
        active.values().forEach(Orchestrator::requestStop);
        pool.shutdown();
        try {
            if (!pool.awaitTermination(shutdownGrace.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("Drives still running after {}; interrupting them", shutdownGrace);
                pool.shutdownNow();
                pool.awaitTermination(5, TimeUnit.SECONDS);
            }
            if (scheduler != null) {
                scheduler.join(5_000);
            }
            if (wakeWatcher != null) {
                wakeWatcher.join(5_000);
            }
        } catch (InterruptedException e) {
            pool.shutdownNow();
            Thread.currentThread().interrupt();
        }
        LOG.info("Worker stopped");
    }

    // ------------------------------------------------------------------------------------------- scheduling

    private void schedule() {
        while (running) {
            boolean rescanNow = false;
            lock.lock();
            try {
                Instant now = clock.instant();
                promoteDue(now);
                if (!now.isBefore(nextRescan)) {
                    rescanNow = true;
                    nextRescan = now.plus(rescanEvery);
                } else {
                    dispatch();
                    long nanos = Duration.between(now, nextRescan).toNanos();
                    if (!due.isEmpty()) {
                        nanos = Math.min(nanos, Duration.between(now, due.firstKey()).toNanos());
                    }
                    changed.awaitNanos(Math.max(TimeUnit.MILLISECONDS.toNanos(1),
                            Math.min(nanos, rescanEvery.toNanos())));
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.error("The worker's scheduler failed; it goes on", e);
            } finally {
                lock.unlock();
            }
            if (rescanNow) {
                try {
                    rescan();
                } catch (RuntimeException e) {
                    LOG.error("Rescanning the store failed; trying again at the next rescan", e);
                }
            }
        }
    }

    /** Guarded by {@link #lock}. */
    private void promoteDue(Instant now) {
        while (!due.isEmpty() && !due.firstKey().isAfter(now)) {
            for (String runId : due.pollFirstEntry().getValue()) {
                dueOf.remove(runId);
                if (driving.contains(runId)) {
                    again.add(runId);
                } else {
                    runnable.add(runId);
                }
            }
        }
    }

    /** Guarded by {@link #lock}. */
    private void dispatch() {
        Iterator<String> it = runnable.iterator();
        while (running && driving.size() < threads && it.hasNext()) {
            String runId = it.next();
            it.remove();
            if (driving.add(runId)) {
                pool.execute(() -> drive(runId));
            }
        }
    }

    /** Guarded by {@link #lock}. */
    private void unschedule(String runId) {
        Instant at = dueOf.remove(runId);
        if (at != null) {
            Set<String> ids = due.get(at);
            if (ids != null) {
                ids.remove(runId);
                if (ids.isEmpty()) {
                    due.remove(at);
                }
            }
        }
    }

    private void drive(String runId) {
        Orchestrator orchestrator = null;
        drivingHere.set(runId);
        try {
            if (!running) {
                return;
            }
            orchestrator = orchestrators.get().foreground(false).build();
            active.put(runId, orchestrator);
            if (!running) {
                return;
            }
            record(runId, orchestrator.drive(runId));
        } catch (RuntimeException | LinkageError e) {
            LOG.warn("Driving run {} failed: {}", runId, e.toString(), e);
            RunStatus before = index.get(runId);
            update(new RunStatus(runId, before == null ? "" : before.pipelineId(), before == null ? "?"
                    : before.phase(), RunStatus.Status.FAILED, null, e.getMessage(), clock.instant()));
            runtime.store().load(runId).ifPresent(run -> seen.put(runId, run.sequence()));
        } finally {
            drivingHere.remove();
            if (orchestrator != null) {
                active.remove(runId);
            }
            lock.lock();
            try {
                driving.remove(runId);
                if (again.remove(runId) && running) {
                    runnable.add(runId);
                }
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    private void record(String runId, DriveResult result) {
        RunState state = result.run().state();
        seen.put(runId, result.run().sequence());
        Instant now = clock.instant();
        switch (result.status()) {
            case COMPLETED -> {
                if (!ended.add(runId)) {
                    return; // driven once more after its end (woken meanwhile): reported already
                }
                update(new RunStatus(runId, state.pipelineId(), state.phase(), RunStatus.Status.ENDED, null,
                        state.finalResult().orElse("DONE"), now));
                index.remove(runId);
                seen.remove(runId);
                parentOf(state).ifPresent(this::wake);
            }
            case PAUSED -> update(new RunStatus(runId, state.pipelineId(), state.phase(), RunStatus.Status.PAUSED,
                    null, result.reason(), now));
            case WAITING -> {
                Wait wait = result.waitingFor();
                update(new RunStatus(runId, state.pipelineId(), state.phase(), RunStatus.Status.WAITING, wait, "",
                        now));
                if (wait != null && wait.until() != null) {
                    scheduleAt(runId, wait.until());
                }
            }
            case BUSY -> update(new RunStatus(runId, state.pipelineId(), state.phase(), RunStatus.Status.BUSY, null,
                    result.reason(), now));
            case STOPPED -> update(new RunStatus(runId, state.pipelineId(), state.phase(), RunStatus.Status.RUNNABLE,
                    null, "stopped: " + result.reason(), now));
            default -> throw new IllegalStateException("unknown drive status " + result.status());
        }
    }

    private void scheduleAt(String runId, Instant at) {
        lock.lock();
        try {
            unschedule(runId);
            due.computeIfAbsent(at, k -> new LinkedHashSet<>()).add(runId);
            dueOf.put(runId, at);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void update(RunStatus status) {
        RunStatus before = index.put(status.runId(), status);
        if (before != null && before.status() == status.status() && Objects.equals(before.phase(), status.phase())
                && Objects.equals(before.waitingFor(), status.waitingFor()) && before.message().equals(status.message())) {
            return;
        }
        try {
            listener.changed(status);
        } catch (RuntimeException e) {
            LOG.warn("Worker listener failed on {}: {}", status.runId(), e.toString());
        }
    }

    private static Optional<String> parentOf(RunState state) {
        return state.manifest().get(PipelineRuntime.PARENT_RUN) instanceof String parent
                ? Optional.of(parent) : Optional.empty();
    }

    /** A runtime event of this process: wakes the run it lets move, unless its own drive appended it. */
    private void heard(RunEvent event, RunState state) {
        if (event instanceof RunEvent.ChildStarted child) {
            wake(child.childRunId());
        }
        if (WakeUps.wakes(event) && !state.runId().equals(drivingHere.get())) {
            wake(state.runId());
        }
        WakeUps.parentToWake(event, state).ifPresent(this::wake);
    }

    // ------------------------------------------------------------------------------------------- rescans

    /**
     * Reads every run whose journal changed since the worker last saw it (and the runs another driver held), and
     * wakes those that can move; the others go into the index with what they wait for.
     */
    private void rescan() {
        Instant now = clock.instant();
        for (String runId : runtime.store().runIds()) {
            if (ended.contains(runId)) {
                continue;
            }
            RunStatus known = index.get(runId);
            if (known != null && known.status() == RunStatus.Status.DRIVING) {
                continue;
            }
            lock.lock();
            try {
                if (driving.contains(runId) || runnable.contains(runId)) {
                    continue;
                }
            } finally {
                lock.unlock();
            }
            RunSnapshot run;
            try {
                Optional<RunSnapshot> loaded = runtime.store().load(runId);
                if (loaded.isEmpty()) {
                    continue;
                }
                run = loaded.get();
            } catch (RuntimeException e) {
                update(new RunStatus(runId, "", "?", RunStatus.Status.FAILED, null, e.getMessage(), now));
                continue;
            }
            Long last = seen.get(runId);
            boolean busy = known != null && known.status() == RunStatus.Status.BUSY;
            if (last != null && last == run.sequence() && !busy) {
                continue;
            }
            seen.put(runId, run.sequence());
            look(run, now);
        }
    }

    private void look(RunSnapshot run, Instant now) {
        RunState state = run.state();
        String runId = state.runId();
        if (state.complete()) {
            if (index.containsKey(runId)) {
                update(new RunStatus(runId, state.pipelineId(), state.phase(), RunStatus.Status.ENDED, null,
                        state.finalResult().orElse("DONE"), now));
                index.remove(runId);
            }
            seen.remove(runId);
            ended.add(runId);
            return;
        }
        if (state.isPaused()) {
            update(new RunStatus(runId, state.pipelineId(), state.phase(), RunStatus.Status.PAUSED, null,
                    state.pausedReason().orElse(""), now));
            return;
        }
        PipelineDefinition definition;
        try {
            definition = runtime.definition(state.pipelineId());
        } catch (RuntimeException e) {
            update(new RunStatus(runId, state.pipelineId(), state.phase(), RunStatus.Status.FAILED, null,
                    e.getMessage(), now));
            return;
        }
        Optional<Wait> wait = Waits.of(definition, state);
        boolean timerDue = wait.isPresent() && wait.get().until() != null && !wait.get().until().isAfter(now);
        if (wait.isEmpty() || timerDue) {
            update(new RunStatus(runId, state.pipelineId(), state.phase(), RunStatus.Status.RUNNABLE, null, "", now));
            wake(runId);
            return;
        }
        update(new RunStatus(runId, state.pipelineId(), state.phase(), RunStatus.Status.WAITING, wait.get(), "",
                now));
        if (wait.get().until() != null) {
            scheduleAt(runId, wait.get().until());
        }
    }

    // ------------------------------------------------------------------------------------------- wake files

    private void startWakeWatcher() {
        try {
            Files.createDirectories(wakeDirectory);
            wakeService = wakeDirectory.getFileSystem().newWatchService();
            wakeDirectory.register(wakeService, StandardWatchEventKinds.ENTRY_CREATE);
        } catch (IOException e) {
            LOG.warn("Cannot watch {} for wake-ups ({}); the rescan every {} finds changes instead", wakeDirectory,
                    e.toString(), rescanEvery);
            return;
        }
        readWakeFiles();
        wakeWatcher = new Thread(() -> {
            while (running) {
                try {
                    WatchKey key = wakeService.take();
                    boolean overflow = false;
                    for (WatchEvent<?> event : key.pollEvents()) {
                        if (event.kind() == StandardWatchEventKinds.OVERFLOW) {
                            overflow = true;
                        } else if (event.context() instanceof Path name) {
                            wakeFile(wakeDirectory.resolve(name));
                        }
                    }
                    key.reset();
                    if (overflow) {
                        readWakeFiles();
                    }
                } catch (InterruptedException | ClosedWatchServiceException e) {
                    return;
                } catch (RuntimeException e) {
                    LOG.warn("Reading wake-ups failed; the rescan finds changes instead", e);
                }
            }
        }, "pipeline-worker-wakeups");
        wakeWatcher.setDaemon(true);
        wakeWatcher.start();
    }

    private void readWakeFiles() {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(wakeDirectory)) {
            for (Path file : files) {
                wakeFile(file);
            }
        } catch (IOException e) {
            LOG.debug("Cannot list {}: {}", wakeDirectory, e.toString());
        }
    }

    private void wakeFile(Path file) {
        String name = file.getFileName().toString();
        try {
            Files.deleteIfExists(file);
        } catch (NoSuchFileException e) {
            return;
        } catch (IOException e) {
            LOG.debug("Cannot remove wake-up {}: {}", file, e.toString());
        }
        if (Ids.isSafe(name)) {
            wake(name);
        }
    }

    /**
     * Builds a {@link Worker}.
     *
     * @since 0.1
     */
    @API(status = EXPERIMENTAL, since = "0.1")
    public static final class Builder {
        private final PipelineRuntime runtime;
        private final Supplier<Orchestrator.Builder> orchestrators;
        private int threads = 4;
        private Duration rescanEvery = Duration.ofSeconds(5);
        private Duration shutdownGrace = Duration.ofSeconds(30);
        private WorkerListener listener = status -> { };
        private Path wakeDirectory;
        private final List<Function<Worker, AutoCloseable>> companions = new ArrayList<>();

        private Builder(PipelineRuntime runtime, Supplier<Orchestrator.Builder> orchestrators) {
            this.runtime = Objects.requireNonNull(runtime, "runtime");
            this.orchestrators = Objects.requireNonNull(orchestrators, "orchestrators");
        }

        /**
         * @param value how many runs are driven at once (4 unless set); at least 1
         * @return this builder
         */
        public Builder threads(int value) {
            if (value < 1) {
                throw new IllegalArgumentException("a worker needs at least 1 thread, got " + value);
            }
            this.threads = value;
            return this;
        }

        /**
         * @param value how often the store is read again for changes the worker was not told of (5 s unless set)
         * @return this builder
         */
        public Builder rescanEvery(Duration value) {
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException("the rescan interval must be positive, got " + value);
            }
            this.rescanEvery = value;
            return this;
        }

        /**
         * @param value how long {@link Worker#close()} waits for running stages to stop (30 s unless set)
         * @return this builder
         */
        public Builder shutdownGrace(Duration value) {
            this.shutdownGrace = Objects.requireNonNull(value, "value");
            return this;
        }

        /**
         * @param value hears every change of a run the worker drives
         * @return this builder
         */
        public Builder listener(WorkerListener value) {
            this.listener = Objects.requireNonNull(value, "value");
            return this;
        }

        /**
         * @param value the directory other processes' {@link WakeUps} write to ({@code .pipeline/wake}); watched
         * @return this builder
         */
        public Builder wakeDirectory(Path value) {
            this.wakeDirectory = Objects.requireNonNull(value, "value");
            return this;
        }

        /**
         * Something that runs as long as the worker and talks to it: a signal watcher that wakes the runs whose
         * signals it recorded. Started by {@link Worker#start()}, closed by {@link Worker#close()}.
         *
         * @param value starts it for a worker and returns what closes it
         * @return this builder
         */
        public Builder companion(Function<Worker, AutoCloseable> value) {
            companions.add(Objects.requireNonNull(value, "value"));
            return this;
        }

        /** @return the worker, not started */
        public Worker build() {
            return new Worker(this);
        }
    }
}
