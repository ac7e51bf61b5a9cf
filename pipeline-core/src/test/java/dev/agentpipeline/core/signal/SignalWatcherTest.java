package dev.agentpipeline.core.signal;

import dev.agentpipeline.core.definition.PipelineDefinition;
import dev.agentpipeline.core.definition.PipelineDefinitions;
import dev.agentpipeline.core.engine.PipelineRuntime;
import dev.agentpipeline.core.engine.Signal;
import dev.agentpipeline.core.engine.SignalReceipt;
import dev.agentpipeline.core.engine.StartRequest;
import dev.agentpipeline.core.guard.GuardRegistry;
import dev.agentpipeline.core.internal.Json;
import dev.agentpipeline.core.run.RunEvent;
import dev.agentpipeline.core.store.FileRunStore;
import dev.agentpipeline.core.testing.MutableClock;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link SignalWatcher} and {@link SignalInbox} on real files: each signal is recorded once in its run's journal
 * before its file goes, and a file that cannot become a signal is set aside with its reason.
 */
class SignalWatcherTest {

    /** Phase 7 waits for the phase pipeline's completion signal, phase 8 for any JSON object. */
    static final String DEFINITION = """
            schema_version: 1
            id: phases
            initial: QUEUED
            states:
              QUEUED: {}
              PHASE_7:
                signal: {file: phase7-complete.json, format: phase}
              PHASE_8:
                signal: {name: REVIEWED, file: phase8-complete.json}
              DONE: {terminal: true}
            transitions:
              - from: QUEUED
                to: PHASE_7
              - from: PHASE_7
                to: PHASE_8
              - from: PHASE_8
                to: DONE
            """;

    @TempDir
    Path project;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-03-02T10:00:00Z"));
    private FileRunStore store;
    private PipelineRuntime runtime;
    private Path signals;
    private SignalInbox inbox;
    private final List<String> heard = Collections.synchronizedList(new ArrayList<>());
    private SignalWatcher watcher;

    @BeforeEach
    void setUp() {
        PipelineDefinition definition = PipelineDefinitions.fromYaml("phases.yaml", DEFINITION, GuardRegistry.empty());
        store = FileRunStore.builder(project.resolve(".pipeline")).clock(clock).build();
        runtime = PipelineRuntime.builder().store(store).definition(definition).clock(clock).build();
        signals = project.resolve(".taskmaster/.signals");
        inbox = SignalInbox.of(store);
        watcher = watcher().build();
    }

    @AfterEach
    void tearDown() {
        watcher.close();
    }

    private SignalWatcher.Builder watcher() {
        return SignalWatcher.builder(runtime, inbox).signalDirectory(signals).clock(clock)
                .listener(new SignalWatcher.Listener() {
                    @Override
                    public void consumed(Path file, SignalReceipt receipt) {
                        heard.add("consumed " + file.getFileName() + " " + receipt.status().wireName());
                    }

                    @Override
                    public void rejected(Path file, String reason) {
                        heard.add("rejected " + file.getFileName() + ": " + reason);
                    }
                });
    }

    private String startRun(String subject, String to) {
        String runId = runtime.start(StartRequest.builder("phases", subject).build()).run().state().runId();
        if (to != null) {
            assertThat(runtime.advance(runId, to).allowed()).isTrue();
        }
        return runId;
    }

    static Map<String, Object> success(int phase) {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("phase", phase);
        payload.put("status", "success");
        payload.put("completed_at", "2026-03-02T09:59:00Z");
        payload.put("summary", Map.of("tests_written", 12, "tests_passing", 12));
        payload.put("trigger_next", true);
        payload.put("next_phase", phase + 1);
        return payload;
    }

    private List<RunEvent.SignalReceived> received(String runId) {
        return store.journal(runId).stream().map(e -> e.event())
                .filter(RunEvent.SignalReceived.class::isInstance).map(RunEvent.SignalReceived.class::cast).toList();
    }

    /** Writes a signal directory's file, last modified at the given instant. */
    private Path writeSignalFile(String name, String content, Instant modified) throws IOException {
        Files.createDirectories(signals);
        Path file = Files.writeString(signals.resolve(name), content, StandardCharsets.UTF_8);
        Files.setLastModifiedTime(file, FileTime.from(modified));
        return file;
    }

    private Instant settled() {
        return clock.instant().minus(Duration.ofSeconds(3));
    }

