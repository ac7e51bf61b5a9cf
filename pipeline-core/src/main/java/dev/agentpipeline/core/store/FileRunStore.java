package dev.agentpipeline.core.store;

import dev.agentpipeline.core.internal.Json;
import dev.agentpipeline.core.internal.JsonSyntaxException;
import dev.agentpipeline.core.internal.RunJson;
import dev.agentpipeline.core.internal.Times;
import dev.agentpipeline.core.run.Ids;
import dev.agentpipeline.core.run.RunEvent;
import dev.agentpipeline.core.run.RunState;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.apiguardian.api.API;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * A {@link RunStore} on the local file system. Thread-safe, and safe to share a directory between processes.
 *
 * <pre>{@code
 * RunStore store = FileRunStore.open(projectDir.resolve(".pipeline"));
 * }</pre>
 *
 * <p>Layout under the root directory:
 * <pre>
 * runs/{run_id}/journal.jsonl      the truth: one event a line, sequence number and CRC-32C checksum each
 * runs/{run_id}/state.json         projection of the journal (the ln-1000 state fields)
 * runs/{run_id}/checkpoints.json   projection: _history, _next_sequence, newest checkpoint per stage
 * runs/{run_id}/manifest.json      projection: the run's immutable inputs
 * runs/{run_id}/run.lock           OS lock file: one writer at a time
 * active/{pipeline}/{subject}.json the subject's current run
 * </pre>
 *
 * <p><b>Durability.</b> An append writes its lines and forces the journal to disk ({@code fdatasync}) before it
 * returns; a new run's directory entries are forced too. Projections are then replaced atomically (temporary
 * file and rename) without a force of their own: they can always be rebuilt from the journal, and a projection
 * older than the journal (a crash between the two writes) is rebuilt on the next load. A journal whose last line
 * is incomplete or fails its checksum (an append interrupted by a crash, never acknowledged) is cut back to its
 * last good line, and the load reports it as a warning. Anything else that does not agree with the journal - a
 * damaged line followed by good ones, a projection that cannot be parsed or was edited by hand - is a
 * {@link CorruptRunException} that changes nothing and says how to repair ({@link #repair(String)}).
 *
 * <p><b>Concurrency.</b> Every append and load holds the run's lock: a reentrant lock inside the JVM and an OS
 * file lock on {@code run.lock} across processes. A caller waits for the lock up to the configured timeout.
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class FileRunStore implements RunStore {

    private static final Logger LOG = LoggerFactory.getLogger(FileRunStore.class);

    /** The default time a caller waits for a run's lock. */
    public static final Duration DEFAULT_LOCK_TIMEOUT = Duration.ofSeconds(30);

    private static final String JOURNAL = "journal.jsonl";
    private static final String STATE = "state.json";
    private static final String CHECKPOINTS = "checkpoints.json";
    private static final String MANIFEST = "manifest.json";
    private static final String LOCK = "run.lock";
    private static final String DRIVER_LOCK = "driver.lock";

    /** The {@code .gitignore} of a root the store creates: the state is not for version control. */
    static final String GITIGNORE = "# Agent Pipeline's run state (journals, locks, workspaces): not for version"
            + " control.\n*\n";

    private final Path root;
    private volatile boolean rootReady;
    private final Duration lockTimeout;
    private final Clock clock;
    private final ConcurrentHashMap<String, Cached> cache = new ConcurrentHashMap<>();

    private record Cached(RunState state, long journalLength) {
    }

    private FileRunStore(Path root, Duration lockTimeout, Clock clock) {
        this.root = root.toAbsolutePath().normalize();
        this.lockTimeout = lockTimeout;
        this.clock = clock;
    }

    /**
     * Opens (without creating anything yet) a store rooted at a directory.
     *
     * @param root the directory, for example {@code <project>/.pipeline}
     * @return the store
     */
    public static FileRunStore open(Path root) {
        return builder(root).build();
    }

    /**
     * @param root the directory
     * @return a builder
     */
    public static Builder builder(Path root) {
        return new Builder(root);
    }

    /** @return the root directory */
    public Path root() {
        return root;
    }

    /**
     * @param runId a run
     * @return its directory (which may not exist)
     */
    public Path runDirectory(String runId) {
        return root.resolve("runs").resolve(Ids.requireSafe("run id", runId));
    }

    @Override
    public Map<String, String> locations(String runId) {
        Path dir = runDirectory(runId);
        Map<String, String> paths = new LinkedHashMap<>();
        paths.put("root", root.toString());
        paths.put("run_dir", dir.toString());
        paths.put("manifest", dir.resolve(MANIFEST).toString());
        paths.put("state", dir.resolve(STATE).toString());
        paths.put("checkpoints", dir.resolve(CHECKPOINTS).toString());
        paths.put("history", dir.resolve(JOURNAL).toString());
        paths.put("journal", dir.resolve(JOURNAL).toString());
        return paths;
    }

    // ------------------------------------------------------------------------------------------------ append

    @Override
    public RunSnapshot append(String runId, long expectedSequence, List<? extends RunEvent> events) {
        Objects.requireNonNull(events, "events");
        if (events.isEmpty()) {
            throw new IllegalArgumentException("append needs at least one event");
        }
        Path dir = runDirectory(runId);
        Path journal = dir.resolve(JOURNAL);
        try (RunLock ignored = lock(runId, lockTimeout)) {
            boolean creating = expectedSequence == 0;
            RunState state = null;
            long length = 0;
            if (creating) {
                if (Files.exists(journal)) {
                    Optional<RunSnapshot> existing = loadLocked(runId);
                    if (existing.isPresent()) {
                        throw new ConcurrentAppendException(runId, 0, existing.get().sequence());
                    }
                    try {
                        length = Files.size(journal);
                    } catch (IOException e) {
                        throw new StoreException("io_error", "Cannot read " + journal + ": " + e.getMessage() + ".",
                                "Check the file's permissions.", e);
                    }
                }
            } else {
                RunSnapshot current = loadLocked(runId).orElseThrow(() -> new StoreException("run_not_found",
                        "Run " + runId + " does not exist in " + root + ".", "Start the run first.", null));
                if (current.sequence() != expectedSequence) {
                    throw new ConcurrentAppendException(runId, expectedSequence, current.sequence());
                }
                state = current.state();
                length = cache.get(runId).journalLength();
            }
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(512 * events.size());
            long sequence = expectedSequence;
            boolean checkpoints = creating;
            for (int i = 0; i < events.size(); i++) {
                RunEvent event = events.get(i);
                sequence++;
                state = state == null ? RunState.start(sequence, event) : state.apply(sequence, event);
                bytes.writeBytes(JournalFormat.encode(sequence, event, i == events.size() - 1));
                checkpoints |= event instanceof RunEvent.CheckpointRecorded;
            }
            byte[] data = bytes.toByteArray();
            cache.remove(runId);
            try {
                if (creating) {
                    Files.createDirectories(dir);
                }
                try (FileChannel channel = FileChannel.open(journal, StandardOpenOption.CREATE,
                        StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
                    try {
                        ByteBuffer buffer = ByteBuffer.wrap(data);
                        while (buffer.hasRemaining()) {
                            channel.write(buffer);
                        }
                        channel.force(false);
                    } catch (IOException e) {
                        // Not acknowledged, so it must not stay: a later load would accept the lines.
                        undo(channel, length, e);
                        throw e;
                    }
                }
                if (creating) {
                    AtomicFiles.forceDirectory(dir);
                    AtomicFiles.forceDirectory(dir.getParent());
                }
            } catch (IOException e) {
                throw new StoreException("io_error", "Cannot write the journal of run " + runId + " (" + journal
                        + "): " + e.getMessage() + ".", "Check free disk space and permissions, then retry.", e);
            }
            cache.put(runId, new Cached(state, length + data.length));
            List<String> warnings = new ArrayList<>();
            try {
                writeProjections(dir, state, checkpoints, creating);
            } catch (IOException e) {
                // The journal holds the events; the projections are rebuilt from it on the next load.
                LOG.warn("Run {}: the journal is written, but its projections are not: {}", runId, e.toString());
                warnings.add("state.json of run " + runId + " could not be updated (" + e.getMessage()
                        + "); it will be rebuilt from the journal on the next load");
            }
            return new RunSnapshot(state, warnings);
        }
    }

    private static void undo(FileChannel channel, long length, IOException cause) {
        try {
            channel.truncate(length);
            channel.force(false);
        } catch (IOException e) {
            cause.addSuppressed(e);
        }
    }

    private void writeProjections(Path dir, RunState state, boolean checkpoints, boolean manifest)
            throws IOException {
        if (manifest) {
            AtomicFiles.write(dir.resolve(MANIFEST), prettyBytes(RunJson.manifest(state)), false);
        }
        if (checkpoints) {
            AtomicFiles.write(dir.resolve(CHECKPOINTS), prettyBytes(RunJson.checkpoints(state)), false);
        }
        AtomicFiles.write(dir.resolve(STATE), prettyBytes(RunJson.state(state)), false);
    }

    private static byte[] prettyBytes(Map<String, Object> json) {
        return (Json.pretty(json) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    // -------------------------------------------------------------------------------------------------- load

    @Override
    public Optional<RunSnapshot> load(String runId) {
        Path journal = runDirectory(runId).resolve(JOURNAL);
        if (!Files.exists(journal)) {
            return Optional.empty();
        }
        try (RunLock ignored = lock(runId, lockTimeout)) {
            return loadLocked(runId);
        }
    }

    private Optional<RunSnapshot> loadLocked(String runId) {
        Path dir = runDirectory(runId);
        Path journal = dir.resolve(JOURNAL);
        byte[] bytes;
        try {
            long size = Files.size(journal);
            Cached cached = cache.get(runId);
            if (cached != null && cached.journalLength() == size) {
                return Optional.of(new RunSnapshot(cached.state(), List.of()));
            }
            bytes = Files.readAllBytes(journal);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new StoreException("io_error", "Cannot read the journal of run " + runId + " (" + journal + "): "
                    + e.getMessage() + ".", "Check the file's permissions.", e);
        }
        JournalFormat.Parsed parsed = JournalFormat.parse(bytes);
        if (parsed.corruption() != null) {
            throw new CorruptRunException("journal_corrupt", "The journal of run " + runId + " (" + journal
                    + ") cannot be read: " + parsed.corruption() + ". This is not the trace of a crash (a crash can"
                    + " only damage the end): the file was changed outside the runtime, written by a newer version of"
                    + " this library, or the disk is failing.",
                    "Nothing was changed. Restore journal.jsonl from a backup, or start a new run for the subject.");
        }
        List<String> warnings = new ArrayList<>();
        if (parsed.tornTail() != null) {
            cutTornTail(runId, journal, parsed, bytes.length, warnings);
        }
        if (parsed.events().isEmpty()) {
            return Optional.empty(); // the run's first append never completed: the run was never created
        }
        RunState state = RunState.replay(parsed.events());
        checkProjections(runId, dir, state, false);
        cache.put(runId, new Cached(state, parsed.goodLength()));
        return Optional.of(new RunSnapshot(state, warnings));
    }

    private void cutTornTail(String runId, Path journal, JournalFormat.Parsed parsed, long size,
                             List<String> warnings) {
        try (FileChannel channel = FileChannel.open(journal, StandardOpenOption.WRITE)) {
            channel.truncate(parsed.goodLength());
            channel.force(false);
        } catch (IOException e) {
            throw new StoreException("io_error", "Cannot repair the journal of run " + runId + " (" + journal + "): "
                    + e.getMessage() + ".", "Check the file's permissions.", e);
        }
        String warning = "journal of run " + runId + ": removed " + (size - parsed.goodLength())
                + " bytes at its end (" + parsed.tornTail() + "), left by a crash during an append that was never"
                + " acknowledged";
        LOG.warn(warning);
        warnings.add(warning);
    }

    /**
     * Checks the projections against the journal: rebuilds missing or older ones, rejects edited or unreadable
     * ones (unless {@code rewrite} is set, as {@link #repair} does).
     */
    private void checkProjections(String runId, Path dir, RunState state, boolean rewrite) {
        Map<String, Object> expectedState = RunJson.state(state);
        boolean rebuild = rewrite;
        if (!rebuild) {
            Object onDisk = readProjection(runId, dir.resolve(STATE));
            if (onDisk == null) {
                rebuild = true;
            } else {
                Object sequence = onDisk instanceof Map<?, ?> map ? map.get("journal_sequence") : null;
                if (!(sequence instanceof Number number)) {
                    throw edited(runId, dir.resolve(STATE), "it has no journal_sequence");
                }
                long onDiskSequence = number.longValue();
                if (onDiskSequence > state.sequence()) {
                    throw edited(runId, dir.resolve(STATE), "its journal_sequence " + onDiskSequence
                            + " is beyond the journal's last entry " + state.sequence());
                }
                if (onDiskSequence < state.sequence()) {
                    rebuild = true; // a crash between the journal append and the projection write
                } else {
                    compare(runId, dir.resolve(STATE), onDisk, expectedState);
                    Object checkpoints = readProjection(runId, dir.resolve(CHECKPOINTS));
                    if (checkpoints != null) {
                        compare(runId, dir.resolve(CHECKPOINTS), checkpoints, RunJson.checkpoints(state));
                    } else {
                        rebuild = true;
                    }
                    Object manifest = readProjection(runId, dir.resolve(MANIFEST));
                    if (manifest != null) {
                        compare(runId, dir.resolve(MANIFEST), manifest, RunJson.manifest(state));
                    } else {
                        rebuild = true;
                    }
                }
            }
        }
        if (rebuild) {
            try {
                writeProjections(dir, state, true, true);
            } catch (IOException e) {
                LOG.warn("Run {}: cannot rebuild its projections: {}", runId, e.toString());
            }
        }
    }

    private static Object readProjection(String runId, Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new StoreException("io_error", "Cannot read " + file + ": " + e.getMessage() + ".",
                    "Check the file's permissions.", e);
        }
        try {
            return Json.parse(text);
        } catch (JsonSyntaxException e) {
            throw new CorruptRunException("projection_unreadable", file.getFileName() + " of run " + runId + " ("
                    + file + ") is not valid JSON (" + e.getMessage() + "); it was truncated or edited.",
                    "Nothing was changed. The journal is intact: run `pipeline repair --run " + runId + "` to"
                            + " rebuild " + file.getFileName() + " from it.");
        }
    }

    private static void compare(String runId, Path file, Object onDisk, Map<String, Object> expected) {
        Object normalized = Json.parse(Json.compact(expected));
        if (normalized.equals(onDisk)) {
            return;
        }
        String difference = "its content differs from the journal";
        if (onDisk instanceof Map<?, ?> actual && normalized instanceof Map<?, ?> wanted) {
            for (Map.Entry<?, ?> entry : wanted.entrySet()) {
                Object value = actual.containsKey(entry.getKey()) ? actual.get(entry.getKey()) : Json.ABSENT;
                if (!Objects.equals(value, entry.getValue())) {
                    difference = "field '" + entry.getKey() + "' is " + shortJson(value) + " but the journal says "
                            + shortJson(entry.getValue());
                    break;
                }
            }
            for (Object key : actual.keySet()) {
                if (!wanted.containsKey(key) && difference.startsWith("its content")) {
                    difference = "it has a field '" + key + "' the journal does not know";
                }
            }
        }
        throw edited(runId, file, difference);
    }

    private static CorruptRunException edited(String runId, Path file, String difference) {
        return new CorruptRunException("projection_edited", file.getFileName() + " of run " + runId + " (" + file
                + ") was changed outside the runtime: " + difference + ". The runtime never reads its projections;"
                + " the journal is the truth.", "Nothing was changed. Change a run with pipeline commands (advance,"
                + " pause, cancel...); run `pipeline repair --run " + runId + "` to discard the edit and rebuild "
                + file.getFileName() + " from the journal.");
    }

    private static String shortJson(Object value) {
        String text = value == Json.ABSENT ? "missing" : Json.compact(value);
        return text.length() > 80 ? text.substring(0, 77) + "..." : text;
    }

    /**
     * Rebuilds a run's projections from its journal, discarding edits, and cuts a torn journal tail.
     *
     * @param runId the run
     * @return the run, with warnings naming what was repaired
     * @throws CorruptRunException if the journal itself is damaged before its end (it cannot be repaired)
     * @throws StoreException if the run does not exist
     */
    public RunSnapshot repair(String runId) {
        try (RunLock ignored = lock(runId, lockTimeout)) {
            Path dir = runDirectory(runId);
            Path journal = dir.resolve(JOURNAL);
            byte[] bytes;
            try {
                bytes = Files.readAllBytes(journal);
            } catch (NoSuchFileException e) {
                throw new StoreException("run_not_found", "Run " + runId + " does not exist in " + root + ".",
                        "Check the run id with `pipeline status`.", e);
            } catch (IOException e) {
                throw new StoreException("io_error", "Cannot read " + journal + ": " + e.getMessage() + ".",
                        "Check the file's permissions.", e);
            }
            JournalFormat.Parsed parsed = JournalFormat.parse(bytes);
            if (parsed.corruption() != null) {
                throw new CorruptRunException("journal_corrupt", "The journal of run " + runId + " (" + journal
                        + ") is damaged: " + parsed.corruption() + ".", "It cannot be repaired automatically: restore"
                        + " it from a backup, or start a new run for the subject.");
            }
            List<String> warnings = new ArrayList<>();
            if (parsed.tornTail() != null) {
                cutTornTail(runId, journal, parsed, bytes.length, warnings);
            }
            if (parsed.events().isEmpty()) {
                throw new StoreException("run_not_found", "Run " + runId + " has no complete journal entry.",
                        "Start a new run for the subject.", null);
            }
            RunState state = RunState.replay(parsed.events());
            checkProjections(runId, dir, state, true);
            warnings.add("rebuilt state.json, checkpoints.json and manifest.json of run " + runId + " from "
                    + parsed.events().size() + " journal entries");
            cache.put(runId, new Cached(state, parsed.goodLength()));
            return new RunSnapshot(state, warnings);
        }
    }

    @Override
    public List<JournalEntry> journal(String runId) {
        Path journal = runDirectory(runId).resolve(JOURNAL);
        if (!Files.exists(journal)) {
            return List.of();
        }
        try (RunLock ignored = lock(runId, lockTimeout)) {
            byte[] bytes = Files.readAllBytes(journal);
            JournalFormat.Parsed parsed = JournalFormat.parse(bytes);
            if (parsed.corruption() != null) {
                throw new CorruptRunException("journal_corrupt", "The journal of run " + runId + " is damaged: "
                        + parsed.corruption() + ".", "Restore it from a backup.");
            }
            List<JournalEntry> entries = new ArrayList<>();
            long sequence = 0;
            for (RunEvent event : parsed.events()) {
                entries.add(new JournalEntry(++sequence, event));
            }
            return entries;
        } catch (IOException e) {
            throw new StoreException("io_error", "Cannot read " + journal + ": " + e.getMessage() + ".",
                    "Check the file's permissions.", e);
        }
    }

    // ------------------------------------------------------------------------------------------------- locks

    @Override
    public Optional<RunClaim> tryClaim(String runId) {
        Ids.requireSafe("run id", runId);
        try {
            RunLock lock = FileLocks.acquire(runDirectory(runId).resolve(DRIVER_LOCK), Duration.ZERO,
                    "The driver of run " + runId);
            return Optional.of(new RunClaim() {
                @Override
                public long token() {
                    return 0;
                }

                @Override
                public void close() {
                    lock.close();
                }
            });
        } catch (LockTimeoutException e) {
            return Optional.empty();
        }
    }

    @Override
    public RunLock lock(String runId, Duration timeout) {
        prepareRoot();
        return FileLocks.acquire(runDirectory(runId).resolve(LOCK), timeout, "Run " + runId);
    }

    @Override
    public RunLock lockSubject(String pipelineId, String subjectId, Duration timeout) {
        prepareRoot();
        return FileLocks.acquire(activeFile(pipelineId, subjectId).resolveSibling(
                Ids.requireSafe("subject id", subjectId) + ".lock"), timeout,
                "Subject " + subjectId + " of pipeline " + pipelineId);
    }

    /**
     * A lock file in the state directory for a file the runs share, such as the kanban board ({@code board.lock}), to
     * take with {@link SharedFiles#lock}. Creates the state directory as a run's first lock does, with its
     * {@code .gitignore}, so the lock never shows up in the project's version control.
     *
     * @param name the lock's name, a safe id ({@code board})
     * @return {@code <root>/<name>.lock}
     * @throws dev.agentpipeline.core.run.Ids.InvalidIdException if the name is not a safe id
     * @throws StoreException if the state directory cannot be created
     */
    public Path sharedLockFile(String name) {
        Ids.requireSafe("lock name", name);
        prepareRoot();
        return root.resolve(name + ".lock");
    }

    /**
     * A directory of the state directory for files the runs share, such as the signal inbox ({@code inbox}).
     * Creates it, and the state directory as a run's first lock does (with its {@code .gitignore}, so the files
     * never show up in the project's version control).
     *
     * @param name the directory's name, a safe id ({@code inbox})
     * @return {@code <root>/<name>/}, which exists
     * @throws dev.agentpipeline.core.run.Ids.InvalidIdException if the name is not a safe id
     * @throws StoreException if the directory cannot be created
     * @since 0.1
     */
    public Path sharedDirectory(String name) {
        Ids.requireSafe("directory name", name);
        prepareRoot();
        Path dir = root.resolve(name);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new StoreException("io_error", "Cannot create the directory " + dir + ": " + e.getMessage() + ".",
                    "Check that the state directory " + root + " is writable.", e);
        }
        return dir;
    }

    /**
     * Creates the root before its first lock, with a {@code .gitignore} that keeps the state out of the project's
     * version control (a root that exists already is left as it is: it may be a directory the user owns).
     */
    private void prepareRoot() {
        if (rootReady) {
            return;
        }
        try {
            if (!Files.isDirectory(root)) {
                Files.createDirectories(root);
                AtomicFiles.write(root.resolve(".gitignore"), GITIGNORE.getBytes(StandardCharsets.UTF_8), false);
            }
            rootReady = true;
        } catch (IOException e) {
            throw new StoreException("io_error", "Cannot create the state directory " + root + ": " + e.getMessage()
                    + ".", "Check that its parent exists and is writable, or choose another state directory.", e);
        }
    }

    // ----------------------------------------------------------------------------------------- run listings

    @Override
    public List<String> runIds() {
        Path runs = root.resolve("runs");
        if (!Files.isDirectory(runs)) {
            return List.of();
        }
        List<String> ids = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(runs)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (Ids.isSafe(name) && Files.isRegularFile(entry.resolve(JOURNAL))) {
                    ids.add(name);
                }
            }
        } catch (IOException e) {
            throw new StoreException("io_error", "Cannot list " + runs + ": " + e.getMessage() + ".",
                    "Check the directory's permissions.", e);
        }
        Collections.sort(ids);
        return ids;
    }

    /**
     * {@inheritDoc}
     *
     * @return {@code <root>/active/{pipeline}/{subject}.json}
     */
    @Override
    public Optional<String> pointerLocation(String pipelineId, String subjectId) {
        return Optional.of(activeFile(pipelineId, subjectId).toString());
    }

    private Path activeFile(String pipelineId, String subjectId) {
        return root.resolve("active").resolve(Ids.requireSafe("pipeline id", pipelineId))
                .resolve(Ids.requireSafe("subject id", subjectId) + ".json");
    }

    @Override
    public Optional<String> activeRun(String pipelineId, String subjectId) {
        return readPointer(activeFile(pipelineId, subjectId));
    }

    private Optional<String> readPointer(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new StoreException("io_error", "Cannot read " + file + ": " + e.getMessage() + ".",
                    "Check the file's permissions.", e);
        }
        try {
            Object runId = Json.parseObject(text).get("run_id");
            if (runId instanceof String id && Ids.isSafe(id)) {
                return Optional.of(id);
            }
            throw new JsonSyntaxException("run_id is missing or not a safe id", 0, 0);
        } catch (JsonSyntaxException e) {
            throw new CorruptRunException("pointer_unreadable", "The current-run pointer " + file
                    + " is not valid (" + e.getMessage() + ").", "Delete it; `pipeline start` finds unfinished runs"
                    + " again and rewrites it.");
        }
    }

    @Override
    public Map<String, String> activeRuns(String pipelineId) {
        Path dir = root.resolve("active").resolve(Ids.requireSafe("pipeline id", pipelineId));
        Map<String, String> runs = new TreeMap<>();
        if (!Files.isDirectory(dir)) {
            return runs;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, "*.json")) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                String subject = name.substring(0, name.length() - ".json".length());
                if (Ids.isSafe(subject)) {
                    readPointer(entry).ifPresent(runId -> runs.put(subject, runId));
                }
            }
        } catch (IOException e) {
            throw new StoreException("io_error", "Cannot list " + dir + ": " + e.getMessage() + ".",
                    "Check the directory's permissions.", e);
        }
        return runs;
    }

    @Override
    public void setActive(String pipelineId, String subjectId, String runId) {
        Path file = activeFile(pipelineId, subjectId);
        Map<String, Object> pointer = new LinkedHashMap<>();
        pointer.put("schema_version", RunJson.SCHEMA_VERSION);
        pointer.put("pipeline", pipelineId);
        pointer.put("identifier", subjectId);
        pointer.put("run_id", Ids.requireSafe("run id", runId));
        pointer.put("updated_at", Times.format(clock.instant()));
        try {
            Files.createDirectories(file.getParent());
            AtomicFiles.write(file, prettyBytes(pointer), true);
        } catch (IOException e) {
            throw new StoreException("io_error", "Cannot write " + file + ": " + e.getMessage() + ".",
                    "Check free disk space and permissions.", e);
        }
    }

    @Override
    public void clearActive(String pipelineId, String subjectId, String runId) {
        Path file = activeFile(pipelineId, subjectId);
        Optional<String> current = readPointer(file);
        if (current.isPresent() && current.get().equals(runId)) {
            try {
                Files.deleteIfExists(file);
                AtomicFiles.forceDirectory(file.getParent());
            } catch (IOException e) {
                throw new StoreException("io_error", "Cannot delete " + file + ": " + e.getMessage() + ".",
                        "Check the directory's permissions.", e);
            }
        }
    }

    @Override
    public String toString() {
        return "FileRunStore[" + root + "]";
    }

    /**
     * Builds a {@link FileRunStore}.
     *
     * @since 0.1
     */
    public static final class Builder {
        private final Path root;
        private Duration lockTimeout = DEFAULT_LOCK_TIMEOUT;
        private Clock clock = Clock.systemUTC();

        private Builder(Path root) {
            this.root = Objects.requireNonNull(root, "root");
        }

        /**
         * @param timeout how long appends and loads wait for a run's lock, positive
         * @return this builder
         * @throws IllegalArgumentException if not positive
         */
        public Builder lockTimeout(Duration timeout) {
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("lockTimeout must be positive, got " + timeout);
            }
            this.lockTimeout = timeout;
            return this;
        }

        /**
         * @param clock the clock for pointer timestamps
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** @return the store */
        public FileRunStore build() {
            return new FileRunStore(root, lockTimeout, clock);
        }
    }
}
