package dev.agentpipeline.core.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.agentpipeline.core.run.RunEvent;
import dev.agentpipeline.core.run.RunState;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static dev.agentpipeline.core.store.JournalFiles.readJson;
import static dev.agentpipeline.core.store.JournalFiles.snapshot;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What {@link FileRunStore} does with the damage a crash, a failing disk or a person can leave in a run's files.
 * Every load here goes through a new store, as the next command after a crash would.
 */
class FileRunStoreDurabilityTest {

    private static final String RUN = "story-us001-1-cafe";

    @TempDir
    Path root;

    private Path runDir;
    private Path journal;
    private Path stateFile;

    @BeforeEach
    void paths() {
        runDir = freshStore().runDirectory(RUN);
        journal = runDir.resolve("journal.jsonl");
        stateFile = runDir.resolve("state.json");
    }

    private FileRunStore freshStore() {
        return FileRunStore.open(root);
    }

    /** Creates the run with {@code n} events through its own store, as an earlier process would have. */
    private void createRun(int n) {
        FileRunStore store = freshStore();
        long sequence = 0;
        for (RunEvent event : StoreEvents.journalOf(RUN, n)) {
            store.append(RUN, sequence++, List.of(event));
        }
    }

    private static RunEvent.CheckpointRecorded nextCheckpoint(int checkpointSequence) {
        return StoreEvents.checkpoint(checkpointSequence);
    }

    private void appendBytes(byte[] bytes) throws IOException {
        Files.write(journal, bytes, StandardOpenOption.APPEND);
    }

    // ------------------------------------------------------------------------------------------- torn tails

    /** What a crash in the middle of an append can leave at the end of the journal. */
    enum TornTail {
        /** The process died during the write: part of a line, no end of line. */
        INCOMPLETE_LINE {
            @Override
            byte[] bytes(byte[] line) {
                return Arrays.copyOf(line, line.length / 2);
            }
        },
        /** A complete line whose content the disk did not keep: its checksum fails. */
        BAD_CHECKSUM {
            @Override
            byte[] bytes(byte[] line) {
                String text = new String(line, StandardCharsets.UTF_8);
                return text.replace("\"STAGE_0\"", "\"STAGE_9\"").getBytes(StandardCharsets.UTF_8);
            }
        },
        /** The file grew but its data never reached the disk (a machine crash): zeros. */
        ZERO_FILLED {
            @Override
            byte[] bytes(byte[] line) {
                return new byte[4096];
            }
        },
        /** A two-event append torn in its second line. */
        BAD_CHECKSUM_THEN_INCOMPLETE_LINE {
            @Override
            byte[] bytes(byte[] line) {
                byte[] bad = BAD_CHECKSUM.bytes(line);
                byte[] half = INCOMPLETE_LINE.bytes(line);
                byte[] both = Arrays.copyOf(bad, bad.length + half.length);
                System.arraycopy(half, 0, both, bad.length, half.length);
                return both;
            }
        };

        abstract byte[] bytes(byte[] line);
    }

    @ParameterizedTest
    @EnumSource(TornTail.class)
    void cutsTornTailAndReportsIt(TornTail tail) throws IOException {
        // Given: a run of 3 events, and an append of a 4th that a crash interrupted
        createRun(3);
        byte[] good = Files.readAllBytes(journal);
        appendBytes(tail.bytes(JournalFormat.encode(4, nextCheckpoint(2))));

        // When
        RunSnapshot loaded = freshStore().load(RUN).orElseThrow();

        // Then
        assertThat(loaded.sequence()).isEqualTo(3);
        assertThat(loaded.state().checkpoints()).hasSize(1);
        assertThat(loaded.warnings()).singleElement().asString()
                .contains("journal of run " + RUN).contains("removed").contains("line 4");
        assertThat(Files.readAllBytes(journal)).isEqualTo(good);
        assertThat(freshStore().load(RUN).orElseThrow().warnings()).isEmpty();
    }

    @Test
    void cutsTheWholeLinesOfAnAppendWhoseCommitLineIsMissing() throws IOException {
        // Given: a run of 3 events, and a two-event append of which only the first line reached the disk (a power
        // loss can keep one page of an append and lose the next)
        createRun(3);
        byte[] good = Files.readAllBytes(journal);
        appendBytes(JournalFormat.encode(4, nextCheckpoint(2), false));

        // When
        RunSnapshot loaded = freshStore().load(RUN).orElseThrow();

        // Then: the half of the append is not accepted
        assertThat(loaded.sequence()).isEqualTo(3);
        assertThat(loaded.warnings()).singleElement().asString().contains("commit line is missing");
        assertThat(Files.readAllBytes(journal)).isEqualTo(good);
    }