    private static List<String> names(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    // ------------------------------------------------------------------------------------------- the inbox

    @Test
    void aPublishedSignalIsRecordedOnceAndItsFileRemoved() throws IOException {
        String runId = startRun("P1", "PHASE_7");

        Path file = inbox.publish(runId, Signal.of("PHASE_7", success(7), "test"));
        SignalWatcher.Scan scan = watcher.scanOnce();

        assertThat(file.getParent()).isEqualTo(project.resolve(".pipeline/inbox").toAbsolutePath());
        assertThat(file.getFileName().toString()).startsWith(runId + "~PHASE_7~").endsWith(".json");
        assertThat(scan).isEqualTo(new SignalWatcher.Scan(1, 0, 0));
        assertThat(received(runId)).singleElement().satisfies(event -> {
            assertThat(event.name()).isEqualTo("PHASE_7");
            assertThat(event.stateId()).isEqualTo("PHASE_7");
            assertThat(event.source()).isEqualTo("test");
            assertThat(event.signalId()).isEqualTo(Signal.of("PHASE_7", success(7), "x").id());
        });
        assertThat(file).doesNotExist();
        assertThat(names(inbox.directory())).isEmpty();
        assertThat(heard).containsExactly("consumed " + file.getFileName() + " accepted");
        assertThat(runtime.advance(runId, "PHASE_8").allowed()).isTrue();
        assertThat(watcher.scanOnce()).isEqualTo(new SignalWatcher.Scan(0, 0, 0));
    }

    @Test
    void twoInboxFilesWithTheSameContentCountOnce() {
        String runId = startRun("P1", "PHASE_7");

        Path first = inbox.publish(runId, Signal.of("PHASE_7", success(7), "agent-a"));
        Path second = inbox.publish(runId, Signal.of("PHASE_7", success(7), "agent-b"));
        SignalWatcher.Scan scan = watcher.scanOnce();

        assertThat(first).isNotEqualTo(second);
        assertThat(scan.consumed()).isEqualTo(2);
        assertThat(received(runId)).hasSize(1);
        assertThat(heard).hasSize(2).anyMatch(line -> line.endsWith(" accepted"))
                .anyMatch(line -> line.endsWith(" duplicate"));
        assertThat(first).doesNotExist();
        assertThat(second).doesNotExist();
    }

    @Test
    void aDuplicateLeftByACrashIsRemovedWithoutASecondEvent() {
        String runId = startRun("P1", "PHASE_7");
        Signal signal = Signal.of("PHASE_7", success(7), "test");
        Path file = inbox.publish(runId, signal);
        // A watcher crashed after the journal append, before it removed the file:
        assertThat(runtime.receiveSignal(runId, signal).status()).isEqualTo(SignalReceipt.Status.ACCEPTED);

        SignalWatcher.Scan scan = watcher.scanOnce();

        assertThat(scan).isEqualTo(new SignalWatcher.Scan(1, 0, 0));
        assertThat(file).doesNotExist();
        assertThat(received(runId)).hasSize(1);
        assertThat(heard).containsExactly("consumed " + file.getFileName() + " duplicate");
    }

    @Test
    void aDuplicateOfARunThatEndedSinceIsRemovedNotRejected() {
        String runId = startRun("P1", "PHASE_7");
        Signal signal = Signal.of("PHASE_7", success(7), "test");
        Path file = inbox.publish(runId, signal);
        runtime.receiveSignal(runId, signal); // recorded, then the watcher crashed...
        runtime.cancel(runId, "Dropped"); // ...and the run ended before it came back

        watcher.scanOnce();

        assertThat(file).doesNotExist();
        assertThat(inbox.directory().resolve(SignalWatcher.REJECTED)).doesNotExist();
        assertThat(heard).containsExactly("consumed " + file.getFileName() + " duplicate");
    }

    @Test
    void aSignalForARunThatEndedIsRejectedWithTheReason() throws IOException {
        String runId = startRun("P1", "PHASE_7");
        runtime.cancel(runId, "Dropped");
        long before = store.journal(runId).size();

        Path file = inbox.publish(runId, Signal.of("PHASE_7", success(7), "test"));
        SignalWatcher.Scan scan = watcher.scanOnce();

        assertThat(scan).isEqualTo(new SignalWatcher.Scan(0, 1, 0));
        Path rejected = inbox.directory().resolve("rejected").resolve(file.getFileName());
        assertThat(rejected).exists();
        assertThat(Files.readAllBytes(rejected)).isEqualTo(SignalInbox.envelope(runId,
                Signal.of("PHASE_7", success(7), "test")));
        assertThat(Files.readString(rejected.resolveSibling(file.getFileName() + ".reason.txt")))
                .contains("Why: run ended: Run " + runId + " already ended (CANCELED).")
                .contains("When: 2026-03-02T10:00:00")
                .contains("What to do: ");
        assertThat(store.journal(runId)).hasSize((int) before);
        assertThat(heard).singleElement().asString().startsWith("rejected " + file.getFileName() + ": run ended");
    }

    @Test
    void unknownRunsNamesAndMalformedInboxFilesAreRejectedAtOnce() throws IOException {
        String runId = startRun("P1", "PHASE_7");
        Path unknownRun = inbox.publish("phases-NOPE-1", Signal.of("PHASE_7", success(7), "test"));
        Path unknownName = inbox.publish(runId, Signal.of("PHASE_9", success(9), "test"));
        Path halfWritten = inbox.directory().resolve(runId + "~PHASE_7~abc.json");
        Files.writeString(halfWritten, "{\"schema_version\": 1, \"run_id\": ");
        Path badName = inbox.directory().resolve("not-an-inbox-file.json");
        Files.writeString(badName, "{}");
        Path otherRun = inbox.directory().resolve(runId + "~PHASE_7~def.json");
        Files.write(otherRun, SignalInbox.envelope("phases-OTHER-1", Signal.of("PHASE_7", success(7), "x")));

        SignalWatcher.Scan scan = watcher.scanOnce();

        assertThat(scan).isEqualTo(new SignalWatcher.Scan(0, 5, 0));
        assertThat(received(runId)).isEmpty();
        Path rejected = inbox.directory().resolve("rejected");
        assertThat(names(inbox.directory())).containsExactly("rejected");
        assertThat(Files.readString(rejected.resolve(unknownRun.getFileName() + ".reason.txt")))
                .contains("unknown run: Run phases-NOPE-1 does not exist.");
        assertThat(Files.readString(rejected.resolve(unknownName.getFileName() + ".reason.txt")))
                .contains("unknown signal: Pipeline phases waits for no signal named 'PHASE_9'; its signals are"
                        + " PHASE_7, REVIEWED.");
        assertThat(Files.readString(rejected.resolve(halfWritten.getFileName() + ".reason.txt")))
                .contains("it is not a valid inbox file: not one JSON object");
        assertThat(Files.readString(rejected.resolve("not-an-inbox-file.json.reason.txt")))
                .contains("has 0 '~' instead of 2");
        assertThat(Files.readString(rejected.resolve(otherRun.getFileName() + ".reason.txt")))
                .contains("$.run_id is 'phases-OTHER-1' but the file name says '" + runId + "'");
    }

    @Test
    void hiddenTemporaryFilesAndDirectoriesAreSkipped() throws IOException {
        String runId = startRun("P1", "PHASE_7");
        Path dir = inbox.create();
        Files.writeString(dir.resolve(".abc.tmp"), "{");
        Files.writeString(dir.resolve(runId + "~PHASE_7~x.json.tmp"), "{");
        Files.createDirectories(dir.resolve("sub"));

        assertThat(watcher.scanOnce()).isEqualTo(new SignalWatcher.Scan(0, 0, 0));
        assertThat(names(dir)).containsExactly(".abc.tmp", runId + "~PHASE_7~x.json.tmp", "sub");
    }

    @Test
    void aFileOverOneMebibyteIsRejectedUnread() throws IOException {
        String runId = startRun("P1", "PHASE_7");
        assertThat(runtime.advance(runId, "PHASE_8").allowed()).isTrue();
        Path big = writeSignalFile("phase8-complete.json", "{\"pad\": \"" + "x".repeat(1 << 20) + "\"}", settled());

        watcher.scanOnce();

        assertThat(big).doesNotExist();
        assertThat(Files.readString(signals.resolve("rejected/phase8-complete.json.reason.txt")))
                .contains("more than the 1048576");
        assertThat(received(runId)).isEmpty();
    }

    // ------------------------------------------------------------------------------------------- signal directories

    @Test
    void aSignalDirectoryFileGoesToTheRunInItsStateAndIntoConsumed() throws IOException {
        String waiting = startRun("P1", "PHASE_7");
        String elsewhere = startRun("P2", null);
        Path file = writeSignalFile("phase7-complete.json", Json.compact(success(7)), settled());

        SignalWatcher.Scan scan = watcher.scanOnce();

        assertThat(scan).isEqualTo(new SignalWatcher.Scan(1, 0, 0));
        assertThat(received(waiting)).singleElement().satisfies(event -> {
            assertThat(event.name()).isEqualTo("PHASE_7");
            assertThat(event.source()).isEqualTo(".signals/phase7-complete.json");
            assertThat(event.payload()).containsEntry("status", "success");
        });
        assertThat(received(elsewhere)).isEmpty();
        assertThat(file).doesNotExist();
        long sequence = runtime.load(waiting).state().signals().get(0).journalSequence();
        assertThat(names(signals.resolve("consumed")))
                .containsExactly(waiting + "-phase7-complete-" + sequence + ".json");
        assertThat(heard).containsExactly("consumed phase7-complete.json accepted");
    }

    @Test
    void theSameFileWrittenTwiceCountsOnce() throws IOException {
        String runId = startRun("P1", "PHASE_7");
        writeSignalFile("phase7-complete.json", Json.compact(success(7)), settled());
        watcher.scanOnce();
        writeSignalFile("phase7-complete.json", Json.pretty(success(7)), settled()); // same content, other layout

        SignalWatcher.Scan again = watcher.scanOnce();

        assertThat(again).isEqualTo(new SignalWatcher.Scan(1, 0, 0));
        assertThat(received(runId)).hasSize(1);
        long sequence = runtime.load(runId).state().signals().get(0).journalSequence();
        assertThat(names(signals.resolve("consumed"))).containsExactly(
                runId + "-phase7-complete-" + sequence + "-2.json", runId + "-phase7-complete-" + sequence + ".json");
        assertThat(heard).containsExactly("consumed phase7-complete.json accepted",
                "consumed phase7-complete.json duplicate");
    }

    @Test
    void aPartlyWrittenFileIsLeftAloneUntilItIsComplete() throws IOException {
        String runId = startRun("P1", "PHASE_7");
        String whole = Json.compact(success(7));
        Path file = writeSignalFile("phase7-complete.json", whole.substring(0, whole.length() / 2), clock.instant());

        SignalWatcher.Scan young = watcher.scanOnce();

        assertThat(young).isEqualTo(new SignalWatcher.Scan(0, 0, 1));
        assertThat(file).exists();
        assertThat(received(runId)).isEmpty();
        assertThat(heard).isEmpty();

        clock.advance(Duration.ofMillis(500));
        writeSignalFile("phase7-complete.json", whole, clock.instant()); // the agent finishes writing
        SignalWatcher.Scan complete = watcher.scanOnce();

        assertThat(complete).isEqualTo(new SignalWatcher.Scan(1, 0, 0));
        assertThat(received(runId)).hasSize(1);
        assertThat(file).doesNotExist();
    }

    @Test
    void aYoungFileWithoutItsFormatIsLeftAloneToo() throws IOException {
        String runId = startRun("P1", "PHASE_7");
        Path file = writeSignalFile("phase7-complete.json", "{\"phase\": 7}", clock.instant());

        assertThat(watcher.scanOnce()).isEqualTo(new SignalWatcher.Scan(0, 0, 1));

        assertThat(file).exists();
        assertThat(received(runId)).isEmpty();
    }

    @Test
    void aMalformedFileThatSettledIsRejectedWithAReasonAndTheJournalUnchanged() throws IOException {
        String runId = startRun("P1", "PHASE_7");
        long before = store.journal(runId).size();
        Path file = writeSignalFile("phase7-complete.json", "{\"phase\": 7, \"status\": ", clock.instant());
        assertThat(watcher.scanOnce().waiting()).isEqualTo(1);

        clock.advance(Duration.ofSeconds(2));
        SignalWatcher.Scan scan = watcher.scanOnce();

        assertThat(scan).isEqualTo(new SignalWatcher.Scan(0, 1, 0));
        assertThat(file).doesNotExist();
        assertThat(Files.readString(signals.resolve("rejected/phase7-complete.json")))
                .isEqualTo("{\"phase\": 7, \"status\": ");
        assertThat(Files.readString(signals.resolve("rejected/phase7-complete.json.reason.txt")))
                .contains("Rejected signal file: " + file)
                .contains("When: 2026-03-02T10:00:02")
                .contains("Why: it is not one JSON object: ")
                .contains("(line 1, column")
                .contains("What to do: Write the signal as one JSON object");
        assertThat(store.journal(runId)).hasSize((int) before);
        assertThat(heard).singleElement().asString().startsWith("rejected phase7-complete.json: it is not one JSON");
    }

    @Test
    void aSignalWithoutItsFormatIsRejectedWithEveryProblemsJsonPath() throws IOException {
        String runId = startRun("P1", "PHASE_7");
        Map<String, Object> wrong = success(7);
        wrong.put("status", "done");
        wrong.remove("trigger_next");
        Path file = writeSignalFile("phase7-complete.json", Json.compact(wrong), settled());

        watcher.scanOnce();

        assertThat(file).doesNotExist();
        assertThat(Files.readString(signals.resolve("rejected/phase7-complete.json.reason.txt")))
                .contains("Why: invalid: Signal 'PHASE_7' does not have the phase format")
                .contains("Problems:\n  - $.status must be \"success\" or \"error\", got \"done\"\n");
        assertThat(received(runId)).isEmpty();

        wrong.put("status", "success");
        writeSignalFile("phase7-complete.json", Json.compact(wrong), settled());
        watcher.scanOnce();

        assertThat(Files.readString(signals.resolve("rejected/phase7-complete-2.json.reason.txt")))
                .contains("  - $.trigger_next must be true or false, got nothing\n");
        assertThat(names(signals.resolve("rejected"))).containsExactly("phase7-complete-2.json",
                "phase7-complete-2.json.reason.txt", "phase7-complete.json", "phase7-complete.json.reason.txt");
    }

    @Test
    void aFileOfARunThatEndedIsRejectedAsWaitedForByNoOpenRun() throws IOException {
        String runId = startRun("P1", "PHASE_7");
        runtime.cancel(runId, "Dropped");
        writeSignalFile("phase7-complete.json", Json.compact(success(7)), settled());
        writeSignalFile("unrelated.json", "{}", settled());

        assertThat(watcher.scanOnce()).isEqualTo(new SignalWatcher.Scan(0, 2, 0));

        assertThat(Files.readString(signals.resolve("rejected/phase7-complete.json.reason.txt")))
                .contains("Why: no open run waits for phase7-complete.json");
        assertThat(Files.readString(signals.resolve("rejected/unrelated.json.reason.txt")))
                .contains("Why: no open run waits for unrelated.json");
    }

    @Test
    void twoRunsInTheWaitingStateAreAmbiguous() throws IOException {
        String first = startRun("P1", "PHASE_7");
        String second = startRun("P2", "PHASE_7");
        writeSignalFile("phase7-complete.json", Json.compact(success(7)), settled());

        assertThat(watcher.scanOnce()).isEqualTo(new SignalWatcher.Scan(0, 1, 0));

        String reason = Files.readString(signals.resolve("rejected/phase7-complete.json.reason.txt"));
        assertThat(reason).contains("Why: ambiguous: runs " + String.join(", ", List.of(first, second).stream()
                .sorted().toList()) + " work in the state that waits for it");
        assertThat(reason).contains("pipeline signal --run RUN_ID --file FILE");
        assertThat(received(first)).isEmpty();
        assertThat(received(second)).isEmpty();
    }

    @Test
    void theOneRunThatKnowsTheFileGetsItOutOfState() throws IOException {
        String runId = startRun("P1", null); // still QUEUED
        writeSignalFile("phase7-complete.json", Json.compact(success(7)), settled());

        assertThat(watcher.scanOnce().consumed()).isEqualTo(1);

        assertThat(received(runId)).hasSize(1);
        assertThat(heard).containsExactly("consumed phase7-complete.json recorded_out_of_state");
    }

    @Test
    void aRunInTheStateWinsOverRunsElsewhereAndRoutingFollowsRunsThatMove() throws IOException {
        String p1 = startRun("P1", "PHASE_7");
        String p2 = startRun("P2", null);
        writeSignalFile("phase7-complete.json", Json.compact(success(7)), settled());
        watcher.scanOnce();
        assertThat(received(p1)).hasSize(1);

        // P1 moves on; P2 comes to PHASE_7: the cached routes must follow
        assertThat(runtime.advance(p1, "PHASE_8").allowed()).isTrue();
        assertThat(runtime.advance(p2, "PHASE_7").allowed()).isTrue();
        Map<String, Object> other = success(7);
        other.put("completed_at", "2026-03-02T10:30:00Z");
        writeSignalFile("phase7-complete.json", Json.compact(other), settled());
        watcher.scanOnce();

        assertThat(received(p1)).hasSize(1);
        assertThat(received(p2)).hasSize(1);
    }

    @Test
    void twoWatchersOnTheSameDirectoriesRecordEachSignalOnce() throws Exception {
        List<String> runs = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            String runId = startRun("P" + i, "PHASE_7");
            runs.add(runId);
            inbox.publish(runId, Signal.of("PHASE_7", success(7), "a"));
            inbox.publish(runId, Signal.of("PHASE_7", success(7), "b"));
        }
        SignalWatcher other = watcher().build();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Callable<SignalWatcher.Scan>> scans = List.of(watcher::scanOnce, other::scanOnce);
            int consumed = 0;
            for (Future<SignalWatcher.Scan> scan : pool.invokeAll(scans)) {
                assertThat(scan.get().rejected()).isZero();
                consumed += scan.get().consumed();
            }
            assertThat(consumed).isEqualTo(12);
        } finally {
            pool.shutdownNow();
            other.close();
        }

