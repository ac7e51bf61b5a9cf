package dev.agentpipeline.testkit;

import dev.agentpipeline.spi.JsonValues;
import dev.agentpipeline.spi.StageContext;
import dev.agentpipeline.spi.StageOutcome;
import dev.agentpipeline.spi.StageProgress;

import org.apiguardian.api.API;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * An in-memory {@link StageContext} for testing a stage plugin on its own.
 *
 * <pre>{@code
 * TestStageContext context = TestStageContext.builder()
 *         .subject("US001", "Login form")
 *         .state("STAGE_1")
 *         .workspace(tempDir)
 *         .input("business_answers", Map.of("auth", "JWT"))
 *         .build();
 *
 * StageOutcome outcome = new MyValidationStage().run(context);
 *
 * assertThat(outcome.verdict()).contains("GO");
 * assertThat(context.savedProgress()).hasSize(2);
 * }</pre>
 *
 * <p>Saved progress is kept in memory and visible through {@link #savedProgress()}; {@link #cancel()} flips
 * {@link #isCancelled()}. Thread-safe for one stage call at a time, like the real context.
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class TestStageContext implements StageContext {

    private final String runId;
    private final String pipelineId;
    private final String subjectId;
    private final String subjectTitle;
    private final String stateId;
    private final int attempt;
    private final int visit;
    private final Path workspace;
    private final Map<String, Object> inputs;
    private final Map<String, StageOutcome> previousOutcomes;
    private final Clock clock;
    private final Map<String, Object> settings;
    private final Path attemptDirectory;
    private final AtomicBoolean cancelled = new AtomicBoolean();
    private final List<Map<String, Object>> saved = Collections.synchronizedList(new ArrayList<>());

    private TestStageContext(Builder builder) {
        this.runId = builder.runId;
        this.pipelineId = builder.pipelineId;
        this.subjectId = builder.subjectId;
        this.subjectTitle = builder.subjectTitle;
        this.stateId = builder.stateId;
        this.attempt = builder.attempt;
        this.visit = builder.visit;
        this.workspace = builder.workspace;
        this.inputs = JsonValues.copyOfMap(builder.inputs);
        this.previousOutcomes = Map.copyOf(builder.previousOutcomes);
        this.clock = builder.clock;
        this.settings = JsonValues.copyOfMap(builder.settings);
        this.attemptDirectory = builder.attemptDirectory;
        if (builder.progress != null) {
            saved.add(builder.progress);
        }
    }

    /** @return a builder with harmless defaults (run {@code test-run}, subject {@code TEST-1}, state {@code STAGE_0}) */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String runId() {
        return runId;
    }

    @Override
    public String pipelineId() {
        return pipelineId;
    }

    @Override
    public String subjectId() {
        return subjectId;
    }

    @Override
    public String subjectTitle() {
        return subjectTitle;
    }

    @Override
    public String stateId() {
        return stateId;
    }

    @Override
    public int attempt() {
        return attempt;
    }

    @Override
    public int visit() {
        return visit;
    }

    /**
     * Shaped like the runtime's ids ({@code stage_3-26}: the state in lower case, a dash, a number), with the attempt
     * number as the number, so that a plugin that derives names from it meets in its tests what it meets in a run.
     */
    @Override
    public String attemptId() {
        return stateId.toLowerCase(java.util.Locale.ROOT) + "-" + attempt;
    }

    @Override
    public Path workspace() {
        return workspace;
    }

    @Override
    public Map<String, Object> inputs() {
        return inputs;
    }

    @Override
    public Optional<StageOutcome> previousOutcome(String stateId) {
        return Optional.ofNullable(previousOutcomes.get(stateId));
    }

    @Override
    public StageProgress progress() {
        return new StageProgress() {
            @Override
            public Optional<Map<String, Object>> last() {
                synchronized (saved) {
                    return saved.isEmpty() ? Optional.empty() : Optional.of(saved.get(saved.size() - 1));
                }
            }

            @Override
            public void save(Map<String, ?> snapshot) {
                saved.add(JsonValues.copyOfMap(Objects.requireNonNull(snapshot, "snapshot")));
            }
        };
    }

    @Override
    public boolean isCancelled() {
        return cancelled.get();
    }

    @Override
    public Clock clock() {
        return clock;
    }

    @Override
    public Map<String, Object> settings() {
        return settings;
    }

    @Override
    public Optional<Path> attemptDirectory() {
        return Optional.ofNullable(attemptDirectory);
    }

    /** Requests cancellation, as a pause or shutdown of the run would. */
    public void cancel() {
        cancelled.set(true);
    }

    /** @return every snapshot saved through {@link #progress()}, oldest first, as an unmodifiable copy */
    public List<Map<String, Object>> savedProgress() {
        synchronized (saved) {
            return List.copyOf(saved);
        }
    }

    /**
     * Builds a {@link TestStageContext}.
     *
     * @since 0.1
     */
    public static final class Builder {
        private String runId = "test-run";
        private String pipelineId = "test";
        private String subjectId = "TEST-1";
        private String subjectTitle = "";
        private String stateId = "STAGE_0";
        private int attempt = 1;
        private int visit = 1;
        private Path workspace = Path.of(".").toAbsolutePath().normalize();
        private final Map<String, Object> inputs = new LinkedHashMap<>();
        private final Map<String, StageOutcome> previousOutcomes = new LinkedHashMap<>();
        private Clock clock = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
        private Map<String, Object> progress;
        private final Map<String, Object> settings = new LinkedHashMap<>();
        private Path attemptDirectory;

        private Builder() {
        }

        /**
         * @param runId the run id
         * @return this builder
         */
        public Builder runId(String runId) {
            this.runId = Objects.requireNonNull(runId, "runId");
            return this;
        }

        /**
         * @param pipelineId the pipeline id
         * @return this builder
         */
        public Builder pipeline(String pipelineId) {
            this.pipelineId = Objects.requireNonNull(pipelineId, "pipelineId");
            return this;
        }

        /**
         * @param id the subject id
         * @param title its title
         * @return this builder
         */
        public Builder subject(String id, String title) {
            this.subjectId = Objects.requireNonNull(id, "id");
            this.subjectTitle = Objects.requireNonNull(title, "title");
            return this;
        }

        /**
         * @param stateId the state the stage works for
         * @return this builder
         */
        public Builder state(String stateId) {
            this.stateId = Objects.requireNonNull(stateId, "stateId");
            return this;
        }

        /**
         * @param attempt the attempt number, at least 1
         * @return this builder
         * @throws IllegalArgumentException if below 1
         */
        public Builder attempt(int attempt) {
            if (attempt < 1) {
                throw new IllegalArgumentException("attempt must be at least 1, got " + attempt);
            }
            this.attempt = attempt;
            return this;
        }

        /**
         * @param visit the visit number, at least 1
         * @return this builder
         * @throws IllegalArgumentException if below 1
         */
        public Builder visit(int visit) {
            if (visit < 1) {
                throw new IllegalArgumentException("visit must be at least 1, got " + visit);
            }
            this.visit = visit;
            return this;
        }

        /**
         * @param workspace the working directory
         * @return this builder
         */
        public Builder workspace(Path workspace) {
            this.workspace = Objects.requireNonNull(workspace, "workspace");
            return this;
        }

        /**
         * @param name input name
         * @param value JSON-compatible value
         * @return this builder
         */
        public Builder input(String name, Object value) {
            inputs.put(Objects.requireNonNull(name, "name"), value);
            return this;
        }

        /**
         * @param stateId an earlier state
         * @param outcome its outcome
         * @return this builder
         */
        public Builder previousOutcome(String stateId, StageOutcome outcome) {
            previousOutcomes.put(Objects.requireNonNull(stateId, "stateId"), Objects.requireNonNull(outcome, "outcome"));
            return this;
        }

        /**
         * @param snapshot progress an earlier attempt saved
         * @return this builder
         */
        public Builder savedProgress(Map<String, ?> snapshot) {
            this.progress = JsonValues.copyOfMap(snapshot);
            return this;
        }

        /**
         * @param clock the clock the stage sees
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * @param name a setting of the state's plugin, as the definition's {@code settings:} would give it
         * @param value JSON-compatible value
         * @return this builder
         * @since 0.1
         */
        public Builder setting(String name, Object value) {
            settings.put(Objects.requireNonNull(name, "name"), value);
            return this;
        }

        /**
         * @param values settings of the state's plugin, added to those set before
         * @return this builder
         * @since 0.1
         */
        public Builder settings(Map<String, ?> values) {
            settings.putAll(Objects.requireNonNull(values, "values"));
            return this;
        }

        /**
         * @param directory the attempt's own directory (a JUnit {@code @TempDir}); none by default
         * @return this builder
         * @since 0.1
         */
        public Builder attemptDirectory(Path directory) {
            this.attemptDirectory = Objects.requireNonNull(directory, "directory");
            return this;
        }

        /** @return the context, never null */
        public TestStageContext build() {
            return new TestStageContext(this);
        }
    }
}
