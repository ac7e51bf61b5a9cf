package dev.agentpipeline.core.signal;

import dev.agentpipeline.core.definition.PipelineDefinition;
import dev.agentpipeline.core.definition.SignalFormats;
import dev.agentpipeline.core.definition.StateDefinition;
import dev.agentpipeline.core.engine.PipelineException;
import dev.agentpipeline.core.engine.PipelineRuntime;
import dev.agentpipeline.core.engine.Signal;
import dev.agentpipeline.core.engine.SignalReceipt;
import dev.agentpipeline.core.internal.Times;
import dev.agentpipeline.core.run.ReceivedSignal;
import dev.agentpipeline.core.run.RunState;
import dev.agentpipeline.core.store.RunSnapshot;
import dev.agentpipeline.core.store.RunStore;
import dev.agentpipeline.core.store.SharedFiles;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.apiguardian.api.API;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * Consumes signal files exactly once: each file of the {@linkplain SignalInbox inbox} and of the watched signal
 * directories is read, handed to {@link PipelineRuntime#receiveSignal} - which records it in its run's journal, once
 * per signal id - and only then removed; a file that cannot become a signal is moved aside with the reason.
 *
 * <pre>{@code
 * Worker worker = Worker.builder(runtime, orchestrators)
 *         .companion(w -> SignalWatcher.builder(w.runtime(), SignalInbox.of(store))
 *                 .signalDirectory(project.resolve(".taskmaster/.signals"))
 *                 .listener(new SignalWatcher.Listener() {
 *                     public void consumed(Path file, SignalReceipt receipt) {
 *                         w.wake(receipt.run().state().runId());
 *                     }
 *                 })
 *                 .build()
 *                 .start())            // or scanOnce() to process what is there now
 *         .build();
 * }</pre>
 * (A worker whose runtime records the signal is woken by the runtime's own event as well; the listener is what wakes
 * a worker that drives with another runtime.)
 *
 * <p><b>Sources.</b> The inbox holds envelopes named {@code <runId>~<signalName>~<nonce>.json}
 * ({@link SignalInbox}). A signal directory holds the phase pipeline orchestrator's files, named by the states'
 * {@code signal.file} ({@code phase7-complete.json}) and holding the bare payload. Such a file goes to the open run
 * whose definition names the file in the state the run works in; when no run is in that state but exactly one open
 * run's definition knows the file, to that run (the journal records it as out of state); none or several is a
 * rejection that says so. Files named {@code .*} or {@code *.tmp}, and directories, are skipped.
 *
 * <p><b>What becomes of a file.</b> A consumed signal (recorded now, or recorded before: a duplicate) is deleted from
 * the inbox and moved into {@code consumed/} of a signal directory as {@code <runId>-<name>-<journal sequence>.json}.
 * Anything else - malformed, over {@value #MAX_FILE_SIZE} bytes, for a run that ended or does not exist, of a name
 * or format the run does not wait for, of no or several runs - is moved into {@code rejected/} of its directory, with
 * {@code <file>.reason.txt} beside it saying why, when and what to do. Names that are taken get a suffix
 * ({@code -2}): no file is overwritten or lost. A file the runtime cannot judge now (the run's lock is busy, its
 * journal cannot be read, the runtime does not know its pipeline) stays where it is and is tried again.
 *
 * <p><b>Files written in place.</b> The inbox is written by rename, so a file there that does not parse is
 * malformed. An agent may write a signal directory's file in place: one that does not parse or does not have its
 * format while its last-modified time is younger than the settle time ({@link #DEFAULT_SETTLE_TIME}, measured with
 * the watcher's clock) is left alone and looked at again; only a settled one is rejected.
 *
 * <p><b>Crashes and several watchers.</b> The journal append happens before the file is removed: after a crash in
 * between the file is read again, the runtime answers {@link SignalReceipt.Status#DUPLICATE}, and the file goes.
 * Two watchers of the same directories (two workers) are safe: the run's lock serialises them, the second gets the
 * duplicate, and a file that vanished under one watcher was taken by the other. Before it removes a signal
 * directory's file, the watcher checks that it is still the file it read (an agent may have written the next signal
 * under the same name), and otherwise leaves it for the next look; a window of microseconds remains.
 *
 * <p><b>Watching.</b> {@link #scanOnce()} processes everything there is now. {@link #start()} runs a daemon thread
 * that processes files as a {@link WatchService} reports them (created or modified), and scans everything again
 * when the service reports lost events and every {@link #DEFAULT_RESCAN_INTERVAL rescan interval}, because a watch
 * service may drop events (and a file left to settle needs a second look). {@link #close()} stops it.
 *
 * <p><b>Routing at scale.</b> Routing a signal directory's file needs the open runs and the state each works in. The
 * watcher keeps what it learnt of each run: an ended run, and a run whose definition names no signal file, is never
 * loaded again; the others are loaded again only when their journal's length changed (one {@code stat} per run
 * and look), and one look lists the runs once for all its files. The first routing of a process loads every run
 * once. Measured on two cores with 3,000 runs (half of them ended): the first routing 1 to 1.5 s, later ones 40 to
 * 90 ms, half of it the store's listing of runs; a look without a signal directory file loads nothing.
 *
 * <p>Thread-safe: files are processed one at a time; listeners are called on the processing thread and should
 * return quickly.
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class SignalWatcher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SignalWatcher.class);

    /** How long a signal directory's file that does not parse, or lacks its format, is left to its writer. */
    public static final Duration DEFAULT_SETTLE_TIME = Duration.ofSeconds(2);
    /**
     * How often the thread scans everything, besides the events of the watch service: one second, so a file whose
     * event was lost waits at most that long, and a file left to settle is judged within a second of settling. A
     * scan of directories without files costs a directory listing each.
     */
    public static final Duration DEFAULT_RESCAN_INTERVAL = Duration.ofSeconds(1);
    /** The largest signal file the watcher reads: 1 MiB. */
    public static final long MAX_FILE_SIZE = 1L << 20;
    /** Where consumed files of a signal directory go. */
    public static final String CONSUMED = "consumed";
    /** Where rejected files go, in the inbox and in a signal directory. */
    public static final String REJECTED = "rejected";
    /** The suffix of the file beside a rejected one that says why. */
    public static final String REASON_SUFFIX = ".reason.txt";

    private static final int MAX_NAME = 200;

    private final PipelineRuntime runtime;
    private final Source inbox;
    private final List<Source> sources;
    private final Clock clock;
    private final Duration settleTime;
    private final Duration rescanEvery;
    private final Listener listener;
    private final Router router;
    private final ReentrantLock work = new ReentrantLock();
    /** Files already warned about, with the fingerprint they had: a file left in place is not reported every look. */
    private final Map<Path, String> warned = new ConcurrentHashMap<>();

    private final Object lifecycle = new Object();
    private Thread thread;
    private WatchService watchService;
    private volatile boolean running;
    private boolean closed;

    private SignalWatcher(Builder b) {
        this.runtime = b.runtime;
        this.inbox = new Source(b.inbox, true, b.inboxCreator);
        List<Source> all = new ArrayList<>();
        all.add(inbox);
        for (Path dir : b.signalDirectories) {
            all.add(new Source(dir, false, () -> createDirectories(dir)));
        }
        this.sources = List.copyOf(all);
        this.clock = b.clock;
        this.settleTime = b.settleTime;
        this.rescanEvery = b.rescanEvery;
        this.listener = b.listener;
        this.router = new Router(runtime);
    }

    /**
     * A builder of a watcher of a store's inbox ({@link SignalInbox#of}, created with the state directory's
     * {@code .gitignore}) or of another.
     *
     * @param runtime the runtime that records the signals (it knows the runs' definitions)
     * @param inbox the inbox
     * @return the builder
     */
    public static Builder builder(PipelineRuntime runtime, SignalInbox inbox) {
        Objects.requireNonNull(inbox, "inbox");
        return new Builder(runtime, inbox.directory(), inbox::create);
    }

    /**
     * A builder of a watcher of an inbox directory ({@code <state dir>/inbox}), created when missing.
     *
     * @param runtime the runtime that records the signals (it knows the runs' definitions)
     * @param inboxDir the inbox directory
     * @return the builder
     */
    public static Builder builder(PipelineRuntime runtime, Path inboxDir) {
        Path dir = Objects.requireNonNull(inboxDir, "inboxDir").toAbsolutePath().normalize();
        return new Builder(runtime, dir, () -> createDirectories(dir));
    }

    /** @return the inbox directory */
    public Path inboxDirectory() {
        return inbox.dir();
    }

    /** @return the watched signal directories, in the order they were added */
    public List<Path> signalDirectories() {
        return sources.stream().filter(s -> !s.inbox()).map(Source::dir).toList();
    }

    // ------------------------------------------------------------------------------------------- scanning

    /**
     * Processes every file of the inbox and of the signal directories now, each in order of its last-modified time
     * (the inbox first). Creates missing directories.
     *
     * @return how many files were consumed, rejected or left for another look
     */
    public Scan scanOnce() {
        work.lock();
        try {
            router.newLook();
            int consumed = 0;
            int rejected = 0;
            int waiting = 0;
            for (Source source : sources) {
                for (Path file : list(source)) {
                    switch (process(source, file)) {
                        case CONSUMED -> consumed++;
                        case REJECTED -> rejected++;
                        case WAITING -> waiting++;
                        case SKIPPED -> { }
                    }
                }
            }
            return new Scan(consumed, rejected, waiting);
        } finally {
            work.unlock();
        }
    }

    private List<Path> list(Source source) {
        Path dir;
        try {
            dir = source.create();
        } catch (RuntimeException e) {
            warnOnce(source.dir(), "missing", "Cannot create the signal directory {}: {}", source.dir(), e.toString());
            return List.of();
        }
        Map<Path, Instant> files = new LinkedHashMap<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                if (skipped(entry.getFileName().toString())) {
                    continue;
                }
                try {
                    BasicFileAttributes attributes = Files.readAttributes(entry, BasicFileAttributes.class,
                            LinkOption.NOFOLLOW_LINKS);
                    if (!attributes.isDirectory()) {
                        files.put(entry, attributes.lastModifiedTime().toInstant());
                    }
                } catch (NoSuchFileException e) {
                    // taken by another watcher meanwhile
                }
            }
        } catch (NoSuchFileException e) {
            return List.of(); // removed meanwhile: created again on the next look
        } catch (IOException e) {
            warnOnce(dir, "unlistable", "Cannot list the signal directory {}: {}", dir, e.toString());
            return List.of();
        }
        List<Path> sorted = new ArrayList<>(files.keySet());
        sorted.sort(Comparator.comparing((Path p) -> files.get(p)).thenComparing(p -> p.getFileName().toString()));
        return sorted;
    }

    private static boolean skipped(String name) {
        return name.startsWith(".") || name.endsWith(".tmp");
    }

    /** What became of one file. */
    private enum Fate { CONSUMED, REJECTED, WAITING, SKIPPED }

    /** A file as it was read: its bytes and what tells whether it is still the same file. */
    private record Read(byte[] bytes, String fingerprint, Instant modified) {
    }

    private Fate process(Source source, Path file) {
        String name = file.getFileName().toString();
        if (skipped(name)) {
            return Fate.SKIPPED;
        }
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS);
            if (attributes.isDirectory()) {
                return Fate.SKIPPED;
            }
            if (!attributes.isRegularFile()) {
                return reject(source, file, null, "it is not a regular file (a symbolic link, a device or a pipe)",
                        List.of(), "Write the signal as a regular file (write a temporary file, then rename it"
                                + " into place).");
            }
            if (attributes.size() > MAX_FILE_SIZE) {
                return reject(source, file, null, "it has " + attributes.size() + " bytes, more than the "
                        + MAX_FILE_SIZE + " a signal file may have", List.of(), "Keep signals small: put large"
                        + " results in files and name them in the signal's payload.");
            }
            byte[] bytes = Files.readAllBytes(file);
            if (bytes.length > MAX_FILE_SIZE) {
                return reject(source, file, null, "it has more than the " + MAX_FILE_SIZE + " bytes a signal file may"
                        + " have", List.of(), "Keep signals small: put large results in files and name them in the"
                        + " signal's payload.");
            }
            Read read = new Read(bytes, fingerprint(attributes), attributes.lastModifiedTime().toInstant());
            return source.inbox() ? processInboxFile(source, file, read) : processSignalFile(source, file, read);
        } catch (NoSuchFileException e) {
            return Fate.SKIPPED; // another watcher took it
        } catch (IOException e) {
            warnOnce(file, "io", "Cannot read the signal file {} (it stays and is tried again): {}", file,
                    e.toString());
            return Fate.WAITING;
        }
    }

    private Fate processInboxFile(Source source, Path file, Read read) throws IOException {
        SignalInbox.Message message;
        try {
            message = SignalInbox.read(file.getFileName().toString(), read.bytes());
        } catch (IllegalArgumentException e) {
            return reject(source, file, read, "it is not a valid inbox file: " + e.getMessage(), List.of(),
                    "Publish signals with `pipeline signal` or SignalInbox.publish, which write the envelope and"
                            + " the name right; or write {schema_version: 1, run_id, name, source, payload} under a"
                            + " temporary name starting with '.' and rename it to"
                            + " <run id>~<signal name>~<nonce>.json.");
        }
        SignalReceipt receipt = receive(file, read, message.runId(), message.signal());
        if (receipt == null) {
            return Fate.WAITING;
        }
        if (receipt.status().consumed()) {
            if (!unchanged(file, read)) {
                return Fate.WAITING;
            }
            if (!Files.deleteIfExists(file)) {
                return Fate.SKIPPED; // another watcher removed it
            }
            consumed(file, receipt);
            return Fate.CONSUMED;
        }
        return reject(source, file, read, receipt);
    }

    private Fate processSignalFile(Source source, Path file, Read read) throws IOException {
        String name = file.getFileName().toString();
        boolean settled = !clock.instant().isBefore(read.modified().plus(settleTime));
        Map<String, Object> payload;
        try {
            payload = SignalInbox.parseObject(read.bytes());
        } catch (IllegalArgumentException e) {
            if (!settled) {
                LOG.debug("Signal file {} does not parse yet; left to its writer: {}", file, e.getMessage());
                return Fate.WAITING;
            }
            return reject(source, file, read, "it is " + e.getMessage(), List.of(), "Write the signal as one JSON"
                    + " object (write it under another name, then rename it to " + name + ").");
        }
        Route route = router.route(name);
        if (route.problem() != null) {
            return reject(source, file, read, route.problem(), List.of(), route.fix());
        }
        Signal signal;
        try {
            signal = Signal.of(route.state().signal().name(), payload, source.dir().getFileName() + "/" + name);
        } catch (IllegalArgumentException e) {
            if (!settled) {
                return Fate.WAITING;
            }
            return reject(source, file, read, "its payload cannot be a signal: " + e.getMessage(), List.of(),
                    "Fix the payload (signal_id, when given, is 1 to 128 letters, digits, '_', '.', ':' or '-').");
        }
        if (!settled && !SignalFormats.problems(route.state().signal().format(), signal.payload()).isEmpty()) {
            LOG.debug("Signal file {} does not have its format yet; left to its writer", file);
            return Fate.WAITING;
        }
        SignalReceipt receipt = receive(file, read, route.runId(), signal);
        if (receipt == null) {
            return Fate.WAITING;
        }
        if (receipt.status().consumed()) {
            if (!unchanged(file, read)) {
                return Fate.WAITING;
            }
            String sequence = receipt.runIfAny().flatMap(run -> recorded(run.state(), signal.id()))
                    .map(s -> Long.toString(s.journalSequence())).orElse(Long.toString(read.modified().toEpochMilli()));
            Optional<Path> moved = moveAside(file, source.dir().resolve(CONSUMED),
                    route.runId() + "-" + insertBeforeExtension(name, "-" + sequence));
            if (moved.isEmpty()) {
                return Fate.SKIPPED;
            }
            consumed(file, receipt);
            return Fate.CONSUMED;
        }
        if (receipt.status() == SignalReceipt.Status.INVALID && !settled) {
            return Fate.WAITING;
        }
        return reject(source, file, read, receipt);
    }

    private static Optional<ReceivedSignal> recorded(RunState state, String signalId) {
        return state.signals().stream().filter(s -> s.signalId().equals(signalId)).findFirst();
    }

    /**
     * Hands a signal to the runtime; null when it cannot judge it now (the file then stays, and is reported once).
     * A run that ended after it recorded the signal counts the signal as a duplicate: the file's work is done.
     */
    private SignalReceipt receive(Path file, Read read, String runId, Signal signal) {
        SignalReceipt receipt;
        try {
            receipt = runtime.receiveSignal(runId, signal);
        } catch (PipelineException e) {
            warnOnce(file, read.fingerprint(), "Signal file {} for run {} stays where it is: {} ({}). Fix: {}", file,
                    runId, e.problem(), e.code(), e.fix());
            return null;
        } catch (RuntimeException e) {
            warnOnce(file, read.fingerprint(), "Signal file {} for run {} stays where it is and is tried again: {}",
                    file, runId, e.toString());
            return null;
        }
        if (receipt.status() == SignalReceipt.Status.RUN_ENDED && receipt.run() != null
                && receipt.run().state().hasSignal(signal.id())) {
            return new SignalReceipt(SignalReceipt.Status.DUPLICATE, signal.id(), null, "Run " + runId
                    + " recorded signal " + signal.id() + " before it ended.", List.of(), receipt.run());
        }
        return receipt;
    }

    private void consumed(Path file, SignalReceipt receipt) {
        warned.remove(file);
        LOG.info("Signal file {} consumed: {} ({})", file, receipt.status().wireName(), receipt.message());
        try {
            listener.consumed(file, receipt);
        } catch (RuntimeException e) {
            LOG.warn("Signal listener {} failed on {}: {}", listener, file, e.toString());
        }
    }

    private Fate reject(Source source, Path file, Read read, SignalReceipt receipt) throws IOException {
        String fix = switch (receipt.status()) {
            case RUN_ENDED -> "Nothing waits for this signal any more. If it belongs to a newer run of the same"
                    + " subject, publish it for that run: pipeline signal --run RUN_ID --file <this file's payload>.";
            case UNKNOWN_SIGNAL -> "Publish it under a signal name the run's definition waits for"
                    + " (pipeline signal --run RUN_ID --name NAME), or add the signal to the definition.";
            case INVALID -> "Fix the payload (every problem is listed with its JSON path) and publish it again.";
            case UNKNOWN_RUN -> "Check the run id (pipeline status lists runs), then publish it again for the right"
                    + " run: pipeline signal --run RUN_ID ...";
            default -> "Publish it again.";
        };
        return reject(source, file, read, receipt.status().wireName().replace('_', ' ') + ": " + receipt.message(),
                receipt.problems(), fix);
    }

    /**
     * Moves a file into {@code rejected/} with a reason file beside it, and tells the listener; leaves it when it is
     * no longer the file that was read (null: not read).
     */
    private Fate reject(Source source, Path file, Read read, String reason, List<String> problems, String fix)
            throws IOException {
        if (read != null && !unchanged(file, read)) {
            return Fate.WAITING;
        }
        Optional<Path> moved = moveAside(file, source.dir().resolve(REJECTED), file.getFileName().toString());
        if (moved.isEmpty()) {
            return Fate.SKIPPED;
        }
        StringBuilder text = new StringBuilder();
        text.append("Rejected signal file: ").append(file).append('\n');
        text.append("Moved to: ").append(moved.get()).append('\n');
        text.append("When: ").append(Times.format(clock.instant())).append('\n');
        text.append("Why: ").append(reason).append('\n');
        if (!problems.isEmpty()) {
            text.append("Problems:\n");
            problems.forEach(problem -> text.append("  - ").append(problem).append('\n'));
        }
        text.append("What to do: ").append(fix).append('\n');
        Path reasonFile = moved.get().resolveSibling(moved.get().getFileName() + REASON_SUFFIX);
        try {
            SharedFiles.replace(reasonFile, text.toString().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            LOG.warn("Cannot write {} ({}); the reason was: {}", reasonFile, e.toString(), reason);
        }
        warned.remove(file);
        LOG.warn("Signal file {} rejected, moved to {}: {}", file, moved.get(), reason);
        try {
            listener.rejected(file, reason);
        } catch (RuntimeException e) {
            LOG.warn("Signal listener {} failed on {}: {}", listener, file, e.toString());
        }
        return Fate.REJECTED;
    }

    /**
     * Moves a file into a directory under a name that is not taken (the name, then {@code -2}, {@code -3}... before
     * its extension).
     *
     * @return where it went, or empty when the file vanished (another watcher took it)
     */
    private static Optional<Path> moveAside(Path file, Path dir, String name) throws IOException {
        Files.createDirectories(dir);
        String fitted = fit(name);
        for (int i = 1; i <= 10_000; i++) {
            Path target = dir.resolve(i == 1 ? fitted : insertBeforeExtension(fitted, "-" + i));
            if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            try {
                return Optional.of(Files.move(file, target)); // no REPLACE_EXISTING: never overwrites
            } catch (FileAlreadyExistsException e) {
                // taken meanwhile: the next name
            } catch (NoSuchFileException e) {
                return Optional.empty();
            }
        }
        throw new IOException("no free name for " + name + " in " + dir + " after 10000 tries; clean it up");
    }

    /** A name of at most {@value #MAX_NAME} characters: a long one keeps its start, a hash and its extension. */
    private static String fit(String name) {
        if (name.length() <= MAX_NAME) {
            return name;
        }
        String extension = extension(name);
        String hash = Integer.toHexString(name.hashCode());
        return name.substring(0, MAX_NAME - extension.length() - hash.length() - 1) + "-" + hash + extension;
    }

    private static String insertBeforeExtension(String name, String insert) {
        String extension = extension(name);
        return name.substring(0, name.length() - extension.length()) + insert + extension;
    }

    private static String extension(String name) {
        int dot = name.lastIndexOf('.');
        return dot > 0 && name.length() - dot <= 10 ? name.substring(dot) : "";
    }

    /** Whether the file is still the one that was read (an agent may write the next signal under the same name). */
    private boolean unchanged(Path file, Read read) throws IOException {
        try {
            BasicFileAttributes now = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (fingerprint(now).equals(read.fingerprint())) {
                return true;
            }
            LOG.info("Signal file {} changed while it was processed; it is read again", file);
            return false;
        } catch (NoSuchFileException e) {
            return false; // another watcher took it
        }
    }

    private static String fingerprint(BasicFileAttributes attributes) {
        return attributes.fileKey() + "/" + attributes.size() + "/" + attributes.lastModifiedTime().toMillis();
    }

    private void warnOnce(Path file, String fingerprint, String message, Object... arguments) {
        if (!fingerprint.equals(warned.put(file, fingerprint))) {
            LOG.warn(message, arguments);
        }
        if (warned.size() > 10_000) {
            warned.clear();
        }
    }

    private static Path createDirectories(Path dir) {
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new IllegalStateException("Cannot create " + dir + ": " + e.getMessage(), e);
        }
    }

    // ------------------------------------------------------------------------------------------- the thread

    /**
     * Starts the watching thread (a daemon): it scans everything at once, then processes files as the watch service
     * reports them, and scans everything again on lost events and every rescan interval.
     *
     * @return this watcher (to close when done; a {@code Worker}'s companion returns it)
     * @throws IllegalStateException if it was started or closed before
     * @throws java.io.UncheckedIOException if the watch service cannot watch a directory
     */
    public SignalWatcher start() {
        synchronized (lifecycle) {
            if (closed) {
                throw new IllegalStateException("SignalWatcher was closed; build a new one");
            }
            if (thread != null) {
                throw new IllegalStateException("SignalWatcher was started already");
            }
            Map<WatchKey, Source> keys = new HashMap<>();
            try {
                watchService = inbox.dir().getFileSystem().newWatchService();
                for (Source source : sources) {
                    keys.put(register(source), source);
                }
            } catch (IOException | RuntimeException e) {
                closeQuietly(watchService);
                watchService = null;
                if (e instanceof IOException io) {
                    throw new java.io.UncheckedIOException("Cannot watch the signal directories: " + io.getMessage(),
                            io);
                }
                throw (RuntimeException) e;
            }
            running = true;
            WatchService service = watchService;
            thread = new Thread(() -> loop(service, keys), "pipeline-signal-watcher");
            thread.setDaemon(true);
            thread.start();
            LOG.info("Watching signals in {}", sources.stream().map(Source::dir).toList());
            return this;
        }
    }

    private WatchKey register(Source source) throws IOException {
        return source.create().register(watchService, StandardWatchEventKinds.ENTRY_CREATE,
                StandardWatchEventKinds.ENTRY_MODIFY);
    }

    private void loop(WatchService service, Map<WatchKey, Source> keys) {
        long rescanNanos = rescanEvery.toNanos();
        long next = System.nanoTime();
        while (running) {
            try {
                if (System.nanoTime() - next >= 0) {
                    reRegister(service, keys);
                    scanOnce();
                    next = System.nanoTime() + rescanNanos;
                }
                long waitMillis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(next - System.nanoTime()));
                WatchKey key = service.poll(waitMillis, TimeUnit.MILLISECONDS);
                if (key == null) {
                    continue;
                }
                Source source = keys.get(key);
                boolean overflow = false;
                Set<Path> files = new LinkedHashSet<>();
                for (WatchEvent<?> event : key.pollEvents()) {
                    if (event.kind() == StandardWatchEventKinds.OVERFLOW) {
                        overflow = true;
                    } else if (source != null && event.context() instanceof Path name) {
                        files.add(source.dir().resolve(name));
                    }
                }
                if (!key.reset()) {
                    keys.remove(key); // the directory went away: created and watched again on the next scan
                    next = System.nanoTime();
                }
                if (overflow) {
                    LOG.debug("The watch service lost events; scanning everything");
                    scanOnce();
                    next = System.nanoTime() + rescanNanos;
                } else if (source != null && !files.isEmpty() && running) {
                    processEvents(source, files);
                }
            } catch (ClosedWatchServiceException | InterruptedException e) {
                break;
            } catch (RuntimeException e) {
                LOG.warn("The signal watcher failed in a look and goes on: {}", e.toString(), e);
                next = System.nanoTime() + rescanNanos;
            }
        }
    }

    private void reRegister(WatchService service, Map<WatchKey, Source> keys) {
        Set<Source> watched = new HashSet<>(keys.values());
        for (Source source : sources) {
            if (!watched.contains(source)) {
                try {
                    keys.put(source.create().register(service, StandardWatchEventKinds.ENTRY_CREATE,
                            StandardWatchEventKinds.ENTRY_MODIFY), source);
                } catch (IOException | RuntimeException e) {
                    warnOnce(source.dir(), "unwatchable", "Cannot watch {} (scanned every {} instead): {}",
                            source.dir(), rescanEvery, e.toString());
                }
            }
        }
    }

    private void processEvents(Source source, Set<Path> files) {
        work.lock();
        try {
            router.newLook();
            for (Path file : files) {
                process(source, file);
            }
        } finally {
            work.unlock();
        }
    }

    /**
     * Stops the watching thread and waits for it to finish the file it is processing. Scans may still be called.
     * Idempotent.
     */
    @Override
    public void close() {
        Thread running;
        synchronized (lifecycle) {
            closed = true;
            this.running = false;
            closeQuietly(watchService);
            running = thread;
        }
        if (running != null && running != Thread.currentThread()) {
            boolean interrupted = false;
            while (running.isAlive()) {
                try {
                    running.join();
                } catch (InterruptedException e) {
                    interrupted = true; // the thread is not interrupted: it may be appending to a journal
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void closeQuietly(WatchService service) {
        if (service != null) {
            try {
                service.close();
            } catch (IOException e) {
                LOG.debug("Closing the watch service: {}", e.toString());
            }
        }
    }

    @Override
    public String toString() {
        return "SignalWatcher[" + sources.stream().map(Source::dir).toList() + "]";
    }

    // ------------------------------------------------------------------------------------------- routing

    /** A directory the watcher reads: the inbox, or a signal directory. */
    private record Source(Path dir, boolean inbox, Supplier<Path> creator) {
        Path create() {
            return creator.get();
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Source s && s.dir.equals(dir) && s.inbox == inbox;
        }

        @Override
        public int hashCode() {
            return dir.hashCode() * 31 + Boolean.hashCode(inbox);
        }
    }

    /** Where a signal directory's file goes: a run and the state that waits for it, or why none. */
    private record Route(String runId, StateDefinition state, String problem, String fix) {
    }

    /**
     * Finds the run a signal directory's file is for, keeping what it learnt of each run between looks: ended runs,
     * and runs whose definition names no signal file, are never loaded again; others when their journal grew.
     */
    private static final class Router {
        private final PipelineRuntime runtime;
        private final RunStore store;
        private final Map<String, RunInfo> runs = new HashMap<>();
        private final Map<String, Optional<PipelineDefinition>> definitions = new HashMap<>();
        /** Each run's journal file, when the store keeps one (its length tells whether the run changed). */
        private final Map<String, Optional<Path>> journals = new HashMap<>();
        private List<String> runIds;
        private long look;

        Router(PipelineRuntime runtime) {
            this.runtime = runtime;
            this.store = runtime.store();
        }

        /** Starts a look: the run listing and the runs' states are read again when a file needs them. */
        void newLook() {
            look++;
            runIds = null;
        }

        Route route(String fileName) {
            if (runIds == null) {
                runIds = store.runIds();
                Set<String> listed = new HashSet<>(runIds);
                runs.keySet().retainAll(listed);
                journals.keySet().retainAll(listed);
            }
            List<String> knowing = new ArrayList<>();
            List<String> inState = new ArrayList<>();
            Map<String, StateDefinition> states = new HashMap<>();
            for (String runId : runIds) {
                RunInfo info = info(runId);
                if (info == null || info.ended() || info.definition() == null) {
                    continue;
                }
                Optional<StateDefinition> state = info.definition().signalFileState(fileName);
                if (state.isEmpty()) {
                    continue;
                }
                knowing.add(runId);
                states.put(runId, state.get());
                if (state.get().id().equals(info.workingState())) {
                    inState.add(runId);
                }
            }
            if (inState.size() == 1) {
                return new Route(inState.get(0), states.get(inState.get(0)), null, null);
            }
            if (inState.size() > 1) {
                return ambiguous(fileName, inState, "work in the state that waits for it");
            }
            if (knowing.size() == 1) {
                return new Route(knowing.get(0), states.get(knowing.get(0)), null, null);
            }
            if (knowing.isEmpty()) {
                return new Route(null, null, "no open run waits for " + fileName, "Start the run that waits for it"
                        + " first, or publish the payload for a run by its id: pipeline signal --run RUN_ID --file"
                        + " FILE.");
            }
            return ambiguous(fileName, knowing, "wait for it, none of them in its state now");
        }

        private static Route ambiguous(String fileName, List<String> runIds, String what) {
            List<String> shown = runIds.size() > 10 ? runIds.subList(0, 10) : runIds;
            return new Route(null, null, "ambiguous: runs " + String.join(", ", shown)
                    + (runIds.size() > shown.size() ? " and " + (runIds.size() - shown.size()) + " more" : "") + " "
                    + what + " (" + fileName + ")", "Publish the payload for one run by its id: pipeline signal --run"
                    + " RUN_ID --file FILE (a signal directory's file names no run).");
        }

        /** What the router knows of a run, refreshed when its journal's length changed; null if unreadable. */
        private RunInfo info(String runId) {
            RunInfo cached = runs.get(runId);
            if (cached != null && (cached.ended() || cached.definition() == null || cached.look() == look)) {
                return cached; // an ended run and a run without signal files never change in what matters here
            }
            long length = journalLength(runId);
            if (cached != null && length >= 0 && cached.journalLength() == length) {
                RunInfo same = cached.at(look);
                runs.put(runId, same);
                return same;
            }
            Optional<RunSnapshot> snapshot;
            try {
                snapshot = store.load(runId);
            } catch (RuntimeException e) {
                LOG.debug("Routing signals: cannot load run {}: {}", runId, e.toString());
                runs.remove(runId);
                return null;
            }
            if (snapshot.isEmpty()) {
                runs.remove(runId);
                return null;
            }
            RunState state = snapshot.get().state();
            PipelineDefinition definition = definitions.computeIfAbsent(state.pipelineId(), this::definition)
                    .orElse(null);
            RunInfo info = new RunInfo(state.complete(), state.workingState(), definition, length, look);
            runs.put(runId, info);
            return info;
        }

        /** The definition of a pipeline whose states name signal files, else empty. */
        private Optional<PipelineDefinition> definition(String pipelineId) {
            try {
                PipelineDefinition definition = runtime.definition(pipelineId);
                boolean files = definition.states().values().stream()
                        .anyMatch(s -> s.signal() != null && s.signal().file() != null);
                return files ? Optional.of(definition) : Optional.empty();
            } catch (PipelineException e) {
                return Optional.empty(); // this runtime does not run that pipeline
            }
        }

        private long journalLength(String runId) {
            Optional<Path> journal = journals.computeIfAbsent(runId,
                    id -> Optional.ofNullable(store.locations(id).get("journal")).map(Path::of));
            if (journal.isEmpty()) {
                return -1;
            }
            try {
                return Files.size(journal.get());
            } catch (IOException | RuntimeException e) {
                return -1;
            }
        }
    }

    /** What the router knows of a run: whether it ended, where it works, its definition if it names signal files. */
    private record RunInfo(boolean ended, String workingState, PipelineDefinition definition, long journalLength,
                           long look) {
        RunInfo at(long newLook) {
            return new RunInfo(ended, workingState, definition, journalLength, newLook);
        }
    }

    // ------------------------------------------------------------------------------------------- values

    /**
     * Hears what the watcher did with each file; called on the processing thread (the watcher's, or the caller's of
     * {@link #scanOnce()}), after the journal append and the file's move. Failures are logged and ignored.
     *
     * @since 0.1
     */
    @API(status = EXPERIMENTAL, since = "0.1")
    public interface Listener {

        /** Hears nothing. */
        Listener NONE = new Listener() {
        };

        /**
         * A signal file was consumed: its run's journal holds the signal (recorded now or before), and the file is
         * gone from where it was.
         *
         * @param file the file as it was found
         * @param receipt what the runtime answered ({@code accepted}, {@code recorded_out_of_state} or
         *     {@code duplicate}), with the run afterwards
         */
        default void consumed(Path file, SignalReceipt receipt) {
        }

        /**
         * A file was moved into {@code rejected/} of its directory, with a reason file beside it.
         *
         * @param file the file as it was found
         * @param reason why, for people
         */
        default void rejected(Path file, String reason) {
        }
    }

    /**
     * What one {@link #scanOnce()} did.
     *
     * @param consumed files whose signal the runs' journals now hold (removed)
     * @param rejected files moved aside with a reason
     * @param waiting files left for another look: still being written, or the runtime could not judge them now
     * @since 0.1
     */
    @API(status = EXPERIMENTAL, since = "0.1")
    public record Scan(int consumed, int rejected, int waiting) {
    }

    /**
     * Builds a {@link SignalWatcher}.
     *
     * @since 0.1
     */
    @API(status = EXPERIMENTAL, since = "0.1")
    public static final class Builder {
        private final PipelineRuntime runtime;
        private final Path inbox;
        private final Supplier<Path> inboxCreator;
        private final List<Path> signalDirectories = new ArrayList<>();
        private Clock clock = Clock.systemUTC();
        private Duration settleTime = DEFAULT_SETTLE_TIME;
        private Duration rescanEvery = DEFAULT_RESCAN_INTERVAL;
        private Listener listener = Listener.NONE;

        private Builder(PipelineRuntime runtime, Path inbox, Supplier<Path> inboxCreator) {
            this.runtime = Objects.requireNonNull(runtime, "runtime");
            this.inbox = inbox;
            this.inboxCreator = inboxCreator;
        }

        /**
         * Watches a signal directory of the phase pipeline orchestrator's layout too ({@code .taskmaster/.signals}
         * of a project: files named by the states' {@code signal.file}, holding the bare payload). Created when
         * missing.
         *
         * @param dir the directory
         * @return this builder
         * @throws IllegalArgumentException if it is the inbox or was added already
         */
        public Builder signalDirectory(Path dir) {
            Path normalized = Objects.requireNonNull(dir, "dir").toAbsolutePath().normalize();
            if (normalized.equals(inbox) || signalDirectories.contains(normalized)) {
                throw new IllegalArgumentException("signal directory " + normalized + " is watched already");
            }
            signalDirectories.add(normalized);
            return this;
        }

        /**
         * @param value the clock that says when a file written in place has settled (its last-modified time is
         *     the file system's, so the default is the system clock); also the time of reason files
         * @return this builder
         */
        public Builder clock(Clock value) {
            this.clock = Objects.requireNonNull(value, "value");
            return this;
        }

        /**
         * @param value how long a signal directory's file that does not parse, or lacks its format, is left to its
         *     writer after its last change (default {@link #DEFAULT_SETTLE_TIME}); zero judges at once
         * @return this builder
         * @throws IllegalArgumentException if negative
         */
        public Builder settleTime(Duration value) {
            if (Objects.requireNonNull(value, "value").isNegative()) {
                throw new IllegalArgumentException("settleTime must not be negative, got " + value);
            }
            this.settleTime = value;
            return this;
        }

        /**
         * @param value how often the watching thread scans everything besides the watch service's events (default
         *     {@link #DEFAULT_RESCAN_INTERVAL})
         * @return this builder
         * @throws IllegalArgumentException if not positive
         */
        public Builder rescanEvery(Duration value) {
            if (Objects.requireNonNull(value, "value").isNegative() || value.isZero()) {
                throw new IllegalArgumentException("rescanEvery must be positive, got " + value);
            }
            this.rescanEvery = value;
            return this;
        }

        /**
         * @param value what hears each consumed and rejected file (default {@link Listener#NONE})
         * @return this builder
         */
        public Builder listener(Listener value) {
            this.listener = Objects.requireNonNull(value, "value");
            return this;
        }

        /** @return the watcher (not started) */
        public SignalWatcher build() {
            return new SignalWatcher(this);
        }
    }
}
