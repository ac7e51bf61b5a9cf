package dev.agentpipeline.core.store;

import dev.agentpipeline.core.run.RunEvent;

import org.apiguardian.api.API;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * Where runs live: their journals, and which run is current for each subject.
 *
 * <p>The contract, which every implementation's tests check by extending the store contract test:
 * <ul>
 *   <li>{@link #append} is atomic and durable: when it returns, all its events are stored and survive a crash
 *       of the process or the machine; when it throws, none are.</li>
 *   <li>Optimistic concurrency: {@code append(runId, expectedSequence, events)} fails with
 *       {@link ConcurrentAppendException} unless the journal ends at {@code expectedSequence}; sequence numbers
 *       are 1, 2, 3... without gaps or repeats.</li>
 *   <li>{@link #lock} gives one owner at a time per run, across threads and processes; a second caller waits up to
 *       its timeout, then gets {@link LockTimeoutException}. Locks are reentrant for the owning thread.</li>
 *   <li>{@link #load} never returns a state that contains an event that failed its checksum.</li>
 * </ul>
 * Implementations are thread-safe.
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public interface RunStore {

    /**
     * Appends events to a run's journal; a new run is created by appending its {@link RunEvent.Started} event with
     * {@code expectedSequence} 0.
     *
     * @param runId the run
     * @param expectedSequence the sequence the journal must end at (0 for a new run)
     * @param events the events, at least one
     * @return the run after the append
     * @throws ConcurrentAppendException if the journal does not end at {@code expectedSequence}
     * @throws StoreException if the run does not exist (and this is not its first append) or cannot be written
     */
    RunSnapshot append(String runId, long expectedSequence, List<? extends RunEvent> events);

    /**
     * Loads a run.
     *
     * @param runId the run
     * @return the run, or empty if the store has no run with this id
     * @throws CorruptRunException if the run's files are damaged in a way the store must not repair alone
     */
    Optional<RunSnapshot> load(String runId);

    /**
     * Reads a run's whole journal.
     *
     * @param runId the run
     * @return the entries, oldest first; empty if the run does not exist
     */
    List<JournalEntry> journal(String runId);

    /**
     * Takes exclusive ownership of a run.
     *
     * @param runId the run
     * @param timeout how long to wait for another owner to finish
     * @return the lock; close it to release
     * @throws LockTimeoutException if the run stays locked for longer than the timeout
     */
    RunLock lock(String runId, Duration timeout);

    /**
     * Takes the right to drive a run, if no other driver (thread or process) holds it; never waits.
     *
     * @param runId the run
     * @return the claim, or empty when another driver holds it
     * @since 0.1
     */
    Optional<RunClaim> tryClaim(String runId);

    /**
     * Takes exclusive ownership of a subject, to start at most one run for it at a time.
     *
     * @param pipelineId the pipeline
     * @param subjectId the subject
     * @param timeout how long to wait
     * @return the lock; close it to release
     * @throws LockTimeoutException if the subject stays locked for longer than the timeout
     */
    RunLock lockSubject(String pipelineId, String subjectId, Duration timeout);

    /** @return the ids of every run in the store */
    List<String> runIds();

    /**
     * @param pipelineId a pipeline
     * @param subjectId a subject
     * @return the id of the subject's current run, if any
     */
    Optional<String> activeRun(String pipelineId, String subjectId);

    /**
     * @param pipelineId a pipeline
     * @return the current run of each subject of the pipeline, by subject id
     */
    Map<String, String> activeRuns(String pipelineId);

    /**
     * Makes a run its subject's current run.
     *
     * @param pipelineId the pipeline
     * @param subjectId the subject
     * @param runId the run
     */
    void setActive(String pipelineId, String subjectId, String runId);

    /**
     * Clears a subject's current run, if it still is {@code runId}.
     *
     * @param pipelineId the pipeline
     * @param subjectId the subject
     * @param runId the run
     */
    void clearActive(String pipelineId, String subjectId, String runId);

    /**
     * Where a run's files are, for people: {@code journal}, {@code state}, {@code checkpoints}... Stores that keep
     * no files return an empty map.
     *
     * @param runId the run
     * @return named locations
     */
    default Map<String, String> locations(String runId) {
        return Map.of();
    }

    /**
     * Where a subject's current-run pointer is kept, for people and for callers that tell subjects apart by it
     * (each subject has its own). The pointer exists only while the subject has a current run; the location is
     * answered either way. Stores that keep no files return empty.
     *
     * @param pipelineId a pipeline
     * @param subjectId a subject
     * @return the pointer's location, empty for stores that keep no files
     * @since 0.1
     */
    default Optional<String> pointerLocation(String pipelineId, String subjectId) {
        return Optional.empty();
    }
}