        for (String runId : runs) {
            assertThat(received(runId)).hasSize(1);
        }
        assertThat(names(inbox.directory())).isEmpty();
    }

    // ------------------------------------------------------------------------------------------- the thread

    @Test
    void theWatchingThreadRecordsASignalRenamedIntoTheInbox() throws Exception {
        String runId = startRun("P1", "PHASE_7");
        watcher.close();
        watcher = watcher().rescanEvery(Duration.ofMinutes(10)).build(); // only the watch service can find it
        watcher.start();
        Path temp = inbox.create().resolve(".by-hand.tmp");
        Files.write(temp, SignalInbox.envelope(runId, Signal.of("PHASE_7", success(7), "by hand")));

        Files.move(temp, inbox.directory().resolve(SignalInbox.fileName(runId, "PHASE_7", "by-hand")),
                StandardCopyOption.ATOMIC_MOVE);

        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (received(runId).isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(received(runId)).hasSize(1);
        while (!names(inbox.directory()).isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(names(inbox.directory())).isEmpty();
        watcher.close();
        assertThatThrownBy(watcher::start).isInstanceOf(IllegalStateException.class);
    }

    // ------------------------------------------------------------------------------------------- names

    @Test
    void inboxFileNamesSayTheRunAndTheSignal() {
        assertThat(SignalInbox.address("phases-P1-0a1b~PHASE_7~3f9e.json"))
                .isEqualTo(new SignalInbox.Address("phases-P1-0a1b", "PHASE_7", "3f9e"));
        assertThat(SignalInbox.fileName("run-1", "DONE.signal", "n")).isEqualTo("run-1~DONE.signal~n.json");
        assertThatThrownBy(() -> SignalInbox.address("run-1~PHASE_7.json"))
                .hasMessageContaining("has 1 '~' instead of 2");
        assertThatThrownBy(() -> SignalInbox.address("../x~PHASE_7~n.json"))
                .hasMessageContaining("Invalid run id '../x'");
        assertThatThrownBy(() -> SignalInbox.address("run-1~PHASE 7~n.json"))
                .hasMessageContaining("signal name 'PHASE 7'");
        assertThatThrownBy(() -> SignalInbox.address("run-1~PHASE_7~n.txt"))
                .hasMessageContaining("does not end with .json");
        assertThatThrownBy(() -> inbox.publish("../etc", Signal.of("PHASE_7", Map.of(), "x")))
                .hasMessageContaining("Invalid run id");
    }

    @Test
    void theInboxIsCreatedWithTheStateDirectorysGitignore() {
        inbox.publish("run-1", Signal.of("PHASE_7", success(7), "x"));

        assertThat(project.resolve(".pipeline/.gitignore")).exists();
        assertThat(project.resolve(".pipeline/inbox")).isDirectory();
    }
}
