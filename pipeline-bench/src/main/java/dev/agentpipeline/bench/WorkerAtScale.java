package dev.agentpipeline.bench;

import dev.agentpipeline.core.definition.PipelineDefinition;
import dev.agentpipeline.core.definition.PipelineDefinitions;
import dev.agentpipeline.core.engine.DriveResult;
import dev.agentpipeline.core.engine.Orchestrator;
import dev.agentpipeline.core.engine.PipelineRuntime;
import dev.agentpipeline.core.engine.RunListener;
import dev.agentpipeline.core.engine.Signal;
import dev.agentpipeline.core.engine.StartRequest;
import dev.agentpipeline.core.engine.Wait;
import dev.agentpipeline.core.guard.GuardRegistry;
import dev.agentpipeline.core.run.RunEvent;
import dev.agentpipeline.core.run.RunState;
import dev.agentpipeline.core.signal.SignalInbox;
import dev.agentpipeline.core.signal.SignalWatcher;
import dev.agentpipeline.core.store.FileRunStore;
import dev.agentpipeline.core.worker.RunStatus;
import dev.agentpipeline.core.worker.WakeUps;
import dev.agentpipeline.core.worker.Worker;
import dev.agentpipeline.spi.StageRegistry;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryUsage;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.management.ObjectName;

/**
 * One {@link Worker}, with a {@link SignalWatcher} as its companion, over a {@link FileRunStore} holding 10,000 runs
 * that wait for a signal: what the worker costs to start, to hold in memory and to keep idle, and how long a signal
 * published into the inbox takes to become the transition it allows.
 *
 * <p><b>What it measures</b>, in one process that is the worker (the runs are created beforehand by a child JVM, so
 * nothing of their creation stays in this one's heap or in the store's per-process lock table):
 * <ol>
 *   <li><b>Start:</b> {@link Worker#start()} over the 10,000 runs in a fresh JVM - it reads every run (journal,
 *       replay, projection check) and indexes what each waits for - and later again with a new store (an empty
 *       cache) and a new worker in the same, warmed-up JVM, to separate the JIT's and the class loader's share from
 *       the reading.</li>
 *   <li><b>Heap:</b> the live bytes of the JVM's class histogram (exact) and the heap used after {@code System.gc()}
 *       ({@link MemoryMXBean}, which also counts room G1 leaves in partly filled regions) with the runtime alone (the
 *       baseline), with the worker started and the 10,000 runs indexed, and after the worker is closed (what the store
 *       keeps: its cache of run states and its lock table); the classes that grew, from the histograms.</li>
 *   <li><b>Idle CPU:</b> process CPU time ({@code com.sun.management.OperatingSystemMXBean.getProcessCpuTime}) over an
 *       idle interval with the default intervals (the worker rescans the store every 5 s, the watcher lists its
 *       directories every second), as a percentage of one core; each Java thread's share ({@link ThreadMXBean}) and
 *       each thread name's user and system time ({@code /proc/self/task}); the same for the runtime alone, before
 *       the worker starts.</li>
 *   <li><b>Latency</b> (with the second worker): from {@link SignalInbox#publish} to the {@code TRANSITIONED} event
 *       {@code WAIT -> DONE} that the worker's drive appends (timestamped with {@link System#nanoTime()} by a
 *       {@link RunListener} on the runtime, after the event is durable), for signals published one at a time after a
 *       random pause of 0 to {@code gapMs}, open loop (the next one does not wait for the previous one's
 *       transition), each for another run; then in bursts published back to back. Split into the watcher's part
 *       (publish to {@code SIGNAL_RECEIVED} journaled) and the worker's part (to {@code TRANSITIONED} journaled), and
 *       by whether a rescan of the store ran meanwhile (the scheduler thread rescans; a store wrapper,
 *       {@link ObservedStore}, times its rescans).</li>
 *   <li>At the end, what {@code PipelineRuntime.start} of one more subject costs with 10,000 runs in the store.</li>
 * </ol>
 * {@code publish} renames the file into the inbox after writing and forcing it, then forces the directory, so the
 * rename happens between the two timestamps taken around the call: latencies are given from both; the one from the
 * rename lies in between.
 *
 * <p>The pipeline ({@link #DEFINITION}) needs no plugin: {@code QUEUED -> WAIT -> DONE}, {@code WAIT} waits for its
 * signal and the way to {@code DONE} requires {@code signal.WAIT.status == "ok"}. The worker is configured as
 * {@code pipeline worker} configures it (4 threads, rescan every 5 s, a watched wake directory, a signal watcher on
 * the store's inbox whose listener wakes the run), with defaults everywhere else. The files go to a fresh directory
 * under {@code -Dbench.dir} (default {@code java.io.tmpdir}), refused on a memory file system, and are deleted at the
 * end unless {@code keep=true}. No SLF4J binding is on the benchmarks' class path, so nothing is logged.
 *
 * <p>Not JMH: the figures are states of one long-lived process (its heap, its idle CPU, its start), and the latency
 * is an asynchronous path where each sample needs a run of its own among 10,000 that take most of a minute to create,
 * and where when a signal comes matters (JMH's back-to-back invocations would line the samples up with the rescans
 * instead of scattering them). It is measured once per invocation, like {@link InterleavedDurable}; run it more than once to
 * see the spread.
 *
 * <pre>
 * java -cp pipeline-bench/target/benchmarks.jar dev.agentpipeline.bench.WorkerAtScale
 * java -cp pipeline-bench/target/benchmarks.jar dev.agentpipeline.bench.WorkerAtScale runs=10000 idle=30 \
 *     signals=300 gapMs=200 bursts=4 burstSize=50 settle=10 keep=false
 * </pre>
 * About 3 to 4 minutes on two cores with the defaults shown. Results: {@code docs/benchmarks.md}.
 */
