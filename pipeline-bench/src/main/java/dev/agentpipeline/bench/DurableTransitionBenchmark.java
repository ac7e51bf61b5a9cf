package dev.agentpipeline.bench;

import dev.agentpipeline.core.engine.PipelineRuntime;
import dev.agentpipeline.core.engine.StartRequest;
import dev.agentpipeline.core.engine.TransitionResult;
import dev.agentpipeline.core.run.RunEvent;
import dev.agentpipeline.core.store.FileRunStore;
import dev.agentpipeline.core.store.RunSnapshot;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One durable transition on the local disk versus the raw cost of one durable atomic file replacement, measured
 * beside it in the same run.
 *
 * <p><b>What it compares</b> (each operation is sampled; read the {@code p0.50} rows):
 * <ul>
 *   <li>{@link #floor}: the raw floor of {@code docs/benchmarks.md} and the design notes - write a 2 KB file to a
 *       temporary name, {@code FileChannel.force(true)}, {@code Files.move(ATOMIC_MOVE)} over the target, force the
 *       directory ({@code FileChannel.open(dir, READ).force(true)}).</li>
 *   <li>{@link #runtimeAdvance}: {@link PipelineRuntime#advance} of a run of {@link PingPong} on a
 *       {@link FileRunStore}: run lock (in-JVM lock and OS file lock), load (cached), guard decision, journal append
 *       forced with {@code force(false)} ({@code fdatasync}), {@code state.json} projection replaced by rename.
 *       Every operation is an allowed, guarded transition to the other state.</li>
 *   <li>{@link #storeAppend}: the store's share alone - {@link FileRunStore#append} of one {@code Transitioned}
 *       event (lock, sequence check, journal append and force, projection).</li>
 *   <li>{@link #rawJournalAppend}: the disk's share of the journal alone - open the journal for append, write one
 *       line of the size a {@code Transitioned} entry has, {@code force(false)}, close. No lock, no projection.</li>
 *   <li>{@link #rawJournalAppendAndRename}: the disk's share of the store's whole design - the same journal append
 *       and force, then a {@code state.json}-sized file (700 bytes) written to a temporary name and renamed over
 *       the projection, without a force, as {@link FileRunStore} does.</li>
 * </ul>
 * The last two are a breakdown: {@code runtimeAdvance} minus {@code rawJournalAppendAndRename} is what the code
 * adds to what the disk costs.
 * Files go to a fresh directory under {@code -Dbench.dir} (default {@code java.io.tmpdir}); the benchmark refuses
 * a memory file system. Journals grow by one line per operation for the length of a trial and are deleted after.
 *
 * <p><b>Target.</b> {@code runtimeAdvance} median at most 1.2x the {@code floor} median. Results:
 * {@code docs/benchmarks.md}.
 *
 * <p><b>Run it</b> (from the repository root; about 6 minutes, then 3 for the rounds):
 * <pre>
 * mvn -B -q -pl pipeline-bench -am package -DskipTests
 * java -jar pipeline-bench/target/benchmarks.jar DurableTransition -f 3 -wi 3 -w 2s -i 5 -r 3s
 * # the ratio in short alternating rounds, which background load drifting over minutes cannot fake (see Rounds):
 * java -cp pipeline-bench/target/benchmarks.jar dev.agentpipeline.bench.Rounds 8 runtimeAdvance floor \
 *     'DurableTransitionBenchmark.(floor|runtimeAdvance)$' -f 1 -wi 1 -w 2s -i 3 -r 2s
 * # on another disk, add:  -jvmArgsAppend -Dbench.dir=/path/on/that/disk
 * # the code's share alone (no disk), add:  -jvmArgsAppend "-Dbench.dir=/dev/shm -Dbench.allowMemoryFs=true"
 * </pre>
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 3)
@Fork(3)
public class DurableTransitionBenchmark {

    /** The size of the file the floor replaces. */
    static final int FLOOR_FILE_SIZE = 2048;

    /** The raw floor: durable atomic replacement of a 2 KB file. */
    @State(Scope.Thread)
    public static class Floor {
        Path dir;
        Path target;
        Path temp;
        byte[] content;

        @Setup(Level.Trial)
        public void setUp() throws IOException {
            dir = BenchFiles.createDiskDirectory("floor-");
            target = dir.resolve("state.json");
            temp = dir.resolve(".state.json.tmp");
            content = jsonOfSize(FLOOR_FILE_SIZE);
            Files.write(target, content);
        }

        @TearDown(Level.Trial)
        public void tearDown() throws IOException {
            if (!Files.isRegularFile(target) || Files.size(target) != FLOOR_FILE_SIZE) {
                throw new IllegalStateException("The floor did not leave its 2 KB file at " + target);
            }
            BenchFiles.delete(dir);
        }
    }

    /** A run of the ping-pong pipeline behind a runtime on a file store. */
    @State(Scope.Thread)
    public static class Runtime {
        Path dir;
        PipelineRuntime runtime;
        String runId;
        String phase;
        long transitions;

        @Setup(Level.Trial)
        public void setUp() {
            dir = BenchFiles.createDiskDirectory("runtime-");
            runtime = PipelineRuntime.builder()
                    .store(FileRunStore.open(dir.resolve(".pipeline")))
                    .definition(PingPong.definition())
                    .build();
            RunSnapshot run = runtime.start(StartRequest.builder(PingPong.ID, "BENCH-1")
                    .title("Durable ping-pong").attribute(PingPong.READY, true).build()).run();
            runId = run.state().runId();
            phase = run.state().phase();
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            long journalled = runtime.load(runId).sequence() - 1;
            if (journalled != transitions) {
                throw new IllegalStateException("The journal holds " + journalled + " transitions, the benchmark made "
                        + transitions);
            }
            BenchFiles.delete(dir);
        }
    }

    /** A run on a file store, appended to directly. */
    @State(Scope.Thread)
    public static class Store {
        Path dir;
        FileRunStore store;
        Clock clock;
        String runId;
        String phase;
        long sequence;

        @Setup(Level.Trial)
        public void setUp() {
            dir = BenchFiles.createDiskDirectory("store-");
            store = FileRunStore.open(dir.resolve(".pipeline"));
            clock = Clock.systemUTC();
            runId = "pingpong-bench-store";
            Map<String, Integer> counters = new LinkedHashMap<>();
            counters.put(PingPong.LAPS, 0);
            RunSnapshot run = store.append(runId, 0, List.of(new RunEvent.Started(clock.instant(), runId,
                    PingPong.ID, "BENCH-1", "Durable ping-pong", PingPong.PING, counters, Map.of(),
                    Map.of(PingPong.READY, true))));
            sequence = run.sequence();
            phase = run.state().phase();
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            if (store.load(runId).orElseThrow().sequence() != sequence) {
                throw new IllegalStateException("The journal does not end at sequence " + sequence);
            }
            BenchFiles.delete(dir);
        }
    }

    /** The size of the projection {@link #rawJournalAppendAndRename} replaces: the ping-pong run's state.json. */
    static final int PROJECTION_SIZE = 700;

    /** A bare journal file appended to, and a projection beside it. */
    @State(Scope.Thread)
    public static class Journal {
        Path dir;
        Path journal;
        Path projection;
        Path projectionTemp;
        byte[] line;
        byte[] projectionContent;

        @Setup(Level.Trial)
        public void setUp() throws IOException {
            dir = BenchFiles.createDiskDirectory("journal-");
            journal = dir.resolve("journal.jsonl");
            Files.createFile(journal);
            line = transitionedLine();
            projection = dir.resolve("state.json");
            projectionTemp = dir.resolve(".state.json.tmp");
            projectionContent = jsonOfSize(PROJECTION_SIZE);
            Files.write(projection, projectionContent);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            BenchFiles.delete(dir);
        }
    }

    /**
     * Writes 2 KB to a temporary file, forces it, renames it over the target and forces the directory.
     *
     * @param floor the files
     * @return the target
     * @throws IOException if the disk fails
     */
    @Benchmark
    public Path floor(Floor floor) throws IOException {
        try (FileChannel channel = FileChannel.open(floor.temp, StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE)) {
            ByteBuffer buffer = ByteBuffer.wrap(floor.content);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(true);
        }
        Files.move(floor.temp, floor.target, StandardCopyOption.ATOMIC_MOVE);
        try (FileChannel directory = FileChannel.open(floor.dir, StandardOpenOption.READ)) {
            directory.force(true);
        }
        return floor.target;
    }

    /**
     * Advances the run to the other state through the runtime.
     *
     * @param run the run
     * @return the result
     */
    @Benchmark
    public TransitionResult runtimeAdvance(Runtime run) {
        String to = PingPong.next(run.phase);
        TransitionResult result = run.runtime.advance(run.runId, to);
        if (!result.allowed()) {
            throw new IllegalStateException("Guard rejected " + run.phase + " -> " + to + ": "
                    + result.guardResult().error());
        }
        run.phase = to;
        run.transitions++;
        return result;
    }

    /**
     * Appends one transition to the run's journal through the store.
     *
     * @param run the run
     * @return the run afterwards
     */
    @Benchmark
    public RunSnapshot storeAppend(Store run) {
        String to = PingPong.next(run.phase);
        RunSnapshot after = run.store.append(run.runId, run.sequence, List.of(new RunEvent.Transitioned(
                run.clock.instant(), run.phase, to, null, null, false)));
        run.sequence = after.sequence();
        run.phase = to;
        return after;
    }

    /**
     * Appends one journal-sized line to a file and forces its data.
     *
     * @param journal the file
     * @return the file
     * @throws IOException if the disk fails
     */
    @Benchmark
    public Path rawJournalAppend(Journal journal) throws IOException {
        try (FileChannel channel = FileChannel.open(journal.journal, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            ByteBuffer buffer = ByteBuffer.wrap(journal.line);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(false);
        }
        return journal.journal;
    }

    /**
     * Appends one journal-sized line to a file, forces its data, then replaces a projection by rename without a
     * force.
     *
     * @param journal the files
     * @return the projection
     * @throws IOException if the disk fails
     */
    @Benchmark
    public Path rawJournalAppendAndRename(Journal journal) throws IOException {
        rawJournalAppend(journal);
        try (FileChannel channel = FileChannel.open(journal.projectionTemp, StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE)) {
            ByteBuffer buffer = ByteBuffer.wrap(journal.projectionContent);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
        }
        Files.move(journal.projectionTemp, journal.projection, StandardCopyOption.ATOMIC_MOVE);
        return journal.projection;
    }

    /** @return a JSON object of exactly {@code size} bytes */
    static byte[] jsonOfSize(int size) {
        StringBuilder json = new StringBuilder("{\"schema_version\":1,\"padding\":\"");
        while (json.length() < size - 3) {
            json.append((char) ('a' + json.length() % 26));
        }
        json.append("\"}\n");
        byte[] bytes = json.toString().getBytes(StandardCharsets.UTF_8);
        if (bytes.length != size) {
            throw new IllegalStateException("built " + bytes.length + " bytes instead of " + size);
        }
        return bytes;
    }

    /** @return a line shaped and sized like a journal's {@code TRANSITIONED} entry */
    static byte[] transitionedLine() {
        return ("{\"schema_version\":1,\"seq\":12345,\"type\":\"TRANSITIONED\",\"at\":\"2026-01-01T00:00:00.123456Z\",\"data\":{\"from\":"
                + "\"PING\",\"to\":\"PONG\",\"counter_incremented\":null,\"override\":null,\"terminal\":false},"
                + "\"crc32c\":\"0a1b2c3d\"}\n").getBytes(StandardCharsets.UTF_8);
    }
}