    @Test
    void keepsEveryLineOfACommittedBatch() {
        // Given: a run of two events, then a batch of two
        createRun(2);
        freshStore().append(RUN, 2, List.of(StoreEvents.checkpoint(1), StoreEvents.checkpoint(2)));

        // When
        RunSnapshot loaded = freshStore().load(RUN).orElseThrow();

        // Then
        assertThat(loaded.sequence()).isEqualTo(4);
        assertThat(loaded.warnings()).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(TornTail.class)
    void continuesTheSequenceAfterCuttingATornTail(TornTail tail) throws IOException {
        // Given
        createRun(3);
        appendBytes(tail.bytes(JournalFormat.encode(4, nextCheckpoint(2))));
        FileRunStore store = freshStore();
        RunSnapshot loaded = store.load(RUN).orElseThrow();

        // When
        RunSnapshot appended = store.append(RUN, loaded.sequence(), List.of(nextCheckpoint(2)));
        RunSnapshot again = freshStore().append(RUN, appended.sequence(), List.of(nextCheckpoint(3)));

        // Then
        assertThat(again.sequence()).isEqualTo(5);
        assertThat(JournalFiles.lines(journal)).extracting(JournalFiles.Line::seq).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(JournalFiles.lines(journal)).allMatch(JournalFiles.Line::checksumValid);
        RunSnapshot reloaded = freshStore().load(RUN).orElseThrow();
        assertThat(reloaded.warnings()).isEmpty();
        assertThat(reloaded.state().checkpoints()).extracting(c -> c.sequence()).containsExactly(1, 2, 3);
    }

    @ParameterizedTest
    @EnumSource(TornTail.class)
    void neverListsATornTailInTheJournal(TornTail tail) throws IOException {
        // Given
        createRun(3);
        appendBytes(tail.bytes(JournalFormat.encode(4, nextCheckpoint(2))));

        // When
        List<JournalEntry> entries = freshStore().journal(RUN);

        // Then
        assertThat(entries).extracting(JournalEntry::sequence).containsExactly(1L, 2L, 3L);
    }

    @Test
    void treatsARunWhoseFirstAppendWasTornAsNeverCreated() throws IOException {
        // Given: the crash hit the run's very first append
        Files.createDirectories(runDir);
        Files.write(journal, TornTail.INCOMPLETE_LINE.bytes(JournalFormat.encode(1, StoreEvents.started(RUN))));

        // When
        FileRunStore store = freshStore();

        // Then
        assertThat(store.load(RUN)).isEmpty();
        assertThat(store.append(RUN, 0, List.of(StoreEvents.started(RUN))).sequence()).isEqualTo(1);
        assertThat(JournalFiles.lines(journal)).singleElement().satisfies(line -> {
            assertThat(line.seq()).isEqualTo(1);
            assertThat(line.checksumValid()).isTrue();
        });
    }

    // ------------------------------------------------------------------------------------------- damage before the end

    @Test
    void refusesAJournalDamagedBeforeItsEndAndChangesNothing() throws IOException {
        // Given: line 2 of 5 damaged, valid lines after it - not what a crash leaves
        createRun(5);
        String text = Files.readString(journal);
        String[] lines = text.split("\n");
        lines[1] = lines[1].replace("\"STAGE_0\"", "\"STAGE_3\"");
        Files.writeString(journal, String.join("\n", lines) + "\n");
        Map<String, String> before = snapshot(root);

        // When / Then
        FileRunStore store = freshStore();
        assertThatThrownBy(() -> store.load(RUN))
                .isInstanceOf(CorruptRunException.class)
                .hasMessageContaining("line 2")
                .satisfies(e -> assertThat(((StoreException) e).code()).isEqualTo("journal_corrupt"));
        assertThatThrownBy(() -> store.append(RUN, 5, List.of(nextCheckpoint(4))))
                .isInstanceOf(CorruptRunException.class);
        assertThatThrownBy(() -> store.journal(RUN)).isInstanceOf(CorruptRunException.class);
        assertThatThrownBy(() -> store.repair(RUN)).isInstanceOf(CorruptRunException.class);
        assertThat(snapshot(root)).isEqualTo(before);
    }

    /** Lines whose checksum is valid were written whole: whatever is wrong with them, a crash did not do it. */
    enum IntactButUnreadable {
        /** An entry of a newer library version. */
        NEWER_SCHEMA_VERSION {
            @Override
            String line(String lastLine, String nextLine) {
                String body = nextLine.substring(0, nextLine.indexOf(",\"crc32c\"")) + "}";
                return JournalFiles.withChecksum(body.replace("\"schema_version\":1", "\"schema_version\":2"));
            }
        },
        /** The last entry, written twice. */
        REPEATED_ENTRY {
            @Override
            String line(String lastLine, String nextLine) {
                return lastLine + "\n";
            }
        };

        abstract String line(String lastLine, String nextLine);
    }

    @ParameterizedTest
    @EnumSource(IntactButUnreadable.class)
    void refusesToCutALastLineWhoseChecksumIsValid(IntactButUnreadable kind) throws IOException {
        // Given
        createRun(3);
        String[] lines = Files.readString(journal).split("\n");
        String next = new String(JournalFormat.encode(4, nextCheckpoint(2)), StandardCharsets.UTF_8).trim();
        appendBytes(kind.line(lines[lines.length - 1], next).getBytes(StandardCharsets.UTF_8));
        Map<String, String> before = snapshot(root);

        // When / Then
        assertThatThrownBy(() -> freshStore().load(RUN))
                .isInstanceOf(CorruptRunException.class)
                .hasMessageContaining("line 4")
                .satisfies(e -> assertThat(((StoreException) e).code()).isEqualTo("journal_corrupt"));
        assertThat(snapshot(root)).isEqualTo(before);
    }

    // ------------------------------------------------------------------------------------------- projections

    @Test
    void rebuildsProjectionsOlderThanTheJournalSilently() throws IOException {
        // Given: projections restored from a copy taken 2 events ago (what a crash between the journal append and
        // the projection write leaves)
        createRun(3);
        byte[] oldState = Files.readAllBytes(stateFile);
        byte[] oldCheckpoints = Files.readAllBytes(runDir.resolve("checkpoints.json"));
        FileRunStore writer = freshStore();
        writer.append(RUN, 3, List.of(nextCheckpoint(2)));
        writer.append(RUN, 4, List.of(nextCheckpoint(3)));
        JsonNode currentState = readJson(stateFile);
        JsonNode currentCheckpoints = readJson(runDir.resolve("checkpoints.json"));
        Files.write(stateFile, oldState);
        Files.write(runDir.resolve("checkpoints.json"), oldCheckpoints);

        // When
        RunSnapshot loaded = freshStore().load(RUN).orElseThrow();

        // Then
        assertThat(loaded.warnings()).isEmpty();
        assertThat(loaded.sequence()).isEqualTo(5);
        assertThat(readJson(stateFile)).isEqualTo(currentState);
        assertThat(readJson(stateFile).get("journal_sequence").asLong()).isEqualTo(5);
        assertThat(readJson(runDir.resolve("checkpoints.json"))).isEqualTo(currentCheckpoints);
        assertThat(readJson(runDir.resolve("checkpoints.json")).get("_history")).hasSize(3);
    }

    @Test
    void rebuildsMissingProjectionsSilently() throws IOException {
        // Given
        createRun(4);
        JsonNode state = readJson(stateFile);
        JsonNode manifest = readJson(runDir.resolve("manifest.json"));
        Files.delete(stateFile);
        Files.delete(runDir.resolve("manifest.json"));

        // When
        RunSnapshot loaded = freshStore().load(RUN).orElseThrow();

        // Then
        assertThat(loaded.warnings()).isEmpty();
        assertThat(readJson(stateFile)).isEqualTo(state);
        assertThat(readJson(runDir.resolve("manifest.json"))).isEqualTo(manifest);
    }

    /** Ways a state file can stop being JSON. */
    enum Unreadable {
        TRUNCATED, EMPTY, GARBAGE
    }

    private void damage(Unreadable damage) throws IOException {
        byte[] state = Files.readAllBytes(stateFile);
        switch (damage) {
            case TRUNCATED -> Files.write(stateFile, Arrays.copyOf(state, state.length / 2));
            case EMPTY -> Files.write(stateFile, new byte[0]);
            case GARBAGE -> Files.writeString(stateFile, "phase: STAGE_2\n");
            default -> throw new AssertionError(damage);
        }
    }

    @ParameterizedTest
    @EnumSource(Unreadable.class)
    void refusesAnUnreadableStateFileAndChangesNothing(Unreadable damage) throws IOException {
        // Given
        createRun(4);
        damage(damage);
        Map<String, String> before = snapshot(root);

        // When / Then
        FileRunStore store = freshStore();
        assertThatThrownBy(() -> store.load(RUN))
                .isInstanceOf(CorruptRunException.class)
                .hasMessageContaining("state.json")
                .hasMessageContaining("repair")
                .satisfies(e -> assertThat(((StoreException) e).code()).isEqualTo("projection_unreadable"));
        assertThatThrownBy(() -> store.append(RUN, 4, List.of(nextCheckpoint(3))))
                .isInstanceOf(CorruptRunException.class);
        assertThat(snapshot(root)).isEqualTo(before);
    }

    @Test
    void refusesAHandEditedStateFileNamingTheFieldAndChangesNothing() throws IOException {
        // Given: valid JSON, another phase
        createRun(4);
        ObjectNode state = (ObjectNode) readJson(stateFile);
        state.put("phase", "STAGE_2");
        Files.writeString(stateFile, JournalFiles.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(state));
        Map<String, String> before = snapshot(root);

        // When / Then
        FileRunStore store = freshStore();
        assertThatThrownBy(() -> store.load(RUN))
                .isInstanceOf(CorruptRunException.class)
                .hasMessageContaining("state.json")
                .hasMessageContaining("'phase'")
                .hasMessageContaining("STAGE_2")
                .satisfies(e -> assertThat(((StoreException) e).code()).isEqualTo("projection_edited"));
        assertThatThrownBy(() -> store.append(RUN, 4, List.of(nextCheckpoint(3))))
                .isInstanceOf(CorruptRunException.class);
        assertThat(snapshot(root)).isEqualTo(before);
    }

    @Test
    void refusesAHandEditedCheckpointsFile() throws IOException {
        // Given
        createRun(4);
        Path checkpoints = runDir.resolve("checkpoints.json");
        ObjectNode json = (ObjectNode) readJson(checkpoints);
        json.put("_next_sequence", 7);
        Files.writeString(checkpoints, json.toString());
        Map<String, String> before = snapshot(root);

        // When / Then
        assertThatThrownBy(() -> freshStore().load(RUN))
                .isInstanceOf(CorruptRunException.class)
                .hasMessageContaining("checkpoints.json")
                .hasMessageContaining("'_next_sequence'")
                .satisfies(e -> assertThat(((StoreException) e).code()).isEqualTo("projection_edited"));
        assertThat(snapshot(root)).isEqualTo(before);
    }

    @Test
    void refusesAStateFileAheadOfTheJournal() throws IOException {
        // Given
        createRun(4);
        ObjectNode state = (ObjectNode) readJson(stateFile);
        state.put("journal_sequence", 9);
        Files.writeString(stateFile, state.toString());

        // When / Then
        assertThatThrownBy(() -> freshStore().load(RUN))
                .isInstanceOf(CorruptRunException.class)
                .hasMessageContaining("journal_sequence 9")
                .satisfies(e -> assertThat(((StoreException) e).code()).isEqualTo("projection_edited"));
    }

    @ParameterizedTest
    @EnumSource(Unreadable.class)
    void repairRebuildsAnUnreadableStateFile(Unreadable damage) throws IOException {
        // Given
        createRun(4);
        JsonNode good = readJson(stateFile);
        damage(damage);

        // When
        RunSnapshot repaired = freshStore().repair(RUN);

        // Then
        assertThat(repaired.sequence()).isEqualTo(4);
        assertThat(repaired.warnings()).anySatisfy(w -> assertThat(w).contains("rebuilt state.json"));
        assertThat(readJson(stateFile)).isEqualTo(good);
        RunSnapshot loaded = freshStore().load(RUN).orElseThrow();
        assertThat(loaded.warnings()).isEmpty();
        assertThat(loaded.sequence()).isEqualTo(4);
    }

    @Test
    void repairDiscardsAHandEditAndTheRunLoadsAgain() throws IOException {
        // Given
        createRun(4);
        ObjectNode state = (ObjectNode) readJson(stateFile);
        state.put("phase", "DONE");
        Files.writeString(stateFile, state.toString());
        Files.writeString(runDir.resolve("manifest.json"), "{}");

        // When
        RunSnapshot repaired = freshStore().repair(RUN);

        // Then
        assertThat(repaired.state().phase()).isEqualTo("STAGE_0");
        assertThat(readJson(stateFile).get("phase").asText()).isEqualTo("STAGE_0");
        assertThat(readJson(runDir.resolve("manifest.json")).get("run_id").asText()).isEqualTo(RUN);
        FileRunStore store = freshStore();
        assertThat(store.load(RUN).orElseThrow().warnings()).isEmpty();
        assertThat(store.append(RUN, 4, List.of(nextCheckpoint(3))).sequence()).isEqualTo(5);
    }

    @Test
    void repairAlsoCutsATornTail() throws IOException {
        // Given
        createRun(3);
        byte[] good = Files.readAllBytes(journal);
        appendBytes(TornTail.INCOMPLETE_LINE.bytes(JournalFormat.encode(4, nextCheckpoint(2))));

        // When
        RunSnapshot repaired = freshStore().repair(RUN);

        // Then
        assertThat(repaired.sequence()).isEqualTo(3);
        assertThat(repaired.warnings()).anySatisfy(w -> assertThat(w).contains("removed"));
        assertThat(Files.readAllBytes(journal)).isEqualTo(good);
    }

    // ------------------------------------------------------------------------------------------- formats

    @Test
    void stampsEveryProjectionWithItsSchemaVersion() {
        // Given
        createRun(4);

        // When
        FileRunStore store = freshStore();
        store.setActive("story", "US001", RUN);

        // Then
        for (String file : List.of("state.json", "checkpoints.json", "manifest.json")) {
            assertThat(readJson(runDir.resolve(file)).get("schema_version").asInt()).as(file).isEqualTo(1);
        }
        Path pointer = root.resolve("active").resolve("story").resolve("US001.json");
        assertThat(readJson(pointer).get("schema_version").asInt()).isEqualTo(1);
        assertThat(readJson(pointer).get("run_id").asText()).isEqualTo(RUN);
    }

    @Test
    void writesEveryJournalLineWithSchemaVersionSequenceAndAVerifyingChecksum() {
        // Given
        FileRunStore store = freshStore();
        List<RunEvent> events = StoreEvents.journalOf(RUN, 6);

        // When: single and batched appends
        store.append(RUN, 0, events.subList(0, 1));
        store.append(RUN, 1, events.subList(1, 4));
        store.append(RUN, 4, events.subList(4, 6));

        // Then
        List<JournalFiles.Line> lines = JournalFiles.lines(journal);
        assertThat(lines).extracting(JournalFiles.Line::seq).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
        assertThat(lines).allSatisfy(line -> {
            assertThat(line.schemaVersion()).isEqualTo(1);
            assertThat(line.crc32c()).matches("[0-9a-f]{8}");
            assertThat(line.checksumValid()).as("checksum of line %d", line.seq()).isTrue();
        });
        assertThat(lines).extracting(JournalFiles.Line::type)
                .containsExactlyElementsOf(events.stream().map(RunEvent::type).toList());
    }

    @Test
    void detectsAChangedLineWithTheSameChecker() throws IOException {
        // Given: a guard for the checker used above - it must see a change
        createRun(3);
        String text = Files.readString(journal).replace("\"STAGE_0\"", "\"STAGE_1\"");
        Files.writeString(journal, text);

        // When
        List<JournalFiles.Line> lines = JournalFiles.lines(journal);

        // Then
        assertThat(lines.get(1).checksumValid()).isFalse();
    }

    @Test
    void replaysTheJournalIntoTheStateTheProjectionShows() {
        // Given
        createRun(5);

        // When
        FileRunStore store = freshStore();
        RunState replayed = RunState.replay(store.journal(RUN).stream().map(JournalEntry::event).toList());

        // Then
        JsonNode state = readJson(stateFile);
        assertThat(state.get("journal_sequence").asLong()).isEqualTo(replayed.sequence());
        assertThat(state.get("phase").asText()).isEqualTo(replayed.phase());
        assertThat(readJson(runDir.resolve("checkpoints.json")).get("_history"))
                .hasSize(replayed.checkpoints().size());
    }
}
