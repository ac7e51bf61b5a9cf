package dev.agentpipeline.core.progress;

import dev.agentpipeline.core.run.Attempt;
import dev.agentpipeline.core.run.RunState;
import dev.agentpipeline.core.store.RunSnapshot;
import dev.agentpipeline.core.store.RunStore;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.apiguardian.api.API;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * How long each state's stage usually takes, learned from earlier runs: the median, over the runs that finished
 * the state at least once, of the time a run spent in its attempts there (all visits and attempts together, so a
 * typical rework is part of the estimate). Immutable.
 *
 * <pre>{@code
 * DurationEstimates estimates = DurationEstimates.from(earlierRuns);
 * Optional<Duration> gate = estimates.of("STAGE_3");
 * }</pre>
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class DurationEstimates {

    private static final Logger LOG = LoggerFactory.getLogger(DurationEstimates.class);

    /** No earlier runs: every estimate is unknown. */
    public static final DurationEstimates NONE = new DurationEstimates(Map.of(), Map.of());

    private final Map<String, Duration> medians;
    private final Map<String, Integer> samples;

    private DurationEstimates(Map<String, Duration> medians, Map<String, Integer> samples) {
        this.medians = Collections.unmodifiableMap(new TreeMap<>(medians));
        this.samples = Collections.unmodifiableMap(new TreeMap<>(samples));
    }

    /**
     * Learns from earlier runs; runs of other pipelines may be among them, each state id counts on its own.
     *
     * @param runs earlier runs, finished or not (only states a run finished an attempt in count)
     * @return the estimates
     */
    public static DurationEstimates from(List<RunState> runs) {
        Map<String, List<Duration>> spent = new LinkedHashMap<>();
        for (RunState run : Objects.requireNonNull(runs, "runs")) {
            Map<String, Duration> perState = new LinkedHashMap<>();
            for (Attempt attempt : run.attempts()) {
                if (attempt.status() == Attempt.Status.FINISHED && attempt.finishedAt() != null) {
                    perState.merge(attempt.stateId(), Duration.between(attempt.startedAt(), attempt.finishedAt()),
                            Duration::plus);
                }
            }
            perState.forEach((state, duration) -> spent.computeIfAbsent(state, s -> new ArrayList<>()).add(duration));
        }
        Map<String, Duration> medians = new LinkedHashMap<>();
        Map<String, Integer> counts = new LinkedHashMap<>();
        spent.forEach((state, durations) -> {
            List<Duration> sorted = new ArrayList<>(durations);
            Collections.sort(sorted);
            int n = sorted.size();
            Duration median = n % 2 == 1 ? sorted.get(n / 2)
                    : sorted.get(n / 2 - 1).plus(sorted.get(n / 2)).dividedBy(2);
            medians.put(state, median);
            counts.put(state, n);
        });
        return new DurationEstimates(medians, counts);
    }

    /**
     * Learns from the newest runs of a pipeline in a store. Runs that cannot be loaded (damaged, or being written by
     * another version) are skipped: an estimate is never worth an error.
     *
     * @param store the store
     * @param pipelineId the pipeline whose runs count
     * @param newest how many of its newest runs (by start time) to learn from
     * @return the estimates
     */
    public static DurationEstimates fromStore(RunStore store, String pipelineId, int newest) {
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(pipelineId, "pipelineId");
        if (newest < 1) {
            throw new IllegalArgumentException("newest must be at least 1 (got " + newest + ")");
        }
        List<RunState> runs = new ArrayList<>();
        for (String runId : store.runIds()) {
            try {
                store.load(runId).map(RunSnapshot::state).filter(run -> run.pipelineId().equals(pipelineId))
                        .ifPresent(runs::add);
            } catch (RuntimeException e) {
                LOG.debug("Run {} skipped for duration estimates: {}", runId, e.toString());
            }
        }
        runs.sort(Comparator.comparing(RunState::createdAt));
        return from(runs.subList(Math.max(0, runs.size() - newest), runs.size()));
    }

    /**
     * @param stateId a state
     * @return the median time earlier runs spent in it, if any run finished it
     */
    public Optional<Duration> of(String stateId) {
        return Optional.ofNullable(medians.get(stateId));
    }

    /**
     * @param stateId a state
     * @return how many earlier runs the estimate of the state comes from
     */
    public int samples(String stateId) {
        return samples.getOrDefault(stateId, 0);
    }

    @Override
    public String toString() {
        return "DurationEstimates" + medians;
    }
}