public final class WorkerAtScale {

    /** The pipeline every run follows: it waits in {@code WAIT} for a signal whose {@code status} is {@code ok}. */
    static final String DEFINITION = """
            schema_version: 1
            id: bench-wait
            initial: QUEUED
            states:
              QUEUED: {}
              WAIT:
                signal: {}
              DONE: {terminal: true}
            transitions:
              - from: QUEUED
                to: WAIT
              - from: WAIT
                to: DONE
                guards:
                  - require: {signal.WAIT.status: {eq: ok}}
                    reject: {code: not_ok, error: "WAIT has no ok signal", recovery: "Publish its signal"}
            """;

    static final String PIPELINE = "bench-wait";
    static final String WAIT = "WAIT";
    static final String DONE = "DONE";

    private static final String SCHEDULER_THREAD = "pipeline-worker-scheduler";

    private WorkerAtScale() {
    }

    /**
     * @param args {@code key=value} settings (see the class comment), or {@code prepare DIR RUNS THREADS} in the
     *     child JVM that creates the runs
     * @throws Exception if a measurement fails
     */
    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("prepare")) {
            prepare(Path.of(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]));
            return;
        }
        Map<String, String> settings = new HashMap<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (eq <= 0) {
                System.err.println("usage: WorkerAtScale [runs=10000] [idle=30] [signals=300] [gapMs=200] [bursts=4]"
                        + " [burstSize=50] [settle=10] [keep=false]");
                System.exit(2);
            }
            settings.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        new Measurement(settings).run();
    }

    static PipelineDefinition definition() {
        return PipelineDefinitions.fromYaml("bench-wait.yaml", DEFINITION, GuardRegistry.empty());
    }

    // ------------------------------------------------------------------------------------------- the runs

    /**
     * Creates the runs in a child JVM: starts each and drives it once, so it moves to {@code WAIT} and waits there,
     * as a worker or {@code pipeline launch} leaves it.
     */
    private static void prepare(Path root, int runs, int threads) throws Exception {
        // The store lists no runs to the runtime: PipelineRuntime.start lists every run of the store (a directory
        // entry and a stat each) when a subject has no active run, to find a crashed start's leftover. In this new
        // directory there is none, and that listing made creating 10,000 runs quadratic (319 s instead of ~60 s).
        PipelineRuntime runtime = PipelineRuntime.builder().store(ObservedStore.unlisted(FileRunStore.open(root)))
                .definition(definition()).build();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        AtomicInteger next = new AtomicInteger();
        AtomicInteger made = new AtomicInteger();
        long start = System.nanoTime();
        List<Future<?>> parts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            parts.add(pool.submit(() -> {
                Orchestrator orchestrator = Orchestrator.builder(runtime, StageRegistry.of()).foreground(false)
                        .build();
                for (int i = next.getAndIncrement(); i < runs; i = next.getAndIncrement()) {
                    String runId = runtime.start(StartRequest.builder(PIPELINE, String.format(Locale.ROOT, "S-%05d",
                            i)).build()).run().state().runId();
                    DriveResult result = orchestrator.drive(runId);
                    if (result.status() != DriveResult.Status.WAITING
                            || result.waitingFor().kind() != Wait.Kind.SIGNAL) {
                        throw new IllegalStateException("run " + runId + " did not wait for its signal: " + result);
                    }
                    int n = made.incrementAndGet();
                    if (n % 2000 == 0) {
                        System.out.printf(Locale.ROOT, "#   %,d runs waiting (%.1f s)%n", n,
                                (System.nanoTime() - start) / 1e9);
                    }
                }
                return null;
            }));
        }
        for (Future<?> part : parts) {
            part.get();
        }
        pool.shutdown();
    }

    // ------------------------------------------------------------------------------------------- measuring

    /** One invocation: settings, the files, and what was measured. */
    private static final class Measurement {
        final int runs;
        final int idleSeconds;
        final int signals;
        final int gapMs;
        final int bursts;
        final int burstSize;
        final int settleSeconds;
        final boolean keep;

        final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        final com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        final Map<String, Sample> pending = new ConcurrentHashMap<>();

        Measurement(Map<String, String> settings) {
            runs = Integer.parseInt(settings.getOrDefault("runs", "10000"));
            idleSeconds = Integer.parseInt(settings.getOrDefault("idle", "30"));
            signals = Integer.parseInt(settings.getOrDefault("signals", "300"));
            gapMs = Integer.parseInt(settings.getOrDefault("gapMs", "200"));
            bursts = Integer.parseInt(settings.getOrDefault("bursts", "4"));
            burstSize = Integer.parseInt(settings.getOrDefault("burstSize", "50"));
            settleSeconds = Integer.parseInt(settings.getOrDefault("settle", "10"));
            keep = Boolean.parseBoolean(settings.getOrDefault("keep", "false"));
            if (signals + bursts * burstSize > runs) {
                throw new IllegalArgumentException("signals + bursts * burstSize must not exceed runs");
            }
        }

        void run() throws Exception {
            machine();
            Path dir = BenchFiles.createDiskDirectory("worker-at-scale-");
            try {
                measure(dir);
            } finally {
                if (keep) {
                    System.out.println("# Kept " + dir);
                } else {
                    long t = System.nanoTime();
                    BenchFiles.delete(dir);
                    System.out.printf(Locale.ROOT, "# Deleted %s (%.1f s)%n", dir, (System.nanoTime() - t) / 1e9);
                }
            }
            System.out.println("# load average at the end: " + loadAverage());
        }

        private void machine() {
            System.out.printf(Locale.ROOT, "# %s %s (%s), %d processors, max heap %d MiB, GC %s%n",
                    System.getProperty("java.vm.name"), System.getProperty("java.runtime.version"),
                    System.getProperty("os.name") + " " + System.getProperty("os.version"),
                    Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20,
                    ManagementFactory.getGarbageCollectorMXBeans().stream().map(b -> b.getName()).toList());
            System.out.println("# inotify: max_user_watches " + proc("/proc/sys/fs/inotify/max_user_watches")
                    + ", max_user_instances " + proc("/proc/sys/fs/inotify/max_user_instances")
                    + ", max_queued_events " + proc("/proc/sys/fs/inotify/max_queued_events"));
            System.out.println("# pid " + ProcessHandle.current().pid() + ", load average at the start: "
                    + loadAverage());
        }

        private void measure(Path dir) throws Exception {
            Path root = dir.resolve(".pipeline");
            // 1. The runs, made by a child JVM.
            long t = System.nanoTime();
            int prepareThreads = 4;
            Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), WorkerAtScale.class.getName(), "prepare",
                    root.toString(), Integer.toString(runs), Integer.toString(prepareThreads)).inheritIO().start();
            if (child.waitFor() != 0) {
                throw new IllegalStateException("creating the runs failed (exit " + child.exitValue() + ")");
            }
            System.out.printf(Locale.ROOT, "%nCreated %,d waiting runs in a child JVM (%d threads): %.1f s%n", runs,
                    prepareThreads, (System.nanoTime() - t) / 1e9);

            // 2. The runtime alone: the baseline.
            FileRunStore files = FileRunStore.open(root);
            ObservedStore store = new ObservedStore(files, SCHEDULER_THREAD);
            PipelineRuntime runtime = PipelineRuntime.builder().store(store).definition(definition()).build();
            runtime.addListener(this::heard);
            SignalInbox inbox = SignalInbox.of(files);
            inbox.create();
            Heap baseline = heap("runtime alone (baseline)", dir.resolve("histogram-baseline.txt"));
            Cpu baselineIdle = idle("runtime alone", Math.min(idleSeconds, 10), store);

            // 3. The worker's start.
            Worker worker = worker(runtime, files);
            startWorker(worker);
            Thread.sleep(settleSeconds * 1000L); // a few rescans: JIT-compiled, as in a worker that runs for hours

            // 4. Heap with the worker.
            Heap withWorker = heap("worker with " + String.format(Locale.ROOT, "%,d", runs) + " runs indexed",
                    dir.resolve("histogram-worker.txt"));
            System.out.printf(Locale.ROOT, "  the worker's share: %s live (%,d bytes per run); %s used after GC%n",
                    mib(withWorker.live() - baseline.live()), (withWorker.live() - baseline.live()) / runs,
                    mib(withWorker.used() - baseline.used()));
            Histogram.printGrowth(Files.readString(baseline.histogram()), Files.readString(withWorker.histogram()), 16,
                    "classes that grew most");

            // 5. Idle CPU with the worker.
            Cpu workerIdle = idle("worker, " + runs + " runs waiting", idleSeconds, store);
            System.out.printf(Locale.ROOT, "  the worker's cost: %.2f%% of one core (%.2f%% with, %.2f%% without)%n",
                    workerIdle.percent() - baselineIdle.percent(), workerIdle.percent(), baselineIdle.percent());

            // 6. What the store keeps without the worker: its cache of run states and its lock table.
            t = System.nanoTime();
            worker.close();
            System.out.printf(Locale.ROOT, "%nWorker.close(): %.0f ms%n", (System.nanoTime() - t) / 1e6);
            worker = null;
            Heap afterClose = heap("worker closed, runtime and store kept", dir.resolve("histogram-closed.txt"));
            System.out.printf(Locale.ROOT, "  so of the worker's share of %s, its own index held %s and the store's"
                    + " cache of run states and its lock table %s (live)%n", mib(withWorker.live() - baseline.live()),
                    mib(withWorker.live() - afterClose.live()), mib(afterClose.live() - baseline.live()));
            Histogram.printGrowth(Files.readString(afterClose.histogram()), Files.readString(withWorker.histogram()), 8,
                    "what closing the worker freed");

            // 7. Start again in this warm JVM, with a new store (an empty cache): the worker for the latency.
            FileRunStore warmFiles = FileRunStore.open(root);
            ObservedStore warmStore = new ObservedStore(warmFiles, SCHEDULER_THREAD);
            PipelineRuntime warmRuntime = PipelineRuntime.builder().store(warmStore).definition(definition()).build();
            warmRuntime.addListener(this::heard);
            try (Worker second = worker(warmRuntime, warmFiles)) {
                System.out.print("\n(again, in this JVM: warm JIT and page cache, a new store whose cache is empty)");
                startWorker(second);

                // 8. Latency, one signal at a time, then in bursts.
                latency(warmRuntime, warmFiles, SignalInbox.of(warmFiles), warmStore);
                t = System.nanoTime();
            }
            System.out.printf(Locale.ROOT, "%nWorker.close() after the latency: %.0f ms%n",
                    (System.nanoTime() - t) / 1e6);

            // 9. What creating one more run costs with this many in the store (see prepare).
            long[] starts = new long[5];
            long[] listings = new long[5];
            for (int i = 0; i < starts.length; i++) {
                t = System.nanoTime();
                warmRuntime.start(StartRequest.builder(PIPELINE, "EXTRA-" + i).build());
                starts[i] = System.nanoTime() - t;
                t = System.nanoTime();
                warmFiles.runIds();
                listings[i] = System.nanoTime() - t;
            }
            Arrays.sort(starts);
            Arrays.sort(listings);
            System.out.printf(Locale.ROOT, "runtime.start of a new subject with %,d runs in the store: median %.1f ms;"
                    + " FileRunStore.runIds() alone: median %.1f ms (5 each)%n", runs + 5, starts[2] / 1e6,
                    listings[2] / 1e6);
        }

        /** Starts the worker and checks that it indexed every run as waiting for its signal. */
        private void startWorker(Worker worker) throws InterruptedException {
            long t = System.nanoTime();
            worker.start();
            long started = System.nanoTime() - t;
            boolean idle = worker.awaitIdle(Duration.ofMinutes(2));
            long idleAfter = System.nanoTime() - t;
            Map<String, RunStatus> index = worker.index();
            long waiting = index.values().stream().filter(s -> s.status() == RunStatus.Status.WAITING
                    && s.waitingFor() != null && s.waitingFor().kind() == Wait.Kind.SIGNAL).count();
            System.out.printf(Locale.ROOT, "%nWorker.start() with %,d runs: %.0f ms;"
                    + " idle after %.0f ms (%s); index: %,d runs, %,d waiting for a signal%n", runs, started / 1e6,
                    idleAfter / 1e6, idle ? "nothing to drive" : "NOT IDLE", index.size(), waiting);
            if (waiting != runs) {
                throw new IllegalStateException("the worker should index " + runs + " waiting runs, it has " + waiting);
            }
        }

        /** Publishes signals one at a time, then in bursts, each for a run of its own, and reports the latencies. */
        private void latency(PipelineRuntime runtime, FileRunStore files, SignalInbox inbox, ObservedStore store)
                throws InterruptedException {
            List<String> ids = new ArrayList<>(files.runIds());
            Collections.shuffle(ids, new Random(20261208L));
            List<Sample> single = new ArrayList<>();
            Random pauses = new Random(7L);
            int used = 0;
            int firstRescan = store.rescans().size();
            // Open loop: the next signal does not wait for the previous one's transition, so signals fall at random
            // moments and several can meet one rescan. (Waiting for each transition first would publish at most one
            // signal per rescan, and that one near the rescan's start.)
            for (int i = 0; i < signals; i++) {
                Thread.sleep(pauses.nextInt(gapMs + 1));
                single.add(publish(inbox, ids.get(used++)));
            }
            for (Sample sample : single) {
                sample.await();
            }
            List<Rescan> rescans = store.rescans();
            report("one at a time (" + signals + " signals, a random pause of 0-" + gapMs + " ms before each, open loop)",
                    single, rescans);
            System.out.printf(Locale.ROOT, "  worker rescans meanwhile: %d, %s%n", rescans.size() - firstRescan,
                    durations(rescans.subList(firstRescan, rescans.size())));

            List<Sample> burst = new ArrayList<>();
            List<Double> drains = new ArrayList<>();
            for (int b = 0; b < bursts; b++) {
                Thread.sleep(500 + pauses.nextInt(2000));
                List<Sample> these = new ArrayList<>();
                for (int i = 0; i < burstSize; i++) {
                    these.add(publish(inbox, ids.get(used++)));
                }
                long last = 0;
                for (Sample sample : these) {
                    sample.await();
                    last = Math.max(last, sample.transitioned);
                }
                drains.add((last - these.get(0).publishStart) / 1e6);
                burst.addAll(these);
            }
            if (bursts > 0) {
                report("bursts (" + bursts + " x " + burstSize + " signals published back to back)", burst,
                        store.rescans());
                System.out.println("  from a burst's first publish to its last transition: "
                        + drains.stream().map(d -> String.format(Locale.ROOT, "%.0f", d)).toList() + " ms");
            }
            for (Sample sample : single) {
                requireDone(runtime, sample.runId);
            }
            for (Sample sample : burst) {
                requireDone(runtime, sample.runId);
            }
        }

        /** A worker as {@code pipeline worker} builds one, with defaults for everything it does not set. */
        private Worker worker(PipelineRuntime runtime, FileRunStore files) {
            return Worker.builder(runtime, () -> Orchestrator.builder(runtime, StageRegistry.of()))
                    .wakeDirectory(files.root().resolve(WakeUps.DIRECTORY))
                    .companion(w -> SignalWatcher.builder(w.runtime(), SignalInbox.of(files))
                            .listener(new SignalWatcher.Listener() {
                                @Override
                                public void consumed(Path file, dev.agentpipeline.core.engine.SignalReceipt receipt) {
                                    receipt.runIfAny().ifPresent(run -> w.wake(run.state().runId()));
                                }
                            })
                            .build()
                            .start())
                    .build();
        }

        private void requireDone(PipelineRuntime runtime, String runId) {
            String phase = runtime.load(runId).state().phase();
            if (!phase.equals(DONE)) {
                throw new IllegalStateException("run " + runId + " is in " + phase + ", not " + DONE);
            }
        }

        // --------------------------------------------------------------------------------------- latency

        /** One signal's way: published, recorded by the watcher, transition recorded by the worker. */
        private static final class Sample {
            final String runId;
            volatile long publishStart;
            volatile long publishEnd;
            volatile long signalJournaled;
            volatile long transitioned;
            final CountDownLatch done = new CountDownLatch(1);

            Sample(String runId) {
                this.runId = runId;
            }

            void await() throws InterruptedException {
                if (!done.await(60, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("no transition of run " + runId + " within 60 s of its signal");
                }
            }
        }

        private Sample publish(SignalInbox inbox, String runId) {
            Sample sample = new Sample(runId);
            pending.put(runId, sample);
            Map<String, Object> payload = new LinkedHashMap<>();
            payload.put("status", "ok");
            payload.put("run", runId);
            Signal signal = Signal.of(WAIT, payload, "bench");
            sample.publishStart = System.nanoTime();
            inbox.publish(runId, signal);
            sample.publishEnd = System.nanoTime();
            return sample;
        }

        /** The runtime's listener: timestamps the two durable events of a sample's run. */
        private void heard(RunEvent event, RunState state) {
            long now = System.nanoTime();
            Sample sample = pending.get(state.runId());
            if (sample == null) {
                return;
            }
            if (event instanceof RunEvent.SignalReceived) {
                sample.signalJournaled = now;
            } else if (event instanceof RunEvent.Transitioned transition && transition.from().equals(WAIT)
                    && transition.to().equals(DONE)) {
                sample.transitioned = now;
                pending.remove(state.runId());
                sample.done.countDown();
            }
        }

        private static void report(String what, List<Sample> samples, List<Rescan> rescans) {
            System.out.printf(Locale.ROOT, "%nLatency, %s, ms:%n", what);
            System.out.println("                                        p50      p90      p99      max");
            line("publish called -> TRANSITIONED journaled", samples, s -> s.transitioned - s.publishStart);
            line("publish returned -> TRANSITIONED journaled", samples, s -> s.transitioned - s.publishEnd);
            line("  publish itself (write, force, rename, force dir)", samples, s -> s.publishEnd - s.publishStart);
            line("  publish returned -> SIGNAL_RECEIVED journaled", samples, s -> s.signalJournaled - s.publishEnd);
            line("  SIGNAL_RECEIVED -> TRANSITIONED journaled", samples, s -> s.transitioned - s.signalJournaled);
            List<Sample> during = new ArrayList<>();
            List<Sample> outside = new ArrayList<>();
            for (Sample s : samples) {
                boolean overlaps = rescans.stream().anyMatch(r -> r.start <= s.transitioned && r.end >= s.signalJournaled);
                (overlaps ? during : outside).add(s);
            }
            if (!during.isEmpty()) {
                line("publish called -> TRANSITIONED, no rescan (" + outside.size() + ")", outside,
                        s -> s.transitioned - s.publishStart);
                line("publish called -> TRANSITIONED, rescan met (" + during.size() + ")", during,
                        s -> s.transitioned - s.publishStart);
            }
        }

        private interface Span {
            long of(Sample sample);
        }

        private static void line(String label, List<Sample> samples, Span span) {
            if (samples.isEmpty()) {
                return;
            }
            long[] values = samples.stream().mapToLong(span::of).sorted().toArray();
            System.out.printf(Locale.ROOT, "  %-52s %8.2f %8.2f %8.2f %8.2f%n", label, rank(values, 0.50) / 1e6,
                    rank(values, 0.90) / 1e6, rank(values, 0.99) / 1e6, values[values.length - 1] / 1e6);
        }

        /** The nearest-rank percentile of sorted values. */
        private static long rank(long[] sorted, double p) {
            int index = (int) Math.ceil(p * sorted.length) - 1;
            return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
        }

        private static String durations(List<Rescan> rescans) {
            if (rescans.isEmpty()) {
                return "none";
            }
            long[] ms = rescans.stream().mapToLong(r -> (r.end - r.start) / 1_000_000).sorted().toArray();
            return String.format(Locale.ROOT, "each %d-%d ms (median %d ms)", ms[0], ms[ms.length - 1],
                    ms[ms.length / 2]);
        }

        // --------------------------------------------------------------------------------------- CPU

        /** Process CPU over an interval, and each thread's share. */
        private record Cpu(double percent) {
        }

        private Cpu idle(String what, int seconds, ObservedStore store) throws InterruptedException {
            int rescansBefore = store.rescans().size();
            Map<Long, Long> threadsBefore = threadCpu();
            Map<String, long[]> nativeBefore = ProcThreads.cpu();
            long cpuBefore = os.getProcessCpuTime();
            long wallBefore = System.nanoTime();
            Thread.sleep(seconds * 1000L);
            long cpu = os.getProcessCpuTime() - cpuBefore;
            long wall = System.nanoTime() - wallBefore;
            Map<Long, Long> threadsAfter = threadCpu();
            Map<String, long[]> nativeAfter = ProcThreads.cpu();
            List<Rescan> rescans = store.rescans();
            double percent = 100.0 * cpu / wall;
            System.out.printf(Locale.ROOT, "%nIdle CPU, %s, over %.1f s: %.0f ms of CPU = %.2f%% of one core%n", what,
                    wall / 1e9, cpu / 1e6, percent);
            List<Map.Entry<String, Long>> java = new ArrayList<>();
            long javaTotal = 0;
            for (Map.Entry<Long, Long> entry : threadsAfter.entrySet()) {
                long used = entry.getValue() - threadsBefore.getOrDefault(entry.getKey(), 0L);
                ThreadInfo info = threads.getThreadInfo(entry.getKey());
                if (used > 0 && info != null) {
                    java.add(Map.entry(info.getThreadName(), used));
                    javaTotal += used;
                }
            }
            java.sort(Map.Entry.<String, Long>comparingByValue().reversed());
            for (Map.Entry<String, Long> entry : java.subList(0, Math.min(6, java.size()))) {
                System.out.printf(Locale.ROOT, "  Java thread %-32s %8.0f ms%n", entry.getKey(), entry.getValue() / 1e6);
            }
            // Process CPU time comes in 10 ms ticks: the difference can be a few ms below zero.
            System.out.printf(Locale.ROOT, "  %-44s %8.0f ms%n", "the rest: the JVM's own threads (GC, JIT, VM)",
                    Math.max(0, cpu - javaTotal) / 1e6);
            if (!nativeAfter.isEmpty()) {
                List<Map.Entry<String, long[]>> byName = new ArrayList<>();
                nativeAfter.forEach((name, ticks) -> {
                    long[] was = nativeBefore.getOrDefault(name, new long[2]);
                    long[] used = {ticks[0] - was[0], ticks[1] - was[1]};
                    if (used[0] + used[1] > 0) {
                        byName.add(Map.entry(name, used));
                    }
                });
                byName.sort((a, b) -> Long.compare(b.getValue()[0] + b.getValue()[1], a.getValue()[0] + a.getValue()[1]));
                System.out.println("  by thread name from /proc, user + system ms (10 ms ticks): " + byName.subList(0,
                        Math.min(8, byName.size())).stream().map(e -> e.getKey() + " " + e.getValue()[0] * 10 + " + "
                        + e.getValue()[1] * 10).toList());
            }
            List<Rescan> during = rescans.subList(Math.min(rescansBefore, rescans.size()), rescans.size());
            if (!during.isEmpty()) {
                System.out.printf(Locale.ROOT, "  worker rescans of the store: %d, %s%n", during.size(),
                        durations(during));
            }
            return new Cpu(percent);
        }

        private Map<Long, Long> threadCpu() {
            Map<Long, Long> cpu = new HashMap<>();
            for (long id : threads.getAllThreadIds()) {
                long used = threads.getThreadCpuTime(id);
                if (used >= 0) {
                    cpu.put(id, used);
                }
            }
            return cpu;
        }

        // --------------------------------------------------------------------------------------- heap

        /**
         * What the heap holds: live bytes by the class histogram (exact: what a full GC kept), and the heap used after
         * {@code System.gc()} by the {@link MemoryMXBean}, which also counts the room G1's parallel full GC leaves in
         * the last region each of its threads compacts into (up to a few MiB here). The histogram is written to a
         * file, so that it is not in the heap measured next.
         */
        private Heap heap(String what, Path histogramFile) throws InterruptedException, IOException {
            for (int i = 0; i < 3; i++) {
                System.gc();
                Thread.sleep(200);
            }
            MemoryUsage usage = memory.getHeapMemoryUsage();
            String histogram = Histogram.take();
            long live = Histogram.total(histogram);
            Files.writeString(histogramFile, histogram);
            System.out.printf(Locale.ROOT, "%nHeap, %s: %s live; %s used after GC (committed %s, RSS %s)%n", what,
                    mib(live), mib(usage.getUsed()), mib(usage.getCommitted()), rss());
            return new Heap(live, usage.getUsed(), histogramFile);
        }
    }

    /** Live bytes, used bytes after a GC, and the file holding the class histogram. */
    private record Heap(long live, long used, Path histogram) {
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }

    private static String rss() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return line.substring(6).trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return "?";
    }

    private static String proc(String file) {
        try (var in = Files.newInputStream(Path.of(file))) {
            // Not Files.readString: on JDK 17 it reads only the first byte of a /proc/sys file (its size is 0).
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    private static String loadAverage() {
        String load = proc("/proc/loadavg");
        String[] parts = load.split(" ");
        return parts.length >= 3 ? parts[0] + " " + parts[1] + " " + parts[2] : load;
    }

    /** The CPU time of the process's threads by name, from {@code /proc/self/task} (Linux; empty elsewhere). */
    private static final class ProcThreads {
        private ProcThreads() {
        }

        /** @return clock ticks {user, system} by thread name, threads of the same name added up */
        static Map<String, long[]> cpu() {
            Map<String, long[]> byName = new HashMap<>();
            Path tasks = Path.of("/proc/self/task");
            if (!Files.isDirectory(tasks)) {
                return byName;
            }
            try (var entries = Files.newDirectoryStream(tasks)) {
                for (Path task : entries) {
                    try {
                        String stat = proc(task.resolve("stat").toString());
                        int open = stat.indexOf('(');
                        int close = stat.lastIndexOf(')');
                        String name = stat.substring(open + 1, close).replaceAll("[0-9]+$", "#");
                        String[] fields = stat.substring(close + 2).split(" ");
                        long[] ticks = byName.computeIfAbsent(name, k -> new long[2]);
                        ticks[0] += Long.parseLong(fields[11]); // utime
                        ticks[1] += Long.parseLong(fields[12]); // stime
                    } catch (RuntimeException e) {
                        // the thread ended meanwhile ("?" does not parse)
                    }
                }
            } catch (IOException e) {
                return Map.of();
            }
            return byName;
        }
    }

    /** The JVM's class histogram, through the diagnostic command MBean ({@code jcmd GC.class_histogram}). */
    private static final class Histogram {
        private Histogram() {
        }

        /** @return the histogram's text (taking it runs a full GC), empty if the JVM cannot give one */
        static String take() {
            try {
                return (String) ManagementFactory.getPlatformMBeanServer().invoke(
                        new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                        new Object[] {new String[0]}, new String[] {String[].class.getName()});
            } catch (Exception e) {
                System.out.println("# no class histogram: " + e);
                return "";
            }
        }

        /** @return the live bytes the histogram counts in all (its {@code Total} line), or -1 */
        static long total(String text) {
            for (String line : text.split("\n")) {
                String[] f = line.trim().split("\\s+");
                if (f.length == 3 && f[0].equals("Total")) {
                    return Long.parseLong(f[2]);
                }
            }
            return -1;
        }

        /** @return instances and bytes by class name */
        static Map<String, long[]> parse(String text) {
            Map<String, long[]> classes = new HashMap<>();
            for (String line : text.split("\n")) {
                String[] f = line.trim().split("\\s+");
                if (f.length >= 4 && f[0].endsWith(":")) {
                    classes.put(f[3], new long[] {Long.parseLong(f[1]), Long.parseLong(f[2])});
                }
            }
            return classes;
        }

        static void printGrowth(String beforeText, String nowText, int top, String label) {
            Map<String, long[]> before = parse(beforeText);
            List<Map.Entry<String, long[]>> growth = new ArrayList<>();
            parse(nowText).forEach((name, now) -> {
                long[] was = before.getOrDefault(name, new long[2]);
                growth.add(Map.entry(name, new long[] {now[0] - was[0], now[1] - was[1]}));
            });
            growth.sort((a, b) -> Long.compare(b.getValue()[1], a.getValue()[1]));
            System.out.println("    " + label + " (instances, bytes), from the class histogram:");
            for (Map.Entry<String, long[]> entry : growth.subList(0, Math.min(top, growth.size()))) {
                System.out.printf(Locale.ROOT, "      %10d %12d  %s%n", entry.getValue()[0], entry.getValue()[1],
                        entry.getKey());
            }
        }
    }

    /** One rescan of the store by the worker's scheduler thread: from its listing of runs to its last load. */
    static final class Rescan {
        final long start;
        volatile long end;

        Rescan(long start) {
            this.start = start;
            this.end = start;
        }
    }
}
